/* Delivering signals on the way back to user mode: default actions (term,
 * core, stop, continue, ignore), user handlers through the HAL's Linux
 * signal frames, and the restart of interrupted system calls.
 * [signal(7)] "Interruption of system calls and library functions by
 * signal handlers", [sigaction(2)], Linux kernel/signal.c get_signal() and
 * arch/<arch>/kernel/signal.c handle_signal(). */
#include <hal/context.h>
#include <hal/cpu.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>

#include "../proc/proc_internal.h"
#include "../sched/sched_internal.h"
#include "signal_internal.h"

static bool is_restart(long r)
{
	return r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND ||
	       r == -ERESTART_RESTARTBLOCK;
}

/* Is sp on t's alternate signal stack? */
static bool on_altstack(const struct task *t, uintptr_t sp)
{
	return t->sig.altstack_size && sp - t->sig.altstack_sp <= t->sig.altstack_size &&
	       sp > t->sig.altstack_sp;
}

/* Stop current (default action of SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU) until
 * SIGCONT or SIGKILL resumes it. */
static void do_signal_stop(int sig)
{
	struct task *t = current;
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);

	t->stop_sig = sig;
	t->stop_reported = false;
	t->cont_reported = true;
	sched_set_state(t, TASK_STOPPED);
	notify_parent_cldstop(t, CLD_STOPPED, sig);
	spin_unlock(&tasklist_lock);
	/* SIGCONT/SIGKILL make us TASK_RUNNING (sched_resume_stopped()). */
	spin_lock(&sched_lock);
	while (t->state == TASK_STOPPED)
		schedule_locked();
	spin_unlock_irqrestore(&sched_lock, f);
}

/* The interrupted syscall's result when a handler runs. */
static void restart_before_handler(struct hal_trapframe *tf, long restart,
				   const struct k_sigaction *ka)
{
	switch (restart) {
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK: hal_tf_set_return(tf, -EINTR); break;
	case -ERESTARTSYS:
		if (ka->flags & SA_RESTART)
			hal_tf_restart_syscall(tf);
		else
			hal_tf_set_return(tf, -EINTR);
		break;
	case -ERESTARTNOINTR: hal_tf_restart_syscall(tf); break;
	default: break;
	}
}

/* Build the handler's frame. false if the user stack cannot take it (then
 * SIGSEGV is forced). */
static bool handle_signal(struct hal_trapframe *tf, int sig, struct linux_siginfo *info,
			  const struct k_sigaction *ka)
{
	struct task *t = current;
	struct hal_sigframe_info fi;
	uintptr_t sp = hal_tf_sp(tf);
	irqflags_t f;

	if ((ka->flags & SA_ONSTACK) && t->sig.altstack_size &&
	    !(t->sig.altstack_flags & SS_DISABLE) && !on_altstack(t, sp))
		sp = t->sig.altstack_sp + t->sig.altstack_size;

	info->si_signo = sig;
	fi.signo = sig;
	fi.siginfo = info;
	fi.handler = ka->handler;
	/* Without SA_RESTORER: the vDSO's trampoline (arm64
	 * __kernel_rt_sigreturn, as Linux) or the trampoline page. */
	fi.restorer = (ka->flags & SA_RESTORER) ? ka->restorer : t->mm->sigreturn;
	fi.saved_mask = t->sig.restore_saved_mask ? t->sig.saved_mask : t->sig.blocked;
	fi.sp = sp;
	fi.want_siginfo = (ka->flags & SA_SIGINFO) != 0;
	if (hal_signal_push_frame(tf, &t->ctx, &fi)) {
		force_sigsegv();
		return false;
	}

	f = spin_lock_irqsave(&t->sighand->siglock);
	t->sig.restore_saved_mask = false;
	t->sig.blocked |= ka->mask;
	if (!(ka->flags & SA_NODEFER))
		t->sig.blocked |= sigmask(sig);
	t->sig.blocked &= ~SIG_UNBLOCKABLE;
	if (ka->flags & SA_RESETHAND)
		t->sighand->action[sig - 1].handler = SIG_DFL;
	spin_unlock_irqrestore(&t->sighand->siglock, f);
	return true;
}

/* Contract in <kernel/signal.h>. Delivers at most one handler (the caller,
 * kernel_return_to_user, loops while signals stay pending, which stacks
 * the frames as Linux does); default actions are taken in a loop. */
void do_signal(struct hal_trapframe *tf)
{
	struct task *t = current;
	long restart = t->syscall_restart;

	t->syscall_restart = 0;
	if (!is_restart(restart))
		restart = 0;

	for (;;) {
		struct linux_siginfo info;
		struct k_sigaction ka;
		int sig;
		irqflags_t f = spin_lock_irqsave(&t->sighand->siglock);

		sig = sigqueue_dequeue(t, ~t->sig.blocked, &info);
		if (!sig) {
			spin_unlock_irqrestore(&t->sighand->siglock, f);
			break;
		}
		ka = t->sighand->action[sig - 1];
		spin_unlock_irqrestore(&t->sighand->siglock, f);

		if (ka.handler == SIG_IGN)
			continue;
		if (ka.handler != SIG_DFL) {
			if (restart)
				restart_before_handler(tf, restart, &ka);
			restart = 0;
			if (handle_signal(tf, sig, &info, &ka))
				return;
			continue; /* frame failed: the forced SIGSEGV kills us */
		}
		if (t->sig_unkillable && sig != SIGKILL && sig != SIGSTOP)
			continue;
		switch (sig_default_action(sig)) {
		case SIGACT_IGN:
		case SIGACT_CONT: continue;
		case SIGACT_STOP: do_signal_stop(sig); continue;
		case SIGACT_CORE:
			/* Linux sets the core flag only when a dump was written;
			 * with RLIMIT_CORE 0 (the default) it is not. */
			do_group_exit(sig | (t->rlim[RLIMIT_CORE].rlim_cur ? WCOREFLAG : 0));
		case SIGACT_TERM:
		default: do_group_exit(sig);
		}
	}

	/* No handler ran: every interrupted syscall starts again. */
	if (restart)
		hal_tf_restart_syscall(tf);
	if (t->sig.restore_saved_mask) {
		irqflags_t f = spin_lock_irqsave(&t->sighand->siglock);
		t->sig.blocked = t->sig.saved_mask;
		t->sig.restore_saved_mask = false;
		spin_unlock_irqrestore(&t->sighand->siglock, f);
	}
}
