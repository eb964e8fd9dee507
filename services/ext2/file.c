/* ext2 regular files, symlinks and special inodes: read, write, fsync,
 * truncate through setattr, readlink (Linux fs/ext2/file.c, inode.c).
 *
 * Data moves between the user's buffer and the buffer cache a block at a
 * time; the mount's lock is held to map (and allocate) a block, not while
 * user memory is copied (a fault there may read another ext2 file).
 * mmap: no get_page, so private mappings are filled by read and a
 * MAP_SHARED mapping is a read-only snapshot (the VFS's rule for file
 * systems without a page cache). [read(2)], [write(2)], [truncate(2)],
 * [fsync(2)], [readlink(2)] */
#include <kernel/current.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <string.h>

#include "ext2.h"

/* Zero the bytes of the block that holds byte from, from there to the
 * block's end (before the file grows past from: they must read as 0). */
static int zero_tail(struct inode *inode, uint64_t from)
{
	struct ext2_sb *s = EXT2_SB(inode->sb);
	unsigned off = (unsigned)(from % s->block_size);
	struct buffer_head *bh;
	uint32_t nr;
	int err;

	if (!off)
		return 0;
	err = ext2_bmap(inode, from / s->block_size, false, &nr);
	if (err || !nr)
		return err;
	bh = bread(s->cap, s->bdev, nr, s->block_size, &err);
	if (!bh)
		return err;
	memset((char *)bh->b_data + off, 0, s->block_size - off);
	mark_buffer_dirty(bh);
	brelse(bh);
	return 0;
}

static ssize_t ext2_read(struct file *f, struct uio *u, off_t *pos)
{
	struct inode *inode = f->inode;
	struct ext2_sb *s = EXT2_SB(inode->sb);
	uint64_t p = (uint64_t)*pos;
	ssize_t done = 0;
	int err = 0;

	while (u->len) {
		uint64_t size = inode->size;
		unsigned off = (unsigned)(p % s->block_size);
		size_t n = s->block_size - off;
		struct buffer_head *bh = NULL;
		uint32_t nr;

		if (p >= size)
			break;
		if (n > u->len)
			n = u->len;
		if (n > size - p)
			n = (size_t)(size - p);
		mutex_lock(&s->lock);
		err = ext2_bmap(inode, p / s->block_size, false, &nr);
		if (!err && nr)
			bh = bread(s->cap, s->bdev, nr, s->block_size, &err);
		mutex_unlock(&s->lock);
		if (err)
			break;
		err = bh ? uio_copy_out(u, (char *)bh->b_data + off, n) : uio_zero(u, n);
		brelse(bh);
		if (err)
			break;
		p += n;
		done += (ssize_t)n;
	}
	*pos = (off_t)p;
	return done ? done : err;
}

static ssize_t ext2_write(struct file *f, struct uio *u, off_t *pos)
{
	struct inode *inode = f->inode;
	struct ext2_sb *s = EXT2_SB(inode->sb);
	uint64_t p;
	ssize_t done = 0;
	int err = 0;

	if (s->rdonly)
		return -EROFS;
	if (f->flags & O_APPEND)
		*pos = (off_t)inode->size;
	p = (uint64_t)*pos;
	if (u->len && p >= s->max_bytes)
		return -EFBIG; /* [write(2)] EFBIG: past the file system's maximum */
	mutex_lock(&s->lock);
	if (p > inode->size)
		err = zero_tail(inode, inode->size);
	mutex_unlock(&s->lock);
	while (!err && u->len && p < s->max_bytes) {
		unsigned off = (unsigned)(p % s->block_size);
		size_t n = s->block_size - off;
		struct buffer_head *bh = NULL;
		uint32_t nr;

		if (n > u->len)
			n = u->len;
		if (n > s->max_bytes - p)
			n = (size_t)(s->max_bytes - p);
		mutex_lock(&s->lock);
		err = ext2_bmap(inode, p / s->block_size, true, &nr);
		if (!err)
			bh = bread(s->cap, s->bdev, nr, s->block_size, &err);
		mutex_unlock(&s->lock);
		if (err)
			break;
		err = uio_copy_in(u, (char *)bh->b_data + off, n);
		if (!err)
			mark_buffer_dirty(bh);
		brelse(bh);
		if (err)
			break;
		p += n;
		done += (ssize_t)n;
		mutex_lock(&s->lock);
		if (p > inode->size)
			inode->size = p;
		mutex_unlock(&s->lock);
	}
	mutex_lock(&s->lock);
	if (done) {
		inode->mtime = inode->ctime = current_time();
		/* [write(2)]: a write by someone else clears set-user-ID (and
		 * set-group-ID if group-executable), as Linux's file_remove_privs. */
		if (current_fsuid() != 0 && (inode->mode & (S_ISUID | S_ISGID)))
			inode->mode &= ~(mode_t)(S_ISUID | ((inode->mode & 010) ? S_ISGID : 0));
	}
	ext2_write_inode(inode);
	mutex_unlock(&s->lock);
	*pos = (off_t)p;
	return done ? done : err;
}

static int ext2_fsync(struct file *f)
{
	struct ext2_sb *s = EXT2_SB(f->inode->sb);
	int r;

	mutex_lock(&s->lock);
	r = ext2_sync_fs(f->inode->sb);
	mutex_unlock(&s->lock);
	return r;
}

int ext2_setattr(struct inode *inode, const struct iattr *attr)
{
	struct ext2_sb *s = EXT2_SB(inode->sb);
	int err = 0;

	if (s->rdonly)
		return -EROFS;
	mutex_lock(&s->lock);
	if ((attr->valid & ATTR_SIZE) && attr->size != inode->size) {
		if (!S_ISREG(inode->mode)) {
			err = -EINVAL;
		} else if (attr->size > s->max_bytes) {
			err = -EFBIG; /* [truncate(2)] EFBIG */
		} else if (attr->size < inode->size) {
			inode->size = attr->size;
			err = zero_tail(inode, attr->size);
			if (!err)
				err = ext2_truncate_blocks(inode, attr->size);
		} else {
			err = zero_tail(inode, inode->size);
			inode->size = attr->size;
		}
	}
	if (!err) {
		setattr_copy(inode, attr);
		err = ext2_write_inode(inode);
	}
	mutex_unlock(&s->lock);
	return err;
}

static ssize_t ext2_readlink(struct inode *inode, char *buf, size_t len)
{
	struct ext2_sb *s = EXT2_SB(inode->sb);
	struct ext2_inode_info *ei = EXT2_I(inode);
	size_t n = inode->size < len ? (size_t)inode->size : len;
	uint64_t ea_blocks = ei->i_file_acl ? s->block_size / 512 : 0;
	struct buffer_head *bh;
	uint32_t nr;
	int err;

	if (inode->blocks <= ea_blocks) {
		/* A fast symlink: the target is in i_block (at most 59 bytes). */
		if (inode->size >= sizeof(ei->i_data))
			return ext2_corrupt(s, "fast symlink size", inode->ino, inode->size);
		memcpy(buf, ei->i_data, n);
		return (ssize_t)n;
	}
	mutex_lock(&s->lock);
	err = ext2_bmap(inode, 0, false, &nr);
	bh = NULL;
	if (!err && !nr)
		err = ext2_corrupt(s, "symlink (no block)", inode->ino, 0);
	if (!err)
		bh = bread(s->cap, s->bdev, nr, s->block_size, &err);
	if (bh) {
		memcpy(buf, bh->b_data, n);
		brelse(bh);
	}
	mutex_unlock(&s->lock);
	return err ? err : (ssize_t)n;
}

const struct file_operations ext2_file_fops = {
	.read = ext2_read,
	.write = ext2_write,
	.fsync = ext2_fsync,
	.poll = generic_poll_ready,
};

const struct inode_operations ext2_file_iops = {
	.setattr = ext2_setattr,
};

const struct inode_operations ext2_symlink_iops = {
	.readlink = ext2_readlink,
	.setattr = ext2_setattr,
};

const struct inode_operations ext2_special_iops = {
	.setattr = ext2_setattr,
};
