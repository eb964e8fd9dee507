/* ext2 block and inode allocation from the groups' bitmaps, with the free
 * counts of the group descriptors and the super block kept in step
 * (Linux fs/ext2/balloc.c, ialloc.c, without reservation windows or the
 * Orlov allocator). A bitmap that disagrees with its counts, or that would
 * hand out a metadata block, is reported as corruption and skipped. */
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <string.h>

#include "ext2.h"

static uint32_t group_first_block(struct ext2_sb *s, uint32_t g)
{
	return s->first_data_block + g * s->blocks_per_group;
}

static uint32_t group_nblocks(struct ext2_sb *s, uint32_t g)
{
	uint32_t first = group_first_block(s, g);
	uint32_t n = s->blocks_count - first;

	return n < s->blocks_per_group ? n : s->blocks_per_group;
}

bool ext2_valid_data_block(struct ext2_sb *s, uint32_t block)
{
	struct buffer_head *bh;
	struct ext2_group_desc *gd;
	uint32_t g, itb;

	if (block < s->first_data_block + 1 + s->gdt_blocks || block >= s->blocks_count)
		return false;
	g = (block - s->first_data_block) / s->blocks_per_group;
	gd = ext2_group_desc(s, g, &bh);
	if (!gd)
		return false;
	itb = (s->inodes_per_group + s->inodes_per_block - 1) / s->inodes_per_block;
	if (block == gd->bg_block_bitmap || block == gd->bg_inode_bitmap ||
	    (block >= gd->bg_inode_table && block - gd->bg_inode_table < itb))
		return false;
	return true;
}

/* First clear bit in [from, n) of map, or n. */
static uint32_t find_zero(const uint8_t *map, uint32_t from, uint32_t n)
{
	for (uint32_t i = from; i < n; i++) {
		if (map[i / 8] == 0xff) {
			i |= 7;
			continue;
		}
		if (!(map[i / 8] & (1u << (i % 8))))
			return i;
	}
	return n;
}

static void count_change(struct ext2_sb *s, struct ext2_group_desc *gd, struct buffer_head *gbh,
			 int blocks, int inodes, int dirs)
{
	gd->bg_free_blocks_count = (uint16_t)(gd->bg_free_blocks_count + blocks);
	gd->bg_free_inodes_count = (uint16_t)(gd->bg_free_inodes_count + inodes);
	gd->bg_used_dirs_count = (uint16_t)(gd->bg_used_dirs_count + dirs);
	mark_buffer_dirty(gbh);
	s->es->s_free_blocks_count += (uint32_t)blocks;
	s->es->s_free_inodes_count += (uint32_t)inodes;
	ext2_sb_dirty(s);
}

int ext2_new_block(struct ext2_sb *s, uint32_t goal, uint32_t *out)
{
	uint32_t g0;
	int err = 0;

	if (goal < s->first_data_block || goal >= s->blocks_count)
		goal = s->first_data_block;
	g0 = (goal - s->first_data_block) / s->blocks_per_group;
	for (uint32_t k = 0; k <= s->groups_count; k++) {
		uint32_t g = (g0 + k) % s->groups_count;
		struct buffer_head *gbh, *bh;
		struct ext2_group_desc *gd = ext2_group_desc(s, g, &gbh);
		uint32_t n = group_nblocks(s, g), start = 0, bit;

		if (!gd->bg_free_blocks_count)
			continue;
		if (k == 0)
			start = goal - group_first_block(s, g);
		bh = bread(s->cap, s->bdev, gd->bg_block_bitmap, s->block_size, &err);
		if (!bh)
			return err;
		for (;;) {
			bit = find_zero(bh->b_data, start, n);
			if (bit == n && start) {
				bit = find_zero(bh->b_data, 0, start);
				if (bit == start)
					bit = n;
			}
			if (bit == n)
				break;
			if (ext2_valid_data_block(s, group_first_block(s, g) + bit))
				break;
			/* A metadata block marked free: corrupt; never hand it out. */
			ext2_corrupt(s, "block bitmap (metadata block free)", g, bit);
			((uint8_t *)bh->b_data)[bit / 8] |= (uint8_t)(1u << (bit % 8));
			mark_buffer_dirty(bh);
		}
		if (bit == n) {
			brelse(bh);
			ext2_corrupt(s, "block bitmap (full, counted free)", g,
				     gd->bg_free_blocks_count);
			gd->bg_free_blocks_count = 0;
			mark_buffer_dirty(gbh);
			continue;
		}
		((uint8_t *)bh->b_data)[bit / 8] |= (uint8_t)(1u << (bit % 8));
		mark_buffer_dirty(bh);
		brelse(bh);
		count_change(s, gd, gbh, -1, 0, 0);
		*out = group_first_block(s, g) + bit;
		/* Zeroed, so a new indirect block maps nothing and a new data
		 * block reads as a hole did. */
		bh = getblk(s->cap, s->bdev, *out, s->block_size, &err);
		if (!bh)
			return err;
		memset(bh->b_data, 0, s->block_size);
		mark_buffer_dirty(bh);
		brelse(bh);
		return 0;
	}
	return -ENOSPC;
}

void ext2_free_block(struct ext2_sb *s, uint32_t block)
{
	struct buffer_head *gbh, *bh;
	struct ext2_group_desc *gd;
	uint32_t g, bit;
	int err;

	if (!ext2_valid_data_block(s, block)) {
		ext2_corrupt(s, "block freed (not a data block)", block, 0);
		return;
	}
	g = (block - s->first_data_block) / s->blocks_per_group;
	bit = block - group_first_block(s, g);
	gd = ext2_group_desc(s, g, &gbh);
	bh = bread(s->cap, s->bdev, gd->bg_block_bitmap, s->block_size, &err);
	if (!bh)
		return;
	if (!(((uint8_t *)bh->b_data)[bit / 8] & (1u << (bit % 8)))) {
		brelse(bh);
		ext2_corrupt(s, "block bitmap (freeing a free block)", block, g);
		return;
	}
	((uint8_t *)bh->b_data)[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
	mark_buffer_dirty(bh);
	brelse(bh);
	count_change(s, gd, gbh, 1, 0, 0);
}

int ext2_new_inode_nr(struct ext2_sb *s, uint32_t dir_ino, bool is_dir, uint32_t *out)
{
	uint32_t g0 = (dir_ino - 1) / s->inodes_per_group;
	int err = 0;

	if (g0 >= s->groups_count)
		g0 = 0;
	if (is_dir) {
		/* Spread directories: the group with the most free inodes
		 * (Linux's find_group_dir()). */
		uint32_t best = g0, most = 0;

		for (uint32_t g = 0; g < s->groups_count; g++) {
			struct buffer_head *gbh;
			struct ext2_group_desc *gd = ext2_group_desc(s, g, &gbh);

			if (gd->bg_free_inodes_count > most && gd->bg_free_blocks_count) {
				most = gd->bg_free_inodes_count;
				best = g;
			}
		}
		g0 = best;
	}
	for (uint32_t k = 0; k < s->groups_count; k++) {
		uint32_t g = (g0 + k) % s->groups_count;
		struct buffer_head *gbh, *bh;
		struct ext2_group_desc *gd = ext2_group_desc(s, g, &gbh);
		uint32_t start = 0, bit;

		if (!gd->bg_free_inodes_count)
			continue;
		if (g == 0 && s->first_ino > 1)
			start = s->first_ino - 1; /* reserved inodes */
		if (start >= s->inodes_per_group)
			continue;
		bh = bread(s->cap, s->bdev, gd->bg_inode_bitmap, s->block_size, &err);
		if (!bh)
			return err;
		bit = find_zero(bh->b_data, start, s->inodes_per_group);
		if (bit == s->inodes_per_group) {
			brelse(bh);
			ext2_corrupt(s, "inode bitmap (full, counted free)", g,
				     gd->bg_free_inodes_count);
			gd->bg_free_inodes_count = 0;
			mark_buffer_dirty(gbh);
			continue;
		}
		((uint8_t *)bh->b_data)[bit / 8] |= (uint8_t)(1u << (bit % 8));
		mark_buffer_dirty(bh);
		brelse(bh);
		count_change(s, gd, gbh, 0, -1, is_dir ? 1 : 0);
		*out = g * s->inodes_per_group + bit + 1;
		return 0;
	}
	return -ENOSPC;
}

void ext2_free_inode_nr(struct ext2_sb *s, uint32_t ino, bool is_dir)
{
	struct buffer_head *gbh, *bh;
	struct ext2_group_desc *gd;
	uint32_t g, bit;
	int err;

	if (ino < s->first_ino || ino > s->inodes_count) {
		ext2_corrupt(s, "inode freed (reserved or out of range)", ino, 0);
		return;
	}
	g = (ino - 1) / s->inodes_per_group;
	bit = (ino - 1) % s->inodes_per_group;
	gd = ext2_group_desc(s, g, &gbh);
	bh = bread(s->cap, s->bdev, gd->bg_inode_bitmap, s->block_size, &err);
	if (!bh)
		return;
	if (!(((uint8_t *)bh->b_data)[bit / 8] & (1u << (bit % 8)))) {
		brelse(bh);
		ext2_corrupt(s, "inode bitmap (freeing a free inode)", ino, g);
		return;
	}
	((uint8_t *)bh->b_data)[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
	mark_buffer_dirty(bh);
	brelse(bh);
	count_change(s, gd, gbh, 0, 1, is_dir && gd->bg_used_dirs_count ? -1 : 0);
}
