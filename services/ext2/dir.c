/* ext2 directories: linear lists of entries in the directory's blocks
 * (Linux fs/ext2/dir.c). Every block is checked before its entries are
 * used (ext2_check_dir_block, Linux's ext2_check_page()). An htree index
 * (dir_index) is not used: the entries are read linearly, which is valid
 * for indexed directories too, and a directory this driver changes loses
 * its EXT2_INDEX_FL flag, as Linux's ext3 does without dir_index, so the
 * stale index is never believed. [getdents64(2)] */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <string.h>

#include "ext2.h"

int ext2_check_dir_block(struct ext2_sb *s, struct inode *dir, const uint8_t *data, uint64_t lblk)
{
	unsigned off = 0, bs = s->block_size;

	while (off < bs) {
		const struct ext2_dir_entry *de = (const void *)(data + off);
		const char *why = NULL;

		if (bs - off < 12)
			why = "directory entry past the block";
		else if (de->rec_len < EXT2_DIR_REC_LEN(1))
			why = "rec_len is smaller than minimal";
		else if (de->rec_len & 3)
			why = "unaligned directory entry";
		else if (de->rec_len < EXT2_DIR_REC_LEN(de->name_len))
			why = "rec_len is too small for name_len";
		else if (de->rec_len > bs - off)
			why = "directory entry across blocks";
		else if (de->inode > s->inodes_count)
			why = "inode out of bounds";
		else if (de->inode && de->name_len == 0)
			why = "empty name";
		if (why) {
			printk(KERN_ERR "ext2: %s: bad entry in directory %llu: %s (block %llu, "
					"offset %u)\n",
			       s->name, (unsigned long long)dir->ino, why, (unsigned long long)lblk,
			       off);
			return ext2_corrupt(s, "directory block", dir->ino, lblk);
		}
		off += de->rec_len;
	}
	return 0;
}

/* Block lblk of dir, read and checked: held in *bh. A hole in a
 * directory is corruption. */
static int dir_block(struct inode *dir, uint64_t lblk, struct buffer_head **bh)
{
	struct ext2_sb *s = EXT2_SB(dir->sb);
	uint32_t nr;
	int err = ext2_bmap(dir, lblk, false, &nr);

	if (err)
		return err;
	if (!nr)
		return ext2_corrupt(s, "directory (hole)", dir->ino, lblk);
	*bh = bread(s->cap, s->bdev, nr, s->block_size, &err);
	if (!*bh)
		return err;
	err = ext2_check_dir_block(s, dir, (*bh)->b_data, lblk);
	if (err) {
		brelse(*bh);
		return err;
	}
	return 0;
}

static uint64_t dir_blocks(struct inode *dir)
{
	return dir->size / EXT2_SB(dir->sb)->block_size;
}

static bool name_is(const struct ext2_dir_entry *de, const char *name, size_t len)
{
	return de->inode && de->name_len == len && memcmp(de->name, name, len) == 0;
}

static unsigned dtype_of(struct ext2_sb *s, const struct ext2_dir_entry *de)
{
	static const unsigned char ft_to_dt[EXT2_FT_MAX] = {
		DT_UNKNOWN, DT_REG, DT_DIR, DT_CHR, DT_BLK, DT_FIFO, DT_SOCK, DT_LNK,
	};

	if (!s->filetype || de->file_type >= EXT2_FT_MAX)
		return DT_UNKNOWN;
	return ft_to_dt[de->file_type];
}

/* Find name: the block (held) and the entry, and the entry before it in
 * that block (NULL if first). */
static int find(struct inode *dir, const char *name, size_t len, struct buffer_head **bhp,
		struct ext2_dir_entry **dep, struct ext2_dir_entry **prevp)
{
	struct ext2_sb *s = EXT2_SB(dir->sb);
	uint64_t n = dir_blocks(dir);

	for (uint64_t b = 0; b < n; b++) {
		struct buffer_head *bh;
		struct ext2_dir_entry *prev = NULL;
		int err = dir_block(dir, b, &bh);

		if (err)
			return err;
		for (unsigned off = 0; off < s->block_size;) {
			struct ext2_dir_entry *de = (void *)((uint8_t *)bh->b_data + off);

			if (name_is(de, name, len)) {
				*bhp = bh;
				*dep = de;
				if (prevp)
					*prevp = prev;
				return 0;
			}
			prev = de;
			off += de->rec_len;
		}
		brelse(bh);
	}
	return -ENOENT;
}

int ext2_find_entry(struct inode *dir, const char *name, size_t len, uint32_t *ino)
{
	struct buffer_head *bh;
	struct ext2_dir_entry *de;
	int err = find(dir, name, len, &bh, &de, NULL);

	if (err)
		return err;
	*ino = de->inode;
	brelse(bh);
	return 0;
}

static void dir_changed(struct inode *dir)
{
	dir->mtime = dir->ctime = current_time();
	EXT2_I(dir)->i_flags &= ~EXT2_INDEX_FL;
	ext2_write_inode(dir);
}

int ext2_add_entry(struct inode *dir, const char *name, size_t len, uint32_t ino, mode_t mode)
{
	struct ext2_sb *s = EXT2_SB(dir->sb);
	unsigned need = EXT2_DIR_REC_LEN(len);
	uint64_t n = dir_blocks(dir);
	struct buffer_head *bh;
	struct ext2_dir_entry *de;
	uint32_t nr;
	int err;

	for (uint64_t b = 0; b < n; b++) {
		err = dir_block(dir, b, &bh);
		if (err)
			return err;
		for (unsigned off = 0; off < s->block_size;) {
			unsigned used;

			de = (void *)((uint8_t *)bh->b_data + off);
			used = de->inode ? EXT2_DIR_REC_LEN(de->name_len) : 0;
			if (de->rec_len >= used + need) {
				if (used) {
					/* Split: the new entry takes the slack. */
					struct ext2_dir_entry *nde = (void *)((uint8_t *)de + used);

					nde->rec_len = (uint16_t)(de->rec_len - used);
					de->rec_len = (uint16_t)used;
					de = nde;
				}
				goto fill;
			}
			off += de->rec_len;
		}
		brelse(bh);
	}
	/* A new block at the end. */
	if (dir->size + s->block_size > 0x7fffffffULL)
		return -EFBIG;
	err = ext2_bmap(dir, n, true, &nr);
	if (err)
		return err;
	bh = bread(s->cap, s->bdev, nr, s->block_size, &err);
	if (!bh)
		return err;
	dir->size += s->block_size;
	de = bh->b_data;
	de->rec_len = (uint16_t)s->block_size;
fill:
	de->inode = ino;
	de->name_len = (uint8_t)len;
	de->file_type = s->filetype ? (uint8_t)ext2_mode_to_ft(mode) : 0;
	memcpy(de->name, name, len);
	mark_buffer_dirty(bh);
	brelse(bh);
	dir_changed(dir);
	return 0;
}

int ext2_delete_entry(struct inode *dir, const char *name, size_t len)
{
	struct buffer_head *bh;
	struct ext2_dir_entry *de, *prev;
	int err = find(dir, name, len, &bh, &de, &prev);

	if (err)
		return err;
	if (prev)
		prev->rec_len = (uint16_t)(prev->rec_len + de->rec_len);
	else
		de->inode = 0;
	mark_buffer_dirty(bh);
	brelse(bh);
	dir_changed(dir);
	return 0;
}

int ext2_set_entry(struct inode *dir, const char *name, size_t len, uint32_t ino, mode_t mode)
{
	struct ext2_sb *s = EXT2_SB(dir->sb);
	struct buffer_head *bh;
	struct ext2_dir_entry *de;
	int err = find(dir, name, len, &bh, &de, NULL);

	if (err)
		return err;
	de->inode = ino;
	de->file_type = s->filetype ? (uint8_t)ext2_mode_to_ft(mode) : 0;
	mark_buffer_dirty(bh);
	brelse(bh);
	dir_changed(dir);
	return 0;
}

int ext2_dir_empty(struct inode *dir)
{
	struct ext2_sb *s = EXT2_SB(dir->sb);
	uint64_t n = dir_blocks(dir);

	for (uint64_t b = 0; b < n; b++) {
		struct buffer_head *bh;
		int err = dir_block(dir, b, &bh);

		if (err)
			return err;
		for (unsigned off = 0; off < s->block_size;) {
			struct ext2_dir_entry *de = (void *)((uint8_t *)bh->b_data + off);

			off += de->rec_len;
			if (!de->inode)
				continue;
			if ((de->name_len == 1 && de->name[0] == '.') ||
			    (de->name_len == 2 && de->name[0] == '.' && de->name[1] == '.'))
				continue;
			brelse(bh);
			return 0;
		}
		brelse(bh);
	}
	return 1;
}

int ext2_make_empty_dir(struct inode *inode, uint32_t parent_ino)
{
	struct ext2_sb *s = EXT2_SB(inode->sb);
	struct ext2_dir_entry *de;
	struct buffer_head *bh;
	uint32_t nr;
	int err = ext2_bmap(inode, 0, true, &nr);

	if (err)
		return err;
	bh = bread(s->cap, s->bdev, nr, s->block_size, &err);
	if (!bh)
		return err;
	de = bh->b_data;
	de->inode = (uint32_t)inode->ino;
	de->rec_len = (uint16_t)EXT2_DIR_REC_LEN(1);
	de->name_len = 1;
	de->file_type = s->filetype ? EXT2_FT_DIR : 0;
	memcpy(de->name, ".", 1);
	de = (void *)((uint8_t *)bh->b_data + EXT2_DIR_REC_LEN(1));
	de->inode = parent_ino;
	de->rec_len = (uint16_t)(s->block_size - EXT2_DIR_REC_LEN(1));
	de->name_len = 2;
	de->file_type = s->filetype ? EXT2_FT_DIR : 0;
	memcpy(de->name, "..", 2);
	mark_buffer_dirty(bh);
	brelse(bh);
	inode->size = s->block_size;
	return ext2_write_inode(inode);
}

/* Positions: *pos - 2 is a byte offset in the directory (the VFS owns 0
 * and 1). An offset inside an entry (the entry before it was merged away)
 * continues at the next entry that starts at or after it. Each block is
 * checked and copied under the mount's lock, then handed to fill() without
 * it: fill() writes to user memory, whose page fault may read an ext2 file. */
static int ext2_readdir(struct file *f, off_t *pos, filldir_t fill, void *ctx)
{
	struct inode *dir = f->inode;
	struct ext2_sb *s = EXT2_SB(dir->sb);
	uint64_t off = (uint64_t)*pos - 2;
	uint8_t *copy = kmalloc(s->block_size);
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (uint64_t b = off / s->block_size;; b++) {
		struct buffer_head *bh;

		mutex_lock(&s->lock);
		if (b >= dir_blocks(dir)) {
			mutex_unlock(&s->lock);
			break;
		}
		err = dir_block(dir, b, &bh);
		if (!err) {
			memcpy(copy, bh->b_data, s->block_size);
			brelse(bh);
		}
		mutex_unlock(&s->lock);
		if (err)
			break;
		for (unsigned o = 0; o < s->block_size;) {
			struct ext2_dir_entry *de = (void *)(copy + o);
			uint64_t here = b * s->block_size + o, next = here + de->rec_len;

			o += de->rec_len;
			if (here < off || !de->inode)
				continue;
			if ((de->name_len == 1 && de->name[0] == '.') ||
			    (de->name_len == 2 && de->name[0] == '.' && de->name[1] == '.')) {
				*pos = (off_t)next + 2;
				continue;
			}
			if (fill(ctx, de->name, de->name_len, de->inode, dtype_of(s, de),
				 (off_t)next + 2))
				goto out;
			*pos = (off_t)next + 2;
		}
		off = (b + 1) * s->block_size;
		*pos = (off_t)off + 2;
	}
out:
	kfree(copy);
	return err;
}

static int ext2_dir_fsync(struct file *f)
{
	struct ext2_sb *s = EXT2_SB(f->inode->sb);
	int r;

	mutex_lock(&s->lock);
	r = ext2_sync_fs(f->inode->sb);
	mutex_unlock(&s->lock);
	return r;
}

const struct file_operations ext2_dir_fops = {
	.readdir = ext2_readdir,
	.fsync = ext2_dir_fsync,
};
