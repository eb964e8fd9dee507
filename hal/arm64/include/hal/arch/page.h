/* Whole-page zero and copy for hal/common/frame.c: arm64.
 * Zero with DC ZVA, one instruction per DCZID_EL0 block (64 bytes on the
 * Cortex-A cores QEMU models), as Linux's clear_page; when DC ZVA is
 * prohibited (DCZID_EL0.DZP), plain stores. Copy 128 bytes per iteration
 * with LDP/STP pairs, as Linux's copy_page. Only on Normal memory (the
 * direct map). [Arm ARM C5.3.8 DC ZVA, D17.2.35 DCZID_EL0]. Only for hal/. */
#ifndef HAL_ARCH_PAGE_H
#define HAL_ARCH_PAGE_H
#include <hal/frame.h>
#include <hal/types.h>

/* The kernel wrote the frame at pa: its I-cache is no longer known to be
 * coherent (frame_icache_clean(), <hal/frame.h>). */
static inline void arch_frame_written(paddr_t pa)
{
	frame_set_icache_clean(pa, false);
}

static inline void arch_page_zero(void *page)
{
	uint64_t dczid;
	char *p = page;

	__asm__("mrs %0, dczid_el0" : "=r"(dczid));
	if (!(dczid & 16)) {
		uint64_t block = 4UL << (dczid & 15);

		for (uint64_t off = 0; off < PAGE_SIZE; off += block)
			__asm__ volatile("dc zva, %0" : : "r"(p + off) : "memory");
		return;
	}
	for (uint64_t off = 0; off < PAGE_SIZE; off += 16)
		__asm__ volatile("stp xzr, xzr, [%0]" : : "r"(p + off) : "memory");
}

/* 128 bytes a step, post-indexed LDP/STP so that the loop costs two
 * instructions (SUBS, B.NE) per 128 bytes: 576 instructions a page, from
 * 896 with a C loop of 64-byte steps (fork copies some 30 pages). */
static inline void arch_page_copy(void *dst, const void *src)
{
	uint64_t a, b, c, d, e, f, g, h, n = PAGE_SIZE / 128;
	char *dp = dst;
	const char *sp = src;

	__asm__ volatile("1:\n\t"
			 "ldp %0, %1, [%9, #16]\n\t"
			 "ldp %2, %3, [%9, #32]\n\t"
			 "ldp %4, %5, [%9, #48]\n\t"
			 "ldp %6, %7, [%9], #64\n\t"
			 "stp %0, %1, [%10, #16]\n\t"
			 "stp %2, %3, [%10, #32]\n\t"
			 "stp %4, %5, [%10, #48]\n\t"
			 "stp %6, %7, [%10], #64\n\t"
			 "ldp %0, %1, [%9, #16]\n\t"
			 "ldp %2, %3, [%9, #32]\n\t"
			 "ldp %4, %5, [%9, #48]\n\t"
			 "ldp %6, %7, [%9], #64\n\t"
			 "stp %0, %1, [%10, #16]\n\t"
			 "stp %2, %3, [%10, #32]\n\t"
			 "stp %4, %5, [%10, #48]\n\t"
			 "stp %6, %7, [%10], #64\n\t"
			 "subs %8, %8, #1\n\t"
			 "b.ne 1b"
			 : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "=&r"(e), "=&r"(f), "=&r"(g),
			   "=&r"(h), "+r"(n), "+r"(sp), "+r"(dp)
			 :
			 : "memory", "cc");
}

#endif
