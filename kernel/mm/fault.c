/* Demand paging: the page-fault upcall from the HAL and the policy that
 * resolves a fault inside an mm.
 *
 *  - anonymous area: a fresh zeroed frame;
 *  - private file area: while the area is not writable, the file's own
 *    frame for a page of file bytes, mapped read-only (file_frames.c: a
 *    program's text is never copied); otherwise a fresh frame filled
 *    from the file with vfs_read() (bytes past file_size, or past end of
 *    file, stay zero);
 *  - shared file area (file_operations.get_page): the file's own frame,
 *    so stores reach the file and the file's writes show in the mapping;
 *  - shared anonymous area: the frame of its anon_shared object,
 *    allocated on first touch by whichever process touches it first;
 *  - a page that should come from the file (below file_size) but lies
 *    wholly past its end of file, or past the end of a shared object:
 *    -EIO, which the HAL turns into SIGBUS (BUS_ADRERR) [mmap(2)
 *    "SIGBUS"]. (An ELF segment's bss lies past file_size: zeros.)
 *  - the signal trampoline, the vDSO and its data page (VM_SPECIAL):
 *    the HAL's shared frames (special.c);
 *  - VM_GROWSDOWN area (the stack): grows down to the faulting page, up to
 *    HAL_USER_STACK_SIZE in total and not into the area below;
 *  - no area, or an access the area forbids: -EFAULT (the HAL then sends
 *    SIGSEGV, or fails the usercopy).
 * [mmap(2)] (MAP_PRIVATE, MAP_GROWSDOWN), Linux mm/memory.c.
 *
 * Locking: a fault holds mm->mmap_lock from the area lookup to the new
 * mapping (Linux's do_user_addr_fault() takes mmap_lock for reading; ours
 * is a mutex, so faults of sibling threads are serialized too). So a
 * thread's fault never sees an area that munmap/mprotect/mremap on another
 * CPU is changing, never maps a page into a range munmap has just emptied
 * (munmap's caller then gets SIGSEGV on its next touch, as on Linux), and
 * two threads faulting the same page map one frame, not two. Pages of a
 * shared anonymous object, which several mms (each with its own lock) may
 * fault at once, are installed with a compare-and-swap. The kernel never
 * touches user memory while holding mmap_lock (copy_*_user would fault
 * into it again); a fault while the task already holds it, which only a
 * kernel bug can cause, is resolved under that hold and reported. Faults
 * sleep on the mutex: no copy_*_user of a page that may be absent under a
 * spinlock (Fortress reports it as sleeping with a spinlock held).
 */
#include <hal/arch/abi.h>
#include <hal/context.h>
#include <hal/frame.h>
#include <hal/mmu.h>
#include <hal/upcall.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/task.h>
#include <kernel/vfs.h>

#include "mm_internal.h"

/* May this area be accessed this way? */
static bool access_ok_for(const struct vm_area *v, unsigned access)
{
	if ((access & HAL_FAULT_WRITE) && !(v->flags & VM_WRITE))
		return false;
	if ((access & HAL_FAULT_EXEC) && !(v->flags & VM_EXEC))
		return false;
	/* Reads: any of R/W/X makes a page readable on x86_64 and arm64. */
	return (v->flags & (VM_READ | VM_WRITE | VM_EXEC)) != 0;
}

/* Grow a VM_GROWSDOWN area v down to the page of addr (addr < v->start). */
static int grow_stack(struct mm *mm, struct vm_area *v, vaddr_t addr)
{
	vaddr_t new_start = PAGE_ALIGN_DOWN(addr);
	struct vm_area *prev = vma_prev(mm, v);

	if (v->end - new_start > HAL_USER_STACK_SIZE || new_start < USER_BASE)
		return -EFAULT;
	/* Keep a guard page between the stack and the area below it. */
	if (prev && prev->end + PAGE_SIZE > new_start)
		return -EFAULT;
	v->start = new_start;
	return 0;
}

/* Fill the new frame at pa with the file bytes of page va of area v. */
static int fill_from_file(struct vm_area *v, vaddr_t va, paddr_t pa)
{
	uint64_t page_off = va - v->start;
	size_t want, got = 0;
	off_t pos;
	char *buf = frame_kaddr(pa);

	if (page_off >= v->file_size)
		return 0;
	want = v->file_size - page_off < PAGE_SIZE ? (size_t)(v->file_size - page_off) : PAGE_SIZE;
	pos = v->file_off + (off_t)page_off;
	while (got < want) {
		ssize_t n = vfs_read(v->file, buf + got, want - got, &pos);

		if (n < 0)
			return (int)n;
		if (n == 0)
			break; /* end of file: the rest stays zero */
		got += (size_t)n;
	}
	return 0;
}

/* Should page va of file area v come from the file, yet lie wholly past
 * its end? */
static bool past_eof(const struct vm_area *v, vaddr_t va)
{
	uint64_t page_off = va - v->start;
	uint64_t off = (uint64_t)v->file_off + page_off;

	return page_off < v->file_size && v->file->inode &&
	       off >= PAGE_ALIGN_UP(v->file->inode->size);
}

/* The frame for page va of a shared area, with a reference for the new
 * mapping: 0 or -EIO (nothing there: SIGBUS), -EFAULT (out of memory). */
static int shared_page(struct vm_area *v, vaddr_t va, paddr_t *pa)
{
	uint64_t idx = ((uint64_t)v->file_off + (va - v->start)) / PAGE_SIZE;

	if (v->file) {
		int r = file_op_get_page(v->file, idx, pa);

		return r == -ENOMEM ? -EFAULT : r ? -EIO : 0;
	}
	if (idx >= v->anon->nr_pages)
		return -EIO;
	if (!__atomic_load_n(&v->anon->pages[idx], __ATOMIC_ACQUIRE)) {
		/* Other mms mapping the object fault under their own locks:
		 * the first frame installed wins, a loser frees its own. */
		paddr_t fresh = frame_alloc(0), none = 0;

		if (!fresh)
			return -EFAULT;
		if (!__atomic_compare_exchange_n(&v->anon->pages[idx], &none, fresh, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			frame_free(fresh, 0);
	}
	*pa = __atomic_load_n(&v->anon->pages[idx], __ATOMIC_ACQUIRE);
	return frame_get(*pa) ? -EFAULT : 0;
}

/* Does v map its backing object's frames directly? */
static bool maps_shared_frames(const struct vm_area *v)
{
	return (v->flags & VM_SHARED) &&
	       (v->anon || (v->file && v->file->f_op && v->file->f_op->get_page));
}

int mm_fault_locked(struct mm *mm, vaddr_t addr, unsigned access)
{
	struct vm_area *v;
	vaddr_t va = PAGE_ALIGN_DOWN(addr);
	paddr_t pa;
	unsigned prot, cur_prot;

	if (!mm || addr < USER_BASE || addr >= USER_TOP)
		return -EFAULT;
	v = vma_find(mm, addr);
	if (!v) {
		v = vma_next_from(mm, addr);
		if (!v || !(v->flags & VM_GROWSDOWN) || grow_stack(mm, v, addr))
			return -EFAULT;
	}
	if (!access_ok_for(v, access))
		return -EFAULT;
	prot = vma_hal_prot(v->flags);
	if (hal_query_page(mm->as, va, &pa, &cur_prot)) {
		/* Present: a stale protection (mprotect raced a TLB entry) or a
		 * spurious fault. Re-apply the area's protection. */
		hal_protect_page(mm->as, va, prot);
		return 0;
	}
	if (v->flags & VM_SPECIAL) {
		pa = vma_special_page(v, va);
		return pa && !hal_map_page(mm->as, va, pa, prot) ? 0 : -EFAULT;
	}
	if (v->file && past_eof(v, va))
		return -EIO;
	if (maps_shared_frames(v)) {
		int r = shared_page(v, va, &pa);

		if (r)
			return r;
	} else if ((pa = vma_file_frame(v, va))) {
		goto map; /* the file's frame, referenced, read-only */
	} else {
		pa = frame_alloc(0);
	}
	if (!pa) {
		printk("mm: out of memory at 0x%lx\n", (unsigned long)addr);
		return -EFAULT;
	}
	if (v->file && !maps_shared_frames(v) && fill_from_file(v, va, pa)) {
		frame_free(pa, 0);
		return -EFAULT;
	}
map:
	if (hal_map_page(mm->as, va, pa, prot)) {
		frame_free(pa, 0);
		printk("mm: out of memory for page tables at 0x%lx\n", (unsigned long)addr);
		return -EFAULT;
	}
	mm->rss_pages++;
	return 0;
}

int mm_handle_fault(struct mm *mm, vaddr_t addr, unsigned access)
{
	int r;

	if (!mm)
		return -EFAULT;
	if (current && mm->mmap_lock.owner == current) {
		/* A usercopy under mmap_lock: a kernel bug (see the top), but
		 * the fault itself can be resolved under that hold. */
		static bool reported;

		if (!reported) {
			reported = true;
			pr_err("BUG: mm: fault at 0x%lx with mmap_lock held by task %d\n",
			       (unsigned long)addr, current ? current->tid : 0);
		}
		return mm_fault_locked(mm, addr, access);
	}
	mm_lock(mm);
	r = mm_fault_locked(mm, addr, access);
	mm_unlock(mm);
	return r;
}

int kernel_page_fault(struct hal_trapframe *tf, uintptr_t addr, unsigned access)
{
	(void)tf;
	if (!current)
		return -EFAULT;
	return mm_handle_fault(current->mm, addr, access);
}
