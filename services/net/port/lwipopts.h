/* lwIP 2.1.3's configuration for Kevlar's services/net (the options are
 * lwIP's src/include/lwip/opt.h; only what differs from its defaults).
 *
 * NO_SYS = 1: lwIP's raw API, no lwIP threads. Every call into lwIP is made
 * with the service's lwip_mutex held (services/net/net.c), from a socket
 * call or from the service's timer thread "lwipd", which runs the timeouts
 * (sys_check_timeouts) and the loopback queue (netif_poll_all). */
#ifndef KEVLAR_LWIPOPTS_H
#define KEVLAR_LWIPOPTS_H

#define NO_SYS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define SYS_LIGHTWEIGHT_PROT 0 /* one mutex guards lwIP; never called in IRQ context */
#define LWIP_TIMERS 1

/* Memory: lwIP's heap and pools are the kernel heap (kmalloc), charged to
 * the service instance while a socket call runs. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define mem_clib_malloc lwip_port_malloc
#define mem_clib_free lwip_port_free
#define mem_clib_calloc lwip_port_calloc

/* Protocols */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1	      /* ip=dhcp (services/net/eth.c) */
#define DHCP_DOES_ARP_CHECK 0 /* as Linux's ipconfig: no ARP probe of the lease */
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define LWIP_BROADCAST_PING 0
#define IP_FORWARD 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_ALTCP 0

/* lo: 127.0.0.1/8, packets looped back through netif_poll() under the lock. */
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_SINGLE_NETIF 0

/* TCP sized for a kernel stack on a small machine: 64 KiB windows (window
 * scaling keeps SO_RCVBUF meaningful), MSS for a 1500-byte Ethernet MTU
 * (loopback's is 1500 too, Linux's lo has 65536). */
#define TCP_MSS 1460
#define TCP_WND (44 * TCP_MSS)
#define TCP_SND_BUF (44 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT (TCP_SND_BUF / 2)
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_WND_SCALE 0
#define TCP_RCV_SCALE 0
#define SO_REUSE 1
#define SO_REUSE_RXTOALL 0
#define LWIP_TCP_TIMESTAMPS 0
#define TCP_OVERSIZE TCP_MSS
#define MEMP_NUM_TCP_PCB 256
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_UDP_PCB 64
#define MEMP_NUM_RAW_PCB 16
#define MEMP_NUM_TCP_SEG 1024
#define PBUF_POOL_SIZE 256
#define LWIP_RAND() lwip_port_rand()

/* Statistics: the interface counters of /proc/net/dev come from the
 * netif's MIB-2 counters. */
#define LWIP_STATS 1 /* needed for MIB2_STATS */
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS 0
#define MEMP_STATS 0
#define SYS_STATS 0
#define MIB2_STATS 1
#define LWIP_CHECKSUM_ON_COPY 0
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_UDP 1

#define LWIP_DEBUG 0

/* Routes other than each interface's subnet and the default route
 * (services/net/route.c, SIOCADDRT): the interface for a destination that no
 * interface's subnet holds, and the gateway ARP should ask for. */
struct netif;
struct ip4_addr;
struct netif *net_route_ip4(const struct ip4_addr *src, const struct ip4_addr *dest);
const struct ip4_addr *net_route_gw(struct netif *netif, const struct ip4_addr *dest);
#define LWIP_HOOK_IP4_ROUTE_SRC(src, dest) net_route_ip4((src), (dest))
#define LWIP_HOOK_ETHARP_GET_GW(netif, dest) net_route_gw((netif), (dest))

#endif
