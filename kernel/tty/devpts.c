/* devpts, the file system of the pty slaves: /dev/pts/N (136:N) for each
 * pair whose master is open, and /dev/pts/ptmx (5:2). Mounted by the
 * kernel at /dev/pts (as the boot scripts of distributions do). [pty(7)],
 * Linux fs/devpts/inode.c, Documentation/filesystems/devpts.rst.
 *
 * Options (mount(8) "devpts"): uid=, gid= (owner of new slave nodes; by
 * default the creator's fsuid and fsgid), mode= (default 0600),
 * ptmxmode= (default 0000); newinstance and max= are accepted. Every
 * mount shows the one index space of the kernel (Linux gives each mount
 * its own since 4.7). A node's attributes live on its inode, one per
 * mount, kept while the pair lives; chmod/chown change them. */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <kernel/spinlock.h>
#include <string.h>

#include "pty.h"
#include "tty_internal.h"

#define DEVPTS_ROOT_INO 1
#define DEVPTS_PTMX_INO 2
#define DEVPTS_FIRST_INO 3 /* slave N is inode N + 3, as on Linux */

struct devpts_sb {
	struct list_head list;
	struct super_block *sb;
	bool setuid, setgid;
	uint32_t uid, gid;
	mode_t mode, ptmxmode;
	struct inode *ptmx;
	struct inode *nodes[PTY_MAX]; /* cached slave inodes (one reference each) */
};

static LIST_HEAD(devpts_mounts);
/* devpts_mounts and every instance's nodes[]. */
static DEFINE_SPINLOCK(devpts_lock);

static const struct inode_operations devpts_dir_iops;
static const struct file_operations devpts_dir_fops;

static struct inode *new_node(struct super_block *sb, uint64_t ino, mode_t mode, dev_t rdev,
			      uint32_t uid, uint32_t gid)
{
	struct inode *inode = inode_alloc(sb);

	if (!inode)
		return NULL;
	inode->ino = ino;
	inode->mode = mode;
	inode->rdev = rdev;
	inode->uid = uid;
	inode->gid = gid;
	inode->nlink = S_ISDIR(mode) ? 2 : 1;
	if (S_ISDIR(mode)) {
		inode->i_op = &devpts_dir_iops;
		inode->i_fop = &devpts_dir_fops;
	}
	return inode;
}

/* "0".."PTY_MAX-1" without leading zeros, or -1. */
static int parse_index(const char *name, size_t len)
{
	int n = 0;

	if (len == 0 || len > 4 || (name[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		n = n * 10 + (name[i] - '0');
	}
	return n < PTY_MAX ? n : -1;
}

/* The cached node of pair idx on this mount (made on first use), with a
 * reference for the caller; NULL if the pair has no node. */
static struct inode *slave_node(struct devpts_sb *ds, int idx)
{
	uint32_t uid, gid;
	struct inode *inode;
	irqflags_t fl;

	if (!pty_visible(idx, &uid, &gid))
		return NULL;
	fl = spin_lock_irqsave(&devpts_lock);
	inode = ds->nodes[idx];
	if (inode)
		iget(inode);
	spin_unlock_irqrestore(&devpts_lock, fl);
	if (inode)
		return inode;
	inode = new_node(ds->sb, DEVPTS_FIRST_INO + (uint64_t)idx, S_IFCHR | ds->mode,
			 MKDEV(PTY_SLAVE_MAJOR, idx), ds->setuid ? ds->uid : uid,
			 ds->setgid ? ds->gid : gid);
	if (!inode)
		return NULL;
	fl = spin_lock_irqsave(&devpts_lock);
	if (ds->nodes[idx]) { /* made meanwhile */
		struct inode *other = ds->nodes[idx];
		iget(other);
		spin_unlock_irqrestore(&devpts_lock, fl);
		inode->nlink = 0;
		iput(inode);
		return other;
	}
	ds->nodes[idx] = inode; /* the cache keeps the allocation's reference */
	iget(inode);
	spin_unlock_irqrestore(&devpts_lock, fl);
	return inode;
}

static int devpts_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct devpts_sb *ds = dir->sb->fs_private;
	int idx;

	if (len == 4 && memcmp(name, "ptmx", 4) == 0) {
		iget(ds->ptmx);
		*out = ds->ptmx;
		return 0;
	}
	idx = parse_index(name, len);
	if (idx < 0)
		return -ENOENT;
	*out = slave_node(ds, idx);
	return *out ? 0 : -ENOENT;
}

/* Positions: 2 "ptmx", 3 + N slave N. */
static int devpts_readdir(struct file *f, off_t *pos, filldir_t fill, void *ctx)
{
	uint32_t uid, gid;
	char name[16];

	if (*pos < 2)
		return -EINVAL;
	if (*pos == 2) {
		if (fill(ctx, "ptmx", 4, DEVPTS_PTMX_INO, DT_CHR, 3))
			return 0;
		*pos = 3;
	}
	for (int idx = (int)(*pos - 3); idx < PTY_MAX; idx++) {
		if (!pty_visible(idx, &uid, &gid))
			continue;
		int n = snprintf(name, sizeof(name), "%d", idx);
		if (fill(ctx, name, (size_t)n, DEVPTS_FIRST_INO + (uint64_t)idx, DT_CHR, idx + 4))
			return 0;
		*pos = idx + 4;
	}
	*pos = 3 + PTY_MAX;
	return 0;
}

static const struct inode_operations devpts_dir_iops = {
	.lookup = devpts_lookup,
};
static const struct file_operations devpts_dir_fops = {
	.readdir = devpts_readdir,
};

void devpts_pty_kill(int index)
{
	struct devpts_sb *ds;
	irqflags_t fl;

	if (index < 0 || index >= PTY_MAX)
		return;
	for (;;) {
		struct inode *victim = NULL;

		fl = spin_lock_irqsave(&devpts_lock);
		list_for_each_entry(ds, &devpts_mounts, list) {
			if (ds->nodes[index]) {
				victim = ds->nodes[index];
				ds->nodes[index] = NULL;
				break;
			}
		}
		spin_unlock_irqrestore(&devpts_lock, fl);
		if (!victim)
			return;
		victim->nlink = 0; /* freed at its last reference */
		iput(victim);
	}
}

static void devpts_evict(struct inode *inode)
{
	kfree(inode);
}

static void devpts_put_super(struct super_block *sb)
{
	struct devpts_sb *ds = sb->fs_private;
	irqflags_t fl;

	if (!ds)
		return;
	fl = spin_lock_irqsave(&devpts_lock);
	list_del(&ds->list);
	spin_unlock_irqrestore(&devpts_lock, fl);
	for (int i = 0; i < PTY_MAX; i++) {
		if (ds->nodes[i]) {
			ds->nodes[i]->nlink = 0;
			iput(ds->nodes[i]);
		}
	}
	ds->ptmx->nlink = 0;
	iput(ds->ptmx);
	if (sb->root && sb->root->refcount == 0) {
		kfree(sb->root);
		sb->root = NULL;
	}
	kfree(ds);
	sb->fs_private = NULL;
}

static int devpts_statfs(struct super_block *sb, uint64_t *blocks, uint64_t *bfree, uint64_t *files)
{
	*blocks = *bfree = *files = 0;
	return 0;
}

static const struct super_operations devpts_sops = {
	.evict = devpts_evict,
	.put_super = devpts_put_super,
	.statfs = devpts_statfs,
};

/* An octal or decimal number option value: 0 or -EINVAL. */
static int opt_num(const char *v, size_t len, unsigned base, uint32_t *out)
{
	uint64_t n = 0;

	if (len == 0 || len > 10)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] >= '0' + (int)base)
			return -EINVAL;
		n = n * base + (unsigned)(v[i] - '0');
	}
	if (n > 0xffffffffu)
		return -EINVAL;
	*out = (uint32_t)n;
	return 0;
}

/* Comma-separated options; unknown ones are -EINVAL (Linux devpts). */
static int parse_options(struct devpts_sb *ds, const char *data)
{
	const char *p = data;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		const char *v = eq ? eq + 1 : NULL;
		size_t vlen = eq ? len - klen - 1 : 0;
		uint32_t n = 0;
		int r = 0;

#define KEY(s) (klen == sizeof(s) - 1 && memcmp(p, s, klen) == 0)
		if (KEY("newinstance") && !v) {
			/* one index space: nothing to do */
		} else if (KEY("uid") && v && !(r = opt_num(v, vlen, 10, &n))) {
			ds->setuid = true;
			ds->uid = n;
		} else if (KEY("gid") && v && !(r = opt_num(v, vlen, 10, &n))) {
			ds->setgid = true;
			ds->gid = n;
		} else if (KEY("mode") && v && !(r = opt_num(v, vlen, 8, &n))) {
			ds->mode = n & 07777;
		} else if (KEY("ptmxmode") && v && !(r = opt_num(v, vlen, 8, &n))) {
			ds->ptmxmode = n & 07777;
		} else if (KEY("max") && v && !(r = opt_num(v, vlen, 10, &n))) {
			/* the table has PTY_MAX slots */
		} else if (len) {
			pr_err("devpts: bad mount option '%.*s'\n", (int)len, p);
			return -EINVAL;
		}
		if (r)
			return r;
#undef KEY
		p = end ? end + 1 : NULL;
	}
	return 0;
}

static int devpts_mount(struct super_block *sb, const char *source, unsigned long flags,
			const char *data)
{
	struct devpts_sb *ds = kzalloc(sizeof(*ds));
	int r;

	if (!ds)
		return -ENOMEM;
	ds->mode = 0600;
	ds->ptmxmode = 0;
	r = parse_options(ds, data);
	if (r) {
		kfree(ds);
		return r;
	}
	ds->sb = sb;
	sb->root = new_node(sb, DEVPTS_ROOT_INO, S_IFDIR | 0755, 0, 0, 0);
	ds->ptmx = new_node(sb, DEVPTS_PTMX_INO, S_IFCHR | ds->ptmxmode, MKDEV(5, 2), 0, 0);
	if (!sb->root || !ds->ptmx) {
		kfree(sb->root);
		kfree(ds->ptmx);
		sb->root = NULL;
		kfree(ds);
		return -ENOMEM;
	}
	sb->fs_private = ds;
	sb->s_op = &devpts_sops;
	irqflags_t fl = spin_lock_irqsave(&devpts_lock);
	list_add_tail(&ds->list, &devpts_mounts);
	spin_unlock_irqrestore(&devpts_lock, fl);
	return 0;
}

static struct file_system_type devpts_fs_type = {
	.name = "devpts",
	.mount = devpts_mount,
};

static int devpts_init(void)
{
	register_filesystem(&devpts_fs_type);
	return pty_init();
}
SERVICE_INIT(devpts, devpts_init);
