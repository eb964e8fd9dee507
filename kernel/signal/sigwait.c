/* Waiting for signals: [sigsuspend(2)], [pause(2)], [sigtimedwait(2)]. */
#include <hal/cpu.h>
#include <hal/timer.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/vfs.h>
#include <kernel/spinlock.h>

#include "signal_internal.h"

#define NSEC_PER_SEC_U 1000000000ULL

/* Sleep until a signal is deliverable. current's siglock held. */
static void sleep_until_signal(void)
{
	while (!signal_pending(current))
		sched_sleep_locked(NULL, &current->sighand->siglock, 0, true);
}

/* Replaces the mask until a handler runs; the handler's frame saves the
 * old mask (restore_saved_mask), which sigreturn then restores. Always
 * -EINTR for the caller (-ERESTARTNOHAND: restarted if no handler ran). */
SYSCALL_DEFINE2(rt_sigsuspend, uintptr_t, umask, size_t, sigsetsize)
{
	struct task *t = current;
	uint64_t mask;
	irqflags_t f;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof mask))
		return -EFAULT;
	f = spin_lock_irqsave(&t->sighand->siglock);
	t->sig.saved_mask = t->sig.blocked;
	t->sig.restore_saved_mask = true;
	t->sig.blocked = mask & ~SIG_UNBLOCKABLE;
	sleep_until_signal();
	spin_unlock_irqrestore(&t->sighand->siglock, f);
	return -ERESTARTNOHAND;
}

SYSCALL_DEFINE0(pause)
{
	struct task *t = current;
	irqflags_t f = spin_lock_irqsave(&t->sighand->siglock);
	sleep_until_signal();
	spin_unlock_irqrestore(&t->sighand->siglock, f);
	return -ERESTARTNOHAND;
}

/* Returns the signal number; -EAGAIN when the timeout passed (or was zero
 * and nothing was pending), -EINTR when another signal interrupted,
 * -EINVAL bad sigsetsize or timeout, -EFAULT. */
SYSCALL_DEFINE4(rt_sigtimedwait, uintptr_t, uset, uintptr_t, uinfo, uintptr_t, uts, size_t,
		sigsetsize)
{
	struct task *t = current;
	struct linux_siginfo info;
	uint64_t set, deadline = 0;
	bool poll = false;
	long ret;
	irqflags_t f;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof set))
		return -EFAULT;
	set &= ~SIG_UNBLOCKABLE;
	if (uts) {
		struct timespec64 ts;
		if (copy_from_user(&ts, uts, sizeof ts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC_U)
			return -EINVAL;
		if (ts.tv_sec == 0 && ts.tv_nsec == 0)
			poll = true;
		else if ((uint64_t)ts.tv_sec > UINT64_MAX / NSEC_PER_SEC_U / 2)
			deadline = 0; /* effectively forever */
		else
			deadline = hal_timer_now_ns() + (uint64_t)ts.tv_sec * NSEC_PER_SEC_U +
				   (uint64_t)ts.tv_nsec;
	}

	f = spin_lock_irqsave(&t->sighand->siglock);
	for (;;) {
		int r;
		ret = sigqueue_dequeue(t, set, &info);
		if (ret)
			break;
		if (poll) {
			ret = -EAGAIN;
			break;
		}
		t->sigwait_mask = set;
		r = sched_sleep_locked(NULL, &t->sighand->siglock, deadline, true);
		t->sigwait_mask = 0;
		if (r == -ETIMEDOUT) {
			ret = sigqueue_dequeue(t, set, &info);
			if (!ret)
				ret = -EAGAIN;
			break;
		}
		if (r == -EINTR && !(t->sig.pending & set) && signal_pending(t)) {
			ret = -EINTR;
			break;
		}
	}
	spin_unlock_irqrestore(&t->sighand->siglock, f);

	if (ret > 0 && uinfo && copy_to_user(uinfo, &info, sizeof info))
		return -EFAULT;
	return ret;
}
