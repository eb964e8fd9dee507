/* [rename(2)]: renameat2/renameat/rename. The VFS checks every rule that
 * does not depend on the file system (types, emptiness of a replaced
 * directory, moving a directory into itself, mount points, NOREPLACE and
 * EXCHANGE preconditions) and fixes the dentry cache after the move. */
#include <kernel/syscall.h>

#include "internal.h"

#define RENAME_NOREPLACE 1u
#define RENAME_EXCHANGE 2u
#define RENAME_WHITEOUT 4u

/* Linux's s_vfs_rename_mutex, one for the system: held from the lookup of
 * both names to the dentry move, so the "directory into itself" check
 * (d_is_descendant()) and the move see the same tree, and two renames on
 * different CPUs cannot make a loop between them. Order: rename_mutex ->
 * sb.s_dir_mutex -> dcache_lock. */
static struct mutex rename_mutex = MUTEX_INIT(rename_mutex, "rename_mutex");

static int rename_checks(struct nameidata *o, struct dentry *od, struct nameidata *n,
			 struct dentry *nd, unsigned flags)
{
	bool odir = S_ISDIR(od->inode->mode);
	bool ndir = nd->inode && S_ISDIR(nd->inode->mode);

	if ((flags & RENAME_EXCHANGE) && !nd->inode)
		return -ENOENT;
	if ((flags & RENAME_NOREPLACE) && nd->inode)
		return -EEXIST;
	/* A trailing slash is only allowed on directories. */
	if (!odir && (o->trailing_slash || (n->trailing_slash && !(flags & RENAME_EXCHANGE))))
		return -ENOTDIR;
	if ((flags & RENAME_EXCHANGE) && !ndir && n->trailing_slash)
		return -ENOTDIR;
	if (o->dir->mnt->flags & MS_RDONLY)
		return -EROFS;
	/* vfs_rename()'s permission checks: the old name may be removed, the
	 * new one added (or, if it exists, removed); a directory that moves
	 * to another parent must be writable (its ".." changes). */
	int err = may_delete(o->dir->inode, od->inode);
	if (!err)
		err = nd->inode ? may_delete(n->dir->inode, nd->inode) : may_create(n->dir->inode);
	if (!err && o->dir != n->dir) {
		if (odir)
			err = inode_permission(od->inode, MAY_WRITE, false);
		if (!err && ndir && (flags & RENAME_EXCHANGE))
			err = inode_permission(nd->inode, MAY_WRITE, false);
	}
	if (err)
		return err;
	if (od->mounted || nd->mounted)
		return -EBUSY;
	if (flags & RENAME_EXCHANGE) {
		if (odir && d_is_descendant(n->dir, od))
			return -EINVAL;
		if (ndir && d_is_descendant(o->dir, nd))
			return -EINVAL;
		return 0;
	}
	if (odir) {
		/* [rename(2)] EINVAL: "an attempt was made to make a directory
		 * a subdirectory of itself". */
		if (d_is_descendant(n->dir, od))
			return -EINVAL;
		if (nd->inode) {
			int empty;

			if (!ndir)
				return -ENOTDIR;
			empty = dir_is_empty(nd->inode);
			if (empty < 0)
				return empty;
			if (!empty)
				return -ENOTEMPTY;
		}
	} else if (ndir) {
		return -EISDIR;
	}
	return 0;
}

static long do_renameat2(int odfd, uintptr_t opath, int ndfd, uintptr_t npath, unsigned flags)
{
	struct nameidata o, n;
	struct dentry *od = NULL, *nd = NULL;
	bool locked = false;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL; /* no overlay file systems here */
	err = nd_init_user(&o, odfd, opath, 0);
	if (!err)
		err = nd_walk_parent(&o);
	if (err) {
		nd_release(&o);
		return err;
	}
	err = nd_init_user(&n, ndfd, npath, 0);
	if (!err)
		err = nd_walk_parent(&n);
	if (err)
		goto out;
	/* fs/namei.c do_renameat2: "/", "." and ".." are busy. */
	err = -EBUSY;
	if (o.last_type != LAST_NORM)
		goto out;
	if (n.last_type != LAST_NORM) {
		if (flags & RENAME_NOREPLACE)
			err = -EEXIST;
		goto out;
	}
	err = -EXDEV;
	if (o.dir->mnt != n.dir->mnt)
		goto out;
	mutex_lock(&rename_mutex);
	locked = true;
	err = nd_child(&o, &od);
	if (err)
		goto out;
	err = nd_child(&n, &nd);
	if (err)
		goto out;
	err = -ENOENT;
	if (!od->inode)
		goto out;
	/* The same file under both names: "rename() does nothing". */
	err = 0;
	if (od == nd || od->inode == nd->inode)
		goto out;
	err = rename_checks(&o, od, &n, nd, flags);
	if (err)
		goto out;
	err = fs_rename(o.dir->inode, o.last, o.last_len, n.dir->inode, n.last, n.last_len, flags);
	if (err)
		goto out;
	if (flags & RENAME_EXCHANGE) {
		d_exchange(od, nd);
	} else {
		d_delete(nd); /* replaced (or the negative placeholder) */
		if (d_move(od, n.dir, n.last, n.last_len))
			d_delete(od); /* out of memory: let lookups ask the fs */
	}
out:
	if (locked)
		mutex_unlock(&rename_mutex);
	dput(od);
	dput(nd);
	nd_release(&n);
	nd_release(&o);
	return err;
}

/* [rename(2)] renameat2 */
SYSCALL_DEFINE5(renameat2, int, olddirfd, uintptr_t, oldpath, int, newdirfd, uintptr_t, newpath,
		unsigned, flags)
{
	return do_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

/* [rename(2)] renameat */
SYSCALL_DEFINE4(renameat, int, olddirfd, uintptr_t, oldpath, int, newdirfd, uintptr_t, newpath)
{
	return do_renameat2(olddirfd, oldpath, newdirfd, newpath, 0);
}

/* [rename(2)] (x86_64) */
SYSCALL_DEFINE2(rename, uintptr_t, oldpath, uintptr_t, newpath)
{
	return do_renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}
