/* Robust futexes: [set_robust_list(2)], [get_robust_list(2)] and the walk
 * of the list when a thread exits. Linux Documentation/locking/
 * robust-futex-ABI.rst, kernel/futex/core.c exit_robust_list().
 *
 * The list lives in user memory: a head { next, futex_offset,
 * list_op_pending } and entries linked through their first word; bit 0 of
 * a link says the entry is a PI futex. At exit every futex on the list (and
 * list_op_pending) whose word holds the dying thread's TID gets
 * FUTEX_OWNER_DIED and one waiter is woken (or, for PI, handed the lock),
 * so the next locker sees EOWNERDEAD. The walk is bounded (a circular or
 * corrupt list cannot hang the exit) and stops at the first fault. */
#include <hal/cpu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/futex.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "futex_internal.h"

/* include/uapi/linux/futex.h: struct robust_list_head, 64-bit layout. */
struct robust_list_head {
	uint64_t next;
	int64_t futex_offset;
	uint64_t list_op_pending;
};
_Static_assert(sizeof(struct robust_list_head) == 24, "struct robust_list_head is 24 bytes");

#define ROBUST_LIST_LIMIT 2048 /* Linux: entries walked at most */

/* [set_robust_list(2)]: EINVAL unless len is the size of the head. The
 * head itself is only read at exit. */
SYSCALL_DEFINE2(set_robust_list, uintptr_t, head, size_t, len)
{
	if (len != sizeof(struct robust_list_head))
		return -EINVAL;
	current->robust_list = head;
	return 0;
}

/* May current read t's robust list? Linux ptrace_may_access(t,
 * PTRACE_MODE_READ_REALCREDS): itself, root, or a task whose real,
 * effective and saved ids all equal the caller's real ones. */
static bool may_access(const struct task *t)
{
	const struct task *me = current;
	if (t->tgid == me->tgid || me->euid == 0)
		return true;
	return t->uid == me->uid && t->euid == me->uid && t->suid == me->uid && t->gid == me->gid &&
	       t->egid == me->gid && t->sgid == me->gid;
}

/* [get_robust_list(2)]: ESRCH for no such thread, EPERM (see above),
 * EFAULT; the length is stored before the head, as Linux does. */
SYSCALL_DEFINE3(get_robust_list, int, pid, uintptr_t, uhead, uintptr_t, ulen)
{
	struct task *t = pid ? task_lookup(pid) : get_task(current);
	uint64_t head = 0, len = sizeof(struct robust_list_head);
	long r = 0;

	if (!t || t->state == TASK_DEAD)
		r = -ESRCH;
	else if (!may_access(t))
		r = -EPERM;
	else
		head = t->robust_list;
	put_task(t);
	if (r)
		return r;
	if (copy_to_user(ulen, &len, sizeof len) || copy_to_user(uhead, &head, sizeof head))
		return -EFAULT;
	return 0;
}

/* Linux handle_futex_death(): the futex at uaddr of the exiting current.
 * pending: it is list_op_pending (the thread died while locking or
 * unlocking it). -1 to stop the walk (fault, bad alignment). */
static int futex_death(uintptr_t uaddr, bool pi, bool pending)
{
	uint32_t val, owner;

	if (futex_get_value(uaddr, &val))
		return -1;
	owner = val & FUTEX_TID_MASK;
	if (pending && !pi && !owner) {
		/* Died right after unlocking: the waiter it meant to wake
		 * may be waiting still. */
		futex_wake(current->mm, uaddr, 1, FUTEX_BITSET_MATCH_ANY);
		return 0;
	}
	if (owner != (uint32_t)current->tid)
		return 0;
	if (pi) {
		paddr_t key = futex_key(current->mm, uaddr);
		if (key)
			return futex_pi_handoff(uaddr, key, FUTEX_OWNER_DIED,
						(val & FUTEX_WAITERS) | FUTEX_OWNER_DIED) ?
				       -1 :
				       0;
		return -1;
	}
	if (futex_put_value(uaddr, (val & FUTEX_WAITERS) | FUTEX_OWNER_DIED))
		return -1;
	if (val & FUTEX_WAITERS)
		futex_wake(current->mm, uaddr, 1, FUTEX_BITSET_MATCH_ANY);
	return 0;
}

static void exit_robust_list(uintptr_t uhead)
{
	struct robust_list_head h;
	uintptr_t entry, pending;
	bool pi, pending_pi;
	unsigned limit = ROBUST_LIST_LIMIT;

	if (copy_from_user(&h, uhead, sizeof h))
		return;
	entry = (uintptr_t)(h.next & ~1ull);
	pi = h.next & 1;
	pending = (uintptr_t)(h.list_op_pending & ~1ull);
	pending_pi = h.list_op_pending & 1;
	while (entry != uhead) {
		uint64_t next;
		int fault = copy_from_user(&next, entry, sizeof next) ? -1 : 0;
		if (entry != pending)
			futex_death(entry + (uintptr_t)h.futex_offset, pi, false);
		if (fault)
			return;
		entry = (uintptr_t)(next & ~1ull);
		pi = next & 1;
		if (!--limit)
			break;
	}
	if (pending)
		futex_death(pending + (uintptr_t)h.futex_offset, pending_pi, true);
}

void futex_exit_release(void)
{
	struct task *t = current;

	if (t->robust_list && t->mm)
		exit_robust_list(t->robust_list);
	t->robust_list = 0;
}
