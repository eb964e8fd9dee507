/* devtmpfs: a tmpfs instance that shows every registered character device
 * as a node (mode S_IFCHR | cd->mode, rdev cd->dev), plus the standard
 * links and directories of a Linux /dev: fd -> /proc/self/fd, stdin,
 * stdout, stderr -> /proc/self/fd/0..2, pts/ and shm/. Users may mknod,
 * mkdir and remove as in any tmpfs. Devices registered after the mount
 * appear the next time the root is listed or a missing name is looked up
 * (Linux devtmpfs creates them as they register). [tmpfs(5)],
 * Linux drivers/base/devtmpfs.c, Documentation/admin-guide/devices.txt. */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <string.h>

#include <services/tmpfs.h>

/* Root directory ops: tmpfs's, with lookup and readdir first creating the
 * nodes of devices registered since the last look. */
static struct inode_operations devfs_root_iops;
static struct file_operations devfs_root_fops;

/* Create dir/name[0..len) with the tmpfs op for its kind; drop our
 * reference (the directory holds one). -EEXIST is not an error. */
static int add_node(struct inode *dir, const char *name, mode_t mode, dev_t rdev,
		    const char *target)
{
	struct inode *inode = NULL;
	size_t len = strlen(name);
	int r;

	if (S_ISDIR(mode))
		r = tmpfs_dir_iops.mkdir(dir, name, len, mode & 07777, &inode);
	else if (S_ISLNK(mode))
		r = tmpfs_dir_iops.symlink(dir, name, len, target, &inode);
	else
		r = tmpfs_dir_iops.mknod(dir, name, len, mode, rdev, &inode);
	if (r == 0)
		iput(inode);
	return r == -EEXIST ? 0 : r;
}

/* A node for cd under the root ("pts/0" style names get their directory). */
static void add_chrdev(struct inode *root, const struct chrdev *cd)
{
	const char *slash = strrchr(cd->name, '/');
	struct inode *dir = root;

	if (slash) {
		size_t dlen = (size_t)(slash - cd->name);

		if (dlen == 0 || dlen > NAME_MAX || strchr(cd->name, '/') != slash)
			return; /* one level is all devices use */
		if (tmpfs_dir_iops.lookup(root, cd->name, dlen, &dir) &&
		    tmpfs_dir_iops.mkdir(root, cd->name, dlen, 0755, &dir))
			return;
		struct inode *inode = NULL;
		if (S_ISDIR(dir->mode) &&
		    !tmpfs_dir_iops.mknod(dir, slash + 1, strlen(slash + 1),
					  S_IFCHR | (cd->mode & 07777), cd->dev, &inode))
			iput(inode);
		iput(dir); /* the lookup's or mkdir's reference */
		return;
	}
	int r = add_node(root, cd->name, (cd->block ? S_IFBLK : S_IFCHR) | (cd->mode & 07777),
			 cd->dev, NULL);
	if (r)
		printk("devtmpfs: cannot create %s: error %d\n", cd->name, -r);
}

/* Per-mount: how many entries of chrdev_list are already shown. The list
 * only grows (devices are never unregistered), at its tail. */
struct devfs_state {
	size_t nr_seen;
};

static void devfs_sync(struct inode *root)
{
	struct devfs_state *st = tmpfs_owner_private(root->sb);
	struct chrdev *cd;
	size_t i = 0;

	if (!st)
		return;
	list_for_each_entry(cd, &chrdev_list, list) {
		if (i++ < st->nr_seen)
			continue;
		if (cd->name && *cd->name)
			add_chrdev(root, cd);
		st->nr_seen = i;
	}
}

static int devfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	int r = tmpfs_dir_iops.lookup(dir, name, len, out);

	if (r == -ENOENT) {
		devfs_sync(dir);
		r = tmpfs_dir_iops.lookup(dir, name, len, out);
	}
	return r;
}

static int devfs_readdir(struct file *f, off_t *pos, filldir_t fill, void *ctx)
{
	devfs_sync(f->inode);
	return tmpfs_dir_fops.readdir(f, pos, fill, ctx);
}

/* mount(2) "devtmpfs": a fresh tmpfs (root 0755, "size="/"mode=" as
 * tmpfs) populated with the nodes. 0, -ENOMEM, -EINVAL. */
static int devfs_mount(struct super_block *sb, const char *source, unsigned long flags,
		       const char *data)
{
	struct devfs_state *st = kzalloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	int r = tmpfs_fill_super(sb, data, 0755);
	if (r) {
		kfree(st);
		return r;
	}
	tmpfs_set_owner_private(sb, st);
	struct inode *root = sb->root;
	root->i_op = &devfs_root_iops;
	root->i_fop = &devfs_root_fops;

	devfs_sync(root);
	static const struct {
		const char *name, *target;
		mode_t mode;
	} extra[] = {
		{ "fd", "/proc/self/fd", S_IFLNK | 0777 },
		{ "stdin", "/proc/self/fd/0", S_IFLNK | 0777 },
		{ "stdout", "/proc/self/fd/1", S_IFLNK | 0777 },
		{ "stderr", "/proc/self/fd/2", S_IFLNK | 0777 },
		{ "pts", NULL, S_IFDIR | 0755 },
		{ "shm", NULL, S_IFDIR | 01777 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
		r = add_node(root, extra[i].name, extra[i].mode, 0, extra[i].target);
		if (r)
			printk("devtmpfs: cannot create %s: error %d\n", extra[i].name, -r);
	}
	return 0;
}

static struct file_system_type devfs_fs_type = {
	.name = "devtmpfs",
	.mount = devfs_mount,
};

static int devfs_init(void)
{
	devfs_root_iops = tmpfs_dir_iops;
	devfs_root_iops.lookup = devfs_lookup;
	devfs_root_fops = tmpfs_dir_fops;
	devfs_root_fops.readdir = devfs_readdir;
	register_filesystem(&devfs_fs_type);
	return 0;
}
SERVICE_INIT(devfs, devfs_init);
