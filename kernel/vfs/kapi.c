/* The kernel-internal path API (exec, the initramfs unpacker, boot code).
 * Paths are resolved like a syscall's from the current task's cwd and
 * root, or from "/" of the root mount while no task has an fs_struct.
 * Flags are kernel O_* values; modes are used as given (no umask), so an
 * unpacked archive gets exactly the modes it records. */
#include "internal.h"

/* Open path; NULL and *err = -errno on failure. */
struct file *vfs_open(const char *path, unsigned flags, mode_t mode, int *err)
{
	struct file *f = NULL;
	int e = do_filp_open(AT_FDCWD, path, flags, mode, &f);

	if (err)
		*err = e;
	return e ? NULL : f;
}

int vfs_mkdir(const char *path, mode_t mode)
{
	struct nameidata nd;
	int err = nd_init(&nd, AT_FDCWD, path, 0);

	if (!err)
		err = do_mkdir_nd(&nd, mode);
	nd_release(&nd);
	return err;
}

/* mode carries the type (S_IFCHR, S_IFIFO, ...); rdev in MKDEV() form. */
int vfs_mknod(const char *path, mode_t mode, dev_t rdev)
{
	struct nameidata nd;
	int err = nd_init(&nd, AT_FDCWD, path, 0);

	if (!err)
		err = do_mknod_nd(&nd, mode, rdev);
	nd_release(&nd);
	return err;
}

int vfs_symlink(const char *target, const char *path)
{
	struct nameidata nd;
	int err = nd_init(&nd, AT_FDCWD, path, 0);

	if (!err)
		err = do_symlink_nd(target, &nd);
	nd_release(&nd);
	return err;
}

/* Hard link; oldpath's final symlink is not followed (as link(2)). */
int vfs_link(const char *oldpath, const char *newpath)
{
	struct nameidata nd;
	struct dentry *old;
	int err = path_lookup_kernel(AT_FDCWD, oldpath, 0, &old);

	if (err)
		return err;
	err = nd_init(&nd, AT_FDCWD, newpath, 0);
	if (!err)
		err = do_link_nd(old, &nd);
	nd_release(&nd);
	dput(old);
	return err;
}

/* lchown semantics: a symlink itself is changed. Unlike chown(2) the
 * set-user/group-ID bits are kept: the unpacker sets the mode first. */
int vfs_chown(const char *path, uint32_t uid, uint32_t gid)
{
	struct dentry *d;
	int err = path_lookup_kernel(AT_FDCWD, path, 0, &d);

	if (err)
		return err;
	err = do_chown(d->inode, d->mnt->flags & MS_RDONLY, uid, gid, false);
	dput(d);
	return err;
}

/* Set atime and mtime to mtime_sec (seconds since the epoch), not
 * following a final symlink (as the initramfs unpacker needs). */
int vfs_utime(const char *path, int64_t mtime_sec)
{
	struct timespec64 ts[2] = { { mtime_sec, 0 }, { mtime_sec, 0 } };
	struct dentry *d;
	int err = path_lookup_kernel(AT_FDCWD, path, 0, &d);

	if (err)
		return err;
	err = do_utimes(d->inode, d->mnt->flags & MS_RDONLY, ts);
	dput(d);
	return err;
}

/* Core only: the calling task's root and working directory become path
 * (Linux's init_chroot() + init_chdir() after mounting root=). */
int vfs_chroot(const char *path)
{
	struct dentry *d, *d2;
	int err = path_lookup_kernel(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &d);

	if (err)
		return err;
	d2 = dget(d);
	set_current_root(d);
	set_current_cwd(d2);
	return 0;
}
