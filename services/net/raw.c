/* AF_INET SOCK_RAW with IPPROTO_ICMP [raw(7)], [icmp(7)]: what ping uses.
 * Sends carry the ICMP message (the kernel adds the IP header); receives
 * return whole IP packets, header included, as Linux's raw sockets do.
 * Root only (Linux's CAP_NET_RAW); the queue, poll and recvmsg are UDP's
 * (udp.c: inet_dgram with port 0). lwIP still answers echo requests
 * itself: a raw socket sees a copy of every ICMP packet. */
#include <kernel/current.h>
#include <kernel/kmalloc.h>

#include "inet.h"
#include "lwip/pbuf.h"
#include "lwip/raw.h"

#define RAW_MAX_PAYLOAD 65515 /* 65535 - IP header */

/* lwip_mutex held. 0: lwIP goes on with the packet (we keep a copy). */
static u8_t raw_recv_cb(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	struct inet_sock *sk = arg;
	struct inet_dgram *d;
	struct pbuf *q;

	if (!sk || (sk->shutdown & RCV_SHUTDOWN) || sk->rx_bytes + p->tot_len > (size_t)sk->rcvbuf)
		return 0;
	q = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
	d = q ? kmalloc(sizeof(*d)) : NULL;
	if (!d) {
		if (q)
			pbuf_free(q);
		return 0;
	}
	d->p = q;
	ip_addr_copy(d->addr, *addr);
	d->port = 0;
	list_add_tail(&d->link, &sk->dgrams);
	sk->rx_bytes += q->tot_len;
	inet_update(sk);
	return 0;
}

/* [raw(7)]: "Only processes with an effective user ID of 0 or the
 * CAP_NET_RAW capability are allowed to open raw sockets": -EPERM. */
int raw_sock_init(struct inet_sock *sk)
{
	struct raw_pcb *pcb;

	if (current_fsuid() != 0)
		return -EPERM;
	pcb = raw_new_ip_type(IPADDR_TYPE_V4, (u8_t)sk->protocol);
	if (!pcb)
		return -ENOMEM;
	sk->pcb.raw = pcb;
	sk->state = INET_UNCONNECTED;
	raw_recv(pcb, raw_recv_cb, sk);
	return 0;
}

void raw_sock_release(struct inet_sock *sk)
{
	if (sk->pcb.raw) {
		raw_recv(sk->pcb.raw, NULL, NULL);
		raw_remove(sk->pcb.raw);
		sk->pcb.raw = NULL;
	}
}

int inet_raw_bind(struct socket *sock, const struct sockaddr_storage *addr, int len)
{
	struct inet_sock *sk = inet_sk(sock);
	ip_addr_t ip;
	uint16_t port;
	int err;

	net_lock();
	err = inet_bind_check(sk, addr, len, &ip, &port);
	if (!err)
		err = lwip_to_errno(raw_bind(sk->pcb.raw, &ip));
	if (!err) {
		sk->bound = true;
		ip_addr_copy(sk->local_ip, ip);
	}
	net_unlock();
	return err;
}

int inet_raw_connect(struct socket *sock, const struct sockaddr_storage *addr, int len,
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
		raw_disconnect(sk->pcb.raw);
		sk->state = INET_UNCONNECTED;
		err = 0;
		goto out;
	}
	err = inet_addr_from(addr, len, &ip, &port);
	if (!err)
		err = lwip_to_errno(raw_connect(sk->pcb.raw, &ip));
	if (!err) {
		sk->state = INET_CONNECTED;
		ip_addr_copy(sk->remote_ip, ip);
		sk->remote_port = 0;
	}
out:
	inet_update(sk);
	net_unlock();
	return err;
}

ssize_t inet_raw_sendmsg(struct socket *sock, struct kmsghdr *m)
{
	struct inet_sock *sk = inet_sk(sock);
	size_t len = m->iter.count;
	ip_addr_t ip;
	uint16_t port;
	struct pbuf *p;
	ssize_t r;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > RAW_MAX_PAYLOAD)
		return -EMSGSIZE;
	net_lock();
	if (m->name && m->namelen) {
		r = inet_addr_from(m->name, m->namelen, &ip, &port);
		if (r)
			goto out;
	} else if (sk->state == INET_CONNECTED) {
		ip_addr_copy(ip, sk->remote_ip);
	} else {
		r = -EDESTADDRREQ;
		goto out;
	}
	if (ip_addr_isany(&ip))
		ip_addr_set_loopback(0, &ip);
	r = inet_pbuf_from_msg(m, PBUF_IP, len, &p);
	if (r)
		goto out;
	sk->pcb.raw->ttl = (u8_t)sk->ttl;
	sk->pcb.raw->tos = (u8_t)sk->tos;
	r = lwip_to_errno(raw_sendto(sk->pcb.raw, p, &ip));
	pbuf_free(p);
	if (r == -EHOSTUNREACH)
		r = -ENETUNREACH;
	if (!r)
		r = (ssize_t)len;
out:
	net_unlock();
	return r;
}
