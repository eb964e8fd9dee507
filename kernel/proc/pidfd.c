/* Process file descriptors: [pidfd_open(2)], [pidfd_send_signal(2)],
 * [clone(2)] CLONE_PIDFD, waitid(P_PIDFD). Linux kernel/pid.c,
 * kernel/fork.c pidfd_fops.
 *
 * A pidfd refers to a process (its group leader) through a small
 * reference-counted struct pidfd shared by every pidfd of that process:
 * the process holds one reference until it is reaped, each open file one.
 * poll() reports POLLIN once the process has exited (every thread gone),
 * reaped or not (Linux 6.1 pidfd_poll(); later kernels add POLLHUP).
 *
 * Lock: pidfd.task and pidfd.exited change at exit and reaping, with
 * interrupts masked (the task list rule of proc_internal.h); the refcount
 * is changed in process context with interrupts masked too. */
#include <hal/cpu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/vfs.h>
#include <kernel/spinlock.h>
#include <string.h>

#include "proc_internal.h"

#define PIDFD_NONBLOCK 04000 /* O_NONBLOCK */

struct pidfd {
	struct task *task; /* the group leader, NULL once reaped */
	int pid;
	bool exited;   /* every thread has exited */
	unsigned refs; /* atomic */
	struct wait_queue wq;
};

static struct file_system_type pidfs_type = { .name = "anon_inodefs" };
static struct super_block pidfs_sb = {
	.type = &pidfs_type,
	.dev = MKDEV(0, 13),
	.s_dir_mutex = MUTEX_INIT(pidfs_sb.s_dir_mutex, "sb.s_dir_mutex"),
};
static const struct file_operations pidfd_fops;

static void pidfd_put(struct pidfd *p)
{
	bool last = __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0;

	if (last)
		kfree(p);
}

/* The pidfd object of leader's process, created on first use, with a
 * reference for the caller. NULL on -ENOMEM. */
static struct pidfd *pidfd_of(struct task *leader)
{
	struct pidfd *p, *fresh = kzalloc(sizeof *fresh);
	irqflags_t f;

	if (!fresh)
		return NULL;
	f = spin_lock_irqsave(&tasklist_lock); /* leader->pidfd */
	p = leader->pidfd;
	if (!p) {
		p = fresh;
		fresh = NULL;
		p->task = leader;
		p->pid = leader->tid;
		p->refs = 1; /* the process's */
		p->exited = leader->nr_live == 0;
		wait_queue_init(&p->wq);
		leader->pidfd = p;
	}
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&tasklist_lock, f);
	kfree(fresh);
	return p;
}

void pidfd_task_exit(struct task *leader)
{
	if (leader->pidfd) {
		leader->pidfd->exited = true;
		wake_up(&leader->pidfd->wq);
	}
}

void pidfd_task_free(struct task *leader)
{
	struct pidfd *p = leader->pidfd;
	if (!p)
		return;
	leader->pidfd = NULL;
	p->task = NULL;
	p->exited = true;
	wake_up(&p->wq);
	pidfd_put(p);
}

static void pidfd_release(struct file *f)
{
	pidfd_put(f->private_data);
}

static unsigned pidfd_poll(struct file *f, struct wait_queue **wq_out)
{
	struct pidfd *p = f->private_data;
	if (wq_out)
		*wq_out = &p->wq;
	return p->exited ? POLLIN | POLLRDNORM : 0;
}

static const struct file_operations pidfd_fops = {
	.release = pidfd_release,
	.poll = pidfd_poll,
};

int pidfd_create(struct task *leader, unsigned flags)
{
	struct inode *inode = inode_alloc(&pidfs_sb);
	struct pidfd *p;
	struct file *f = NULL;
	int fd;

	if (!inode)
		return -ENOMEM;
	inode->mode = 0600; /* an anonymous inode has no file type, as on Linux */
	inode->nlink = 1;
	inode->uid = current->euid;
	inode->gid = current->egid;
	p = pidfd_of(leader);
	if (p)
		f = file_alloc(inode, &pidfd_fops, O_RDWR | (flags & PIDFD_NONBLOCK));
	iput(inode);
	if (!f) {
		if (p)
			pidfd_put(p);
		return -ENOMEM;
	}
	f->private_data = p;
	fd = fd_install(current->files, f, 0, true);
	if (fd < 0)
		fput(f);
	return fd;
}

int pidfd_pid(int fd)
{
	struct file *f = fd_get(current->files, fd);
	int pid;

	if (!f)
		return -EBADF;
	if (f->f_op != &pidfd_fops) {
		fput(f);
		return -EBADF;
	}
	pid = ((struct pidfd *)f->private_data)->pid;
	fput(f);
	return pid;
}

/* [pidfd_open(2)]: EINVAL for flags other than PIDFD_NONBLOCK, pid <= 0
 * or the tid of a thread that does not lead its process; ESRCH. The fd is
 * close-on-exec. */
SYSCALL_DEFINE2(pidfd_open, int, pid, unsigned, flags)
{
	struct task *t;

	long r;

	if ((flags & ~PIDFD_NONBLOCK) || pid <= 0)
		return -EINVAL;
	t = task_lookup(pid);
	if (!t || t->state == TASK_DEAD)
		r = -ESRCH;
	else if (!thread_group_leader(t))
		r = -EINVAL;
	else
		r = pidfd_create(t, flags);
	put_task(t);
	return r;
}

/* [pidfd_send_signal(2)]: like kill(2) on the process; info as for
 * rt_sigqueueinfo(2) (its si_signo must be sig; another process may not
 * be sent si_code >= 0 or SI_TKILL: EPERM). pidfd is a pidfd or, as
 * Linux's pidfd_to_pid(), an open /proc/<pid> directory. EINVAL flags or
 * signal, EBADF neither of those, ESRCH reaped, EFAULT. */
SYSCALL_DEFINE4(pidfd_send_signal, int, pidfd, int, sig, uintptr_t, uinfo, unsigned, flags)
{
	struct linux_siginfo info;
	struct file *f;
	struct task *t = NULL, *dir_task = NULL;
	bool exited = false;
	int pid;
	long r;

	if (flags)
		return -EINVAL;
	f = fd_get(current->files, pidfd);
	if (!f)
		return -EBADF;
	if (f->f_op == &pidfd_fops) {
		struct pidfd *p = f->private_data;

		t = p->task;
		pid = p->pid;
		exited = p->exited;
		r = 0;
	} else {
		r = proc_pid_dir_task(f, &dir_task);
		t = dir_task;
		pid = t ? t->tgid : 0;
		exited = t && t->state == TASK_ZOMBIE;
	}
	if (r) {
		/* not a pidfd: -EBADF; its process gone: -ESRCH */
	} else if (sig < 0 || sig > NSIG) {
		r = -EINVAL;
	} else if (uinfo) {
		if (copy_from_user(&info, uinfo, sizeof info))
			r = -EFAULT;
		else if (info.si_signo != sig)
			r = -EINVAL;
		else if (pid != current->tgid && (info.si_code >= 0 || info.si_code == SI_TKILL))
			r = -EPERM;
	} else {
		memset(&info, 0, sizeof info);
		info.si_signo = sig;
		info.si_code = SI_USER;
		info.u.kill.pid = current->tgid;
		info.u.kill.uid = current->uid;
	}
	if (!r && !t)
		r = -ESRCH;
	if (!r && !exited)
		r = kill_permission(t, sig);
	if (!r && sig && !exited)
		r = send_group_signal(t, sig, &info);
	put_task(dir_task);
	fput(f);
	return r;
}
