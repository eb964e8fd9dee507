/* Waiting for children: [wait4(2)], [waitid(2)]; Linux kernel/exit.c
 * do_wait(). Children belong to the process (its group leader): any of its
 * threads may wait for them. Reports exits (reaping the zombie unless WNOWAIT), stops
 * (WUNTRACED/WSTOPPED) and continues (WCONTINUED), each once. */
#include <hal/cpu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>
#include <string.h>

#include "proc_internal.h"

#define WNOHANG 0x00000001
#define WUNTRACED 0x00000002
#define WSTOPPED WUNTRACED
#define WEXITED 0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT 0x01000000
#define __WNOTHREAD 0x20000000
#define __WALL 0x40000000
#define __WCLONE 0x80000000

#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define P_PIDFD 3

struct wait_opts {
	int type; /* P_ALL, P_PID, P_PGID */
	int id;
	unsigned options;
};

struct wait_result {
	int pid;
	int status; /* wait status word */
	int code;   /* CLD_* */
	int si_status;
	uint32_t uid;
	uint64_t utime, stime; /* ticks, the child's and its reaped children's */
};

static bool eligible(const struct task *c, const struct wait_opts *wo)
{
	if (wo->type == P_PID && c->tid != wo->id)
		return false;
	if (wo->type == P_PGID && c->pgid != wo->id)
		return false;
	/* A "clone" child (exit signal other than SIGCHLD) is waited for
	 * only with __WCLONE, the others only without; __WALL takes both. */
	if (!(wo->options & __WALL) &&
	    (c->exit_signal != SIGCHLD) != ((wo->options & __WCLONE) != 0))
		return false;
	return true;
}

static void fill(struct wait_result *r, const struct task *c, int status, int code, int si_status)
{
	r->pid = c->tid;
	r->status = status;
	r->code = code;
	r->si_status = si_status;
	r->uid = c->uid;
	uint64_t ut, st;

	task_group_cputime_locked(c, &ut, &st); /* every thread's, as Linux's wait_task_zombie() */
	r->utime = ut + c->cutime_ticks;
	r->stime = st + c->cstime_ticks;
}

/* 1: *r filled; 0: matching children exist but none has news; -ECHILD.
 * tasklist_lock held. */
static int wait_scan(const struct wait_opts *wo, struct wait_result *r)
{
	struct task *me = current->group_leader, *c, *n;
	bool nowait = (wo->options & WNOWAIT) != 0;
	bool any = false;

	list_for_each_entry_safe(c, n, &me->children, sibling) {
		if (!eligible(c, wo))
			continue;
		any = true;
		if (c->state == TASK_ZOMBIE && c->nr_live == 0 && (wo->options & WEXITED)) {
			int st = c->exit_status;
			if ((st & 0x7f) == 0)
				fill(r, c, st, CLD_EXITED, (st >> 8) & 0xff);
			else
				fill(r, c, st, (st & WCOREFLAG) ? CLD_DUMPED : CLD_KILLED,
				     st & 0x7f);
			if (!nowait) {
				me->cutime_ticks += r->utime;
				me->cstime_ticks += r->stime;
				task_release(c);
			}
			return 1;
		}
		if (c->state == TASK_STOPPED && !c->stop_reported && (wo->options & WSTOPPED)) {
			fill(r, c, W_STOPCODE(c->stop_sig), CLD_STOPPED, c->stop_sig);
			if (!nowait)
				c->stop_reported = true;
			return 1;
		}
		if (!c->cont_reported && (wo->options & WCONTINUED)) {
			fill(r, c, W_CONTINUED, CLD_CONTINUED, SIGCONT);
			if (!nowait)
				c->cont_reported = true;
			return 1;
		}
	}
	return any ? 0 : -ECHILD;
}

/* The child's pid, 0 (WNOHANG, nothing yet), -ECHILD, or -ERESTARTSYS
 * when a signal interrupted the wait. */
static long do_wait(const struct wait_opts *wo, struct wait_result *r)
{
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);
	long ret;
	for (;;) {
		int s = wait_scan(wo, r);
		if (s != 0) {
			ret = s > 0 ? r->pid : s;
			break;
		}
		if (wo->options & WNOHANG) {
			ret = 0;
			break;
		}
		/* Checked after the scan, as Linux does: a SIGCHLD handler
		 * waking us still lets us report the child that sent it. */
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		sched_sleep_locked(&current->group_leader->child_wq, &tasklist_lock, 0, true);
	}
	spin_unlock_irqrestore(&tasklist_lock, f);
	return ret;
}

static int put_rusage(uintptr_t uru, const struct wait_result *r)
{
	struct linux_rusage ru;
	rusage_fill(&ru, r->utime, r->stime);
	return copy_to_user(uru, &ru, sizeof ru) ? -EFAULT : 0;
}

/* pid > 0: that child; -1: any; 0: any in the caller's process group;
 * < -1: any in group -pid. Returns the pid, 0 (WNOHANG), -ECHILD, -EINVAL
 * (unknown options), -EFAULT, -EINTR/-ERESTARTSYS. */
SYSCALL_DEFINE4(wait4, int, pid, uintptr_t, ustatus, unsigned, options, uintptr_t, urusage)
{
	struct wait_opts wo;
	struct wait_result r;
	long ret;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	wo.options = options | WEXITED;
	if (pid < -1) {
		wo.type = P_PGID;
		wo.id = -pid;
	} else if (pid == -1) {
		wo.type = P_ALL;
		wo.id = 0;
	} else if (pid == 0) {
		wo.type = P_PGID;
		wo.id = current->pgid;
	} else {
		wo.type = P_PID;
		wo.id = pid;
	}
	ret = do_wait(&wo, &r);
	if (ret > 0) {
		uint32_t st = (uint32_t)r.status;
		if (ustatus && copy_to_user(ustatus, &st, sizeof st))
			return -EFAULT;
		if (urusage && put_rusage(urusage, &r))
			return -EFAULT;
	}
	return ret;
}

/* Fills *infop (si_signo SIGCHLD, si_code CLD_*, si_pid, si_uid,
 * si_status); with WNOHANG and nothing to report returns 0 with si_pid 0. */
SYSCALL_DEFINE5(waitid, int, idtype, int, id, uintptr_t, uinfo, unsigned, options, uintptr_t,
		urusage)
{
	struct wait_opts wo;
	struct wait_result r;
	struct linux_siginfo si;
	long ret;

	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD |
			__WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	wo.options = options;
	wo.type = idtype;
	wo.id = id;
	switch (idtype) {
	case P_ALL: break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		if (id == 0)
			wo.id = current->pgid;
		break;
	case P_PIDFD: /* [waitid(2)]: the process the pidfd refers to */
		wo.type = P_PID;
		wo.id = pidfd_pid(id);
		if (wo.id < 0)
			return wo.id;
		break;
	default: return -EINVAL;
	}
	ret = do_wait(&wo, &r);
	if (ret < 0)
		return ret;
	memset(&si, 0, sizeof si);
	if (ret > 0) {
		si.si_signo = SIGCHLD;
		si.si_code = r.code;
		si.u.chld.pid = r.pid;
		si.u.chld.uid = r.uid;
		si.u.chld.status = r.si_status;
		si.u.chld.utime = (int64_t)r.utime;
		si.u.chld.stime = (int64_t)r.stime;
	}
	if (uinfo && copy_to_user(uinfo, &si, sizeof si))
		return -EFAULT;
	if (ret > 0 && urusage && put_rusage(urusage, &r))
		return -EFAULT;
	return 0;
}
