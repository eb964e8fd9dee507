/* [getsockopt(2)], [setsockopt(2)]: the socket layer copies the value in
 * and out; every option, SOL_SOCKET's included, is the family's business
 * (its setsockopt/getsockopt), since the values live in its state. A
 * family without them answers -EOPNOTSUPP, as Linux's sock_no_*. */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/net.h>
#include <kernel/syscall.h>

#include "net_internal.h"

#define OPT_MAX 256 /* the largest option value we copy (struct linger, timeval, ucred fit) */

/* [setsockopt(2)]: -EINVAL for a negative length. */
SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, name, uintptr_t, uval, int, len)
{
	char val[OPT_MAX] = { 0 };
	struct file *f;
	int err;
	struct socket *sock;

	if (len < 0)
		return -EINVAL;
	sock = sockfd_lookup(fd, &f, &err);
	if (!sock)
		return err;
	if (len && copy_from_user(val, uval, MIN((size_t)len, sizeof(val))))
		err = -EFAULT;
	else if (!sock->ops->setsockopt)
		err = -EOPNOTSUPP;
	else
		err = SOCK_CALL(sock, sock->ops->setsockopt(sock, level, name, val, (unsigned)len));
	fput(f);
	return err;
}

/* [getsockopt(2)]: *optlen in (negative: -EINVAL) and out. */
SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, name, uintptr_t, uval, uintptr_t, ulen)
{
	char val[OPT_MAX] = { 0 };
	struct file *f;
	int32_t len;
	unsigned klen;
	int err;
	struct socket *sock = sockfd_lookup(fd, &f, &err);

	if (!sock)
		return err;
	if (copy_from_user(&len, ulen, sizeof(len))) {
		err = -EFAULT;
		goto out;
	}
	if (len < 0) {
		err = -EINVAL;
		goto out;
	}
	klen = MIN((unsigned)len, (unsigned)sizeof(val));
	if (!sock->ops->getsockopt) {
		err = -EOPNOTSUPP;
		goto out;
	}
	err = SOCK_CALL(sock, sock->ops->getsockopt(sock, level, name, val, &klen));
	if (err)
		goto out;
	len = (int32_t)klen;
	if ((klen && copy_to_user(uval, val, klen)) || copy_to_user(ulen, &len, sizeof(len)))
		err = -EFAULT;
out:
	fput(f);
	return err;
}
