/* User address spaces: creation, fork, teardown, and the mapping
 * operations behind mmap(2), munmap(2), mprotect(2) and brk(2).
 * Linux semantics: [mmap(2)], [munmap(2)], [mprotect(2)], [brk(2)].
 *
 * Pages are populated lazily by mm_handle_fault() (fault.c). A page of a
 * private area is a frame of its own mm; a page of a VM_SHARED area is a
 * frame of the file or anon_shared object, mapped with a frame reference
 * (frame_get) per mapping; the signal trampoline and the vDSO
 * (VM_SPECIAL, special.c) are the HAL's frames. A read-only private file
 * area maps the file's own frames (file_frames.c). fork copies present
 * private pages eagerly (no copy-on-write yet) and maps shared pages and
 * file frames again in the child.
 */
#include <hal/context.h>
#include <hal/frame.h>
#include <hal/mmu.h>
#include <hal/upcall.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/task.h>
#include <kernel/vfs.h>

#include <string.h>

#include "mm_internal.h"

static unsigned prot_to_vm(unsigned prot)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

struct mm *mm_create(bool randomize, uint64_t stack_rlimit)
{
	struct mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	mm->as = hal_aspace_create();
	if (!mm->as) {
		kfree(mm);
		return NULL;
	}
	list_init(&mm->areas);
	mutex_init(&mm->mmap_lock, "mmap_lock");
	mm_layout(mm, randomize, stack_rlimit);
	mm->refcount = 1;
	/* Trampoline, vDSO: VM_SPECIAL areas, faulted in on first use. */
	if (mm_map_specials(mm)) {
		mm_put(mm);
		return NULL;
	}
	return mm;
}

void mm_lock(struct mm *mm)
{
	mutex_lock(&mm->mmap_lock);
}

void mm_unlock(struct mm *mm)
{
	mutex_unlock(&mm->mmap_lock);
}

bool mm_may_yield(const struct mm *mm)
{
	return need_resched && (mm_users(mm) == 0 || mm->mmap_lock.owner == current);
}

void mm_get(struct mm *mm)
{
	__atomic_fetch_add(&mm->refcount, 1, __ATOMIC_RELAXED);
}

unsigned mm_users(const struct mm *mm)
{
	return __atomic_load_n(&mm->refcount, __ATOMIC_RELAXED);
}

void mm_cond_resched(struct mm *mm)
{
	if (mm_may_yield(mm))
		cond_resched();
}

#define COPY_YIELD 1 /* copy_page: stopped at a preemption point */

struct copy_ctx {
	struct mm *dst, *src;
	struct vm_area *v;
	vaddr_t next; /* where a stopped walk goes on */
};

/* hal_walk_range callback for fork: one present page of the parent's area. */
static int copy_page(void *arg, vaddr_t va, paddr_t pa, unsigned prot)
{
	struct copy_ctx *c = arg;
	struct vm_area *v = c->v;
	paddr_t npa;

	if (v->flags & VM_SPECIAL)
		return hal_map_page(c->dst->as, va, pa, prot) ? -ENOMEM : 0;
	if ((v->flags & VM_SHARED) || vma_is_file_frame(v, va, pa)) {
		if (frame_get(pa))
			return -ENOMEM;
		npa = pa;
	} else {
		npa = frame_alloc(0);
		if (!npa)
			return -ENOMEM;
		frame_copy(npa, pa);
	}
	if (hal_map_page(c->dst->as, va, npa, prot)) {
		frame_free(npa, 0);
		return -ENOMEM;
	}
	c->dst->rss_pages++;
	c->next = va + PAGE_SIZE;
	return need_resched && mm_may_yield(c->src) ? COPY_YIELD : 0;
}

/* Copy (private) or share (VM_SHARED, file frames) the present pages of v
 * from src to dst. 0 or -ENOMEM. */
static int copy_area_pages(struct mm *dst, struct mm *src, struct vm_area *v)
{
	struct copy_ctx c = { dst, src, v, v->start };
	int r;

	if (!src->rss_pages && !(v->flags & VM_SPECIAL))
		return 0;
	while ((r = hal_walk_range(src->as, c.next, v->end, copy_page, &c)) == COPY_YIELD)
		cond_resched();
	return r;
}

static struct mm *mm_fork_locked(struct mm *src);

struct mm *mm_fork(struct mm *src)
{
	struct mm *dst;

	mm_lock(src);
	dst = mm_fork_locked(src);
	mm_unlock(src);
	return dst;
}

static struct mm *mm_fork_locked(struct mm *src)
{
	struct mm *dst = kzalloc(sizeof(*dst));
	struct vm_area *v;

	if (!dst)
		return NULL;
	dst->as = hal_aspace_create();
	if (!dst->as) {
		kfree(dst);
		return NULL;
	}
	list_init(&dst->areas);
	mutex_init(&dst->mmap_lock, "mmap_lock");
	dst->brk_start = src->brk_start;
	dst->brk = src->brk;
	dst->mmap_base = src->mmap_base;
	dst->stack_top = src->stack_top;
	dst->arg_start = src->arg_start;
	dst->arg_end = src->arg_end;
	dst->env_start = src->env_start;
	dst->env_end = src->env_end;
	dst->vdso_base = src->vdso_base;
	dst->sigreturn = src->sigreturn;
	dst->exe_file = src->exe_file;
	if (dst->exe_file)
		fget(dst->exe_file);
	memcpy(dst->saved_auxv, src->saved_auxv, sizeof(dst->saved_auxv));
	dst->refcount = 1;
	list_for_each_entry(v, &src->areas, list) {
		/* Memory locks are not inherited [mlock(2)]. */
		struct vm_area *n = vma_alloc(v->start, v->end,
					      v->flags & ~(unsigned)(VM_LOCKED | VM_LOCKONFAULT),
					      v->file, v->file_off, v->file_size);

		if (!n)
			goto fail;
		n->special = v->special;
		if (v->anon)
			vma_set_anon(n, v->anon);
		list_add_tail(&n->list, &dst->areas); /* same order */
		if (copy_area_pages(dst, src, n))
			goto fail;
	}
	return dst;
fail:
	mm_put(dst);
	return NULL;
}

void mm_put(struct mm *mm)
{
	if (!mm)
		return;
	KASSERT(mm_users(mm) > 0);
	if (__atomic_sub_fetch(&mm->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	while (!list_empty(&mm->areas)) {
		struct vm_area *v = list_first_entry(&mm->areas, struct vm_area, list);

		vma_zap(mm, v, v->start, v->end);
		vma_destroy(v);
	}
	fput(mm->exe_file);
	hal_aspace_destroy(mm->as);
	kfree(mm);
}

void mm_activate(struct mm *mm)
{
	hal_aspace_switch(mm ? mm->as : NULL);
}

uint64_t mm_vsize(const struct mm *mm)
{
	const struct vm_area *v;
	uint64_t n = 0;

	list_for_each_entry(v, &mm->areas, list) {
		if (!(v->flags & VM_SPECIAL))
			n += v->end - v->start;
	}
	return n;
}

uint64_t mm_locked_bytes(const struct mm *mm)
{
	const struct vm_area *v;
	uint64_t n = 0;

	list_for_each_entry(v, &mm->areas, list) {
		if ((v->flags & VM_LOCKED) && !(v->flags & VM_SPECIAL))
			n += v->end - v->start;
	}
	return n;
}

/* Fault in every page of [start, end) (MAP_POPULATE, mlock); errors
 * ignored, as Linux does. */
void mm_populate(struct mm *mm, vaddr_t start, vaddr_t end, unsigned vm_flags)
{
	unsigned access = vm_flags & VM_WRITE ? HAL_FAULT_WRITE : HAL_FAULT_READ;

	if (!(vm_flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return;
	for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
		if (mm_fault_locked(mm, va, access))
			break;
		mm_cond_resched(mm);
	}
}

/* A data mapping: private, writable, not a stack (Linux's
 * is_data_mapping(): (flags & (VM_WRITE | VM_SHARED | VM_STACK)) ==
 * VM_WRITE, VM_STACK being VM_GROWSDOWN there). */
static bool is_data_area(unsigned flags)
{
	return (flags & (VM_WRITE | VM_SHARED | VM_STACK | VM_GROWSDOWN)) == VM_WRITE;
}

/* May the data mappings grow by [start, end) with flags, the part of the
 * existing data areas inside [start, end) being replaced? RLIMIT_DATA
 * bounds them all, the heap included ([getrlimit(2)] RLIMIT_DATA; Linux
 * mm/mmap.c may_expand_vm(), with its allowance for Valgrind: a soft
 * limit of 0 lets a program reach the hard one). The areas are counted
 * only when the limit is finite. */
static bool may_expand_data(struct mm *mm, unsigned flags, vaddr_t start, vaddr_t end)
{
	const struct rlimit64 *r = current ? &current->rlim[RLIMIT_DATA] : NULL;
	uint64_t data = end - start;
	struct vm_area *v;
	static bool warned;

	if (!r || r->rlim_cur == RLIM_INFINITY || !is_data_area(flags))
		return true;
	list_for_each_entry(v, &mm->areas, list) {
		vaddr_t s = v->start, e = v->end;

		if (!is_data_area(v->flags))
			continue;
		data += e - s;
		if (s < end && e > start) /* the overlap is replaced, not added */
			data -= MIN(e, end) - MAX(s, start);
	}
	if (data <= r->rlim_cur)
		return true;
	if (r->rlim_cur == 0 && data <= r->rlim_max)
		return true;
	if (!warned) {
		warned = true;
		pr_warn("%s (%d): VmData %llu exceed data ulimit %llu. Update limits.\n",
			current->comm, current->tid, (unsigned long long)data,
			(unsigned long long)r->rlim_cur);
	}
	return false;
}

long mm_map_locked(struct mm *mm, vaddr_t addr, size_t len, unsigned prot, unsigned flags,
		   struct file *file, off_t file_off, uint64_t file_size)
{
	unsigned vm_flags = prot_to_vm(prot);
	struct vm_area *v;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);

	if (!len || (file_off & (PAGE_SIZE - 1)) || file_off < 0)
		return -EINVAL;
	if (len > USER_TOP)
		return -ENOMEM;
	len = PAGE_ALIGN_UP(len);
	if ((flags & MAP_SHARED) && !(flags & MAP_PRIVATE))
		vm_flags |= VM_SHARED;
	/* A shared file mapping may become writable only if stores can reach
	 * the file: opened for writing, and the file system maps its own
	 * frames (get_page). Private and anonymous mappings always may. */
	if (!(vm_flags & VM_SHARED) || !file ||
	    ((file->flags & O_ACCMODE) == O_RDWR && file->f_op && file->f_op->get_page))
		vm_flags |= VM_MAYWRITE;
	if (flags & MAP_GROWSDOWN)
		vm_flags |= VM_GROWSDOWN;
	if (fixed) {
		if (addr & (PAGE_SIZE - 1))
			return -EINVAL;
		if (addr < USER_BASE)
			return -EPERM; /* below mmap_min_addr [mmap(2) EPERM] */
		if (addr > USER_TOP || len > USER_TOP - addr)
			return -ENOMEM;
		if (!may_expand_data(mm, vm_flags, addr, addr + len))
			return -ENOMEM; /* before the old mapping is gone, as Linux */
		if (!vma_range_free(mm, addr, addr + len)) {
			if (!(flags & MAP_FIXED))
				return -EEXIST; /* MAP_FIXED_NOREPLACE */
			if (vma_remove_range(mm, addr, addr + len))
				return -ENOMEM;
		}
	} else {
		addr = PAGE_ALIGN_DOWN(addr);
		if (!addr || addr < USER_BASE || addr > USER_TOP || len > USER_TOP - addr ||
		    !vma_range_free(mm, addr, addr + len))
			addr = vma_find_free(mm, len);
		if (!addr || !may_expand_data(mm, vm_flags, addr, addr + len))
			return -ENOMEM;
	}
	v = vma_alloc(addr, addr + len, vm_flags, file, file_off, file ? file_size : 0);
	if (!v)
		return -ENOMEM;
	if ((vm_flags & VM_SHARED) && !file) {
		struct anon_shared *a = anon_shared_create(len >> PAGE_SHIFT);

		if (!a) {
			vma_destroy(v);
			return -ENOMEM;
		}
		vma_set_anon(v, a);
		v->file_off = 0;
	}
	v->flags |= mm->def_flags; /* mlockall(MCL_FUTURE) */
	vma_insert(mm, v);
	if ((flags & MAP_POPULATE) || (v->flags & (VM_LOCKED | VM_LOCKONFAULT)) == VM_LOCKED)
		mm_populate(mm, addr, addr + len, v->flags);
	return (long)addr;
}

long mm_map(struct mm *mm, vaddr_t addr, size_t len, unsigned prot, unsigned flags,
	    struct file *file, off_t file_off, uint64_t file_size)
{
	long r;

	mm_lock(mm);
	r = mm_map_locked(mm, addr, len, prot, flags, file, file_off, file_size);
	mm_unlock(mm);
	return r;
}

int mm_unmap(struct mm *mm, vaddr_t addr, size_t len)
{
	int r;
	if ((addr & (PAGE_SIZE - 1)) || !len || addr < USER_BASE || addr > USER_TOP ||
	    len > USER_TOP - addr)
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	mm_lock(mm);
	r = vma_remove_range(mm, addr, addr + len) ? -ENOMEM : 0;
	mm_unlock(mm);
	return r;
}

/* hal_protect_range callback: stop at a preemption point. */
static int reprotect_yield(void *arg, vaddr_t va, paddr_t pa, unsigned prot)
{
	(void)va;
	(void)pa;
	(void)prot;
	return need_resched && mm_may_yield(arg);
}

static int mm_protect_locked(struct mm *mm, vaddr_t addr, size_t len, unsigned prot)
{
	vaddr_t end, cur;
	struct vm_area *v;
	unsigned vm_new = prot_to_vm(prot);

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!len)
		return 0;
	if (len > USER_TOP)
		return -ENOMEM;
	len = PAGE_ALIGN_UP(len);
	end = addr + len;
	if (addr < USER_BASE || end > USER_TOP || end < addr)
		return -ENOMEM;
	/* The whole range must be mapped [mprotect(2) ENOMEM]. */
	for (cur = addr, v = vma_next_from(mm, addr); cur < end; v = vma_next(mm, v)) {
		if (!v || v->start > cur)
			return -ENOMEM;
		if (v->flags & VM_SPECIAL)
			return -EINVAL;
		/* A shared file mapping of a file not open for writing (or a
		 * read-only snapshot) cannot become writable [mprotect(2)]. */
		if ((prot & PROT_WRITE) && !(v->flags & VM_MAYWRITE))
			return -EACCES;
		/* An area turning into data is charged to RLIMIT_DATA
		 * (mprotect_fixup()'s may_expand_vm()). */
		unsigned nf = (v->flags & ~(unsigned)(VM_READ | VM_WRITE | VM_EXEC)) | vm_new;
		if (is_data_area(nf) && !is_data_area(v->flags) &&
		    !may_expand_data(mm, nf, MAX(v->start, addr), MIN(v->end, end)))
			return -ENOMEM;
		cur = v->end;
	}
	for (v = vma_next_from(mm, addr); v && v->start < end; v = vma_next(mm, v)) {
		unsigned keep = v->flags & ~(unsigned)(VM_READ | VM_WRITE | VM_EXEC);

		if ((v->flags & (VM_READ | VM_WRITE | VM_EXEC)) == vm_new)
			continue;
		if (v->start < addr) {
			if (!vma_split(mm, v, addr))
				return -ENOMEM;
			continue; /* the loop moves on to the upper part */
		}
		if (v->end > end && !vma_split(mm, v, end))
			return -ENOMEM;
		if ((vm_new & VM_WRITE) && !(v->flags & VM_WRITE))
			vma_unshare_file_frames(mm, v); /* private copies from now on */
		v->flags = keep | vm_new;
		for (vaddr_t va = v->start; mm->rss_pages && va < v->end;) {
			va = hal_protect_range(mm->as, va, v->end, vma_hal_prot(v->flags),
					       reprotect_yield, mm);
			if (va < v->end)
				cond_resched();
		}
	}
	return 0;
}

int mm_protect(struct mm *mm, vaddr_t addr, size_t len, unsigned prot)
{
	int r;

	mm_lock(mm);
	r = mm_protect_locked(mm, addr, len, prot);
	mm_unlock(mm);
	return r;
}

/* The heap area ending at end, if any. */
static struct vm_area *heap_area(struct mm *mm, vaddr_t end)
{
	struct vm_area *v = vma_find(mm, end - 1);

	return v && (v->flags & VM_HEAP) && v->end == end ? v : NULL;
}

/* Linux's limits on growing the heap ([brk(2)] ENOMEM, [getrlimit(2)]
 * RLIMIT_DATA): the heap may not exceed RLIMIT_DATA (the data segment is
 * not counted here: Linux adds end_data - start_data, a few pages for the
 * static programs this kernel runs), must keep a guard page below the next
 * mapping (do_brk_flags()), and one step may not ask for more than all of
 * RAM (the default "heuristic" overcommit, __vm_enough_memory()). */
static bool brk_within_rlimit(const struct mm *mm, vaddr_t new_brk)
{
	uint64_t lim = current ? current->rlim[RLIMIT_DATA].rlim_cur : RLIM_INFINITY;

	return lim == RLIM_INFINITY || new_brk - mm->brk_start <= lim;
}

static bool brk_may_grow(struct mm *mm, vaddr_t old_end, vaddr_t new_end)
{
	if (new_end - old_end > frame_total_bytes())
		return false;
	if (new_end > USER_TOP - PAGE_SIZE)
		return false;
	return vma_range_free(mm, old_end, new_end + PAGE_SIZE);
}

static vaddr_t mm_brk_locked(struct mm *mm, vaddr_t new_brk)
{
	vaddr_t old_end = PAGE_ALIGN_UP(mm->brk), new_end;
	struct vm_area *v;

	if (!mm->brk_start || new_brk < mm->brk_start || new_brk > USER_TOP)
		return mm->brk;
	if (!brk_within_rlimit(mm, new_brk))
		return mm->brk; /* checked first, shrinking too, as Linux's brk() */
	new_end = PAGE_ALIGN_UP(new_brk);
	if (new_end > old_end) {
		if (!brk_may_grow(mm, old_end, new_end) ||
		    !may_expand_data(mm, VM_READ | VM_WRITE, old_end, new_end))
			return mm->brk;
		v = old_end > PAGE_ALIGN_UP(mm->brk_start) ? heap_area(mm, old_end) : NULL;
		if (v) {
			v->end = new_end;
		} else {
			/* Private anonymous memory: mprotect may make it writable
			 * again (VM_MAYWRITE), as for any such mapping. */
			v = vma_alloc(old_end, new_end, VM_READ | VM_WRITE | VM_MAYWRITE | VM_HEAP,
				      NULL, 0, 0);
			if (!v)
				return mm->brk;
			vma_insert(mm, v);
		}
	} else if (new_end < old_end) {
		if (vma_remove_range(mm, new_end, old_end))
			return mm->brk;
	}
	mm->brk = new_brk;
	return mm->brk;
}

vaddr_t mm_brk(struct mm *mm, vaddr_t new_brk)
{
	vaddr_t r;

	mm_lock(mm);
	r = mm_brk_locked(mm, new_brk);
	mm_unlock(mm);
	return r;
}
