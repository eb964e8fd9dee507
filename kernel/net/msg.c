/* Moving data through sockets: [send(2)] sendto/sendmsg/sendmmsg,
 * [recv(2)] recvfrom/recvmsg/recvmmsg. The user's struct msghdr is copied
 * and checked here (iovec, name, control) and handed to the family as a
 * struct kmsghdr whose data moves through a struct msg_iter. */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/net.h>
#include <kernel/syscall.h>
#include <kernel/time.h>
#include <string.h>

#include "../vfs/internal.h"
#include "net_internal.h"

#define UIO_MAXIOV 1024
#define MAX_RW_COUNT 0x7ffff000UL /* Linux caps one transfer at INT_MAX & PAGE_MASK */
#define INT_MAX_ 0x7fffffff

/* struct msghdr and struct mmsghdr of 64-bit Linux. */
struct user_msghdr {
	uint64_t msg_name;
	int32_t msg_namelen;
	uint32_t pad0;
	uint64_t msg_iov;
	uint64_t msg_iovlen;
	uint64_t msg_control;
	uint64_t msg_controllen;
	int32_t msg_flags;
	uint32_t pad1;
};
struct user_mmsghdr {
	struct user_msghdr hdr;
	uint32_t msg_len;
	uint32_t pad;
};

/* ---- the iterator ----------------------------------------------------------- */

static int iter_move(struct msg_iter *it, void *kbuf, size_t n, bool to_user)
{
	if (n > it->count)
		return -EINVAL;
	if (it->kbuf) {
		if (to_user)
			memcpy(it->kbuf, kbuf, n);
		else
			memcpy(kbuf, it->kbuf, n);
		it->kbuf = (char *)it->kbuf + n;
		it->count -= n;
		return 0;
	}
	while (n) {
		const struct iovec64 *v = &it->iov[it->seg];
		size_t chunk = MIN(n, (size_t)(v->len - it->seg_off));
		uintptr_t ua = (uintptr_t)(v->base + it->seg_off);
		int bad;

		if (!chunk) {
			it->seg++;
			it->seg_off = 0;
			continue;
		}
		bad = to_user ? copy_to_user(ua, kbuf, chunk) != 0 :
				copy_from_user(kbuf, ua, chunk) != 0;
		if (bad)
			return -EFAULT;
		kbuf = (char *)kbuf + chunk;
		n -= chunk;
		it->count -= chunk;
		it->seg_off += chunk;
		if (it->seg_off == v->len) {
			it->seg++;
			it->seg_off = 0;
		}
	}
	return 0;
}

int msg_iter_copy_from(struct msg_iter *it, void *dst, size_t n)
{
	return iter_move(it, dst, n, false);
}

int msg_iter_copy_to(struct msg_iter *it, const void *src, size_t n)
{
	return iter_move(it, (void *)src, n, true); /* only read when to_user */
}

/* Copy and check the user's iovec ([writev(2)] EINVAL for a total past
 * ssize_t; Linux's sendmsg: -EMSGSIZE for more than UIO_MAXIOV segments). */
static int import_iov(uint64_t uiov, uint64_t nr, struct iovec64 **out, struct msg_iter *it)
{
	struct iovec64 *iov;
	uint64_t total = 0;

	memset(it, 0, sizeof(*it));
	*out = NULL;
	if (nr > UIO_MAXIOV)
		return -EMSGSIZE;
	if (!nr)
		return 0;
	iov = kmalloc(sizeof(*iov) * nr);
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, (uintptr_t)uiov, sizeof(*iov) * nr)) {
		kfree(iov);
		return -EFAULT;
	}
	for (uint64_t i = 0; i < nr; i++) {
		if (iov[i].len > (uint64_t)INT64_MAX) {
			kfree(iov);
			return -EINVAL;
		}
		/* A transfer is cut to MAX_RW_COUNT, as Linux's import_iovec(). */
		if (total + iov[i].len > MAX_RW_COUNT)
			iov[i].len = MAX_RW_COUNT - total;
		total += iov[i].len;
	}
	*out = iov;
	it->iov = iov;
	it->nr_segs = (unsigned)nr;
	it->count = total;
	return 0;
}

/* ---- control messages out ------------------------------------------------------ */

int put_cmsg(struct kmsghdr *m, int level, int type, const void *data, size_t len)
{
	struct cmsghdr64 h;
	size_t cmlen = CMSG_LEN64(len);
	uintptr_t at = m->ucontrol + m->ucontrol_used;
	size_t room = m->ucontrollen - m->ucontrol_used;

	if (!m->ucontrol || room < sizeof(h)) {
		m->msg_flags |= MSG_CTRUNC;
		return 0;
	}
	if (room < cmlen) {
		m->msg_flags |= MSG_CTRUNC;
		cmlen = room;
	}
	h.cmsg_len = cmlen;
	h.cmsg_level = level;
	h.cmsg_type = type;
	if (copy_to_user(at, &h, sizeof(h)) ||
	    copy_to_user(at + CMSG_HDRLEN, data, cmlen - CMSG_HDRLEN))
		return -EFAULT;
	m->ucontrol_used += MIN(CMSG_SPACE64(len), room);
	return 0;
}

/* ---- the calls ---------------------------------------------------------------- */

static ssize_t do_send(struct socket *sock, struct file *f, struct kmsghdr *m)
{
	ssize_t r;

	if (f->flags & O_NONBLOCK)
		m->flags |= MSG_DONTWAIT;
	if (!sock->ops->sendmsg)
		return -EOPNOTSUPP;
	r = SOCK_CALL(sock, sock->ops->sendmsg(sock, m));
	if (r == -EPIPE && !(m->flags & MSG_NOSIGNAL))
		sock_sigpipe();
	return r;
}

static ssize_t do_recv(struct socket *sock, struct file *f, struct kmsghdr *m)
{
	if (f->flags & O_NONBLOCK)
		m->flags |= MSG_DONTWAIT;
	if (!sock->ops->recvmsg)
		return -EOPNOTSUPP;
	return SOCK_CALL(sock, sock->ops->recvmsg(sock, m));
}

/* [send(2)] sendto: send() is sendto with no address. */
SYSCALL_DEFINE6(sendto, int, fd, uintptr_t, buf, size_t, len, unsigned, flags, uintptr_t, uaddr,
		int, alen)
{
	struct sockaddr_storage addr;
	struct iovec64 seg = { buf, MIN(len, (size_t)MAX_RW_COUNT) };
	struct kmsghdr m = { .flags = flags };
	struct file *f;
	int err;
	ssize_t r;
	struct socket *sock = sockfd_lookup(fd, &f, &err);

	if (!sock)
		return err;
	m.iter.iov = &seg;
	m.iter.nr_segs = 1;
	m.iter.count = seg.len;
	if (uaddr) {
		err = sockaddr_from_user(uaddr, alen, &addr);
		if (err) {
			fput(f);
			return err;
		}
		m.name = &addr;
		m.namelen = alen;
	}
	r = do_send(sock, f, &m);
	fput(f);
	return r;
}

/* [recv(2)] recvfrom: the sender's address into uaddr/ulen when given. */
SYSCALL_DEFINE6(recvfrom, int, fd, uintptr_t, buf, size_t, len, unsigned, flags, uintptr_t, uaddr,
		uintptr_t, ulen)
{
	struct sockaddr_storage addr;
	struct iovec64 seg = { buf, MIN(len, (size_t)MAX_RW_COUNT) };
	struct kmsghdr m = { .flags = flags, .name = &addr };
	struct file *f;
	int err;
	ssize_t r;
	struct socket *sock = sockfd_lookup(fd, &f, &err);

	if (!sock)
		return err;
	memset(&addr, 0, sizeof(addr));
	m.iter.iov = &seg;
	m.iter.nr_segs = 1;
	m.iter.count = seg.len;
	r = do_recv(sock, f, &m);
	fput(f);
	if (r >= 0 && uaddr) {
		err = sockaddr_to_user(&addr, m.namelen, uaddr, ulen);
		if (err)
			return err;
	}
	return r;
}

static ssize_t sendmsg_one(struct socket *sock, struct file *f, uintptr_t umsg, unsigned flags)
{
	struct user_msghdr um;
	struct sockaddr_storage addr;
	struct kmsghdr m = { .flags = flags };
	struct iovec64 *iov = NULL;
	ssize_t r;

	if (copy_from_user(&um, umsg, sizeof(um)))
		return -EFAULT;
	if (um.msg_name && um.msg_namelen) {
		r = sockaddr_from_user((uintptr_t)um.msg_name, um.msg_namelen, &addr);
		if (r)
			return r;
		m.name = &addr;
		m.namelen = um.msg_namelen;
	}
	r = import_iov(um.msg_iov, um.msg_iovlen, &iov, &m.iter);
	if (r)
		return r;
	if (um.msg_controllen > INT_MAX_) {
		kfree(iov);
		return -ENOBUFS;
	}
	if (um.msg_controllen) {
		m.control = kmalloc(um.msg_controllen);
		m.controllen = um.msg_controllen;
		if (!m.control) {
			r = -ENOMEM;
			goto out;
		}
		if (copy_from_user(m.control, (uintptr_t)um.msg_control, um.msg_controllen)) {
			r = -EFAULT;
			goto out;
		}
	}
	r = do_send(sock, f, &m);
out:
	kfree(m.control);
	kfree(iov);
	return r;
}

static ssize_t recvmsg_one(struct socket *sock, struct file *f, uintptr_t umsg, unsigned flags)
{
	struct user_msghdr um;
	struct sockaddr_storage addr;
	struct kmsghdr m = { .flags = flags };
	struct iovec64 *iov = NULL;
	ssize_t r;
	int32_t nl;

	if (copy_from_user(&um, umsg, sizeof(um)))
		return -EFAULT;
	if (um.msg_namelen < 0)
		return -EINVAL;
	memset(&addr, 0, sizeof(addr));
	if (um.msg_name)
		m.name = &addr;
	r = import_iov(um.msg_iov, um.msg_iovlen, &iov, &m.iter);
	if (r)
		return r;
	m.ucontrol = (uintptr_t)um.msg_control;
	m.ucontrollen = um.msg_controllen;
	r = do_recv(sock, f, &m);
	kfree(iov);
	if (r < 0)
		return r;
	nl = 0;
	if (um.msg_name && m.namelen) {
		nl = MIN(m.namelen, um.msg_namelen);
		if (nl && copy_to_user((uintptr_t)um.msg_name, &addr, (size_t)nl))
			return -EFAULT;
		nl = m.namelen;
	}
	um.msg_namelen = nl;
	um.msg_controllen = m.ucontrol_used;
	um.msg_flags = (int32_t)m.msg_flags;
	if (copy_to_user(umsg + offsetof(struct user_msghdr, msg_namelen), &um.msg_namelen,
			 sizeof(um.msg_namelen)) ||
	    copy_to_user(umsg + offsetof(struct user_msghdr, msg_controllen), &um.msg_controllen,
			 sizeof(um.msg_controllen)) ||
	    copy_to_user(umsg + offsetof(struct user_msghdr, msg_flags), &um.msg_flags,
			 sizeof(um.msg_flags)))
		return -EFAULT;
	return r;
}

/* [sendmsg(2)] */
SYSCALL_DEFINE3(sendmsg, int, fd, uintptr_t, umsg, unsigned, flags)
{
	struct file *f;
	int err;
	ssize_t r;
	struct socket *sock = sockfd_lookup(fd, &f, &err);

	if (!sock)
		return err;
	r = sendmsg_one(sock, f, umsg, flags);
	fput(f);
	return r;
}

/* [recvmsg(2)] */
SYSCALL_DEFINE3(recvmsg, int, fd, uintptr_t, umsg, unsigned, flags)
{
	struct file *f;
	int err;
	ssize_t r;
	struct socket *sock = sockfd_lookup(fd, &f, &err);

	if (!sock)
		return err;
	r = recvmsg_one(sock, f, umsg, flags);
	fput(f);
	return r;
}

/* [sendmmsg(2)]: up to vlen (capped at UIO_MAXIOV) messages; the number
 * sent, each one's msg_len set; an error only if the first one fails. */
SYSCALL_DEFINE4(sendmmsg, int, fd, uintptr_t, uvec, unsigned, vlen, unsigned, flags)
{
	struct file *f;
	int err;
	unsigned done = 0;
	ssize_t r = 0;
	struct socket *sock = sockfd_lookup(fd, &f, &err);

	if (!sock)
		return err;
	vlen = MIN(vlen, (unsigned)UIO_MAXIOV);
	for (; done < vlen; done++) {
		uintptr_t um = uvec + done * sizeof(struct user_mmsghdr);
		uint32_t sent;

		r = sendmsg_one(sock, f, um, flags);
		if (r < 0)
			break;
		sent = (uint32_t)r;
		if (copy_to_user(um + offsetof(struct user_mmsghdr, msg_len), &sent,
				 sizeof(sent))) {
			r = -EFAULT;
			break;
		}
	}
	fput(f);
	return done ? (long)done : (long)r;
}

/* [recvmmsg(2)]: MSG_WAITFORONE makes every message after the first
 * MSG_DONTWAIT; the timeout is checked after each message (as Linux,
 * see the man page's BUGS). */
SYSCALL_DEFINE5(recvmmsg, int, fd, uintptr_t, uvec, unsigned, vlen, unsigned, flags, uintptr_t,
		utimeout)
{
	struct timespec64 ts;
	uint64_t deadline = 0;
	bool nowait = false;
	struct file *f;
	int err;
	unsigned done = 0;
	ssize_t r = 0;
	struct socket *sock;

	if (utimeout) {
		if (copy_from_user(&ts, utimeout, sizeof(ts)))
			return -EFAULT;
		err = timeout_to_deadline(ts.tv_sec, ts.tv_nsec, &deadline, &nowait);
		if (err)
			return err;
	}
	sock = sockfd_lookup(fd, &f, &err);
	if (!sock)
		return err;
	vlen = MIN(vlen, (unsigned)UIO_MAXIOV);
	for (; done < vlen; done++) {
		uintptr_t um = uvec + done * sizeof(struct user_mmsghdr);
		uint32_t got;

		r = recvmsg_one(sock, f, um, flags);
		if (r < 0)
			break;
		got = (uint32_t)r;
		if (copy_to_user(um + offsetof(struct user_mmsghdr, msg_len), &got, sizeof(got))) {
			r = -EFAULT;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (utimeout && (nowait || (deadline && !deadline_remaining(deadline)))) {
			done++;
			break;
		}
	}
	fput(f);
	if (utimeout && done) {
		uint64_t left = deadline ? deadline_remaining(deadline) : 0;

		ts.tv_sec = (int64_t)(left / NSEC_PER_SEC);
		ts.tv_nsec = (int64_t)(left % NSEC_PER_SEC);
		copy_to_user(utimeout, &ts, sizeof(ts));
	}
	return done ? (long)done : (long)r;
}
