/* Shared anonymous objects handed out to System V shared memory
 * (kernel/ipc/shm.c): the same struct anon_shared a MAP_SHARED |
 * MAP_ANONYMOUS mapping uses, created and held by the segment and mapped
 * by shmat(2). Contract in <kernel/mm.h>. */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/printk.h>

#include "mm_internal.h"

struct anon_shared *mm_shared_create(uint64_t nr_pages)
{
	struct anon_shared *a = anon_shared_create(nr_pages);

	if (a)
		__atomic_store_n(&a->refcount, 1, __ATOMIC_RELAXED);
	return a;
}

void mm_shared_put(struct anon_shared *a)
{
	anon_shared_put(a);
}

/* mm_map() makes an object of its own for a shared anonymous area; swap
 * it for a before anything can touch it (under mm->mmap_lock, so no
 * sibling thread's fault or munmap comes in between). */
long mm_map_shared(struct mm *mm, vaddr_t addr, size_t len, unsigned prot, bool fixed,
		   struct anon_shared *a)
{
	long r;
	struct vm_area *v;

	mm_lock(mm);
	r = mm_map_locked(mm, addr, len, prot, MAP_SHARED | MAP_ANONYMOUS | (fixed ? MAP_FIXED : 0),
			  NULL, 0, 0);
	if (r < 0)
		goto out;
	v = vma_find(mm, (vaddr_t)r);
	KASSERT(v && v->anon && v->start == (vaddr_t)r);
	anon_shared_put(v->anon);
	v->anon = NULL;
	vma_set_anon(v, a);
	v->file_off = 0;
	if (v->flags & VM_LOCKED) {
		/* mlockall(MCL_FUTURE) faulted the first object's pages in. */
		vma_zap(mm, v, v->start, v->end);
		if (!(v->flags & VM_LOCKONFAULT))
			mm_populate(mm, v->start, v->end, v->flags);
	}
out:
	mm_unlock(mm);
	return r;
}

struct anon_shared *mm_shared_at(struct mm *mm, vaddr_t addr)
{
	struct vm_area *v;
	struct anon_shared *a;

	mm_lock(mm);
	v = vma_find(mm, addr);
	a = v && v->start == addr && v->file_off == 0 ? v->anon : NULL;
	mm_unlock(mm);
	return a;
}

/* Only the areas of the attachment at addr: offsets continuing from 0 at
 * addr, within the object's size (as Linux's shmdt() checks vm_pgoff), so
 * an adjacent attachment of the same object stays. */
void mm_unmap_shared(struct mm *mm, vaddr_t addr, struct anon_shared *a)
{
	vaddr_t limit = addr + a->nr_pages * PAGE_SIZE;
	struct vm_area *v;

	mm_lock(mm);
	v = vma_find(mm, addr);
	while (v && v->anon == a && v->end <= limit && (vaddr_t)v->file_off == v->start - addr) {
		struct vm_area *next = vma_next(mm, v);
		vaddr_t start = v->start, end = v->end;

		vma_remove_range(mm, start, end);
		v = next && next->start == end ? next : NULL;
	}
	mm_unlock(mm);
}

bool mm_range_in_use(struct mm *mm, vaddr_t addr, size_t len)
{
	bool used;

	if (addr < USER_BASE || addr > USER_TOP || len > USER_TOP - addr)
		return true;
	mm_lock(mm);
	used = !vma_range_free(mm, addr, addr + len);
	mm_unlock(mm);
	return used;
}
