/* Moving data to and from pipes without a user buffer: [splice(2)],
 * [tee(2)], [vmsplice(2)]. Linux moves page references; here the bytes
 * are copied through a kernel buffer, which user space cannot tell apart.
 * Argument checks and errors follow Linux's fs/splice.c: -EINVAL for
 * unknown flags, when neither end is a pipe (tee: when either is not), or
 * for both ends of one pipe; -ESPIPE for an offset on a pipe end; -EBADF
 * for ends not open for reading/writing; SPLICE_F_NONBLOCK (or O_NONBLOCK
 * on a pipe end) turns waiting on a pipe into -EAGAIN.
 * Each call moves at most what one pipe holds (64 KiB); like Linux, a
 * short count is normal. The pipes' state is guarded by pipe.c. */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>

#include "internal.h"

#define SPLICE_F_MOVE 0x01
#define SPLICE_F_NONBLOCK 0x02
#define SPLICE_F_MORE 0x04
#define SPLICE_F_GIFT 0x08
#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)
#define SPLICE_MAX (64 * 1024) /* bytes per call: one full pipe */
#define UIO_MAXIOV 1024

static ssize_t kread(struct file *f, void *buf, size_t n, off_t *pos)
{
	struct uio u = { .kaddr = buf, .len = n, .is_user = false };

	return do_read(f, &u, pos);
}

static ssize_t kwrite(struct file *f, const void *buf, size_t n, off_t *pos)
{
	struct uio u = { .kaddr = (void *)buf, .len = n, .is_user = false };

	return do_write(f, &u, pos);
}

/* Pipe to pipe: what the reader end holds, as far as the writer end has
 * room. */
static ssize_t splice_pipe_to_pipe(struct file *in, struct file *out, size_t len, bool nonblock,
				   bool consume)
{
	ssize_t avail = pipe_wait_data(in, nonblock), room;
	size_t n;
	char *buf;

	if (avail <= 0)
		return avail;
	room = pipe_wait_space(out, nonblock);
	if (room < 0)
		return room;
	n = MIN(MIN(len, (size_t)avail), (size_t)room);
	buf = kmalloc(n);
	if (!buf)
		return -ENOMEM;
	if (consume) {
		ssize_t r = kread(in, buf, n, NULL);

		if (r <= 0) {
			kfree(buf);
			return r;
		}
		n = (size_t)r;
	} else {
		n = pipe_peek(in, buf, n);
	}
	ssize_t w = kwrite(out, buf, n, NULL);

	kfree(buf);
	return w;
}

/* Pipe to file at *pos: what the pipe holds, up to len. */
static ssize_t splice_from_pipe(struct file *in, struct file *out, off_t *pos, size_t len,
				bool nonblock)
{
	ssize_t avail = pipe_wait_data(in, nonblock);
	size_t n;
	char *buf;
	ssize_t r;

	if (avail <= 0)
		return avail;
	n = MIN(len, (size_t)avail);
	buf = kmalloc(n);
	if (!buf)
		return -ENOMEM;
	r = kread(in, buf, n, NULL);
	if (r > 0)
		r = kwrite(out, buf, (size_t)r, pos);
	kfree(buf);
	return r;
}

/* File at *pos to pipe: up to len bytes, as far as the pipe has room;
 * what the pipe did not take is given back to the file position. */
static ssize_t splice_to_pipe(struct file *in, off_t *pos, struct file *out, size_t len,
			      bool nonblock)
{
	ssize_t room = pipe_wait_space(out, nonblock), r, w;
	size_t n;
	char *buf;

	if (room < 0)
		return room;
	n = MIN(MIN(len, (size_t)room), (size_t)SPLICE_MAX);
	buf = kmalloc(n);
	if (!buf)
		return -ENOMEM;
	r = kread(in, buf, n, pos);
	w = r;
	if (r > 0) {
		w = kwrite(out, buf, (size_t)r, NULL);
		if (w < r)
			*pos -= r - (w > 0 ? w : 0);
	}
	kfree(buf);
	return w;
}

/* Read a loff_t offset argument: 0, -EFAULT. */
static int get_off(uintptr_t uoff, off_t *off)
{
	return copy_from_user(off, uoff, sizeof(*off)) ? -EFAULT : 0;
}

static ssize_t do_splice(struct file *in, uintptr_t uoff_in, struct file *out, uintptr_t uoff_out,
			 size_t len, unsigned flags)
{
	bool ipipe = file_is_pipe(in), opipe = file_is_pipe(out);
	bool nonblock = flags & SPLICE_F_NONBLOCK;
	off_t off;
	ssize_t r;

	if (!file_readable(in) || !file_writable(out))
		return -EBADF;
	if ((ipipe && uoff_in) || (opipe && uoff_out))
		return -ESPIPE;
	if (ipipe && opipe) {
		if (pipe_same(in, out))
			return -EINVAL;
		if ((in->flags | out->flags) & O_NONBLOCK)
			nonblock = true;
		return splice_pipe_to_pipe(in, out, len, nonblock, true);
	}
	if (ipipe) {
		if (out->flags & O_APPEND)
			return -EINVAL;
		if (in->flags & O_NONBLOCK)
			nonblock = true;
		if (!uoff_out)
			return splice_from_pipe(in, out, NULL, len, nonblock);
		if (file_is_stream(out))
			return -EINVAL;
		if (get_off(uoff_out, &off))
			return -EFAULT;
		if (off < 0)
			return -EINVAL;
		r = splice_from_pipe(in, out, &off, len, nonblock);
		if (r > 0 && copy_to_user(uoff_out, &off, sizeof(off)))
			return -EFAULT;
		return r;
	}
	if (opipe) {
		if (out->flags & O_NONBLOCK)
			nonblock = true;
		if (!uoff_in)
			return splice_to_pipe(in, &in->pos, out, len, nonblock);
		if (file_is_stream(in))
			return -EINVAL;
		if (get_off(uoff_in, &off))
			return -EFAULT;
		if (off < 0)
			return -EINVAL;
		r = splice_to_pipe(in, &off, out, len, nonblock);
		if (r >= 0 && copy_to_user(uoff_in, &off, sizeof(off)))
			return -EFAULT;
		return r;
	}
	return -EINVAL;
}

SYSCALL_DEFINE6(splice, int, fd_in, uintptr_t, off_in, int, fd_out, uintptr_t, off_out, size_t, len,
		unsigned, flags)
{
	struct file *in, *out;
	ssize_t r;

	if (!len)
		return 0;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	in = fget_current(fd_in);
	if (!in)
		return -EBADF;
	out = fget_current(fd_out);
	if (!out) {
		fput(in);
		return -EBADF;
	}
	r = do_splice(in, off_in, out, off_out, len, flags);
	fput(out);
	fput(in);
	return r;
}

/* [tee(2)]: copy, without consuming, from one pipe to another. */
SYSCALL_DEFINE4(tee, int, fd_in, int, fd_out, size_t, len, unsigned, flags)
{
	struct file *in, *out;
	ssize_t r;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (!len)
		return 0;
	in = fget_current(fd_in);
	if (!in)
		return -EBADF;
	out = fget_current(fd_out);
	if (!out) {
		fput(in);
		return -EBADF;
	}
	r = -EBADF;
	if (file_readable(in) && file_writable(out)) {
		r = -EINVAL;
		if (file_is_pipe(in) && file_is_pipe(out) && !pipe_same(in, out))
			r = splice_pipe_to_pipe(in, out, len,
						(flags & SPLICE_F_NONBLOCK) ||
							((in->flags | out->flags) & O_NONBLOCK),
						false);
	}
	fput(out);
	fput(in);
	return r;
}

struct splice_iovec {
	uint64_t base;
	uint64_t len;
};

/* User pages into the pipe (its write end): wait once for room, then
 * take what fits, in order. */
static ssize_t vmsplice_to_pipe(struct file *f, const struct splice_iovec *iov, unsigned long cnt,
				bool nonblock)
{
	ssize_t room, r = 0;
	size_t n = 0, total = 0;
	char *buf;

	for (unsigned long i = 0; i < cnt; i++)
		total += iov[i].len;
	if (!total)
		return 0;
	room = pipe_wait_space(f, nonblock);
	if (room < 0)
		return room;
	total = MIN(total, (size_t)room);
	if (!total)
		return 0;
	buf = kmalloc(total);
	if (!buf)
		return -ENOMEM;
	for (unsigned long i = 0; i < cnt && n < total; i++) {
		size_t k = MIN((size_t)iov[i].len, total - n);

		if (copy_from_user(buf + n, iov[i].base, k)) {
			r = -EFAULT;
			break;
		}
		n += k;
	}
	if (n)
		r = kwrite(f, buf, n, NULL);
	kfree(buf);
	return r;
}

/* The pipe's data (its read end) into user memory, like readv. */
static ssize_t vmsplice_to_user(struct file *f, const struct splice_iovec *iov, unsigned long cnt,
				bool nonblock)
{
	ssize_t avail, r;
	size_t total = 0, done = 0;
	char *buf;

	for (unsigned long i = 0; i < cnt; i++)
		total += iov[i].len;
	if (!total)
		return 0;
	avail = pipe_wait_data(f, nonblock);
	if (avail <= 0)
		return avail;
	total = MIN(total, (size_t)avail);
	if (!total)
		return 0;
	buf = kmalloc(total);
	if (!buf)
		return -ENOMEM;
	r = kread(f, buf, total, NULL);
	for (unsigned long i = 0; r > 0 && i < cnt && done < (size_t)r; i++) {
		size_t k = MIN((size_t)iov[i].len, (size_t)r - done);

		if (copy_to_user(iov[i].base, buf + done, k)) {
			r = done ? (ssize_t)done : -EFAULT; /* the rest is lost, as with readv */
			break;
		}
		done += k;
	}
	kfree(buf);
	return r;
}

/* [vmsplice(2)]: fd must be a pipe; its write end takes user memory, its
 * read end gives it (-EBADF for anything else). */
SYSCALL_DEFINE4(vmsplice, int, fd, uintptr_t, uiov, unsigned long, nr_segs, unsigned, flags)
{
	struct splice_iovec *iov;
	struct file *f;
	ssize_t r;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (nr_segs > UIO_MAXIOV)
		return -EINVAL;
	f = fget_current(fd);
	if (!f)
		return -EBADF;
	r = -EBADF;
	if (!file_is_pipe(f))
		goto out;
	r = -ENOMEM;
	iov = kmalloc(nr_segs * sizeof(*iov) + 1);
	if (!iov)
		goto out;
	r = -EFAULT;
	if (nr_segs && copy_from_user(iov, uiov, nr_segs * sizeof(*iov)))
		goto out_iov;
	r = -EINVAL;
	for (unsigned long i = 0, sum = 0; i < nr_segs; sum += iov[i].len, i++)
		if (iov[i].len > (uint64_t)INT64_MAX || sum + iov[i].len > (uint64_t)INT64_MAX)
			goto out_iov;
	if (file_writable(f))
		r = vmsplice_to_pipe(f, iov, nr_segs, flags & SPLICE_F_NONBLOCK);
	else
		r = vmsplice_to_user(f, iov, nr_segs, flags & SPLICE_F_NONBLOCK);
out_iov:
	kfree(iov);
out:
	fput(f);
	return r;
}
