/* tmpfs internals: a read-write file system kept entirely in kernel heap
 * memory. [tmpfs(5)]
 *
 * Ownership: every directory entry holds one reference (iget) on its
 * inode, so a linked inode never reaches refcount 0 while it is in the
 * tree; unlink/rmdir drop that reference and nlink, and the VFS calls
 * evict() at the last iput (after the last close of an unlinked file),
 * which frees the data.
 *
 * Files keep their data in 4 KiB frames (frame_alloc, reached only with
 * frame_read/frame_write, so the same code runs under Fortress) found
 * through a small radix tree (512 slots per kmalloc'd node): holes are
 * empty slots and read as zeros, lookups cost O(height) and appends never
 * copy the file. (A kmalloc'd 4 KiB page would cost two frames: the heap
 * puts a header in front of large objects.)
 */
#ifndef SERVICES_TMPFS_TMPFS_H
#define SERVICES_TMPFS_TMPFS_H
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/vfs.h>
#include <services/tmpfs.h>

#define TMPFS_MAGIC 0x01021994 /* statfs f_type [statfs(2)] */
/* Largest file, bytes (Linux allows MAX_LFS_FILESIZE; 2^52 keeps the page
 * index well inside 5 radix levels). */
#define TMPFS_MAX_FILE_BYTES (1ULL << 52)

/* Per-mount state (sb->fs_private). */
struct tmpfs_sb {
	spinlock_t lock;     /* used_bytes and nr_inodes (a leaf lock) */
	uint64_t max_bytes;  /* "size=": limit on data bytes, 0 = only memory */
	uint64_t used_bytes; /* bytes of pages and symlink targets allocated */
	uint64_t nr_inodes;  /* inodes alive */
	mode_t root_mode;    /* "mode=" */
	void *owner_private; /* a file system built on tmpfs (devfs): its
				* state, kfree'd at unmount */
};

/* A name in a directory. */
struct tmpfs_dirent {
	struct list_head list; /* in tmpfs_inode.dir.entries, cookie order */
	struct inode *inode;   /* referenced */
	uint64_t cookie;       /* readdir position, >= 2, stable */
	size_t len;
	char name[]; /* len bytes + NUL */
};

/* Radix tree of data pages: a slot holds a child node (inner levels) or
 * a frame's physical address (leaves, 0 = hole). */
union tmpfs_slot {
	union tmpfs_slot *node;
	paddr_t page;
};
/* lock guards the tree (root, height, nr): writers, truncates and the
 * faults of shared mappings change it from several CPUs; readers look a
 * page up under it and copy the frame after. Order: tmpfs_pages.lock ->
 * tmpfs_sb.lock. Nothing sleeps under it (frame and node allocations do
 * not). */
struct tmpfs_pages {
	spinlock_t lock;
	union tmpfs_slot root; /* height 0: root.page is page 0 itself */
	unsigned height;       /* the tree covers 512^height pages */
	uint64_t nr;	       /* frames allocated */
};

/* One extended attribute: name and value in one allocation. */
struct tmpfs_xattr {
	struct tmpfs_xattr *next;
	size_t name_len; /* without the NUL */
	size_t size;	 /* of the value, bytes */
	char data[];	 /* name, NUL, value */
};

/* Bytes of names and values one inode may hold (Linux bounds tmpfs's by
 * the memory it may use); past this setxattr(2) is -ENOSPC. */
#define TMPFS_XATTR_BYTES_MAX (1024 * 1024)

/* inode->i_private. */
struct tmpfs_inode {
	struct tmpfs_xattr *xattrs; /* newest first; listed oldest first */
	size_t xattr_bytes;	    /* names + values held */
	union {
		struct {
			struct list_head entries;
			uint64_t next_cookie;
		} dir;
		struct tmpfs_pages file;
		struct {
			char *target;
			size_t len;
		} symlink;
	};
};

static inline struct tmpfs_inode *TI(const struct inode *inode)
{
	return inode->i_private;
}
static inline struct tmpfs_sb *TSB(const struct super_block *sb)
{
	return sb->fs_private;
}

/* Mount options; fields keep their defaults unless given. */
struct tmpfs_opts {
	uint64_t max_bytes; /* bytes, 0 = no limit but memory */
	mode_t mode;	    /* of the root directory */
	uint32_t uid, gid;  /* of the root directory */
};
/* Parse the mount(2) data string: comma-separated key=value pairs;
 * "size=" takes bytes with a k/m/g/t suffix or a percentage of RAM,
 * "mode=" octal, "uid="/"gid=" decimal. Unknown keys are ignored (as
 * Linux ignores mount helpers' extra options). data may be NULL.
 * 0, or -EINVAL (with a message) for a malformed value. */
int tmpfs_parse_options(const char *data, struct tmpfs_opts *o);

/* tmpfs_fill_super(): <services/tmpfs.h>. */

/* A new inode of type mode (S_IF* | permissions) in dir's file system,
 * owned by the caller (setgid directories pass their group on), with
 * the ops for its type; rdev for device nodes. NULL on -ENOMEM. */
struct inode *tmpfs_new_inode(struct super_block *sb, struct inode *dir, mode_t mode, dev_t rdev);

/* Free the data of an inode (evict). */
void tmpfs_free_private(struct inode *inode);

/* Account n bytes more (>0) or fewer (<0) against "size=": 0 or -ENOSPC. */
int tmpfs_charge(struct super_block *sb, int64_t n);

/* Data pages (pages.c). */
/* The frame holding page idx, or 0 (a hole). */
paddr_t tmpfs_page_get(const struct tmpfs_pages *p, uint64_t idx);
/* The frame of page idx, allocated zero-filled (and charged to sb) if
 * missing. 0 on -ENOMEM / -ENOSPC (*err says which). */
paddr_t tmpfs_page_get_alloc(struct super_block *sb, struct tmpfs_pages *p, uint64_t idx, int *err);
/* Free every page with index >= first. */
void tmpfs_pages_truncate(struct super_block *sb, struct tmpfs_pages *p, uint64_t first);

/* Regular files (file.c): set the size, freeing pages past it and zeroing
 * the tail of the last partial page. 0, -EFBIG. */
int tmpfs_set_size(struct inode *inode, uint64_t size);
extern const struct inode_operations tmpfs_file_iops;

/* Directories (dir.c, namei.c). */
/* Find name in dir (no reference taken) or NULL. */
struct tmpfs_dirent *tmpfs_dir_find(struct inode *dir, const char *name, size_t len);
/* Link inode under name in dir (takes a reference on inode). 0 or -ENOMEM. */
int tmpfs_dir_add(struct inode *dir, const char *name, size_t len, struct inode *inode);
/* Unlink a dirent and drop its reference (the caller adjusts nlink first). */
void tmpfs_dir_remove(struct inode *dir, struct tmpfs_dirent *de);
/* DT_* type of an inode mode. */
unsigned tmpfs_dt_type(mode_t mode);
/* Stamp mtime and ctime with the current time. */
void tmpfs_touch(struct inode *inode);

/* Symlinks and special files (special.c). */
extern const struct inode_operations tmpfs_symlink_iops;
extern const struct inode_operations tmpfs_special_iops;
/* inode_operations.setattr for every tmpfs inode (attr.c). */
int tmpfs_setattr(struct inode *inode, const struct iattr *attr);

/* Extended attributes of every tmpfs inode (xattr.c), [xattr(7)]: the
 * "user.", "trusted." and "security." namespaces (Linux 6.6 and later keep
 * "user." on tmpfs too; 6.1 keeps the other two). */
ssize_t tmpfs_getxattr(struct inode *inode, const char *name, void *buf, size_t size);
int tmpfs_setxattr(struct inode *inode, const char *name, const void *value, size_t size,
		   int flags);
ssize_t tmpfs_listxattr(struct inode *inode, char *buf, size_t size, bool with_trusted);
int tmpfs_removexattr(struct inode *inode, const char *name);
/* Free them all (evict). */
void tmpfs_xattrs_free(struct inode *inode);
#define TMPFS_XATTR_IOPS                                                                      \
	.getxattr = tmpfs_getxattr, .setxattr = tmpfs_setxattr, .listxattr = tmpfs_listxattr, \
	.removexattr = tmpfs_removexattr

#endif
