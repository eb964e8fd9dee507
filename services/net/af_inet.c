/* AF_INET sockets [ip(7)], [tcp(7)], [udp(7)]: the family the socket layer
 * calls (through svc_call() on net_svc), over lwIP's raw API. */
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/time.h>

#include "inet.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#define IPPROTO_IP 0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

/* [ip(7)] an address of AF_INET is a struct sockaddr_in; shorter is
 * -EINVAL, another family -EAFNOSUPPORT (Linux's inet_bind/__inet_stream_connect
 * also take AF_UNSPEC as INADDR_ANY for bind; callers handle AF_UNSPEC). */
int inet_addr_from(const struct sockaddr_storage *a, int len, ip_addr_t *ip, uint16_t *port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)a;

	if (len < (int)sizeof(struct sockaddr_in))
		return -EINVAL;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	ip_addr_set_ip4_u32(ip, sin->sin_addr);
	*port = lwip_ntohs(sin->sin_port);
	return 0;
}

int inet_pbuf_from_msg(struct kmsghdr *m, int layer, size_t len, struct pbuf **pp)
{
	struct pbuf *p = pbuf_alloc((pbuf_layer)layer, (u16_t)len, PBUF_RAM);

	if (!p)
		return -ENOMEM;
	if (len && msg_iter_copy_from(&m->iter, p->payload, len)) {
		pbuf_free(p);
		return -EFAULT;
	}
	*pp = p;
	return 0;
}

int inet_addr_to(struct sockaddr_storage *a, const ip_addr_t *ip, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)a;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = lwip_htons(port);
	sin->sin_addr = ip ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0;
	return (int)sizeof(*sin);
}

/* lwIP's err_t (lwip/err.h) as Linux's errno, the same table as lwIP's own
 * err_to_errno() (api/err.c) but with the Linux values. */
int lwip_to_errno(int err)
{
	switch (err) {
	case ERR_OK: return 0;
	case ERR_MEM: return -ENOMEM;
	case ERR_BUF: return -ENOBUFS;
	case ERR_TIMEOUT: return -EAGAIN;
	case ERR_RTE: return -EHOSTUNREACH;
	case ERR_INPROGRESS: return -EINPROGRESS;
	case ERR_VAL: return -EINVAL;
	case ERR_WOULDBLOCK: return -EAGAIN;
	case ERR_USE: return -EADDRINUSE;
	case ERR_ALREADY: return -EALREADY;
	case ERR_ISCONN: return -EISCONN;
	case ERR_CONN: return -ENOTCONN;
	case ERR_IF: return -ENETDOWN;
	case ERR_ABRT: return -ECONNABORTED;
	case ERR_RST: return -ECONNRESET;
	case ERR_CLSD: return -ENOTCONN;
	case ERR_ARG: return -EINVAL;
	default: return -EIO;
	}
}

bool inet_nonblock(const struct inet_sock *sk, unsigned msg_flags)
{
	return (msg_flags & MSG_DONTWAIT) ||
	       (sk->sock && sk->sock->file && (sk->sock->file->flags & O_NONBLOCK));
}

void inet_update(struct inet_sock *sk)
{
	unsigned ev = sk->type == SOCK_STREAM ? tcp_sock_events(sk) : udp_sock_events(sk);

	if (sk->err)
		ev |= POLLERR;
	if (ev != sk->events || (ev & (POLLIN | POLLOUT | POLLERR | POLLHUP))) {
		sk->events = ev;
		sk->wake_gen++;
		wake_up(&sk->wq);
	}
}

unsigned inet_poll(struct socket *sock, struct wait_queue **wq)
{
	struct inet_sock *sk = inet_sk(sock);

	if (wq)
		*wq = &sk->wq;
	return sk->events;
}

int inet_getname(struct socket *sock, struct sockaddr_storage *addr, bool peer)
{
	struct inet_sock *sk = inet_sk(sock);

	if (peer) {
		/* [getpeername(2)] ENOTCONN: not connected (a reset or closed
		 * TCP connection still has its peer in Linux until close). */
		if (sk->state != INET_CONNECTED && !(sk->state == INET_CLOSED && sk->remote_port))
			return -ENOTCONN;
		return inet_addr_to(addr, &sk->remote_ip, sk->remote_port);
	}
	return inet_addr_to(addr, &sk->local_ip, sk->local_port);
}

void inet_free(struct inet_sock *sk)
{
	struct inet_dgram *d, *tmp;

	if (sk->rx)
		pbuf_free(sk->rx);
	list_for_each_entry_safe(d, tmp, &sk->dgrams, link) {
		list_del(&d->link);
		pbuf_free(d->p);
		kfree(d);
	}
	kfree(sk);
}

static void inet_release(struct socket *sock)
{
	struct inet_sock *sk = inet_sk(sock);

	if (!sk)
		return;
	net_lock();
	sk->sock = NULL;
	if (sk->type == SOCK_STREAM)
		tcp_sock_release(sk);
	else if (sk->type == SOCK_RAW)
		raw_sock_release(sk);
	else
		udp_sock_release(sk);
	sock->sk = NULL;
	/* Nobody can sleep on sk->wq any more: the last file reference is gone. */
	inet_free(sk);
	net_unlock();
}

static struct inet_sock *inet_sock_alloc(struct socket *sock, int type, int protocol)
{
	struct inet_sock *sk = kzalloc(sizeof(*sk));

	if (!sk)
		return NULL;
	sk->sock = sock;
	sk->type = type;
	sk->protocol = protocol;
	wait_queue_init(&sk->wq);
	list_init(&sk->dgrams);
	list_init(&sk->accept_q);
	list_init(&sk->accept_link);
	sk->rcvbuf = SOCK_BUF_DEFAULT;
	sk->sndbuf = SOCK_BUF_DEFAULT;
	sk->ttl = 64;
	return sk;
}

/* [socket(2)], [ip(7)]: SOCK_STREAM is TCP (protocol 0 or IPPROTO_TCP),
 * SOCK_DGRAM UDP (0 or IPPROTO_UDP); any other protocol is
 * -EPROTONOSUPPORT, another type -ESOCKTNOSUPPORT (Linux's inet_create). */
static int inet_create(struct socket *sock, int protocol)
{
	struct inet_sock *sk;
	int err;

	if (protocol < 0 || protocol > 255)
		return -EINVAL; /* Linux's inet_create(): protocol >= IPPROTO_MAX */
	switch (sock->type) {
	case SOCK_STREAM:
		if (protocol != IPPROTO_IP && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		protocol = IPPROTO_TCP;
		break;
	case SOCK_DGRAM:
		/* ICMP "ping sockets": Linux allows them only to the groups of
		 * net.ipv4.ping_group_range, by default none: -EACCES */
		if (protocol == IPPROTO_ICMP)
			return -EACCES;
		if (protocol != IPPROTO_IP && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		protocol = IPPROTO_UDP;
		break;
	case SOCK_RAW:
		/* [raw(7)]: ICMP only here (no IP_HDRINCL, no other protocol) */
		if (protocol != IPPROTO_ICMP)
			return -EPROTONOSUPPORT;
		break;
	default: return -ESOCKTNOSUPPORT;
	}
	sk = inet_sock_alloc(sock, sock->type, protocol);
	if (!sk)
		return -ENOMEM;
	net_lock();
	err = sock->type == SOCK_STREAM ? tcp_sock_init(sk) :
	      sock->type == SOCK_RAW	? raw_sock_init(sk) :
					  udp_sock_init(sk);
	if (!err)
		inet_update(sk);
	net_unlock();
	if (err) {
		kfree(sk);
		return err;
	}
	sock->protocol = protocol;
	sock->sk = sk;
	sock->ops = sock->type == SOCK_STREAM ? &inet_stream_ops :
		    sock->type == SOCK_RAW    ? &inet_raw_ops :
						&inet_dgram_ops;
	return 0;
}

struct inet_sock *inet_child_alloc(int type, int protocol)
{
	return inet_sock_alloc(NULL, type, protocol);
}

const struct proto_ops inet_stream_ops = {
	.family = AF_INET,
	.release = inet_release,
	.bind = inet_tcp_bind,
	.connect = inet_tcp_connect,
	.listen = inet_tcp_listen,
	.accept = inet_tcp_accept,
	.getname = inet_getname,
	.poll = inet_poll,
	.queue_len = inet_queue_len,
	.shutdown = inet_tcp_shutdown,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.sendmsg = inet_tcp_sendmsg,
	.recvmsg = inet_tcp_recvmsg,
};

const struct proto_ops inet_dgram_ops = {
	.family = AF_INET,
	.release = inet_release,
	.bind = inet_udp_bind,
	.connect = inet_udp_connect,
	.getname = inet_getname,
	.poll = inet_poll,
	.queue_len = inet_queue_len,
	.shutdown = inet_udp_shutdown,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.sendmsg = inet_udp_sendmsg,
	.recvmsg = inet_udp_recvmsg,
};

const struct proto_ops inet_raw_ops = {
	.family = AF_INET,
	.release = inet_release,
	.bind = inet_raw_bind,
	.connect = inet_raw_connect,
	.getname = inet_getname,
	.poll = inet_poll,
	.queue_len = inet_queue_len,
	.shutdown = inet_udp_shutdown,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.sendmsg = inet_raw_sendmsg,
	.recvmsg = inet_udp_recvmsg,
};

static struct net_proto_family inet_family = {
	.family = AF_INET,
	.create = inet_create,
};

int inet_init(void)
{
	inet_family.svc = &net_svc;
	sock_register_netdev(&net_svc, &inet_netdev_ops);
	return sock_register(&inet_family);
}
