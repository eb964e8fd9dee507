/* Sockets as files, and the socket syscalls that make and connect them
 * ([socket(2)], [socketpair(2)], [bind(2)], [listen(2)], [accept(2)],
 * [connect(2)], [getsockname(2)], [getpeername(2)], [shutdown(2)]).
 * Every socket has an inode in sockfs, a pseudo file system of the core
 * (S_IFSOCK | 0777, as Linux's sock_alloc()), and a file whose operations
 * turn read/write/poll/ioctl into the family's ops. */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/net.h>
#include <kernel/spinlock.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <string.h>

#include "../vfs/internal.h"
#include "net_internal.h"

static struct file_system_type sockfs_type = { .name = "sockfs" };
/* Socket inodes (st_dev 0:8, as Linux's sockfs usually gets). */
static struct super_block sockfs_sb = {
	.type = &sockfs_type,
	.dev = MKDEV(0, 8),
	.s_dir_mutex = MUTEX_INIT(sockfs_sb.s_dir_mutex, "sb.s_dir_mutex"),
};

/* The registered families, written at boot (SERVICE_INIT / sock_init) and
 * read by socket(2): guarded by family_lock. */
static DEFINE_SPINLOCK(family_lock);
static const struct net_proto_family *families[AF_MAX];

static const struct file_operations socket_fops;

int sock_register(const struct net_proto_family *fam)
{
	int err = 0;

	if (fam->family <= AF_UNSPEC || fam->family >= AF_MAX)
		return -EINVAL;
	spin_lock(&family_lock);
	if (families[fam->family])
		err = -EEXIST;
	else
		families[fam->family] = fam;
	spin_unlock(&family_lock);
	return err;
}

void sock_init(void)
{
	af_unix_init();
}

struct socket *sock_from_file(const struct file *f)
{
	return f && f->f_op == &socket_fops ? f->private_data : NULL;
}

/* [socket(2)] "EAFNOSUPPORT", "EINVAL Unknown protocol, or protocol family
 * not available" (type out of range); the family answers the rest. */
int sock_create(int family, int type, int protocol, unsigned flags, struct socket **out)
{
	const struct net_proto_family *fam = NULL;
	struct socket *sock;
	struct inode *inode;
	struct file *f;
	int err;

	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= SOCK_MAX)
		return -EINVAL;
	spin_lock(&family_lock);
	fam = families[family];
	spin_unlock(&family_lock);
	if (!fam)
		return -EAFNOSUPPORT;
	sock = kzalloc(sizeof(*sock));
	inode = inode_alloc(&sockfs_sb);
	if (!sock || !inode) {
		kfree(sock);
		if (inode) {
			inode->nlink = 0;
			iput(inode);
		}
		return -ENOMEM;
	}
	inode->mode = S_IFSOCK | 0777;
	inode->nlink = 1;
	if (current) {
		inode->uid = current->euid;
		inode->gid = current->egid;
	}
	sock->family = family;
	sock->type = type;
	sock->protocol = protocol;
	sock->svc = fam->svc;
	err = SOCK_CALL(sock, fam->create(sock, protocol));
	if (!err && !sock->ops)
		err = -EPROTONOSUPPORT;
	f = err ? NULL : file_alloc(inode, &socket_fops, O_RDWR | (flags & O_NONBLOCK));
	if (!err && !f) {
		if (sock->ops->release)
			SOCK_CALL_VOID(sock, sock->ops->release(sock));
		err = -ENOMEM;
	}
	if (err) {
		kfree(sock);
		inode->nlink = 0;
		iput(inode);
		return err;
	}
	iput(inode); /* the file holds it now */
	f->private_data = sock;
	sock->file = f;
	*out = sock;
	return 0;
}

void sock_release(struct socket *sock)
{
	fput(sock->file);
}

/* ---- the file operations -------------------------------------------------- */

static struct msg_iter iter_from_uio(struct uio *u, struct iovec64 *seg)
{
	struct msg_iter it = { .count = u->len };

	if (u->is_user) {
		seg->base = u->uaddr;
		seg->len = u->len;
		it.iov = seg;
		it.nr_segs = 1;
	} else {
		it.kbuf = u->kaddr;
	}
	return it;
}

/* read(2) on a socket is recv(fd, buf, len, 0). */
static ssize_t sock_read(struct file *f, struct uio *u, off_t *pos)
{
	struct socket *sock = f->private_data;
	struct iovec64 seg;
	struct kmsghdr m = { .iter = iter_from_uio(u, &seg) };
	ssize_t r;

	if (!sock->ops->recvmsg)
		return -EINVAL;
	if (f->flags & O_NONBLOCK)
		m.flags |= MSG_DONTWAIT;
	r = SOCK_CALL(sock, sock->ops->recvmsg(sock, &m));
	if (r > 0) {
		if (u->is_user)
			u->uaddr += (size_t)r;
		else
			u->kaddr = (char *)u->kaddr + r;
		u->len -= MIN((size_t)r, u->len);
	}
	return r;
}

/* write(2) is send(fd, buf, len, 0): -EPIPE raises SIGPIPE. */
static ssize_t sock_write(struct file *f, struct uio *u, off_t *pos)
{
	struct socket *sock = f->private_data;
	struct iovec64 seg;
	struct kmsghdr m = { .iter = iter_from_uio(u, &seg) };
	ssize_t r;

	if (!sock->ops->sendmsg)
		return -EINVAL;
	if (f->flags & O_NONBLOCK)
		m.flags |= MSG_DONTWAIT;
	r = SOCK_CALL(sock, sock->ops->sendmsg(sock, &m));
	if (r == -EPIPE)
		sock_sigpipe();
	if (r > 0) {
		if (u->is_user)
			u->uaddr += (size_t)r;
		else
			u->kaddr = (char *)u->kaddr + r;
		u->len -= MIN((size_t)r, u->len);
	}
	return r;
}

static unsigned sock_poll(struct file *f, struct wait_queue **wq)
{
	struct socket *sock = f->private_data;

	if (!sock->ops->poll) {
		if (wq)
			*wq = NULL;
		return 0;
	}
	return SOCK_CALL(sock, sock->ops->poll(sock, wq));
}

static long sock_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct socket *sock = f->private_data;

	if (!sock->ops->ioctl)
		return -ENOTTY;
	return SOCK_CALL(sock, sock->ops->ioctl(sock, cmd, arg));
}

static void sock_file_release(struct file *f)
{
	struct socket *sock = f->private_data;

	if (!sock)
		return;
	if (sock->ops && sock->ops->release)
		SOCK_CALL_VOID(sock, sock->ops->release(sock));
	f->inode->nlink = 0;
	kfree(sock);
	f->private_data = NULL;
}

static off_t sock_llseek(struct file *f, off_t off, int whence)
{
	return -ESPIPE;
}

static const struct file_operations socket_fops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.release = sock_file_release,
	.llseek = sock_llseek,
};

/* ---- helpers for the syscalls --------------------------------------------- */

void sock_sigpipe(void)
{
	if (current)
		send_signal(current, SIGPIPE, NULL);
}

/* The socket behind fd, its file referenced in *fp: -EBADF, -ENOTSOCK. */
struct socket *sockfd_lookup(int fd, struct file **fp, int *err)
{
	struct file *f = fget_current(fd);
	struct socket *sock;

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	sock = sock_from_file(f);
	if (!sock) {
		fput(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return sock;
}

/* Linux's move_addr_to_kernel(): 0 .. sizeof(sockaddr_storage) bytes. */
int sockaddr_from_user(uintptr_t uaddr, int len, struct sockaddr_storage *k)
{
	memset(k, 0, sizeof(*k));
	if (len < 0 || (size_t)len > sizeof(*k))
		return -EINVAL;
	if (len == 0)
		return 0;
	return copy_from_user(k, uaddr, (size_t)len) ? -EFAULT : 0;
}

/* Linux's move_addr_to_user(): copy min(len, *ulen) bytes and store the
 * real length in *ulen; a negative *ulen is -EINVAL. */
int sockaddr_to_user(const struct sockaddr_storage *k, int len, uintptr_t uaddr, uintptr_t ulen)
{
	int32_t have;

	if (copy_from_user(&have, ulen, sizeof(have)))
		return -EFAULT;
	if (have < 0)
		return -EINVAL;
	if (have > len)
		have = len;
	if (have && copy_to_user(uaddr, k, (size_t)have))
		return -EFAULT;
	if (copy_to_user(ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

static int sock_install(struct socket *sock, unsigned flags)
{
	struct files *tab = current_files();
	int fd;

	if (!tab) {
		fput(sock->file);
		return -EBADF;
	}
	fd = fd_install(tab, sock->file, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(sock->file);
	return fd;
}

/* socket(2)/socketpair(2) type flags: SOCK_CLOEXEC, SOCK_NONBLOCK, or -EINVAL. */
static int split_type(int *type, unsigned *flags)
{
	unsigned f = (unsigned)*type & ~(unsigned)SOCK_TYPE_MASK;

	if (f & ~(unsigned)(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	*flags = f;
	*type &= SOCK_TYPE_MASK;
	return 0;
}

/* ---- syscalls ---------------------------------------------------------------- */

/* [socket(2)] */
SYSCALL_DEFINE3(socket, int, family, int, type, int, protocol)
{
	struct socket *sock;
	unsigned flags;
	int err = split_type(&type, &flags);

	if (err)
		return err;
	err = sock_create(family, type, protocol, flags, &sock);
	if (err)
		return err;
	return sock_install(sock, flags);
}

/* [socketpair(2)]: sv[2] gets two connected sockets; a bad sv is -EFAULT
 * with both closed. */
SYSCALL_DEFINE4(socketpair, int, family, int, type, int, protocol, uintptr_t, usv)
{
	struct socket *a, *b;
	struct files *tab = current_files();
	unsigned flags;
	int fds[2], err = split_type(&type, &flags);

	if (err)
		return err;
	err = sock_create(family, type, protocol, flags, &a);
	if (err)
		return err;
	err = sock_create(family, type, protocol, flags, &b);
	if (err) {
		sock_release(a);
		return err;
	}
	err = a->ops->socketpair ? SOCK_CALL(a, a->ops->socketpair(a, b)) : -EOPNOTSUPP;
	if (err) {
		sock_release(a);
		sock_release(b);
		return err;
	}
	fds[0] = sock_install(a, flags);
	if (fds[0] < 0) {
		sock_release(b);
		return fds[0];
	}
	fds[1] = sock_install(b, flags);
	if (fds[1] < 0) {
		fd_close(tab, fds[0]);
		return fds[1];
	}
	if (copy_to_user(usv, fds, sizeof(fds))) {
		fd_close(tab, fds[0]);
		fd_close(tab, fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* [bind(2)] */
SYSCALL_DEFINE3(bind, int, fd, uintptr_t, uaddr, int, len)
{
	struct sockaddr_storage addr;
	struct file *f;
	int err;
	struct socket *sock = sockfd_lookup(fd, &f, &err);

	if (!sock)
		return err;
	err = sockaddr_from_user(uaddr, len, &addr);
	if (!err)
		err = sock->ops->bind ? SOCK_CALL(sock, sock->ops->bind(sock, &addr, len)) :
					-EOPNOTSUPP;
	fput(f);
	return err;
}

/* [listen(2)]: the backlog is capped at SOMAXCONN (4096 in Linux 6.1). */
SYSCALL_DEFINE2(listen, int, fd, int, backlog)
{
	struct file *f;
	int err;
	struct socket *sock = sockfd_lookup(fd, &f, &err);

	if (!sock)
		return err;
	if ((unsigned)backlog > 4096)
		backlog = 4096;
	err = sock->ops->listen ? SOCK_CALL(sock, sock->ops->listen(sock, backlog)) : -EOPNOTSUPP;
	fput(f);
	return err;
}

/* [accept(2)] accept4: flags SOCK_NONBLOCK, SOCK_CLOEXEC (-EINVAL otherwise);
 * the peer's address into uaddr/ulen when given. */
SYSCALL_DEFINE4(accept4, int, fd, uintptr_t, uaddr, uintptr_t, ulen, int, uflags)
{
	struct sockaddr_storage addr;
	struct socket *newsock;
	struct file *f;
	unsigned flags = (unsigned)uflags;
	int err, alen, newfd;
	struct socket *sock;

	if (flags & ~(unsigned)(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	sock = sockfd_lookup(fd, &f, &err);
	if (!sock)
		return err;
	if (!sock->ops->accept) {
		fput(f);
		return -EOPNOTSUPP;
	}
	err = sock_create(sock->family, sock->type, sock->protocol, flags, &newsock);
	if (err) {
		fput(f);
		return err;
	}
	err = SOCK_CALL(sock, sock->ops->accept(sock, newsock, f->flags & O_NONBLOCK));
	fput(f);
	if (err) {
		sock_release(newsock);
		return err;
	}
	if (uaddr) {
		alen = SOCK_CALL(newsock, newsock->ops->getname(newsock, &addr, true));
		if (alen < 0)
			alen = 0; /* the peer already went: an empty address */
		err = sockaddr_to_user(&addr, alen, uaddr, ulen);
		if (err) {
			sock_release(newsock);
			return err;
		}
	}
	newfd = sock_install(newsock, flags);
	return newfd;
}

/* [accept(2)] */
SYSCALL_DEFINE3(accept, int, fd, uintptr_t, uaddr, uintptr_t, ulen)
{
	unsigned long args[4] = { (unsigned long)(long)fd, uaddr, ulen, 0 };

	return sys_accept4(args);
}

/* [connect(2)] */
SYSCALL_DEFINE3(connect, int, fd, uintptr_t, uaddr, int, len)
{
	struct sockaddr_storage addr;
	struct file *f;
	int err;
	struct socket *sock = sockfd_lookup(fd, &f, &err);

	if (!sock)
		return err;
	err = sockaddr_from_user(uaddr, len, &addr);
	if (!err)
		err = sock->ops->connect ?
			      SOCK_CALL(sock, sock->ops->connect(sock, &addr, len,
								 f->flags & O_NONBLOCK)) :
			      -EOPNOTSUPP;
	fput(f);
	return err;
}

static long do_getname(int fd, uintptr_t uaddr, uintptr_t ulen, bool peer)
{
	struct sockaddr_storage addr;
	struct file *f;
	int err, len;
	struct socket *sock = sockfd_lookup(fd, &f, &err);

	if (!sock)
		return err;
	memset(&addr, 0, sizeof(addr));
	len = sock->ops->getname ? SOCK_CALL(sock, sock->ops->getname(sock, &addr, peer)) :
				   -EOPNOTSUPP;
	fput(f);
	if (len < 0)
		return len;
	return sockaddr_to_user(&addr, len, uaddr, ulen);
}

/* [getsockname(2)] */
SYSCALL_DEFINE3(getsockname, int, fd, uintptr_t, uaddr, uintptr_t, ulen)
{
	return do_getname(fd, uaddr, ulen, false);
}

/* [getpeername(2)]: -ENOTCONN without a peer. */
SYSCALL_DEFINE3(getpeername, int, fd, uintptr_t, uaddr, uintptr_t, ulen)
{
	return do_getname(fd, uaddr, ulen, true);
}

/* [shutdown(2)]: how SHUT_RD, SHUT_WR, SHUT_RDWR, else -EINVAL. */
SYSCALL_DEFINE2(shutdown, int, fd, int, how)
{
	struct file *f;
	int err;
	struct socket *sock = sockfd_lookup(fd, &f, &err);

	if (!sock)
		return err;
	if (how < SHUT_RD || how > SHUT_RDWR)
		err = -EINVAL;
	else
		err = sock->ops->shutdown ? SOCK_CALL(sock, sock->ops->shutdown(sock, how)) :
					    -EOPNOTSUPP;
	fput(f);
	return err;
}
