/* AF_INET SOCK_STREAM [tcp(7)] over lwIP's raw TCP API: connection set-up,
 * the byte streams, shutdown and close with Linux's errno and poll bits. */
#include <kernel/kmalloc.h>
#include <kernel/printk.h>

#include "inet.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

#define SEND_CHUNK 16384 /* bytes copied in and handed to tcp_write() at once */

static void tcp_sync_addr(struct inet_sock *sk)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;

	if (!pcb)
		return;
	ip_addr_copy(sk->local_ip, pcb->local_ip);
	sk->local_port = pcb->local_port;
	if (pcb->state != LISTEN) {
		ip_addr_copy(sk->remote_ip, pcb->remote_ip);
		sk->remote_port = pcb->remote_port;
	}
}

void tcp_sock_apply_opts(struct inet_sock *sk)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;

	if (!pcb)
		return;
	if (sk->reuseaddr)
		ip_set_option(pcb, SOF_REUSEADDR);
	else
		ip_reset_option(pcb, SOF_REUSEADDR);
	if (pcb->state == LISTEN)
		return; /* a tcp_pcb_listen has no more options */
	if (sk->keepalive)
		ip_set_option(pcb, SOF_KEEPALIVE);
	else
		ip_reset_option(pcb, SOF_KEEPALIVE);
	if (sk->nodelay)
		tcp_nagle_disable(pcb);
	else
		tcp_nagle_enable(pcb);
	pcb->ttl = (u8_t)sk->ttl;
	pcb->tos = (u8_t)sk->tos;
}

/* [tcp(7)] and Linux's tcp_poll(): what poll() reports per state. */
unsigned tcp_sock_events(struct inet_sock *sk)
{
	unsigned ev = 0;
	struct tcp_pcb *pcb = sk->pcb.tcp;
	bool rd_shut = sk->rx_fin || (sk->shutdown & RCV_SHUTDOWN);

	switch (sk->state) {
	case INET_LISTEN: return sk->accept_len ? POLLIN | POLLRDNORM : 0;
	case INET_CONNECTING: return 0;
	case INET_UNCONNECTED:
		/* a socket that never connected is TCP_CLOSE: hung up, "writable" */
		return POLLOUT | POLLWRNORM | POLLHUP;
	case INET_CLOSED:
		ev = POLLHUP | POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM;
		break;
	case INET_CONNECTED:
		if (sk->rx_bytes)
			ev |= POLLIN | POLLRDNORM;
		if (rd_shut)
			ev |= POLLIN | POLLRDNORM | POLLRDHUP;
		if (sk->rx_fin && (sk->shutdown & SEND_SHUTDOWN))
			ev |= POLLHUP;
		if (sk->shutdown & SEND_SHUTDOWN)
			ev |= POLLOUT | POLLWRNORM;
		else if (pcb && tcp_sndbuf(pcb) > 0 && tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN)
			ev |= POLLOUT | POLLWRNORM;
		break;
	}
	return ev;
}

/* ---- lwIP callbacks (lwip_mutex held) ----------------------------------------------------- */

static err_t tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct inet_sock *sk = arg;

	if (!sk) {
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (!p) {
		sk->rx_fin = true;
	} else if (sk->shutdown & RCV_SHUTDOWN) {
		/* after shutdown(SHUT_RD) Linux drops what arrives */
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
	} else {
		sk->rx_bytes += p->tot_len;
		if (sk->rx)
			pbuf_cat(sk->rx, p);
		else
			sk->rx = p;
	}
	inet_update(sk);
	return ERR_OK;
}

static err_t tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct inet_sock *sk = arg;

	if (sk)
		inet_update(sk);
	return ERR_OK;
}

/* The pcb is gone (lwIP freed it): reset by the peer, aborted, timed out,
 * or closed on both sides. */
static void tcp_err_cb(void *arg, err_t err)
{
	struct inet_sock *sk = arg;

	if (!sk)
		return;
	sk->pcb.tcp = NULL;
	if (err == ERR_RST)
		sk->err = sk->state == INET_CONNECTING ? ECONNREFUSED : ECONNRESET;
	else if (err == ERR_ABRT)
		sk->err = ETIMEDOUT; /* lwIP aborts on retransmission/keepalive timeouts */
	else if (err != ERR_CLSD)
		sk->err = -lwip_to_errno(err);
	if (sk->state == INET_CONNECTED && err == ERR_CLSD)
		sk->rx_fin = true;
	sk->state = INET_CLOSED;
	inet_update(sk);
}

static err_t tcp_connected_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct inet_sock *sk = arg;

	if (!sk)
		return ERR_OK;
	sk->state = INET_CONNECTED;
	tcp_sync_addr(sk);
	inet_update(sk);
	return ERR_OK;
}

static void tcp_hook(struct inet_sock *sk, struct tcp_pcb *pcb)
{
	tcp_arg(pcb, sk);
	tcp_recv(pcb, tcp_recv_cb);
	tcp_sent(pcb, tcp_sent_cb);
	tcp_err(pcb, tcp_err_cb);
}

static void tcp_unhook(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
}

/* A connection completed its handshake on a listener: queue it for
 * accept(2), or refuse it (RST) when the queue is over the backlog. */
static err_t tcp_accept_cb(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct inet_sock *lsk = arg, *sk;

	if (err != ERR_OK || !newpcb)
		return ERR_VAL;
	if (!lsk || lsk->accept_len > lsk->backlog)
		return ERR_MEM; /* lwIP aborts newpcb */
	sk = inet_child_alloc(SOCK_STREAM, lsk->protocol);
	if (!sk)
		return ERR_MEM;
	sk->pcb.tcp = newpcb;
	sk->state = INET_CONNECTED;
	sk->bound = true;
	/* [socket(7)], [tcp(7)]: an accepted socket inherits the listener's options */
	sk->keepalive = lsk->keepalive;
	sk->nodelay = lsk->nodelay;
	sk->rcvbuf = lsk->rcvbuf;
	sk->sndbuf = lsk->sndbuf;
	sk->ttl = lsk->ttl;
	sk->tos = lsk->tos;
	sk->linger_on = lsk->linger_on;
	sk->linger_sec = lsk->linger_sec;
	tcp_hook(sk, newpcb);
	tcp_sock_apply_opts(sk);
	tcp_sync_addr(sk);
	inet_update(sk);
	list_add_tail(&sk->accept_link, &lsk->accept_q);
	lsk->accept_len++;
	inet_update(lsk);
	return ERR_OK;
}

/* ---- set-up and teardown ------------------------------------------------------------------ */

int tcp_sock_init(struct inet_sock *sk)
{
	struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);

	if (!pcb)
		return -ENOMEM;
	sk->pcb.tcp = pcb;
	sk->state = INET_UNCONNECTED;
	tcp_hook(sk, pcb);
	return 0;
}

/* Drop a pcb we own: gracefully (FIN, lwIP finishes sending in the
 * background) or, when abort, with a RST. */
static void tcp_drop_pcb(struct tcp_pcb *pcb, bool abort)
{
	if (pcb->state == LISTEN) {
		/* a tcp_pcb_listen has only arg and accept (lwIP asserts) */
		tcp_arg(pcb, NULL);
		tcp_accept(pcb, NULL);
		tcp_close(pcb);
		return;
	}
	tcp_unhook(pcb);
	if (abort || tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

void tcp_sock_release(struct inet_sock *sk)
{
	struct inet_sock *c, *tmp;

	list_for_each_entry_safe(c, tmp, &sk->accept_q, accept_link) {
		list_del(&c->accept_link);
		if (c->pcb.tcp)
			tcp_drop_pcb(c->pcb.tcp, true); /* [tcp(7)]: queued connections are reset */
		inet_free(c);
	}
	sk->accept_len = 0;
	if (sk->pcb.tcp) {
		/* Linux sends RST instead of FIN when unread data is discarded
		 * (RFC 2525 2.17) or SO_LINGER is on with a zero timeout. */
		bool abort = sk->rx_bytes || (sk->linger_on && sk->linger_sec == 0);

		tcp_drop_pcb(sk->pcb.tcp, abort);
		sk->pcb.tcp = NULL;
	}
}

/* Is ip an address of this machine, or INADDR_ANY? (bind: EADDRNOTAVAIL) */
static bool inet_local_addr(const ip_addr_t *ip)
{
	struct netif *n;

	if (ip_addr_isany(ip) || ip4_addr_isloopback(ip_2_ip4(ip)))
		return true;
	NETIF_FOREACH(n)
	{
		if (ip_addr_cmp(ip, &n->ip_addr))
			return true;
	}
	return false;
}

/* [bind(2)], [ip(7)]: Linux's inet_bind(): -EINVAL (short address or bound
 * already), -EAFNOSUPPORT, -EADDRNOTAVAIL (not ours), -EADDRINUSE. */
int inet_bind_check(struct inet_sock *sk, const struct sockaddr_storage *addr, int len,
		    ip_addr_t *ip, uint16_t *port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
	int err;

	if (len < (int)sizeof(struct sockaddr_in))
		return -EINVAL;
	/* Linux accepts AF_UNSPEC with INADDR_ANY for old programs */
	if (sin->sin_family == AF_UNSPEC && sin->sin_addr == 0) {
		ip_addr_set_zero_ip4(ip);
		*port = lwip_ntohs(sin->sin_port);
	} else {
		err = inet_addr_from(addr, len, ip, port);
		if (err)
			return err;
	}
	if (!inet_local_addr(ip))
		return -EADDRNOTAVAIL;
	if (sk->bound)
		return -EINVAL;
	return 0;
}

int inet_tcp_bind(struct socket *sock, const struct sockaddr_storage *addr, int len)
{
	struct inet_sock *sk = inet_sk(sock);
	ip_addr_t ip;
	uint16_t port;
	int err;

	net_lock();
	err = inet_bind_check(sk, addr, len, &ip, &port);
	if (!err && (!sk->pcb.tcp || sk->state != INET_UNCONNECTED))
		err = -EINVAL;
	if (!err) {
		tcp_sock_apply_opts(sk);
		err = lwip_to_errno(tcp_bind(sk->pcb.tcp, &ip, port));
	}
	if (!err) {
		sk->bound = true;
		tcp_sync_addr(sk);
	}
	net_unlock();
	return err;
}

static int tcp_wait_connect(struct inet_sock *sk)
{
	uint64_t dl = inet_deadline(sk->sndtimeo_ns);
	int r;

	while (sk->state == INET_CONNECTING) {
		r = inet_sleep(sk, dl);
		if (r == -EAGAIN)
			return -EINPROGRESS; /* [connect(2)] a timeout set by SO_SNDTIMEO */
		if (r)
			return r;
	}
	if (sk->err) {
		r = -sk->err;
		sk->err = 0;
		inet_update(sk);
		return r;
	}
	return 0;
}

/* [connect(2)] for TCP, as Linux's __inet_stream_connect(). */
int inet_tcp_connect(struct socket *sock, const struct sockaddr_storage *addr, int len,
		     unsigned flags)
{
	struct inet_sock *sk = inet_sk(sock);
	bool nonblock = flags & O_NONBLOCK;
	ip_addr_t ip;
	uint16_t port;
	int err;

	if (len < (int)sizeof(addr->ss_family))
		return -EINVAL;
	net_lock();
	/* Linux's __inet_stream_connect(): after a non-blocking connect, the
	 * first connect() once it ended reports how (0, or the error). */
	if (sk->connect_unreported && sk->state != INET_CONNECTING) {
		sk->connect_unreported = false;
		if (sk->state == INET_CONNECTED) {
			err = 0;
			goto out;
		}
		if (sk->err) {
			err = -sk->err;
			sk->err = 0;
			inet_update(sk);
			goto out;
		}
	}
	switch (sk->state) {
	case INET_CONNECTED: err = -EISCONN; goto out;
	case INET_LISTEN: err = -EISCONN; goto out;
	case INET_CONNECTING: err = nonblock ? -EALREADY : tcp_wait_connect(sk); goto out;
	case INET_CLOSED:
		/* a failed or finished connection: a new pcb, as Linux reuses the sock */
		if (!sk->pcb.tcp) {
			sk->pcb.tcp = tcp_new_ip_type(IPADDR_TYPE_V4);
			if (!sk->pcb.tcp) {
				err = -ENOMEM;
				goto out;
			}
			tcp_hook(sk, sk->pcb.tcp);
			sk->rx_fin = false;
			sk->shutdown = 0;
			sk->bound = false;
		}
		break;
	case INET_UNCONNECTED: break;
	}
	err = inet_addr_from(addr, len, &ip, &port);
	if (err)
		goto out;
	/* [ip(7)]: INADDR_ANY as a destination is this host */
	if (ip_addr_isany(&ip))
		ip_addr_set_loopback(0, &ip);
	sk->err = 0;
	tcp_sock_apply_opts(sk);
	err = lwip_to_errno(tcp_connect(sk->pcb.tcp, &ip, port, tcp_connected_cb));
	if (err == -EHOSTUNREACH)
		err = -ENETUNREACH;
	if (err)
		goto out;
	sk->state = INET_CONNECTING;
	sk->bound = true;
	tcp_sync_addr(sk);
	inet_update(sk);
	sk->connect_unreported = nonblock;
	err = nonblock ? -EINPROGRESS : tcp_wait_connect(sk);
out:
	net_unlock();
	return err;
}

/* [listen(2)]: -EINVAL unless unconnected (or listening already: a new
 * backlog). An unbound socket gets an ephemeral port. */
int inet_tcp_listen(struct socket *sock, int backlog)
{
	struct inet_sock *sk = inet_sk(sock);
	struct tcp_pcb *lpcb;
	err_t lerr = ERR_OK;
	int err = 0;

	if (backlog < 0)
		backlog = 0;
	if (backlog > 4096)
		backlog = 4096; /* net.core.somaxconn */
	net_lock();
	if (sk->state == INET_LISTEN) {
		sk->backlog = (unsigned)backlog;
		goto out;
	}
	if (sk->state != INET_UNCONNECTED || !sk->pcb.tcp) {
		err = -EINVAL;
		goto out;
	}
	tcp_sock_apply_opts(sk);
	if (!sk->bound) {
		err = lwip_to_errno(tcp_bind(sk->pcb.tcp, IP4_ADDR_ANY, 0));
		if (err)
			goto out;
		sk->bound = true;
	}
	lpcb = tcp_listen_with_backlog_and_err(sk->pcb.tcp, 255, &lerr);
	if (!lpcb) {
		err = lwip_to_errno(lerr);
		goto out;
	}
	sk->pcb.tcp = lpcb; /* lwIP freed the old one */
	sk->backlog = (unsigned)backlog;
	sk->state = INET_LISTEN;
	tcp_arg(lpcb, sk);
	tcp_accept(lpcb, tcp_accept_cb);
	tcp_sync_addr(sk);
	inet_update(sk);
out:
	net_unlock();
	return err;
}

/* [accept(2)]: -EINVAL (not listening), -EAGAIN, -ERESTARTSYS. */
int inet_tcp_accept(struct socket *sock, struct socket *newsock, unsigned flags)
{
	struct inet_sock *sk = inet_sk(sock), *c, *old;
	uint64_t dl = inet_deadline(sk->rcvtimeo_ns);
	int r = 0;

	net_lock();
	for (;;) {
		if (sk->state != INET_LISTEN) {
			r = -EINVAL;
			goto out;
		}
		if (!list_empty(&sk->accept_q))
			break;
		if (flags & O_NONBLOCK) {
			r = -EAGAIN;
			goto out;
		}
		r = inet_sleep(sk, dl);
		if (r)
			goto out;
	}
	c = list_first_entry(&sk->accept_q, struct inet_sock, accept_link);
	list_del(&c->accept_link);
	sk->accept_len--;
	inet_update(sk);
	old = inet_sk(newsock);
	if (old) {
		old->sock = NULL;
		tcp_sock_release(old);
		inet_free(old);
	}
	c->sock = newsock;
	newsock->sk = c;
	inet_update(c);
out:
	net_unlock();
	return r;
}

/* [shutdown(2)]: -ENOTCONN unless connected. */
int inet_tcp_shutdown(struct socket *sock, int how)
{
	struct inet_sock *sk = inet_sk(sock);
	int err = 0;

	net_lock();
	if (sk->state != INET_CONNECTED && sk->state != INET_CLOSED) {
		err = -ENOTCONN;
		goto out;
	}
	if (how == SHUT_RD || how == SHUT_RDWR)
		sk->shutdown |= RCV_SHUTDOWN;
	if ((how == SHUT_WR || how == SHUT_RDWR) && !(sk->shutdown & SEND_SHUTDOWN)) {
		sk->shutdown |= SEND_SHUTDOWN;
		if (sk->pcb.tcp) {
			tcp_shutdown(sk->pcb.tcp, 0, 1);
			tcp_output(sk->pcb.tcp);
		}
	}
	inet_update(sk);
out:
	net_unlock();
	return err;
}

/* ---- data --------------------------------------------------------------------------------- */

/* Take (or, peek, copy) up to n bytes from the head of sk->rx into the
 * iterator: the bytes moved or -EFAULT. */
static ssize_t tcp_copy_out(struct inet_sock *sk, struct msg_iter *it, size_t n, bool peek)
{
	size_t done = 0;

	for (struct pbuf *q = sk->rx; q && done < n; q = q->next) {
		size_t k = MIN((size_t)q->len, n - done);

		if (msg_iter_copy_to(it, q->payload, k))
			return done ? (ssize_t)done : -EFAULT;
		done += k;
	}
	if (!peek && done) {
		sk->rx = pbuf_free_header(sk->rx, (u16_t)done);
		sk->rx_bytes -= done;
		if (sk->pcb.tcp)
			tcp_recved(sk->pcb.tcp, (u16_t)done);
	}
	return (ssize_t)done;
}

ssize_t inet_tcp_recvmsg(struct socket *sock, struct kmsghdr *m)
{
	struct inet_sock *sk = inet_sk(sock);
	size_t len = m->iter.count, copied = 0;
	bool peek = m->flags & MSG_PEEK, nonblock = inet_nonblock(sk, m->flags);
	uint64_t dl = inet_deadline(sk->rcvtimeo_ns);
	ssize_t r = 0;

	if (m->flags & MSG_OOB)
		return -EINVAL; /* no urgent data is ever kept */
	net_lock();
	if (sk->state == INET_LISTEN || sk->state == INET_UNCONNECTED) {
		r = -ENOTCONN;
		goto out;
	}
	while (copied < len) {
		net_loop_poll();
		if (sk->rx_bytes) {
			r = tcp_copy_out(sk, &m->iter, MIN(len - copied, sk->rx_bytes), peek);
			if (r < 0)
				break;
			copied += (size_t)r;
			r = 0;
			inet_update(sk);
			if (peek || !(m->flags & MSG_WAITALL))
				break;
			continue;
		}
		if (sk->err) {
			if (!copied) {
				r = -sk->err;
				sk->err = 0;
				inet_update(sk);
			}
			break;
		}
		if (sk->rx_fin || (sk->shutdown & RCV_SHUTDOWN) || sk->state == INET_CLOSED)
			break;
		if (copied && !(m->flags & MSG_WAITALL))
			break;
		if (nonblock) {
			r = -EAGAIN;
			break;
		}
		r = inet_sleep(sk, dl);
		if (r)
			break;
	}
	if (sk->pcb.tcp && copied && !peek)
		tcp_output(sk->pcb.tcp); /* the window update */
out:
	net_unlock();
	if (m->name && copied)
		m->namelen = 0;
	return copied ? (ssize_t)copied : r;
}

static int tcp_send_error(struct inet_sock *sk)
{
	int e;

	if (sk->err) {
		e = -sk->err;
		sk->err = 0;
		inet_update(sk);
		return e;
	}
	if ((sk->shutdown & SEND_SHUTDOWN) || sk->state != INET_CONNECTED || !sk->pcb.tcp)
		return -EPIPE; /* the socket layer raises SIGPIPE unless MSG_NOSIGNAL */
	return 0;
}

ssize_t inet_tcp_sendmsg(struct socket *sock, struct kmsghdr *m)
{
	struct inet_sock *sk = inet_sk(sock);
	size_t len = m->iter.count, sent = 0;
	bool nonblock = inet_nonblock(sk, m->flags);
	uint64_t dl = inet_deadline(sk->sndtimeo_ns);
	char *buf = NULL;
	ssize_t r = 0;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	net_lock();
	/* [tcp(7)]: sending while the handshake runs waits for it (Linux's
	 * sk_stream_wait_connect()) */
	while (sk->state == INET_CONNECTING) {
		if (nonblock) {
			r = -EAGAIN;
			goto out;
		}
		r = inet_sleep(sk, dl);
		if (r)
			goto out;
	}
	r = tcp_send_error(sk);
	if (r || !len)
		goto out;
	buf = kmalloc(MIN(len, (size_t)SEND_CHUNK));
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	while (sent < len) {
		struct tcp_pcb *pcb;
		size_t room, n;
		err_t e;

		r = tcp_send_error(sk);
		if (r)
			break;
		pcb = sk->pcb.tcp;
		room = tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN - 4 ? tcp_sndbuf(pcb) : 0;
		if (!room) {
			tcp_output(pcb);
			net_loop_poll();
			if (sk->pcb.tcp && tcp_sndbuf(sk->pcb.tcp) &&
			    tcp_sndqueuelen(sk->pcb.tcp) < TCP_SND_QUEUELEN - 4)
				continue;
			if (nonblock) {
				r = -EAGAIN;
				break;
			}
			r = inet_sleep(sk, dl);
			if (r)
				break;
			continue;
		}
		n = MIN(MIN(room, len - sent), (size_t)SEND_CHUNK);
		if (msg_iter_copy_from(&m->iter, buf, n)) {
			r = -EFAULT;
			break;
		}
		e = tcp_write(pcb, buf, (u16_t)n,
			      TCP_WRITE_FLAG_COPY | (sent + n < len ? TCP_WRITE_FLAG_MORE : 0));
		if (e != ERR_OK) {
			/* out of segments: the iterator moved; count nothing and stop */
			r = lwip_to_errno(e);
			break;
		}
		sent += n;
		if (!(m->flags & MSG_MORE) || sent == len)
			tcp_output(pcb);
	}
	inet_update(sk);
out:
	kfree(buf);
	net_unlock();
	return sent ? (ssize_t)sent : r;
}
