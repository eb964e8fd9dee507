/* Private to services/net: AF_INET sockets over lwIP's raw API.
 *
 * Locking: lwip_mutex (net.c) guards all of lwIP and every inet_sock's
 * state below, except `events`, which poll() reads without it (the VFS
 * polls with interrupts masked). Everything that changes what poll()
 * would answer calls inet_update() under the mutex, which recomputes
 * `events` and wakes `wq`. lwIP callbacks run with the mutex held: from a
 * socket call, or from the "lwipd" thread (timeouts, the loopback queue). */
#ifndef SERVICES_NET_INET_H
#define SERVICES_NET_INET_H
#include <kernel/list.h>
#include <kernel/mutex.h>
#include <kernel/net.h>
#include <kernel/wait.h>

#include "lwip/ip_addr.h"

struct tcp_pcb;
struct udp_pcb;
struct raw_pcb;
struct pbuf;

/* struct sockaddr_in [ip(7)] */
struct sockaddr_in {
	uint16_t sin_family;
	uint16_t sin_port; /* network order */
	uint32_t sin_addr; /* network order */
	uint8_t sin_zero[8];
};

enum inet_state {
	INET_UNCONNECTED, /* fresh, or bound */
	INET_CONNECTING,  /* TCP SYN sent */
	INET_CONNECTED,	  /* TCP established (or closing), UDP with a default peer */
	INET_LISTEN,
	INET_CLOSED, /* TCP: the connection is over (reset, or both FINs) */
};

/* One datagram waiting to be read (UDP, ICMP). */
struct inet_dgram {
	struct list_head link;
	struct pbuf *p;
	ip_addr_t addr;
	uint16_t port;
};

struct inet_sock {
	struct socket *sock; /* NULL while a connection waits in a listener's queue */
	int type, protocol;
	enum inet_state state;
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
		struct raw_pcb *raw;
		void *any;
	} pcb; /* NULL once lwIP freed it (reset, abort, close) */
	struct wait_queue wq;
	volatile unsigned events; /* POLL* now, for poll() without the mutex */
	unsigned wake_gen;	  /* inet_update() calls that woke wq */

	/* receive side */
	struct pbuf *rx;	 /* TCP: bytes in order, chained */
	size_t rx_bytes;	 /* TCP: bytes queued in rx; UDP: payload bytes queued */
	struct list_head dgrams; /* UDP/ICMP: struct inet_dgram */
	bool rx_fin;		 /* TCP: the peer sent FIN */
	unsigned shutdown;	 /* RCV_SHUTDOWN | SEND_SHUTDOWN, as the user asked */
	int err;		 /* pending SO_ERROR (positive errno), 0 if none */

	/* listener */
	struct list_head accept_q; /* struct inet_sock.accept_link: established, not accepted */
	struct list_head accept_link;
	unsigned accept_len, backlog;

	/* addresses kept after lwIP frees the pcb (getsockname/getpeername) */
	ip_addr_t local_ip, remote_ip;
	uint16_t local_port, remote_port;
	bool bound;
	bool connect_unreported; /* a non-blocking connect's end, not yet told by connect() */

	/* options */
	bool reuseaddr, keepalive, nodelay, broadcast;
	bool linger_on;
	int linger_sec;
	int rcvbuf, sndbuf;		   /* as getsockopt reports them (doubled) */
	uint64_t rcvtimeo_ns, sndtimeo_ns; /* 0 = none */
	int ttl, tos;
};

extern struct mutex lwip_mutex;
extern struct svc_instance net_svc;

/* Take / drop lwip_mutex; net_unlock() first delivers what lo queued. */
void net_lock(void);
void net_unlock(void);
/* Run lo's queue until it is empty (packets sent to 127.0.0.0/8 are
 * queued by lwIP and delivered here). lwip_mutex held. */
void net_loop_poll(void);
/* Sleep on sk->wq with the mutex dropped: 0 (woken), -EAGAIN (deadline),
 * -ERESTARTSYS (signal, no deadline), -EINTR (signal, deadline). */
int inet_sleep(struct inet_sock *sk, uint64_t deadline_ns);
/* The absolute deadline for a timeout in ns (0 = none). */
uint64_t inet_deadline(uint64_t timeo_ns);

/* Recompute sk->events and wake sk->wq. lwip_mutex held. */
void inet_update(struct inet_sock *sk);
/* lwIP err_t to a Linux -errno. */
int lwip_to_errno(int err);
bool inet_nonblock(const struct inet_sock *sk, unsigned msg_flags);

/* sockaddr_in <-> lwIP: -EINVAL (too short), -EAFNOSUPPORT (family). */
int inet_addr_from(const struct sockaddr_storage *a, int len, ip_addr_t *ip, uint16_t *port);
int inet_addr_to(struct sockaddr_storage *a, const ip_addr_t *ip, uint16_t port);

/* A datagram's payload: a PBUF_RAM pbuf of len bytes (len fits u16_t; the caller checked its
 * protocol's maximum) at lwIP layer `layer` (PBUF_TRANSPORT for UDP, PBUF_IP for raw), filled
 * from m's iterator. 0 with *pp set (the caller frees it), -ENOMEM, or -EFAULT (bad user
 * buffer; nothing allocated). Called with net_lock() held. */
struct pbuf;
int inet_pbuf_from_msg(struct kmsghdr *m, int layer, size_t len, struct pbuf **pp);

/* af_inet.c */
int inet_init(void);
extern const struct proto_ops inet_stream_ops, inet_dgram_ops, inet_raw_ops;
void inet_free(struct inet_sock *sk);
/* A fresh inet_sock with no socket (a connection waiting in a listener's
 * queue): NULL on -ENOMEM. */
struct inet_sock *inet_child_alloc(int type, int protocol);
unsigned inet_poll(struct socket *sock, struct wait_queue **wq);
int inet_getname(struct socket *sock, struct sockaddr_storage *addr, bool peer);

/* tcp.c */
int tcp_sock_init(struct inet_sock *sk);
void tcp_sock_release(struct inet_sock *sk);
unsigned tcp_sock_events(struct inet_sock *sk);
int inet_tcp_bind(struct socket *sock, const struct sockaddr_storage *addr, int len);
int inet_tcp_connect(struct socket *sock, const struct sockaddr_storage *addr, int len,
		     unsigned flags);
int inet_tcp_listen(struct socket *sock, int backlog);
int inet_tcp_accept(struct socket *sock, struct socket *newsock, unsigned flags);
int inet_tcp_shutdown(struct socket *sock, int how);
ssize_t inet_tcp_sendmsg(struct socket *sock, struct kmsghdr *m);
ssize_t inet_tcp_recvmsg(struct socket *sock, struct kmsghdr *m);
void tcp_sock_apply_opts(struct inet_sock *sk);

/* udp.c */
int udp_sock_init(struct inet_sock *sk);
void udp_sock_release(struct inet_sock *sk);
unsigned udp_sock_events(struct inet_sock *sk);
int inet_udp_bind(struct socket *sock, const struct sockaddr_storage *addr, int len);
int inet_udp_connect(struct socket *sock, const struct sockaddr_storage *addr, int len,
		     unsigned flags);
int inet_udp_shutdown(struct socket *sock, int how);
ssize_t inet_udp_sendmsg(struct socket *sock, struct kmsghdr *m);
ssize_t inet_udp_recvmsg(struct socket *sock, struct kmsghdr *m);

/* raw.c (SOCK_RAW, IPPROTO_ICMP); receives are UDP's */
int raw_sock_init(struct inet_sock *sk);
void raw_sock_release(struct inet_sock *sk);
int inet_raw_bind(struct socket *sock, const struct sockaddr_storage *addr, int len);
int inet_raw_connect(struct socket *sock, const struct sockaddr_storage *addr, int len,
		     unsigned flags);
ssize_t inet_raw_sendmsg(struct socket *sock, struct kmsghdr *m);
/* bind(2)'s checks shared by TCP, UDP and raw (tcp.c). */
int inet_bind_check(struct inet_sock *sk, const struct sockaddr_storage *addr, int len,
		    ip_addr_t *ip, uint16_t *port);

/* sockopt.c */
int inet_setsockopt(struct socket *sock, int level, int name, const void *val, unsigned len);
int inet_getsockopt(struct socket *sock, int level, int name, void *val, unsigned *len);

/* iface.c */
int inet_queue_len(struct socket *sock, unsigned cmd, int32_t *val);
extern const struct netdev_ops inet_netdev_ops;

static inline struct inet_sock *inet_sk(struct socket *sock)
{
	return sock->sk;
}

/* eth.c: the network devices as lwIP netifs, ip=, DHCP; lwip_mutex held. */
struct netif;
void eth_init(void);	     /* parse ip= (before the first eth_poll) */
bool eth_poll(void);	     /* attach new devices, take frames in, poll links: true if more wait */
bool eth_dhcp_pending(void); /* ip=dhcp and an interface has no lease yet */
void eth_dhcp_report(void);  /* print new leases, make the first default route */
const char *eth_netif_name(const struct netif *n);
/* route.c: SIOCADDRT/SIOCDELRT (lwip_mutex held), /proc/net/route's lines; a
 * /proc/net line padded to 127 columns as Linux's seq_pad() (false: no room). */
long net_route_ioctl(unsigned cmd, const struct krtentry *k);
size_t net_route_show(char *buf, size_t room);
bool net_proc_line(char *buf, size_t room, size_t *len, const char *line);
/* udp.c: /proc/net/udp's lines */
size_t net_udp_show(char *buf, size_t room); /* "eth0", or NULL (not a device's) */
void eth_classful_mask(const ip4_addr_t *a, ip4_addr_t *mask);

#endif
