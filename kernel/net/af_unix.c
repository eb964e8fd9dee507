/* AF_UNIX sockets [unix(7)]: SOCK_STREAM, SOCK_SEQPACKET and SOCK_DGRAM
 * (SOCK_RAW is taken as SOCK_DGRAM, as Linux does); names in the file
 * system (a socket inode made as mknod(2) would), abstract names (a
 * leading NUL) and autobind; connections through a listener's queue of
 * embryo sockets (Linux's af_unix.c design: connect() creates the server
 * side, accept() hands it out); options, poll and shutdown. Sending and
 * receiving are in unix_io.c. The core's own family: see net.h. */
#include <hal/timer.h>
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/net.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <kernel/task.h>
#include <string.h>

#include "af_unix.h"
#include "net_internal.h"

#define FIONREAD 0x541B
#define SIOCOUTQ 0x5411

/* Every AF_UNIX socket's state and the bound-name table (af_unix.h). */
DEFINE_SPINLOCK(unix_lock);
static LIST_HEAD(unix_bound);  /* [L] unix_sock.bound: sockets with a name */
static LIST_HEAD(unix_all);    /* [L] unix_sock.all: every socket, embryos too */
static unsigned autobind_next; /* [L] */

static const struct proto_ops unix_stream_ops, unix_dgram_ops, unix_seqpacket_ops;

static struct unix_sock *unix_sock_alloc(int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u));

	if (!u)
		return NULL;
	u->type = type;
	u->refcount = 1;
	u->sndbuf = SOCK_BUF_DEFAULT;
	u->rcvbuf = SOCK_BUF_DEFAULT;
	list_init(&u->bound);
	list_init(&u->queue);
	wait_queue_init(&u->wait);
	wait_queue_init(&u->peer_wait);
	mutex_init(&u->iolock, "unix_iolock");
	spin_lock(&unix_lock);
	list_add_tail(&u->all, &unix_all);
	spin_unlock(&unix_lock);
	return u;
}

void unix_sock_hold(struct unix_sock *u)
{
	u->refcount++;
}

void unix_sock_put(struct unix_sock *u)
{
	if (--u->refcount == 0) {
		list_del(&u->all);
		kfree(u);
	}
}

/* [proc(5)] /proc/net/unix, as Linux's unix_seq_show(): the kernel
 * address is shown as 0 (kptr_restrict), flags __SO_ACCEPTCON (0x10000)
 * for a listener, St SS_UNCONNECTED 1 / SS_CONNECTING 2 / SS_CONNECTED 3 /
 * SS_DISCONNECTING 4, the socket's inode, and its name (an abstract
 * name's leading NUL as '@'). Writes at most room bytes with the NUL and
 * returns the length (room - 1 or more when it did not fit). */
size_t unix_proc_show(char *buf, size_t room)
{
	struct unix_sock *u;
	size_t n = 0;
	int w;

	w = snprintf(buf, room, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	n = w > 0 ? (size_t)w : 0;
	spin_lock(&unix_lock);
	list_for_each_entry(u, &unix_all, all) {
		unsigned st;
		uint64_t ino = u->sock && u->sock->file ? u->sock->file->inode->ino : 0;

		if (n >= room)
			break;
		if (u->sock)
			st = u->state == UNIX_CONNECTED ? 3 : 1;
		else
			st = u->state == UNIX_CONNECTED ? 2 : 4;
		w = snprintf(buf + n, room - n, "%016x: %08X %08X %08X %04X %02X %5llu", 0,
			     u->refcount, 0, u->state == UNIX_LISTENING ? 0x10000 : 0, u->type, st,
			     (unsigned long long)ino);
		n += w > 0 ? (size_t)w : 0;
		if (u->addr.len > 2 && n < room) {
			int plen = u->addr.len - 2;
			const char *p = u->addr.name + 2;

			if (p[0]) /* a path: up to its NUL */
				w = snprintf(buf + n, room - n, " %.*s", plen, p);
			else
				w = snprintf(buf + n, room - n, " @%.*s", plen - 1, p + 1);
			n += w > 0 ? (size_t)w : 0;
		}
		if (n < room) {
			w = snprintf(buf + n, room - n, "\n");
			n += w > 0 ? (size_t)w : 0;
		}
	}
	spin_unlock(&unix_lock);
	return n < room ? n : room - 1;
}

static void unix_release_sock(struct unix_sock *u, bool embryo);

void unix_skb_free(struct unix_skb *skb)
{
	if (skb->fp)
		scm_fp_put(skb->fp);
	if (skb->embryo)
		unix_release_sock(skb->embryo, true);
	if (skb->sender) {
		struct unix_sock *s = skb->sender;
		size_t old, now, buf;

		spin_lock(&unix_lock);
		old = s->wmem;
		s->wmem -= MIN(s->wmem, skb->truesize);
		now = s->wmem;
		buf = (size_t)s->sndbuf;
		spin_unlock(&unix_lock);
		/* Wake the sender only when room appears: for a blocked send
		 * (wmem < sndbuf) or for poll's POLLOUT (4 * wmem <= sndbuf).
		 * Waking it on every read would wake a ping-pong partner that
		 * waits for data on the same queue for nothing. */
		if ((old >= buf && now < buf) || (old * 4 > buf && now * 4 <= buf))
			wake_up(&s->wait);
		spin_lock(&unix_lock);
		unix_sock_put(skb->sender); /* may free it: last */
		spin_unlock(&unix_lock);
	}
	kfree(skb->from);
	kfree(skb);
}

/* ---- names ------------------------------------------------------------------- */

/* [unix(7)] "Address format": check addr/len and build the name: a path
 * (NUL-terminated in path[]) or an abstract name. -EINVAL as Linux's
 * unix_validate_addr(). */
static int unix_mkname(const struct sockaddr_storage *addr, int len, struct unix_addr *ua,
		       char *path)
{
	size_t n;

	if (len <= 2 || len > UNIX_ADDR_MAX || addr->ss_family != AF_UNIX)
		return -EINVAL;
	memset(ua, 0, sizeof(*ua));
	path[0] = 0;
	if (addr->ss_data[0]) {
		n = strnlen(addr->ss_data, (size_t)len - 2);
		memcpy(path, addr->ss_data, n);
		path[n] = 0;
		ua->len = (int)(2 + n + 1);
	} else {
		ua->len = len;
	}
	memcpy(ua->name, addr, (size_t)MIN(ua->len, len));
	return 0;
}

static struct unix_sock *find_abstract(const struct unix_addr *ua, int type)
{
	struct unix_sock *s;

	list_for_each_entry(s, &unix_bound, bound) {
		if (!s->path_inode && s->type == type && s->addr.len == ua->len &&
		    !memcmp(s->addr.name, ua->name, (size_t)ua->len))
			return s;
	}
	return NULL;
}

int unix_find_other(const struct sockaddr_storage *addr, int len, int type, struct unix_sock **out)
{
	struct unix_addr ua;
	char path[UNIX_PATH_MAX + 1];
	struct inode *inode = NULL;
	struct unix_sock *s, *found = NULL;
	int err = unix_mkname(addr, len, &ua, path);

	if (err)
		return err;
	if (path[0]) {
		err = vfs_sock_lookup(path, &inode);
		if (err)
			return err;
	}
	spin_lock(&unix_lock);
	if (inode) {
		list_for_each_entry(s, &unix_bound, bound) {
			if (s->path_inode == inode) {
				found = s;
				break;
			}
		}
	} else {
		found = find_abstract(&ua, type);
	}
	if (!found)
		err = -ECONNREFUSED;
	else if (found->type != type)
		err = -EPROTOTYPE;
	else
		unix_sock_hold(found);
	spin_unlock(&unix_lock);
	if (inode)
		iput(inode);
	if (!err)
		*out = found;
	return err;
}

/* [unix(7)] "Autobind feature": an abstract name of 5 hex digits. */
int unix_autobind(struct unix_sock *u)
{
	struct unix_addr ua;

	spin_lock(&unix_lock);
	if (u->addr.len) {
		spin_unlock(&unix_lock);
		return 0;
	}
	for (unsigned tries = 0; tries < 0x100000; tries++) {
		unsigned n = autobind_next++ & 0xfffff;
		static const char hex[] = "0123456789abcdef";

		memset(&ua, 0, sizeof(ua));
		ua.name[0] = AF_UNIX;
		ua.len = 2 + 1 + 5;
		for (int i = 0; i < 5; i++)
			ua.name[3 + i] = hex[(n >> (4 * (4 - i))) & 0xf];
		if (!find_abstract(&ua, u->type)) {
			u->addr = ua;
			list_add_tail(&u->bound, &unix_bound);
			spin_unlock(&unix_lock);
			return 0;
		}
	}
	spin_unlock(&unix_lock);
	return -ENOSPC;
}

/* [bind(2)], [unix(7)]: -EINVAL if already bound or a bad address,
 * -EADDRINUSE if the name is taken; a bare sun_family autobinds. */
static int unix_bind(struct socket *sock, const struct sockaddr_storage *addr, int len)
{
	struct unix_sock *u = unix_sk(sock);
	struct unix_addr ua;
	char path[UNIX_PATH_MAX + 1];
	struct inode *inode = NULL;
	int err;

	if (len == 2 && addr->ss_family == AF_UNIX)
		return u->addr.len ? -EINVAL : unix_autobind(u);
	err = unix_mkname(addr, len, &ua, path);
	if (err)
		return err;
	if (u->addr.len) {
		/* Linux makes the node first: a taken path is EADDRINUSE even
		 * then (unix_bind_bsd() removes its node again on EINVAL). */
		if (path[0] && !vfs_sock_exists(path))
			return -EADDRINUSE;
		return -EINVAL;
	}
	if (path[0]) {
		err = vfs_sock_mknod(path, 0777, &inode);
		if (err)
			return err;
	}
	spin_lock(&unix_lock);
	if (u->addr.len)
		err = -EINVAL;
	else if (!inode && find_abstract(&ua, u->type))
		err = -EADDRINUSE;
	if (!err) {
		u->addr = ua;
		u->path_inode = inode;
		list_add_tail(&u->bound, &unix_bound);
	}
	spin_unlock(&unix_lock);
	if (err && inode)
		iput(inode); /* the node stays, as Linux leaves it */
	return err;
}

static int unix_getname(struct socket *sock, struct sockaddr_storage *addr, bool peer)
{
	struct unix_sock *u = unix_sk(sock), *s = u;
	int len = 2;

	spin_lock(&unix_lock);
	if (peer) {
		s = u->peer;
		if (!s || (u->type != SOCK_DGRAM && u->state != UNIX_CONNECTED)) {
			spin_unlock(&unix_lock);
			return -ENOTCONN;
		}
	}
	addr->ss_family = AF_UNIX;
	if (s->addr.len) {
		len = s->addr.len;
		memcpy(addr, s->addr.name, (size_t)len);
	}
	spin_unlock(&unix_lock);
	return len;
}

/* ---- connections ---------------------------------------------------------------- */

static void connect_pair(struct unix_sock *a, struct unix_sock *b)
{
	unix_sock_hold(b);
	a->peer = b;
	unix_sock_hold(a);
	b->peer = a;
	a->state = b->state = UNIX_CONNECTED;
}

static int unix_socketpair(struct socket *sa, struct socket *sb)
{
	struct unix_sock *a = unix_sk(sa), *b = unix_sk(sb);
	struct ucred c = current_ucred();

	spin_lock(&unix_lock);
	connect_pair(a, b);
	a->peercred = b->peercred = c;
	a->peercred_set = b->peercred_set = true;
	spin_unlock(&unix_lock);
	return 0;
}

static bool listener_full(struct unix_sock *l)
{
	return l->state == UNIX_LISTENING && !l->dead && l->qlen > (unsigned)l->backlog;
}

/* [connect(2)] on a stream or seqpacket socket: queue a new server-side
 * socket on the listener. -EISCONN, -EINVAL (listening), -ECONNREFUSED
 * (nobody listening), -EAGAIN (backlog full, non-blocking), -EPROTOTYPE. */
static int unix_stream_connect(struct socket *sock, const struct sockaddr_storage *addr, int len,
			       unsigned flags)
{
	struct unix_sock *u = unix_sk(sock), *other, *embryo;
	struct unix_skb *skb;
	int err;

	if (len < 2 || addr->ss_family != AF_UNIX)
		return -EINVAL;
	err = unix_find_other(addr, len, u->type, &other);
	if (err)
		return err;
	embryo = unix_sock_alloc(u->type);
	skb = kzalloc(sizeof(*skb));
	if (!embryo || !skb) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		spin_lock(&unix_lock);
		if (u->state == UNIX_CONNECTED)
			err = -EISCONN;
		else if (u->state == UNIX_LISTENING)
			err = -EINVAL;
		else if (other->dead || other->state != UNIX_LISTENING)
			err = -ECONNREFUSED;
		else if (listener_full(other))
			err = -EAGAIN;
		else
			break;
		spin_unlock(&unix_lock);
		if (err != -EAGAIN || (flags & O_NONBLOCK))
			goto out;
		err = unix_wait(other, !listener_full(other), u->sndtimeo_ns);
		if (err)
			goto out;
	}
	/* unix_lock held: link u <-> embryo, queue the embryo. */
	connect_pair(u, embryo);
	embryo->peercred = current_ucred();
	embryo->peercred_set = true;
	embryo->addr = other->addr;
	embryo->sndbuf = other->sndbuf;
	embryo->rcvbuf = other->rcvbuf;
	u->peercred = other->peercred;
	u->peercred_set = true;
	skb->embryo = embryo;
	skb->sender = u;
	unix_sock_hold(u);
	list_add_tail(&skb->node, &other->queue);
	other->qlen++;
	unix_sock_put(other);
	spin_unlock(&unix_lock);
	wake_up(&other->wait);
	return 0;
out:
	kfree(skb);
	spin_lock(&unix_lock);
	if (embryo)
		unix_sock_put(embryo); /* never linked: this frees it */
	unix_sock_put(other);
	spin_unlock(&unix_lock);
	return err;
}

/* [connect(2)] on a datagram socket: set (or with AF_UNSPEC clear) the
 * default destination. */
static int unix_dgram_connect(struct socket *sock, const struct sockaddr_storage *addr, int len,
			      unsigned flags)
{
	struct unix_sock *u = unix_sk(sock), *other = NULL, *old;
	int err;

	if (len < 2)
		return -EINVAL;
	if (addr->ss_family != AF_UNSPEC) {
		err = unix_find_other(addr, len, u->type, &other);
		if (err)
			return err;
	}
	spin_lock(&unix_lock);
	old = u->peer;
	u->peer = other; /* takes over the reference */
	u->state = other ? UNIX_CONNECTED : UNIX_UNCONNECTED;
	if (old)
		unix_sock_put(old);
	spin_unlock(&unix_lock);
	return 0;
}

/* [listen(2)]: -EINVAL if unbound or connected, -EOPNOTSUPP for datagrams. */
static int unix_listen(struct socket *sock, int backlog)
{
	struct unix_sock *u = unix_sk(sock);
	int err = 0;

	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	spin_lock(&unix_lock);
	if (!u->addr.len || (u->state != UNIX_UNCONNECTED && u->state != UNIX_LISTENING)) {
		err = -EINVAL;
	} else {
		u->backlog = backlog < 0 ? 0 : backlog;
		u->state = UNIX_LISTENING;
		u->peercred = current_ucred();
		u->peercred_set = true;
	}
	spin_unlock(&unix_lock);
	wake_up(&u->wait); /* a larger backlog lets waiting connectors in */
	return err;
}

/* [accept(2)]: -EINVAL if not listening, -EAGAIN (non-blocking, none queued). */
static int unix_accept(struct socket *sock, struct socket *newsock, unsigned flags)
{
	struct unix_sock *u = unix_sk(sock), *fresh = unix_sk(newsock), *embryo;
	struct unix_skb *skb;
	int err;

	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	for (;;) {
		spin_lock(&unix_lock);
		if (u->state != UNIX_LISTENING) {
			spin_unlock(&unix_lock);
			return -EINVAL;
		}
		if (!list_empty(&u->queue))
			break;
		spin_unlock(&unix_lock);
		if (flags & O_NONBLOCK)
			return -EAGAIN;
		err = unix_wait(u, !list_empty(&u->queue) || u->state != UNIX_LISTENING,
				u->rcvtimeo_ns);
		if (err)
			return err;
	}
	skb = list_first_entry(&u->queue, struct unix_skb, node);
	list_del(&skb->node);
	u->qlen--;
	embryo = skb->embryo;
	skb->embryo = NULL;
	embryo->sock = newsock;
	newsock->sk = embryo;
	unix_sock_put(fresh); /* the unused state sock_create() made */
	spin_unlock(&unix_lock);
	unix_skb_free(skb);
	wake_up(&u->wait); /* room in the backlog */
	return 0;
}

/* Close a socket (or an embryo never accepted): the peer of a connection
 * sees end of file (and ECONNRESET if we left data unread or never
 * accepted it); queued buffers, and the files in flight in them, go. */
static void unix_release_sock(struct unix_sock *u, bool embryo)
{
	struct unix_sock *peer;
	struct inode *inode;
	struct list_head gone;
	struct unix_skb *skb, *tmp;

	list_init(&gone);
	spin_lock(&unix_lock);
	u->dead = true;
	u->sock = NULL;
	u->shutdown = SHUTDOWN_MASK;
	if (u->addr.len)
		list_del(&u->bound);
	inode = u->path_inode;
	u->path_inode = NULL;
	peer = u->peer;
	u->peer = NULL;
	if (peer && u->type != SOCK_DGRAM) {
		peer->shutdown = SHUTDOWN_MASK;
		if (!list_empty(&u->queue) || embryo)
			peer->err = ECONNRESET;
	}
	list_for_each_entry_safe(skb, tmp, &u->queue, node) {
		list_del(&skb->node);
		list_add_tail(&skb->node, &gone);
	}
	u->qlen = 0;
	u->state = UNIX_UNCONNECTED;
	spin_unlock(&unix_lock);
	wake_up(&u->wait);
	wake_up(&u->peer_wait);
	if (peer)
		wake_up(&peer->wait);
	list_for_each_entry_safe(skb, tmp, &gone, node) {
		list_del(&skb->node);
		unix_skb_free(skb);
	}
	if (inode)
		iput(inode);
	spin_lock(&unix_lock);
	if (peer)
		unix_sock_put(peer);
	unix_sock_put(u);
	spin_unlock(&unix_lock);
}

static void unix_release(struct socket *sock)
{
	if (sock->sk)
		unix_release_sock(unix_sk(sock), false);
	sock->sk = NULL;
}

/* [shutdown(2)], as Linux's unix_shutdown(): no ENOTCONN; a connection's
 * peer gets the mirror bits. */
static int unix_shutdown(struct socket *sock, int how)
{
	struct unix_sock *u = unix_sk(sock), *peer;
	unsigned mode = (unsigned)how + 1;

	spin_lock(&unix_lock);
	u->shutdown |= mode;
	peer = u->peer;
	if (peer && u->type != SOCK_DGRAM) {
		if (mode & RCV_SHUTDOWN)
			peer->shutdown |= SEND_SHUTDOWN;
		if (mode & SEND_SHUTDOWN)
			peer->shutdown |= RCV_SHUTDOWN;
		unix_sock_hold(peer);
	} else {
		peer = NULL;
	}
	spin_unlock(&unix_lock);
	wake_up(&u->wait);
	if (peer) {
		wake_up(&peer->wait);
		spin_lock(&unix_lock);
		unix_sock_put(peer);
		spin_unlock(&unix_lock);
	}
	return 0;
}

/* ---- poll, ioctl --------------------------------------------------------------- */

static bool unix_writable(struct unix_sock *u)
{
	return u->state != UNIX_LISTENING && (u->wmem << 2) <= (size_t)u->sndbuf;
}

/* As Linux's unix_poll() / unix_dgram_poll(). */
static unsigned unix_poll(struct socket *sock, struct wait_queue **wq)
{
	struct unix_sock *u = unix_sk(sock), *peer;
	unsigned mask = 0;

	if (wq)
		*wq = &u->wait;
	spin_lock(&unix_lock);
	if (u->err)
		mask |= POLLERR;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&u->queue))
		mask |= POLLIN | POLLRDNORM;
	if (u->type != SOCK_DGRAM && u->state == UNIX_UNCONNECTED)
		mask |= POLLHUP;
	peer = u->peer;
	if (unix_writable(u)) {
		bool full = u->type == SOCK_DGRAM && peer && peer->peer != u &&
			    peer->qlen > UNIX_MAX_DGRAM_QLEN;

		if (!full)
			mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	}
	spin_unlock(&unix_lock);
	return mask;
}

static long unix_ioctl(struct socket *sock, unsigned cmd, unsigned long arg)
{
	struct unix_sock *u = unix_sk(sock);
	int n;

	switch (cmd) {
	case FIONREAD: /* SIOCINQ */
		spin_lock(&unix_lock);
		if (u->state == UNIX_LISTENING) {
			spin_unlock(&unix_lock);
			return -EINVAL;
		}
		n = (int)unix_inq_len(u);
		spin_unlock(&unix_lock);
		break;
	case SIOCOUTQ:
		spin_lock(&unix_lock);
		n = (int)u->wmem;
		spin_unlock(&unix_lock);
		break;
	default: return -ENOTTY;
	}
	return copy_to_user((uintptr_t)arg, &n, sizeof(n)) ? -EFAULT : 0;
}

/* ---- options ------------------------------------------------------------------- */

struct timeval64 {
	int64_t tv_sec;
	int64_t tv_usec;
};

static int set_timeo(uint64_t *ns, const void *val, unsigned len)
{
	struct timeval64 tv;

	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0)
		*ns = 1; /* already expired */
	else if (tv.tv_sec == 0 && tv.tv_usec == 0)
		*ns = 0; /* none */
	else
		*ns = (uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * 1000ULL;
	return 0;
}

static int clamp_buf(int v, int min, bool force)
{
	if (!force && v > SOCK_BUF_MAX)
		v = SOCK_BUF_MAX;
	if (v < 0)
		v = 0;
	v = (v > INT32_MAX / 2) ? INT32_MAX : v * 2; /* [socket(7)] the kernel doubles it */
	return v < min ? min : v;
}

/* [socket(7)] "Socket options": SOL_SOCKET only (-EOPNOTSUPP for other
 * levels, as AF_UNIX has no options of its own); -EINVAL for an optlen
 * below sizeof(int); -ENOPROTOOPT for an unknown option. */
static int unix_setsockopt(struct socket *sock, int level, int name, const void *val, unsigned len)
{
	struct unix_sock *u = unix_sk(sock);
	int v, err = 0;
	bool root = !current || current->euid == 0;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	spin_lock(&unix_lock);
	switch (name) {
	case SO_SNDBUF: u->sndbuf = clamp_buf(v, SOCK_MIN_SNDBUF, false); break;
	case SO_RCVBUF: u->rcvbuf = clamp_buf(v, SOCK_MIN_RCVBUF, false); break;
	case SO_SNDBUFFORCE:
	case SO_RCVBUFFORCE:
		if (!root)
			err = -EPERM;
		else if (name == SO_SNDBUFFORCE)
			u->sndbuf = clamp_buf(v, SOCK_MIN_SNDBUF, true);
		else
			u->rcvbuf = clamp_buf(v, SOCK_MIN_RCVBUF, true);
		break;
	case SO_PASSCRED: u->passcred = v != 0; break;
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW: err = set_timeo(&u->rcvtimeo_ns, val, len); break;
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW: err = set_timeo(&u->sndtimeo_ns, val, len); break;
	case SO_REUSEADDR:
	case SO_REUSEPORT:
	case SO_KEEPALIVE:
	case SO_DEBUG:
	case SO_DONTROUTE:
	case SO_BROADCAST:
	case SO_OOBINLINE:
		if (v)
			u->boolopts |= 1ULL << name;
		else
			u->boolopts &= ~(1ULL << name);
		break;
	case SO_PRIORITY:
	case SO_LINGER:
	case SO_RCVLOWAT:
	case SO_PEEK_OFF: break; /* accepted, no effect on AF_UNIX here */
	default: err = -ENOPROTOOPT;
	}
	spin_unlock(&unix_lock);
	return err;
}

static int unix_getsockopt(struct socket *sock, int level, int name, void *val, unsigned *len)
{
	struct unix_sock *u = unix_sk(sock);
	union {
		int i;
		struct ucred cred;
		struct timeval64 tv;
		int linger[2];
	} v;
	unsigned lv = sizeof(int);
	uint64_t ns = 0;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	memset(&v, 0, sizeof(v));
	spin_lock(&unix_lock);
	switch (name) {
	case SO_TYPE: v.i = u->type; break;
	case SO_PROTOCOL: v.i = 0; break;
	case SO_DOMAIN: v.i = AF_UNIX; break;
	case SO_ERROR:
		v.i = u->err;
		u->err = 0;
		break;
	case SO_SNDBUF: v.i = u->sndbuf; break;
	case SO_RCVBUF: v.i = u->rcvbuf; break;
	case SO_PASSCRED: v.i = u->passcred; break;
	case SO_ACCEPTCONN: v.i = u->state == UNIX_LISTENING; break;
	case SO_REUSEADDR:
	case SO_REUSEPORT:
	case SO_KEEPALIVE:
	case SO_DEBUG:
	case SO_DONTROUTE:
	case SO_BROADCAST:
	case SO_OOBINLINE: v.i = !!(u->boolopts & (1ULL << name)); break;
	case SO_RCVLOWAT:
	case SO_SNDLOWAT: v.i = 1; break;
	case SO_PEEK_OFF: v.i = -1; break;
	case SO_PRIORITY: v.i = 0; break;
	case SO_LINGER: lv = sizeof(v.linger); break;
	case SO_PEERCRED:
		lv = sizeof(v.cred);
		if (u->peercred_set) {
			v.cred = u->peercred;
		} else {
			v.cred.pid = 0; /* Linux: no peer, overflow ids */
			v.cred.uid = 65534;
			v.cred.gid = 65534;
		}
		break;
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW:
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW:
		ns = (name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW) ? u->rcvtimeo_ns :
									    u->sndtimeo_ns;
		v.tv.tv_sec = (int64_t)(ns / 1000000000ULL);
		v.tv.tv_usec = (int64_t)(ns % 1000000000ULL) / 1000;
		lv = sizeof(v.tv);
		break;
	default: spin_unlock(&unix_lock); return -ENOPROTOOPT;
	}
	spin_unlock(&unix_lock);
	if (*len > lv)
		*len = lv;
	memcpy(val, &v, *len);
	return 0;
}

/* ---- the family ------------------------------------------------------------------ */

#define UNIX_COMMON_OPS                                                                \
	.family = AF_UNIX, .release = unix_release, .bind = unix_bind,                 \
	.socketpair = unix_socketpair, .getname = unix_getname, .poll = unix_poll,     \
	.ioctl = unix_ioctl, .shutdown = unix_shutdown, .setsockopt = unix_setsockopt, \
	.getsockopt = unix_getsockopt

static const struct proto_ops unix_stream_ops = {
	UNIX_COMMON_OPS,       .connect = unix_stream_connect, .listen = unix_listen,
	.accept = unix_accept, .sendmsg = unix_stream_sendmsg, .recvmsg = unix_stream_recvmsg,
};

static const struct proto_ops unix_seqpacket_ops = {
	UNIX_COMMON_OPS,       .connect = unix_stream_connect, .listen = unix_listen,
	.accept = unix_accept, .sendmsg = unix_dgram_sendmsg,  .recvmsg = unix_dgram_recvmsg,
};

static const struct proto_ops unix_dgram_ops = {
	UNIX_COMMON_OPS,
	.connect = unix_dgram_connect,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
};

/* [socket(2)] for AF_UNIX: protocol 0 or PF_UNIX (-EPROTONOSUPPORT), type
 * stream, datagram (SOCK_RAW too) or seqpacket (-ESOCKTNOSUPPORT). */
static int unix_create(struct socket *sock, int protocol)
{
	struct unix_sock *u;

	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	switch (sock->type) {
	case SOCK_STREAM: sock->ops = &unix_stream_ops; break;
	case SOCK_RAW: sock->type = SOCK_DGRAM; /* FALLTHROUGH */
	case SOCK_DGRAM: sock->ops = &unix_dgram_ops; break;
	case SOCK_SEQPACKET: sock->ops = &unix_seqpacket_ops; break;
	default: return -ESOCKTNOSUPPORT;
	}
	u = unix_sock_alloc(sock->type);
	if (!u)
		return -ENOMEM;
	u->sock = sock;
	sock->sk = u;
	return 0;
}

static const struct net_proto_family unix_family = {
	.family = AF_UNIX,
	.create = unix_create,
};

int af_unix_init(void)
{
	return sock_register(&unix_family);
}
