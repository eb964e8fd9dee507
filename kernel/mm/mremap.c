/* [mremap(2)]: shrink in place, grow in place when the pages above are
 * free, otherwise (MREMAP_MAYMOVE) move the area: the frames themselves
 * move to the new addresses, nothing is copied. MREMAP_FIXED moves to
 * new_addr, replacing what was there. MREMAP_DONTUNMAP and the
 * old_len == 0 duplication of shared mappings are not supported (-EINVAL).
 */
#include <hal/frame.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "mm_internal.h"

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

struct move_ctx {
	struct mm *mm;
	vaddr_t from, to;
};

/* hal_unmap_range callback: map the page just unmapped at from at its new
 * address. The destination is free, so only page-table memory can run
 * out; then the page's contents are dropped (it reads as zero again),
 * which is better than failing half-way. */
static int move_page(void *arg, vaddr_t va, paddr_t pa, unsigned prot)
{
	struct move_ctx *m = arg;

	if (hal_map_page(m->mm->as, va - m->from + m->to, pa, prot)) {
		frame_free(pa, 0);
		m->mm->rss_pages--;
	}
	return need_resched && mm_may_yield(m->mm);
}

/* Move the pages and the area [v->start, v->end) to start at to. The
 * destination range must be free. One range walk: its cost follows the
 * pages present, not the size of the area. */
static void move_area(struct mm *mm, struct vm_area *v, vaddr_t to)
{
	vaddr_t len = v->end - v->start;
	struct move_ctx m = { mm, v->start, to };

	for (vaddr_t va = v->start; mm->rss_pages && va < v->end;) {
		va = hal_unmap_range(mm->as, va, v->end, 0, move_page, &m);
		if (va < v->end)
			cond_resched();
	}
	list_del(&v->list);
	v->start = to;
	v->end = to + len;
	vma_insert(mm, v);
}

static long mremap_locked(struct mm *mm, unsigned long old_addr, unsigned long old_len,
			  unsigned long new_len, unsigned long flags, unsigned long new_addr);

SYSCALL_DEFINE5(mremap, unsigned long, old_addr, unsigned long, old_len, unsigned long, new_len,
		unsigned long, flags, unsigned long, new_addr)
{
	struct mm *mm = current->mm;
	long r;

	mm_lock(mm);
	r = mremap_locked(mm, old_addr, old_len, new_len, flags, new_addr);
	mm_unlock(mm);
	return r;
}

static long mremap_locked(struct mm *mm, unsigned long old_addr, unsigned long old_len,
			  unsigned long new_len, unsigned long flags, unsigned long new_addr)
{
	struct vm_area *v, *next;
	vaddr_t to;

	if ((old_addr & (PAGE_SIZE - 1)) ||
	    (flags & ~(unsigned long)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) || !new_len || !old_len)
		return -EINVAL;
	if (old_len > USER_TOP || new_len > USER_TOP)
		return -ENOMEM;
	old_len = PAGE_ALIGN_UP(old_len);
	new_len = PAGE_ALIGN_UP(new_len);
	/* The old range must lie inside one area [mremap(2) EFAULT]. */
	v = vma_find(mm, old_addr);
	if (!v || old_addr + old_len > v->end || (v->flags & VM_SPECIAL))
		return -EFAULT;

	if (flags & MREMAP_FIXED) {
		if ((new_addr & (PAGE_SIZE - 1)) || new_addr < USER_BASE ||
		    new_addr > USER_TOP - new_len)
			return -EINVAL;
		/* The ranges must not overlap. */
		if (new_addr < old_addr + old_len && old_addr < new_addr + new_len)
			return -EINVAL;
		if (vma_remove_range(mm, new_addr, new_addr + new_len))
			return -ENOMEM;
		v = vma_find(mm, old_addr);
		if (!v)
			return -EFAULT;
		to = new_addr;
		goto move;
	}
	if (new_len <= old_len) {
		if (new_len < old_len &&
		    vma_remove_range(mm, old_addr + new_len, old_addr + old_len))
			return -ENOMEM;
		return (long)old_addr;
	}
	/* Grow in place: the range must end the area and be followed by a gap. */
	next = vma_next(mm, v);
	if (old_addr + old_len == v->end && old_addr <= USER_TOP - new_len &&
	    (!next || next->start >= old_addr + new_len)) {
		if (v->file && v->file_size >= v->end - v->start)
			v->file_size += new_len - old_len;
		v->end = old_addr + new_len;
		return (long)old_addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	to = vma_find_free(mm, new_len);
	if (!to)
		return -ENOMEM;
move:
	/* Isolate [old_addr, old_addr + old_len) as its own area. */
	if (v->start < old_addr) {
		v = vma_split(mm, v, old_addr);
		if (!v)
			return -ENOMEM;
	}
	if (v->end > old_addr + old_len && !vma_split(mm, v, old_addr + old_len))
		return -ENOMEM;
	move_area(mm, v, to);
	/* Then size it as asked. */
	if (new_len < old_len) {
		vma_remove_range(mm, to + new_len, to + old_len);
	} else if (new_len > old_len) {
		if (v->file && v->file_size >= old_len)
			v->file_size += new_len - old_len;
		v->end = to + new_len;
	}
	return (long)to;
}
