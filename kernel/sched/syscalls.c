/* Scheduling syscalls. One way of scheduling (round robin, one tick per
 * slice) on each CPU that takes tasks (docs/architecture.md "Scheduler");
 * nice, the policy and the real-time priority are checked as Linux does,
 * stored and reported, but not used yet.
 * [sched_yield(2)], [getcpu(2)], [getpriority(2)], [sched_setaffinity(2)],
 * [sched_setscheduler(2)], [sched_get_priority_max(2)]. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/vfs.h>
#include <string.h>

#include "../proc/proc_internal.h"

#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_RESET_ON_FORK 0x40000000

#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2

/* Bytes of the kernel's cpumask that sched_getaffinity copies out. */
#define CPUMASK_BYTES 8

SYSCALL_DEFINE0(sched_yield)
{
	schedule();
	return 0;
}

/* [getcpu(2)]: the CPU the caller runs on now (it may move right after),
 * node 0 (one memory node); the cache argument is unused since 2.6.24. */
SYSCALL_DEFINE3(getcpu, uintptr_t, ucpu, uintptr_t, unode, uintptr_t, ucache)
{
	unsigned zero = 0, cpu = this_cpu()->cpu;
	if (ucpu && copy_to_user(ucpu, &cpu, sizeof cpu))
		return -EFAULT;
	if (unode && copy_to_user(unode, &zero, sizeof zero))
		return -EFAULT;
	return 0;
}

/* Does t match (which, who) of getpriority/setpriority? */
static bool prio_match(const struct task *t, int which, int who)
{
	switch (which) {
	case PRIO_PROCESS: return t->tgid == (who ? who : current->tgid);
	case PRIO_PGRP: return t->pgid == (who ? who : current->pgid);
	default: /* PRIO_USER */ return t->uid == (uint32_t)(who ? who : (int)current->uid);
	}
}

/* The raw syscall returns 20 - nice (1..40) so that it is never negative;
 * the C library converts it back. -EINVAL bad which, -ESRCH no match. */
SYSCALL_DEFINE2(getpriority, int, which, int, who)
{
	struct task *t;
	int best = -1;
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	list_for_each_entry(t, &task_list, all_list) {
		if (t->state == TASK_ZOMBIE || !prio_match(t, which, who))
			continue;
		if (20 - t->nice > best)
			best = 20 - t->nice;
	}
	return best < 0 ? -ESRCH : best;
}

SYSCALL_DEFINE3(setpriority, int, which, int, who, int, niceval)
{
	struct task *t;
	bool found = false;
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	if (niceval < -20)
		niceval = -20;
	if (niceval > 19)
		niceval = 19;
	list_for_each_entry(t, &task_list, all_list) {
		if (t->state == TASK_ZOMBIE || !prio_match(t, which, who))
			continue;
		found = true;
		if (niceval < t->nice && current->euid != 0)
			return -EACCES;
		t->nice = niceval;
	}
	return found ? 0 : -ESRCH;
}

/* 0 = the caller; no such task (a negative pid too) is -ESRCH, as Linux's
 * find_process_by_pid(). */
static int check_pid(int pid)
{
	if (pid < 0)
		return -ESRCH;
	struct task *t;

	if (!pid)
		return 0;
	t = task_lookup(pid);
	put_task(t);
	return t ? 0 : -ESRCH;
}

/* [sched_getaffinity(2)]: the task's mask within the CPUs that take tasks
 * (Linux: p->cpus_mask & cpu_active_mask); returns the number of bytes
 * written (the kernel's cpumask size). */
SYSCALL_DEFINE3(sched_getaffinity, int, pid, unsigned, len, uintptr_t, umask)
{
	uint64_t mask;
	struct task *t;

	_Static_assert(sizeof mask == CPUMASK_BYTES, "one word");
	/* Linux checks the size before the pid. */
	if (len < CPUMASK_BYTES || (len & (sizeof(unsigned long) - 1)))
		return -EINVAL;
	if (pid < 0)
		return -ESRCH;
	t = pid ? task_lookup(pid) : get_task(current);
	if (!t)
		return -ESRCH;
	mask = sched_task_allowed(t); /* little-endian bytes: bit n is CPU n */
	put_task(t);
	if (copy_to_user(umask, &mask, sizeof mask))
		return -EFAULT;
	return sizeof mask;
}

/* [sched_setaffinity(2)]: bits beyond the kernel's mask are ignored, as
 * Linux's cpumask copy; -EINVAL if no CPU of the mask takes tasks, -EFAULT,
 * -ESRCH. As Linux, an unprivileged caller may set only its own user's
 * tasks (-EPERM). */
SYSCALL_DEFINE3(sched_setaffinity, int, pid, unsigned, len, uintptr_t, umask)
{
	uint64_t mask = 0;
	struct task *t;
	int r = check_pid(pid);
	if (r)
		return r;
	if (len == 0)
		return -EINVAL;
	if (copy_from_user(&mask, umask, len < sizeof mask ? len : sizeof mask))
		return -EFAULT;
	t = pid ? task_lookup(pid) : get_task(current);
	if (!t)
		return -ESRCH;
	if (current->euid != 0 && current->euid != t->uid && current->euid != t->euid)
		r = -EPERM;
	else
		r = sched_set_affinity(t, (unsigned long)mask & ((1UL << KEVLAR_MAX_CPUS) - 1));
	put_task(t);
	return r;
}

/* The task pid names for the sched_* calls (0 = the caller), with a
 * reference the caller drops with put_task(): -EINVAL for pid < 0, -ESRCH. */
static long sched_target(int pid, struct task **out)
{
	if (pid < 0)
		return -EINVAL;
	*out = pid ? task_lookup(pid) : get_task(current);
	return *out ? 0 : -ESRCH;
}

static bool rt_policy(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

static bool fair_policy(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE;
}

/* Linux __sched_setscheduler() for the policies offered (SCHED_DEADLINE
 * is not: -EINVAL). policy -1 keeps the current one (sched_setparam).
 * EINVAL: unknown policy, a priority outside 1..99 for SCHED_FIFO/RR or
 * not 0 for the others. EPERM for an unprivileged caller: another user's
 * task, or a real-time policy/priority above its RLIMIT_RTPRIO [sched(7)]
 * "Privileges and resource limits". nice: applied to the fair policies
 * when set_nice (sched_setattr). */
static long setscheduler(struct task *t, int policy, int prio, bool reset_on_fork, bool set_nice,
			 int nice)
{
	const struct task *me = current;

	if (policy == -1)
		policy = t->sched_policy;
	if (!rt_policy(policy) && !fair_policy(policy))
		return -EINVAL;
	if (prio < 0 || prio > 99 || rt_policy(policy) != (prio != 0))
		return -EINVAL;
	if (me->euid != 0) {
		uint64_t rlim = t->rlim[RLIMIT_RTPRIO].rlim_cur;
		if (me->euid != t->euid && me->euid != t->uid)
			return -EPERM;
		if (rt_policy(policy)) {
			if (policy != t->sched_policy && !rlim)
				return -EPERM;
			if (prio > t->rt_priority && (uint64_t)prio > rlim)
				return -EPERM;
		}
		if (t->sched_reset_on_fork && !reset_on_fork)
			return -EPERM;
		if (set_nice && fair_policy(policy) && nice < t->nice)
			return -EPERM; /* raising priority: CAP_SYS_NICE (RLIMIT_NICE not modelled) */
	}
	t->sched_policy = policy;
	t->rt_priority = prio;
	t->sched_reset_on_fork = reset_on_fork;
	if (set_nice && fair_policy(policy))
		t->nice = nice;
	return 0;
}

/* [sched_getscheduler(2)]: the policy, with SCHED_RESET_ON_FORK. */
SYSCALL_DEFINE1(sched_getscheduler, int, pid)
{
	struct task *t;
	long r = sched_target(pid, &t);
	if (r)
		return r;
	r = t->sched_policy | (t->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
	put_task(t);
	return r;
}

SYSCALL_DEFINE2(sched_getparam, int, pid, uintptr_t, uparam)
{
	struct task *t;
	long r;

	if (!uparam || pid < 0)
		return -EINVAL;
	int prio;

	r = sched_target(pid, &t);
	if (r)
		return r;
	prio = t->rt_priority;
	put_task(t);
	return copy_to_user(uparam, &prio, sizeof(int)) ? -EFAULT : 0;
}

/* [sched_setscheduler(2)]: SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, and for
 * root (or within RLIMIT_RTPRIO) SCHED_FIFO and SCHED_RR, optionally
 * | SCHED_RESET_ON_FORK. The policy is recorded and reported; there is no
 * priority scheduling yet (every task runs round robin). */
SYSCALL_DEFINE3(sched_setscheduler, int, pid, int, policy, uintptr_t, uparam)
{
	struct task *t;
	int prio;
	long r;

	if (!uparam || pid < 0 || policy < 0)
		return -EINVAL;
	if (copy_from_user(&prio, uparam, sizeof prio))
		return -EFAULT;
	r = sched_target(pid, &t);
	if (r)
		return r;
	r = setscheduler(t, policy & ~SCHED_RESET_ON_FORK, prio,
			 (policy & SCHED_RESET_ON_FORK) != 0, false, 0);
	put_task(t);
	return r;
}

SYSCALL_DEFINE2(sched_setparam, int, pid, uintptr_t, uparam)
{
	struct task *t;
	int prio;
	long r;

	if (!uparam || pid < 0)
		return -EINVAL;
	if (copy_from_user(&prio, uparam, sizeof prio))
		return -EFAULT;
	r = sched_target(pid, &t);
	if (r)
		return r;
	r = setscheduler(t, -1, prio, t->sched_reset_on_fork, false, 0);
	put_task(t);
	return r;
}

/* include/uapi/linux/sched/types.h struct sched_attr. */
struct sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period; /* SCHED_DEADLINE */
	uint32_t sched_util_min, sched_util_max;	      /* SCHED_ATTR_SIZE_VER1 */
};
#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_ATTR_SIZE_VER1 56
_Static_assert(sizeof(struct sched_attr) == SCHED_ATTR_SIZE_VER1, "struct sched_attr");
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_KEEP_POLICY 0x08
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define SCHED_FLAG_UTIL_CLAMP 0x60
#define SCHED_FLAG_ALL 0x7f

/* Linux sched_copy_attr(): size 0 means VER0; below VER0 or above a page
 * is -E2BIG with our size written back; unknown trailing bytes must be 0. */
static long copy_sched_attr(uintptr_t uattr, struct sched_attr *a)
{
	uint32_t size;

	memset(a, 0, sizeof *a);
	if (copy_from_user(&size, uattr, sizeof size))
		return -EFAULT;
	if (!size)
		size = SCHED_ATTR_SIZE_VER0;
	if (size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE)
		goto too_big;
	if (copy_from_user(a, uattr, size < sizeof *a ? size : sizeof *a))
		return -EFAULT;
	for (uint32_t off = sizeof *a; off < size; off++) {
		uint8_t b;
		if (copy_from_user(&b, uattr + off, 1))
			return -EFAULT;
		if (b)
			goto too_big;
	}
	if ((a->sched_flags & SCHED_FLAG_UTIL_CLAMP) && size < SCHED_ATTR_SIZE_VER1)
		return -EINVAL;
	if (a->sched_nice < -20)
		a->sched_nice = -20;
	if (a->sched_nice > 19)
		a->sched_nice = 19;
	return 0;
too_big:
	size = sizeof *a;
	(void)copy_to_user(uattr, &size, sizeof size);
	return -E2BIG;
}

/* [sched_setattr(2)]: flags must be 0; SCHED_DEADLINE and utilization
 * clamping are not offered (-EINVAL, -EOPNOTSUPP as a kernel without
 * CONFIG_UCLAMP_TASK). */
SYSCALL_DEFINE3(sched_setattr, int, pid, uintptr_t, uattr, unsigned, flags)
{
	struct sched_attr a;
	struct task *t;
	int policy;
	long r;

	if (!uattr || pid < 0 || flags)
		return -EINVAL;
	r = copy_sched_attr(uattr, &a);
	if (r)
		return r;
	if ((int)a.sched_policy < 0)
		return -EINVAL;
	r = sched_target(pid, &t);
	if (r)
		return r;
	policy = (a.sched_flags & SCHED_FLAG_KEEP_POLICY) ? -1 : (int)a.sched_policy;
	if (a.sched_flags & SCHED_FLAG_KEEP_PARAMS)
		a.sched_priority = (uint32_t)t->rt_priority;
	if (a.sched_flags & ~(uint64_t)SCHED_FLAG_ALL)
		r = -EINVAL;
	else if (a.sched_flags & SCHED_FLAG_UTIL_CLAMP)
		r = -EOPNOTSUPP;
	else if (a.sched_priority > 99)
		r = -EINVAL;
	else
		r = setscheduler(t, policy, (int)a.sched_priority,
				 (a.sched_flags & SCHED_FLAG_RESET_ON_FORK) != 0, true,
				 a.sched_nice);
	put_task(t);
	return r;
}

/* [sched_getattr(2)]: size between VER0 and a page, flags 0; writes
 * min(size, ours) bytes with .size set to that. */
SYSCALL_DEFINE4(sched_getattr, int, pid, uintptr_t, uattr, unsigned, usize, unsigned, flags)
{
	struct sched_attr a;
	struct task *t;
	long r;

	if (!uattr || pid < 0 || usize > PAGE_SIZE || usize < SCHED_ATTR_SIZE_VER0 || flags)
		return -EINVAL;
	r = sched_target(pid, &t);
	if (r)
		return r;
	memset(&a, 0, sizeof a);
	a.size = usize < sizeof a ? usize : sizeof a;
	a.sched_policy = (uint32_t)t->sched_policy;
	a.sched_flags = t->sched_reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0;
	if (rt_policy(t->sched_policy))
		a.sched_priority = (uint32_t)t->rt_priority;
	else
		a.sched_nice = t->nice;
	put_task(t);
	return copy_to_user(uattr, &a, a.size) ? -EFAULT : 0;
}

SYSCALL_DEFINE1(sched_get_priority_max, int, policy)
{
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return 99;
	if (policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE)
		return 0;
	return -EINVAL;
}

SYSCALL_DEFINE1(sched_get_priority_min, int, policy)
{
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return 1;
	if (policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE)
		return 0;
	return -EINVAL;
}

/* [sched_rr_get_interval(2)]: the round-robin quantum, one tick; 0 for
 * SCHED_FIFO (no time slice), as Linux reports. */
SYSCALL_DEFINE2(sched_rr_get_interval, int, pid, uintptr_t, uts)
{
	struct timespec64 ts = { 0, 1000000000LL / SCHED_HZ };
	struct task *t;
	long r = sched_target(pid, &t);
	if (r)
		return r;
	if (t->sched_policy == SCHED_FIFO)
		ts.tv_nsec = 0;
	put_task(t);
	return copy_to_user(uts, &ts, sizeof ts) ? -EFAULT : 0;
}
