/* AF_UNIX internals, shared by af_unix.c (names, connections, options,
 * poll) and unix_io.c (sending and receiving). [unix(7)]
 *
 * Locking: unix_lock (a spinlock) guards every field of every unix_sock
 * below marked [L] and the table of bound names; it is never held across a
 * sleep or a user copy. Data is copied into a unix_skb before it is queued
 * and out of it after the receiver has taken its iolock (a mutex that
 * keeps two readers of one socket from consuming the same buffer).
 * Sleeping: wait_event_interruptible on the socket's wait queue, whose
 * condition reads [L] fields as the pipe code does. */
#ifndef KERNEL_NET_AF_UNIX_H
#define KERNEL_NET_AF_UNIX_H
#include <kernel/list.h>
#include <kernel/mutex.h>
#include <kernel/net.h>
#include <kernel/sock_core.h>
#include <kernel/spinlock.h>

#define UNIX_PATH_MAX 108
#define UNIX_ADDR_MAX (2 + UNIX_PATH_MAX) /* sizeof(struct sockaddr_un) */
#define UNIX_MAX_DGRAM_QLEN 10		  /* net.unix.max_dgram_qlen */
#define UNIX_SKB_OVERHEAD 576		  /* per-buffer charge, as an skb's truesize */

extern spinlock_t unix_lock;

enum unix_state { UNIX_UNCONNECTED, UNIX_LISTENING, UNIX_CONNECTED };

struct unix_addr {
	int len; /* 0: unbound; else bytes of name (sun_family included) */
	char name[UNIX_ADDR_MAX];
};

/* One queued message (stream: a chunk of bytes) or, on a listener, one
 * connection waiting for accept (embryo). */
struct unix_skb {
	struct list_head node;
	struct unix_sock *sender; /* referenced: charged wmem, named in recvfrom */
	struct unix_addr *from;	  /* the sender's address when sent (dgram), or NULL */
	struct unix_sock *embryo; /* listener queue: the server side of a connection */
	struct scm_fp_list *fp;	  /* SCM_RIGHTS files, or NULL */
	struct ucred cred;	  /* the sender's credentials (SCM_CREDENTIALS) */
	size_t truesize;	  /* what the sender's wmem is charged */
	size_t len, off;	  /* data bytes, and bytes already read (stream) */
	char data[];
};

struct unix_sock {
	struct socket *sock; /* NULL for an embryo not yet accepted, or after release */
	int type;
	unsigned refcount;	  /* [L] */
	enum unix_state state;	  /* [L] */
	bool dead;		  /* [L] released */
	struct unix_sock *peer;	  /* [L] referenced */
	struct unix_addr addr;	  /* [L] own name */
	struct inode *path_inode; /* [L] the socket node of a path name, referenced */
	struct list_head bound;	  /* [L] in the table of bound names while named */
	struct list_head all;	  /* [L] in unix_all, for /proc/net/unix */
	struct list_head queue;	  /* [L] unix_skb: data, or connections when listening */
	unsigned qlen;		  /* [L] buffers (or connections) queued */
	size_t wmem;		  /* [L] truesize of our buffers queued at peers */
	int sndbuf, rcvbuf;	  /* [L] */
	unsigned shutdown;	  /* [L] RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;		  /* [L] pending SO_ERROR (positive errno) */
	int backlog;		  /* [L] listen() backlog */
	bool passcred;		  /* [L] SO_PASSCRED */
	uint64_t boolopts;     /* [L] 1 << SO_x of the flag options only stored (SO_REUSEADDR...) */
	bool peercred_set;     /* [L] */
	struct ucred peercred; /* [L] SO_PEERCRED */
	uint64_t rcvtimeo_ns, sndtimeo_ns; /* [L] SO_RCVTIMEO/SO_SNDTIMEO, 0 = none */
	struct wait_queue wait;		   /* data, room, state changes */
	struct wait_queue peer_wait;	   /* datagram senders waiting for our queue to shrink */
	struct mutex iolock;		   /* one reader at a time */
};

static inline struct unix_sock *unix_sk(struct socket *sock)
{
	return sock->sk;
}

void unix_sock_hold(struct unix_sock *u); /* unix_lock held */
void unix_sock_put(struct unix_sock *u);  /* unix_lock held */
void unix_skb_free(struct unix_skb *skb); /* unix_lock NOT held */
/* Find the socket an address names, referenced: -EINVAL (bad address),
 * -ENOENT, -ECONNREFUSED (no such name, not a socket, nobody bound),
 * -EACCES, -EPROTOTYPE (type differs). */
int unix_find_other(const struct sockaddr_storage *addr, int len, int type, struct unix_sock **out);
int unix_autobind(struct unix_sock *u);
/* Sleep (interruptibly, until the deadline if any) until cond: 0, or
 * -ERESTARTSYS (signal, no deadline), -EINTR (signal with a timeout),
 * -EAGAIN (deadline passed). */
#define unix_wait(u, cond, timeo_ns)                                              \
	({                                                                        \
		int __r = 0;                                                      \
		uint64_t __dl = (timeo_ns) ? hal_timer_now_ns() + (timeo_ns) : 0; \
		irqflags_t __f = hal_irq_save();                                  \
		while (!(cond)) {                                                 \
			__r = sched_sleep(&(u)->wait, __dl, true);                \
			if (__r == -ETIMEDOUT) {                                  \
				__r = (cond) ? 0 : -EAGAIN;                       \
				break;                                            \
			}                                                         \
			if (__r) {                                                \
				__r = (timeo_ns) ? -EINTR : -ERESTARTSYS;         \
				break;                                            \
			}                                                         \
		}                                                                 \
		hal_irq_restore(__f);                                             \
		__r;                                                              \
	})

ssize_t unix_stream_sendmsg(struct socket *sock, struct kmsghdr *m);
ssize_t unix_stream_recvmsg(struct socket *sock, struct kmsghdr *m);
ssize_t unix_dgram_sendmsg(struct socket *sock, struct kmsghdr *m);
ssize_t unix_dgram_recvmsg(struct socket *sock, struct kmsghdr *m);
/* Bytes readable now (FIONREAD/SIOCINQ): all queued for a stream, the
 * first message's for a datagram socket. unix_lock held. */
size_t unix_inq_len(struct unix_sock *u);

#endif
