/* tmpfs mounts: options, inodes, space accounting, statfs, evict, and the
 * "tmpfs" file system type. [tmpfs(5)], [mount(2)], [statfs(2)] */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <string.h>

#include "tmpfs.h"

/* Anonymous device numbers for st_dev, one per mount (Linux's
 * get_anon_bdev hands out MKDEV(0, n) the same way). */
static unsigned next_anon_minor = 16;

int tmpfs_charge(struct super_block *sb, int64_t n)
{
	struct tmpfs_sb *tsb = TSB(sb);

	int r = 0;

	if (!tsb) /* after unmount */
		return n > 0 ? -ENOSPC : 0;
	spin_lock(&tsb->lock);
	if (n < 0) {
		uint64_t less = (uint64_t)-n;
		tsb->used_bytes = less > tsb->used_bytes ? 0 : tsb->used_bytes - less;
	} else if (tsb->max_bytes &&
		   (uint64_t)n > tsb->max_bytes - MIN(tsb->used_bytes, tsb->max_bytes)) {
		r = -ENOSPC;
	} else {
		tsb->used_bytes += (uint64_t)n;
	}
	spin_unlock(&tsb->lock);
	return r;
}

struct inode *tmpfs_new_inode(struct super_block *sb, struct inode *dir, mode_t mode, dev_t rdev)
{
	struct tmpfs_inode *ti = kzalloc(sizeof(*ti));
	if (!ti)
		return NULL;
	struct inode *inode = inode_alloc(sb);
	if (!inode) {
		kfree(ti);
		return NULL;
	}
	inode->i_private = ti;
	inode->nlink = 1;
	inode_init_owner(inode, dir, mode);
	inode->rdev = 0;
	inode->size = 0;
	inode->blocks = 0;

	switch (mode & S_IFMT) {
	case S_IFDIR:
		list_init(&ti->dir.entries);
		ti->dir.next_cookie = 2;
		inode->nlink = 2;
		inode->size = 40; /* "." and ".." at 20 bytes each, as shmem reports */
		inode->i_op = &tmpfs_dir_iops;
		inode->i_fop = &tmpfs_dir_fops;
		break;
	case S_IFREG:
		spin_lock_init(&ti->file.lock, "tmpfs_pages.lock");
		inode->i_op = &tmpfs_file_iops;
		inode->i_fop = &tmpfs_file_fops;
		break;
	case S_IFLNK: inode->i_op = &tmpfs_symlink_iops; break;
	default:
		/* Device nodes, FIFOs and sockets: the VFS opens them by type. */
		inode->rdev = rdev;
		inode->i_op = &tmpfs_special_iops;
		break;
	}
	spin_lock(&TSB(sb)->lock);
	TSB(sb)->nr_inodes++;
	spin_unlock(&TSB(sb)->lock);
	return inode;
}

void tmpfs_free_private(struct inode *inode)
{
	struct tmpfs_inode *ti = TI(inode);

	if (!ti)
		return;
	tmpfs_xattrs_free(inode);
	switch (inode->mode & S_IFMT) {
	case S_IFREG: tmpfs_pages_truncate(inode->sb, &ti->file, 0); break;
	case S_IFLNK:
		if (ti->symlink.target) {
			tmpfs_charge(inode->sb, -((int64_t)ti->symlink.len + 1));
			kfree(ti->symlink.target);
		}
		break;
	case S_IFDIR:
		/* Evicted only once removed, hence empty (rmdir checks). */
		break;
	default: break;
	}
	kfree(ti);
	inode->i_private = NULL;
	if (TSB(inode->sb)) {
		spin_lock(&TSB(inode->sb)->lock);
		if (TSB(inode->sb)->nr_inodes)
			TSB(inode->sb)->nr_inodes--;
		spin_unlock(&TSB(inode->sb)->lock);
	}
}

/* Last iput of an inode with no links (the VFS's iput contract): free its
 * data and the inode itself. */
static void tmpfs_evict(struct inode *inode)
{
	tmpfs_free_private(inode);
	kfree(inode);
}

/* Unlink everything below dir (at unmount): each child loses all its
 * links, so it is evicted as soon as nothing else holds it. */
static void tmpfs_teardown(struct inode *dir)
{
	struct tmpfs_dirent *de, *n;

	list_for_each_entry_safe(de, n, &TI(dir)->dir.entries, list) {
		struct inode *child = de->inode;

		if (S_ISDIR(child->mode) && TI(child))
			tmpfs_teardown(child);
		child->nlink = 0;
		list_del(&de->list);
		kfree(de);
		iput(child);
	}
}

/* umount: free the tree. Inodes still open (lazy unmount) are freed at
 * their last close without the space accounting. */
static void tmpfs_put_super(struct super_block *sb)
{
	struct inode *root = sb->root;

	if (root && TI(root))
		tmpfs_teardown(root);
	/* The VFS dropped the root dentry already; a linked inode at
	 * refcount 0 is ours to free. */
	if (root && root->refcount == 0) {
		tmpfs_free_private(root);
		kfree(root);
		sb->root = NULL;
	}
	if (TSB(sb))
		kfree(TSB(sb)->owner_private);
	kfree(sb->fs_private);
	sb->fs_private = NULL;
}

/* Sizes in 4 KiB blocks: blocks = the "size=" limit, bfree = what is left
 * of it, files = inodes in use. */
static int tmpfs_statfs(struct super_block *sb, uint64_t *blocks, uint64_t *bfree, uint64_t *files)
{
	struct tmpfs_sb *tsb = TSB(sb);
	uint64_t max = tsb->max_bytes ? tsb->max_bytes : frame_total_bytes();
	uint64_t used = MIN(tsb->used_bytes, max);

	*blocks = max / PAGE_SIZE;
	*bfree = (max - used) / PAGE_SIZE;
	*files = tsb->nr_inodes;
	return 0;
}

static const struct super_operations tmpfs_sops = {
	.evict = tmpfs_evict,
	.put_super = tmpfs_put_super,
	.statfs = tmpfs_statfs,
};

int tmpfs_fill_super(struct super_block *sb, const char *data, mode_t root_mode)
{
	struct tmpfs_opts o = {
		/* Linux's default: half of RAM. */
		.max_bytes = PAGE_ALIGN_UP(frame_total_bytes() / 2),
		.mode = root_mode & 07777,
	};
	int r = tmpfs_parse_options(data, &o);
	if (r)
		return r;

	struct tmpfs_sb *tsb = kzalloc(sizeof(*tsb));

	if (tsb)
		spin_lock_init(&tsb->lock, "tmpfs_sb.lock");
	if (!tsb)
		return -ENOMEM;
	tsb->max_bytes = o.max_bytes;
	tsb->root_mode = o.mode;
	sb->fs_private = tsb;
	sb->s_op = &tmpfs_sops;
	if (!sb->dev) {
		unsigned minor = next_anon_minor++;
		sb->dev = MKDEV(0, minor);
	}

	struct inode *root = tmpfs_new_inode(sb, NULL, S_IFDIR | o.mode, 0);
	if (!root) {
		sb->fs_private = NULL;
		kfree(tsb);
		return -ENOMEM;
	}
	root->uid = o.uid;
	root->gid = o.gid;
	sb->root = root;
	return 0;
}

/* mount(2) "tmpfs": the root directory is 1777 unless "mode=" says. */
static int tmpfs_mount(struct super_block *sb, const char *source, unsigned long flags,
		       const char *data)
{
	return tmpfs_fill_super(sb, data, 01777);
}

static struct file_system_type tmpfs_fs_type = {
	.name = "tmpfs",
	.mount = tmpfs_mount,
};

static int tmpfs_init(void)
{
	register_filesystem(&tmpfs_fs_type);
	return 0;
}
void *tmpfs_owner_private(const struct super_block *sb)
{
	return TSB(sb)->owner_private;
}

void tmpfs_set_owner_private(struct super_block *sb, void *state)
{
	TSB(sb)->owner_private = state;
}

SERVICE_INIT(tmpfs, tmpfs_init);
