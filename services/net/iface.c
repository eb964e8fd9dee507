/* Network interfaces as Linux shows them: the SIOCGIF and SIOCSIF ioctls
 * [netdevice(7)] (BusyBox ifconfig), SIOCINQ/SIOCOUTQ [tcp(7)], [udp(7)],
 * and /proc/net/dev's lines [proc(5)], from lwIP's netifs. lwIP names
 * interfaces by two letters and a number ("lo0", "en0"); Linux's names are
 * "lo" and "eth<n>". */
#include <kernel/printk.h>

#include "inet.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_LOOPBACK 0x8
#define IFF_RUNNING 0x40
#define IFF_MULTICAST 0x1000
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772
#define LO_MTU 65536 /* Linux's lo; lwIP's loopif has no MTU (0: never fragments) */

static bool is_lo(const struct netif *n)
{
	return n->name[0] == 'l' && n->name[1] == 'o';
}

static void linux_name(const struct netif *n, char out[IFNAMSIZ])
{
	const char *dev = eth_netif_name(n);

	if (is_lo(n))
		snprintf(out, IFNAMSIZ, "lo");
	else if (dev)
		snprintf(out, IFNAMSIZ, "%s", dev); /* the core's name of the device */
	else
		snprintf(out, IFNAMSIZ, "eth%u", (unsigned)n->num);
}

static struct netif *netif_by_linux_name(const char *name)
{
	struct netif *n;
	char buf[IFNAMSIZ];

	NETIF_FOREACH(n)
	{
		linux_name(n, buf);
		if (!strcmp(buf, name))
			return n;
	}
	return NULL;
}

static void put_sin(struct ifreq *ifr, const ip4_addr_t *a)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = a ? ip4_addr_get_u32(a) : 0 };

	memset(&ifr->ifr_addr, 0, sizeof(ifr->ifr_addr));
	memcpy(&ifr->ifr_addr, &sin, sizeof(ifr->ifr_addr));
}

static int get_sin(const struct ifreq *ifr, ip4_addr_t *a)
{
	struct sockaddr_in sin;

	memcpy(&sin, &ifr->ifr_addr, sizeof(ifr->ifr_addr));
	if (sin.sin_family != AF_INET)
		return -EINVAL;
	ip4_addr_set_u32(a, sin.sin_addr);
	return 0;
}

static int if_flags(const struct netif *n)
{
	int f = 0;

	if (netif_is_up(n))
		f |= IFF_UP;
	if (netif_is_up(n) && netif_is_link_up(n))
		f |= IFF_RUNNING;
	if (is_lo(n))
		f |= IFF_LOOPBACK;
	if (n->flags & NETIF_FLAG_BROADCAST)
		f |= IFF_BROADCAST;
	if (n->flags & NETIF_FLAG_IGMP)
		f |= IFF_MULTICAST;
	return f;
}

static int ifreq_get(struct netif *n, unsigned cmd, struct ifreq *ifr)
{
	ip4_addr_t bc;

	switch (cmd) {
	case SIOCGIFFLAGS: ifr->ifr_flags = (int16_t)if_flags(n); return 0;
	case SIOCGIFADDR:
		/* [netdevice(7)]: an interface without an address: EADDRNOTAVAIL */
		if (ip4_addr_isany_val(*netif_ip4_addr(n)))
			return -EADDRNOTAVAIL;
		put_sin(ifr, netif_ip4_addr(n));
		return 0;
	case SIOCGIFNETMASK: put_sin(ifr, netif_ip4_netmask(n)); return 0;
	case SIOCGIFDSTADDR: put_sin(ifr, NULL); return 0;
	case SIOCGIFBRDADDR:
		ip4_addr_set_u32(&bc, ip4_addr_get_u32(netif_ip4_addr(n)) |
					      ~ip4_addr_get_u32(netif_ip4_netmask(n)));
		put_sin(ifr, (n->flags & NETIF_FLAG_BROADCAST) ? &bc : NULL);
		return 0;
	case SIOCGIFMTU: ifr->ifr_ivalue = n->mtu ? n->mtu : LO_MTU; return 0;
	case SIOCGIFMETRIC: ifr->ifr_ivalue = 0; return 0;
	case SIOCGIFTXQLEN: ifr->ifr_ivalue = 1000; return 0;
	case SIOCGIFINDEX: ifr->ifr_ivalue = netif_get_index(n); return 0;
	case SIOCGIFMAP: memset(ifr->ifr_pad, 0, sizeof(ifr->ifr_pad)); return 0;
	case SIOCGIFHWADDR:
		memset(&ifr->ifr_addr, 0, sizeof(ifr->ifr_addr));
		ifr->ifr_addr.sa_family = is_lo(n) ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
		memcpy(ifr->ifr_addr.sa_data, n->hwaddr, MIN((size_t)n->hwaddr_len, (size_t)6));
		return 0;
	default: return -ENOTTY;
	}
}

static int ifreq_set(struct netif *n, unsigned cmd, struct ifreq *ifr)
{
	ip4_addr_t a;
	int err;

	switch (cmd) {
	case SIOCSIFFLAGS:
		if ((ifr->ifr_flags & IFF_UP) && !netif_is_up(n))
			netif_set_up(n);
		else if (!(ifr->ifr_flags & IFF_UP) && netif_is_up(n))
			netif_set_down(n);
		return 0;
	case SIOCSIFADDR:
		/* Linux's devinet_ioctl(): a new address gets its classful mask
		 * (ifconfig sets a given netmask afterwards) */
		err = get_sin(ifr, &a);
		if (!err) {
			ip4_addr_t m;

			eth_classful_mask(&a, &m);
			netif_set_addr(n, &a, is_lo(n) ? netif_ip4_netmask(n) : &m,
				       netif_ip4_gw(n));
		}
		return err;
	case SIOCSIFNETMASK:
		err = get_sin(ifr, &a);
		if (!err)
			netif_set_netmask(n, &a);
		return err;
	case SIOCSIFBRDADDR: return 0; /* lwIP derives it from address and mask */
	case SIOCSIFMTU:
		/* Linux's dev_set_mtu(): 68 (IPv4's minimum) .. the device's maximum */
		if (ifr->ifr_ivalue < 68 || ifr->ifr_ivalue > (is_lo(n) ? LO_MTU : 1500))
			return -EINVAL;
		n->mtu = (u16_t)(is_lo(n) && ifr->ifr_ivalue == LO_MTU ? 0 : ifr->ifr_ivalue);
		return 0;
	default: return -ENOTTY;
	}
}

/* SIOCGIFCONF: one struct ifreq (name + address) per interface with an IPv4
 * address; with no buffer, the length all of them need. */
static int ifconf(struct kifconf *c)
{
	struct netif *n;
	int used = 0;

	NETIF_FOREACH(n)
	{
		struct ifreq ifr;

		if (ip4_addr_isany_val(*netif_ip4_addr(n)))
			continue;
		if (c->buf) {
			if (used + (int)sizeof(ifr) > c->len)
				break;
			memset(&ifr, 0, sizeof(ifr));
			linux_name(n, ifr.ifr_name);
			put_sin(&ifr, netif_ip4_addr(n));
			memcpy((char *)c->buf + used, &ifr, sizeof(ifr));
		}
		used += (int)sizeof(ifr);
	}
	c->len = used;
	return 0;
}

static int queue_len(struct inet_sock *sk, unsigned cmd, int32_t *v)
{
	struct inet_dgram *d;

	if (sk->type == SOCK_STREAM) {
		/* [tcp(7)] SIOCINQ/SIOCOUTQ: EINVAL on a listening socket */
		if (sk->state == INET_LISTEN)
			return -EINVAL;
		if (cmd == SIOCINQ)
			*v = (int32_t)sk->rx_bytes;
		else
			*v = sk->pcb.tcp && sk->state == INET_CONNECTED ?
				     (int32_t)(TCP_SND_BUF - tcp_sndbuf(sk->pcb.tcp)) :
				     0;
		return 0;
	}
	/* [udp(7)] SIOCINQ: the size of the next datagram; SIOCOUTQ: nothing waits */
	*v = 0;
	if (cmd == SIOCINQ && !list_empty(&sk->dgrams)) {
		d = list_first_entry(&sk->dgrams, struct inet_dgram, link);
		*v = d->p->tot_len;
	}
	return 0;
}

/* proto_ops.queue_len: SIOCINQ/SIOCOUTQ. */
int inet_queue_len(struct socket *sock, unsigned cmd, int32_t *val)
{
	int r;

	if (cmd != SIOCINQ && cmd != SIOCOUTQ)
		return -ENOTTY;
	net_lock();
	r = queue_len(inet_sk(sock), cmd, val);
	net_unlock();
	return r;
}

/* netdev_ops.ioctl: an interface request on a kernel copy (<kernel/net.h>). */
static long inet_netdev_ioctl(unsigned cmd, void *karg)
{
	struct ifreq *ifr = karg;
	struct netif *n;
	long r;

	net_lock();
	switch (cmd) {
	case SIOCGIFCONF: r = ifconf(karg); break;
	case SIOCADDRT:
	case SIOCDELRT: r = net_route_ioctl(cmd, karg); break;
	case SIOCGIFNAME:
		n = ifr->ifr_ivalue > 0 && ifr->ifr_ivalue <= 255 ?
			    netif_get_by_index((u8_t)ifr->ifr_ivalue) :
			    NULL;
		if (!n) {
			r = -ENODEV;
			break;
		}
		linux_name(n, ifr->ifr_name);
		r = 0;
		break;
	default:
		n = netif_by_linux_name(ifr->ifr_name);
		if (!n)
			r = -ENODEV;
		else if (cmd == SIOCSIFFLAGS || cmd == SIOCSIFADDR || cmd == SIOCSIFNETMASK ||
			 cmd == SIOCSIFBRDADDR || cmd == SIOCSIFMTU)
			r = ifreq_set(n, cmd, ifr);
		else
			r = ifreq_get(n, cmd, ifr);
		break;
	}
	net_unlock();
	return r;
}

/* /proc/net/dev lines, Linux's dev_seq_printf_stats() format. lwIP's
 * MIB-2 counters are 32 bits wide: they wrap at 4 GiB. */
static size_t inet_netdev_show(char *buf, size_t room)
{
	struct netif *n;
	size_t len = 0;

	net_lock();
	NETIF_FOREACH(n)
	{
		const struct stats_mib2_netif_ctrs *c = &n->mib2_counters;
		char name[IFNAMSIZ];
		int k;

		linux_name(n, name);
		k = snprintf(
			buf + len, room - len,
			"%6s: %7u %7u %4u %4u %4u %5u %10u %9u %8u %7u %4u %4u %4u %5u %7u %10u\n",
			name, c->ifinoctets, c->ifinucastpkts + c->ifinnucastpkts, c->ifinerrors,
			c->ifindiscards, 0u, 0u, 0u, c->ifinnucastpkts, c->ifoutoctets,
			c->ifoutucastpkts + c->ifoutnucastpkts, c->ifouterrors, c->ifoutdiscards,
			0u, 0u, 0u, 0u);
		if (k < 0 || (size_t)k >= room - len) {
			net_unlock();
			return room - 1;
		}
		len += (size_t)k;
	}
	net_unlock();
	return len;
}

/* Linux's TCP states (include/net/tcp_states.h) for lwIP's enum tcp_state. */
static unsigned linux_tcp_state(enum tcp_state st)
{
	static const unsigned map[] = {
		[CLOSED] = 7,	   [LISTEN] = 10,    [SYN_SENT] = 2,   [SYN_RCVD] = 3,
		[ESTABLISHED] = 1, [FIN_WAIT_1] = 4, [FIN_WAIT_2] = 5, [CLOSE_WAIT] = 8,
		[CLOSING] = 11,	   [LAST_ACK] = 9,   [TIME_WAIT] = 6,
	};

	return (unsigned)st < ARRAY_SIZE(map) ? map[st] : 7;
}

static bool tcp_line(char *buf, size_t room, size_t *len, int *sl, const struct tcp_pcb *pcb)
{
	unsigned rx = 0, tx = 0;
	int k;

	if (pcb->state != LISTEN) {
		tx = TCP_SND_BUF - pcb->snd_buf;
		if (pcb->callback_arg)
			rx = (unsigned)((struct inet_sock *)pcb->callback_arg)->rx_bytes;
	}
	/* the addresses as Linux prints a __be32 with %08X, the ports in host order */
	k = snprintf(buf + *len, room - *len,
		     "%4d: %08X:%04X %08X:%04X %02X %08X:%08X 00:00000000 00000000 %5u %8d %lu\n",
		     *sl, ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip)), pcb->local_port,
		     pcb->state == LISTEN ? 0u : ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip)),
		     pcb->state == LISTEN ? 0u : pcb->remote_port, linux_tcp_state(pcb->state), tx,
		     rx, 0u, 0, 0ul);
	if (k < 0 || (size_t)k >= room - *len)
		return false;
	*len += (size_t)k;
	(*sl)++;
	return true;
}

/* /proc/net/tcp lines [proc(5)]: listeners, connections, TIME_WAIT. uid and
 * inode are not known to the service: 0. */
static size_t inet_tcp_show(char *buf, size_t room)
{
	const struct tcp_pcb *lists[3];
	size_t len = 0;
	int sl = 0;

	net_lock();
	lists[0] = (const struct tcp_pcb *)tcp_listen_pcbs.pcbs;
	lists[1] = tcp_active_pcbs;
	lists[2] = tcp_tw_pcbs;
	for (unsigned i = 0; i < 3; i++) {
		for (const struct tcp_pcb *pcb = lists[i]; pcb; pcb = pcb->next) {
			if (!tcp_line(buf, room, &len, &sl, pcb)) {
				net_unlock();
				return room - 1;
			}
		}
	}
	net_unlock();
	return len;
}

const struct netdev_ops inet_netdev_ops = {
	.show = inet_netdev_show,
	.tcp_show = inet_tcp_show,
	.udp_show = net_udp_show,
	.route_show = net_route_show,
	.ioctl = inet_netdev_ioctl,
};
