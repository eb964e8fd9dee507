/* ext2 internals: the on-disk format (revision 0 and 1, as Linux's
 * fs/ext2/ext2.h and e2fsprogs' lib/ext2fs/ext2_fs.h define it; "The
 * Second Extended File System", Dave Poirier) and the per-mount state.
 *
 * The image is untrusted. Every number read from it is checked before it
 * is used as an index or a block address: the super block and the group
 * descriptors at mount (ext2_check_super, ext2_check_descriptors), an
 * inode when it is read (ext2_iget), a block number before it is read
 * (ext2_valid_data_block), a directory block before it is walked
 * (ext2_check_dir_block). A damaged object is reported once on the
 * console ("ext2: vda1: ...") and its call fails with -EUCLEAN (Linux's
 * EFSCORRUPTED) or -EIO; a damaged super block fails the mount.
 *
 * Inodes: every inode in use is in the mount's inode table (hash by
 * number), so hard links share one struct inode; the table keeps linked
 * inodes at refcount 0 (the VFS contract) and drops them when it grows
 * past EXT2_ICACHE_MAX. Changes go to the buffer cache at once
 * (ext2_write_inode after every change): an inode in the table is never
 * newer than its block in the cache. Data blocks, bitmaps and inode
 * tables live in the buffer cache (<kernel/blkdev.h>), written back by
 * sync_fs (sync, syncfs, fsync, umount, reboot).
 *
 * Locking: one mutex per mount (ext2_sb.lock) around every operation.
 */
#ifndef SERVICES_EXT2_EXT2_H
#define SERVICES_EXT2_EXT2_H
#include <kernel/blkdev.h>
#include <kernel/list.h>
#include <kernel/mutex.h>
#include <kernel/vfs.h>

/* mount(2) flag (Linux's MS_RDONLY; the core's is in kernel/vfs). */
#ifndef MS_RDONLY
#define MS_RDONLY 1UL
#endif

#define EXT2_SUPER_MAGIC 0xEF53
#define EXT2_SUPER_OFFSET 1024
#define EXT2_ROOT_INO 2
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_NDIR_BLOCKS 12
#define EXT2_IND_BLOCK 12
#define EXT2_DIND_BLOCK 13
#define EXT2_TIND_BLOCK 14
#define EXT2_N_BLOCKS 15
#define EXT2_NAME_LEN 255
#define EXT2_LINK_MAX 32000
#define EXT2_ICACHE_MAX 2048

/* s_feature_compat / incompat / ro_compat */
#define EXT2_FEATURE_COMPAT_DIR_PREALLOC 0x0001
#define EXT2_FEATURE_COMPAT_IMAGIC_INODES 0x0002
#define EXT3_FEATURE_COMPAT_HAS_JOURNAL 0x0004
#define EXT2_FEATURE_COMPAT_EXT_ATTR 0x0008
#define EXT2_FEATURE_COMPAT_RESIZE_INO 0x0010
#define EXT2_FEATURE_COMPAT_DIR_INDEX 0x0020
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002
/* What this driver implements (Linux ext2 without xattrs and meta_bg):
 * any other incompat feature refuses the mount, any other ro_compat
 * feature refuses a read-write mount. */
#define EXT2_INCOMPAT_SUPP EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT_SUPP \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

/* s_state */
#define EXT2_VALID_FS 0x0001
#define EXT2_ERROR_FS 0x0002

/* i_flags */
#define EXT2_INDEX_FL 0x00001000 /* hashed directory (dir_index); cleared when we change it */

/* file_type in directory entries (filetype feature) */
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG_FILE 1
#define EXT2_FT_DIR 2
#define EXT2_FT_CHRDEV 3
#define EXT2_FT_BLKDEV 4
#define EXT2_FT_FIFO 5
#define EXT2_FT_SOCK 6
#define EXT2_FT_SYMLINK 7
#define EXT2_FT_MAX 8

/* The super block, little-endian, 1024 bytes at byte 1024. */
struct ext2_super_block {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* EXT2_DYNAMIC_REV (1) */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algorithm_usage_bitmap;
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	uint16_t s_padding1;
	uint8_t s_rest[1024 - 208];
} __attribute__((packed));

struct ext2_group_desc {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_pad;
	uint32_t bg_reserved[3];
} __attribute__((packed));

struct ext2_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks; /* 512-byte sectors, indirect blocks included */
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_size_high; /* i_dir_acl before large_file */
	uint32_t i_faddr;
	uint8_t l_i_frag, l_i_fsize;
	uint16_t i_pad1;
	uint16_t l_i_uid_high;
	uint16_t l_i_gid_high;
	uint32_t l_i_reserved2;
} __attribute__((packed));

struct ext2_dir_entry {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type;
	char name[];
} __attribute__((packed));

/* Bytes a directory entry with a name of n bytes needs (4-aligned). */
#define EXT2_DIR_REC_LEN(n) (((n) + 8 + 3) & ~3u)

/* Per-mount state (sb->fs_private). */
struct ext2_sb {
	struct super_block *sb;
	struct block_device *bdev;
	cap_block_t cap;
	struct mutex lock;
	char name[24]; /* the device's name, for messages */
	bool rdonly;
	unsigned block_size, log_block_size; /* bytes; 10..12 */
	unsigned addr_per_block;	     /* block numbers per indirect block */
	unsigned inode_size, inodes_per_block;
	uint32_t blocks_count, inodes_count, first_data_block;
	uint32_t blocks_per_group, inodes_per_group, groups_count;
	uint32_t first_ino;
	unsigned desc_per_block, gdt_blocks;
	bool filetype, large_file, sparse;
	uint64_t max_bytes;	     /* largest file */
	struct buffer_head *sbh;     /* the block holding the super block, held */
	struct ext2_super_block *es; /* in sbh->b_data */
	struct buffer_head **gdt;    /* the group descriptor blocks, held */
	unsigned groups_with_errors; /* reported once each */
	/* The inode table. */
	struct list_head *ihash; /* EXT2_IHASH buckets */
	unsigned nr_cached;
	bool corrupt_reported;
};
#define EXT2_IHASH 256

/* Per-inode state (inode->i_private). */
struct ext2_inode_info {
	struct list_head hash;
	struct inode *inode;
	uint32_t i_data[EXT2_N_BLOCKS]; /* host order */
	uint32_t i_flags;
	uint32_t i_dtime;
	uint32_t i_file_acl;
	uint32_t last_alloc; /* goal for the next allocation */
};

#define EXT2_SB(sb) ((struct ext2_sb *)(sb)->fs_private)
#define EXT2_I(inode) ((struct ext2_inode_info *)(inode)->i_private)

/* super.c */
/* Report a damaged object once per call site kind; returns -EUCLEAN. */
int ext2_corrupt(struct ext2_sb *s, const char *what, unsigned long long a, unsigned long long b);
struct ext2_group_desc *ext2_group_desc(struct ext2_sb *s, uint32_t group, struct buffer_head **bh);
void ext2_sb_dirty(struct ext2_sb *s);
/* The mount work, shared with the host test: fill sb from the device. */
int ext2_fill_super(struct super_block *sb, struct block_device *bdev, cap_block_t cap,
		    bool rdonly);
int ext2_sync_fs(struct super_block *sb);

/* balloc.c / ialloc.c */
/* A new zeroed block near goal: 0 and *out, -ENOSPC, -EIO/-EUCLEAN. */
int ext2_new_block(struct ext2_sb *s, uint32_t goal, uint32_t *out);
void ext2_free_block(struct ext2_sb *s, uint32_t block);
/* A free inode number near dir's group (directories spread out). */
int ext2_new_inode_nr(struct ext2_sb *s, uint32_t dir_ino, bool is_dir, uint32_t *out);
void ext2_free_inode_nr(struct ext2_sb *s, uint32_t ino, bool is_dir);
/* A block number a file or directory may point to (not metadata of the
 * group layout at the start, inside the file system). */
bool ext2_valid_data_block(struct ext2_sb *s, uint32_t block);

/* inode.c */
int ext2_iget(struct super_block *sb, uint32_t ino, struct inode **out);
int ext2_write_inode(struct inode *inode);
/* A new in-memory inode for a freshly allocated number (mode set by the
 * caller through inode_init_owner), in the table, refcount 1. */
struct inode *ext2_new_vfs_inode(struct super_block *sb, uint32_t ino);
void ext2_set_ops(struct inode *inode);
/* Logical block lblk of inode: its physical block in *out (0: a hole),
 * allocated (zeroed) if create. 0, -EFBIG, -ENOSPC, -EIO, -EUCLEAN. */
int ext2_bmap(struct inode *inode, uint64_t lblk, bool create, uint32_t *out);
/* Free the blocks from byte size on (size rounded up to blocks). */
int ext2_truncate_blocks(struct inode *inode, uint64_t size);
void ext2_evict(struct inode *inode);
void ext2_icache_prune(struct ext2_sb *s, bool all);
unsigned ext2_mode_to_ft(mode_t mode);

/* dir.c */
int ext2_check_dir_block(struct ext2_sb *s, struct inode *dir, const uint8_t *data, uint64_t lblk);
/* Find name in dir: 0 and its inode number (and entry type), or -ENOENT. */
int ext2_find_entry(struct inode *dir, const char *name, size_t len, uint32_t *ino);
int ext2_add_entry(struct inode *dir, const char *name, size_t len, uint32_t ino, mode_t mode);
int ext2_delete_entry(struct inode *dir, const char *name, size_t len);
/* Point the existing entry name at ino (rename over, ".." of a moved dir). */
int ext2_set_entry(struct inode *dir, const char *name, size_t len, uint32_t ino, mode_t mode);
/* 1 if dir has no entries but "." and "..", 0 if it has, or -errno. */
int ext2_dir_empty(struct inode *dir);
int ext2_make_empty_dir(struct inode *inode, uint32_t parent_ino);
extern const struct file_operations ext2_dir_fops;
extern const struct inode_operations ext2_dir_iops;

/* file.c */
extern const struct file_operations ext2_file_fops;
extern const struct inode_operations ext2_file_iops;
extern const struct inode_operations ext2_symlink_iops;
extern const struct inode_operations ext2_special_iops;
int ext2_setattr(struct inode *inode, const struct iattr *attr);

#endif
