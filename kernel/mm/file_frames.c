/* Private file mappings that map the file's own frames.
 *
 * A page of a MAP_PRIVATE file area that nothing can write through this
 * mapping (the area lacks VM_WRITE) and that holds only file bytes (no
 * zeroed tail past file_size) is the file's own frame (f_op->get_page),
 * mapped read-only with a frame reference: the text and read-only data of
 * every program and library. As Linux's filemap_fault() for a read fault
 * on a private mapping, nothing is copied, and every process running a
 * program runs the same frames (under QEMU TCG that also keeps the
 * translated code of those frames valid from one exec to the next).
 *
 * The invariant that keeps it private: a file frame is mapped only in an
 * area without VM_WRITE. mprotect(2) adding PROT_WRITE to such an area
 * first unmaps its file frames (vma_unshare_file_frames), so the next
 * access faults in a private copy filled from the file; fork(2) maps the
 * file frames again in the child instead of copying them. Pages of other
 * private areas are the process's own frames, as before.
 * Linux mm/filemap.c filemap_fault(), mm/memory.c do_read_fault(). */
#include <hal/frame.h>
#include <hal/mmu.h>
#include <kernel/vfs.h>

#include "mm_internal.h"

/* The file page index of page va of v, if v may map the file's frame for
 * it: true and *idx. */
static bool file_frame_index(const struct vm_area *v, vaddr_t va, uint64_t *idx)
{
	uint64_t page_off = va - v->start;

	if (!v->file || (v->flags & (VM_SHARED | VM_WRITE | VM_SPECIAL)) || v->anon)
		return false;
	if (!v->file->f_op || !v->file->f_op->get_page || (v->file_off & (PAGE_SIZE - 1)))
		return false;
	if (page_off + PAGE_SIZE > v->file_size)
		return false; /* the segment's last page: file bytes, then zeros */
	*idx = ((uint64_t)v->file_off + page_off) / PAGE_SIZE;
	return true;
}

paddr_t vma_file_frame(struct vm_area *v, vaddr_t va)
{
	uint64_t idx;
	paddr_t pa;

	if (!file_frame_index(v, va, &idx) || file_op_get_page(v->file, idx, &pa))
		return 0;
	return pa;
}

bool vma_is_file_frame(struct vm_area *v, vaddr_t va, paddr_t pa)
{
	uint64_t idx;
	paddr_t fpa;

	if (!file_frame_index(v, va, &idx) || file_op_get_page(v->file, idx, &fpa))
		return false;
	frame_free(fpa, 0); /* only looked at: drop the reference get_page took */
	return fpa == pa;
}

struct unshare_ctx {
	struct mm *mm;
	struct vm_area *v;
};

static int unshare_page(void *arg, vaddr_t va, paddr_t pa, unsigned prot)
{
	struct unshare_ctx *u = arg;

	(void)prot;
	if (!vma_is_file_frame(u->v, va, pa))
		return 0;
	hal_unmap_page(u->mm->as, va, &pa);
	frame_free(pa, 0);
	u->mm->rss_pages--;
	return 0;
}

void vma_unshare_file_frames(struct mm *mm, struct vm_area *v)
{
	struct unshare_ctx u = { mm, v };

	if (mm->rss_pages)
		hal_walk_range(mm->as, v->start, v->end, unshare_page, &u);
}
