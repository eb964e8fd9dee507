/* [socket(7)], [ip(7)], [tcp(7)] options of AF_INET sockets. Values come
 * in and go out as kernel copies (kernel/net/sockopt.c copies them). */
#include "inet.h"
#include "lwip/tcp.h"

#define IPPROTO_IP 0
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IP_TOS 1
#define IP_TTL 2
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6

struct linux_linger {
	int32_t l_onoff;
	int32_t l_linger;
};

struct timeval64 {
	int64_t tv_sec;
	int64_t tv_usec;
};

static void apply(struct inet_sock *sk)
{
	if (sk->type == SOCK_STREAM)
		tcp_sock_apply_opts(sk);
}

/* [socket(7)] SO_RCVBUF/SO_SNDBUF: "The kernel doubles this value", capped
 * by net.core.[rw]mem_max, at least the minimum. */
static int buf_size(int v, int min)
{
	if (v < 0 || v > SOCK_BUF_MAX)
		v = v < 0 ? 0 : SOCK_BUF_MAX;
	v *= 2;
	return v < min ? min : v;
}

static int set_timeo(uint64_t *ns, const void *val, unsigned len)
{
	struct timeval64 tv;

	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM; /* [socket(7)], Linux's sock_set_timeout() */
	if (tv.tv_sec < 0) {
		*ns = 0;
		return 0;
	}
	*ns = (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000;
	return 0;
}

static int sol_socket_set(struct inet_sock *sk, int name, const void *val, unsigned len)
{
	int v = 0;

	if (name == SO_LINGER) {
		struct linux_linger l;

		if (len < sizeof(l))
			return -EINVAL;
		memcpy(&l, val, sizeof(l));
		sk->linger_on = l.l_onoff != 0;
		sk->linger_sec = l.l_linger < 0 ? 0 : l.l_linger;
		return 0;
	}
	if (name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW)
		return set_timeo(&sk->rcvtimeo_ns, val, len);
	if (name == SO_SNDTIMEO_OLD || name == SO_SNDTIMEO_NEW)
		return set_timeo(&sk->sndtimeo_ns, val, len);
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case SO_REUSEADDR: sk->reuseaddr = v != 0; break;
	case SO_REUSEPORT: break; /* accepted; lwIP has no port groups */
	case SO_KEEPALIVE: sk->keepalive = v != 0; break;
	case SO_BROADCAST: sk->broadcast = v != 0; break;
	case SO_RCVBUF:
	case SO_RCVBUFFORCE: sk->rcvbuf = buf_size(v, SOCK_MIN_RCVBUF); break;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE: sk->sndbuf = buf_size(v, SOCK_MIN_SNDBUF); break;
	case SO_DONTROUTE:
	case SO_OOBINLINE:
	case SO_PRIORITY:
	case SO_RCVLOWAT:
	case SO_DEBUG: break; /* accepted, no effect here */
	default: return -ENOPROTOOPT;
	}
	return 0;
}

static int tcp_set(struct inet_sock *sk, int name, const void *val, unsigned len)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;
	int v;

	if (sk->type != SOCK_STREAM)
		return -ENOPROTOOPT;
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case TCP_NODELAY: sk->nodelay = v != 0; return 0;
	case TCP_MAXSEG: return v < 88 || v > 32767 ? -EINVAL : 0;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
	case TCP_KEEPCNT:
		/* [tcp(7)]: 1 .. 32767 (seconds, seconds, probes), Linux's limits */
		if (v < 1 || v > (name == TCP_KEEPCNT ? 127 : 32767))
			return -EINVAL;
		if (!pcb || sk->state == INET_LISTEN)
			return 0;
		if (name == TCP_KEEPIDLE)
			pcb->keep_idle = (u32_t)v * 1000;
		else if (name == TCP_KEEPINTVL)
			pcb->keep_intvl = (u32_t)v * 1000;
		else
			pcb->keep_cnt = (u32_t)v;
		return 0;
	default: return -ENOPROTOOPT;
	}
}

int inet_setsockopt(struct socket *sock, int level, int name, const void *val, unsigned len)
{
	struct inet_sock *sk = inet_sk(sock);
	int v = 0, err;

	net_lock();
	switch (level) {
	case SOL_SOCKET: err = sol_socket_set(sk, name, val, len); break;
	case IPPROTO_TCP: err = tcp_set(sk, name, val, len); break;
	case IPPROTO_IP:
		if (len < sizeof(int) && len != 1) {
			err = -EINVAL;
			break;
		}
		if (len == 1)
			v = *(const uint8_t *)val;
		else
			memcpy(&v, val, sizeof(v));
		err = 0;
		if (name == IP_TTL) {
			/* [ip(7)] 1 .. 255, or -1 for the default */
			if (v == -1)
				v = 64;
			if (v < 1 || v > 255)
				err = -EINVAL;
			else
				sk->ttl = v;
		} else if (name == IP_TOS) {
			sk->tos = v & 0xff;
		} else {
			err = -ENOPROTOOPT;
		}
		break;
	default: err = -ENOPROTOOPT; break;
	}
	if (!err)
		apply(sk);
	net_unlock();
	return err;
}

static int put_int(void *val, unsigned *len, int v)
{
	*len = MIN(*len, (unsigned)sizeof(int));
	memcpy(val, &v, *len);
	return 0;
}

static int put_timeo(void *val, unsigned *len, uint64_t ns)
{
	struct timeval64 tv = { (int64_t)(ns / 1000000000ull),
				(int64_t)(ns % 1000000000ull / 1000) };

	*len = MIN(*len, (unsigned)sizeof(tv));
	memcpy(val, &tv, *len);
	return 0;
}

static int sol_socket_get(struct inet_sock *sk, struct socket *sock, int name, void *val,
			  unsigned *len)
{
	int e;

	switch (name) {
	case SO_TYPE: return put_int(val, len, sock->type);
	case SO_DOMAIN: return put_int(val, len, AF_INET);
	case SO_PROTOCOL: return put_int(val, len, sk->protocol);
	case SO_ACCEPTCONN: return put_int(val, len, sk->state == INET_LISTEN);
	case SO_ERROR:
		e = sk->err;
		sk->err = 0;
		inet_update(sk);
		return put_int(val, len, e);
	case SO_REUSEADDR: return put_int(val, len, sk->reuseaddr);
	case SO_REUSEPORT: return put_int(val, len, 0);
	case SO_KEEPALIVE: return put_int(val, len, sk->keepalive);
	case SO_BROADCAST: return put_int(val, len, sk->broadcast);
	case SO_RCVBUF: return put_int(val, len, sk->rcvbuf);
	case SO_SNDBUF: return put_int(val, len, sk->sndbuf);
	case SO_DONTROUTE:
	case SO_OOBINLINE:
	case SO_PRIORITY:
	case SO_DEBUG: return put_int(val, len, 0);
	case SO_RCVLOWAT:
	case SO_SNDLOWAT: return put_int(val, len, 1);
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW: return put_timeo(val, len, sk->rcvtimeo_ns);
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW: return put_timeo(val, len, sk->sndtimeo_ns);
	case SO_LINGER: {
		struct linux_linger l = { sk->linger_on, sk->linger_sec };

		*len = MIN(*len, (unsigned)sizeof(l));
		memcpy(val, &l, *len);
		return 0;
	}
	default: return -ENOPROTOOPT;
	}
}

int inet_getsockopt(struct socket *sock, int level, int name, void *val, unsigned *len)
{
	struct inet_sock *sk = inet_sk(sock);
	int err;

	net_lock();
	switch (level) {
	case SOL_SOCKET: err = sol_socket_get(sk, sock, name, val, len); break;
	case IPPROTO_TCP:
		if (sk->type != SOCK_STREAM)
			err = -EOPNOTSUPP; /* Linux: level IPPROTO_TCP on UDP */
		else if (name == TCP_NODELAY)
			err = put_int(val, len, sk->nodelay);
		else if (name == TCP_MAXSEG)
			err = put_int(val, len,
				      sk->pcb.tcp && sk->state == INET_CONNECTED ?
					      sk->pcb.tcp->mss :
					      536);
		else if (name == TCP_KEEPIDLE)
			err = put_int(val, len,
				      sk->pcb.tcp && sk->state != INET_LISTEN ?
					      (int)(sk->pcb.tcp->keep_idle / 1000) :
					      7200);
		else
			err = -ENOPROTOOPT;
		break;
	case IPPROTO_IP:
		if (name == IP_TTL)
			err = put_int(val, len, sk->ttl);
		else if (name == IP_TOS)
			err = put_int(val, len, sk->tos);
		else
			err = -ENOPROTOOPT;
		break;
	default: err = -EOPNOTSUPP; break;
	}
	net_unlock();
	return err;
}
