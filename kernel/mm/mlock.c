/* Memory locking: [mlock(2)], [mlock2(2)], [munlock(2)], [mlockall(2)],
 * [munlockall(2)]. Nothing is ever paged out here, so a lock only marks the
 * areas (VM_LOCKED, counted in /proc/<pid>/status VmLck, checked against
 * RLIMIT_MEMLOCK) and faults their pages in, as Linux's mm/mlock.c does.
 * Root stands for CAP_IPC_LOCK. The areas change under mm->mmap_lock
 * (faulting pages in is a preemption point). */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "mm_internal.h"

#define MLOCK_ONFAULT 0x01
#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

#define VM_LOCK_MASK (VM_LOCKED | VM_LOCKONFAULT)

static bool ipc_lock_capable(void)
{
	return current->euid == 0;
}

static uint64_t memlock_limit(void)
{
	return current->rlim[RLIMIT_MEMLOCK].rlim_cur;
}

/* mm/mlock.c can_do_mlock(): a zero RLIMIT_MEMLOCK forbids locking. */
static bool can_do_mlock(void)
{
	return memlock_limit() != 0 || ipc_lock_capable();
}

/* Bytes of [start, end) already locked. */
static uint64_t locked_in_range(struct mm *mm, vaddr_t start, vaddr_t end)
{
	uint64_t n = 0;

	for (struct vm_area *v = vma_next_from(mm, start); v && v->start < end; v = vma_next(mm, v))
		if (v->flags & VM_LOCKED)
			n += MIN(v->end, end) - MAX(v->start, start);
	return n;
}

/* Is every byte of [start, end) in some area? */
static bool range_mapped(struct mm *mm, vaddr_t start, vaddr_t end)
{
	vaddr_t cur = start;

	for (struct vm_area *v = vma_next_from(mm, start); cur < end; v = vma_next(mm, v)) {
		if (!v || v->start > cur)
			return false;
		cur = v->end;
	}
	return true;
}

/* Fault in a newly locked area. Not the stack: exec reserves its whole
 * area (8 MiB) up front where Linux's grows as used, and faulting in
 * megabytes nobody touched would only cost time (nothing is paged out). */
static void lock_populate(struct mm *mm, struct vm_area *v)
{
	if (!(v->flags & VM_GROWSDOWN))
		mm_populate(mm, v->start, v->end, v->flags);
}

/* Set the lock bits of [start, end) to lock (VM_LOCK_MASK bits), splitting
 * areas at the ends. The range is mapped (checked). 0 or -ENOMEM. */
static int set_lock_flags(struct mm *mm, vaddr_t start, vaddr_t end, unsigned lock)
{
	for (struct vm_area *v = vma_next_from(mm, start); v && v->start < end;
	     v = vma_next(mm, v)) {
		if ((v->flags & VM_LOCK_MASK) == lock || (v->flags & VM_SPECIAL))
			continue;
		if (v->start < start) {
			struct vm_area *n = vma_split(mm, v, start);

			if (!n)
				return -ENOMEM;
			v = n;
		}
		if (v->end > end && !vma_split(mm, v, end))
			return -ENOMEM;
		v->flags = (v->flags & ~(unsigned)VM_LOCK_MASK) | lock;
		if (lock == VM_LOCKED)
			lock_populate(mm, v);
	}
	return 0;
}

/* Page-align the range as mm/mlock.c does: addr rounds down, len up. */
static int lock_range(unsigned long addr, unsigned long len, vaddr_t *start, vaddr_t *end)
{
	unsigned long off = addr & (PAGE_SIZE - 1);

	if (addr + len < addr)
		return -EINVAL;
	if (len > USER_TOP || addr > USER_TOP)
		return -ENOMEM;
	*start = addr - off;
	*end = *start + PAGE_ALIGN_UP(len + off);
	return 0;
}

static long do_mlock(unsigned long addr, unsigned long len, unsigned lock)
{
	struct mm *mm = current->mm;
	vaddr_t start, end;
	int r = lock_range(addr, len, &start, &end);

	if (r)
		return r;
	if (!can_do_mlock())
		return -EPERM;
	if (start == end)
		return 0;
	mm_lock(mm);
	if (!ipc_lock_capable() &&
	    mm_locked_bytes(mm) + (end - start) - locked_in_range(mm, start, end) > memlock_limit())
		r = -ENOMEM;
	else if (!range_mapped(mm, start, end))
		r = -ENOMEM;
	else
		r = set_lock_flags(mm, start, end, lock);
	mm_unlock(mm);
	return r;
}

SYSCALL_DEFINE2(mlock, unsigned long, addr, unsigned long, len)
{
	return do_mlock(addr, len, VM_LOCKED);
}

SYSCALL_DEFINE3(mlock2, unsigned long, addr, unsigned long, len, int, flags)
{
	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(addr, len, VM_LOCKED | ((flags & MLOCK_ONFAULT) ? VM_LOCKONFAULT : 0));
}

SYSCALL_DEFINE2(munlock, unsigned long, addr, unsigned long, len)
{
	struct mm *mm = current->mm;
	vaddr_t start, end;
	int r = lock_range(addr, len, &start, &end);

	if (r)
		return r;
	if (start == end)
		return 0;
	mm_lock(mm);
	r = range_mapped(mm, start, end) ? set_lock_flags(mm, start, end, 0) : -ENOMEM;
	mm_unlock(mm);
	return r;
}

/* Lock (lock != 0) or unlock every area. */
static int set_all(struct mm *mm, unsigned lock)
{
	struct vm_area *v;

	list_for_each_entry(v, &mm->areas, list) {
		if (v->flags & VM_SPECIAL)
			continue;
		v->flags = (v->flags & ~(unsigned)VM_LOCK_MASK) | lock;
		if (lock == VM_LOCKED)
			lock_populate(mm, v);
	}
	return 0;
}

SYSCALL_DEFINE1(mlockall, int, flags)
{
	struct mm *mm = current->mm;
	unsigned lock = VM_LOCKED | ((flags & MCL_ONFAULT) ? VM_LOCKONFAULT : 0);

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	int r = 0;

	if (!can_do_mlock())
		return -EPERM;
	mm_lock(mm);
	if ((flags & MCL_CURRENT) && !ipc_lock_capable() && mm_vsize(mm) > memlock_limit()) {
		r = -ENOMEM;
	} else {
		mm->def_flags = (flags & MCL_FUTURE) ? lock : 0;
		if (flags & MCL_CURRENT)
			r = set_all(mm, lock);
	}
	mm_unlock(mm);
	return r;
}

SYSCALL_DEFINE0(munlockall)
{
	struct mm *mm = current->mm;
	int r;

	mm_lock(mm);
	mm->def_flags = 0;
	r = set_all(mm, 0);
	mm_unlock(mm);
	return r;
}
