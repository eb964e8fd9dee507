/* The vm_area list of an address space: lookup, insertion, splitting,
 * removal with page freeing, free-range search, and the anon_shared
 * objects behind MAP_SHARED | MAP_ANONYMOUS areas. Areas are sorted by
 * start, never overlap, and are page aligned; adjacent areas are not
 * merged (except by mm_brk, which grows the heap area in place).
 */
#include <hal/frame.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/vfs.h>

#include "mm_internal.h"

struct vm_area *vma_find(struct mm *mm, vaddr_t addr)
{
	struct vm_area *v;

	list_for_each_entry(v, &mm->areas, list) {
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

struct vm_area *vma_next_from(struct mm *mm, vaddr_t addr)
{
	struct vm_area *v;

	list_for_each_entry(v, &mm->areas, list) {
		if (v->end > addr)
			return v;
	}
	return NULL;
}

struct vm_area *vma_next(struct mm *mm, struct vm_area *v)
{
	return v->list.next == &mm->areas ? NULL : list_entry(v->list.next, struct vm_area, list);
}

struct vm_area *vma_prev(struct mm *mm, struct vm_area *v)
{
	return v->list.prev == &mm->areas ? NULL : list_entry(v->list.prev, struct vm_area, list);
}

struct vm_area *vma_alloc(vaddr_t start, vaddr_t end, unsigned flags, struct file *file,
			  off_t file_off, uint64_t file_size)
{
	struct vm_area *v = kzalloc(sizeof(*v));

	if (!v)
		return NULL;
	list_init(&v->list);
	v->start = start;
	v->end = end;
	v->flags = flags;
	v->file = file;
	v->file_off = file_off;
	v->file_size = file ? file_size : 0;
	if (file)
		fget(file);
	return v;
}

void vma_insert(struct mm *mm, struct vm_area *n)
{
	struct vm_area *v;

	list_for_each_entry(v, &mm->areas, list) {
		if (v->start >= n->end) {
			list_add_tail(&n->list, &v->list); /* before v */
			return;
		}
	}
	list_add_tail(&n->list, &mm->areas);
}

struct anon_shared *anon_shared_create(uint64_t nr_pages)
{
	struct anon_shared *a;

	if (nr_pages > (SIZE_MAX - sizeof(*a)) / sizeof(a->pages[0]))
		return NULL;
	a = kzalloc(sizeof(*a) + nr_pages * sizeof(a->pages[0]));
	if (!a)
		return NULL;
	a->nr_pages = nr_pages;
	return a;
}

void vma_set_anon(struct vm_area *v, struct anon_shared *a)
{
	v->anon = a;
	__atomic_fetch_add(&a->refcount, 1, __ATOMIC_RELAXED); /* mms of forked copies too */
}

/* Drop an area's reference to its shared object; the last one drops the
 * object's own reference to every frame (mappings hold their own). */
void anon_shared_put(struct anon_shared *a)
{
	KASSERT(__atomic_load_n(&a->refcount, __ATOMIC_RELAXED) > 0);
	if (__atomic_sub_fetch(&a->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	for (uint64_t i = 0; i < a->nr_pages; i++)
		frame_free(a->pages[i], 0);
	kfree(a);
}

void vma_destroy(struct vm_area *v)
{
	list_del(&v->list);
	if (v->file)
		fput(v->file);
	if (v->anon)
		anon_shared_put(v->anon);
	kfree(v);
}

struct vm_area *vma_split(struct mm *mm, struct vm_area *v, vaddr_t at)
{
	uint64_t lower = at - v->start;
	struct vm_area *n;

	KASSERT(at > v->start && at < v->end && !(at & (PAGE_SIZE - 1)));
	n = vma_alloc(at, v->end, v->flags, v->file, v->file_off + (off_t)lower,
		      v->file_size > lower ? v->file_size - lower : 0);
	if (!n)
		return NULL;
	n->special = v->special;
	if (v->anon)
		vma_set_anon(n, v->anon);
	if (v->file_size > lower)
		v->file_size = lower;
	v->end = at;
	list_add(&n->list, &v->list); /* right after v */
	(void)mm;
	return n;
}

struct zap_ctx {
	struct mm *mm;
	bool special;
};

/* hal_unmap_range callback: drop the mapping's frame reference; stop at a
 * preemption point. */
static int zap_page(void *arg, vaddr_t va, paddr_t pa, unsigned prot)
{
	struct zap_ctx *z = arg;

	(void)va;
	(void)prot;
	if (!z->special) {
		frame_free(pa, 0);
		if (z->mm->rss_pages)
			z->mm->rss_pages--;
	}
	return need_resched && mm_may_yield(z->mm);
}

void vma_zap(struct mm *mm, struct vm_area *v, vaddr_t start, vaddr_t end)
{
	struct zap_ctx z = { mm, (v->flags & VM_SPECIAL) != 0 };
	/* Teardown (no users left): hal_aspace_destroy() frees every table. */
	unsigned flags = mm_users(mm) ? 0 : HAL_UNMAP_KEEP_TABLES;

	if (!mm->rss_pages && !(v->flags & VM_SPECIAL))
		return; /* nothing was ever faulted in */
	while (start < end) {
		start = hal_unmap_range(mm->as, start, end, flags, zap_page, &z);
		if (start < end)
			cond_resched();
	}
}

int vma_remove_range(struct mm *mm, vaddr_t start, vaddr_t end)
{
	struct vm_area *v = vma_next_from(mm, start);

	while (v && v->start < end) {
		vaddr_t v_end;

		if (v->start < start) {
			/* Keep the lower part; continue with the upper one. */
			if (!vma_split(mm, v, start))
				return -ENOMEM;
			v = vma_next(mm, v);
			continue;
		}
		if (v->end > end && !vma_split(mm, v, end))
			return -ENOMEM;
		/* Unlinked first: a fault (of another thread, while the zap
		 * yields) finds no area there any more. */
		v_end = v->end;
		list_del(&v->list);
		vma_zap(mm, v, v->start, v->end);
		vma_destroy(v);
		v = vma_next_from(mm, v_end);
	}
	return 0;
}

bool vma_range_free(struct mm *mm, vaddr_t start, vaddr_t end)
{
	struct vm_area *v = vma_next_from(mm, start);

	return !v || v->start >= end;
}

vaddr_t vma_find_free(struct mm *mm, size_t len)
{
	vaddr_t top = mm->mmap_base, low = USER_BASE;
	struct list_head *pos;

	if (len > top - USER_BASE)
		return 0;
	/* Top-down: walk areas from the highest, tracking the gap below top. */
	for (pos = mm->areas.prev; pos != &mm->areas; pos = pos->prev) {
		struct vm_area *v = list_entry(pos, struct vm_area, list);

		if (v->start >= top)
			continue;
		if (v->end <= top && top - v->end >= len)
			return top - len;
		top = v->start;
		if (top < USER_BASE + len)
			break;
	}
	if (top >= USER_BASE + len && vma_range_free(mm, top - len, top))
		return top - len;
	/* Bottom-up above mmap_base (below the stack and the trampoline). */
	low = mm->mmap_base;
	for (;;) {
		struct vm_area *v = vma_next_from(mm, low);

		if (low > USER_TOP || USER_TOP - low < len)
			return 0;
		if (!v || v->start >= low + len)
			return low;
		low = v->end;
	}
}

unsigned vma_hal_prot(unsigned vm_flags)
{
	unsigned p = HAL_PROT_USER;

	if (vm_flags & VM_READ)
		p |= HAL_PROT_READ;
	if (vm_flags & VM_WRITE)
		p |= HAL_PROT_WRITE | HAL_PROT_READ; /* no write-only pages on x86/arm64 */
	if (vm_flags & VM_EXEC)
		p |= HAL_PROT_EXEC;
	return p;
}
