/* Whole-page zero and copy for hal/common/frame.c: x86_64.
 * REP STOSQ / REP MOVSQ, as Linux's clear_page_rep / copy_page: one
 * instruction per 8 bytes, no loop overhead (and under QEMU TCG a fraction
 * of the guest instructions of a C loop). The kernel runs with EFLAGS.DF
 * clear (SysV ABI). [Intel SDM Vol. 2B, REP/STOS/MOVS]. Only for hal/. */
#ifndef HAL_ARCH_PAGE_H
#define HAL_ARCH_PAGE_H
#include <hal/types.h>

/* x86 keeps instruction fetch coherent with stores by itself [Intel SDM
 * Vol. 3A §8.1.3]: nothing to track when the kernel writes a frame. */
static inline void arch_frame_written(paddr_t pa)
{
	(void)pa;
}

static inline void arch_page_zero(void *page)
{
	uint64_t n = PAGE_SIZE / 8;

	__asm__ volatile("rep stosq" : "+D"(page), "+c"(n) : "a"(0UL) : "memory");
}

static inline void arch_page_copy(void *dst, const void *src)
{
	uint64_t n = PAGE_SIZE / 8;

	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

#endif
