/* Socket inodes in the file system, for AF_UNIX path names [unix(7)]
 * "Pathname sockets": bind(2) creates one like mknod(2) would, connect(2)
 * and sendto(2) find one by path. The socket layer (kernel/net/) keys its
 * bound sockets by the inode these return. */
#include <kernel/net.h>
#include <kernel/sock_core.h>

#include "internal.h"

#define MAY_WRITE 2

/* Create a socket node at path (a kernel string) with mode & 07777 & ~umask:
 * 0 and the inode (referenced) in *out; -EADDRINUSE if the name exists
 * (Linux's unix_bind_bsd() turns mknod's EEXIST into it), or the walk's
 * error (-ENOENT, -ENOTDIR, -EACCES, -EROFS, -ENAMETOOLONG, -ELOOP). */
int vfs_sock_mknod(const char *path, mode_t mode, struct inode **out)
{
	struct nameidata nd;
	int err = nd_init(&nd, AT_FDCWD, path, 0);

	if (!err)
		err = nd_walk_parent(&nd);
	if (!err)
		err = do_mknod_nd_inode(&nd, S_IFSOCK | (mode & 07777 & ~current_umask()), 0, out);
	nd_release(&nd);
	return err == -EEXIST ? -EADDRINUSE : err;
}

/* The socket node path names (symlinks followed), referenced, in *out:
 * 0, -ECONNREFUSED (not a socket), -EACCES (no write permission, as
 * connect(2) requires), or the walk's error (-ENOENT, -ENOTDIR, ...). */
int vfs_sock_lookup(const char *path, struct inode **out)
{
	struct dentry *d;
	int err = path_lookup_kernel(AT_FDCWD, path, LOOKUP_FOLLOW, &d);

	if (err)
		return err;
	if (!S_ISSOCK(d->inode->mode))
		err = -ECONNREFUSED;
	else if (inode_permission(d->inode, MAY_WRITE, false))
		err = -EACCES;
	if (!err) {
		iget(d->inode);
		*out = d->inode;
	}
	dput(d);
	return err;
}

/* Does path name anything (symlinks not followed)? 0 if so, else the
 * walk's -errno. */
int vfs_sock_exists(const char *path)
{
	struct dentry *d;
	int err = path_lookup_kernel(AT_FDCWD, path, 0, &d);

	if (!err)
		dput(d);
	return err;
}
