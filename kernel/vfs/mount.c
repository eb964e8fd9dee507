/* File system types and the mount table. [mount(2)], [umount(2)],
 * [proc(5)] /proc/mounts. Each mount has its own super block (no bind
 * mounts in this version); mounts stack on a mount point like Linux's. */
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <string.h>

#include "internal.h"

/* The next mount's mnt_id (Linux starts near 20; any unique number will do). */
static int next_mnt_id = 21;

static LIST_HEAD(fs_types);
LIST_HEAD(mount_list);
struct mutex mount_mutex = MUTEX_INIT(mount_mutex, "mount_mutex");
struct mount *root_mount;
/* Anonymous device numbers for st_dev (Linux's get_anon_bdev: major 0). */
static unsigned next_anon_minor = 16;

/* Make a file system type available to mount(2). Registering the same
 * name twice keeps the first. */
void register_filesystem(struct file_system_type *fs)
{
	if (get_fs_type(fs->name)) {
		printk("vfs: file system %s registered twice\n", fs->name);
		return;
	}
	list_add_tail(&fs->list, &fs_types);
}

struct file_system_type *get_fs_type(const char *name)
{
	struct file_system_type *fs;

	list_for_each_entry(fs, &fs_types, list) {
		if (strcmp(fs->name, name) == 0)
			return fs;
	}
	return NULL;
}

/* Boot-time set-up of the VFS (kernel/main.c, before services_init()). */
void vfs_init(void)
{
	/* The tables are statically initialised; nothing to allocate yet. */
}

/* A new super block of type, filled by the file system's mount(): 0, or
 * -ENOMEM and the mount's -errno (then nothing is left behind). */
static int sb_mount(struct file_system_type *type, const char *source, unsigned long flags,
		    const char *data, struct super_block **out)
{
	struct super_block *sb = kzalloc(sizeof(*sb));
	int err;

	if (!sb)
		return -ENOMEM;
	sb->type = type;
	mutex_init(&sb->s_dir_mutex, "sb.s_dir_mutex");
	svc_instance_init(&sb->svc, type->name);
	sb->dev = MKDEV(0, __atomic_fetch_add(&next_anon_minor, 1, __ATOMIC_RELAXED));
	sb->flags = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS |
			     MS_NOATIME | MS_NODIRATIME | MS_RELATIME);
	err = svc_call(&sb->svc, type->mount(sb, source, flags, data));
	if (!err && (!sb->root || !S_ISDIR(sb->root->mode)))
		err = -EINVAL;
	if (err) {
		svc_instance_release(&sb->svc);
		kfree(sb);
		return err;
	}
	*out = sb;
	return 0;
}

/* Contract in internal.h. The instance lives as long as the kernel. */
int kern_mount(const char *fstype, struct super_block **out)
{
	struct file_system_type *type = get_fs_type(fstype);

	if (!type)
		return -ENODEV;
	return sb_mount(type, "none", 0, NULL, out);
}

static int do_mount_locked(const char *source, struct dentry *mountpoint, const char *fstype,
			   unsigned long flags, const char *data);

int do_mount(const char *source, struct dentry *mountpoint, const char *fstype, unsigned long flags,
	     const char *data)
{
	int r;

	mutex_lock(&mount_mutex);
	r = do_mount_locked(source, mountpoint, fstype, flags, data);
	mutex_unlock(&mount_mutex);
	return r;
}

static int do_mount_locked(const char *source, struct dentry *mountpoint, const char *fstype,
			   unsigned long flags, const char *data)
{
	struct file_system_type *type = get_fs_type(fstype);
	struct super_block *sb;
	struct mount *m;
	int err;

	if (!type)
		return -ENODEV;
	if (mountpoint && (!mountpoint->inode || !S_ISDIR(mountpoint->inode->mode)))
		return -ENOTDIR;
	if (mountpoint && mountpoint->mounted)
		return -EBUSY;
	m = kzalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	err = sb_mount(type, source, flags, data, &sb);
	if (err) {
		kfree(m);
		return err;
	}
	m->sb = sb;
	m->flags = sb->flags;
	m->source = kstrdup(source ? source : "none");
	m->mnt_id = next_mnt_id++; /* mount_mutex */
	/* The root dentry takes over the reference the file system stored in
	 * sb->root. */
	m->root = d_alloc_root(sb->root, m);
	if (!m->source || !m->root) {
		/* Out of memory after a successful mount: give the sb back. */
		kfree(m->source);
		kfree(m->root);
		if (sb->s_op && sb->s_op->put_super)
			svc_call_void(&sb->svc, sb->s_op->put_super(sb));
		svc_instance_release(&sb->svc);
		kfree(sb);
		kfree(m);
		return -ENOMEM;
	}
	if (mountpoint) {
		m->mountpoint = dget(mountpoint);
		m->parent = mountpoint->mnt;
		spin_lock(&dcache_lock);
		mountpoint->mounted = m;
		spin_unlock(&dcache_lock);
	} else {
		root_mount = m;
	}
	m->attached = true;
	list_add_tail(&m->list, &mount_list);
	return 0;
}

static bool has_submounts(const struct mount *m)
{
	struct mount *c;

	list_for_each_entry(c, &mount_list, list) {
		if (c->parent == m)
			return true;
	}
	return false;
}

/* Unmount the mount whose root dentry is root; consumes the caller's
 * reference to root. The mount holds one more; any other reference (an
 * open file, a cwd, a child dentry in use) or a mount below makes the file
 * system busy ([umount(2)] EBUSY) unless lazy (MNT_DETACH: cut out of the
 * tree now; what is still in use stays valid and, in this version, is
 * never freed). */
static int do_umount_locked(struct dentry *root, bool lazy);

int do_umount(struct dentry *root, bool lazy)
{
	int r;

	mutex_lock(&mount_mutex);
	r = do_umount_locked(root, lazy);
	mutex_unlock(&mount_mutex);
	return r;
}

static int do_umount_locked(struct dentry *root, bool lazy)
{
	struct mount *m = root->mnt;
	struct super_block *sb = m->sb;
	struct dentry *mp;
	bool busy;

	if (!m->attached || m->root != root) {
		dput(root);
		return -EINVAL; /* [umount(2)]: target is not a mount point */
	}
	if (m == root_mount || !m->mountpoint) {
		dput(root);
		return -EBUSY;
	}
	busy = has_submounts(m) || __atomic_load_n(&root->refcount, __ATOMIC_RELAXED) > 2;
	if (busy && !lazy) {
		dput(root);
		return -EBUSY;
	}
	mp = m->mountpoint;
	spin_lock(&dcache_lock);
	mp->mounted = NULL;
	m->mountpoint = NULL;
	m->parent = NULL;
	spin_unlock(&dcache_lock);
	m->attached = false;
	list_del(&m->list);
	if (busy) {
		dput(root);
		dput(mp);
		return 0;
	}
	m->root = NULL;
	dput(root); /* the caller's */
	dput(root); /* the mount's: frees the dentry, drops the root inode */
	/* A failed instance's own teardown is skipped (its state cannot be
	 * trusted); the core frees what is still charged to it instead. */
	if (sb->s_op && sb->s_op->put_super)
		svc_call_void(&sb->svc, sb->s_op->put_super(sb));
	svc_instance_release(&sb->svc);
	kfree(sb);
	kfree(m->source);
	kfree(m);
	dput(mp);
	return 0;
}

/* Mount fstype at "/" (boot only, once). */
int vfs_mount_root(const char *fstype)
{
	if (root_mount)
		return -EBUSY;
	return do_mount("rootfs", NULL, fstype, 0, NULL);
}

/* Kernel mount(2): target resolved from the current task's cwd/root. */
int vfs_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
	      const char *data)
{
	struct dentry *mp;
	int err = path_lookup_kernel(AT_FDCWD, target, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &mp);

	if (err)
		return err;
	err = do_mount(source, mp, fstype, flags, data);
	dput(mp);
	return err;
}

/* /proc/mounts lines: "source mountpoint fstype options 0 0". */
static const char *mount_opts(unsigned long flags, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s%s%s", (flags & MS_RDONLY) ? "ro" : "rw",
		 (flags & MS_NOSUID) ? ",nosuid" : "", (flags & MS_NODEV) ? ",nodev" : "",
		 (flags & MS_NOEXEC) ? ",noexec" : "", (flags & MS_NOATIME) ? ",noatime" : "");
	return out;
}

/* Is m's root at or below root, across mount points? A process sees only
 * the mounts under its root, with paths from there [proc(5)] (a chroot,
 * booting from root=). NULL root: all of them. */
static bool mount_under(const struct mount *m, const struct dentry *root)
{
	const struct dentry *d = m->root;

	if (!root)
		return true;
	for (;;) {
		if (d == root)
			return true;
		if (d == d->mnt->root || !d->parent) {
			if (!d->mnt->parent || !d->mnt->mountpoint)
				return false;
			d = d->mnt->mountpoint;
			continue;
		}
		d = d->parent;
	}
}

/* [proc(5)] /proc/<pid>/mountinfo: "id parent major:minor root mountpoint
 * options - fstype source superoptions" per mount; a mount's root within
 * its file system is always "/" here (no bind mounts of subdirectories),
 * the root mount is its own parent as on Linux. */
size_t vfs_mountinfo_show(char *buf, size_t len)
{
	struct dentry *root = current_root();
	char *path = kmalloc(PATH_MAX);
	struct mount *m;
	size_t used = 0;
	char opts[48], sopts[48];

	if (!path) {
		dput(root);
		return 0;
	}
	if (len)
		buf[0] = '\0';
	mutex_lock(&mount_mutex);
	list_for_each_entry(m, &mount_list, list) {
		int n;

		if (!mount_under(m, root) || d_path(m->root, root, path, PATH_MAX, false) < 0)
			continue;
		if (used >= len)
			break;
		n = snprintf(buf + used, len - used, "%d %d %u:%u / %s %s - %s %s %s\n", m->mnt_id,
			     m->parent ? m->parent->mnt_id : m->mnt_id, MAJOR(m->sb->dev),
			     MINOR(m->sb->dev), path, mount_opts(m->flags, opts, sizeof opts),
			     m->sb->type->name, m->source,
			     mount_opts(m->sb->flags & MS_RDONLY, sopts, sizeof sopts));
		if (n < 0)
			break;
		used += (size_t)n;
	}
	mutex_unlock(&mount_mutex);
	kfree(path);
	dput(root);
	return used < len ? used : len;
}

size_t vfs_mounts_show(char *buf, size_t len)
{
	struct dentry *root = current_root();
	char *path = kmalloc(PATH_MAX);
	struct mount *m;
	size_t used = 0;

	if (!path) {
		dput(root);
		return 0;
	}
	if (len)
		buf[0] = '\0';
	mutex_lock(&mount_mutex);
	list_for_each_entry(m, &mount_list, list) {
		int n;

		if (!mount_under(m, root) || d_path(m->root, root, path, PATH_MAX, false) < 0)
			continue;
		if (used >= len)
			break;
		n = snprintf(buf + used, len - used, "%s %s %s %s%s%s%s 0 0\n", m->source, path,
			     m->sb->type->name, (m->flags & MS_RDONLY) ? "ro" : "rw",
			     (m->flags & MS_NOSUID) ? ",nosuid" : "",
			     (m->flags & MS_NODEV) ? ",nodev" : "",
			     (m->flags & MS_NOEXEC) ? ",noexec" : "");
		if (n < 0)
			break;
		used += (size_t)n;
	}
	mutex_unlock(&mount_mutex);
	kfree(path);
	dput(root);
	return used < len ? used : len;
}

int file_mnt_id(const struct file *f)
{
	return f && f->dentry && f->dentry->mnt ? f->dentry->mnt->mnt_id : 0;
}
