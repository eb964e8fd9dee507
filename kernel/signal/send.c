/* Generating signals: queueing with Linux's rules for ignored, stop and
 * continue signals, process groups, synchronous faults and the SIGCHLD
 * notifications of a parent. [signal(7)], [kill(2)], [wait(2)]
 *
 * Real-time signals queue (queue.c); a standard signal sent again while
 * pending is delivered once. Everything here may run in IRQ context (the
 * TTY sends SIGINT), so every lock is taken with interrupts masked:
 * tasklist_lock (the thread group, the parent) then the receiver's
 * sighand->siglock (its signal state). Two siglocks are never nested: a
 * parent is notified after the child's siglock is dropped. */
#include <hal/cpu.h>
#include <kernel/errno.h>
#include <kernel/eventpoll.h>
#include <kernel/kmalloc.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>
#include <string.h>

#include "../sched/sched_internal.h"
#include "signal_internal.h"

enum sig_default sig_default_action(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS: return SIGACT_CORE;
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH: return SIGACT_IGN;
	case SIGCONT: return SIGACT_CONT;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU: return SIGACT_STOP;
	default: /* the rest, and every real-time signal */ return SIGACT_TERM;
	}
}

/* Linux sig_ignored(): a blocked signal is always queued (the handler may
 * change before it is unblocked); init discards what it does not handle. */
bool sig_ignored(const struct task *t, int sig)
{
	uint64_t h;
	if ((t->sig.blocked | t->sigwait_mask) & sigmask(sig))
		return false;
	h = t->sighand->action[sig - 1].handler;
	if (h == SIG_IGN)
		return true;
	if (h != SIG_DFL)
		return false;
	if (t->sig_unkillable)
		return true;
	return sig_default_action(sig) == SIGACT_IGN || sig_default_action(sig) == SIGACT_CONT;
}

static bool task_exited(const struct task *t)
{
	return t->state == TASK_ZOMBIE || t->state == TASK_DEAD;
}

/* The side effects of sending sig to t, which happen even when the signal
 * itself is then discarded: SIGCONT resumes a stopped task and drops its
 * pending stop signals, a stop signal drops a pending SIGCONT, SIGKILL
 * resumes a stopped task. Returns true if t was resumed by SIGCONT.
 * Interrupts masked. */
static bool prepare_signal(struct task *t, int sig)
{
	if (sigmask(sig) & SIG_STOP_MASK) {
		t->sig.pending &= ~sigmask(SIGCONT);
	} else if (sig == SIGCONT) {
		t->sig.pending &= ~SIG_STOP_MASK;
		if (t->state == TASK_STOPPED) {
			t->cont_reported = false;
			t->stop_reported = true;
			sched_resume_stopped(t);
			return true;
		}
	} else if (sig == SIGKILL && t->state == TASK_STOPPED && !t->sig_unkillable) {
		sched_resume_stopped(t);
	}
	return false;
}

/* Queue sig with info (NULL: SI_KERNEL) on t unless t discards it, and
 * wake t if it can take it. 0 or -EAGAIN (sigqueue_add). Interrupts masked. */
static int queue_signal(struct task *t, int sig, const struct linux_siginfo *info)
{
	uint64_t m = sigmask(sig);
	struct linux_siginfo si;
	int r;

	if (sig_ignored(t, sig))
		return 0;
	if (info) {
		si = *info;
	} else {
		memset(&si, 0, sizeof si);
		si.si_code = SI_KERNEL;
	}
	si.si_signo = sig;
	r = sigqueue_add(t, sig, &si);
	if (r)
		return r;
	if (!(t->sig.blocked & m) || (t->sigwait_mask & m))
		sched_wake(t, -EINTR, true);
	signalfd_notify(t);
	return 0;
}

int send_signal_locked(struct task *t, int sig, const struct linux_siginfo *info)
{
	bool resumed;
	int r;

	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (task_exited(t))
		return 0;
	spin_lock(&t->sighand->siglock);
	resumed = prepare_signal(t, sig);
	r = queue_signal(t, sig, info);
	spin_unlock(&t->sighand->siglock);
	if (resumed)
		notify_parent_cldstop(t->group_leader, CLD_CONTINUED, SIGCONT);
	return r;
}

/* Contract in <kernel/signal.h>. */
int send_signal(struct task *t, int sig, const struct linux_siginfo *info)
{
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);
	int r = send_signal_locked(t, sig, info);

	spin_unlock_irqrestore(&tasklist_lock, f);
	return r;
}

/* The thread of t's process that takes a process-directed sig, as Linux's
 * complete_signal() chooses: the leader if it can take it now, else the
 * first live thread that does not block it, else any live thread (the
 * signal then waits, pending, for one to unblock it). NULL if every
 * thread has exited. */
static struct task *pick_thread(struct task *t, int sig)
{
	struct task *leader = t->group_leader, *it, *any = NULL;

	if (!task_exited(leader) && !(leader->sig.blocked & sigmask(sig)))
		return leader;
	for_each_thread(leader, it)
	{
		if (task_exited(it))
			continue;
		if (!(it->sig.blocked & sigmask(sig)))
			return it;
		if (!any)
			any = it;
	}
	return any;
}

int send_group_signal_locked(struct task *t, int sig, const struct linux_siginfo *info)
{
	struct task *leader = t->group_leader, *it, *target;
	spinlock_t *siglock = &leader->sighand->siglock; /* one for the group */
	bool resumed = false;
	int r = 0;

	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	spin_lock(siglock);
	for_each_thread(leader, it) if (!task_exited(it)) resumed |= prepare_signal(it, sig);
	if (sig == SIGKILL) {
		/* Fatal to the whole process: every thread takes it. */
		for_each_thread(leader, it) if (!task_exited(it)) queue_signal(it, sig, info);
	} else if ((target = pick_thread(t, sig))) {
		r = queue_signal(target, sig, info);
	}
	spin_unlock(siglock);
	if (resumed)
		notify_parent_cldstop(leader, CLD_CONTINUED, SIGCONT);
	return r;
}

/* Contract in <kernel/signal.h>. */
int send_group_signal(struct task *t, int sig, const struct linux_siginfo *info)
{
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);
	int r = send_group_signal_locked(t, sig, info);

	spin_unlock_irqrestore(&tasklist_lock, f);
	return r;
}

int kill_pgrp(int pgid, int sig, const struct linux_siginfo *info)
{
	struct task *t;
	bool found = false;
	irqflags_t f;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pgid <= 0)
		return -ESRCH;
	f = spin_lock_irqsave(&tasklist_lock);
	list_for_each_entry(t, &task_list, all_list) {
		if (t->pgid != pgid || !thread_group_leader(t))
			continue;
		found = true;
		if (sig)
			send_group_signal_locked(t, sig, info);
	}
	spin_unlock_irqrestore(&tasklist_lock, f);
	return found ? 0 : -ESRCH;
}

int kill_permission(const struct task *t, int sig)
{
	const struct task *c = current;

	if (!c || t->tgid == c->tgid || c->euid == 0)
		return 0;
	if (c->euid == t->suid || c->euid == t->uid || c->uid == t->suid || c->uid == t->uid)
		return 0;
	if (sig == SIGCONT && t->sid == c->sid)
		return 0;
	return -EPERM;
}

int kill_pgrp_user(int pgid, int sig, const struct linux_siginfo *info)
{
	struct task *t;
	int r = -ESRCH;
	bool sent = false;
	irqflags_t f;

	if (pgid <= 0)
		return -ESRCH;
	f = spin_lock_irqsave(&tasklist_lock);
	list_for_each_entry(t, &task_list, all_list) {
		if (t->pgid != pgid || !thread_group_leader(t))
			continue;
		r = kill_permission(t, sig);
		if (r == 0 && sig)
			r = send_group_signal_locked(t, sig, info);
		sent |= r == 0;
	}
	spin_unlock_irqrestore(&tasklist_lock, f);
	return sent ? 0 : r;
}

/* Linux force_sig_info(): a blocked or ignored synchronous signal is
 * unblocked and gets the default action, and even init is not spared. */
void force_sig_fault(int sig, int code, uintptr_t addr)
{
	struct task *t = current;
	struct k_sigaction *ka;
	struct linux_siginfo info;
	irqflags_t f;

	if (sig < 1 || sig > NSIG)
		return;
	memset(&info, 0, sizeof info);
	info.si_signo = sig;
	info.si_code = code;
	info.u.fault.addr = addr;

	f = spin_lock_irqsave(&t->sighand->siglock);
	ka = &t->sighand->action[sig - 1];
	if (ka->handler == SIG_IGN || (t->sig.blocked & sigmask(sig))) {
		ka->handler = SIG_DFL;
		t->sig.blocked &= ~sigmask(sig);
	}
	if (ka->handler == SIG_DFL)
		t->sig_unkillable = false;
	t->sig.info[sig - 1] = info;
	t->sig.pending |= sigmask(sig);
	spin_unlock_irqrestore(&t->sighand->siglock, f);
}

void force_sigsegv(void)
{
	irqflags_t f = spin_lock_irqsave(&current->sighand->siglock);
	current->sighand->action[SIGSEGV - 1].handler = SIG_DFL;
	spin_unlock_irqrestore(&current->sighand->siglock, f);
	force_sig_fault(SIGSEGV, SI_KERNEL, 0);
}

void sigchld_info(const struct task *t, int code, int status, struct linux_siginfo *info)
{
	memset(info, 0, sizeof *info);
	info->si_signo = SIGCHLD;
	info->si_code = code;
	info->u.chld.pid = t->tgid;
	info->u.chld.uid = t->uid;
	info->u.chld.status = status;
	info->u.chld.utime = (int64_t)t->utime_ticks;
	info->u.chld.stime = (int64_t)t->stime_ticks;
}

void notify_parent_cldstop(struct task *t, int why, int status)
{
	struct task *p = t->parent;
	struct linux_siginfo info;

	if (!p)
		return;
	if (!(p->sighand->action[SIGCHLD - 1].flags & SA_NOCLDSTOP)) {
		sigchld_info(t, why, status, &info);
		send_group_signal_locked(p, SIGCHLD, &info);
	}
	wake_up(&p->child_wq);
}

/* Linux do_notify_parent(). */
bool notify_parent_exit(struct task *t)
{
	struct task *p = t->parent;
	struct linux_siginfo info;
	const struct k_sigaction *ka;
	int st = t->exit_status, code, status, sig = t->exit_signal;
	bool autoreap = false;

	if (!p)
		return true;
	if ((st & 0x7f) == 0) {
		code = CLD_EXITED;
		status = (st >> 8) & 0xff;
	} else {
		code = (st & 0x80) ? CLD_DUMPED : CLD_KILLED;
		status = st & 0x7f;
	}
	sigchld_info(t, code, status, &info);
	ka = &p->sighand->action[SIGCHLD - 1];
	if (sig == SIGCHLD && (ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT))) {
		autoreap = true;
		if (ka->handler == SIG_IGN)
			sig = 0;
	}
	if (sig > 0 && sig <= NSIG)
		send_group_signal_locked(p, sig, &info);
	wake_up(&p->child_wq);
	return autoreap;
}

void signal_fork(struct task *child, struct task *parent, bool share_sighand)
{
	if (share_sighand) {
		sighand_put(child->sighand);
		child->sighand = parent->sighand;
		__atomic_add_fetch(&child->sighand->refcount, 1, __ATOMIC_RELAXED);
	} else {
		memcpy(child->sighand->action, parent->sighand->action,
		       sizeof child->sighand->action);
	}
	child->sig.blocked = parent->sig.blocked;
	child->sig.pending = 0;
	child->sig.altstack_sp = parent->sig.altstack_sp;
	child->sig.altstack_size = parent->sig.altstack_size;
	child->sig.altstack_flags = parent->sig.altstack_flags;
	child->sig.restore_saved_mask = false;
}

void sighand_put(struct sighand *sh)
{
	if (sh && __atomic_sub_fetch(&sh->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(sh);
}

int sighand_unshare(struct task *t)
{
	struct sighand *sh;

	if (__atomic_load_n(&t->sighand->refcount, __ATOMIC_ACQUIRE) == 1)
		return 0;
	sh = kmalloc(sizeof *sh);
	if (!sh)
		return -ENOMEM;
	spin_lock_init(&sh->siglock, "sighand.siglock");
	memcpy(sh->action, t->sighand->action, sizeof sh->action);
	sh->refcount = 1;
	sighand_put(t->sighand);
	t->sighand = sh;
	return 0;
}

void signal_exec(struct task *t)
{
	irqflags_t f = spin_lock_irqsave(&t->sighand->siglock);

	for (int i = 0; i < NSIG; i++) {
		struct k_sigaction *ka = &t->sighand->action[i];
		if (ka->handler != SIG_IGN)
			ka->handler = SIG_DFL;
		ka->flags = 0;
		ka->restorer = 0;
		ka->mask = 0;
	}
	t->sig.altstack_sp = 0;
	t->sig.altstack_size = 0;
	t->sig.altstack_flags = SS_DISABLE;
	spin_unlock_irqrestore(&t->sighand->siglock, f);
}
