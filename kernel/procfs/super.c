/* procfs mounts and the inode cache. [proc(5)] */
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/kmalloc.h>
#include <kernel/service.h>

#include "procfs.h"

static inline struct proc_sb *PSB(const struct super_block *sb)
{
	return sb->fs_private;
}

struct task *proc_node_task(const struct proc_node *n)
{
	struct task *t;

	if (!n->entry->per_task)
		return NULL;
	t = task_lookup(n->pid);
	if (t && t->start_ns != n->start_ns) {
		put_task(t);
		return NULL;
	}
	return t;
}

int proc_pid_dir_task(struct file *f, struct task **out)
{
	struct proc_node *n;

	if (!f->inode || f->inode->i_op != &proc_dir_iops)
		return -EBADF;
	n = f->inode->i_private;
	if (!n || n->entry != &proc_pid_entry)
		return -EBADF;
	*out = proc_node_task(n);
	return *out ? 0 : -ESRCH;
}

struct file *proc_task_fd_get(struct task *t, int fd)
{
	struct files *files = get_task_files(t);
	struct file *f = files ? fd_get(files, fd) : NULL;

	if (files)
		files_put(files);
	return f;
}

/* Fill a fresh inode for entry e (owned by t's effective ids). */
static void init_inode(struct inode *inode, const struct proc_entry *e, struct task *t)
{
	switch (e->type) {
	case PE_DIR:
		inode->mode = S_IFDIR | e->perm;
		inode->nlink = 2;
		for (size_t i = 0; i < e->nchildren; i++)
			if (e->children[i].type == PE_DIR)
				inode->nlink++;
		inode->i_op = &proc_dir_iops;
		inode->i_fop = &proc_dir_fops;
		break;
	case PE_FILE:
		inode->mode = S_IFREG | e->perm;
		inode->nlink = 1;
		inode->i_op = &proc_file_iops;
		inode->i_fop = &proc_file_fops;
		break;
	case PE_LINK:
		inode->mode = S_IFLNK | 0777;
		inode->nlink = 1;
		inode->i_op = &proc_link_iops;
		break;
	}
	if (t) {
		inode->uid = t->euid;
		inode->gid = t->egid;
	}
}

static struct proc_node *new_node(struct super_block *sb, const struct proc_entry *e,
				  struct task *t, int fd)
{
	struct proc_node *n = kzalloc(sizeof(*n));
	struct inode *inode;

	if (!n)
		return NULL;
	inode = inode_alloc(sb);
	if (!inode) {
		kfree(n);
		return NULL;
	}
	n->entry = e;
	n->pid = (e->per_task && t) ? t->tid : 0;
	n->start_ns = (e->per_task && t) ? t->start_ns : 0;
	n->fd = fd;
	n->inode = inode;
	list_init(&n->list);
	inode->i_private = n;
	init_inode(inode, e, e->per_task ? t : NULL);
	return n;
}

struct inode *proc_get_inode(struct super_block *sb, const struct proc_entry *e, struct task *t,
			     int fd)
{
	struct proc_node *n;
	int pid = (e->per_task && t) ? t->tid : 0;
	uint64_t start = (e->per_task && t) ? t->start_ns : 0;
	struct inode *inode = NULL;

	mutex_lock(&PSB(sb)->lock);
	list_for_each_entry(n, &PSB(sb)->nodes, list) {
		if (n->entry == e && n->pid == pid && n->start_ns == start && n->fd == fd) {
			iget(n->inode);
			inode = n->inode;
			goto out;
		}
	}
	n = new_node(sb, e, t, fd);
	if (!n)
		goto out;
	/* The cache keeps the allocation's reference; the caller gets one. */
	list_add_tail(&n->list, &PSB(sb)->nodes);
	iget(n->inode);
	inode = n->inode;
out:
	mutex_unlock(&PSB(sb)->lock);
	return inode;
}

static bool node_stale(const struct proc_node *n)
{
	struct task *t;

	if (!n->entry->per_task)
		return false;
	t = proc_node_task(n);
	if (!t)
		return true;
	if (n->fd >= 0) {
		struct file *f = proc_task_fd_get(t, n->fd);

		if (!f) {
			put_task(t);
			return true;
		}
		fput(f);
	}
	put_task(t);
	return false;
}

void proc_gc(struct super_block *sb)
{
	struct proc_node *n, *tmp;
	LIST_HEAD(stale);

	mutex_lock(&PSB(sb)->lock);
	list_for_each_entry_safe(n, tmp, &PSB(sb)->nodes, list) {
		if (__atomic_load_n(&n->inode->refcount, __ATOMIC_RELAXED) != 1 || !node_stale(n))
			continue;
		list_del(&n->list);
		list_add_tail(&n->list, &stale);
	}
	mutex_unlock(&PSB(sb)->lock);
	/* Off the cache: no lookup finds them; the cache's reference goes. */
	list_for_each_entry_safe(n, tmp, &stale, list) {
		list_del(&n->list);
		n->inode->nlink = 0;
		iput(n->inode); /* -> proc_evict */
	}
}

/* Last reference of a dropped instance (nlink 0): free it. */
static void proc_evict(struct inode *inode)
{
	struct proc_node *n = inode->i_private;

	if (n) {
		list_del(&n->list);
		kfree(n);
	}
	kfree(inode);
}

/* umount: free the cache (instances still held elsewhere, after a lazy
 * unmount, are freed at their last iput) and the root. */
static void proc_put_super(struct super_block *sb)
{
	struct proc_node *n, *tmp;
	struct inode *root = sb->root;

	list_for_each_entry_safe(n, tmp, &PSB(sb)->nodes, list) {
		list_del(&n->list);
		n->inode->nlink = 0;
		iput(n->inode);
	}
	if (root && root->refcount == 0) {
		kfree(root->i_private);
		kfree(root);
		sb->root = NULL;
	}
	kfree(sb->fs_private);
	sb->fs_private = NULL;
}

static int proc_statfs(struct super_block *sb, uint64_t *blocks, uint64_t *bfree, uint64_t *files)
{
	*blocks = *bfree = *files = 0;
	return 0;
}

static const struct super_operations proc_sops = {
	.evict = proc_evict,
	.put_super = proc_put_super,
	.statfs = proc_statfs,
};

/* mount(2) "proc": options (hidepid=, gid=) are accepted and ignored. */
static int proc_mount(struct super_block *sb, const char *source, unsigned long flags,
		      const char *data)
{
	struct proc_sb *psb = kzalloc(sizeof(*psb));
	struct proc_node *root;

	if (!psb)
		return -ENOMEM;
	list_init(&psb->nodes);
	mutex_init(&psb->lock, "proc_sb.lock");
	sb->fs_private = psb;
	sb->s_op = &proc_sops;
	/* The root is not in the cache: its reference goes to the VFS. */
	root = new_node(sb, &proc_root_entry, NULL, -1);
	if (!root) {
		kfree(psb);
		sb->fs_private = NULL;
		return -ENOMEM;
	}
	sb->root = root->inode;
	return 0;
}

static struct file_system_type proc_fs_type = {
	.name = "proc",
	.mount = proc_mount,
};

static int procfs_init(void)
{
	register_filesystem(&proc_fs_type);
	return 0;
}
SERVICE_INIT(procfs, procfs_init);
