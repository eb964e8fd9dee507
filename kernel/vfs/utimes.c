/* File timestamps: [utimensat(2)] (and futimens through it), and the
 * x86_64 legacy [utimes(2)], futimesat, [utime(2)]. */
#include <hal/usercopy.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>

#include "internal.h"

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

static bool nsec_ok(int64_t ns)
{
	return (ns >= 0 && ns < NSEC_PER_SEC) || ns == UTIME_NOW || ns == UTIME_OMIT;
}

/* Set atime (times[0]) and mtime (times[1]); ctime becomes now. Explicit
 * times need ownership (-EPERM), "now" needs ownership or write
 * permission (-EACCES). */
int do_utimes(struct inode *inode, bool rdonly, const struct timespec64 *times)
{
	struct timespec64 now = current_time();
	struct iattr attr = { .valid = ATTR_CTIME, .ctime = now };
	bool explicit_time = false;

	for (int k = 0; k < 2; k++) {
		struct timespec64 ts = times ? times[k] : now;

		if (times && ts.tv_nsec == UTIME_OMIT)
			continue;
		if (times && ts.tv_nsec == UTIME_NOW)
			ts = now;
		else if (times)
			explicit_time = true;
		if (k == 0) {
			attr.valid |= ATTR_ATIME;
			attr.atime = ts;
		} else {
			attr.valid |= ATTR_MTIME;
			attr.mtime = ts;
		}
	}
	/* Linux's utimes_common(): the mount's write access first. */
	if (rdonly)
		return -EROFS;
	if (!inode_owner_or_capable(inode)) {
		if (explicit_time)
			return -EPERM;
		if (inode_permission(inode, MAY_WRITE, false))
			return -EACCES;
	}
	return fs_setattr(inode, &attr);
}

/* times: NULL (now) or two valid timespecs; path NULL: the file dirfd. */
static long utimes_common(int dirfd, uintptr_t path, const struct timespec64 *times, int flags)
{
	struct path_target t;
	const struct dentry *d;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (times && (!nsec_ok(times[0].tv_nsec) || !nsec_ok(times[1].tv_nsec)))
		return -EINVAL;
	if (!path) {
		struct file *f;

		if (dirfd == AT_FDCWD)
			return -EFAULT;
		if (flags & AT_SYMLINK_NOFOLLOW)
			return -EINVAL;
		f = fget_current(dirfd);
		if (!f)
			return -EBADF;
		err = (f->flags & O_PATH) ?
			      -EBADF :
			      do_utimes(f->inode, f->dentry && (f->dentry->mnt->flags & MS_RDONLY),
					times);
		fput(f);
		return err;
	}
	err = at_target_get(dirfd, path, flags & AT_EMPTY_PATH,
			    (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &t);
	if (err)
		return err;
	d = t.dentry ? t.dentry : (t.file ? t.file->dentry : NULL);
	err = do_utimes(t.inode, d && (d->mnt->flags & MS_RDONLY), times);
	at_target_put(&t);
	return err;
}

/* [utimensat(2)] */
SYSCALL_DEFINE4(utimensat, int, dirfd, uintptr_t, path, uintptr_t, utimes, int, flags)
{
	struct timespec64 ts[2];

	if (utimes) {
		if (copy_from_user(ts, utimes, sizeof(ts)))
			return -EFAULT;
		/* "Nothing to do, we must not even check the path" (fs/utimes.c) */
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0;
	}
	return utimes_common(dirfd, path, utimes ? ts : NULL, flags);
}

struct timeval64 {
	int64_t tv_sec;
	int64_t tv_usec;
};

static long futimesat_common(int dirfd, uintptr_t path, uintptr_t utv)
{
	struct timeval64 tv[2];
	struct timespec64 ts[2];

	if (!utv)
		return utimes_common(dirfd, path, NULL, 0);
	if (copy_from_user(tv, utv, sizeof(tv)))
		return -EFAULT;
	for (int k = 0; k < 2; k++) {
		if (tv[k].tv_usec < 0 || tv[k].tv_usec >= 1000000)
			return -EINVAL;
		ts[k].tv_sec = tv[k].tv_sec;
		ts[k].tv_nsec = tv[k].tv_usec * 1000;
	}
	return utimes_common(dirfd, path, ts, 0);
}

/* futimesat(2) (x86_64) */
SYSCALL_DEFINE3(futimesat, int, dirfd, uintptr_t, path, uintptr_t, times)
{
	return futimesat_common(dirfd, path, times);
}

/* [utimes(2)] (x86_64) */
SYSCALL_DEFINE2(utimes, uintptr_t, path, uintptr_t, times)
{
	return futimesat_common(AT_FDCWD, path, times);
}

/* [utime(2)] (x86_64): struct utimbuf { time_t actime, modtime; }. */
SYSCALL_DEFINE2(utime, uintptr_t, path, uintptr_t, times)
{
	int64_t buf[2];
	struct timespec64 ts[2];

	if (!times)
		return utimes_common(AT_FDCWD, path, NULL, 0);
	if (copy_from_user(buf, times, sizeof(buf)))
		return -EFAULT;
	ts[0].tv_sec = buf[0];
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = buf[1];
	ts[1].tv_nsec = 0;
	return utimes_common(AT_FDCWD, path, ts, 0);
}
