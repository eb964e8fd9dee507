/* Creating and removing names: [mkdir(2)], [mknod(2)], [unlink(2)],
 * [rmdir(2)] and their *at forms, plus the shared creation step used by
 * symlink/link (namei_create). */
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "internal.h"

/* The negative dentry where a new name will go (fs/namei.c
 * filename_create): "/", "." and ".." -EEXIST; an existing name -EEXIST;
 * a missing name with a trailing slash (not allowed_slash) -ENOENT; a
 * read-only mount -EROFS. 0 and *child (referenced, negative). */
int namei_create(struct nameidata *nd, struct dentry **child, bool allow_slash)
{
	struct dentry *d;
	int err = path_parent_child(nd, &d, -EEXIST);

	if (err)
		return err;
	if (d->inode) {
		dput(d);
		return -EEXIST;
	}
	if (d_unlinked(nd->dir)) {
		dput(d);
		return -ENOENT; /* a removed directory takes no new names */
	}
	if (nd->trailing_slash && !allow_slash) {
		dput(d);
		return -ENOENT;
	}
	if (nd->dir->mnt->flags & MS_RDONLY) {
		dput(d);
		return -EROFS;
	}
	err = may_create(nd->dir->inode);
	if (err) {
		dput(d);
		return err;
	}
	*child = d;
	return 0;
}

/* mkdir with the final mode (umask already applied by the caller). */
int do_mkdir_nd(struct nameidata *nd, mode_t mode)
{
	struct dentry *d;
	struct inode *inode;
	int err = namei_create(nd, &d, true);

	if (err)
		return err;
	err = fs_mkdir(nd->dir->inode, nd->last, nd->last_len, S_IFDIR | (mode & 07777), &inode);
	if (!err) {
		d_instantiate(d, inode);
	}
	dput(d);
	return err;
}

/* [mknod(2)]: regular files, devices, FIFOs and sockets; directories are
 * -EPERM (use mkdir), other types -EINVAL; device nodes need privilege. */
int do_mknod_nd(struct nameidata *nd, mode_t mode, dev_t rdev)
{
	return do_mknod_nd_inode(nd, mode, rdev, NULL);
}

/* do_mknod_nd() that also hands back the new inode, referenced, in *out
 * (when out is non-NULL): bind(2) of an AF_UNIX socket keeps it. */
int do_mknod_nd_inode(struct nameidata *nd, mode_t mode, dev_t rdev, struct inode **out)
{
	struct dentry *d;
	struct inode *inode;
	int err;

	switch (mode & S_IFMT) {
	case 0: mode |= S_IFREG; break;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK: break;
	case S_IFCHR:
	case S_IFBLK:
		if (!current_is_root())
			return -EPERM;
		break;
	case S_IFDIR: return -EPERM;
	default: return -EINVAL;
	}
	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		rdev = 0;
	err = namei_create(nd, &d, false);
	if (err)
		return err;
	err = fs_mknod(nd->dir->inode, nd->last, nd->last_len, mode, rdev, &inode);
	if (!err) {
		d_instantiate(d, inode);
		if (out) {
			iget(inode);
			*out = inode;
		}
	}
	dput(d);
	return err;
}

/* [unlink(2)]: not for directories (-EISDIR, as Linux); a mount point is
 * -EBUSY. */
int do_unlink_nd(struct nameidata *nd)
{
	struct dentry *d;
	int err = path_parent_child(nd, &d, -EISDIR);

	if (err)
		return err;
	/* fs/namei.c do_unlinkat(): the mount's write access first, then
	 * the name, then vfs_unlink()'s may_delete(). */
	if (nd->dir->mnt->flags & MS_RDONLY)
		err = -EROFS;
	else if (!d->inode)
		err = -ENOENT;
	else if (nd->trailing_slash)
		err = S_ISDIR(d->inode->mode) ? -EISDIR : -ENOTDIR;
	else if ((err = may_delete(nd->dir->inode, d->inode)) != 0)
		;
	else if (S_ISDIR(d->inode->mode))
		err = -EISDIR;
	else if (d->mounted)
		err = -EBUSY;
	else
		err = fs_unlink(nd->dir->inode, nd->last, nd->last_len);
	if (!err)
		d_delete(d);
	dput(d);
	return err;
}

/* [rmdir(2)]: "." -EINVAL, ".." -ENOTEMPTY, "/" or a mount point -EBUSY,
 * non-directory -ENOTDIR; emptiness is the file system's check. */
int do_rmdir_nd(struct nameidata *nd)
{
	struct dentry *d;
	int err = nd_walk_parent(nd);

	if (err)
		return err;
	switch (nd->last_type) {
	case LAST_DOT: return -EINVAL;
	case LAST_DOTDOT: return -ENOTEMPTY;
	case LAST_ROOT:
	case LAST_EMPTY: return -EBUSY;
	case LAST_NORM: break;
	}
	err = nd_child(nd, &d);
	if (err)
		return err;
	if (nd->dir->mnt->flags & MS_RDONLY)
		err = -EROFS;
	else if (!d->inode)
		err = -ENOENT;
	else if ((err = may_delete(nd->dir->inode, d->inode)) != 0)
		;
	else if (!S_ISDIR(d->inode->mode))
		err = -ENOTDIR;
	else if (d->mounted)
		err = -EBUSY;
	else {
		struct dentry *root = current_root();

		if (d == root)
			err = -EBUSY;
		dput(root);
		if (!err)
			err = fs_rmdir(nd->dir->inode, nd->last, nd->last_len);
	}
	if (!err)
		d_delete(d);
	dput(d);
	return err;
}

/* [mkdir(2)] mkdirat */
SYSCALL_DEFINE3(mkdirat, int, dirfd, uintptr_t, path, unsigned, mode)
{
	struct nameidata nd;
	int err = nd_init_user(&nd, dirfd, path, 0);

	if (!err)
		err = do_mkdir_nd(&nd, mode & 01777 & ~current_umask());
	nd_release(&nd);
	return err;
}

/* [mkdir(2)] (x86_64) */
SYSCALL_DEFINE2(mkdir, uintptr_t, path, unsigned, mode)
{
	unsigned long args[3] = { (unsigned long)(long)AT_FDCWD, path, mode };

	return sys_mkdirat(args);
}

/* [mknod(2)] mknodat. dev is the 32-bit new_encode_dev() value, which is
 * what MKDEV() encodes. */
SYSCALL_DEFINE4(mknodat, int, dirfd, uintptr_t, path, unsigned, mode, unsigned, dev)
{
	struct nameidata nd;
	int err = nd_init_user(&nd, dirfd, path, 0);

	if (!err)
		err = do_mknod_nd(&nd, (mode & S_IFMT) | (mode & 07777 & ~current_umask()),
				  (dev_t)dev);
	nd_release(&nd);
	return err;
}

/* [mknod(2)] (x86_64) */
SYSCALL_DEFINE3(mknod, uintptr_t, path, unsigned, mode, unsigned, dev)
{
	unsigned long args[4] = { (unsigned long)(long)AT_FDCWD, path, mode, dev };

	return sys_mknodat(args);
}

/* [unlink(2)] unlinkat: AT_REMOVEDIR makes it rmdir. */
SYSCALL_DEFINE3(unlinkat, int, dirfd, uintptr_t, path, int, flags)
{
	struct nameidata nd;
	int err;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	err = nd_init_user(&nd, dirfd, path, 0);
	if (!err)
		err = (flags & AT_REMOVEDIR) ? do_rmdir_nd(&nd) : do_unlink_nd(&nd);
	nd_release(&nd);
	return err;
}

/* [unlink(2)] (x86_64) */
SYSCALL_DEFINE1(unlink, uintptr_t, path)
{
	unsigned long args[3] = { (unsigned long)(long)AT_FDCWD, path, 0 };

	return sys_unlinkat(args);
}

/* [rmdir(2)] (x86_64) */
SYSCALL_DEFINE1(rmdir, uintptr_t, path)
{
	unsigned long args[3] = { (unsigned long)(long)AT_FDCWD, path, AT_REMOVEDIR };

	return sys_unlinkat(args);
}
