/* The areas every address space gets from the HAL rather than from
 * memory it owns (VM_SPECIAL): the signal-return trampoline page
 * ([sigpage], hal_sigtramp_page()), and the vDSO with its data page
 * ([vvar] and [vdso], hal/vdso.h). mm_create() maps them; the fault
 * handler asks vm_area.special for the frame; fork maps the same frames
 * again (they are the HAL's and shared by every process).
 * [vdso(7)], [proc(5)] /proc/<pid>/maps pseudo-paths.
 */
#include <hal/context.h>
#include <hal/vdso.h>
#include <kernel/errno.h>

#include "mm_internal.h"

static paddr_t sigtramp_page(unsigned idx)
{
	return idx == 0 ? hal_sigtramp_page() : 0;
}

static paddr_t vvar_page(unsigned idx)
{
	return idx == 0 ? hal_vdso_data_page() : 0;
}

static const struct vm_special sigtramp_special = { "[sigpage]", sigtramp_page };
static const struct vm_special vvar_special = { "[vvar]", vvar_page };
static const struct vm_special vdso_special = { "[vdso]", hal_vdso_text_page };

/* Map special object s over [start, end) with vm_flags. 0 or -ENOMEM. */
static int map_special(struct mm *mm, vaddr_t start, vaddr_t end, unsigned vm_flags,
		       const struct vm_special *s)
{
	struct vm_area *v = vma_alloc(start, end, vm_flags | VM_SPECIAL, NULL, 0, 0);

	if (!v)
		return -ENOMEM;
	v->special = s;
	vma_insert(mm, v);
	return 0;
}

int mm_map_specials(struct mm *mm)
{
	unsigned n = hal_vdso_text_pages();
	vaddr_t vvar, sigpage;
	long sr;
	int err;

	/* [vvar] directly below [vdso]: the vDSO finds its data page at
	 * __ehdr_start - PAGE_SIZE. */
	if (n) {
		vvar = vma_find_free(mm, (1 + n) * PAGE_SIZE);
		if (!vvar)
			return -ENOMEM;
		err = map_special(mm, vvar, vvar + PAGE_SIZE, VM_READ, &vvar_special);
		if (!err)
			err = map_special(mm, vvar + PAGE_SIZE, vvar + (1 + n) * PAGE_SIZE,
					  VM_READ | VM_EXEC, &vdso_special);
		if (err)
			return err; /* mm_put() frees what was mapped */
		mm->vdso_base = vvar + PAGE_SIZE;
	}
	sigpage = vma_find_free(mm, PAGE_SIZE);
	if (!sigpage)
		return -ENOMEM;
	err = map_special(mm, sigpage, sigpage + PAGE_SIZE, VM_READ | VM_EXEC, &sigtramp_special);
	if (err)
		return err;
	mm->sigreturn = sigpage;
	sr = n ? hal_vdso_sigreturn_offset() : -1;
	if (sr >= 0)
		mm->sigreturn = mm->vdso_base + (vaddr_t)sr;
	return 0;
}

paddr_t vma_special_page(const struct vm_area *v, vaddr_t va)
{
	return v->special ? v->special->page((unsigned)((v->file_off + (off_t)(va - v->start)) /
							PAGE_SIZE)) :
			    0;
}
