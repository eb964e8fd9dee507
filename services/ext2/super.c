/* ext2 mounts: the super block and group descriptors (checked before
 * anything else is read), statfs, sync, umount, and the "ext2" file
 * system type. [mount(2)], [statfs(2)], [sync(2)]; Linux fs/ext2/super.c. */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <string.h>

#include "ext2.h"

int ext2_corrupt(struct ext2_sb *s, const char *what, unsigned long long a, unsigned long long b)
{
	printk(KERN_ERR "ext2: %s: corrupt %s (%llu, %llu)\n", s->name, what, a, b);
	if (!s->corrupt_reported && !s->rdonly && s->es) {
		/* Mark the file system for e2fsck, as Linux's ext2_error(). */
		s->corrupt_reported = true;
		s->es->s_state |= EXT2_ERROR_FS;
		mark_buffer_dirty(s->sbh);
	}
	return -EUCLEAN;
}

struct ext2_group_desc *ext2_group_desc(struct ext2_sb *s, uint32_t group, struct buffer_head **bh)
{
	if (group >= s->groups_count)
		return NULL;
	*bh = s->gdt[group / s->desc_per_block];
	return (struct ext2_group_desc *)(*bh)->b_data + group % s->desc_per_block;
}

void ext2_sb_dirty(struct ext2_sb *s)
{
	mark_buffer_dirty(s->sbh);
}

/* The super block's own checks (Linux ext2_fill_super()); dev_bytes: the
 * device's size. 0 or -EINVAL with a message. */
static int check_super(struct ext2_sb *s, const struct ext2_super_block *es, uint64_t dev_bytes)
{
	const char *why = NULL;
	uint32_t bs;

	if (es->s_magic != EXT2_SUPER_MAGIC)
		why = "no ext2 magic number";
	else if (es->s_rev_level > 1)
		why = "revision > 1";
	else if (es->s_log_block_size > 2)
		why = "block size > 4096";
	if (why)
		goto bad;
	bs = 1024u << es->s_log_block_size;
	if (es->s_rev_level == 1) {
		if (es->s_inode_size < EXT2_GOOD_OLD_INODE_SIZE || es->s_inode_size > bs ||
		    (es->s_inode_size & (es->s_inode_size - 1)))
			why = "bad inode size";
		else if (es->s_first_ino < EXT2_GOOD_OLD_FIRST_INO ||
			 es->s_first_ino >= es->s_inodes_count)
			why = "bad first inode";
	}
	if (why)
		goto bad;
	if (es->s_blocks_per_group == 0 || es->s_blocks_per_group > bs * 8)
		why = "bad blocks per group";
	else if (es->s_inodes_per_group == 0 || es->s_inodes_per_group > bs * 8)
		why = "bad inodes per group";
	else if (es->s_first_data_block != (bs == 1024 ? 1u : 0u))
		why = "bad first data block";
	else if (es->s_blocks_count <= es->s_first_data_block + 1)
		why = "bad block count";
	else if ((uint64_t)es->s_blocks_count * bs > dev_bytes)
		why = "larger than the device";
	else if (es->s_inodes_count < EXT2_GOOD_OLD_FIRST_INO)
		why = "too few inodes";
	if (why)
		goto bad;
	return 0;
bad:
	printk(KERN_ERR "ext2: %s: cannot mount: %s\n", s->name, why);
	return -EINVAL;
}

/* Every descriptor's bitmaps and inode table inside its group (Linux
 * ext2_check_descriptors()). */
static int check_descriptors(struct ext2_sb *s)
{
	for (uint32_t g = 0; g < s->groups_count; g++) {
		struct buffer_head *bh;
		struct ext2_group_desc *gd = ext2_group_desc(s, g, &bh);
		uint64_t first = s->first_data_block + (uint64_t)g * s->blocks_per_group;
		uint64_t last = g == s->groups_count - 1 ? s->blocks_count - 1 :
							   first + s->blocks_per_group - 1;
		uint64_t itb = ((uint64_t)s->inodes_per_group * s->inode_size + s->block_size - 1) /
			       s->block_size;
		const char *why = NULL;

		if (gd->bg_block_bitmap < first || gd->bg_block_bitmap > last)
			why = "block bitmap";
		else if (gd->bg_inode_bitmap < first || gd->bg_inode_bitmap > last)
			why = "inode bitmap";
		else if (gd->bg_inode_table < first || gd->bg_inode_table + itb - 1 > last)
			why = "inode table";
		if (why) {
			printk(KERN_ERR "ext2: %s: cannot mount: group %u: %s not in group\n",
			       s->name, g, why);
			return -EINVAL;
		}
	}
	return 0;
}

static void release_sb(struct ext2_sb *s)
{
	if (s->gdt) {
		for (unsigned i = 0; i < s->gdt_blocks; i++)
			brelse(s->gdt[i]);
		kfree(s->gdt);
	}
	brelse(s->sbh);
	kfree(s->ihash);
	kfree(s);
}

static const struct super_operations ext2_sops;

int ext2_fill_super(struct super_block *sb, struct block_device *bdev, cap_block_t cap, bool rdonly)
{
	struct ext2_sb *s = kzalloc(sizeof(*s));
	struct ext2_super_block *es;
	uint64_t dev_bytes = blkdev_size(bdev);
	unsigned bs, sb_block, sb_off;
	struct inode *root;
	int err;

	if (!s)
		return -ENOMEM;
	s->sb = sb;
	s->bdev = bdev;
	s->cap = cap;
	s->rdonly = rdonly;
	mutex_init(&s->lock, "ext2");
	strncpy(s->name, bdev_name(bdev), sizeof(s->name) - 1);
	if (dev_bytes < 2048) {
		printk(KERN_ERR "ext2: %s: cannot mount: device too small\n", s->name);
		kfree(s);
		return -EINVAL;
	}
	/* First read the super block as a 1 KiB block to learn the size. */
	s->sbh = bread(cap, bdev, 1, 1024, &err);
	if (!s->sbh) {
		printk(KERN_ERR "ext2: %s: cannot read the super block (%d)\n", s->name, err);
		kfree(s);
		return err;
	}
	es = s->sbh->b_data;
	err = check_super(s, es, dev_bytes);
	if (err) {
		release_sb(s);
		return err;
	}
	bs = 1024u << es->s_log_block_size;
	if (bs < bdev_logical_block_size(bdev)) {
		printk(KERN_ERR "ext2: %s: cannot mount: block size %u below the device's %u\n",
		       s->name, bs, bdev_logical_block_size(bdev));
		release_sb(s);
		return -EINVAL;
	}
	if (bs != 1024) {
		/* Keep one block size for the device in the cache. */
		brelse(s->sbh);
		s->sbh = bread(cap, bdev, 0, bs, &err);
		if (!s->sbh) {
			kfree(s);
			return err;
		}
		sb_block = 0;
		sb_off = 1024;
	} else {
		sb_block = 1;
		sb_off = 0;
	}
	(void)sb_block;
	es = s->es = (struct ext2_super_block *)((char *)s->sbh->b_data + sb_off);
	s->block_size = bs;
	s->log_block_size = 10 + es->s_log_block_size;
	s->addr_per_block = bs / 4;
	s->inode_size = es->s_rev_level ? es->s_inode_size : EXT2_GOOD_OLD_INODE_SIZE;
	s->inodes_per_block = bs / s->inode_size;
	s->first_ino = es->s_rev_level ? es->s_first_ino : EXT2_GOOD_OLD_FIRST_INO;
	s->blocks_count = es->s_blocks_count;
	s->inodes_count = es->s_inodes_count;
	s->first_data_block = es->s_first_data_block;
	s->blocks_per_group = es->s_blocks_per_group;
	s->inodes_per_group = es->s_inodes_per_group;
	s->groups_count = (s->blocks_count - s->first_data_block + s->blocks_per_group - 1) /
			  s->blocks_per_group;
	s->desc_per_block = bs / sizeof(struct ext2_group_desc);
	s->gdt_blocks = (s->groups_count + s->desc_per_block - 1) / s->desc_per_block;
	if (es->s_rev_level) {
		s->filetype = es->s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE;
		s->large_file = es->s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
		s->sparse = es->s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER;
	}
	err = -EINVAL;
	if ((uint64_t)s->groups_count * s->inodes_per_group != s->inodes_count) {
		printk(KERN_ERR "ext2: %s: cannot mount: inode count %u is not %u groups x %u\n",
		       s->name, s->inodes_count, s->groups_count, s->inodes_per_group);
		goto fail;
	}
	if (es->s_rev_level && (es->s_feature_incompat & ~EXT2_INCOMPAT_SUPP)) {
		printk(KERN_ERR "ext2: %s: cannot mount: unsupported features 0x%x\n", s->name,
		       es->s_feature_incompat & ~EXT2_INCOMPAT_SUPP);
		goto fail;
	}
	if (es->s_rev_level && !rdonly && (es->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPP)) {
		printk(KERN_ERR "ext2: %s: cannot mount read-write: unsupported features 0x%x\n",
		       s->name, es->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPP);
		goto fail;
	}
	if (1 + (uint64_t)s->first_data_block + s->gdt_blocks > s->blocks_count) {
		printk(KERN_ERR "ext2: %s: cannot mount: group descriptors past the end\n",
		       s->name);
		goto fail;
	}
	s->gdt = kzalloc(s->gdt_blocks * sizeof(*s->gdt));
	s->ihash = kmalloc(EXT2_IHASH * sizeof(*s->ihash));
	err = -ENOMEM;
	if (!s->gdt || !s->ihash)
		goto fail;
	for (unsigned i = 0; i < EXT2_IHASH; i++)
		list_init(&s->ihash[i]);
	for (unsigned i = 0; i < s->gdt_blocks; i++) {
		s->gdt[i] = bread(cap, bdev, s->first_data_block + 1 + i, bs, &err);
		if (!s->gdt[i]) {
			printk(KERN_ERR "ext2: %s: cannot read group descriptors (%d)\n", s->name,
			       err);
			goto fail;
		}
	}
	err = check_descriptors(s);
	if (err)
		goto fail;
	/* Linux's limits (ext2_max_size()): the block tree, and i_blocks counted
	 * in 32 bits of sectors. */
	{
		uint64_t apb = s->addr_per_block;
		uint64_t nblocks = EXT2_NDIR_BLOCKS + apb + apb * apb + apb * apb * apb;
		uint64_t by_iblocks = ((1ULL << 32) - 1) * 512 - (apb * apb + apb + 3) * bs;

		s->max_bytes = nblocks * bs;
		if (s->max_bytes > by_iblocks)
			s->max_bytes = by_iblocks;
		if (!s->large_file && s->max_bytes > 0x7fffffffULL)
			s->max_bytes = 0x7fffffffULL;
	}
	if (!rdonly && !(es->s_state & EXT2_VALID_FS))
		printk(KERN_ERR "ext2: %s: warning: mounting an unchecked file system, "
				"running e2fsck is recommended\n",
		       s->name);
	if (!rdonly && (es->s_state & EXT2_ERROR_FS))
		printk(KERN_ERR "ext2: %s: warning: mounting a file system with errors, "
				"running e2fsck is recommended\n",
		       s->name);
	sb->fs_private = s;
	sb->s_op = &ext2_sops;
	sb->dev = bdev_devt(bdev); /* st_dev: the device's number, as Linux */
	err = ext2_iget(sb, EXT2_ROOT_INO, &root);
	if (err) {
		printk(KERN_ERR "ext2: %s: cannot mount: bad root inode (%d)\n", s->name, err);
		goto fail_sb;
	}
	if (!S_ISDIR(root->mode) || root->size == 0) {
		printk(KERN_ERR "ext2: %s: cannot mount: the root is not a directory\n", s->name);
		iput(root);
		ext2_icache_prune(s, true);
		err = -EINVAL;
		goto fail_sb;
	}
	sb->root = root;
	if (!rdonly) {
		/* Linux's ext2_setup_super(): mounted, not clean until umount. */
		es->s_state &= (uint16_t)~EXT2_VALID_FS;
		es->s_mnt_count++;
		es->s_mtime = (uint32_t)current_time().tv_sec;
		ext2_sb_dirty(s);
		ext2_sync_fs(sb);
	}
	printk("ext2: %s: mounted %s (%u-byte blocks, %u groups)\n", s->name,
	       rdonly ? "read-only" : "read-write", bs, s->groups_count);
	return 0;
fail_sb:
	sb->fs_private = NULL;
	sb->s_op = NULL;
fail:
	release_sb(s);
	return err;
}

int ext2_sync_fs(struct super_block *sb)
{
	struct ext2_sb *s = EXT2_SB(sb);

	if (!s || s->rdonly)
		return 0;
	s->es->s_wtime = (uint32_t)current_time().tv_sec;
	ext2_sb_dirty(s);
	return sync_blockdev(s->cap, s->bdev);
}

static int ext2_sync_locked(struct super_block *sb)
{
	struct ext2_sb *s = EXT2_SB(sb);
	int r;

	mutex_lock(&s->lock);
	r = ext2_sync_fs(sb);
	mutex_unlock(&s->lock);
	return r;
}

/* df(1): Linux's ext2_statfs() without the overhead subtraction (f_blocks
 * is the whole file system, as with "minixdf"). */
static int ext2_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct ext2_sb *s = EXT2_SB(sb);
	struct ext2_super_block *es = s->es;
	uint64_t free = 0, ifree = 0;

	mutex_lock(&s->lock);
	/* The descriptors' counts are what allocation keeps exact. */
	for (uint32_t g = 0; g < s->groups_count; g++) {
		struct buffer_head *bh;
		struct ext2_group_desc *gd = ext2_group_desc(s, g, &bh);

		free += gd->bg_free_blocks_count;
		ifree += gd->bg_free_inodes_count;
	}
	st->bsize = s->block_size;
	st->blocks = s->blocks_count;
	st->bfree = free;
	st->bavail = free > es->s_r_blocks_count ? free - es->s_r_blocks_count : 0;
	st->files = s->inodes_count;
	st->ffree = ifree;
	st->namelen = EXT2_NAME_LEN;
	mutex_unlock(&s->lock);
	return 0;
}

static int ext2_statfs_old(struct super_block *sb, uint64_t *blocks, uint64_t *bfree,
			   uint64_t *files)
{
	struct kstatfs st;

	ext2_statfs(sb, &st);
	*blocks = st.blocks;
	*bfree = st.bfree;
	*files = st.files - st.ffree;
	return 0;
}

/* umount: a clean state, everything written, the device released. */
static void ext2_put_super(struct super_block *sb)
{
	struct ext2_sb *s = EXT2_SB(sb);

	if (!s)
		return;
	mutex_lock(&s->lock);
	ext2_icache_prune(s, true);
	if (!s->rdonly) {
		if (!s->corrupt_reported)
			s->es->s_state |= EXT2_VALID_FS;
		ext2_sync_fs(sb);
	}
	mutex_unlock(&s->lock);
	{
		cap_block_t cap = s->cap;
		struct block_device *bdev = s->bdev;

		release_sb(s);
		invalidate_bdev(cap, bdev);
		blkdev_put(bdev);
	}
	sb->fs_private = NULL;
	sb->root = NULL;
}

static const struct super_operations ext2_sops = {
	.evict = ext2_evict,
	.put_super = ext2_put_super,
	.statfs = ext2_statfs_old,
	.kstatfs_op = ext2_statfs,
	.sync_fs = ext2_sync_locked,
};

/* mount(2) "ext2": source is a block device node; "ro" (MS_RDONLY) mounts
 * read-only. Options in data are accepted and ignored, as Linux ignores
 * the ones it does not need here (errors=, user_xattr, ...). */
static int ext2_mount(struct super_block *sb, const char *source, unsigned long flags,
		      const char *data)
{
	struct block_device *bdev;
	bool rdonly = flags & MS_RDONLY;
	int err = blkdev_get_by_path(sb->svc.caps.block, source, !rdonly, &bdev);

	if (err == -EROFS) {
		/* [mount(2)] EACCES: a read-only device mounted read-write. */
		return -EACCES;
	}
	if (err)
		return err;
	err = ext2_fill_super(sb, bdev, sb->svc.caps.block, rdonly);
	if (err) {
		invalidate_bdev(sb->svc.caps.block, bdev);
		blkdev_put(bdev);
		return err;
	}
	return 0;
}

static struct file_system_type ext2_fs_type = {
	.name = "ext2",
	.mount = ext2_mount,
};

static int ext2_init(void)
{
	register_filesystem(&ext2_fs_type);
	return 0;
}

SERVICE_INIT(ext2, ext2_init);
