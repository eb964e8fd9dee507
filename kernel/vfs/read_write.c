/* Data transfer: [read(2)], [write(2)], [readv(2)]/[writev(2)],
 * [pread(2)]/[pwrite(2)], preadv/pwritev(2), preadv2/pwritev2, [lseek(2)],
 * and the kernel API vfs_read/vfs_write. */
#include <kernel/eventpoll.h>
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "internal.h"

#define MAX_RW_COUNT (0x7fffffffUL & PAGE_MASK) /* Linux caps one transfer */
#define UIO_MAXIOV 1024
#define BOUNCE_MAX (16 * 1024) /* vectored I/O through one f_op call per chunk */

bool file_is_stream(const struct file *f)
{
	return file_is_pipe(f) ||
	       (f->inode && (S_ISFIFO(f->inode->mode) || S_ISSOCK(f->inode->mode)));
}

ssize_t do_read(struct file *f, struct uio *u, off_t *pos)
{
	if (!file_readable(f))
		return -EBADF;
	if (f->inode && S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (u->len > MAX_RW_COUNT)
		u->len = MAX_RW_COUNT;
	return file_op_read(f, u, pos ? pos : &f->pos);
}

/* [setrlimit(2)] RLIMIT_FSIZE, [write(2)] EFBIG: a write to a regular file
 * at or past the limit raises SIGXFSZ and fails; one that crosses it is
 * cut at the limit. An empty write never fails. */
int file_size_limit(struct inode *inode, uint64_t pos, size_t *len)
{
	uint64_t lim;

	if (!current || !inode || !S_ISREG(inode->mode) || !*len)
		return 0;
	lim = current->rlim[RLIMIT_FSIZE].rlim_cur;
	if (lim == RLIM_INFINITY)
		return 0;
	if (pos >= lim) {
		send_signal(current, SIGXFSZ, NULL);
		return -EFBIG;
	}
	if (*len > lim - pos)
		*len = (size_t)(lim - pos);
	return 0;
}

/* Linux's file_remove_privs(): a write by anyone but root (CAP_FSETID)
 * clears S_ISUID, and S_ISGID of a group-executable file ([write(2)],
 * [inode(7)] "The set-user-ID and set-group-ID bits"). 0 or -errno. */
static int file_remove_privs(struct inode *inode)
{
	mode_t m = inode->mode;
	struct iattr attr = { .valid = ATTR_MODE };

	if (!S_ISREG(m) || !current || current->fsuid == 0)
		return 0;
	m &= ~(mode_t)S_ISUID;
	if (m & 0010)
		m &= ~(mode_t)S_ISGID;
	if (m == inode->mode)
		return 0;
	attr.mode = m;
	return fs_setattr(inode, &attr);
}

ssize_t do_write(struct file *f, struct uio *u, off_t *pos)
{
	ssize_t n;
	int err;

	bool append = (f->flags & O_APPEND) && f->inode && S_ISREG(f->inode->mode);

	if (!file_writable(f))
		return -EBADF;
	if (u->len > MAX_RW_COUNT)
		u->len = MAX_RW_COUNT;
	/* [write(2)] O_APPEND: "the file offset is first set to the end of
	 * the file"; [pwrite(2)] BUGS: Linux appends for pwrite too. Setting
	 * the offset and writing are one atomic step because the core never
	 * switches tasks inside a regular-file write (tmpfs writes do not
	 * sleep); with SMP this needs the inode's lock, as Linux takes
	 * inode_lock() in generic_file_write_iter(). (Concurrent writers that
	 * lseek(SEEK_END) then write are only safe under a lock they hold:
	 * tests/guest/t_wrrace.c.) */
	if (append) {
		if (pos)
			*pos = (off_t)f->inode->size;
		else
			f->pos = (off_t)f->inode->size;
	}
	err = file_size_limit(f->inode, (uint64_t)(pos ? *pos : f->pos), &u->len);
	if (!err && u->len && f->inode)
		err = memfd_write_check(f->inode, (uint64_t)(pos ? *pos : f->pos), u->len);
	if (!err && f->inode && u->len)
		err = file_remove_privs(f->inode);
	if (err)
		return err;
	n = file_op_write(f, u, pos ? pos : &f->pos);
	if (n > 0)
		fsnotify_file(f, IN_MODIFY);
	return n;
}

static struct uio user_uio(uintptr_t buf, size_t len)
{
	struct uio u = { .uaddr = buf, .len = len, .is_user = true };

	return u;
}

/* Kernel reads/writes (exec, mmap, the initramfs unpacker): pos NULL
 * means the file position. No access-mode check: the caller chose. */
ssize_t vfs_read(struct file *f, void *buf, size_t len, off_t *pos)
{
	struct uio u = { .kaddr = buf, .len = len, .is_user = false };

	if (f->flags & O_PATH)
		return -EBADF;
	if (f->inode && S_ISDIR(f->inode->mode))
		return -EISDIR;
	return file_op_read(f, &u, pos ? pos : &f->pos);
}

ssize_t vfs_write(struct file *f, const void *buf, size_t len, off_t *pos)
{
	struct uio u = { .kaddr = (void *)buf, .len = len, .is_user = false };

	if (f->flags & O_PATH)
		return -EBADF;
	if ((f->flags & O_APPEND) && !pos && f->inode && S_ISREG(f->inode->mode))
		f->pos = (off_t)f->inode->size;
	return file_op_write(f, &u, pos ? pos : &f->pos);
}

/* [read(2)] */
SYSCALL_DEFINE3(read, int, fd, uintptr_t, buf, size_t, count)
{
	struct file *f = fget_current(fd);
	struct uio u = user_uio(buf, count);
	ssize_t r;

	if (!f)
		return -EBADF;
	r = do_read(f, &u, NULL);
	fput(f);
	return r;
}

/* [write(2)] */
SYSCALL_DEFINE3(write, int, fd, uintptr_t, buf, size_t, count)
{
	struct file *f = fget_current(fd);
	struct uio u = user_uio(buf, count);
	ssize_t r;

	if (!f)
		return -EBADF;
	r = do_write(f, &u, NULL);
	fput(f);
	return r;
}

static long pread_common(int fd, uintptr_t buf, size_t count, off_t off, bool write)
{
	struct file *f;
	struct uio u = user_uio(buf, count);
	ssize_t r;

	if (off < 0)
		return -EINVAL;
	f = fget_current(fd);
	if (!f)
		return -EBADF;
	if (file_is_stream(f))
		r = -ESPIPE;
	else
		r = write ? do_write(f, &u, &off) : do_read(f, &u, &off);
	fput(f);
	return r;
}

/* [pread(2)] */
SYSCALL_DEFINE4(pread64, int, fd, uintptr_t, buf, size_t, count, off_t, off)
{
	return pread_common(fd, buf, count, off, false);
}

/* [pwrite(2)] */
SYSCALL_DEFINE4(pwrite64, int, fd, uintptr_t, buf, size_t, count, off_t, off)
{
	return pread_common(fd, buf, count, off, true);
}

struct iovec64 {
	uint64_t base;
	uint64_t len;
};

/* Copy and validate an iovec array ([readv(2)] EINVAL: iovcnt out of
 * range or the lengths overflow ssize_t). *out kmalloc'd. */
static long import_iovec(uintptr_t uiov, int iovcnt, struct iovec64 **out, size_t *total)
{
	struct iovec64 *iov;
	uint64_t sum = 0;

	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return -EINVAL;
	iov = kmalloc(sizeof(*iov) * (size_t)(iovcnt ? iovcnt : 1));
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, uiov, sizeof(*iov) * (size_t)iovcnt)) {
		kfree(iov);
		return -EFAULT;
	}
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].len > (uint64_t)INT64_MAX || sum + iov[i].len > (uint64_t)INT64_MAX) {
			kfree(iov);
			return -EINVAL;
		}
		sum += iov[i].len;
	}
	*out = iov;
	*total = sum > MAX_RW_COUNT ? MAX_RW_COUNT : (size_t)sum;
	return 0;
}

/* One segment goes straight to the file; several go through a kernel
 * bounce buffer, one f_op call per chunk, so a pipe or tty sees one
 * read (no blocking between segments) and small writes stay atomic. */
static ssize_t rw_iovec(struct file *f, const struct iovec64 *iov, int iovcnt, size_t total,
			off_t *pos, bool write)
{
	size_t done = 0, seg = 0, seg_off = 0;
	char *bounce;
	ssize_t err = 0;

	if (iovcnt == 1) {
		struct uio u = user_uio(iov[0].base, total);

		return write ? do_write(f, &u, pos) : do_read(f, &u, pos);
	}
	if (!total) {
		struct uio u = user_uio(0, 0);

		return write ? do_write(f, &u, pos) : do_read(f, &u, pos);
	}
	bounce = kmalloc(MIN(total, (size_t)BOUNCE_MAX));
	if (!bounce)
		return -ENOMEM;
	while (done < total) {
		size_t chunk = MIN(total - done, (size_t)BOUNCE_MAX);
		struct uio ku = { .kaddr = bounce, .len = chunk, .is_user = false };
		ssize_t n;

		if (write) {
			/* Gather chunk bytes from the segments. */
			size_t got = 0;

			while (got < chunk) {
				size_t n2 = MIN(chunk - got, (size_t)(iov[seg].len - seg_off));

				if (n2 &&
				    copy_from_user(bounce + got, iov[seg].base + seg_off, n2)) {
					err = -EFAULT;
					break;
				}
				got += n2;
				seg_off += n2;
				if (seg_off == iov[seg].len) {
					seg++;
					seg_off = 0;
				}
			}
			if (err)
				break;
			n = do_write(f, &ku, pos);
		} else {
			n = do_read(f, &ku, pos);
			/* Scatter what came. */
			size_t put = 0;

			while (n > 0 && put < (size_t)n) {
				size_t n2 = MIN((size_t)n - put, (size_t)(iov[seg].len - seg_off));

				if (n2 && copy_to_user(iov[seg].base + seg_off, bounce + put, n2)) {
					err = -EFAULT;
					break;
				}
				put += n2;
				seg_off += n2;
				if (seg_off == iov[seg].len) {
					seg++;
					seg_off = 0;
				}
			}
			if (err)
				break;
		}
		if (n < 0) {
			err = n;
			break;
		}
		done += (size_t)n;
		/* A short transfer ends the call; so does any read from a
		 * stream (the next one could block). */
		if ((size_t)n < chunk ||
		    (!write && (file_is_stream(f) || !S_ISREG(f->inode->mode))))
			break;
	}
	kfree(bounce);
	return done ? (ssize_t)done : err;
}

static long vectored(int fd, uintptr_t uiov, int iovcnt, off_t *pos, bool write)
{
	struct iovec64 *iov;
	struct file *f;
	size_t total;
	long r;

	f = fget_current(fd);
	if (!f)
		return -EBADF;
	if (write ? !file_writable(f) : !file_readable(f)) {
		fput(f);
		return -EBADF;
	}
	if (pos && file_is_stream(f)) {
		fput(f);
		return -ESPIPE;
	}
	r = import_iovec(uiov, iovcnt, &iov, &total);
	if (!r) {
		r = rw_iovec(f, iov, iovcnt, total, pos, write);
		kfree(iov);
	}
	fput(f);
	return r;
}

/* [readv(2)] */
SYSCALL_DEFINE3(readv, int, fd, uintptr_t, iov, int, iovcnt)
{
	return vectored(fd, iov, iovcnt, NULL, false);
}

/* [writev(2)] */
SYSCALL_DEFINE3(writev, int, fd, uintptr_t, iov, int, iovcnt)
{
	return vectored(fd, iov, iovcnt, NULL, true);
}

/* [preadv(2)]: on 64-bit the offset is pos_l alone (pos_from_hilo). */
SYSCALL_DEFINE5(preadv, int, fd, uintptr_t, iov, int, iovcnt, off_t, pos_l, unsigned long, pos_h)
{
	if (pos_l < 0)
		return -EINVAL;
	return vectored(fd, iov, iovcnt, &pos_l, false);
}

SYSCALL_DEFINE5(pwritev, int, fd, uintptr_t, iov, int, iovcnt, off_t, pos_l, unsigned long, pos_h)
{
	if (pos_l < 0)
		return -EINVAL;
	return vectored(fd, iov, iovcnt, &pos_l, true);
}

#define RWF_SUPPORTED 0x1fu /* HIPRI DSYNC SYNC NOWAIT APPEND: accepted, ignored */

/* preadv2/pwritev2 ([preadv2(2)]): offset -1 uses and updates the file
 * position. */
SYSCALL_DEFINE6(preadv2, int, fd, uintptr_t, iov, int, iovcnt, off_t, pos_l, unsigned long, pos_h,
		unsigned, flags)
{
	if (flags & ~RWF_SUPPORTED)
		return -EOPNOTSUPP;
	if (pos_l == -1)
		return vectored(fd, iov, iovcnt, NULL, false);
	if (pos_l < 0)
		return -EINVAL;
	return vectored(fd, iov, iovcnt, &pos_l, false);
}

SYSCALL_DEFINE6(pwritev2, int, fd, uintptr_t, iov, int, iovcnt, off_t, pos_l, unsigned long, pos_h,
		unsigned, flags)
{
	if (flags & ~RWF_SUPPORTED)
		return -EOPNOTSUPP;
	if (pos_l == -1)
		return vectored(fd, iov, iovcnt, NULL, true);
	if (pos_l < 0)
		return -EINVAL;
	return vectored(fd, iov, iovcnt, &pos_l, true);
}

/* Generic lseek on the inode size ([lseek(2)]; SEEK_DATA/SEEK_HOLE treat
 * the whole file as data). */
off_t llseek_size(struct file *f, off_t off, int whence, off_t size, off_t max)
{
	off_t base;

	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->pos; break;
	case SEEK_END: base = size; break;
	case SEEK_DATA:
		if (off < 0 || off >= size)
			return -ENXIO;
		return f->pos = off;
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		return f->pos = size;
	default: return -EINVAL;
	}
	if ((off > 0 && base > max - off) || base + off < 0)
		return -EINVAL; /* [lseek(2)] EINVAL: negative result; EOVERFLOW is for 32-bit */
	return f->pos = base + off;
}

static off_t generic_llseek(struct file *f, off_t off, int whence)
{
	return llseek_size(f, off, whence, f->inode ? (off_t)f->inode->size : 0, INT64_MAX);
}

/* [lseek(2)]: -ESPIPE on pipes, FIFOs and sockets; the file's llseek
 * when it has one; else by size, except devices (-ESPIPE, e.g. ttys). */
SYSCALL_DEFINE3(lseek, int, fd, off_t, off, unsigned, whence)
{
	struct file *f = fget_current(fd);
	off_t r;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (file_is_stream(f))
		r = -ESPIPE;
	else if (whence > SEEK_HOLE)
		r = -EINVAL;
	else {
		r = file_op_llseek(f, off, (int)whence);
		/* Without an llseek op, files and directories seek by size;
		 * devices do not seek (Linux: no FMODE_LSEEK, e.g. ttys). */
		if (r == -ENOSYS)
			r = (f->inode && (S_ISCHR(f->inode->mode) || S_ISBLK(f->inode->mode))) ?
				    -ESPIPE :
				    generic_llseek(f, off, (int)whence);
	}
	fput(f);
	return r;
}
