/* [membarrier(2)], Linux 6.1 kernel/sched/membarrier.c.
 *
 * A memory barrier on every CPU running a thread of the process (or of
 * the system). One CPU: the other threads are not running while the
 * caller is, and a context switch is a full barrier, so a barrier on the
 * calling CPU is the whole job; with SMP the expedited commands become
 * IPIs to the CPUs running the process's threads.
 *
 * The private expedited commands need a registration first (-EPERM
 * otherwise), remembered in the process (group leader's membarrier_state;
 * Linux keeps it in the mm). Changed only by the process's own threads in
 * process context; one CPU and a non-preemptible kernel make that safe. */
#include <hal/barrier.h>
#include <kernel/errno.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

/* include/uapi/linux/membarrier.h */
#define MEMBARRIER_CMD_QUERY 0
#define MEMBARRIER_CMD_GLOBAL (1 << 0)
#define MEMBARRIER_CMD_GLOBAL_EXPEDITED (1 << 1)
#define MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED (1 << 2)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED (1 << 3)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED (1 << 4)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE (1 << 5)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ (1 << 7)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ (1 << 8)
#define MEMBARRIER_CMD_FLAG_CPU (1 << 0)
#define MEMBARRIER_CMD_BITMASK 0x1ff /* every command above: Linux 6.1 on x86_64 and arm64 */

/* What a process registered for, in membarrier_state. */
#define REG_PRIVATE (1u << 0)
#define REG_SYNC_CORE (1u << 1)
#define REG_RSEQ (1u << 2)
#define REG_GLOBAL (1u << 3)

static long private_expedited(unsigned need)
{
	if (!(current->group_leader->membarrier_state & need))
		return -EPERM;
	hal_mb();
	return 0;
}

static long do_register(unsigned bit)
{
	current->group_leader->membarrier_state |= bit;
	hal_mb();
	return 0;
}

/* [membarrier(2)]: flags must be 0, except MEMBARRIER_CMD_FLAG_CPU with
 * ..._PRIVATE_EXPEDITED_RSEQ (cpu_id: one CPU, nothing else to do). */
SYSCALL_DEFINE3(membarrier, int, cmd, unsigned, flags, int, cpu_id)
{
	if (cmd == MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) {
		if (flags && flags != MEMBARRIER_CMD_FLAG_CPU)
			return -EINVAL;
	} else if (flags) {
		return -EINVAL;
	}
	switch (cmd) {
	case MEMBARRIER_CMD_QUERY: return MEMBARRIER_CMD_BITMASK;
	case MEMBARRIER_CMD_GLOBAL:
	case MEMBARRIER_CMD_GLOBAL_EXPEDITED: hal_mb(); return 0;
	case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED: return do_register(REG_GLOBAL);
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED: return private_expedited(REG_PRIVATE);
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED: return do_register(REG_PRIVATE);
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE: return private_expedited(REG_SYNC_CORE);
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
		return do_register(REG_SYNC_CORE | REG_PRIVATE); /* implies the plain one */
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ: return private_expedited(REG_RSEQ);
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ:
		return do_register(REG_RSEQ | REG_PRIVATE);
	default: return -EINVAL;
	}
}
