/* Where a new program's stack, mmap area and special pages go, and how
 * far address-space layout randomization moves them. The layout and its
 * sources are described in <kernel/mm.h> above MM_STACK_GUARD_GAP; the
 * random ranges are the arch's (HAL_*_RND_* in <hal/arch/abi.h>).
 * [Linux mm/util.c mmap_base(), randomize_stack_top(); kernel-parameters
 * "norandmaps"; personality(2) ADDR_NO_RANDOMIZE]. */
#include <hal/arch/abi.h>
#include <kernel/cmdline.h>
#include <kernel/random.h>

#include "mm_internal.h"

/* Linux mmap_base(): at most 5/6 of the address space is gap. */
#define MM_MMAP_GAP_MAX ((USER_TOP / 6) * 5)

bool mm_randomize_va(void)
{
	/* -1: not looked up yet. The command line does not change after
	 * boot, so a racing first lookup stores the same answer. */
	static int enabled = -1;

	if (enabled < 0)
		enabled = cmdline_get("norandmaps") == NULL;
	return enabled;
}

uint64_t mm_random_pages(unsigned bits)
{
	uint64_t r;

	get_random_bytes(&r, sizeof r);
	return (r & ((1ULL << bits) - 1)) << PAGE_SHIFT;
}

void mm_layout(struct mm *mm, bool randomize, uint64_t stack_rlimit)
{
	uint64_t stack_range = (1ULL << HAL_STACK_RND_BITS) << PAGE_SHIFT;
	uint64_t gap = MIN(stack_rlimit, MM_MMAP_GAP_MAX) + MM_STACK_GUARD_GAP;

	mm->stack_top = USER_TOP;
	if (randomize) {
		mm->stack_top -= mm_random_pages(HAL_STACK_RND_BITS);
		gap += stack_range;
	}
	gap = MIN(MAX(gap, MM_MMAP_GAP_MIN), MM_MMAP_GAP_MAX);
	mm->mmap_base = PAGE_ALIGN_DOWN(USER_TOP - gap);
	if (randomize)
		mm->mmap_base -= mm_random_pages(HAL_MMAP_RND_BITS);
}

vaddr_t mm_find_free(struct mm *mm, size_t len, size_t align)
{
	vaddr_t start;

	if (align < PAGE_SIZE || (align & (align - 1)) || len > (size_t)-1 - align)
		return 0;
	start = vma_find_free(mm, len + align - PAGE_SIZE);
	return start ? (start + align - 1) & ~(vaddr_t)(align - 1) : 0;
}

bool mm_range_free(struct mm *mm, vaddr_t start, size_t len)
{
	return vma_range_free(mm, start, start + len);
}
