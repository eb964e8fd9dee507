/* User address spaces: 4-level, 4 KiB-granule tables for TTBR0_EL1.
 * [Arm ARM D8.2 (translation process), D8.3 (descriptors), D8.4 (access
 *  permissions: AP[2:1], UXN/PXN), D8.13 (TLB maintenance), D8.14.1
 *  (break-before-make)]
 *
 * User pages: Normal WB, inner shareable, AF set, nG (tagged with the
 * address space's ASID), PXN under Fortress and Balanced (EL1 never
 * executes user memory; tables carry PXNTable too: <hal/hardening.h>
 * HAL_HARDEN_USER_NX), UXN unless HAL_PROT_EXEC, AP = EL0 RW or RO.
 * A page with no access at all (PROT_NONE) is an invalid descriptor that
 * keeps the frame address and a software bit, so it still "is mapped".
 *
 * ASIDs: 8 bits, handed out on first switch in a generation; when they
 * run out the whole TLB is flushed and a new generation starts, so an
 * ASID is never shared by two live address spaces of one generation.
 */
#include <hal/frame.h>
#include <hal/cpu.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kevlar/profile.h>
#include "arm64.h"

#if defined(KEVLAR_PROFILE_FORTRESS) || defined(KEVLAR_PROFILE_BALANCED)
#define USER_PXN PTE_PXN
#define USER_TBL_PXN PTE_TBL_PXN
#else
#define USER_PXN 0
#define USER_TBL_PXN 0
#endif

#define ASID_BITS 8
#define ASID_COUNT (1u << ASID_BITS)

struct hal_aspace {
	paddr_t root;	   /* L0 table */
	uint64_t asid_gen; /* generation << ASID_BITS | asid; 0 = none yet */
};

/* ASIDs, after Linux arch/arm64/mm/context.c: an address space keeps its
 * ASID while its generation is current; when the ASIDs run out the
 * generation moves on, every CPU flushes its own TLB before its next
 * switch (flush_pending), and the ASID each CPU is running keeps its
 * number into the new generation (reserved[]), so that a thread of that
 * address space switched in elsewhere uses the same ASID and a TLBI by
 * ASID reaches both. All under asid_lock (interrupts masked). */
static int asid_lock;
static uint64_t asid_generation = 1;
static unsigned asid_next = 1; /* ASID 0 belongs to "no user space" */
static uint8_t asid_used[ASID_COUNT / 8];
static uint64_t active_asid[ARM64_MAX_CPUS]; /* asid_gen each CPU runs, 0: none */
static uint64_t reserved[ARM64_MAX_CPUS];    /* kept across the last rollover */
static unsigned long flush_pending;
/* The address space each CPU's TTBR0 holds; each entry written by its CPU. */
static struct hal_aspace *current_on[ARM64_MAX_CPUS];
#define current_as (current_on[hal_cpu_id()])

static uint64_t *table_va(uint64_t desc)
{
	return (uint64_t *)hal_phys_to_virt(desc & PTE_ADDR_MASK);
}

static bool is_user_va(vaddr_t va)
{
	return va >= USER_BASE && va < USER_TOP && !(va & ~PAGE_MASK);
}

/* The L3 entry for va, allocating missing tables if alloc. */
static uint64_t *walk(struct hal_aspace *as, vaddr_t va, bool alloc)
{
	uint64_t *table = hal_phys_to_virt(as->root);

	for (unsigned shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &table[(va >> shift) & 511];
		if (!(*e & PTE_VALID)) {
			if (!alloc)
				return NULL;
			paddr_t t = frame_alloc(0);
			if (!t)
				return NULL;
			*e = t | PTE_TABLE | USER_TBL_PXN;
		}
		table = table_va(*e);
	}
	return &table[(va >> 12) & 511];
}

static bool asid_live(const struct hal_aspace *as)
{
	return as->asid_gen >> ASID_BITS == asid_generation;
}

/* Invalidate the TLB entry of one user page [Arm ARM D8.13.5 TLBI VALE1IS]. */
static void flush_page(struct hal_aspace *as, vaddr_t va)
{
	dsb(ishst);
	if (asid_live(as)) {
		uint64_t arg = (va >> 12) | (as->asid_gen & (ASID_COUNT - 1)) << 48;
		__asm__ volatile("tlbi vale1is, %0" ::"r"(arg) : "memory");
		dsb(ish);
	}
	isb();
}

static uint64_t make_pte(paddr_t pa, unsigned prot)
{
	if (!(prot & (HAL_PROT_READ | HAL_PROT_WRITE | HAL_PROT_EXEC)))
		return pa | PTE_SW_PROTNONE;
	uint64_t d = pa | PTE_PAGE | PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF | PTE_NG | USER_PXN |
		     PTE_AP_EL0;
	if (!(prot & HAL_PROT_WRITE))
		d |= PTE_AP_RO;
	if (!(prot & HAL_PROT_EXEC))
		d |= PTE_UXN;
	return d;
}

/* Before a user page of frame pa gets descriptor d: an executable page
 * must see what was written through the D-side [Arm ARM D7.5.9 (I-cache
 * coherency), B2.4.4], which costs a clean and an invalidate per line:
 * done only when the frame is not known coherent since its last write
 * (frame_icache_clean(), Linux's PG_dcache_clean), so the text pages of a
 * program cost it once, not on every exec and fork. A writable and
 * executable page is made coherent at every mapping and never marked
 * clean. As on Linux, code a program stores through a writable mapping it
 * already has is the program's to make coherent (__clear_cache) before a
 * later mapping makes the frame executable. */
static void icache_sync_for_map(paddr_t pa, uint64_t d)
{
	bool write;

	if ((d & (PTE_VALID | PTE_UXN)) != PTE_VALID)
		return; /* not executable */
	write = !(d & PTE_AP_RO);
	if (write || !frame_icache_clean(pa)) {
		arm64_sync_icache((uintptr_t)hal_phys_to_virt(pa), PAGE_SIZE);
		if (!write)
			frame_set_icache_clean(pa, true);
	}
}

static unsigned pte_prot(uint64_t d)
{
	if (!(d & PTE_VALID))
		return HAL_PROT_USER;
	unsigned prot = HAL_PROT_USER | HAL_PROT_READ;
	if (!(d & PTE_AP_RO))
		prot |= HAL_PROT_WRITE;
	if (!(d & PTE_UXN))
		prot |= HAL_PROT_EXEC;
	return prot;
}

static bool pte_present(uint64_t d)
{
	return (d & PTE_VALID) || (d & PTE_SW_PROTNONE);
}

/* Write a new L3 entry in place of old: break-before-make when a valid
 * entry changes its output address; a TLB flush whenever a valid entry
 * changes. */
static void set_pte(struct hal_aspace *as, uint64_t *e, vaddr_t va, uint64_t d)
{
	uint64_t old = *e;

	if ((old & PTE_VALID) && (old & PTE_ADDR_MASK) != (d & PTE_ADDR_MASK)) {
		*e = 0;
		flush_page(as, va);
	}
	*e = d;
	if (old & PTE_VALID)
		flush_page(as, va);
	else
		dsb(ishst);
}

struct hal_aspace *hal_aspace_create(void)
{
	struct hal_aspace *as = kzalloc(sizeof(*as));

	if (!as)
		return NULL;
	as->root = frame_alloc(0);
	if (!as->root) {
		kfree(as);
		return NULL;
	}
	return as;
}

/* Is any of the eight entries at t valid? One test for eight: most
 * entries of a process's tables are empty, and the teardown scan was 5
 * instructions an entry. */
static inline bool any_valid8(const uint64_t *t)
{
	return ((t[0] | t[1] | t[2] | t[3] | t[4] | t[5] | t[6] | t[7]) & PTE_VALID) != 0;
}

static void free_tables(paddr_t table, unsigned level)
{
	uint64_t *t = hal_phys_to_virt(table);
	unsigned n = level == 0 ? 256 : 512; /* user half of L0 only */

	for (unsigned i = 0; i < n; i += 8) {
		if (!any_valid8(&t[i]))
			continue;
		for (unsigned j = i; j < i + 8; j++) {
			if (!(t[j] & PTE_VALID))
				continue;
			if (level < 2)
				free_tables(t[j] & PTE_ADDR_MASK, level + 1);
			else
				frame_free(t[j] & PTE_ADDR_MASK, 0); /* the L3 tables */
		}
	}
	frame_free(table, 0);
}

void hal_aspace_destroy(struct hal_aspace *as)
{
	if (!as)
		return;
	if (as == current_as)
		hal_aspace_switch(NULL);
	if (asid_live(as)) {
		dsb(ishst);
		__asm__ volatile("tlbi aside1is, %0" ::"r"((as->asid_gen & (ASID_COUNT - 1)) << 48)
				 : "memory");
		dsb(ish);
		isb();
	}
	free_tables(as->root, 0);
	kfree(as);
}

static bool asid_test_set(unsigned asid)
{
	bool was = asid_used[asid / 8] & (1u << (asid % 8));

	asid_used[asid / 8] |= (uint8_t)(1u << (asid % 8));
	return was;
}

/* A new generation: only the ASIDs CPUs run now stay taken. */
static void asid_rollover(void)
{
	asid_generation++;
	asid_next = 1;
	for (unsigned i = 0; i < sizeof asid_used; i++)
		asid_used[i] = 0;
	for (unsigned c = 0; c < ARM64_MAX_CPUS; c++) {
		uint64_t a = active_asid[c] ? active_asid[c] : reserved[c];

		reserved[c] = a;
		if (a)
			asid_test_set(a & (ASID_COUNT - 1));
	}
	flush_pending = ~0UL;
}

/* Give as an ASID of this generation; asid_lock held. */
static void asid_assign(struct hal_aspace *as)
{
	uint64_t newgen = asid_generation << ASID_BITS;
	unsigned asid = as->asid_gen & (ASID_COUNT - 1);

	for (unsigned c = 0; asid && c < ARM64_MAX_CPUS; c++) {
		if (reserved[c] == as->asid_gen) { /* ran across the rollover */
			for (unsigned d = 0; d < ARM64_MAX_CPUS; d++)
				if (reserved[d] == as->asid_gen)
					reserved[d] = newgen | asid;
			as->asid_gen = newgen | asid;
			return;
		}
	}
	for (;;) {
		while (asid_next < ASID_COUNT && asid_test_set(asid_next))
			asid_next++;
		if (asid_next < ASID_COUNT)
			break;
		asid_rollover();
	}
	as->asid_gen = (asid_generation << ASID_BITS) | asid_next++;
}

void hal_aspace_switch(struct hal_aspace *as)
{
	unsigned cpu = hal_cpu_id();
	irqflags_t f = hal_irq_save();
	uint64_t ttbr;

	while (__atomic_exchange_n(&asid_lock, 1, __ATOMIC_ACQUIRE))
		hal_cpu_relax();
	if (!as) {
		ttbr = arm64_empty_ttbr0();
		active_asid[cpu] = 0;
	} else {
		if (!asid_live(as))
			asid_assign(as);
		active_asid[cpu] = as->asid_gen;
		ttbr = as->root | (as->asid_gen & (ASID_COUNT - 1)) << 48;
	}
	if (flush_pending & (1UL << cpu)) {
		/* A rollover since our last switch: drop every old ASID's
		 * entries from this CPU's TLB [Arm ARM D8.13.5 TLBI VMALLE1]. */
		flush_pending &= ~(1UL << cpu);
		dsb(nshst);
		__asm__ volatile("tlbi vmalle1" ::: "memory");
		dsb(nsh);
	}
	__atomic_store_n(&current_on[cpu], as, __ATOMIC_RELAXED);
	__atomic_store_n(&asid_lock, 0, __ATOMIC_RELEASE);
	if (arm64_sw_pan) {
		/* Emulated PAN: the kernel keeps the empty TTBR0; usercopy and
		 * the return to EL0 load this one (one value for every CPU:
		 * the core runs tasks on the boot CPU only then). */
		arm64_user_ttbr0 = ttbr;
	} else {
		write_sysreg(ttbr0_el1, ttbr);
	}
	isb();
	hal_irq_restore(f);
}

int hal_map_page(struct hal_aspace *as, vaddr_t va, paddr_t pa, unsigned prot)
{
	if (!is_user_va(va) || (pa & ~PAGE_MASK))
		return -EINVAL;
	uint64_t *e = walk(as, va, true);
	if (!e)
		return -ENOMEM;
	uint64_t d = make_pte(pa, prot);
	icache_sync_for_map(pa, d);
	set_pte(as, e, va, d);
	return 0;
}

bool hal_unmap_page(struct hal_aspace *as, vaddr_t va, paddr_t *pa)
{
	uint64_t *e = is_user_va(va) ? walk(as, va, false) : NULL;

	if (!e || !pte_present(*e))
		return false;
	uint64_t old = *e;
	*e = 0;
	if (old & PTE_VALID)
		flush_page(as, va);
	if (pa)
		*pa = old & PTE_ADDR_MASK;
	return true;
}

bool hal_protect_page(struct hal_aspace *as, vaddr_t va, unsigned prot)
{
	uint64_t *e = is_user_va(va) ? walk(as, va, false) : NULL;

	if (!e || !pte_present(*e))
		return false;
	paddr_t pa = *e & PTE_ADDR_MASK;
	uint64_t d = make_pte(pa, prot);
	icache_sync_for_map(pa, d);
	set_pte(as, e, va, d);
	return true;
}

bool hal_query_page(struct hal_aspace *as, vaddr_t va, paddr_t *pa, unsigned *prot)
{
	uint64_t *e = is_user_va(va) ? walk(as, va, false) : NULL;

	if (!e || !pte_present(*e))
		return false;
	if (pa)
		*pa = *e & PTE_ADDR_MASK;
	if (prot)
		*prot = pte_prot(*e);
	return true;
}

bool arm64_user_page_protnone(uintptr_t va)
{
	uint64_t *e;

	if (!current_as || va < USER_BASE || va >= USER_TOP)
		return false;
	e = walk(current_as, va & PAGE_MASK, false);
	return e && (*e & PTE_SW_PROTNONE);
}

/* ---- Range operations (<hal/mmu.h>, hal/common/pt_range.h) ---- */

void hal_tlb_flush_range(struct hal_aspace *as, vaddr_t start, vaddr_t end, unsigned flags)
{
	uint64_t pages = (end - start) >> PAGE_SHIFT;

	dsb(ishst); /* the table writes before the invalidation [Arm ARM D8.13.7] */
	/* An address space without an ASID of this generation has no TLB
	 * entries (the rollover flushed them). The IS forms reach every CPU
	 * of the inner-shareable domain. A freed table may sit in walk caches,
	 * which TLBI VALE1 ("last level") leaves alone: by ASID then. */
	if (as && asid_live(as) && (start < end || (flags & HAL_TLB_TABLES))) {
		uint64_t asid = (as->asid_gen & (ASID_COUNT - 1)) << 48;

		if (!(flags & HAL_TLB_TABLES) && pages <= HAL_TLB_FLUSH_PAGES) {
			for (vaddr_t va = start; va < end; va += PAGE_SIZE)
				__asm__ volatile("tlbi vale1is, %0" ::"r"((va >> 12) | asid)
						 : "memory");
		} else {
			__asm__ volatile("tlbi aside1is, %0" ::"r"(asid) : "memory");
		}
		dsb(ish);
	}
	isb();
}

static uint64_t *pt_root(struct hal_aspace *as)
{
	return hal_phys_to_virt(as->root);
}

static bool pt_is_table(uint64_t e)
{
	return e & PTE_VALID;
}

static uint64_t *pt_table_va(uint64_t e)
{
	return table_va(e);
}

static bool pt_leaf_present(uint64_t e)
{
	return pte_present(e);
}

static bool pt_leaf_cached(uint64_t e)
{
	return e & PTE_VALID;
}

static paddr_t pt_leaf_pa(uint64_t e)
{
	return e & PTE_ADDR_MASK;
}

static unsigned pt_leaf_prot(uint64_t e)
{
	return pte_prot(e);
}

/* Same frame, new permissions: no break-before-make needed [Arm ARM
 * D8.14.1]; a page that becomes executable gets its I-cache made coherent
 * first (icache_sync_for_map()). */
static uint64_t pt_leaf_protect(uint64_t e, unsigned prot)
{
	paddr_t pa = e & PTE_ADDR_MASK;
	uint64_t d = make_pte(pa, prot);

	if (d != e)
		icache_sync_for_map(pa, d);
	return d;
}

#include "hal/common/pt_range.h"
