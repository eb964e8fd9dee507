/* procfs directories: lookup and readdir over the static tables, the
 * task list (/proc/<pid>) and a task's descriptors (/proc/<pid>/fd).
 *
 * readdir positions (from 2: the VFS emits "." and ".."): 2 + i the i-th
 * static child, DYN_BASE + n the generated entry for pid or fd n; each
 * entry's next_pos is its own position + 1, so a listing resumes right
 * after the last entry delivered even when others came or went. */
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/printk.h>
#include <string.h>

#include "procfs.h"

#define DYN_BASE 256

/* A decimal number without sign or leading zeros (Linux name_to_int). */
static int parse_uint(const char *s, size_t len)
{
	unsigned v = 0;

	if (len == 0 || len > 9 || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return (int)v;
}

static unsigned dt_of(const struct proc_entry *e)
{
	switch (e->type) {
	case PE_DIR: return DT_DIR;
	case PE_LINK: return DT_LNK;
	default: return DT_REG;
	}
}

static int lookup_in(struct inode *dir, const char *name, size_t len, struct inode **out,
		     struct task *t);

/* The task of a per-task directory is held (referenced) for the whole
 * lookup or readdir, so it cannot be freed under us if it is reaped
 * meanwhile. */
static int proc_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct proc_node *dn = dir->i_private;
	struct task *t = NULL;
	int r;

	if (dn->entry->per_task) {
		t = proc_node_task(dn);
		if (!t)
			return -ENOENT;
	}
	r = lookup_in(dir, name, len, out, t);
	put_task(t);
	return r;
}

static int lookup_in(struct inode *dir, const char *name, size_t len, struct inode **out,
		     struct task *t)
{
	struct proc_node *dn = dir->i_private;
	const struct proc_entry *e = dn->entry;
	struct inode *inode = NULL;

	if (e == &proc_root_entry)
		proc_gc(dir->sb);

	for (size_t i = 0; i < e->nchildren; i++) {
		const struct proc_entry *c = &e->children[i];
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0) {
			inode = proc_get_inode(dir->sb, c, t, -1);
			goto found;
		}
	}
	/* The target of the ns/uts link: "uts:[<inum>]" (any inum: the
	 * file opens the task's namespace of the moment). */
	if (e->dynamic == DYN_NS) {
		if (len < 5 || memcmp(name, "uts:[", 5) != 0 || name[len - 1] != ']')
			return -ENOENT;
		inode = proc_get_inode(dir->sb, &proc_ns_uts_file_entry, t, -1);
		goto found;
	}
	int n = parse_uint(name, len);
	if (n < 0)
		return -ENOENT;
	if (e->dynamic == DYN_PIDS) {
		struct task *pt = task_lookup(n);
		if (!pt)
			return -ENOENT;
		inode = proc_get_inode(dir->sb, &proc_pid_entry, pt, -1);
		put_task(pt);
	} else if (e->dynamic == DYN_TASKS) {
		struct task *tt = task_lookup(n);
		if (!tt || tt->tgid != t->tgid || tt->state == TASK_DEAD) {
			put_task(tt);
			return -ENOENT;
		}
		inode = proc_get_inode(dir->sb, &proc_tid_entry, tt, -1);
		put_task(tt);
	} else if (e->dynamic == DYN_FDS || e->dynamic == DYN_FDINFO) {
		struct file *f = proc_task_fd_get(t, n);
		if (!f)
			return -ENOENT;
		fput(f);
		inode = proc_get_inode(
			dir->sb, e->dynamic == DYN_FDS ? &proc_fd_entry : &proc_fdinfo_entry, t, n);
	} else {
		return -ENOENT;
	}
found:
	if (!inode)
		return -ENOMEM;
	*out = inode;
	return 0;
}

/* Emit one entry; its inode (made or cached) gives d_ino. 1 to stop. */
static int emit(struct super_block *sb, const struct proc_entry *e, struct task *t, int fd,
		const char *name, int64_t next, off_t *pos, filldir_t fill, void *ctx, int *err)
{
	struct inode *inode = proc_get_inode(sb, e, t, fd);

	if (!inode) {
		*err = -ENOMEM;
		return 1;
	}
	uint64_t ino = inode->ino;
	iput(inode);
	if (fill(ctx, name, strlen(name), ino, dt_of(e), next))
		return 1;
	*pos = next;
	return 0;
}

/* The smallest process id (thread-group leaders only) >= from, or -1; with
 * tgid > 0, the smallest thread id of that thread group instead. */
static int next_pid(int from, int tgid)
{
	struct task *t;
	int best = -1;
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);

	list_for_each_entry(t, &task_list, all_list) {
		if (t->tid <= 0 || t->tid < from || t->state == TASK_DEAD)
			continue; /* the idle task is never listed */
		if (tgid > 0 ? t->tgid != tgid : t->tid != t->tgid)
			continue; /* /proc lists processes, task/ the threads */
		if (best < 0 || t->tid < best)
			best = t->tid;
	}
	spin_unlock_irqrestore(&tasklist_lock, f);
	return best;
}

static int readdir_in(struct file *f, off_t *pos, filldir_t fill, void *ctx, struct task *t);

static int proc_readdir(struct file *f, off_t *pos, filldir_t fill, void *ctx)
{
	struct proc_node *dn = f->inode->i_private;
	struct task *t = NULL;
	int r;

	if (dn->entry->per_task) {
		t = proc_node_task(dn);
		if (!t)
			return 0; /* the process is gone: an empty directory */
	}
	r = readdir_in(f, pos, fill, ctx, t);
	put_task(t);
	return r;
}

static int readdir_in(struct file *f, off_t *pos, filldir_t fill, void *ctx, struct task *t)
{
	struct inode *dir = f->inode;
	struct super_block *sb = dir->sb;
	struct proc_node *dn = dir->i_private;
	const struct proc_entry *e = dn->entry;
	char name[16];
	int err = 0;

	if (e == &proc_root_entry)
		proc_gc(sb);
	if (*pos < 2)
		return -EINVAL;
	for (size_t i = (size_t)*pos - 2; *pos < 2 + (off_t)e->nchildren; i++) {
		const struct proc_entry *c = &e->children[i];
		int64_t next = (i + 1 == e->nchildren && e->dynamic) ? DYN_BASE : *pos + 1;
		if (emit(sb, c, t, -1, c->name, next, pos, fill, ctx, &err))
			return err;
	}
	if (*pos < DYN_BASE)
		*pos = DYN_BASE;

	if (e->dynamic == DYN_PIDS || e->dynamic == DYN_TASKS) {
		const struct proc_entry *ce =
			e->dynamic == DYN_PIDS ? &proc_pid_entry : &proc_tid_entry;
		int tgid = e->dynamic == DYN_TASKS ? t->tgid : 0;

		for (int pid = next_pid((int)(*pos - DYN_BASE), tgid); pid >= 0;
		     pid = next_pid((int)(*pos - DYN_BASE), tgid)) {
			struct task *pt = task_lookup(pid);
			int stop;

			if (!pt) {
				*pos = DYN_BASE + pid + 1;
				continue;
			}
			snprintf(name, sizeof(name), "%d", pid);
			stop = emit(sb, ce, pt, -1, name, DYN_BASE + pid + 1, pos, fill, ctx, &err);
			put_task(pt);
			if (stop)
				return err;
		}
	} else if (e->dynamic == DYN_FDS || e->dynamic == DYN_FDINFO) {
		const struct proc_entry *fe =
			e->dynamic == DYN_FDS ? &proc_fd_entry : &proc_fdinfo_entry;

		for (off_t fd = *pos - DYN_BASE; fd < NR_OPEN_DEFAULT; fd++) {
			struct file *fp = proc_task_fd_get(t, (int)fd);
			if (!fp)
				continue;
			fput(fp);
			snprintf(name, sizeof(name), "%d", (int)fd);
			if (emit(sb, fe, t, (int)fd, name, DYN_BASE + fd + 1, pos, fill, ctx, &err))
				return err;
		}
	}
	return 0;
}

const struct inode_operations proc_dir_iops = {
	.lookup = proc_lookup,
	.setattr = proc_setattr,
};

const struct file_operations proc_dir_fops = {
	.readdir = proc_readdir,
};
