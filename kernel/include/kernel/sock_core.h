/* The core's half of the socket layer (not part of the service API): set-up,
 * /proc/net/unix, socket nodes in the file system and the fd-table side of
 * SCM_RIGHTS, all used by AF_UNIX and the core only. <kernel/net.h> is what
 * a family (services/net) sees. */
#ifndef KERNEL_SOCK_CORE_H
#define KERNEL_SOCK_CORE_H
#include <kernel/net.h>

/* Set up the socket layer and the core's families (kernel/main.c, after
 * vfs_init()). */
void sock_init(void);

/* /proc/net/unix into buf (at most room bytes with the NUL): its length,
 * room - 1 when it did not fit (seq_fill() then retries with more). */
size_t unix_proc_show(char *buf, size_t room);

/* /proc/net/dev's interface lines from the family that registered them
 * (sock_register_netdev_show()), "" if none: as unix_proc_show. */
size_t sock_netdev_show(char *buf, size_t room);
/* /proc/net/tcp's lines the same way (netdev_ops.tcp_show). */
size_t sock_net_tcp_show(char *buf, size_t room);
/* /proc/net/udp's and /proc/net/route's lines (netdev_ops.udp_show, route_show). */
size_t sock_net_udp_show(char *buf, size_t room);
size_t sock_net_route_show(char *buf, size_t room);

/* Socket nodes in the file system (kernel/vfs/sock_node.c). */
int vfs_sock_mknod(const char *path, mode_t mode, struct inode **out);
int vfs_sock_lookup(const char *path, struct inode **out);
int vfs_sock_exists(const char *path);

/* The fd table side of SCM_RIGHTS (kernel/net/scm.c). */
struct scm_fp_list {
	unsigned count;
	uint32_t uid; /* whose in-flight count these are charged to */
	struct file *fp[SCM_MAX_FD];
};
/* The files of the fds in an SCM_RIGHTS payload, referenced: -EBADF,
 * -EINVAL (more than SCM_MAX_FD, or merged beyond it), -ETOOMANYREFS
 * (the sender's in-flight limit), -ENOMEM. */
int scm_fp_get(const int32_t *fds, unsigned n, struct scm_fp_list **fpl);
/* Drop every file of the list and its in-flight charge, free it. */
void scm_fp_put(struct scm_fp_list *fpl);
/* Install the files in the receiver's table as a SCM_RIGHTS message:
 * as many as fit, MSG_CTRUNC for the rest (closed), O_CLOEXEC with
 * MSG_CMSG_CLOEXEC. Consumes the list. 0 or -EFAULT. */
int scm_detach_fds(struct kmsghdr *m, struct scm_fp_list *fpl);
/* The caller's credentials (tgid, euid, egid), for SO_PEERCRED and
 * SCM_CREDENTIALS. */
struct ucred current_ucred(void);
/* May the caller claim these credentials in SCM_CREDENTIALS? ([unix(7)]:
 * its own pid, a uid of its real/effective/saved ones, same for gid;
 * root anything). 0 or -EPERM. */
int scm_check_creds(const struct ucred *c);

#endif
