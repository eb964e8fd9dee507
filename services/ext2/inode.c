/* ext2 inodes: reading and checking them, writing them back, the inode
 * table, the block map (direct, single, double and triple indirect
 * blocks; 0 = a hole) and freeing blocks on truncate and delete.
 * Linux fs/ext2/inode.c. */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <string.h>

#include "ext2.h"

unsigned ext2_mode_to_ft(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return EXT2_FT_REG_FILE;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFCHR: return EXT2_FT_CHRDEV;
	case S_IFBLK: return EXT2_FT_BLKDEV;
	case S_IFIFO: return EXT2_FT_FIFO;
	case S_IFSOCK: return EXT2_FT_SOCK;
	case S_IFLNK: return EXT2_FT_SYMLINK;
	default: return EXT2_FT_UNKNOWN;
	}
}

static struct list_head *ibucket(struct ext2_sb *s, uint64_t ino)
{
	return &s->ihash[ino % EXT2_IHASH];
}

/* The on-disk inode ino: its block held in *bh and a pointer into it. */
static struct ext2_inode *raw_inode(struct ext2_sb *s, uint32_t ino, struct buffer_head **bh,
				    int *err)
{
	uint32_t g = (ino - 1) / s->inodes_per_group, idx = (ino - 1) % s->inodes_per_group;
	struct buffer_head *gbh;
	struct ext2_group_desc *gd = ext2_group_desc(s, g, &gbh);
	uint64_t off = (uint64_t)idx * s->inode_size;

	if (!gd) {
		*err = -EUCLEAN;
		return NULL;
	}
	*bh = bread(s->cap, s->bdev, gd->bg_inode_table + off / s->block_size, s->block_size, err);
	if (!*bh)
		return NULL;
	return (struct ext2_inode *)((char *)(*bh)->b_data + off % s->block_size);
}

void ext2_set_ops(struct inode *inode)
{
	switch (inode->mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &ext2_dir_iops;
		inode->i_fop = &ext2_dir_fops;
		break;
	case S_IFREG:
		inode->i_op = &ext2_file_iops;
		inode->i_fop = &ext2_file_fops;
		break;
	case S_IFLNK: inode->i_op = &ext2_symlink_iops; break;
	default: inode->i_op = &ext2_special_iops; break;
	}
}

static struct inode *icache_find(struct ext2_sb *s, uint64_t ino)
{
	struct ext2_inode_info *ei;

	list_for_each_entry(ei, ibucket(s, ino), hash) {
		if (ei->inode->ino == ino)
			return ei->inode;
	}
	return NULL;
}

/* Drop unreferenced inodes from the table (all of them, or until it is
 * back under its limit). They are clean: every change was written. */
void ext2_icache_prune(struct ext2_sb *s, bool all)
{
	for (unsigned b = 0; b < EXT2_IHASH; b++) {
		struct ext2_inode_info *ei, *n;

		list_for_each_entry_safe(ei, n, &s->ihash[b], hash) {
			if (!all && s->nr_cached < EXT2_ICACHE_MAX / 2)
				return;
			if (ei->inode->refcount)
				continue;
			list_del(&ei->hash);
			s->nr_cached--;
			kfree(ei->inode);
			kfree(ei);
		}
	}
}

static struct inode *icache_add(struct super_block *sb, uint32_t ino)
{
	struct ext2_sb *s = EXT2_SB(sb);
	struct ext2_inode_info *ei;
	struct inode *inode;

	if (s->nr_cached >= EXT2_ICACHE_MAX)
		ext2_icache_prune(s, false);
	ei = kzalloc(sizeof(*ei));
	inode = ei ? inode_alloc(sb) : NULL;
	if (!inode) {
		kfree(ei);
		return NULL;
	}
	inode->ino = ino;
	inode->i_private = ei;
	ei->inode = inode;
	list_add(&ei->hash, ibucket(s, ino));
	s->nr_cached++;
	return inode;
}

int ext2_iget(struct super_block *sb, uint32_t ino, struct inode **out)
{
	struct ext2_sb *s = EXT2_SB(sb);
	struct ext2_inode_info *ei;
	struct ext2_inode *raw;
	struct buffer_head *bh;
	struct inode *inode;
	int err = 0;

	if (ino != EXT2_ROOT_INO && (ino < s->first_ino || ino > s->inodes_count))
		return ext2_corrupt(s, "inode number", ino, 0);
	inode = icache_find(s, ino);
	if (inode) {
		if (!inode->nlink)
			return -ESTALE; /* being deleted */
		iget(inode);
		*out = inode;
		return 0;
	}
	raw = raw_inode(s, ino, &bh, &err);
	if (!raw)
		return err;
	/* An inode a directory names must be in use and of a known type. */
	switch (raw->i_mode & S_IFMT) {
	case S_IFREG:
	case S_IFDIR:
	case S_IFLNK:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK: break;
	default: brelse(bh); return ext2_corrupt(s, "inode mode", ino, raw->i_mode);
	}
	if (raw->i_links_count == 0 || raw->i_dtime) {
		brelse(bh);
		return ext2_corrupt(s, "inode (deleted, still named)", ino, raw->i_links_count);
	}
	inode = icache_add(sb, ino);
	if (!inode) {
		brelse(bh);
		return -ENOMEM;
	}
	ei = EXT2_I(inode);
	inode->mode = raw->i_mode;
	inode->uid = raw->i_uid | ((uint32_t)raw->l_i_uid_high << 16);
	inode->gid = raw->i_gid | ((uint32_t)raw->l_i_gid_high << 16);
	inode->nlink = raw->i_links_count;
	inode->size = raw->i_size;
	if (S_ISREG(inode->mode))
		inode->size |= (uint64_t)raw->i_size_high << 32;
	inode->blocks = raw->i_blocks;
	inode->atime.tv_sec = raw->i_atime;
	inode->mtime.tv_sec = raw->i_mtime;
	inode->ctime.tv_sec = raw->i_ctime;
	inode->atime.tv_nsec = inode->mtime.tv_nsec = inode->ctime.tv_nsec = 0;
	ei->i_flags = raw->i_flags;
	ei->i_file_acl = raw->i_file_acl;
	memcpy(ei->i_data, raw->i_block, sizeof(ei->i_data));
	brelse(bh);
	if (S_ISCHR(inode->mode) || S_ISBLK(inode->mode)) {
		/* Linux's old_decode_dev() in i_block[0], new_decode_dev() in [1]. */
		uint32_t d = ei->i_data[0];

		if (d)
			inode->rdev = MKDEV((d >> 8) & 0xff, d & 0xff);
		else {
			d = ei->i_data[1];
			inode->rdev = MKDEV((d & 0xfff00) >> 8, (d & 0xff) | ((d >> 12) & 0xfff00));
		}
	}
	err = 0;
	if (S_ISREG(inode->mode) && inode->size > s->max_bytes)
		err = ext2_corrupt(s, "inode size", ino, inode->size);
	else if (S_ISDIR(inode->mode) && (inode->size % s->block_size))
		err = ext2_corrupt(s, "directory size", ino, inode->size);
	else if (S_ISLNK(inode->mode) && (inode->size == 0 || inode->size >= s->block_size))
		err = ext2_corrupt(s, "symlink size", ino, inode->size);
	if (err) {
		/* Out of the table again; nothing else saw it. */
		list_del(&ei->hash);
		s->nr_cached--;
		kfree(inode);
		kfree(ei);
		return err;
	}
	ext2_set_ops(inode);
	*out = inode;
	return 0;
}

struct inode *ext2_new_vfs_inode(struct super_block *sb, uint32_t ino)
{
	struct ext2_sb *s = EXT2_SB(sb);
	struct inode *inode = icache_find(s, ino);
	struct ext2_inode *raw;
	struct buffer_head *bh;
	int err;

	if (inode) {
		/* The bitmap handed out an inode we still hold: corrupt. */
		ext2_corrupt(s, "inode bitmap (in-use inode free)", ino, 0);
		return NULL;
	}
	raw = raw_inode(s, ino, &bh, &err);
	if (!raw)
		return NULL;
	memset(raw, 0, s->inode_size);
	if (s->inode_size > EXT2_GOOD_OLD_INODE_SIZE) {
		/* ext4's i_extra_isize: the fixed extra fields e2fsck expects. */
		((uint16_t *)raw)[EXT2_GOOD_OLD_INODE_SIZE / 2] = 32;
	}
	mark_buffer_dirty(bh);
	brelse(bh);
	inode = icache_add(sb, ino);
	if (!inode)
		return NULL;
	inode->nlink = 1;
	return inode;
}

int ext2_write_inode(struct inode *inode)
{
	struct ext2_sb *s = EXT2_SB(inode->sb);
	struct ext2_inode_info *ei = EXT2_I(inode);
	struct ext2_inode *raw;
	struct buffer_head *bh;
	int err;

	if (s->rdonly)
		return 0;
	raw = raw_inode(s, (uint32_t)inode->ino, &bh, &err);
	if (!raw)
		return err;
	raw->i_mode = (uint16_t)inode->mode;
	raw->i_uid = (uint16_t)inode->uid;
	raw->l_i_uid_high = (uint16_t)(inode->uid >> 16);
	raw->i_gid = (uint16_t)inode->gid;
	raw->l_i_gid_high = (uint16_t)(inode->gid >> 16);
	raw->i_links_count = (uint16_t)inode->nlink;
	raw->i_size = (uint32_t)inode->size;
	raw->i_size_high = S_ISREG(inode->mode) ? (uint32_t)(inode->size >> 32) : 0;
	if (S_ISREG(inode->mode) && inode->size > 0x7fffffffULL && !s->large_file) {
		/* Linux's ext2_update_inode(): the first large file sets it. */
		s->es->s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
		s->large_file = true;
		ext2_sb_dirty(s);
	}
	raw->i_blocks = (uint32_t)inode->blocks;
	raw->i_atime = (uint32_t)inode->atime.tv_sec;
	raw->i_mtime = (uint32_t)inode->mtime.tv_sec;
	raw->i_ctime = (uint32_t)inode->ctime.tv_sec;
	raw->i_dtime = ei->i_dtime;
	raw->i_flags = ei->i_flags;
	if (S_ISCHR(inode->mode) || S_ISBLK(inode->mode)) {
		unsigned ma = MAJOR(inode->rdev), mi = MINOR(inode->rdev);

		memset(raw->i_block, 0, sizeof(raw->i_block));
		if (ma < 256 && mi < 256)
			raw->i_block[0] = (ma << 8) | mi; /* old_encode_dev() */
		else
			raw->i_block[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
	} else {
		memcpy(raw->i_block, ei->i_data, sizeof(raw->i_block));
	}
	mark_buffer_dirty(bh);
	brelse(bh);
	return 0;
}

/* ---- the block map ----------------------------------------------------- */

/* Where lblk is: offsets per level, the depth (1..4), or -EFBIG. */
static int block_to_path(struct ext2_sb *s, uint64_t lblk, unsigned off[4])
{
	uint64_t apb = s->addr_per_block;

	if (lblk < EXT2_NDIR_BLOCKS) {
		off[0] = (unsigned)lblk;
		return 1;
	}
	lblk -= EXT2_NDIR_BLOCKS;
	if (lblk < apb) {
		off[0] = EXT2_IND_BLOCK;
		off[1] = (unsigned)lblk;
		return 2;
	}
	lblk -= apb;
	if (lblk < apb * apb) {
		off[0] = EXT2_DIND_BLOCK;
		off[1] = (unsigned)(lblk / apb);
		off[2] = (unsigned)(lblk % apb);
		return 3;
	}
	lblk -= apb * apb;
	if (lblk < apb * apb * apb) {
		off[0] = EXT2_TIND_BLOCK;
		off[1] = (unsigned)(lblk / (apb * apb));
		off[2] = (unsigned)(lblk / apb % apb);
		off[3] = (unsigned)(lblk % apb);
		return 4;
	}
	return -EFBIG;
}

static int alloc_for(struct inode *inode, uint32_t *out)
{
	struct ext2_sb *s = EXT2_SB(inode->sb);
	struct ext2_inode_info *ei = EXT2_I(inode);
	uint32_t goal = ei->last_alloc ? ei->last_alloc + 1 : 0;
	int err;

	if (!goal) {
		uint32_t g = (uint32_t)((inode->ino - 1) / s->inodes_per_group);

		goal = s->first_data_block + g * s->blocks_per_group;
	}
	err = ext2_new_block(s, goal, out);
	if (err)
		return err;
	ei->last_alloc = *out;
	inode->blocks += s->block_size / 512;
	return 0;
}

int ext2_bmap(struct inode *inode, uint64_t lblk, bool create, uint32_t *out)
{
	struct ext2_sb *s = EXT2_SB(inode->sb);
	struct ext2_inode_info *ei = EXT2_I(inode);
	unsigned off[4];
	int depth = block_to_path(s, lblk, off), err;
	struct buffer_head *bh = NULL;
	uint32_t *slot, nr;
	bool inode_dirty = false;

	if (depth < 0)
		return depth;
	slot = &ei->i_data[off[0]];
	for (int level = 0;; level++) {
		nr = *slot;
		if (nr && !ext2_valid_data_block(s, nr)) {
			brelse(bh);
			return ext2_corrupt(s, "block number in inode", inode->ino, nr);
		}
		if (!nr) {
			if (!create) {
				brelse(bh);
				*out = 0;
				break;
			}
			err = alloc_for(inode, &nr);
			if (err) {
				brelse(bh);
				if (inode_dirty)
					ext2_write_inode(inode);
				return err;
			}
			*slot = nr;
			if (bh)
				mark_buffer_dirty(bh);
			inode_dirty = true;
		}
		brelse(bh);
		bh = NULL;
		if (level == depth - 1) {
			*out = nr;
			break;
		}
		bh = bread(s->cap, s->bdev, nr, s->block_size, &err);
		if (!bh) {
			if (inode_dirty)
				ext2_write_inode(inode);
			return err;
		}
		slot = (uint32_t *)bh->b_data + off[level + 1];
	}
	if (inode_dirty)
		ext2_write_inode(inode);
	return 0;
}

/* Free what slots[0..n) map from logical block first_kill on. Each slot
 * covers span blocks from base + i * span; depth 0: data blocks. Returns
 * whether a slot changed. */
static bool trunc_level(struct inode *inode, uint32_t *slots, unsigned n, int depth, uint64_t base,
			uint64_t span, uint64_t first_kill)
{
	struct ext2_sb *s = EXT2_SB(inode->sb);
	bool changed = false;
	int err;

	for (unsigned i = 0; i < n; i++) {
		uint64_t start = base + i * span;
		uint32_t nr = slots[i];

		if (start + span <= first_kill || !nr)
			continue;
		if (!ext2_valid_data_block(s, nr)) {
			ext2_corrupt(s, "block number in inode (dropped)", inode->ino, nr);
			slots[i] = 0;
			changed = true;
			continue;
		}
		if (depth > 0) {
			struct buffer_head *bh = bread(s->cap, s->bdev, nr, s->block_size, &err);

			if (!bh)
				continue; /* unreadable: leave it allocated */
			if (trunc_level(inode, bh->b_data, s->addr_per_block, depth - 1, start,
					span / s->addr_per_block, first_kill))
				mark_buffer_dirty(bh);
			brelse(bh);
			if (start < first_kill)
				continue; /* partly kept */
		}
		ext2_free_block(s, nr);
		if (inode->blocks >= s->block_size / 512)
			inode->blocks -= s->block_size / 512;
		slots[i] = 0;
		changed = true;
	}
	return changed;
}

int ext2_truncate_blocks(struct inode *inode, uint64_t size)
{
	struct ext2_sb *s = EXT2_SB(inode->sb);
	struct ext2_inode_info *ei = EXT2_I(inode);
	uint64_t first_kill = (size + s->block_size - 1) / s->block_size;
	uint64_t apb = s->addr_per_block;
	uint64_t base = EXT2_NDIR_BLOCKS, span = apb;

	if (S_ISLNK(inode->mode) && inode->blocks == 0)
		return 0; /* fast symlink: i_data is the target */
	if (S_ISCHR(inode->mode) || S_ISBLK(inode->mode) || S_ISFIFO(inode->mode) ||
	    S_ISSOCK(inode->mode))
		return 0;
	trunc_level(inode, ei->i_data, EXT2_NDIR_BLOCKS, 0, 0, 1, first_kill);
	for (int d = 1; d <= 3; d++) {
		trunc_level(inode, &ei->i_data[EXT2_IND_BLOCK + d - 1], 1, d, base, span,
			    first_kill);
		base += span;
		span *= apb;
	}
	if (first_kill == 0)
		ei->last_alloc = 0;
	return ext2_write_inode(inode);
}

/* The last reference to an inode with no links: its blocks and its number
 * go back to the bitmaps (Linux ext2_evict_inode()). */
void ext2_evict(struct inode *inode)
{
	struct ext2_sb *s = EXT2_SB(inode->sb);
	struct ext2_inode_info *ei = EXT2_I(inode);

	if (s) {
		mutex_lock(&s->lock);
		if (!s->rdonly) {
			bool dir = S_ISDIR(inode->mode);

			inode->size = 0;
			ext2_truncate_blocks(inode, 0);
			ei->i_dtime = (uint32_t)current_time().tv_sec;
			ext2_write_inode(inode);
			ext2_free_inode_nr(s, (uint32_t)inode->ino, dir);
		}
		list_del(&ei->hash);
		s->nr_cached--;
		mutex_unlock(&s->lock);
	}
	kfree(ei);
	kfree(inode);
}
