/* [mincore(2)]: which pages of a range are resident. Anonymous and private
 * pages are resident once mapped; a shared anonymous page once touched by
 * anyone; a file's pages always (every file system here keeps its data in
 * memory: Linux reports a file's page-cache pages the same way, mapped or
 * not). Errors as Linux's mm/mincore.c: -EINVAL for an unaligned address,
 * -ENOMEM for a range outside user space or not fully mapped, -EFAULT for
 * a bad vector. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "mm_internal.h"

static unsigned char page_resident(struct mm *mm, const struct vm_area *v, vaddr_t va)
{
	paddr_t pa;
	unsigned prot;
	uint64_t off = (uint64_t)v->file_off + (va - v->start);

	if (hal_query_page(mm->as, va, &pa, &prot))
		return 1;
	if (v->anon)
		return off / PAGE_SIZE < v->anon->nr_pages && v->anon->pages[off / PAGE_SIZE] != 0;
	if (v->file)
		return va - v->start < v->file_size;
	return 0;
}

SYSCALL_DEFINE3(mincore, unsigned long, addr, size_t, len, uintptr_t, vec)
{
	struct mm *mm = current->mm;
	unsigned char buf[256];
	uint64_t pages;
	vaddr_t va;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!access_ok(addr, len))
		return -ENOMEM;
	pages = len / PAGE_SIZE + ((len & (PAGE_SIZE - 1)) != 0);
	if (!access_ok(vec, pages))
		return -EFAULT;
	va = addr;
	while (pages) {
		size_t n = 0;

		while (n < sizeof buf && n < pages) {
			struct vm_area *v = vma_find(mm, va);

			if (!v)
				return -ENOMEM;
			buf[n++] = page_resident(mm, v, va);
			va += PAGE_SIZE;
		}
		if (copy_to_user(vec, buf, n))
			return -EFAULT;
		vec += n;
		pages -= n;
	}
	return 0;
}
