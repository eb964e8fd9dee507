/* ext2 directory operations: lookup, create, mkdir, mknod, symlink,
 * link, unlink, rmdir, rename (Linux fs/ext2/namei.c). Permission checks,
 * path walking and the rename pre-checks are the VFS's; these re-check
 * what would damage the image if it were wrong. [open(2)], [mkdir(2)],
 * [mknod(2)], [symlink(2)], [link(2)], [unlink(2)], [rmdir(2)],
 * [rename(2)]
 *
 * Every operation holds the mount's lock; iput() of an inode that may be
 * evicted happens after it is released (evict takes it). */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <string.h>

#include "ext2.h"

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2

static int check_name(const char *name, size_t len)
{
	if (len == 0)
		return -ENOENT;
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	return 0;
}

static int ext2_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct ext2_sb *s = EXT2_SB(dir->sb);
	uint32_t ino;
	int err = check_name(name, len);

	if (err)
		return err == -ENOENT ? -ENOENT : -ENAMETOOLONG;
	mutex_lock(&s->lock);
	err = ext2_find_entry(dir, name, len, &ino);
	if (!err)
		err = ext2_iget(dir->sb, ino, out);
	mutex_unlock(&s->lock);
	return err;
}

/* A new inode that never got a name: give everything back. */
static void discard_new(struct ext2_sb *s, struct inode *inode)
{
	struct ext2_inode_info *ei = EXT2_I(inode);

	inode->size = 0;
	ext2_truncate_blocks(inode, 0);
	ei->i_dtime = (uint32_t)current_time().tv_sec;
	inode->nlink = 0;
	ext2_write_inode(inode);
	ext2_free_inode_nr(s, (uint32_t)inode->ino, S_ISDIR(inode->mode));
	list_del(&ei->hash);
	s->nr_cached--;
	kfree(ei);
	kfree(inode);
}

static int make_node(struct inode *dir, const char *name, size_t len, mode_t mode, dev_t rdev,
		     const char *target, struct inode **out)
{
	struct ext2_sb *s = EXT2_SB(dir->sb);
	struct inode *inode;
	uint32_t ino;
	int err = check_name(name, len);

	if (err)
		return err;
	if (s->rdonly)
		return -EROFS;
	mutex_lock(&s->lock);
	if (S_ISDIR(mode) && dir->nlink >= EXT2_LINK_MAX) {
		err = -EMLINK;
		goto out;
	}
	if (ext2_find_entry(dir, name, len, &ino) == 0) {
		err = -EEXIST;
		goto out;
	}
	err = ext2_new_inode_nr(s, (uint32_t)dir->ino, S_ISDIR(mode), &ino);
	if (err)
		goto out;
	inode = ext2_new_vfs_inode(dir->sb, ino);
	if (!inode) {
		ext2_free_inode_nr(s, ino, S_ISDIR(mode));
		err = -ENOMEM;
		goto out;
	}
	inode_init_owner(inode, dir, mode);
	inode->rdev = rdev;
	inode->atime = inode->mtime = inode->ctime = current_time();
	ext2_set_ops(inode);
	if (S_ISDIR(mode)) {
		inode->nlink = 2;
		err = ext2_make_empty_dir(inode, (uint32_t)dir->ino);
	} else if (S_ISLNK(mode)) {
		size_t tlen = strlen(target);

		inode->size = tlen;
		if (tlen < sizeof(EXT2_I(inode)->i_data)) {
			memcpy(EXT2_I(inode)->i_data, target, tlen); /* a fast symlink */
		} else {
			uint32_t nr;

			err = ext2_bmap(inode, 0, true, &nr);
			if (!err) {
				struct buffer_head *bh =
					bread(s->cap, s->bdev, nr, s->block_size, &err);

				if (bh) {
					memcpy(bh->b_data, target, tlen);
					mark_buffer_dirty(bh);
					brelse(bh);
				}
			}
		}
	}
	if (!err)
		err = ext2_write_inode(inode);
	if (!err)
		err = ext2_add_entry(dir, name, len, ino, mode);
	if (err) {
		discard_new(s, inode);
		goto out;
	}
	if (S_ISDIR(mode)) {
		dir->nlink++; /* the child's ".." */
		ext2_write_inode(dir);
	}
	*out = inode;
out:
	mutex_unlock(&s->lock);
	return err;
}

static int ext2_create(struct inode *dir, const char *name, size_t len, mode_t mode,
		       struct inode **out)
{
	return make_node(dir, name, len, S_IFREG | (mode & 07777), 0, NULL, out);
}

static int ext2_mkdir(struct inode *dir, const char *name, size_t len, mode_t mode,
		      struct inode **out)
{
	return make_node(dir, name, len, S_IFDIR | (mode & 07777), 0, NULL, out);
}

static int ext2_mknod(struct inode *dir, const char *name, size_t len, mode_t mode, dev_t rdev,
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
	return make_node(dir, name, len, mode & (S_IFMT | 07777), rdev, NULL, out);
}

static int ext2_symlink(struct inode *dir, const char *name, size_t len, const char *target,
			struct inode **out)
{
	struct ext2_sb *s = EXT2_SB(dir->sb);
	size_t tlen = strnlen(target, PATH_MAX);

	if (tlen == 0)
		return -ENOENT;
	/* [symlink(2)] ENAMETOOLONG; ext2 keeps a target in one block. */
	if (tlen >= PATH_MAX || tlen >= s->block_size)
		return -ENAMETOOLONG;
	return make_node(dir, name, len, S_IFLNK | 0777, 0, target, out);
}

static int ext2_link(struct inode *dir, const char *name, size_t len, struct inode *inode)
{
	struct ext2_sb *s = EXT2_SB(dir->sb);
	uint32_t ino;
	int err = check_name(name, len);

	if (err)
		return err;
	if (S_ISDIR(inode->mode))
		return -EPERM;
	if (inode->sb != dir->sb)
		return -EXDEV;
	if (s->rdonly)
		return -EROFS;
	mutex_lock(&s->lock);
	if (inode->nlink == 0)
		err = -ENOENT; /* linkat(2) of an unlinked open file */
	else if (inode->nlink >= EXT2_LINK_MAX)
		err = -EMLINK;
	else if (ext2_find_entry(dir, name, len, &ino) == 0)
		err = -EEXIST;
	else
		err = ext2_add_entry(dir, name, len, (uint32_t)inode->ino, inode->mode);
	if (!err) {
		inode->nlink++;
		inode->ctime = current_time();
		ext2_write_inode(inode);
	}
	mutex_unlock(&s->lock);
	return err;
}

static int ext2_unlink(struct inode *dir, const char *name, size_t len)
{
	struct ext2_sb *s = EXT2_SB(dir->sb);
	struct inode *inode = NULL;
	uint32_t ino;
	int err;

	if (s->rdonly)
		return -EROFS;
	mutex_lock(&s->lock);
	err = ext2_find_entry(dir, name, len, &ino);
	if (!err)
		err = ext2_iget(dir->sb, ino, &inode);
	if (!err && S_ISDIR(inode->mode))
		err = -EISDIR;
	if (!err)
		err = ext2_delete_entry(dir, name, len);
	if (!err) {
		inode->nlink--;
		inode->ctime = dir->ctime;
		ext2_write_inode(inode);
	}
	mutex_unlock(&s->lock);
	iput(inode);
	return err;
}

static int ext2_rmdir(struct inode *dir, const char *name, size_t len)
{
	struct ext2_sb *s = EXT2_SB(dir->sb);
	struct inode *inode = NULL;
	uint32_t ino;
	int err;

	if (s->rdonly)
		return -EROFS;
	mutex_lock(&s->lock);
	err = ext2_find_entry(dir, name, len, &ino);
	if (!err)
		err = ext2_iget(dir->sb, ino, &inode);
	if (!err && !S_ISDIR(inode->mode))
		err = -ENOTDIR;
	if (!err) {
		err = ext2_dir_empty(inode);
		err = err == 1 ? 0 : (err == 0 ? -ENOTEMPTY : err);
	}
	if (!err)
		err = ext2_delete_entry(dir, name, len);
	if (!err) {
		inode->nlink = 0;
		inode->ctime = dir->ctime;
		ext2_write_inode(inode);
		if (dir->nlink > 1)
			dir->nlink--;
		ext2_write_inode(dir);
	}
	mutex_unlock(&s->lock);
	iput(inode);
	return err;
}

/* rename(2)/renameat2(2) within the mount; RENAME_EXCHANGE is -EINVAL
 * (Linux's ext2 before 3.15 had none either). */
static int ext2_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		       const char *nname, size_t nlen, unsigned flags)
{
	struct ext2_sb *s = EXT2_SB(odir->sb);
	struct inode *inode = NULL, *victim = NULL;
	uint32_t ino, nino;
	int err;

	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL;
	if (odir->sb != ndir->sb)
		return -EXDEV;
	err = check_name(nname, nlen);
	if (err)
		return err;
	if (s->rdonly)
		return -EROFS;
	mutex_lock(&s->lock);
	err = ext2_find_entry(odir, oname, olen, &ino);
	if (!err)
		err = ext2_iget(odir->sb, ino, &inode);
	if (err)
		goto out;
	if (ext2_find_entry(ndir, nname, nlen, &nino) == 0) {
		if (flags & RENAME_NOREPLACE) {
			err = -EEXIST;
			goto out;
		}
		if (nino == ino)
			goto out; /* the same file: POSIX says do nothing */
		err = ext2_iget(ndir->sb, nino, &victim);
		if (err)
			goto out;
		if (S_ISDIR(inode->mode)) {
			if (!S_ISDIR(victim->mode)) {
				err = -ENOTDIR;
				goto out;
			}
			err = ext2_dir_empty(victim);
			err = err == 1 ? 0 : (err == 0 ? -ENOTEMPTY : err);
			if (err)
				goto out;
		} else if (S_ISDIR(victim->mode)) {
			err = -EISDIR;
			goto out;
		}
		err = ext2_set_entry(ndir, nname, nlen, ino, inode->mode);
		if (err)
			goto out;
		victim->ctime = current_time();
		if (S_ISDIR(victim->mode)) {
			victim->nlink = 0;
			if (ndir->nlink > 1)
				ndir->nlink--;
		} else {
			victim->nlink--;
		}
		ext2_write_inode(victim);
	} else {
		if (S_ISDIR(inode->mode) && odir != ndir && ndir->nlink >= EXT2_LINK_MAX) {
			err = -EMLINK;
			goto out;
		}
		err = ext2_add_entry(ndir, nname, nlen, ino, inode->mode);
		if (err)
			goto out;
	}
	err = ext2_delete_entry(odir, oname, olen);
	if (err)
		goto out;
	if (S_ISDIR(inode->mode) && odir != ndir) {
		ext2_set_entry(inode, "..", 2, (uint32_t)ndir->ino, S_IFDIR);
		if (odir->nlink > 1)
			odir->nlink--;
		ndir->nlink++;
		ext2_write_inode(odir);
	}
	ext2_write_inode(ndir);
	inode->ctime = current_time();
	ext2_write_inode(inode);
out:
	mutex_unlock(&s->lock);
	iput(inode);
	iput(victim);
	return err;
}

const struct inode_operations ext2_dir_iops = {
	.lookup = ext2_lookup,
	.create = ext2_create,
	.mkdir = ext2_mkdir,
	.mknod = ext2_mknod,
	.symlink = ext2_symlink,
	.link = ext2_link,
	.unlink = ext2_unlink,
	.rmdir = ext2_rmdir,
	.rename = ext2_rename,
	.setattr = ext2_setattr,
};
