/* Page tables: 4-level paging with 4 KiB user pages [Intel SDM Vol. 3A
 * §4.5]. The kernel half (PML4 slots 256-511) is built here at boot and
 * shared by every address space: hal_aspace_create() copies its PML4
 * entries, so every kernel PML4 slot must exist before the first address
 * space does (checked; the HAL creates all of them during boot).
 *
 *   slot 273  direct map: RAM at DIRECT_MAP_BASE + pa (2 MiB / 1 GiB pages, NX)
 *   slot 402  I/O window: hal_ioremap() (4 KiB pages, UC, NX)
 *   slot 511  image: KERNEL_VMA + pa, 4 KiB pages, text RX, rodata R+NX,
 *             data/bss RW+NX (W^X: Fortress, Balanced, Performance);
 *             all RWX under Ludicrous (<hal/hardening.h>)
 */
#include <hal/boot.h>
#include <hal/cpu.h>
#include <hal/frame.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include <kevlar/profile.h>
#include <string.h>
#include "x64.h"

#define ADDR_MASK 0x000ffffffffff000ULL
#define PT_ENTRIES 512
#define GIB (1ULL << 30)
#define MIB2 (1ULL << 21)
#define DIRECT_MAP_SLOTS 8 /* up to 4 TiB of physical address space */
#define POOL_PAGES 64

struct hal_aspace {
	uint64_t pml4[PT_ENTRIES]; /* the aspace is its own root page (direct map) */
};

typedef uint64_t pt_page[PT_ENTRIES];

/* Kernel page-table pages before the frame allocator exists. */
static pt_page pool[POOL_PAGES] __aligned(4096) __section(".bss.page_aligned");
static unsigned pool_used;
static pt_page kernel_pml4 __aligned(4096) __section(".bss.page_aligned");
static bool frame_alloc_ready;	/* after hal_mm_init(): the core's allocator may be used */
static bool kernel_half_frozen; /* an aspace copied the kernel PML4 slots */
/* The address space each CPU's CR3 holds (NULL: the kernel's); each entry
 * written only by its CPU, read by the TLB shootdown of the others
 * (tlb.c). */
struct hal_aspace *x64_current_as[HAL_MAX_CPUS];
#define current_as (x64_current_as[hal_cpu_id()])
static uintptr_t ioremap_next = IOREMAP_BASE;
bool x64_kernel_wx; /* the image is mapped W^X */

static uint64_t leaf_global(void)
{
	return x64_cpu.pge ? PTE_G : 0;
}

static uint64_t nx_bit(void)
{
	return x64_cpu.nx ? PTE_NX : 0;
}

void *hal_phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECT_MAP_BASE);
}

paddr_t hal_virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	if (v >= KERNEL_VMA)
		return v - KERNEL_VMA;
	return v - DIRECT_MAP_BASE;
}

bool hal_is_kernel_text(uintptr_t addr)
{
	return addr >= (uintptr_t)__text_start && addr < (uintptr_t)__text_end;
}

uint64_t x64_kernel_pml4_pa(void)
{
	return hal_virt_to_phys(kernel_pml4);
}

/* A zeroed page for a kernel-half table: the static pool first, then (once
 * hal_mm_init() returned) the frame allocator. */
static uint64_t *kernel_table_alloc(void)
{
	paddr_t pa;

	if (pool_used < POOL_PAGES)
		return pool[pool_used++];
	if (!frame_alloc_ready)
		return 0;
	pa = frame_alloc(0);
	return pa ? hal_phys_to_virt(pa) : 0;
}

/* The table an entry points to, allocating it (with flags) if absent. */
static uint64_t *next_table(uint64_t *entry, uint64_t flags, bool kernel)
{
	if (!(*entry & PTE_P)) {
		uint64_t *t;

		if (kernel) {
			t = kernel_table_alloc();
		} else {
			paddr_t pa = frame_alloc(0);

			t = pa ? hal_phys_to_virt(pa) : 0;
		}
		if (!t)
			return 0;
		*entry = hal_virt_to_phys(t) | flags;
	}
	return hal_phys_to_virt(*entry & ADDR_MASK);
}

static unsigned idx(uintptr_t va, unsigned level) /* level 4 = PML4 .. 1 = PT */
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

/* Kernel-half PML4 slot; creating one after an aspace exists would not
 * reach that aspace's root. */
static uint64_t *kernel_pdpt(uintptr_t va)
{
	uint64_t *e = &kernel_pml4[idx(va, 4)];

	if (!(*e & PTE_P) && kernel_half_frozen)
		return 0;
	return next_table(e, PTE_P | PTE_W, true);
}

/* Map [pa, pa + size) (2 MiB granules) into the direct map. */
static int direct_map_range(uint64_t start, uint64_t end)
{
	const uint64_t leaf = PTE_P | PTE_W | PTE_A | PTE_D | PTE_PS | leaf_global() | nx_bit();

	start &= ~(MIB2 - 1);
	end = (end + MIB2 - 1) & ~(MIB2 - 1);
	if (end > (uint64_t)DIRECT_MAP_SLOTS << 39)
		end = (uint64_t)DIRECT_MAP_SLOTS << 39;
	for (uint64_t pa = start; pa < end;) {
		uintptr_t va = pa + DIRECT_MAP_BASE;
		uint64_t *pdpt = kernel_pdpt(va), *pd, *pde;
		uint64_t *pdpte;

		if (!pdpt)
			return -ENOMEM;
		pdpte = &pdpt[idx(va, 3)];
		if (*pdpte & PTE_PS) { /* already a 1 GiB page */
			pa = (pa + GIB) & ~(GIB - 1);
			continue;
		}
		if (x64_cpu.pdpe1gb && !(pa & (GIB - 1)) && pa + GIB <= end && !(*pdpte & PTE_P)) {
			*pdpte = pa | leaf;
			pa += GIB;
			continue;
		}
		pd = next_table(pdpte, PTE_P | PTE_W, true);
		if (!pd)
			return -ENOMEM;
		pde = &pd[idx(va, 2)];
		if (!(*pde & PTE_P))
			*pde = pa | leaf;
		pa += MIB2;
	}
	return 0;
}

/* One 4 KiB kernel page (image or I/O window). */
static int kernel_map_4k(uintptr_t va, paddr_t pa, uint64_t flags)
{
	uint64_t *pdpt = kernel_pdpt(va), *pd, *pt;

	if (!pdpt)
		return -ENOMEM;
	pd = next_table(&pdpt[idx(va, 3)], PTE_P | PTE_W, true);
	if (!pd)
		return -ENOMEM;
	pt = next_table(&pd[idx(va, 2)], PTE_P | PTE_W, true);
	if (!pt)
		return -ENOMEM;
	pt[idx(va, 1)] = (pa & ADDR_MASK) | flags;
	return 0;
}

static void early_fail(void)
{
	/* Out of boot page-table pool: nothing can be printed yet. */
	hal_cpu_halt();
}

/* Build the final kernel page tables and switch to them (setup.c, before
 * kernel_main). */
void x64_mmu_early_init(const struct hal_boot_info *bi)
{
	const uint64_t g = leaf_global() | PTE_A;
	uintptr_t va;

	/* W^X: text R+X, rodata R+NX, data/bss RW+NX. CR0.WP (x64_cpu_init)
	 * makes read-only bind the kernel too, EFER.NXE (boot.S) makes XD
	 * mean something [Intel SDM Vol. 3A §4.6.1, §4.1.3, §2.5]. Ludicrous
	 * maps the whole image RWX. */
#ifdef KEVLAR_PROFILE_LUDICROUS
	const bool wx = false;
#else
	const bool wx = true;
#endif
	for (va = (uintptr_t)__kernel_start; va < (uintptr_t)__kernel_end; va += PAGE_SIZE) {
		uint64_t flags = PTE_P | g;

		if (!wx)
			flags |= PTE_W | PTE_D;
		else if (va >= (uintptr_t)__data_start)
			flags |= PTE_W | PTE_D | nx_bit();
		else if (va >= (uintptr_t)__rodata_start)
			flags |= nx_bit();
		if (kernel_map_4k(va, va - KERNEL_VMA, flags))
			early_fail();
	}
	x64_kernel_wx = wx && x64_cpu.nx;

	/* The direct map: RAM the loader reported below 4 GiB (the rest
	 * waits for hal_mm_init(), which can report -ENOMEM), the first 2 MiB
	 * (BIOS areas) and the initrd; without a loader memory map, the first
	 * GiB until hal_mm_init() brings the DT's ranges. */
	if (direct_map_range(0, MIB2))
		early_fail();
	for (unsigned i = 0; i < bi->nr_mem; i++) {
		uint64_t start = bi->mem[i].base, end = start + bi->mem[i].size;

		if (start < 4 * GIB && direct_map_range(start, MIN(end, 4 * GIB)))
			early_fail();
	}
	if (!bi->nr_mem && direct_map_range(0, GIB))
		early_fail();
	if (bi->initrd_size && direct_map_range(bi->initrd_base, bi->initrd_base + bi->initrd_size))
		early_fail();

	/* Create the I/O window's PML4 slot now, while no aspace exists. */
	if (!kernel_pdpt(IOREMAP_BASE))
		early_fail();

	write_cr3(x64_kernel_pml4_pa());
}

int hal_mm_init(const struct hal_mem_range *ram, unsigned nr)
{
	int err = 0;

	for (unsigned i = 0; i < nr && !err; i++)
		err = direct_map_range(ram[i].base, ram[i].base + ram[i].size);
	frame_alloc_ready = true;
	return err;
}

/* ACPI tables sit in RAM the e820 map calls reserved or ACPI (types 2-4),
 * which are cached write-back like the rest of RAM on a PC: they join
 * the direct map (2 MiB pages) rather than the uncached I/O window. The
 * addresses come from untrusted tables: a mapping that would leave fewer
 * than FW_POOL_RESERVE boot-pool pages (hal_mm_init's RAM still needs
 * them) is refused, so tables scattered over the address space cannot
 * exhaust the pool. One mapping takes at most 2 pages (a PDPT and a PD)
 * plus one per further GiB it spans. */
#define FW_POOL_RESERVE 32

const void *hal_firmware_map(paddr_t pa, uint64_t len)
{
	if (!len || pa + len < pa || pa + len > (uint64_t)DIRECT_MAP_SLOTS << 39 ||
	    kernel_half_frozen || frame_alloc_ready)
		return NULL;
	if (POOL_PAGES - pool_used < FW_POOL_RESERVE + 2 + ((pa + len - 1) >> 30) - (pa >> 30))
		return NULL;
	if (direct_map_range(pa, pa + len))
		return NULL;
	return hal_phys_to_virt(pa);
}

uintptr_t hal_ioremap(paddr_t pa, uint64_t size)
{
	paddr_t first = pa & PAGE_MASK;
	uint64_t len = PAGE_ALIGN_UP(pa + size) - first;
	uintptr_t va = ioremap_next;

	if (!size || len > IOREMAP_BASE + IOREMAP_SIZE - ioremap_next)
		return 0;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		/* PCD|PWT: UC with the default PAT [Intel SDM Vol. 3A §11.12.3]. */
		if (kernel_map_4k(va + off, first + off,
				  PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_A | PTE_D |
					  leaf_global() | nx_bit()))
			return 0;
	}
	ioremap_next += len + PAGE_SIZE; /* an unmapped guard page between mappings */
	return va + (pa - first);
}

/* ---- User address spaces ---- */

struct hal_aspace *hal_aspace_create(void)
{
	paddr_t pa = frame_alloc(0);
	struct hal_aspace *as;

	if (!pa)
		return 0;
	as = hal_phys_to_virt(pa);
	memset(as->pml4, 0, sizeof(as->pml4) / 2);
	memcpy(&as->pml4[256], &kernel_pml4[256], sizeof(as->pml4) / 2);
	kernel_half_frozen = true;
	return as;
}

/* Is any of the eight entries at t present? One test for eight: most
 * entries of a process's tables are empty (the teardown scan was 9 % of an
 * execve). */
static inline bool any_present8(const uint64_t *t)
{
	return ((t[0] | t[1] | t[2] | t[3] | t[4] | t[5] | t[6] | t[7]) & PTE_P) != 0;
}

static void free_table(uint64_t *t, unsigned level)
{
	if (level > 1) {
		for (unsigned i = 0; i < PT_ENTRIES; i += 8) {
			if (!any_present8(&t[i]))
				continue;
			for (unsigned j = i; j < i + 8; j++)
				if (t[j] & PTE_P)
					free_table(hal_phys_to_virt(t[j] & ADDR_MASK), level - 1);
		}
	}
	frame_free(hal_virt_to_phys(t), 0);
}

void hal_aspace_destroy(struct hal_aspace *as)
{
	if (!as)
		return;
	if (as == current_as)
		hal_aspace_switch(0);
	for (unsigned i = 0; i < 256; i += 8) { /* the user half */
		if (!any_present8(&as->pml4[i]))
			continue;
		for (unsigned j = i; j < i + 8; j++)
			if (as->pml4[j] & PTE_P)
				free_table(hal_phys_to_virt(as->pml4[j] & ADDR_MASK), 3);
	}
	frame_free(hal_virt_to_phys(as), 0);
}

void hal_aspace_switch(struct hal_aspace *as)
{
	if (as == current_as)
		return;
	/* Visible before CR3 loads as: a shootdown that misses it ran its
	 * PTE writes before this fence, so our walks see them. */
	__atomic_store_n(&current_as, as, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	write_cr3(as ? hal_virt_to_phys(as) : x64_kernel_pml4_pa());
}

static bool user_va(vaddr_t va)
{
	return va >= USER_BASE && va < USER_TOP && !(va & ~PAGE_MASK);
}

/* The PTE for a user va, creating the tables if alloc. */
static uint64_t *user_pte(struct hal_aspace *as, vaddr_t va, bool alloc)
{
	uint64_t *t = as->pml4;
	const uint64_t flags = PTE_P | PTE_W | PTE_U;

	for (unsigned level = 4; level > 1; level--) {
		uint64_t *e = &t[idx(va, level)];

		if (!(*e & PTE_P)) {
			if (!alloc)
				return 0;
			t = next_table(e, flags, false);
			if (!t)
				return 0;
		} else {
			t = hal_phys_to_virt(*e & ADDR_MASK);
		}
	}
	return &t[idx(va, 1)];
}

/* HAL_PROT_* -> PTE. x86 cannot express "mapped, no access": such pages
 * stay non-present with a software bit that keeps the frame address. */
static uint64_t prot_to_pte(paddr_t pa, unsigned prot)
{
	uint64_t pte = pa & ADDR_MASK;

	if (!(prot & (HAL_PROT_READ | HAL_PROT_WRITE | HAL_PROT_EXEC)))
		return pte | PTE_SW_NONE;
	pte |= PTE_P | PTE_U;
	if (prot & HAL_PROT_WRITE)
		pte |= PTE_W;
	if (!(prot & HAL_PROT_EXEC))
		pte |= nx_bit();
	return pte;
}

static bool pte_mapped(uint64_t pte)
{
	return pte & (PTE_P | PTE_SW_NONE);
}

static void flush(struct hal_aspace *as, vaddr_t va)
{
	hal_tlb_flush_range(as, va, va + PAGE_SIZE, 0);
}

int hal_map_page(struct hal_aspace *as, vaddr_t va, paddr_t pa, unsigned prot)
{
	uint64_t *pte, old;

	if (!as || !user_va(va) || (pa & ~PAGE_MASK))
		return -EINVAL;
	pte = user_pte(as, va, true);
	if (!pte)
		return -ENOMEM;
	old = *pte;
	*pte = prot_to_pte(pa, prot);
	if (old & PTE_P)
		flush(as, va);
	return 0;
}

bool hal_unmap_page(struct hal_aspace *as, vaddr_t va, paddr_t *pa)
{
	uint64_t *pte, old;

	if (!as || !user_va(va))
		return false;
	pte = user_pte(as, va, false);
	if (!pte || !pte_mapped(*pte))
		return false;
	old = *pte;
	*pte = 0;
	if (old & PTE_P)
		flush(as, va);
	if (pa)
		*pa = old & ADDR_MASK;
	return true;
}

bool hal_protect_page(struct hal_aspace *as, vaddr_t va, unsigned prot)
{
	uint64_t *pte, old;

	if (!as || !user_va(va))
		return false;
	pte = user_pte(as, va, false);
	if (!pte || !pte_mapped(*pte))
		return false;
	old = *pte;
	*pte = prot_to_pte(old & ADDR_MASK, prot);
	if (old & PTE_P)
		flush(as, va);
	return true;
}

bool hal_query_page(struct hal_aspace *as, vaddr_t va, paddr_t *pa, unsigned *prot)
{
	uint64_t *pte;
	unsigned p = HAL_PROT_USER;

	if (!as || !user_va(va))
		return false;
	pte = user_pte(as, va, false);
	if (!pte || !pte_mapped(*pte))
		return false;
	if (*pte & PTE_P) {
		p |= HAL_PROT_READ;
		if (*pte & PTE_W)
			p |= HAL_PROT_WRITE;
		if (!(*pte & PTE_NX))
			p |= HAL_PROT_EXEC;
	}
	if (pa)
		*pa = *pte & ADDR_MASK;
	if (prot)
		*prot = p;
	return true;
}

/* ---- Range operations (<hal/mmu.h>, hal/common/pt_range.h) ---- */

static unsigned pte_prot(uint64_t pte)
{
	unsigned p = HAL_PROT_USER;

	if (pte & PTE_P) {
		p |= HAL_PROT_READ;
		if (pte & PTE_W)
			p |= HAL_PROT_WRITE;
		if (!(pte & PTE_NX))
			p |= HAL_PROT_EXEC;
	}
	return p;
}

void hal_tlb_flush_range(struct hal_aspace *as, vaddr_t start, vaddr_t end, unsigned flags)
{
	/* Without PCIDs only the loaded address space has TLB entries: a CR3
	 * load dropped the others' [Intel SDM Vol. 3A §4.10.4.1]. INVLPG also
	 * drops every paging-structure-cache entry (the freed tables'). */
	if (!as || (start >= end && !(flags & HAL_TLB_TABLES)))
		return;
	x64_tlb_shootdown(as, start, end); /* the other CPUs that hold as */
	if (as != current_as)
		return;
	x64_tlb_flush_local(as, start, end);
}

void x64_tlb_flush_local(struct hal_aspace *as, vaddr_t start, vaddr_t end)
{
	if (start < end && ((end - start) >> PAGE_SHIFT) <= HAL_TLB_FLUSH_PAGES) {
		for (vaddr_t va = start; va < end; va += PAGE_SIZE)
			invlpg(va);
	} else {
		write_cr3(hal_virt_to_phys(as)); /* global kernel entries survive */
	}
}

static uint64_t *pt_root(struct hal_aspace *as)
{
	return as->pml4;
}

static bool pt_is_table(uint64_t e)
{
	return e & PTE_P;
}

static uint64_t *pt_table_va(uint64_t e)
{
	return hal_phys_to_virt(e & ADDR_MASK);
}

static bool pt_leaf_present(uint64_t e)
{
	return pte_mapped(e);
}

static bool pt_leaf_cached(uint64_t e)
{
	return e & PTE_P;
}

static paddr_t pt_leaf_pa(uint64_t e)
{
	return e & ADDR_MASK;
}

static unsigned pt_leaf_prot(uint64_t e)
{
	return pte_prot(e);
}

static uint64_t pt_leaf_protect(uint64_t e, unsigned prot)
{
	return prot_to_pte(e & ADDR_MASK, prot);
}

#include "hal/common/pt_range.h"
