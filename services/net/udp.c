/* AF_INET SOCK_DGRAM [udp(7)] over lwIP's raw UDP API. */
#include <kernel/kmalloc.h>
#include <kernel/printk.h>

#include "inet.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"

#define UDP_MAX_PAYLOAD 65507 /* 65535 - IP header (20) - UDP header (8) */

unsigned udp_sock_events(struct inet_sock *sk)
{
	unsigned ev = 0;

	if (!list_empty(&sk->dgrams) || (sk->shutdown & RCV_SHUTDOWN))
		ev |= POLLIN | POLLRDNORM;
	if (sk->shutdown & RCV_SHUTDOWN)
		ev |= POLLRDHUP;
	if (sk->shutdown == SHUTDOWN_MASK)
		ev |= POLLHUP;
	/* datagrams never wait for room: always writable */
	ev |= POLLOUT | POLLWRNORM;
	return ev;
}

/* A datagram arrived (lwip_mutex held): queue it unless the receive
 * buffer is full ([udp(7)]: then it is dropped, as on Linux). */
static void udp_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port)
{
	struct inet_sock *sk = arg;
	struct inet_dgram *d;

	if (!sk || (sk->shutdown & RCV_SHUTDOWN) ||
	    sk->rx_bytes + p->tot_len > (size_t)sk->rcvbuf) {
		pbuf_free(p);
		return;
	}
	d = kmalloc(sizeof(*d));
	if (!d) {
		pbuf_free(p);
		return;
	}
	d->p = p;
	ip_addr_copy(d->addr, *addr);
	d->port = port;
	list_add_tail(&d->link, &sk->dgrams);
	sk->rx_bytes += p->tot_len;
	inet_update(sk);
}

int udp_sock_init(struct inet_sock *sk)
{
	struct udp_pcb *pcb = udp_new_ip_type(IPADDR_TYPE_V4);

	if (!pcb)
		return -ENOMEM;
	sk->pcb.udp = pcb;
	sk->state = INET_UNCONNECTED;
	udp_recv(pcb, udp_recv_cb, sk);
	return 0;
}

void udp_sock_release(struct inet_sock *sk)
{
	if (sk->pcb.udp) {
		udp_recv(sk->pcb.udp, NULL, NULL);
		udp_remove(sk->pcb.udp);
		sk->pcb.udp = NULL;
	}
}

static void udp_sync_addr(struct inet_sock *sk)
{
	struct udp_pcb *pcb = sk->pcb.udp;

	ip_addr_copy(sk->local_ip, pcb->local_ip);
	sk->local_port = pcb->local_port;
	ip_addr_copy(sk->remote_ip, pcb->remote_ip);
	sk->remote_port = pcb->remote_port;
}

static void udp_apply_opts(struct inet_sock *sk)
{
	struct udp_pcb *pcb = sk->pcb.udp;

	if (sk->reuseaddr)
		ip_set_option(pcb, SOF_REUSEADDR);
	else
		ip_reset_option(pcb, SOF_REUSEADDR);
	if (sk->broadcast)
		ip_set_option(pcb, SOF_BROADCAST);
	else
		ip_reset_option(pcb, SOF_BROADCAST);
	pcb->ttl = (u8_t)sk->ttl;
	pcb->tos = (u8_t)sk->tos;
}

int inet_udp_bind(struct socket *sock, const struct sockaddr_storage *addr, int len)
{
	struct inet_sock *sk = inet_sk(sock);
	ip_addr_t ip;
	uint16_t port;
	int err;

	net_lock();
	err = inet_bind_check(sk, addr, len, &ip, &port);
	if (!err) {
		udp_apply_opts(sk);
		err = lwip_to_errno(udp_bind(sk->pcb.udp, &ip, port));
	}
	if (!err) {
		sk->bound = true;
		udp_sync_addr(sk);
	}
	net_unlock();
	return err;
}

/* [connect(2)], [udp(7)]: set (or, with AF_UNSPEC, clear) the default peer. */
int inet_udp_connect(struct socket *sock, const struct sockaddr_storage *addr, int len,
		     unsigned flags)
{
	struct inet_sock *sk = inet_sk(sock);
	ip_addr_t ip;
	uint16_t port;
	int err;

	if (len < (int)sizeof(addr->ss_family))
		return -EINVAL;
	net_lock();
	if (addr->ss_family == AF_UNSPEC) {
		udp_disconnect(sk->pcb.udp);
		sk->state = INET_UNCONNECTED;
		udp_sync_addr(sk);
		err = 0;
		goto out;
	}
	err = inet_addr_from(addr, len, &ip, &port);
	if (err)
		goto out;
	if (ip_addr_isany(&ip))
		ip_addr_set_loopback(0, &ip);
	udp_apply_opts(sk);
	err = lwip_to_errno(udp_connect(sk->pcb.udp, &ip, port));
	if (!err) {
		sk->state = INET_CONNECTED;
		sk->bound = true;
		udp_sync_addr(sk);
	}
out:
	inet_update(sk);
	net_unlock();
	return err;
}

int inet_udp_shutdown(struct socket *sock, int how)
{
	struct inet_sock *sk = inet_sk(sock);
	int err = 0;

	net_lock();
	if (sk->state != INET_CONNECTED) {
		err = -ENOTCONN;
	} else {
		if (how == SHUT_RD || how == SHUT_RDWR)
			sk->shutdown |= RCV_SHUTDOWN;
		if (how == SHUT_WR || how == SHUT_RDWR)
			sk->shutdown |= SEND_SHUTDOWN;
		inet_update(sk);
	}
	net_unlock();
	return err;
}

ssize_t inet_udp_sendmsg(struct socket *sock, struct kmsghdr *m)
{
	struct inet_sock *sk = inet_sk(sock);
	size_t len = m->iter.count;
	ip_addr_t ip;
	uint16_t port;
	struct pbuf *p;
	ssize_t r;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	net_lock();
	if (sk->shutdown & SEND_SHUTDOWN) {
		r = -EPIPE;
		goto out;
	}
	if (m->name && m->namelen) {
		r = inet_addr_from(m->name, m->namelen, &ip, &port);
		if (r)
			goto out;
		if (ip_addr_isany(&ip))
			ip_addr_set_loopback(0, &ip);
	} else if (sk->state == INET_CONNECTED) {
		ip_addr_copy(ip, sk->remote_ip);
		port = sk->remote_port;
	} else {
		r = -EDESTADDRREQ;
		goto out;
	}
	if (port == 0) {
		r = -EINVAL; /* Linux's udp_sendmsg(): no port to send to */
		goto out;
	}
	r = inet_pbuf_from_msg(m, PBUF_TRANSPORT, len, &p);
	if (r)
		goto out;
	udp_apply_opts(sk);
	r = lwip_to_errno(udp_sendto(sk->pcb.udp, p, &ip, port));
	pbuf_free(p);
	if (r == -EHOSTUNREACH)
		r = -ENETUNREACH;
	if (!r) {
		r = (ssize_t)len;
		sk->bound = true;
		if (sk->state != INET_CONNECTED)
			udp_sync_addr(sk);
	}
out:
	net_unlock();
	return r;
}

ssize_t inet_udp_recvmsg(struct socket *sock, struct kmsghdr *m)
{
	struct inet_sock *sk = inet_sk(sock);
	bool peek = m->flags & MSG_PEEK, nonblock = inet_nonblock(sk, m->flags);
	uint64_t dl = inet_deadline(sk->rcvtimeo_ns);
	struct inet_dgram *d;
	size_t len = m->iter.count, n, done = 0;
	ssize_t r;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	net_lock();
	for (;;) {
		net_loop_poll();
		if (!list_empty(&sk->dgrams))
			break;
		if (sk->shutdown & RCV_SHUTDOWN) {
			r = 0;
			goto out;
		}
		if (nonblock) {
			r = -EAGAIN;
			goto out;
		}
		r = inet_sleep(sk, dl);
		if (r)
			goto out;
	}
	d = list_first_entry(&sk->dgrams, struct inet_dgram, link);
	n = MIN(len, (size_t)d->p->tot_len);
	for (struct pbuf *q = d->p; q && done < n; q = q->next) {
		size_t k = MIN((size_t)q->len, n - done);

		if (msg_iter_copy_to(&m->iter, q->payload, k)) {
			r = -EFAULT;
			goto out;
		}
		done += k;
	}
	if (m->name)
		m->namelen = inet_addr_to(m->name, &d->addr, d->port);
	/* [udp(7)] MSG_TRUNC: the real length even when it did not fit */
	r = (m->flags & MSG_TRUNC) ? (ssize_t)d->p->tot_len : (ssize_t)n;
	if (n < d->p->tot_len)
		m->msg_flags |= MSG_TRUNC;
	if (!peek) {
		list_del(&d->link);
		sk->rx_bytes -= d->p->tot_len;
		pbuf_free(d->p);
		kfree(d);
		inet_update(sk);
	}
out:
	net_unlock();
	return r;
}

/* /proc/net/udp's rx_queue of pcb: payload bytes queued on its socket (0
 * for lwIP's own pcbs, e.g. DHCP's). lwip_mutex held. */
static size_t udp_rx_queued(const struct udp_pcb *pcb)
{
	const struct inet_sock *sk = pcb->recv_arg;

	return pcb->recv == udp_recv_cb && sk ? sk->rx_bytes : 0;
}

/* netdev_ops.udp_show: /proc/net/udp's lines [proc(5)], udp4_format_sock()'s
 * format padded to 127 columns; uid, inode and the kernel pointer are
 * unknown to the service: 0. */
size_t net_udp_show(char *buf, size_t room)
{
	size_t len = 0;
	int sl = 0;

	net_lock();
	for (const struct udp_pcb *pcb = udp_pcbs; pcb; pcb = pcb->next, sl++) {
		bool conn = pcb->flags & UDP_FLAGS_CONNECTED;
		char line[160];

		if (IP_IS_V6_VAL(pcb->local_ip))
			continue;
		snprintf(line, sizeof(line),
			 "%5d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d "
			 "%016lx %u",
			 sl, ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip)), pcb->local_port,
			 conn ? ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip)) : 0u,
			 conn ? pcb->remote_port : 0, conn ? 1 : 7, 0u,
			 (unsigned)udp_rx_queued(pcb), 0, 0ul, 0u, 0u, 0, 0ul, 2, 0ul, 0u);
		if (!net_proc_line(buf, room, &len, line)) {
			net_unlock();
			return room - 1;
		}
	}
	net_unlock();
	return len;
}
