/* Private to kernel/net/: how the socket syscalls reach a family, and the
 * helpers they share. */
#ifndef KERNEL_NET_INTERNAL_H
#define KERNEL_NET_INTERNAL_H
#include <kernel/net.h>
#include <kernel/sock_core.h>

/* Call a family op: through svc_call() when a ring-2 service serves the
 * family (a fault fails the call with -EIO), directly for the core's own. */
#define SOCK_CALL(sock, expr) ((sock)->svc ? svc_call_or((sock)->svc, (expr), -EIO) : (expr))
#define SOCK_CALL_VOID(sock, expr)                        \
	do {                                              \
		if ((sock)->svc)                          \
			svc_call_void((sock)->svc, expr); \
		else                                      \
			expr;                             \
	} while (0)

struct file;
/* The socket behind fd with its file referenced in *fp, or NULL and *err
 * (-EBADF, -ENOTSOCK). */
struct socket *sockfd_lookup(int fd, struct file **fp, int *err);
int sockaddr_from_user(uintptr_t uaddr, int len, struct sockaddr_storage *k);
int sockaddr_to_user(const struct sockaddr_storage *k, int len, uintptr_t uaddr, uintptr_t ulen);
/* SIGPIPE to the caller (an -EPIPE send without MSG_NOSIGNAL). */
void sock_sigpipe(void);
/* The ioctls a ring-2 service answers (sock_ioctl.c, <kernel/net.h>):
 * interface requests on any socket, SIOCINQ/SIOCOUTQ on a service's.
 * -ENOIOCTLCMD for requests it does not handle (the family's own then). */
long sock_ioctl_svc(struct socket *sock, unsigned cmd, unsigned long arg);
/* Register AF_UNIX (af_unix.c), from sock_init(). */
int af_unix_init(void);

#endif
