/* Per-process file-system context: root directory (chroot(2)) and current
 * working directory (chdir(2)), and the helpers that pick the right ones
 * for the running task (or the root mount during boot, before any task has
 * an fs_struct). */
#include <kernel/eventpoll.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/task.h>

#include "internal.h"

/* cwd = root = the root of the root mount. NULL on -ENOMEM or if no root
 * file system is mounted yet. */
struct fs_struct *fs_create_root(void)
{
	struct fs_struct *fs;

	if (!root_mount)
		return NULL;
	fs = kzalloc(sizeof(*fs));
	if (!fs)
		return NULL;
	spin_lock_init(&fs->lock, "fs_struct.lock");
	fs->root = dget(root_mount->root);
	fs->cwd = dget(root_mount->root);
	d_follow_mounts(&fs->cwd);
	d_follow_mounts(&fs->root);
	fs->refcount = 1;
	return fs;
}

/* fork(2): the child gets its own copy of root and cwd. */
struct fs_struct *fs_dup(struct fs_struct *src)
{
	struct fs_struct *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	spin_lock_init(&fs->lock, "fs_struct.lock");
	spin_lock(&src->lock);
	fs->root = dget(src->root);
	fs->cwd = dget(src->cwd);
	spin_unlock(&src->lock);
	fs->refcount = 1;
	return fs;
}

struct fs_struct *fs_get(struct fs_struct *fs)
{
	__atomic_fetch_add(&fs->refcount, 1, __ATOMIC_RELAXED);
	return fs;
}

void fs_put(struct fs_struct *fs)
{
	if (!fs)
		return;
	KASSERT(__atomic_load_n(&fs->refcount, __ATOMIC_RELAXED) > 0);
	if (__atomic_sub_fetch(&fs->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	dput(fs->root);
	dput(fs->cwd);
	kfree(fs);
}

static struct fs_struct *current_fs(void)
{
	return current ? current->fs : NULL;
}

struct dentry *current_root(void)
{
	struct fs_struct *fs = current_fs();
	struct dentry *d = NULL;

	if (fs) {
		spin_lock(&fs->lock);
		if (fs->root)
			d = dget(fs->root);
		spin_unlock(&fs->lock);
		if (d)
			return d;
	}
	if (!root_mount)
		return NULL;
	d = dget(root_mount->root);
	d_follow_mounts(&d);
	return d;
}

struct dentry *current_cwd(void)
{
	struct fs_struct *fs = current_fs();
	struct dentry *d = NULL;

	if (fs) {
		spin_lock(&fs->lock);
		if (fs->cwd)
			d = dget(fs->cwd);
		spin_unlock(&fs->lock);
		if (d)
			return d;
	}
	return current_root();
}

void set_current_cwd(struct dentry *d)
{
	struct fs_struct *fs = current_fs();
	struct dentry *old;

	if (!fs) {
		dput(d);
		return;
	}
	spin_lock(&fs->lock);
	old = fs->cwd;
	fs->cwd = d;
	spin_unlock(&fs->lock);
	dput(old);
}

void set_current_root(struct dentry *d)
{
	struct fs_struct *fs = current_fs();
	struct dentry *old;

	if (!fs) {
		dput(d);
		return;
	}
	spin_lock(&fs->lock);
	old = fs->root;
	fs->root = d;
	spin_unlock(&fs->lock);
	dput(old);
}

uint32_t current_umask(void)
{
	return current ? (current->umask & 0777) : 0022;
}

bool current_is_root(void)
{
	return !current || current->euid == 0;
}

int task_fs_path(struct task *t, bool cwd, char *buf, size_t len)
{
	struct fs_struct *fs = get_task_fs(t);
	struct dentry *root, *d = NULL;
	int n;

	if (!fs)
		return -ENOENT;
	spin_lock(&fs->lock);
	if (cwd ? fs->cwd : fs->root)
		d = dget(cwd ? fs->cwd : fs->root);
	spin_unlock(&fs->lock);
	fs_put(fs);
	if (!d)
		return -ENOENT;
	root = current_root();
	n = d_path(d, root, buf, len, true);
	dput(root);
	dput(d);
	return n;
}

/* Absolute path of an open file ([proc(5)] /proc/[pid]/exe, fd/ links):
 * "pipe:[ino]" for pipes, "socket:[ino]" for sockets, "anon_inode:[...]" for others without a path;
 * " (deleted)" appended for unlinked files, as Linux does. */
int file_path(const struct file *f, char *buf, size_t len)
{
	struct dentry *root;
	int n;

	if (!f->dentry) {
		if (file_is_pipe(f) && f->inode)
			n = snprintf(buf, len, "pipe:[%llu]", (unsigned long long)f->inode->ino);
		else if (f->inode && S_ISSOCK(f->inode->mode))
			n = snprintf(buf, len, "socket:[%llu]", (unsigned long long)f->inode->ino);
		else if (anon_inode_name(f))
			n = snprintf(buf, len, "anon_inode:%s", anon_inode_name(f));
		else
			n = snprintf(buf, len, "anon_inode:[file]");
		return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : n;
	}
	root = current_root();
	n = d_path(f->dentry, root, buf, len, true);
	dput(root);
	return n;
}
