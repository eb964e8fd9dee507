/* Address spaces and page tables. [Intel SDM Vol. 3A §4.5 (4-level paging)],
 * [Arm ARM D8 (VMSAv8-64), 4 KiB granule, 48-bit VA].
 *
 * The kernel half (direct map, image, I/O mappings) is shared by every
 * address space. User mappings live in [USER_BASE, USER_TOP) and are 4 KiB
 * pages. Page-table pages come from frame_alloc() (kernel/mm, see frame.h).
 * None of these functions may be called from IRQ context; callers serialise
 * operations on one address space (one CPU in this version).
 */
#ifndef HAL_MMU_H
#define HAL_MMU_H
#include <hal/types.h>

/* Protection bits for user pages. */
#define HAL_PROT_READ 0x1
#define HAL_PROT_WRITE 0x2
#define HAL_PROT_EXEC 0x4
#define HAL_PROT_USER 0x8 /* accessible from EL0/ring 3; always set for user pages */

struct hal_aspace; /* opaque: root table + arch data */

/* Create an empty user address space sharing the kernel half.
 * Returns NULL on -ENOMEM. */
struct hal_aspace *hal_aspace_create(void);
/* Free every page-table page of the user half and the root (not the
 * mapped frames: the caller unmaps and frees those first). */
void hal_aspace_destroy(struct hal_aspace *as);
/* Make as current on this CPU (CR3 / TTBR0_EL1). NULL = kernel only. */
void hal_aspace_switch(struct hal_aspace *as);

/* Map one 4 KiB page va -> pa with prot (HAL_PROT_*). va and pa page
 * aligned, va in user range. Replaces an existing mapping (flushing it).
 * Returns 0 or -ENOMEM (no frame for a table). */
int hal_map_page(struct hal_aspace *as, vaddr_t va, paddr_t pa, unsigned prot);
/* Unmap one page; returns true and *pa if it was mapped. Flushes the TLB. */
bool hal_unmap_page(struct hal_aspace *as, vaddr_t va, paddr_t *pa);
/* Change the protection of a mapped page; false if not mapped. */
bool hal_protect_page(struct hal_aspace *as, vaddr_t va, unsigned prot);
/* Look up a mapping; returns true and fills *pa and *prot if mapped. */
bool hal_query_page(struct hal_aspace *as, vaddr_t va, paddr_t *pa, unsigned *prot);

/* Range operations: cost in proportion to the page tables present, not to
 * the size of the range (a sparse 8 MiB stack area costs a few table
 * lookups; 2^47 bytes of untouched PROT_NONE space cost the 256 root
 * entries), with TLB invalidation batched: one hal_tlb_flush_range() per
 * 32 pages changed (Zircon's ArchVmAspace::Unmap, Linux's mmu_gather).
 * fn is called for each mapped page of [start, end) (page aligned, inside
 * the user range) in ascending order, with its frame and HAL_PROT_* bits
 * (a PROT_NONE page has only HAL_PROT_USER). */
typedef int (*hal_page_fn)(void *ctx, vaddr_t va, paddr_t pa, unsigned prot);
/* Visit the mapped pages; stops at, and returns, the first nonzero value fn
 * returns (0 if none). fn may change or unmap the page it is given (not
 * others), and may map pages into other address spaces. */
int hal_walk_range(struct hal_aspace *as, vaddr_t start, vaddr_t end, hal_page_fn fn, void *ctx);

/* Unmap the pages of [start, end). fn (may be NULL) gets each page that was
 * mapped once its translation is gone from every TLB, so it may free the
 * frame, or map it elsewhere in as (outside [start, end)). fn returns
 * nonzero to stop the call once the pages already unmapped are reported
 * (a preemption point: call again from the returned address).
 * Page-table pages the call empties are freed, unless flags has
 * HAL_UNMAP_KEEP_TABLES (teardown: hal_aspace_destroy() frees them all).
 * Returns end, or the first address not done if fn stopped the call. */
#define HAL_UNMAP_KEEP_TABLES 0x1
vaddr_t hal_unmap_range(struct hal_aspace *as, vaddr_t start, vaddr_t end, unsigned flags,
			hal_page_fn fn, void *ctx);
/* Give every mapped page of [start, end) the protection prot (HAL_PROT_*;
 * without READ/WRITE/EXEC a page stays mapped but inaccessible, as
 * hal_protect_page()). fn (may be NULL) gets each changed page with its new
 * protection after the flush; nonzero stops the call as for
 * hal_unmap_range(). Returns end or the first address not done. On arm64
 * pages that become executable have their instruction cache made coherent
 * first. */
vaddr_t hal_protect_range(struct hal_aspace *as, vaddr_t start, vaddr_t end, unsigned prot,
			  hal_page_fn fn, void *ctx);

/* The one TLB invalidation of the range calls: after it returns, no CPU
 * holds a translation of as for [start, end) (HAL_TLB_TABLES: nor a cached
 * table-walk entry of as anywhere, because page-table pages were freed).
 * start == end with no flags only orders earlier page-table writes before
 * later accesses. Up to HAL_TLB_FLUSH_PAGES pages are invalidated one by
 * one (x86 INVLPG [Intel SDM Vol. 3A §4.10.4.1], arm64 TLBI VALE1IS [Arm
 * ARM D8.13]), more as a whole (CR3 reload; TLBI ASIDE1IS). arm64 uses the
 * inner-shareable (broadcast) forms; SMP extends the x86 side with an IPI
 * to every CPU that has as loaded. */
#define HAL_TLB_TABLES 0x1
#define HAL_TLB_FLUSH_PAGES 32 /* Linux tlb_single_page_flush_ceiling is 33 */
void hal_tlb_flush_range(struct hal_aspace *as, vaddr_t start, vaddr_t end, unsigned flags);

/* Direct map: every RAM byte at a fixed kernel virtual address.
 * Valid only for RAM ranges passed to hal_mm_init(). */
void *hal_phys_to_virt(paddr_t pa);
/* Inverse of hal_phys_to_virt() for direct-map and kernel-image addresses. */
paddr_t hal_virt_to_phys(const void *va);

/* Map a device region uncached (Device-nGnRE / UC) into kernel space and
 * return its virtual address, or 0 on failure. size in bytes. */
uintptr_t hal_ioremap(paddr_t pa, uint64_t size);

/* Firmware tables in RAM (ACPI) for reading at boot: map [pa, pa+len)
 * cached into the direct map if it is not there yet and return its
 * kernel virtual address, or NULL if it cannot be mapped (beyond the
 * direct map, over the share of boot page-table memory firmware tables
 * may use, or an arch without firmware tables: arm64 returns NULL). Only
 * before hal_mm_init() (kernel_main's board parsing); NULL afterwards. */
const void *hal_firmware_map(paddr_t pa, uint64_t len);

/* Is [addr, addr+len) inside the kernel image text? (for W^X checks and
 * backtraces) */
bool hal_is_kernel_text(uintptr_t addr);

#endif
