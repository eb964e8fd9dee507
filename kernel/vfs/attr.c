/* Changing attributes: [chmod(2)], [chown(2)], [truncate(2)] and their
 * fd and *at() forms. */
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "internal.h"
#include "locks.h"

static bool mnt_rdonly(const struct path_target *t)
{
	const struct dentry *d = t->dentry ? t->dentry : (t->file ? t->file->dentry : NULL);

	return d && (d->mnt->flags & MS_RDONLY);
}

/* [chmod(2)]: a read-only mount -EROFS (checked first, as Linux's
 * mnt_want_write()), someone else's file -EPERM; an owner who is not in
 * the file's group loses S_ISGID (Linux's setattr_prepare()). */
int do_chmod(struct inode *inode, bool rdonly, mode_t mode)
{
	struct iattr attr = { .valid = ATTR_MODE | ATTR_CTIME };

	if (rdonly)
		return -EROFS;
	if (!inode_owner_or_capable(inode))
		return -EPERM;
	if ((mode & S_ISGID) && !in_group_p(inode->gid) && current && current->fsuid != 0)
		mode &= ~(mode_t)S_ISGID;
	attr.mode = (inode->mode & S_IFMT) | (mode & 07777);
	attr.ctime = current_time();
	return fs_setattr(inode, &attr);
}

/* [chown(2)]: -1 leaves an id unchanged; changing the owner of a
 * non-directory clears set-user-ID and (if group-executable) set-group-ID. */
int do_chown(struct inode *inode, bool rdonly, uint32_t uid, uint32_t gid, bool kill_suid)
{
	struct iattr attr = { .valid = ATTR_CTIME };

	/* Linux's chown_ok()/chgrp_ok(): the owner may set the group to one
	 * of its own groups; only root may give a file away. */
	if (rdonly)
		return -EROFS;
	if (current && current->fsuid != 0) {
		bool owner = current->fsuid == inode->uid;

		if (uid != (uint32_t)-1 && (!owner || uid != inode->uid))
			return -EPERM;
		if (gid != (uint32_t)-1 && (!owner || (gid != inode->gid && !in_group_p(gid))))
			return -EPERM;
	}
	if (uid != (uint32_t)-1) {
		attr.valid |= ATTR_UID;
		attr.uid = uid;
	}
	if (gid != (uint32_t)-1) {
		attr.valid |= ATTR_GID;
		attr.gid = gid;
	}
	if (kill_suid && !S_ISDIR(inode->mode) && (attr.valid & (ATTR_UID | ATTR_GID))) {
		mode_t m = inode->mode & ~(mode_t)S_ISUID;

		if (m & 0010)
			m &= ~(mode_t)S_ISGID;
		if (m != inode->mode) {
			attr.valid |= ATTR_MODE;
			attr.mode = m;
		}
	}
	attr.ctime = current_time();
	return fs_setattr(inode, &attr);
}

/* [chmod(2)] fchmodat (the syscall has no flags argument) */
SYSCALL_DEFINE3(fchmodat, int, dirfd, uintptr_t, path, unsigned, mode)
{
	struct path_target t;
	int err = at_target_get(dirfd, path, false, LOOKUP_FOLLOW, &t);

	if (err)
		return err;
	err = do_chmod(t.inode, mnt_rdonly(&t), mode);
	at_target_put(&t);
	return err;
}

/* [chmod(2)] (x86_64) */
SYSCALL_DEFINE2(chmod, uintptr_t, path, unsigned, mode)
{
	unsigned long args[3] = { (unsigned long)(long)AT_FDCWD, path, mode };

	return sys_fchmodat(args);
}

/* [chmod(2)] fchmod */
SYSCALL_DEFINE2(fchmod, int, fd, unsigned, mode)
{
	struct file *f = fget_current(fd);
	int err;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH || !f->inode)
		err = -EBADF;
	else
		err = do_chmod(f->inode, f->dentry && (f->dentry->mnt->flags & MS_RDONLY), mode);
	fput(f);
	return err;
}

/* [chown(2)] fchownat */
SYSCALL_DEFINE5(fchownat, int, dirfd, uintptr_t, path, unsigned, uid, unsigned, gid, int, flags)
{
	struct path_target t;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = at_target_get(dirfd, path, flags & AT_EMPTY_PATH,
			    (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &t);
	if (err)
		return err;
	err = do_chown(t.inode, mnt_rdonly(&t), uid, gid, true);
	at_target_put(&t);
	return err;
}

/* [chown(2)] (x86_64) */
SYSCALL_DEFINE3(chown, uintptr_t, path, unsigned, uid, unsigned, gid)
{
	unsigned long args[5] = { (unsigned long)(long)AT_FDCWD, path, uid, gid, 0 };

	return sys_fchownat(args);
}

/* [chown(2)] lchown (x86_64) */
SYSCALL_DEFINE3(lchown, uintptr_t, path, unsigned, uid, unsigned, gid)
{
	unsigned long args[5] = { (unsigned long)(long)AT_FDCWD, path, uid, gid,
				  AT_SYMLINK_NOFOLLOW };

	return sys_fchownat(args);
}

/* [chown(2)] fchown */
SYSCALL_DEFINE3(fchown, int, fd, unsigned, uid, unsigned, gid)
{
	struct file *f = fget_current(fd);
	int err;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH || !f->inode)
		err = -EBADF;
	else
		err = do_chown(f->inode, f->dentry && (f->dentry->mnt->flags & MS_RDONLY), uid, gid,
			       true);
	fput(f);
	return err;
}

/* [truncate(2)]: a directory -EISDIR, other non-regular files -EINVAL. */
SYSCALL_DEFINE2(truncate, uintptr_t, path, off_t, length)
{
	struct dentry *d;
	int err;

	if (length < 0)
		return -EINVAL;
	err = path_lookup_user(AT_FDCWD, path, LOOKUP_FOLLOW, &d);
	if (err)
		return err;
	if (S_ISDIR(d->inode->mode))
		err = -EISDIR;
	else if (!S_ISREG(d->inode->mode))
		err = -EINVAL;
	else if (d->mnt->flags & MS_RDONLY)
		err = -EROFS;
	else
		err = inode_permission(d->inode, 2, false);
	if (!err)
		err = break_lease(d->inode, O_WRONLY); /* as a writer's open does */
	if (!err)
		err = do_truncate(d->inode, length);
	dput(d);
	return err;
}

/* [truncate(2)] ftruncate: the fd must be a regular file open for
 * writing (else -EINVAL, as Linux). */
SYSCALL_DEFINE2(ftruncate, int, fd, off_t, length)
{
	struct file *f;
	int err;

	if (length < 0)
		return -EINVAL;
	f = fget_current(fd);
	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		err = -EBADF;
	else if (!f->inode || !S_ISREG(f->inode->mode) || !file_writable(f))
		err = -EINVAL;
	else
		err = do_truncate(f->inode, length);
	fput(f);
	return err;
}

#define FALLOC_FL_KEEP_SIZE 0x01

/* [fallocate(2)]: memory-backed files need no reservation; mode 0 only
 * extends the size, KEEP_SIZE does nothing; other modes -EOPNOTSUPP. */
SYSCALL_DEFINE4(fallocate, int, fd, int, mode, off_t, off, off_t, len)
{
	struct file *f;
	int err = 0;

	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	f = fget_current(fd);
	if (!f)
		return -EBADF;
	if (!file_writable(f))
		err = -EBADF;
	else if (file_is_stream(f))
		err = -ESPIPE;
	else if (S_ISDIR(f->inode->mode))
		err = -EISDIR;
	else if (!S_ISREG(f->inode->mode))
		err = -ENODEV;
	else if (off > INT64_MAX - len)
		err = -EFBIG;
	else if (!(mode & FALLOC_FL_KEEP_SIZE) && (uint64_t)(off + len) > f->inode->size)
		err = do_truncate(f->inode, off + len);
	fput(f);
	return err;
}

/* readahead(2): nothing to do for memory-backed files. */
SYSCALL_DEFINE3(readahead, int, fd, off_t, off, size_t, count)
{
	struct file *f = fget_current(fd);
	int err = 0;

	if (!f)
		return -EBADF;
	if (!file_readable(f))
		err = -EBADF;
	else if (!S_ISREG(f->inode->mode))
		err = -EINVAL;
	fput(f);
	return err;
}
