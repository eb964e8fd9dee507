/* Scheduling syscalls. One CPU and one policy (SCHED_OTHER round robin), so
 * these report that truthfully: CPU 0 only, nice stored but not used.
 * [sched_yield(2)], [getcpu(2)], [getpriority(2)], [sched_setaffinity(2)],
 * [sched_setscheduler(2)], [sched_get_priority_max(2)]. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/vfs.h>

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

SYSCALL_DEFINE3(getcpu, uintptr_t, ucpu, uintptr_t, unode, uintptr_t, ucache)
{
	unsigned zero = 0;
	if (ucpu && copy_to_user(ucpu, &zero, sizeof zero))
		return -EFAULT;
	if (unode && copy_to_user(unode, &zero, sizeof zero))
		return -EFAULT;
	return 0;
}

/* Does t match (which, who) of getpriority/setpriority? */
static bool prio_match(const struct task *t, int which, int who)
{
	switch (which) {
	case PRIO_PROCESS:
		return t->tgid == (who ? who : current->tgid);
	case PRIO_PGRP:
		return t->pgid == (who ? who : current->pgid);
	default: /* PRIO_USER */
		return t->uid == (uint32_t)(who ? who : (int)current->uid);
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

static int check_pid(int pid)
{
	if (pid < 0)
		return -EINVAL;
	if (pid && !task_lookup(pid))
		return -ESRCH;
	return 0;
}

/* Returns the number of bytes written (the kernel's cpumask size). */
SYSCALL_DEFINE3(sched_getaffinity, int, pid, unsigned, len, uintptr_t, umask)
{
	uint8_t mask[CPUMASK_BYTES] = { 1 };
	int r = check_pid(pid);
	if (r)
		return r;
	if (len < CPUMASK_BYTES || (len & (sizeof(unsigned long) - 1)))
		return -EINVAL;
	if (copy_to_user(umask, mask, sizeof mask))
		return -EFAULT;
	return sizeof mask;
}

/* Accepted if the mask includes CPU 0 (the only one), else -EINVAL. */
SYSCALL_DEFINE3(sched_setaffinity, int, pid, unsigned, len, uintptr_t, umask)
{
	uint8_t b = 0;
	int r = check_pid(pid);
	if (r)
		return r;
	if (len == 0)
		return -EINVAL;
	if (copy_from_user(&b, umask, 1))
		return -EFAULT;
	return (b & 1) ? 0 : -EINVAL;
}

SYSCALL_DEFINE1(sched_getscheduler, int, pid)
{
	int r = check_pid(pid);
	return r ? r : SCHED_OTHER;
}

SYSCALL_DEFINE2(sched_getparam, int, pid, uintptr_t, uparam)
{
	int prio = 0;
	int r = check_pid(pid);
	if (r)
		return r;
	if (!uparam)
		return -EINVAL;
	return copy_to_user(uparam, &prio, sizeof prio) ? -EFAULT : 0;
}

static int check_policy_param(int policy, uintptr_t uparam)
{
	int prio;
	if (!uparam)
		return -EINVAL;
	if (copy_from_user(&prio, uparam, sizeof prio))
		return -EFAULT;
	policy &= ~SCHED_RESET_ON_FORK;
	if (policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE)
		return prio == 0 ? 0 : -EINVAL;
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return (prio < 1 || prio > 99) ? -EINVAL : -EPERM; /* real-time: not offered */
	return -EINVAL;
}

SYSCALL_DEFINE3(sched_setscheduler, int, pid, int, policy, uintptr_t, uparam)
{
	int r = check_pid(pid);
	return r ? r : check_policy_param(policy, uparam);
}

SYSCALL_DEFINE2(sched_setparam, int, pid, uintptr_t, uparam)
{
	int r = check_pid(pid);
	return r ? r : check_policy_param(SCHED_OTHER, uparam);
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

/* The round-robin quantum: one tick. */
SYSCALL_DEFINE2(sched_rr_get_interval, int, pid, uintptr_t, uts)
{
	struct timespec64 ts = { 0, 1000000000LL / SCHED_HZ };
	int r = check_pid(pid);
	if (r)
		return r;
	return copy_to_user(uts, &ts, sizeof ts) ? -EFAULT : 0;
}
