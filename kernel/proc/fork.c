/* Process creation: fork(2), vfork(2) and clone(2) without threads.
 * [clone(2)], [fork(2)], [vfork(2)]; Linux kernel/fork.c kernel_clone().
 *
 * Every task is a single-threaded process: CLONE_THREAD, CLONE_SIGHAND
 * and sharing of file tables or fs context are refused with -EINVAL;
 * CLONE_VM is accepted only with CLONE_VFORK (the child borrows the
 * parent's mm until it execs or exits while the parent sleeps). */
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/upcall.h>
#include <hal/usercopy.h>
#include <hal/arch/abi.h>
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <string.h>

#include "../sched/sched_internal.h"
#include "../signal/signal_internal.h"
#include "proc_internal.h"

/* include/uapi/linux/sched.h */
#define CSIGNAL 0x000000ff
#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_PIDFD 0x00001000
#define CLONE_PTRACE 0x00002000
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define CLONE_NEWNS 0x00020000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED 0x00400000
#define CLONE_UNTRACED 0x00800000
#define CLONE_CHILD_SETTID 0x01000000
#define CLONE_IO 0x80000000UL

/* Flags with an effect here, and the ones Linux accepts as no-ops for a
 * single-threaded, unnamespaced process. */
#define CLONE_SUPPORTED                                                                    \
	(CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID |            \
	 CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_PARENT | CLONE_DETACHED |        \
	 CLONE_UNTRACED | CLONE_PTRACE | CLONE_SYSVSEM | CLONE_IO)

/* First code of a forked child, on its own kernel stack: its mm is active
 * (schedule() switched to it), its trapframe is the parent's with return
 * value 0. */
static void fork_child_entry(void *arg)
{
	struct task *t = current;
	struct hal_trapframe *tf = task_user_tf(t);
	(void)arg;

	sched_switch_mm(t->mm);
	if (t->set_child_tid) {
		uint32_t tid = (uint32_t)t->tid;
		(void)copy_to_user(t->set_child_tid, &tid, sizeof tid); /* a fault is ignored, as in Linux */
		t->set_child_tid = 0;
	}
	kernel_return_to_user(tf);
	hal_return_to_user(tf);
}

/* Copy the strings the parent's /proc entries show. */
static int copy_names(struct task *c, const struct task *p)
{
	memcpy(c->comm, p->comm, sizeof c->comm);
	if (p->cmdline && p->cmdline_len) {
		c->cmdline = kmalloc(p->cmdline_len);
		if (!c->cmdline)
			return -ENOMEM;
		memcpy(c->cmdline, p->cmdline, p->cmdline_len);
		c->cmdline_len = p->cmdline_len;
	}
	if (p->exe_path) {
		c->exe_path = kstrdup(p->exe_path);
		if (!c->exe_path)
			return -ENOMEM;
	}
	return 0;
}

/* Undo a half-built child (nothing visible to anyone yet). */
static void fork_cleanup(struct task *c)
{
	if (c->files)
		files_put(c->files);
	if (c->fs)
		fs_put(c->fs);
	if (c->mm)
		mm_put(c->mm);
	task_free(c);
}

/* Create the child. Returns its pid or -errno: -EINVAL bad flags,
 * -ENOMEM, -EAGAIN (no pid). newsp 0 = the parent's stack pointer. */
static long do_fork(unsigned long flags, uintptr_t newsp, uintptr_t ptid, uintptr_t ctid,
		    uintptr_t tls)
{
	struct task *p = current, *c;
	struct hal_trapframe *ptf = task_user_tf(p), *ctf;
	int exit_signal = (int)(flags & CSIGNAL);
	bool vfork = (flags & CLONE_VFORK) != 0;
	int pid, r;

	if (flags & ~CLONE_SUPPORTED)
		return -EINVAL; /* threads, shared tables, namespaces: not supported */
	if ((flags & CLONE_VM) && !vfork)
		return -EINVAL;
	if (exit_signal > NSIG)
		return -EINVAL;
	if (!p->mm)
		return -EINVAL;

	c = task_alloc();
	if (!c)
		return -ENOMEM;
	pid = pid_alloc();
	if (pid < 0) {
		task_free(c);
		return pid;
	}
	c->tid = c->tgid = pid;
	c->exit_signal = exit_signal;
	c->parent = (flags & CLONE_PARENT) && p->parent ? p->parent : p;
	c->pgid = p->pgid;
	c->sid = p->sid;
	c->tty = p->tty;
	c->uid = p->uid;
	c->gid = p->gid;
	c->euid = p->euid;
	c->egid = p->egid;
	c->suid = p->suid;
	c->sgid = p->sgid;
	c->umask = p->umask;
	c->nice = p->nice;
	c->personality = p->personality;
	memcpy(c->rlim, p->rlim, sizeof c->rlim);
	signal_fork(c, p);

	r = copy_names(c, p);
	if (r)
		goto fail;
	r = -ENOMEM;
	if (vfork) {
		c->mm = p->mm;
		c->mm->refcount++;
	} else {
		c->mm = mm_fork(p->mm);
		if (!c->mm)
			goto fail;
	}
	if (p->files) {
		c->files = files_dup(p->files);
		if (!c->files)
			goto fail;
	}
	if (p->fs) {
		c->fs = fs_dup(p->fs);
		if (!c->fs)
			goto fail;
	}

	/* Registers: the parent's, returning 0, on the new stack if given. */
	hal_context_init(&c->ctx, task_kstack_top(c), fork_child_entry, NULL);
	hal_context_copy_user_state(&c->ctx, &p->ctx);
	if (flags & CLONE_SETTLS)
		hal_context_set_tls(&c->ctx, tls, false);
	ctf = task_user_tf(c);
	*ctf = *ptf;
	hal_tf_set_return(ctf, 0);
	if (newsp)
		hal_tf_set_sp(ctf, newsp);

	if (flags & CLONE_CHILD_SETTID)
		c->set_child_tid = ctid;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = ctid;
	if (flags & CLONE_PARENT_SETTID) {
		uint32_t v = (uint32_t)pid;
		if (copy_to_user(ptid, &v, sizeof v)) {
			r = -EFAULT;
			goto fail;
		}
	}

	if (vfork) {
		c->vfork_parent = p;
		p->vfork_done = false;
	}
	task_link(c);
	sched_add(c);

	if (vfork) {
		/* [vfork(2)]: the parent is suspended until the child execs
		 * or exits; it cannot be reaped meanwhile (only we can). */
		irqflags_t f = hal_irq_save();
		while (!p->vfork_done)
			sched_sleep(&p->vfork_wq, 0, false);
		hal_irq_restore(f);
	}
	return pid;

fail:
	fork_cleanup(c);
	return r;
}

void vfork_release(struct task *t)
{
	struct task *p = t->vfork_parent;
	if (!p)
		return;
	t->vfork_parent = NULL;
	p->vfork_done = true;
	wake_up(&p->vfork_wq);
}

/* clone(flags, stack, parent_tid, <tls, child_tid in the arch's order>).
 * HAL_CLONE_ARG_TLS / HAL_CLONE_ARG_CHILD_TID give the argument slots. */
long sys_clone(const unsigned long *args);
long sys_clone(const unsigned long *args)
{
	return do_fork(args[0], args[1], args[2], args[HAL_CLONE_ARG_CHILD_TID],
		       args[HAL_CLONE_ARG_TLS]);
}

/* clone3(2): not offered; the C library falls back to clone. */
SYSCALL_DEFINE2(clone3, uintptr_t, uargs, size_t, size)
{
	return -ENOSYS;
}

/* x86_64 legacy entry points. */
SYSCALL_DEFINE0(fork)
{
	return do_fork(SIGCHLD, 0, 0, 0, 0);
}

SYSCALL_DEFINE0(vfork)
{
	return do_fork(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}
