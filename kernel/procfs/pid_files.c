/* /proc/<pid>/...: stat, status, statm, cmdline, comm, maps, mounts and
 * the exe, root and fd/<n> links. Field layouts from [proc(5)]. */
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <kernel/ns.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/tty.h>
#include <string.h>

#include "procfs.h"

#define NS_PER_TICK (1000000000ULL / SCHED_HZ) /* USER_HZ == SCHED_HZ */

static char state_char(const struct task *t)
{
	switch (t->state) {
	case TASK_RUNNING: return 'R';
	case TASK_INTERRUPTIBLE: return 'S';
	case TASK_UNINTERRUPTIBLE: return 'D';
	case TASK_STOPPED: return 'T';
	case TASK_ZOMBIE: return 'Z';
	default: return 'X';
	}
}

static const char *state_name(const struct task *t)
{
	switch (t->state) {
	case TASK_RUNNING: return "R (running)";
	case TASK_INTERRUPTIBLE: return "S (sleeping)";
	case TASK_UNINTERRUPTIBLE: return "D (disk sleep)";
	case TASK_STOPPED: return "T (stopped)";
	case TASK_ZOMBIE: return "Z (zombie)";
	default: return "X (dead)";
	}
}

static int ppid_of(const struct task *t)
{
	return t->parent ? t->parent->tgid : 0;
}

static unsigned threads_of(const struct task *t)
{
	struct task *o;
	unsigned n = 0;

	list_for_each_entry(o, &task_list, all_list) {
		if (o->tgid == t->tgid && o->state != TASK_DEAD)
			n++;
	}
	return n ? n : 1;
}

/* Signal masks: ignored (SIG_IGN) and caught (a handler) sets. */
static void sig_sets(const struct task *t, uint64_t *ign, uint64_t *cgt)
{
	*ign = *cgt = 0;
	for (int i = 0; i < NSIG; i++) {
		uint64_t h = t->sighand->action[i].handler;
		if (h == SIG_IGN)
			*ign |= 1ULL << i;
		else if (h != SIG_DFL)
			*cgt |= 1ULL << i;
	}
}

/* [proc(5)] /proc/pid/stat: 52 fields; zero where this kernel keeps no
 * such number. Times in clock ticks (USER_HZ), sizes in bytes/pages as
 * documented. */
/* t's mm, referenced and with its areas counted under its mmap_lock, or
 * NULL (a kernel thread, an exited task). */
static struct mm *mm_sizes(struct task *t, uint64_t *vsize, uint64_t *locked)
{
	struct mm *mm = get_task_mm(t);

	*vsize = *locked = 0;
	if (mm) {
		mm_lock(mm);
		*vsize = mm_vsize(mm);
		*locked = mm_locked_bytes(mm);
		mm_unlock(mm);
	}
	return mm;
}

int proc_show_pid_stat(struct seqbuf *s, struct task *t)
{
	uint64_t vsize, locked;
	struct mm *mm = mm_sizes(t, &vsize, &locked);
	uint64_t ign, cgt;
	bool ctty = t->tty && t->sid > 0;
	uint64_t rss = mm ? mm->rss_pages : 0;

	sig_sets(t, &ign, &cgt);
	/* 1-9: pid comm state ppid pgrp session tty_nr tpgid flags */
	seq_printf(s, "%d (%s) %c %d %d %d %llu %d %u ", t->tid, t->comm, state_char(t), ppid_of(t),
		   t->pgid, t->sid, ctty ? (unsigned long long)tty_devnum(t->tty) : 0ULL,
		   ctty ? tty_fg_pgrp(t->tty) : -1, 0u);
	/* 10-17: minflt cminflt majflt cmajflt utime stime cutime cstime */
	seq_printf(s, "0 0 0 0 %llu %llu %llu %llu ", (unsigned long long)t->utime_ticks,
		   (unsigned long long)t->stime_ticks, (unsigned long long)t->cutime_ticks,
		   (unsigned long long)t->cstime_ticks);
	/* 18-25: priority nice num_threads itrealvalue starttime vsize rss rsslim */
	seq_printf(s, "%d %d %u 0 %llu %llu %llu %llu ", 20 + t->nice, t->nice, threads_of(t),
		   (unsigned long long)(t->start_ns / NS_PER_TICK), (unsigned long long)vsize,
		   (unsigned long long)rss, (unsigned long long)t->rlim[RLIMIT_RSS].rlim_cur);
	/* 26-37: startcode endcode startstack kstkesp kstkeip signal blocked
	 * sigignore sigcatch wchan nswap cnswap */
	seq_printf(s, "0 0 %llu 0 0 %llu %llu %llu %llu 0 0 0 ",
		   (unsigned long long)(mm ? mm->stack_top : 0), (unsigned long long)t->sig.pending,
		   (unsigned long long)t->sig.blocked, (unsigned long long)ign,
		   (unsigned long long)cgt);
	/* 38-44: exit_signal processor rt_priority policy
	 * delayacct_blkio_ticks guest_time cguest_time */
	seq_printf(s, "%d %u 0 0 0 0 0 ", t->exit_signal, t->cpu);
	/* 45-52: start_data end_data start_brk arg_start arg_end env_start
	 * env_end exit_code */
	seq_printf(s, "0 0 %llu %llu %llu %llu %llu %d\n",
		   (unsigned long long)(mm ? mm->brk_start : 0),
		   (unsigned long long)(mm ? mm->arg_start : 0),
		   (unsigned long long)(mm ? mm->arg_end : 0),
		   (unsigned long long)(mm ? mm->env_start : 0),
		   (unsigned long long)(mm ? mm->env_end : 0),
		   t->state == TASK_ZOMBIE ? t->exit_status : 0);
	if (mm)
		mm_put(mm);
	return 0;
}

int proc_show_pid_status(struct seqbuf *s, struct task *t)
{
	uint64_t vsize, locked;
	struct mm *mm = mm_sizes(t, &vsize, &locked);
	uint64_t ign, cgt;
	unsigned long long vm_kb = vsize / 1024;
	unsigned long long rss_kb = mm ? mm->rss_pages * (PAGE_SIZE / 1024) : 0;

	sig_sets(t, &ign, &cgt);
	seq_printf(s,
		   "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		   "PPid:\t%d\nTracerPid:\t0\n",
		   t->comm, t->umask & 0777, state_name(t), t->tgid, t->tid, ppid_of(t));
	seq_printf(s, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t", t->uid,
		   t->euid, t->suid, t->euid, t->gid, t->egid, t->sgid, t->egid, NR_OPEN_DEFAULT);
	for (unsigned i = 0; t->groups && i < t->groups->ngroups; i++)
		seq_printf(s, "%s%u", i ? " " : "", t->groups->gid[i]);
	seq_printf(s, "\n");
	if (mm)
		seq_printf(s,
			   "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmLck:\t%8llu kB\n"
			   "VmRSS:\t%8llu kB\n",
			   vm_kb, vm_kb, (unsigned long long)(locked / 1024), rss_kb);
	seq_printf(s, "Threads:\t%u\nSigQ:\t0/%llu\n", threads_of(t),
		   (unsigned long long)t->rlim[RLIMIT_SIGPENDING].rlim_cur);
	seq_printf(s,
		   "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\n"
		   "SigCgt:\t%016llx\n",
		   (unsigned long long)t->sig.pending, 0ULL, (unsigned long long)t->sig.blocked,
		   (unsigned long long)ign, (unsigned long long)cgt);
	seq_printf(s, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n");
	if (mm)
		mm_put(mm);
	return 0;
}

/* size resident shared text lib data dt, in pages. */
int proc_show_pid_statm(struct seqbuf *s, struct task *t)
{
	uint64_t vsize, locked;
	struct mm *mm = mm_sizes(t, &vsize, &locked);

	seq_printf(s, "%llu %llu 0 0 0 0 0\n", (unsigned long long)(vsize / PAGE_SIZE),
		   (unsigned long long)(mm ? mm->rss_pages : 0));
	if (mm)
		mm_put(mm);
	return 0;
}

/* argv as NUL-separated strings (empty for zombies). */
int proc_show_pid_cmdline(struct seqbuf *s, struct task *t)
{
	if (t->cmdline && t->state != TASK_ZOMBIE)
		seq_write(s, t->cmdline, t->cmdline_len);
	return 0;
}

/* [proc(5)] /proc/pid/auxv: the (type, value) pairs of native words the
 * program got from execve, up to and with AT_NULL. */
int proc_show_pid_auxv(struct seqbuf *s, struct task *t)
{
	const uint64_t *v;
	size_t n = 0;
	struct mm *mm;

	if (t->state == TASK_ZOMBIE || !(mm = get_task_mm(t)))
		return 0;
	v = mm->saved_auxv;
	while (n + 2 <= MM_SAVED_AUXV_WORDS && v[n] != 0)
		n += 2;
	if (n + 2 <= MM_SAVED_AUXV_WORDS)
		n += 2; /* AT_NULL */
	seq_write(s, v, n * sizeof(*v));
	mm_put(mm);
	return 0;
}

int proc_show_pid_comm(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "%s\n", t->comm);
	return 0;
}

/* Writing comm renames a process of the caller's own thread group (up to
 * TASK_COMM_LEN - 1 bytes, a trailing newline dropped). -EINVAL else. */
ssize_t proc_write_pid_comm(struct task *t, const char *buf, size_t len)
{
	size_t n = 0;

	if (!current || t->tgid != current->tgid)
		return -EINVAL;
	while (n < len && n < TASK_COMM_LEN - 1 && buf[n] != '\n' && buf[n] != '\0')
		n++;
	memcpy(t->comm, buf, n);
	t->comm[n] = '\0';
	return (ssize_t)len;
}

/* [proc(5)] /proc/pid/maps: "start-end perms offset dev inode path". */
void proc_show_vma_header(struct seqbuf *s, struct mm *mm, struct vm_area *vma, char *path)
{
	unsigned dmaj = 0, dmin = 0;
	unsigned long long ino = 0;
	const char *name = "";

	if (vma->file && vma->file->inode) {
		struct inode *inode = vma->file->inode;
		if (inode->sb) {
			dmaj = MAJOR(inode->sb->dev);
			dmin = MINOR(inode->sb->dev);
		}
		ino = inode->ino;
		if (file_path(vma->file, path, PATH_MAX) >= 0)
			name = path;
	} else if (vma->flags & VM_HEAP) {
		name = "[heap]";
	} else if ((vma->flags & VM_STACK) || vma->end == mm->stack_top) {
		name = "[stack]"; /* Linux: the area holding the initial stack */
	} else if ((vma->flags & VM_SPECIAL) && vma->special) {
		name = vma->special->name;
	}
	int n0 = (int)s->len;
	seq_printf(s, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
		   (unsigned long long)vma->start, (unsigned long long)vma->end,
		   (vma->flags & VM_READ) ? 'r' : '-', (vma->flags & VM_WRITE) ? 'w' : '-',
		   (vma->flags & VM_EXEC) ? 'x' : '-', (vma->flags & VM_SHARED) ? 's' : 'p',
		   (unsigned long long)(vma->file ? vma->file_off : 0), dmaj, dmin, ino);
	if (*name) {
		int w = (int)s->len - n0;
		seq_printf(s, "%*s%s", w < 73 ? 73 - w : 1, "", name);
	}
	seq_printf(s, "\n");
}

int proc_show_pid_maps(struct seqbuf *s, struct task *t)
{
	struct vm_area *vma;
	char *path;
	struct mm *mm = get_task_mm(t);

	if (!mm)
		return 0;
	path = kmalloc(PATH_MAX);
	if (!path) {
		mm_put(mm);
		return -ENOMEM;
	}
	/* The areas do not change under mmap_lock (a sibling thread's
	 * munmap on another CPU waits). */
	mm_lock(mm);
	list_for_each_entry(vma, &mm->areas, list)
		proc_show_vma_header(s, mm, vma, path);
	mm_unlock(mm);
	mm_put(mm);
	kfree(path);
	return 0;
}

/* /proc/<pid>/fdinfo/<fd> [proc(5)]: position, status flags (with
 * O_CLOEXEC for a close-on-exec descriptor), mount id and inode number as
 * Linux's seq_show() in fs/proc/fd.c, then what the file's kind adds
 * (eventfd, epoll: f_op->show_fdinfo). Lock lines are not shown. */
int proc_show_pid_fdinfo(struct seqbuf *s, struct task *t, int fd)
{
	struct files *files = get_task_files(t);
	struct file *f = files ? fd_get(files, fd) : NULL;
	int cloexec = files ? fd_get_cloexec(files, fd) : 0;

	if (files)
		files_put(files);
	if (!f)
		return -ENOENT;
	seq_printf(s, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n", (long long)f->pos,
		   (unsigned)oflags_to_user(f->flags) | (cloexec > 0 ? O_CLOEXEC : 0),
		   file_mnt_id(f), (unsigned long long)(f->inode ? f->inode->ino : 0));
	if (f->f_op && f->f_op->show_fdinfo && !s->overflow) {
		size_t room = s->cap - s->len;
		size_t n = f->f_op->show_fdinfo(f, s->buf + s->len, room);

		if (n >= room)
			s->overflow = true;
		else
			s->len += n;
	}
	fput(f);
	return 0;
}

/* /proc/<pid>/mounts (and /proc/mounts): the mount table. */
int proc_show_mounts(struct seqbuf *s, struct task *t)
{
	return seq_fill(s, vfs_mounts_show);
}

static ssize_t copy_target(const char *target, char *buf, size_t len)
{
	size_t n = strlen(target);

	if (n > len)
		n = len;
	memcpy(buf, target, n);
	return (ssize_t)n;
}

ssize_t proc_link_exe(struct task *t, int fd, char *buf, size_t len)
{
	if (!t->exe_path || t->state == TASK_ZOMBIE)
		return -ENOENT;
	return copy_target(t->exe_path, buf, len);
}

/* t's cwd or root as a link target: [proc(5)] /proc/<pid>/cwd, root. */
static ssize_t fs_link(struct task *t, bool cwd, char *buf, size_t len)
{
	char *path = kmalloc(PATH_MAX);
	int n;

	if (!path)
		return -ENOMEM;
	n = task_fs_path(t, cwd, path, PATH_MAX);
	if (n >= 0)
		n = (int)copy_target(path, buf, len);
	kfree(path);
	return n;
}

ssize_t proc_link_root(struct task *t, int fd, char *buf, size_t len)
{
	return fs_link(t, false, buf, len);
}

ssize_t proc_link_cwd(struct task *t, int fd, char *buf, size_t len)
{
	return fs_link(t, true, buf, len);
}

/* "uts:[<inum>]": the namespace, as Linux's nsfs names it. */
ssize_t proc_link_ns_uts(struct task *t, int fd, char *buf, size_t len)
{
	char name[32];

	(void)fd;
	snprintf(name, sizeof name, "uts:[%llu]", (unsigned long long)uts_ns_inum(t));
	return copy_target(name, buf, len);
}

int proc_open_ns_uts(struct file *f, struct task *t)
{
	return uts_ns_file_open(f, t);
}

/* The open file's path (or "pipe:[ino]"...), from the VFS. */
ssize_t proc_link_fd(struct task *t, int fd, char *buf, size_t len)
{
	struct file *f = proc_task_fd_get(t, fd);
	int n;

	if (!f)
		return -ENOENT;
	n = file_path(f, buf, len);
	fput(f);
	return n;
}

/* Opening /proc/<pid>/fd/<n> opens what the descriptor refers to
 * [proc(5)]: the file itself, for the VFS to open again. */
int proc_get_fd_file(struct task *t, int fd, struct file **out)
{
	*out = proc_task_fd_get(t, fd);
	return *out ? 0 : -ENOENT;
}

ssize_t proc_link_self(struct task *t, int fd, char *buf, size_t len)
{
	char tmp[16];

	if (!current)
		return -ENOENT;
	snprintf(tmp, sizeof(tmp), "%d", current->tgid);
	return copy_target(tmp, buf, len);
}

ssize_t proc_link_mounts(struct task *t, int fd, char *buf, size_t len)
{
	return copy_target("self/mounts", buf, len);
}

ssize_t proc_link_net(struct task *t, int fd, char *buf, size_t len)
{
	return copy_target("self/net", buf, len);
}

/* [proc(5)] /proc/<pid>/environ: the environment strings execve put on the
 * stack, read from the process's memory as they are now (empty for a
 * zombie or a kernel thread). Readable by the owner or root only (Linux
 * checks PTRACE_MODE_READ at open: -EACCES). */
int proc_show_pid_environ(struct seqbuf *s, struct task *t)
{
	struct mm *mm;
	char chunk[256];

	if (!task_may_access_mm(t))
		return -EACCES;
	if (t->state == TASK_ZOMBIE || !(mm = get_task_mm(t)))
		return 0;
	for (vaddr_t va = mm->env_start; va < mm->env_end && !s->overflow;) {
		size_t want = MIN(sizeof chunk, (size_t)(mm->env_end - va));
		size_t got = mm_read_remote(mm, va, chunk, want);

		seq_write(s, chunk, got);
		if (got < want)
			break;
		va += got;
	}
	mm_put(mm);
	return 0;
}

/* [proc(5)] /proc/<pid>/mountinfo. */
int proc_show_mountinfo(struct seqbuf *s, struct task *t)
{
	return seq_fill(s, vfs_mountinfo_show);
}
