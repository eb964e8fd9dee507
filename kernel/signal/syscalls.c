/* Signal syscalls: actions, masks, alternate stacks, sending.
 * [rt_sigaction(2)], [rt_sigprocmask(2)], [sigpending(2)], [sigreturn(2)],
 * [sigaltstack(2)], [kill(2)], [tkill(2)]. The kernel sigset_t is 8 bytes
 * (64 signals) on both arches. */
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>
#include <string.h>

#include "signal_internal.h"

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* sigaltstack minimum: x86_64 MINSIGSTKSZ (arm64's is 5120; the arch
 * frame code checks the real fit when it builds a frame). */
#ifndef HAL_MINSIGSTKSZ
#define HAL_MINSIGSTKSZ 2048
#endif

/* stack_t (64-bit layout, 24 bytes). */
struct linux_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

static bool valid_sig(int sig)
{
	return sig >= 1 && sig <= NSIG;
}

SYSCALL_DEFINE4(rt_sigaction, int, sig, uintptr_t, uact, uintptr_t, uoact, size_t, sigsetsize)
{
	struct task *t = current;
	struct k_sigaction act, old;
	irqflags_t f;

	if (sigsetsize != sizeof(uint64_t) || !valid_sig(sig))
		return -EINVAL;
	if (uact && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (uact && copy_from_user(&act, uact, sizeof act))
		return -EFAULT;

	f = spin_lock_irqsave(&t->sighand->siglock);
	old = t->sighand->action[sig - 1];
	if (uact) {
		act.mask &= ~SIG_UNBLOCKABLE;
		t->sighand->action[sig - 1] = act;
		/* POSIX: setting a pending signal to be ignored discards it. */
		if (sig_ignored(t, sig) || act.handler == SIG_IGN)
			sigqueue_flush(t, sig);
	}
	spin_unlock_irqrestore(&t->sighand->siglock, f);

	if (uoact && copy_to_user(uoact, &old, sizeof old))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, uintptr_t, uset, uintptr_t, uoset, size_t, sigsetsize)
{
	struct task *t = current;
	uint64_t set = 0, old;
	irqflags_t f;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (uset) {
		if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
			return -EINVAL;
		if (copy_from_user(&set, uset, sizeof set))
			return -EFAULT;
	}
	f = spin_lock_irqsave(&t->sighand->siglock);
	old = t->sig.blocked;
	if (uset) {
		if (how == SIG_BLOCK)
			t->sig.blocked |= set;
		else if (how == SIG_UNBLOCK)
			t->sig.blocked &= ~set;
		else
			t->sig.blocked = set;
		t->sig.blocked &= ~SIG_UNBLOCKABLE;
	}
	spin_unlock_irqrestore(&t->sighand->siglock, f);
	if (uoset && copy_to_user(uoset, &old, sizeof old))
		return -EFAULT;
	return 0;
}

/* The pending signals that are blocked. */
SYSCALL_DEFINE2(rt_sigpending, uintptr_t, uset, size_t, sigsetsize)
{
	uint64_t set;
	if (sigsetsize > sizeof(uint64_t))
		return -EINVAL;
	set = current->sig.pending & current->sig.blocked;
	return copy_to_user(uset, &set, sigsetsize) ? -EFAULT : 0;
}

/* Restores the registers of the frame: the dispatcher does not store a
 * return value for this syscall, so rax/x0 keep the restored value. */
SYSCALL_DEFINE0(rt_sigreturn)
{
	struct task *t = current;
	uint64_t mask;
	irqflags_t f;

	if (hal_signal_pop_frame(task_user_tf(t), &t->ctx, &mask)) {
		force_sigsegv();
		return 0;
	}
	f = spin_lock_irqsave(&t->sighand->siglock);
	t->sig.blocked = mask & ~SIG_UNBLOCKABLE;
	spin_unlock_irqrestore(&t->sighand->siglock, f);
	t->syscall_restart = 0;
	return 0;
}

static bool on_altstack(const struct task *t, uintptr_t sp)
{
	return t->sig.altstack_size && sp > t->sig.altstack_sp &&
	       sp - t->sig.altstack_sp <= t->sig.altstack_size;
}

SYSCALL_DEFINE2(sigaltstack, uintptr_t, uss, uintptr_t, uoss)
{
	struct task *t = current;
	uintptr_t sp = hal_tf_sp(task_user_tf(t));
	bool onstack = on_altstack(t, sp);
	struct linux_stack old, ss;

	memset(&old, 0, sizeof old);
	old.ss_sp = t->sig.altstack_sp;
	old.ss_size = t->sig.altstack_size;
	old.ss_flags = (int32_t)((t->sig.altstack_flags & SS_AUTODISARM) |
				 (onstack ? SS_ONSTACK : (t->sig.altstack_size ? 0 : SS_DISABLE)));
	if (uss) {
		unsigned mode;
		if (copy_from_user(&ss, uss, sizeof ss))
			return -EFAULT;
		if (onstack)
			return -EPERM;
		mode = (unsigned)ss.ss_flags & ~SS_AUTODISARM;
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			t->sig.altstack_sp = 0;
			t->sig.altstack_size = 0;
			t->sig.altstack_flags = SS_DISABLE;
		} else {
			if (ss.ss_size < HAL_MINSIGSTKSZ)
				return -ENOMEM;
			t->sig.altstack_sp = ss.ss_sp;
			t->sig.altstack_size = ss.ss_size;
			t->sig.altstack_flags = (int)((unsigned)ss.ss_flags & SS_AUTODISARM);
		}
	}
	if (uoss && copy_to_user(uoss, &old, sizeof old))
		return -EFAULT;
	return 0;
}

static void user_info(struct linux_siginfo *info, int sig, int code)
{
	memset(info, 0, sizeof *info);
	info->si_signo = sig;
	info->si_code = code;
	info->u.kill.pid = current->tgid;
	info->u.kill.uid = current->uid;
}

/* [kill(2)]: pid > 0 that process, 0 the caller's process group, -1 every
 * process but init and the caller, < -1 process group -pid. Signal 0
 * checks existence. */
SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	struct linux_siginfo info;
	struct task *t;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	user_info(&info, sig, SI_USER);
	if (pid > 0) {
		long r;

		t = task_lookup(pid);
		if (!t)
			return -ESRCH;
		r = sig ? send_group_signal(t, sig, &info) : 0;
		put_task(t);
		return r;
	}
	if (pid == 0)
		return kill_pgrp(current->pgid, sig, &info);
	if (pid == -1) {
		bool found = false;
		irqflags_t f = spin_lock_irqsave(&tasklist_lock);
		list_for_each_entry(t, &task_list, all_list) {
			if (t->tgid <= 1 || t->tgid == current->tgid || !thread_group_leader(t))
				continue;
			found = true;
			if (sig)
				send_group_signal_locked(t, sig, &info);
		}
		spin_unlock_irqrestore(&tasklist_lock, f);
		return found ? 0 : -ESRCH;
	}
	if (pid == INT32_MIN)
		return -ESRCH;
	return kill_pgrp(-pid, sig, &info);
}

static long do_tkill(int tgid, int tid, int sig)
{
	struct linux_siginfo info;
	struct task *t;

	long r;

	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	t = task_lookup(tid);
	if (!t || (tgid > 0 && t->tgid != tgid)) {
		put_task(t);
		return -ESRCH;
	}
	user_info(&info, sig, SI_TKILL);
	r = sig ? send_signal(t, sig, &info) : 0;
	put_task(t);
	return r;
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	return do_tkill(-1, tid, sig);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return do_tkill(tgid, tid, sig);
}

/* [rt_sigqueueinfo(2)]: the caller supplies the siginfo; it may not
 * pretend to be kill() or the kernel (si_code >= 0 or SI_TKILL) towards
 * another process (-EPERM). */
static long do_sigqueue(int tgid, int tid, int sig, uintptr_t uinfo)
{
	struct linux_siginfo info;
	struct task *t;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	long r;

	if (copy_from_user(&info, uinfo, sizeof info))
		return -EFAULT;
	t = task_lookup(tid);
	if (!t || (tgid > 0 && t->tgid != tgid))
		r = -ESRCH;
	else if ((info.si_code >= 0 || info.si_code == SI_TKILL) && t != current)
		r = -EPERM;
	else if (!sig)
		r = 0;
	else {
		info.si_signo = sig;
		r = tgid > 0 ? send_signal(t, sig, &info) : send_group_signal(t, sig, &info);
	}
	put_task(t);
	return r;
}

SYSCALL_DEFINE3(rt_sigqueueinfo, int, pid, int, sig, uintptr_t, uinfo)
{
	if (pid <= 0)
		return -ESRCH;
	return do_sigqueue(-1, pid, sig, uinfo);
}

SYSCALL_DEFINE4(rt_tgsigqueueinfo, int, tgid, int, tid, int, sig, uintptr_t, uinfo)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	return do_sigqueue(tgid, tid, sig, uinfo);
}
