/* Descriptor manipulation: [dup(2)] dup/dup2/dup3, [fcntl(2)], [flock(2)],
 * and the no-op sync family ([fsync(2)], [sync(2)], posix_fadvise(2)):
 * every file system here lives in memory. */
#include <kernel/blkdev.h>
#include <hal/usercopy.h>
#include <kernel/eventpoll.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include <kernel/signal.h>

#include "internal.h"
#include "locks.h"

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
#define F_NOTIFY 1026
#define F_SETLEASE 1024
#define F_GETLEASE 1025
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SETOWN_EX 15
#define F_GETOWN_EX 16
#define FD_CLOEXEC 1
#define NSIG 64

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

/* struct f_owner_ex ([fcntl(2)] F_SETOWN_EX). */
struct f_owner_ex {
	int32_t type;
	int32_t pid;
};

/* Does a thread, process or process group numbered pid exist? */
static bool owner_exists(int type, int pid)
{
	struct task *t;

	if (type == F_OWNER_PGRP)
		return kill_pgrp(pid, 0, NULL) != -ESRCH;
	t = pid > 0 ? task_lookup(pid) : NULL;
	put_task(t);
	return t != NULL;
}

/* [fcntl(2)] F_SETOWN: pid > 0 a process, < 0 the process group -pid,
 * 0 nobody. -ESRCH if it does not exist (Linux's find_vpid()). */
static long set_owner(struct file *f, int type, int pid)
{
	if (pid && !owner_exists(type, pid))
		return -ESRCH;
	f->owner_type = type;
	f->owner_pid = pid;
	return 0;
}

static long fcntl_setown(struct file *f, int who)
{
	if (who == INT32_MIN)
		return -EINVAL;
	return who < 0 ? set_owner(f, F_OWNER_PGRP, -who) : set_owner(f, F_OWNER_PID, who);
}

static long fcntl_setown_ex(struct file *f, uintptr_t arg)
{
	struct f_owner_ex o;

	if (copy_from_user(&o, arg, sizeof(o)))
		return -EFAULT;
	if (o.type != F_OWNER_TID && o.type != F_OWNER_PID && o.type != F_OWNER_PGRP)
		return -EINVAL;
	return set_owner(f, o.type, o.pid);
}

static long fcntl_getown_ex(struct file *f, uintptr_t arg)
{
	struct f_owner_ex o = { .type = f->owner_type, .pid = f->owner_pid };

	return copy_to_user(arg, &o, sizeof(o)) ? -EFAULT : 0;
}

/* F_GETOWN: a process group is reported negated. */
static long fcntl_getown(struct file *f)
{
	return f->owner_type == F_OWNER_PGRP ? -(long)f->owner_pid : f->owner_pid;
}

/* [fcntl(2)] */
SYSCALL_DEFINE3(fcntl, int, fd, unsigned, cmd, unsigned long, arg)
{
	struct files *tab = current_files();
	struct file *f;
	long r;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: return do_dupfd(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD: r = fd_get_cloexec(tab, fd); return r < 0 ? r : (r ? FD_CLOEXEC : 0);
	case F_SETFD: return fd_set_cloexec(tab, fd, arg & FD_CLOEXEC);
	}
	f = fd_get(tab, fd);
	if (!f)
		return -EBADF;
	/* [open(2)] O_PATH: only the descriptor commands and F_GETFL. */
	if ((f->flags & O_PATH) && cmd != F_GETFL) {
		fput(f);
		return -EBADF;
	}
	switch (cmd) {
	case F_GETFL: r = (long)oflags_to_user(f->flags); break;
	case F_SETFL:
		f->flags = (f->flags & ~SETFL_MASK) | (oflags_from_user(arg) & SETFL_MASK);
		r = 0;
		break;
	case F_GETLK:
	case F_OFD_GETLK: r = f->inode ? fcntl_getlk(f, cmd == F_OFD_GETLK, arg) : -EBADF; break;
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		r = f->inode ? fcntl_setlk(fd, f, cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW,
					   cmd == F_SETLKW || cmd == F_OFD_SETLKW, arg) :
			       -EBADF;
		break;
	case F_GETOWN: r = fcntl_getown(f); break;
	case F_SETOWN: r = fcntl_setown(f, (int)arg); break;
	case F_GETOWN_EX: r = fcntl_getown_ex(f, arg); break;
	case F_SETOWN_EX: r = fcntl_setown_ex(f, arg); break;
	case F_GETSIG: r = f->owner_sig; break;
	case F_SETSIG:
		r = arg > NSIG ? -EINVAL : 0; /* [fcntl(2)] F_SETSIG: 0 means SIGIO */
		if (!r)
			f->owner_sig = (int)arg;
		break;
	case F_GETLEASE: r = fcntl_getlease(f); break;
	case F_SETLEASE: r = fcntl_setlease(f, arg); break;
	case F_NOTIFY: r = dnotify_fcntl(f, arg); break;
	case F_GETPIPE_SZ: r = pipe_fcntl_size(f); break;
	case F_SETPIPE_SZ: r = pipe_set_size(f, arg); break;
	case F_ADD_SEALS: r = memfd_add_seals(f, arg); break;
	case F_GET_SEALS: r = memfd_get_seals(f); break;
	default: r = -EINVAL; break;
	}
	fput(f);
	return r;
}

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
#define LOCK_MAND 32

/* [flock(2)]: the operation is checked before the descriptor, as Linux
 * does; LOCK_MAND requests are ignored (Linux 5.15+: success, no lock). */
SYSCALL_DEFINE2(flock, int, fd, unsigned, op)
{
	unsigned kind = op & ~(unsigned)LOCK_NB;
	struct file *f;
	long r;

	if (op & LOCK_MAND)
		return 0;
	if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
		return -EINVAL;
	f = fget_current(fd);
	if (!f)
		return -EBADF;
	if ((f->flags & O_PATH) || !f->inode)
		r = -EBADF;
	else
		r = file_flock(f, op);
	fput(f);
	return r;
}

static long fd_noop(int fd)
{
	struct file *f = fget_current(fd);

	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

/* [fsync(2)]: the file's fsync op (a block device commits its write
 * cache); files without one have nothing cached. */
static long fd_fsync(int fd)
{
	struct file *f = fget_current(fd);
	long r;

	if (!f)
		return -EBADF;
	r = (f->flags & O_PATH) ? -EBADF : file_op_fsync(f);
	fput(f);
	return r;
}

SYSCALL_DEFINE1(fsync, int, fd)
{
	return fd_fsync(fd);
}

/* [fsync(2)] fdatasync */
SYSCALL_DEFINE1(fdatasync, int, fd)
{
	return fd_fsync(fd);
}

/* [sync(2)]: "causes all pending modifications to file system metadata
 * and cached file data to be written to the underlying file systems". */
void ksys_sync(void)
{
	struct mount *m;

	list_for_each_entry(m, &mount_list, list)
		fs_sync(m->sb);
	blk_sync_all();
}

SYSCALL_DEFINE0(sync)
{
	ksys_sync();
	return 0;
}

/* [sync(2)] syncfs: only the file system holding fd; its -EIO is reported
 * (Linux >= 5.8). */
SYSCALL_DEFINE1(syncfs, int, fd)
{
	struct file *f = fget_current(fd);
	long r;

	if (!f)
		return -EBADF;
	r = fs_sync(f->inode->sb);
	fput(f);
	return r;
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
