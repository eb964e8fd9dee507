/* The socket layer (kernel/net/): struct socket, the per-family operations
 * (the shape of Linux's struct proto_ops), the families' registration, and
 * the message buffers the socket calls pass to a family. [socket(7)],
 * [socket(2)], [sendmsg(2)], [recvmsg(2)], [unix(7)].
 *
 * A socket is a file whose inode lives in the core's sockfs (S_IFSOCK,
 * "socket:[ino]" in /proc/<pid>/fd). The syscalls (socket.c, msg.c,
 * sockopt.c) check and copy the user's arguments, then call the family's
 * ops with kernel buffers only: a socket address in a struct
 * sockaddr_storage, options as kernel values, data through a struct
 * msg_iter. A family served by a ring-2 service (services/net, lwIP) is
 * called through svc_call() on its instance (net_proto_family.svc), as the
 * file systems are; AF_UNIX is the core's own (kernel/net/af_unix*.c),
 * since it moves open files between fd tables. docs/architecture.md
 * "Sockets" has the reasons.
 *
 * Errors are Linux's -errno. Ops may sleep unless the socket's file is
 * O_NONBLOCK or the call passes MSG_DONTWAIT (-EAGAIN).
 */
#ifndef KERNEL_NET_H
#define KERNEL_NET_H
#include <hal/types.h>
#include <kernel/service.h>
#include <kernel/vfs.h>
#include <kernel/wait.h>

/* Address families ([address_families(7)]); only AF_UNIX is served today. */
#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17
#define AF_MAX 46 /* Linux's NPROTO: families are 0 .. AF_MAX-1 */

/* Socket types; the high bits of socket(2)'s type are flags. */
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5
#define SOCK_DCCP 6
#define SOCK_PACKET 10
#define SOCK_MAX 11
#define SOCK_TYPE_MASK 0xf
#define SOCK_CLOEXEC O_CLOEXEC	 /* same value on x86_64 and arm64 */
#define SOCK_NONBLOCK O_NONBLOCK /* same value on x86_64 and arm64 */

/* send/recv flags ([send(2)], [recv(2)]) */
#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTROUTE 0x4
#define MSG_CTRUNC 0x8
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_MORE 0x8000
#define MSG_WAITFORONE 0x10000
#define MSG_CMSG_CLOEXEC 0x40000000

/* shutdown(2) how, and the socket's shutdown bits (RCV = how + 1 ...). */
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

/* Socket options, level SOL_SOCKET (asm-generic/socket.h: the same values on
 * x86_64 and arm64). */
#define SOL_SOCKET 1
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_PRIORITY 12
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO_OLD 20
#define SO_SNDTIMEO_OLD 21
#define SO_ACCEPTCONN 30
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define SO_PEEK_OFF 42
#define SO_RCVTIMEO_NEW 66
#define SO_SNDTIMEO_NEW 67

/* Control messages (SOL_SOCKET level) [unix(7)] "Ancillary messages". */
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD 253 /* fds in one SCM_RIGHTS message (Linux) */

#define POLLRDHUP 0x2000
#define POLLWRBAND 0x200

/* Buffer sizes: Linux's defaults (net.core.[rw]mem_default/_max) and the
 * minimums setsockopt(SO_SNDBUF/SO_RCVBUF) clamps to; [socket(7)] "The
 * kernel doubles this value". */
#define SOCK_BUF_DEFAULT 212992
#define SOCK_BUF_MAX 212992
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304

/* sockaddr_storage: the largest address any family takes (128 bytes). */
struct sockaddr_storage {
	uint16_t ss_family;
	char ss_data[126];
};

/* [unix(7)] struct ucred: SO_PEERCRED, SCM_CREDENTIALS. */
struct ucred {
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
};

/* A user iovec (struct iovec on 64-bit Linux). */
struct iovec64 {
	uint64_t base;
	uint64_t len;
};

/* Cursor over the data of one send or receive: user segments, or a single
 * kernel buffer (kbuf non-NULL: read()/write() from kernel callers). */
struct msg_iter {
	const struct iovec64 *iov;
	unsigned nr_segs;
	unsigned seg;	/* current segment */
	size_t seg_off; /* bytes of it already moved */
	size_t count;	/* bytes left in all segments */
	void *kbuf;
};
/* Move n bytes (n <= it->count) between the iterator and a kernel buffer,
 * advancing it: 0 or -EFAULT (bytes before the fault have moved). */
int msg_iter_copy_from(struct msg_iter *it, void *dst, size_t n);
int msg_iter_copy_to(struct msg_iter *it, const void *src, size_t n);

/* One sendmsg/recvmsg as the family sees it. */
struct kmsghdr {
	struct sockaddr_storage *name; /* send: target or NULL; recv: filled if non-NULL */
	int namelen;		       /* send: given length; recv: set by the family */
	struct msg_iter iter;
	/* send: the control bytes, copied in (NULL if none) */
	void *control;
	size_t controllen;
	/* recv: where control messages go (put_cmsg), room left, used so far */
	uintptr_t ucontrol;
	size_t ucontrollen;
	size_t ucontrol_used;
	unsigned flags;	    /* the call's MSG_* flags */
	unsigned msg_flags; /* recv: MSG_TRUNC, MSG_CTRUNC, MSG_EOR for the caller */
};

/* Append one control message to a receive ([cmsg(3)]): fits what it can,
 * sets MSG_CTRUNC when cut. 0 or -EFAULT. */
int put_cmsg(struct kmsghdr *m, int level, int type, const void *data, size_t len);
/* The cmsghdr layout on 64-bit Linux: len (size_t), level, type; data
 * 8-byte aligned. */
struct cmsghdr64 {
	uint64_t cmsg_len;
	int32_t cmsg_level;
	int32_t cmsg_type;
};
#define CMSG_ALIGN64(len) (((len) + 7) & ~(size_t)7)
#define CMSG_HDRLEN CMSG_ALIGN64(sizeof(struct cmsghdr64))
#define CMSG_SPACE64(len) (CMSG_HDRLEN + CMSG_ALIGN64(len))
#define CMSG_LEN64(len) (CMSG_HDRLEN + (len))

struct socket;

/* A family's operations on its sockets (Linux's struct proto_ops). Missing
 * ops answer as Linux's sock_no_*: -EOPNOTSUPP. addr buffers are kernel
 * sockaddr_storage copies whose length the socket layer has checked
 * (0 .. sizeof(struct sockaddr_storage)). */
struct proto_ops {
	int family;
	/* The socket's file is closed for the last time: free everything. */
	void (*release)(struct socket *sock);
	int (*bind)(struct socket *sock, const struct sockaddr_storage *addr, int len);
	/* flags: the file's O_NONBLOCK. */
	int (*connect)(struct socket *sock, const struct sockaddr_storage *addr, int len,
		       unsigned flags);
	/* Connect two fresh sockets of this type to each other. */
	int (*socketpair)(struct socket *a, struct socket *b);
	int (*listen)(struct socket *sock, int backlog);
	/* Wait for a connection and attach it to newsock (created by the
	 * socket layer, same family and type). flags: O_NONBLOCK. */
	int (*accept)(struct socket *sock, struct socket *newsock, unsigned flags);
	/* Own (peer false) or peer address into addr: its length, or -errno
	 * (-ENOTCONN for a peer that is not there). */
	int (*getname)(struct socket *sock, struct sockaddr_storage *addr, bool peer);
	/* POLL* mask now, and the wait queue woken when it changes. */
	unsigned (*poll)(struct socket *sock, struct wait_queue **wq);
	long (*ioctl)(struct socket *sock, unsigned cmd, unsigned long arg);
	/* SIOCINQ/SIOCOUTQ for a family served by a service (which sees no
	 * user memory, so no ioctl op): bytes queued into *val, or -errno. */
	int (*queue_len)(struct socket *sock, unsigned cmd, int32_t *val);
	int (*shutdown)(struct socket *sock, int how);
	/* Options of every level, values as kernel copies; optlen is the
	 * user's length (set: >= 0; get: in/out, already clamped to >= 0). */
	int (*setsockopt)(struct socket *sock, int level, int name, const void *val, unsigned len);
	int (*getsockopt)(struct socket *sock, int level, int name, void *val, unsigned *len);
	/* Bytes sent / received, or -errno (-EPIPE: the caller raises
	 * SIGPIPE unless MSG_NOSIGNAL). len = m->iter.count. */
	ssize_t (*sendmsg)(struct socket *sock, struct kmsghdr *m);
	ssize_t (*recvmsg)(struct socket *sock, struct kmsghdr *m);
};

struct socket {
	int family, type, protocol;
	const struct proto_ops *ops;
	struct file *file;	  /* the socket's file (not referenced) */
	void *sk;		  /* the family's state */
	struct svc_instance *svc; /* the family's service, or NULL (core) */
};

/* A family ([socket(2)] domain): create fills sock->ops and sock->sk for
 * type/protocol, or fails (-ESOCKTNOSUPPORT, -EPROTONOSUPPORT, -ENOMEM). */
struct net_proto_family {
	int family;
	int (*create)(struct socket *sock, int protocol);
	struct svc_instance *svc; /* NULL: core code, called directly */
};
/* Register a family: 0, -EINVAL (out of range), -EEXIST. */
int sock_register(const struct net_proto_family *fam);

/* Socket ioctls ([netdevice(7)], [tcp(7)] SIOCINQ/SIOCOUTQ) with a ring-2
 * service behind them: the service never sees user memory, so the socket
 * layer (kernel/net/sock_ioctl.c) copies the argument in and out and the
 * service answers on a kernel copy:
 * - SIOCINQ/SIOCOUTQ on a socket of a service's family: proto_ops.queue_len;
 * - the interface requests (SIOCGIF*, SIOCSIF*; the SIOCS ones only for
 *   root, -EPERM) on a socket of any family, as Linux's dev_ioctl(): the
 *   registered netdev_ops.ioctl with a struct ifreq, or a struct kifconf
 *   for SIOCGIFCONF;
 * - SIOCADDRT/SIOCDELRT (root only, -EPERM) on any socket: netdev_ops.ioctl
 *   with a struct krtentry.
 * Other requests on a service's socket are -ENOTTY. */
#define SIOCOUTQ 0x5411 /* TIOCOUTQ */
#define SIOCINQ 0x541B	/* FIONREAD */
#define SIOCADDRT 0x890B
#define SIOCDELRT 0x890C
#define SIOCGIFNAME 0x8910
#define SIOCGIFCONF 0x8912
#define SIOCGIFFLAGS 0x8913
#define SIOCSIFFLAGS 0x8914
#define SIOCGIFADDR 0x8915
#define SIOCSIFADDR 0x8916
#define SIOCGIFDSTADDR 0x8917
#define SIOCGIFBRDADDR 0x8919
#define SIOCSIFBRDADDR 0x891a
#define SIOCGIFNETMASK 0x891b
#define SIOCSIFNETMASK 0x891c
#define SIOCGIFMETRIC 0x891d
#define SIOCGIFMTU 0x8921
#define SIOCSIFMTU 0x8922
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX 0x8933
#define SIOCGIFTXQLEN 0x8942
#define SIOCGIFMAP 0x8970
#define IFNAMSIZ 16
/* struct ifreq of 64-bit Linux: the name, then a 24-byte union. */
struct ifreq {
	char ifr_name[IFNAMSIZ];
	union {
		struct sockaddr_storage_16 {
			uint16_t sa_family;
			char sa_data[14];
		} ifr_addr; /* ADDR, DSTADDR, BRDADDR, NETMASK, HWADDR */
		int16_t ifr_flags;
		int32_t ifr_ivalue; /* INDEX, METRIC, MTU, TXQLEN */
		char ifr_newname[IFNAMSIZ];
		char ifr_pad[24];
	};
};
/* SIOCGIFCONF as the family sees it: buf NULL asks for the length needed;
 * else fill up to len bytes of struct ifreq and set len to what was used. */
struct kifconf {
	int32_t len;
	struct ifreq *buf;
};
/* SIOCADDRT/SIOCDELRT [route(8), netdevice(7)] as the family sees them: the
 * fields of Linux's struct rtentry, with the device name (rt_dev, a user
 * pointer there) copied in ("" if none). */
#define RTF_UP 0x0001
#define RTF_GATEWAY 0x0002
#define RTF_HOST 0x0004
struct krtentry {
	struct sockaddr_storage_16 rt_dst, rt_gateway, rt_genmask;
	uint16_t rt_flags;
	int16_t rt_metric; /* as given: route(8) passes metric + 1 */
	char rt_dev[IFNAMSIZ];
};
/* The network interfaces' owner (services/net), registered once:
 * show: /proc/net/dev's lines after the two header lines, into buf (at most
 * room bytes with the NUL): its length, room - 1 when it did not fit (as
 * unix_proc_show); ioctl: an interface request on a kernel copy (above):
 * 0 or -errno (-ENODEV: no such interface). Both called through svc_call()
 * on svc. */
struct netdev_ops {
	size_t (*show)(char *buf, size_t room);
	size_t (*tcp_show)(char *buf, size_t room);   /* /proc/net/tcp's lines, the same way */
	size_t (*udp_show)(char *buf, size_t room);   /* /proc/net/udp's */
	size_t (*route_show)(char *buf, size_t room); /* /proc/net/route's */
	/* SIOCADDRT/SIOCDELRT get a struct krtentry */
	long (*ioctl)(unsigned cmd, void *karg);
};
void sock_register_netdev(struct svc_instance *svc, const struct netdev_ops *ops);

/* Sockets as files (socket.c). */
/* The socket behind f, or NULL if f is not a socket. */
struct socket *sock_from_file(const struct file *f);
/* A new socket of family/type with its sockfs file (flags: O_NONBLOCK);
 * -EAFNOSUPPORT, -EINVAL, -ESOCKTNOSUPPORT, -EPROTONOSUPPORT, -ENOMEM. */
int sock_create(int family, int type, int protocol, unsigned flags, struct socket **out);
/* Free a socket that never got a file installed. */
void sock_release(struct socket *sock);

#endif
