/* In-kernel copies between files: [sendfile(2)], [copy_file_range(2)].
 * A simple loop through a one-page kernel buffer. */
#include <hal/usercopy.h>
#include <kernel/current.h>
#include <kernel/kmalloc.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>

#include "internal.h"

#define MAX_RW_COUNT (0x7fffffffUL & PAGE_MASK)

/* Copy up to count bytes from in (at *ipos) to out (at *opos, NULL: its
 * file position), a page at a time. Returns bytes copied (short when a
 * signal is pending after a page) or -errno if nothing was. May sleep. */
static ssize_t copy_loop(struct file *in, off_t *ipos, struct file *out, off_t *opos, size_t count)
{
	char *buf = kmalloc(PAGE_SIZE);
	size_t total = 0;
	ssize_t err = 0;

	if (!buf)
		return -ENOMEM;
	if (count > MAX_RW_COUNT)
		count = MAX_RW_COUNT;
	while (total < count) {
		size_t want = MIN(count - total, PAGE_SIZE);
		struct uio ru = { .kaddr = buf, .len = want, .is_user = false };
		struct uio wu = { .kaddr = buf, .is_user = false };
		ssize_t n, w;

		n = do_read(in, &ru, ipos);
		if (n <= 0) {
			err = n;
			break;
		}
		wu.len = (size_t)n;
		w = do_write(out, &wu, opos);
		if (w < 0) {
			err = w;
			*ipos -= n; /* nothing of this chunk went out */
			break;
		}
		total += (size_t)w;
		if (w < n) {
			*ipos -= n - w;
			break;
		}
		if ((size_t)n < want)
			break;
		/* Between pages, as Linux's splice loop (fs/splice.c
		 * splice_direct_to_actor): a signal ends the copy with the bytes
		 * copied so far, and other tasks get the CPU (count is the user's:
		 * up to 2 GiB). The fuzzer's 1 GiB sendfile to the console held the
		 * CPU for minutes (docs/reliability.md, tests/guest/t_fuzzfind.c). */
		if (total < count && current_signal_pending())
			break;
		cond_resched();
	}
	kfree(buf);
	return total ? (ssize_t)total : err;
}

/* [sendfile(2)]: offset NULL uses and advances in_fd's position; else
 * *offset is used and updated, in_fd's position untouched. */
SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, uintptr_t, uoffset, size_t, count)
{
	struct file *in = fget_current(in_fd), *out = fget_current(out_fd);
	off_t off;
	ssize_t r;

	r = -EBADF;
	if (!in || !out || !file_readable(in) || !file_writable(out))
		goto done;
	r = -EINVAL;
	if (out->flags & O_APPEND)
		goto done; /* [sendfile(2)] EINVAL: out_fd has O_APPEND */
	if (uoffset) {
		r = -EFAULT;
		if (copy_from_user(&off, uoffset, sizeof(off)))
			goto done;
		r = -EINVAL;
		if (off < 0)
			goto done;
		r = -ESPIPE;
		if (file_is_stream(in))
			goto done;
		r = copy_loop(in, &off, out, NULL, count);
		if (copy_to_user(uoffset, &off, sizeof(off)))
			r = -EFAULT;
	} else {
		r = copy_loop(in, &in->pos, out, NULL, count);
	}
done:
	if (in)
		fput(in);
	if (out)
		fput(out);
	return r;
}

/* [copy_file_range(2)]: between regular files; flags must be 0. */
SYSCALL_DEFINE6(copy_file_range, int, fd_in, uintptr_t, uoff_in, int, fd_out, uintptr_t, uoff_out,
		size_t, len, unsigned, flags)
{
	struct file *in = fget_current(fd_in), *out = fget_current(fd_out);
	off_t oin, oout;
	off_t *pin, *pout;
	ssize_t r;

	r = -EBADF;
	if (!in || !out || !file_readable(in) || !file_writable(out) || (out->flags & O_APPEND))
		goto done;
	r = -EINVAL;
	if (flags)
		goto done;
	if (S_ISDIR(in->inode->mode) || S_ISDIR(out->inode->mode)) {
		r = -EISDIR;
		goto done;
	}
	if (!S_ISREG(in->inode->mode) || !S_ISREG(out->inode->mode))
		goto done;
	r = -EFAULT;
	pin = &in->pos;
	pout = &out->pos;
	if (uoff_in) {
		if (copy_from_user(&oin, uoff_in, sizeof(oin)))
			goto done;
		pin = &oin;
	}
	if (uoff_out) {
		if (copy_from_user(&oout, uoff_out, sizeof(oout)))
			goto done;
		pout = &oout;
	}
	r = -EINVAL;
	if (*pin < 0 || *pout < 0)
		goto done;
	if (in->inode == out->inode && *pin < *pout + (off_t)len && *pout < *pin + (off_t)len)
		goto done; /* overlapping ranges of the same file */
	r = copy_loop(in, pin, out, pout, len);
	if (r >= 0 && uoff_in && copy_to_user(uoff_in, &oin, sizeof(oin)))
		r = -EFAULT;
	if (r >= 0 && uoff_out && copy_to_user(uoff_out, &oout, sizeof(oout)))
		r = -EFAULT;
done:
	if (in)
		fput(in);
	if (out)
		fput(out);
	return r;
}
