/* Descriptor manipulation: [dup(2)] dup/dup2/dup3, [fcntl(2)], [flock(2)],
 * and the no-op sync family ([fsync(2)], [sync(2)], posix_fadvise(2)):
 * every file system here lives in memory. */
#include <hal/usercopy.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "internal.h"

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_SETOWN 8
#define F_GETOWN 9
#define F_SETSIG 10
#define F_GETSIG 11
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_SETLEASE 1024
#define F_GETLEASE 1025
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define FD_CLOEXEC 1
#define F_UNLCK 2

/* struct flock on 64-bit Linux (x86_64 and asm-generic): 32 bytes. */
struct linux_flock {
	int16_t l_type;
	int16_t l_whence;
	int32_t __pad;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
	int32_t __pad2;
};
_Static_assert(sizeof(struct linux_flock) == 32, "struct flock is 32 bytes");

/* F_SETFL may change these ([fcntl(2)]); the access mode and creation
 * flags are ignored. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)

static long do_dupfd(int oldfd, int minfd, bool cloexec)
{
	struct files *tab = current_files();
	struct file *f;
	int fd;

	if (minfd < 0 || minfd >= fd_limit())
		return -EINVAL;
	f = fd_get(tab, oldfd);
	if (!f)
		return -EBADF;
	fd = fd_install(tab, f, minfd, cloexec);
	if (fd < 0)
		fput(f);
	return fd;
}

/* [dup(2)] */
SYSCALL_DEFINE1(dup, int, oldfd)
{
	struct files *tab = current_files();
	struct file *f = fd_get(tab, oldfd);
	int fd;

	if (!f)
		return -EBADF;
	fd = fd_install(tab, f, 0, false);
	if (fd < 0)
		fput(f);
	return fd;
}

static long do_dup3(int oldfd, int newfd, int flags)
{
	struct files *tab = current_files();
	struct file *f;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL; /* [dup(2)] dup3: "oldfd equals newfd" */
	if (newfd < 0 || newfd >= fd_limit())
		return -EBADF;
	f = fd_get(tab, oldfd);
	if (!f)
		return -EBADF;
	return fd_install_at(tab, newfd, f, flags & O_CLOEXEC);
}

/* [dup(2)] dup3 */
SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, int, flags)
{
	return do_dup3(oldfd, newfd, flags);
}

/* [dup(2)] dup2 (x86_64): same fd returns it if valid. */
SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
	if (oldfd == newfd) {
		struct file *f = fget_current(oldfd);

		if (!f)
			return -EBADF;
		fput(f);
		return newfd;
	}
	return do_dup3(oldfd, newfd, 0);
}

/* Record locks are accepted and not enforced (one process at a time uses
 * a file here); F_GETLK reports the region unlocked. */
static long do_lock(uintptr_t arg, bool get)
{
	struct linux_flock fl;

	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	if (fl.l_type < 0 || fl.l_type > F_UNLCK)
		return -EINVAL;
	if (!get)
		return 0;
	fl.l_type = F_UNLCK;
	return copy_to_user(arg, &fl, sizeof(fl)) ? -EFAULT : 0;
}

/* [fcntl(2)] */
SYSCALL_DEFINE3(fcntl, int, fd, unsigned, cmd, unsigned long, arg)
{
	struct files *tab = current_files();
	struct file *f;
	long r;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return do_dupfd(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		r = fd_get_cloexec(tab, fd);
		return r < 0 ? r : (r ? FD_CLOEXEC : 0);
	case F_SETFD:
		return fd_set_cloexec(tab, fd, arg & FD_CLOEXEC);
	}
	f = fd_get(tab, fd);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_GETFL:
		r = (long)oflags_to_user(f->flags);
		break;
	case F_SETFL:
		if (f->flags & O_PATH) {
			r = -EBADF;
			break;
		}
		f->flags = (f->flags & ~SETFL_MASK) | (oflags_from_user(arg) & SETFL_MASK);
		r = 0;
		break;
	case F_GETLK:
	case F_OFD_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		r = (f->flags & O_PATH) ? -EBADF
				       : do_lock(arg, cmd == F_GETLK || cmd == F_OFD_GETLK);
		break;
	case F_GETOWN:
	case F_GETSIG:
	case F_GETLEASE:
		r = cmd == F_GETLEASE ? F_UNLCK : 0;
		break;
	case F_SETOWN:
	case F_SETSIG:
		r = 0;
		break;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		r = file_is_pipe(f) ? pipe_fcntl_size(f) : -EBADF;
		break;
	case F_ADD_SEALS:
	case F_GET_SEALS:
	case F_SETLEASE:
	default:
		r = -EINVAL;
		break;
	}
	fput(f);
	return r;
}

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

/* [flock(2)]: accepted, not enforced. */
SYSCALL_DEFINE2(flock, int, fd, unsigned, op)
{
	struct file *f = fget_current(fd);
	unsigned kind = op & ~(unsigned)LOCK_NB;

	if (!f)
		return -EBADF;
	fput(f);
	if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
		return -EINVAL;
	return 0;
}

static long fd_noop(int fd)
{
	struct file *f = fget_current(fd);

	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

/* [fsync(2)] */
SYSCALL_DEFINE1(fsync, int, fd)
{
	return fd_noop(fd);
}

/* [fsync(2)] fdatasync */
SYSCALL_DEFINE1(fdatasync, int, fd)
{
	return fd_noop(fd);
}

/* [sync(2)] */
SYSCALL_DEFINE0(sync)
{
	return 0;
}

/* [sync(2)] syncfs */
SYSCALL_DEFINE1(syncfs, int, fd)
{
	return fd_noop(fd);
}

/* sync_file_range(2) */
SYSCALL_DEFINE4(sync_file_range, int, fd, off_t, off, off_t, nbytes, unsigned, flags)
{
	if (flags & ~7u || off < 0 || nbytes < 0)
		return -EINVAL;
	return fd_noop(fd);
}

/* [posix_fadvise(2)] fadvise64: advice 0..5 accepted; pipes -ESPIPE. */
SYSCALL_DEFINE4(fadvise64, int, fd, off_t, off, off_t, len, int, advice)
{
	struct file *f = fget_current(fd);
	long r = 0;

	if (!f)
		return -EBADF;
	if (file_is_stream(f))
		r = -ESPIPE;
	else if (advice < 0 || advice > 5 || len < 0)
		r = -EINVAL;
	fput(f);
	return r;
}
