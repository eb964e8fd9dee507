/* Process and thread creation: fork(2), vfork(2) and clone(2).
 * [clone(2)], [fork(2)], [vfork(2)]; Linux kernel/fork.c kernel_clone().
 *
 * CLONE_VM shares the address space, CLONE_FILES the fd table, CLONE_FS
 * cwd and root (the umask stays per task), CLONE_SIGHAND the signal actions and
 * CLONE_THREAD makes the child a thread of the caller's process (same
 * tgid, not a child anyone waits for). CLONE_VFORK suspends the caller
 * until the child execs or exits. CLONE_PIDFD returns a pidfd (pidfd.c).
 * clone3(2) takes the same request as a struct. Namespaces are not
 * offered (-EINVAL). */
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
#include <kernel/spinlock.h>
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
#define CLONE_NEWTIME 0x00000080 /* clone3 only, inside the CSIGNAL bits */
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#define CLONE_INTO_CGROUP 0x200000000ULL

/* Flags with an effect here, and the ones Linux accepts as no-ops for an
 * unnamespaced, untraced process (CLONE_SYSVSEM: no System V semaphores). */
#define CLONE_SUPPORTED                                                                       \
	(CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |         \
	 CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |            \
	 CLONE_CHILD_SETTID | CLONE_PARENT | CLONE_DETACHED | CLONE_UNTRACED | CLONE_PTRACE | \
	 CLONE_SYSVSEM | CLONE_IO | CLONE_PIDFD)

/* One clone request, from clone(2) or clone3(2) (Linux struct
 * kernel_clone_args). */
struct clone_req {
	uint64_t flags;
	int exit_signal;
	uintptr_t stack; /* new stack pointer, 0 = the parent's */
	uintptr_t ptid, ctid, tls;
	uintptr_t pidfd; /* CLONE_PIDFD: where the pidfd goes */
};

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
		(void)copy_to_user(t->set_child_tid, &tid,
				   sizeof tid); /* a fault is ignored, as in Linux */
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
 * -ENOMEM, -EAGAIN (no pid), -EFAULT (CLONE_PARENT_SETTID, CLONE_PIDFD),
 * -EMFILE (CLONE_PIDFD). */
static long kernel_clone(const struct clone_req *req)
{
	struct task *p = current, *c;
	struct hal_trapframe *ptf = task_user_tf(p), *ctf;
	uint64_t flags = req->flags;
	uintptr_t newsp = req->stack, ptid = req->ptid, ctid = req->ctid, tls = req->tls;
	int exit_signal = req->exit_signal;
	bool vfork = (flags & CLONE_VFORK) != 0, thread = (flags & CLONE_THREAD) != 0;
	int pid, r, pidfd = -1;

	if (flags & ~(CLONE_SUPPORTED | CLONE_CLEAR_SIGHAND))
		return -EINVAL; /* namespaces: not supported */
	/* [clone(2)] EINVAL: CLONE_PIDFD with CLONE_THREAD or CLONE_DETACHED. */
	if ((flags & CLONE_PIDFD) && (flags & (CLONE_THREAD | CLONE_DETACHED)))
		return -EINVAL;
	/* [clone(2)] EINVAL: CLONE_THREAD needs CLONE_SIGHAND, which needs
	 * CLONE_VM; CLONE_FS cannot be shared across a new namespace. */
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if (thread && exit_signal)
		exit_signal = 0; /* a thread never signals anyone when it exits */
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
	c->tid = pid;
	c->exit_signal = exit_signal;
	if (thread) {
		/* Same process: its leader, its parent, its tgid. */
		c->tgid = p->tgid;
		c->group_leader = p->group_leader;
		c->parent = p->parent;
	} else {
		c->tgid = pid;
		/* Children belong to the process: any of its threads may
		 * wait for them. (CLONE_PARENT: a sibling of the caller.) */
		c->parent = (flags & CLONE_PARENT) && p->parent ? p->group_leader->parent :
								  p->group_leader;
	}
	c->pgid = p->pgid;
	c->sid = p->sid;
	c->tty = p->tty;
	c->uid = p->uid;
	c->gid = p->gid;
	c->euid = p->euid;
	c->egid = p->egid;
	c->suid = p->suid;
	c->sgid = p->sgid;
	c->fsuid = p->fsuid;
	c->fsgid = p->fsgid;
	c->umask = p->umask;
	c->nice = p->nice;
	c->cpus_allowed = p->cpus_allowed; /* [sched_setaffinity(2)]: inherited */
	c->cpu = p->cpu;
	c->personality = p->personality;
	c->uts_ns = uts_ns_get(p->uts_ns);
	memcpy(c->rlim, p->rlim, sizeof c->rlim);
	if (!p->sched_reset_on_fork) {
		c->sched_policy = p->sched_policy;
		c->rt_priority = p->rt_priority;
	} else if (c->nice < 0) {
		c->nice = 0; /* [sched(7)] SCHED_RESET_ON_FORK */
	}
	if (!(flags & CLONE_VM)) {
		/* [rseq(2)]: a forked child keeps the registration (same
		 * address in its copy of the memory); a thread registers its own. */
		c->rseq = p->rseq;
		c->rseq_sig = p->rseq_sig;
	}
	c->cap_effective = p->cap_effective;
	c->cap_permitted = p->cap_permitted;
	c->cap_inheritable = p->cap_inheritable;
	c->groups = groups_get(p->groups);
	signal_fork(c, p, (flags & CLONE_SIGHAND) != 0);
	if (flags & CLONE_CLEAR_SIGHAND)
		signal_exec(c); /* handled signals back to SIG_DFL; ignored stay ignored */

	r = copy_names(c, p);
	if (r)
		goto fail;
	r = -ENOMEM;
	if (flags & CLONE_VM) {
		c->mm = p->mm;
		mm_get(c->mm);
	} else {
		c->mm = mm_fork(p->mm);
		if (!c->mm)
			goto fail;
	}
	if (p->files && (flags & CLONE_FILES)) {
		c->files = files_get(p->files);
	} else if (p->files) {
		c->files = files_dup(p->files);
		if (!c->files)
			goto fail;
	}
	if (p->fs && (flags & CLONE_FS)) {
		c->fs = fs_get(p->fs);
	} else if (p->fs) {
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
	if (flags & CLONE_PIDFD) {
		int32_t v;
		pidfd = r = pidfd_create(c, 0);
		if (r < 0)
			goto fail;
		v = pidfd;
		if (copy_to_user(req->pidfd, &v, sizeof v)) {
			r = -EFAULT;
			goto fail;
		}
	}

	if (vfork) {
		c->vfork_parent = p;
		p->vfork_done = false;
	}
	if (thread) {
		irqflags_t f = spin_lock_irqsave(&tasklist_lock);
		list_del(&c->thread_node); /* task_alloc made it a group of its own */
		list_add_tail(&c->thread_node, &c->group_leader->threads);
		c->group_leader->nr_live++;
		spin_unlock_irqrestore(&tasklist_lock, f);
	}
	task_link(c);
	sched_add(c);

	if (vfork) {
		/* [vfork(2)]: the parent is suspended until the child execs
		 * or exits; it cannot be reaped meanwhile (only we can). */
		irqflags_t f = spin_lock_irqsave(&tasklist_lock);
		while (!p->vfork_done)
			sched_sleep_locked(&p->vfork_wq, &tasklist_lock, 0, false);
		spin_unlock_irqrestore(&tasklist_lock, f);
	}
	return pid;

fail:
	if (pidfd >= 0)
		fd_close(p->files, pidfd); /* drops the pidfd's hold on c */
	fork_cleanup(c);
	return r;
}

void vfork_release(struct task *t)
{
	struct task *p = t->vfork_parent;
	irqflags_t f;

	if (!p)
		return;
	t->vfork_parent = NULL;
	f = spin_lock_irqsave(&tasklist_lock); /* vfork_done */
	p->vfork_done = true;
	wake_up(&p->vfork_wq);
	spin_unlock_irqrestore(&tasklist_lock, f);
}

/* clone(flags, stack, parent_tid, <tls, child_tid in the arch's order>).
 * HAL_CLONE_ARG_TLS / HAL_CLONE_ARG_CHILD_TID give the argument slots. */
long sys_clone(const unsigned long *args);
long sys_clone(const unsigned long *args)
{
	struct clone_req req = {
		.flags = args[0] & ~(uint64_t)CSIGNAL,
		.exit_signal = (int)(args[0] & CSIGNAL),
		.stack = args[1],
		.ptid = args[2],
		.ctid = args[HAL_CLONE_ARG_CHILD_TID],
		.tls = args[HAL_CLONE_ARG_TLS],
		.pidfd = args[2], /* clone(2): the pidfd goes where the parent tid would */
	};
	/* [clone(2)]: the two would share parent_tid. Only the low 32 bits are flags. */
	if ((req.flags & CLONE_PIDFD) && (req.flags & CLONE_PARENT_SETTID))
		return -EINVAL;
	req.flags &= 0xffffffffULL;
	return kernel_clone(&req);
}

/* include/uapi/linux/sched.h struct clone_args. */
struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size; /* CLONE_ARGS_SIZE_VER1 */
	uint64_t cgroup;		/* CLONE_ARGS_SIZE_VER2 */
};
#define CLONE_ARGS_SIZE_VER0 64
#define CLONE_ARGS_SIZE_VER2 88
_Static_assert(sizeof(struct clone_args) == CLONE_ARGS_SIZE_VER2, "struct clone_args");

/* Linux copy_struct_from_user(): a larger user struct is accepted if the
 * bytes this kernel does not know are zero (-E2BIG otherwise). */
static int copy_args_from_user(struct clone_args *a, uintptr_t uargs, size_t size)
{
	memset(a, 0, sizeof *a);
	if (copy_from_user(a, uargs, size < sizeof *a ? size : sizeof *a))
		return -EFAULT;
	for (size_t off = sizeof *a; off < size; off += 8) {
		uint64_t v = 0;
		size_t n = size - off < 8 ? size - off : 8;
		if (copy_from_user(&v, uargs + off, n))
			return -EFAULT;
		if (v)
			return -E2BIG;
	}
	return 0;
}

/* [clone3(2)]: the checks of Linux copy_clone_args_from_user() and
 * clone3_args_valid(): size below 64 bytes -EINVAL, beyond a page -E2BIG;
 * exit_signal a valid signal in the low 8 bits; no CSIGNAL/CLONE_DETACHED
 * flag bits; no exit_signal with CLONE_THREAD/CLONE_PARENT; a stack needs
 * its size (and none without a stack); set_tid (choosing the pid) and
 * cgroups are not offered (-EINVAL). The stack grows down from
 * stack + stack_size. */
SYSCALL_DEFINE2(clone3, uintptr_t, uargs, size_t, size)
{
	struct clone_args a;
	struct clone_req req;
	int r;

	if (size > PAGE_SIZE)
		return -E2BIG;
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	r = copy_args_from_user(&a, uargs, size);
	if (r)
		return r;
	if (a.set_tid_size > 32 || (!a.set_tid && a.set_tid_size) || (a.set_tid && !a.set_tid_size))
		return -EINVAL;
	if ((a.exit_signal & ~(uint64_t)CSIGNAL) || a.exit_signal > NSIG)
		return -EINVAL;
	if ((a.flags & CLONE_INTO_CGROUP) && (a.cgroup > INT32_MAX || size < CLONE_ARGS_SIZE_VER2))
		return -EINVAL;
	if (a.flags & ~(0xffffffffULL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
		return -EINVAL;
	if (a.flags & (CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME)))
		return -EINVAL;
	if ((a.flags & CLONE_SIGHAND) && (a.flags & CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
		return -EINVAL;
	if (a.stack ? (!a.stack_size || !access_ok(a.stack, a.stack_size)) : a.stack_size)
		return -EINVAL;
	if (a.set_tid || (a.flags & (CLONE_INTO_CGROUP | CLONE_NEWTIME)))
		return -EINVAL; /* not offered */
	req = (struct clone_req){
		.flags = a.flags,
		.exit_signal = (int)a.exit_signal,
		.stack = a.stack ? a.stack + a.stack_size : 0,
		.ptid = a.parent_tid,
		.ctid = a.child_tid,
		.tls = a.tls,
		.pidfd = a.pidfd,
	};
	return kernel_clone(&req);
}

/* x86_64 legacy entry points. */
SYSCALL_DEFINE0(fork)
{
	struct clone_req req = { .exit_signal = SIGCHLD };
	return kernel_clone(&req);
}

SYSCALL_DEFINE0(vfork)
{
	struct clone_req req = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };
	return kernel_clone(&req);
}
