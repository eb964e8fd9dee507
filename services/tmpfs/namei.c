/* tmpfs directory operations: lookup, create, mkdir, mknod, symlink, link,
 * unlink, rmdir, rename. Permission checks, path walking and the
 * rename pre-checks (types, emptiness, loops) are the VFS's; these
 * functions re-check what would corrupt the tree if it were wrong.
 * [open(2)], [mkdir(2)], [mknod(2)], [symlink(2)], [link(2)], [unlink(2)],
 * [rmdir(2)], [rename(2)] */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <string.h>

#include "tmpfs.h"

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4

static int check_name(const char *name, size_t len)
{
	if (len == 0)
		return -ENOENT;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static int tmpfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct tmpfs_dirent *de;

	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	de = tmpfs_dir_find(dir, name, len);
	if (!de)
		return -ENOENT;
	iget(de->inode);
	*out = de->inode;
	return 0;
}

/* Make a new inode of type mode and link it as name; *out referenced. */
static int make_node(struct inode *dir, const char *name, size_t len, mode_t mode, dev_t rdev,
		     struct inode **out)
{
	int r = check_name(name, len);

	if (r)
		return r;
	if (tmpfs_dir_find(dir, name, len))
		return -EEXIST;
	struct inode *inode = tmpfs_new_inode(dir->sb, dir, mode, rdev);
	if (!inode)
		return -ENOMEM;
	r = tmpfs_dir_add(dir, name, len, inode);
	if (r) {
		inode->nlink = 0;
		iput(inode);
		return r;
	}
	if (S_ISDIR(mode))
		dir->nlink++; /* the child's ".." */
	*out = inode;
	return 0;
}

static int tmpfs_create(struct inode *dir, const char *name, size_t len, mode_t mode,
			struct inode **out)
{
	return make_node(dir, name, len, S_IFREG | (mode & 07777), 0, out);
}

static int tmpfs_mkdir(struct inode *dir, const char *name, size_t len, mode_t mode,
		       struct inode **out)
{
	return make_node(dir, name, len, S_IFDIR | (mode & 07777), 0, out);
}

/* mknod(2): a device node, FIFO, socket or (type 0 / S_IFREG) regular file. */
static int tmpfs_mknod(struct inode *dir, const char *name, size_t len, mode_t mode, dev_t rdev,
		       struct inode **out)
{
	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		/* FALLTHROUGH */
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK: rdev = 0; break;
	case S_IFCHR:
	case S_IFBLK: break;
	case S_IFDIR: return -EPERM;
	default: return -EINVAL;
	}
	return make_node(dir, name, len, mode & (S_IFMT | 07777), rdev, out);
}

static int tmpfs_symlink(struct inode *dir, const char *name, size_t len, const char *target,
			 struct inode **out)
{
	size_t tlen = strnlen(target, PATH_MAX);

	if (tlen == 0)
		return -ENOENT;
	if (tlen >= PATH_MAX)
		return -ENAMETOOLONG;
	char *copy = kmalloc(tlen + 1);
	if (!copy)
		return -ENOMEM;
	if (tmpfs_charge(dir->sb, (int64_t)tlen + 1)) {
		kfree(copy);
		return -ENOSPC;
	}
	memcpy(copy, target, tlen + 1);

	struct inode *inode;
	int r = make_node(dir, name, len, S_IFLNK | 0777, 0, &inode);
	if (r) {
		tmpfs_charge(dir->sb, -((int64_t)tlen + 1));
		kfree(copy);
		return r;
	}
	TI(inode)->symlink.target = copy;
	TI(inode)->symlink.len = tlen;
	inode->size = tlen;
	*out = inode;
	return 0;
}

static int tmpfs_link(struct inode *dir, const char *name, size_t len, struct inode *inode)
{
	int r = check_name(name, len);

	if (r)
		return r;
	if (S_ISDIR(inode->mode))
		return -EPERM;
	if (inode->sb != dir->sb)
		return -EXDEV;
	if (inode->nlink == 0)
		return -ENOENT; /* linkat(2) of an unlinked open file */
	if (tmpfs_dir_find(dir, name, len))
		return -EEXIST;
	r = tmpfs_dir_add(dir, name, len, inode);
	if (r)
		return r;
	inode->nlink++;
	inode->ctime = current_time();
	return 0;
}

static int tmpfs_unlink(struct inode *dir, const char *name, size_t len)
{
	struct tmpfs_dirent *de = tmpfs_dir_find(dir, name, len);

	if (!de)
		return -ENOENT;
	if (S_ISDIR(de->inode->mode))
		return -EISDIR;
	de->inode->nlink--;
	de->inode->ctime = current_time();
	tmpfs_dir_remove(dir, de);
	return 0;
}

/* Remove the directory entry de (an empty directory) from dir. */
static void remove_dir_entry(struct inode *dir, struct tmpfs_dirent *de)
{
	struct inode *child = de->inode;

	child->nlink = 0;
	child->ctime = current_time();
	dir->nlink--;
	tmpfs_dir_remove(dir, de);
}

static int tmpfs_rmdir(struct inode *dir, const char *name, size_t len)
{
	struct tmpfs_dirent *de = tmpfs_dir_find(dir, name, len);

	if (!de)
		return -ENOENT;
	if (!S_ISDIR(de->inode->mode))
		return -ENOTDIR;
	if (!list_empty(&TI(de->inode)->dir.entries))
		return -ENOTEMPTY;
	remove_dir_entry(dir, de);
	return 0;
}

/* A directory moving from odir to ndir: its ".." moves, so do the link
 * counts. */
static void reparent(struct inode *child, struct inode *odir, struct inode *ndir)
{
	if (!S_ISDIR(child->mode) || odir == ndir)
		return;
	odir->nlink--;
	ndir->nlink++;
}

static int rename_exchange(struct inode *odir, struct tmpfs_dirent *ode, struct inode *ndir,
			   struct tmpfs_dirent *nde)
{
	struct inode *a = ode->inode, *b = nde->inode;
	struct timespec64 now = current_time();

	ode->inode = b;
	nde->inode = a;
	reparent(a, odir, ndir);
	reparent(b, ndir, odir);
	a->ctime = now;
	b->ctime = now;
	tmpfs_touch(odir);
	tmpfs_touch(ndir);
	return 0;
}

/* rename(2)/renameat2(2) within this file system. A replaced target is
 * unlinked (an empty directory replaced by a directory, a non-directory
 * by a non-directory); renaming onto another link of the same inode does
 * nothing. RENAME_EXCHANGE swaps the two names. */
static int tmpfs_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
			const char *nname, size_t nlen, unsigned flags)
{
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	if (odir->sb != ndir->sb)
		return -EXDEV;
	int r = check_name(nname, nlen);
	if (r)
		return r;

	struct tmpfs_dirent *ode = tmpfs_dir_find(odir, oname, olen);
	if (!ode)
		return -ENOENT;
	struct tmpfs_dirent *nde = tmpfs_dir_find(ndir, nname, nlen);
	struct inode *inode = ode->inode;

	if (flags & RENAME_EXCHANGE) {
		if (!nde)
			return -ENOENT;
		return rename_exchange(odir, ode, ndir, nde);
	}
	if (nde) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (nde->inode == inode)
			return 0; /* same file: POSIX says do nothing */
		if (S_ISDIR(inode->mode)) {
			if (!S_ISDIR(nde->inode->mode))
				return -ENOTDIR;
			if (!list_empty(&TI(nde->inode)->dir.entries))
				return -ENOTEMPTY;
		} else if (S_ISDIR(nde->inode->mode)) {
			return -EISDIR;
		}
	}

	/* Add the new name first so a failed allocation changes nothing. */
	r = tmpfs_dir_add(ndir, nname, nlen, inode);
	if (r)
		return r;
	if (nde) {
		if (S_ISDIR(nde->inode->mode)) {
			remove_dir_entry(ndir, nde);
		} else {
			nde->inode->nlink--;
			nde->inode->ctime = current_time();
			tmpfs_dir_remove(ndir, nde);
		}
	}
	tmpfs_dir_remove(odir, ode);
	reparent(inode, odir, ndir);
	inode->ctime = current_time();
	return 0;
}

const struct inode_operations tmpfs_dir_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.mknod = tmpfs_mknod,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.setattr = tmpfs_setattr,
	TMPFS_XATTR_IOPS,
};
