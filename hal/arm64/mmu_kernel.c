/* The kernel half of the address space (TTBR1_EL1): the direct map of all
 * RAM, the I/O window, and the page-table pages they need.
 * [Arm ARM D8 (VMSAv8-64): D8.2 translation process, D8.3 descriptors,
 *  D8.13 (TLB maintenance), D8.14.1 (break-before-make)]
 *
 * Before the frame allocator is up, table pages come from a static pool in
 * .bss; they are reached through the image mapping, so hal_mm_init() can
 * rebuild the direct map while it is temporarily unmapped.
 */
#include <hal/boot.h>
#include <hal/frame.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include "arm64.h"

#define POOL_PAGES 64
#define IOMAP_MAX 32

/* boot.S */
extern uint64_t boot_pg_l0[512], boot_pg_dmap_l1[512];
extern uint64_t boot_pg_id_l0[512];

static uint64_t pt_pool[POOL_PAGES][512] __aligned(4096);
static unsigned pt_pool_used;
paddr_t arm64_dmap_end;

static paddr_t kimage_size(void)
{
	return (paddr_t)(__kernel_end - __kernel_start);
}

/* A table page's kernel address: through the image mapping for the static
 * pool (and the boot tables), so it stays reachable while hal_mm_init()
 * rebuilds the direct map. */
static uint64_t *pt_va(paddr_t table)
{
	if (table >= arm64_kimage_phys && table < arm64_kimage_phys + kimage_size())
		return (uint64_t *)(KIMAGE_VADDR + (table - arm64_kimage_phys));
	return (uint64_t *)hal_phys_to_virt(table);
}

/* A zeroed table page: the pool first, then the frame allocator. 0 if none. */
static paddr_t pt_alloc(void)
{
	if (pt_pool_used < POOL_PAGES)
		return hal_virt_to_phys(pt_pool[pt_pool_used++]);
	return frame_alloc(0); /* zero-filled, or 0 */
}

/* The entry of table for va at the level whose entries span 1 << shift. */
static uint64_t *pt_entry(uint64_t *table, uintptr_t va, unsigned shift)
{
	return &table[(va >> shift) & 511];
}

/* The next-level table of *e, allocating it if e is empty. NULL if e maps
 * a block, or on -ENOMEM. */
static uint64_t *pt_next(uint64_t *e)
{
	if (*e == 0) {
		paddr_t t = pt_alloc();
		if (!t)
			return NULL;
		*e = t | PTE_TABLE;
	}
	if ((*e & 3) != PTE_TABLE)
		return NULL;
	return pt_va(*e & PTE_ADDR_MASK);
}

/* Map [va, va+size) -> pa in the TTBR1 tables. attr: descriptor bits other
 * than the type and address. blocks: use 1 GiB / 2 MiB blocks where the
 * alignment allows. An entry already holding the same value is fine;
 * anything else in the way is -EEXIST. */
static int kmap_range(uintptr_t va, paddr_t pa, uint64_t size, uint64_t attr, bool blocks)
{
	while (size) {
		uint64_t *l1 = pt_next(pt_entry(boot_pg_l0, va, 39));
		if (!l1)
			return -ENOMEM;
		uint64_t *e = pt_entry(l1, va, 30);
		if (blocks && !((va | pa) & (SZ_1G - 1)) && size >= SZ_1G) {
			uint64_t d = pa | attr | PTE_BLOCK;
			if (*e && *e != d)
				return -EEXIST;
			*e = d;
			va += SZ_1G, pa += SZ_1G, size -= SZ_1G;
			continue;
		}
		uint64_t *l2 = pt_next(e);
		if (!l2)
			return *e ? -EEXIST : -ENOMEM;
		e = pt_entry(l2, va, 21);
		if (blocks && !((va | pa) & (SZ_2M - 1)) && size >= SZ_2M) {
			uint64_t d = pa | attr | PTE_BLOCK;
			if (*e && *e != d)
				return -EEXIST;
			*e = d;
			va += SZ_2M, pa += SZ_2M, size -= SZ_2M;
			continue;
		}
		uint64_t *l3 = pt_next(e);
		if (!l3)
			return *e ? -EEXIST : -ENOMEM;
		e = pt_entry(l3, va, 12);
		uint64_t d = pa | attr | PTE_PAGE;
		if (*e && *e != d)
			return -EEXIST;
		*e = d;
		va += SZ_4K, pa += SZ_4K, size -= SZ_4K;
	}
	dsb(ishst);
	isb();
	return 0;
}

static void tlb_flush_all(void)
{
	dsb(ishst);
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
	dsb(ish);
	isb();
}

static bool gib_is_ram(paddr_t gib, const struct hal_mem_range *ram, unsigned nr)
{
	for (unsigned i = 0; i < nr; i++)
		if (ram[i].base <= gib && ram[i].size >= SZ_1G &&
		    gib + SZ_1G <= ram[i].base + ram[i].size)
			return true;
	return false;
}

int hal_mm_init(const struct hal_mem_range *ram, unsigned nr)
{
	/* 1. Drop boot direct-map blocks that are not entirely RAM (they may
	 * cover device space as Normal memory). Until step 2 remaps them,
	 * nothing here touches the direct map: code, stack and pool tables
	 * are reached through the image mapping. Break-before-make: the
	 * entries become invalid and the TLB is flushed before anything new
	 * is written there. */
	paddr_t region = arm64_kimage_phys & ~((SZ_1G << 9) - 1);
	for (unsigned i = 0; i < 512; i++) {
		paddr_t gib = region + ((paddr_t)i << 30);
		if ((boot_pg_dmap_l1[i] & 3) == PTE_BLOCK && !gib_is_ram(gib, ram, nr))
			boot_pg_dmap_l1[i] = 0;
	}
	tlb_flush_all();

	/* 2. Map every RAM range with the largest blocks that fit. */
	for (unsigned i = 0; i < nr; i++) {
		paddr_t base = PAGE_ALIGN_DOWN(ram[i].base);
		paddr_t end = PAGE_ALIGN_UP(ram[i].base + ram[i].size);
		if (end > DMAP_MAX_PA)
			end = DMAP_MAX_PA;
		if (base >= end)
			continue;
		int err = kmap_range(DMAP_BASE + base, base, end - base, DMAP_ATTR, true);
		if (err)
			return err;
		if (end > arm64_dmap_end)
			arm64_dmap_end = end;
	}

	/* 3. The identity map is no longer needed: its root, emptied, is
	 * TTBR0 whenever no user address space is active. */
	for (unsigned i = 0; i < 512; i++)
		boot_pg_id_l0[i] = 0;
	write_sysreg(ttbr0_el1, hal_virt_to_phys(boot_pg_id_l0));
	isb();
	tlb_flush_all();
	return 0;
}

paddr_t arm64_empty_ttbr0(void)
{
	return hal_virt_to_phys(boot_pg_id_l0);
}

/* ---- I/O window ---------------------------------------------------- */

static struct {
	paddr_t pa;
	uint64_t size;
	uintptr_t va;
} iomaps[IOMAP_MAX];
static unsigned nr_iomaps;
static uintptr_t iomap_next = IOMAP_BASE;

uintptr_t hal_ioremap(paddr_t pa, uint64_t size)
{
	paddr_t base = PAGE_ALIGN_DOWN(pa);
	uint64_t len = PAGE_ALIGN_UP(pa + size) - base;

	if (size == 0 || pa + size < pa)
		return 0;
	for (unsigned i = 0; i < nr_iomaps; i++)
		if (base >= iomaps[i].pa && base + len <= iomaps[i].pa + iomaps[i].size)
			return iomaps[i].va + (pa - iomaps[i].pa);
	if (len > IOMAP_END - iomap_next - SZ_4K)
		return 0;
	uintptr_t va = iomap_next;
	if (kmap_range(va, base, len, IOMAP_PAGE_ATTR & ~(uint64_t)3, false))
		return 0;
	iomap_next += len + SZ_4K; /* an unmapped guard page between mappings */
	if (nr_iomaps < IOMAP_MAX) {
		iomaps[nr_iomaps].pa = base;
		iomaps[nr_iomaps].size = len;
		iomaps[nr_iomaps].va = va;
		nr_iomaps++;
	}
	return va + (pa - base);
}

/* ---- caches -------------------------------------------------------- */

/* Make instructions written through va visible to instruction fetch:
 * clean the D-cache to the PoU, invalidate the I-cache
 * [Arm ARM D7.5.9 (instruction cache coherency), D17.2.34 CTR_EL0]. */
void arm64_sync_icache(uintptr_t va, size_t len)
{
	uint64_t ctr = read_sysreg(ctr_el0);
	uintptr_t end = va + len;

	if (!(ctr & (1UL << 28))) { /* IDC clear: clean to PoU needed */
		uintptr_t line = 4UL << ((ctr >> 16) & 0xf);
		for (uintptr_t a = va & ~(line - 1); a < end; a += line)
			__asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
	}
	dsb(ish);
	if (!(ctr & (1UL << 29))) {	      /* DIC clear: I-cache invalidation needed */
		if (((ctr >> 14) & 3) == 3) { /* PIPT: by VA through any alias */
			uintptr_t line = 4UL << (ctr & 0xf);
			for (uintptr_t a = va & ~(line - 1); a < end; a += line)
				__asm__ volatile("ic ivau, %0" ::"r"(a) : "memory");
		} else {
			__asm__ volatile("ic ialluis" ::: "memory");
		}
		dsb(ish);
	}
	isb();
}

/* No firmware tables on the arm64 boards: their description is the DTB
 * (hal/include/hal/mmu.h). */
const void *hal_firmware_map(paddr_t pa, uint64_t len)
{
	(void)pa;
	(void)len;
	return NULL;
}
