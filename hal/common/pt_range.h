/* The range operations of <hal/mmu.h> (hal_walk_range, hal_unmap_range,
 * hal_protect_range) over the user half of a 4-level tree of 512-entry
 * tables with 4 KiB leaves: x86_64 4-level paging [Intel SDM Vol. 3A §4.5]
 * and arm64 VMSAv8-64 with the 4 KiB granule and 48-bit VAs [Arm ARM
 * D8.2]. One walker for both arches: each arch's mmu.c includes this file
 * once, after defining its descriptor format as these static functions:
 *
 *   uint64_t *pt_root(struct hal_aspace *as)   the root table
 *   bool pt_is_table(uint64_t e)               levels 4..2: e points to a table
 *   uint64_t *pt_table_va(uint64_t e)          ... at this address
 *   bool pt_leaf_present(uint64_t e)           level 1: a mapped page (PROT_NONE too)
 *   bool pt_leaf_cached(uint64_t e)            ... that the TLB may hold
 *   paddr_t pt_leaf_pa(uint64_t e)
 *   unsigned pt_leaf_prot(uint64_t e)          HAL_PROT_*
 *   uint64_t pt_leaf_protect(uint64_t e, unsigned prot)  the entry with new
 *                                              protection (same frame)
 *
 * and hal_tlb_flush_range() (<hal/mmu.h>), the one TLB invalidation every
 * range call ends its batches with. User tables hold no large pages.
 *
 * Cost: the walk descends only into tables that exist, so a range costs the
 * tables and pages present in it, not its size (2^47 bytes of untouched
 * address space are 256 root entries). Changes are batched: one flush per
 * PT_BATCH pages, after which the caller's fn sees the pages (so it may
 * free their frames) and the page-table pages that unmapping emptied are
 * freed.
 */
#ifndef HAL_COMMON_PT_RANGE_H
#define HAL_COMMON_PT_RANGE_H

#define PT_LEVELS 4
#define PT_ENTRY_BITS 9
#define PT_BATCH 32	  /* pages per flush */
#define PT_TABLE_BATCH 16 /* emptied tables per flush */

enum pt_op { PT_WALK, PT_UNMAP, PT_PROTECT };

struct pt_range {
	struct hal_aspace *as;
	enum pt_op op;
	unsigned prot;	/* PT_PROTECT: HAL_PROT_* */
	unsigned flags; /* HAL_UNMAP_* */
	vaddr_t end;
	hal_page_fn fn;
	void *ctx;
	int ret;	 /* PT_WALK: the nonzero value fn returned */
	bool stop;	 /* fn asked to stop */
	uint64_t writes; /* tables whose entries this call changed (freeing tables) */
	unsigned n;	 /* pages in the batch */
	unsigned nt;	 /* emptied tables in the batch */
	vaddr_t lo, hi;	 /* [lo, hi): span of the batch's entries the TLB may hold */
	struct {
		vaddr_t va;
		uint64_t pte; /* unmap: the old entry; protect: the new one */
	} page[PT_BATCH];
	uint64_t *table[PT_TABLE_BATCH];
};

static bool pt_range_ok(vaddr_t start, vaddr_t end)
{
	return start >= USER_BASE && !(start & ~PAGE_MASK) && end <= USER_TOP;
}

/* Flush, then report the batch's pages to fn, then free the emptied tables
 * (no CPU can walk them any more). */
static void pt_batch_end(struct pt_range *r)
{
	if (r->hi > r->lo || r->nt)
		hal_tlb_flush_range(r->as, r->lo, r->hi, r->nt ? HAL_TLB_TABLES : 0);
	else if (r->n)
		hal_tlb_flush_range(r->as, 0, 0, 0); /* order the writes (arm64 DSB) */
	for (unsigned i = 0; i < r->n; i++) {
		uint64_t e = r->page[i].pte;

		if (r->fn && r->fn(r->ctx, r->page[i].va, pt_leaf_pa(e), pt_leaf_prot(e)))
			r->stop = true;
	}
	for (unsigned i = 0; i < r->nt; i++)
		frame_free(hal_virt_to_phys(r->table[i]), 0);
	r->n = r->nt = 0;
	r->lo = r->hi = 0;
}

/* Apply r to the leaf entry e (nonzero) of va; true if it changed. */
static bool pt_leaf(struct pt_range *r, uint64_t *e, vaddr_t va)
{
	uint64_t old = *e, new;

	if (!pt_leaf_present(old))
		return false;
	if (r->op == PT_WALK) {
		int x = r->fn(r->ctx, va, pt_leaf_pa(old), pt_leaf_prot(old));

		if (x) {
			r->ret = x;
			r->stop = true;
		}
		return false;
	}
	new = r->op == PT_UNMAP ? 0 : pt_leaf_protect(old, r->prot);
	if (new == old)
		return false;
	*e = new;
	if (pt_leaf_cached(old)) {
		if (r->hi == r->lo)
			r->lo = va;
		r->hi = va + PAGE_SIZE;
	}
	r->page[r->n].va = va;
	r->page[r->n].pte = r->op == PT_UNMAP ? old : new;
	if (++r->n == PT_BATCH)
		pt_batch_end(r);
	return true;
}

static bool pt_table_empty(const uint64_t *t)
{
	for (unsigned i = 0; i < (1u << PT_ENTRY_BITS); i++)
		if (t[i])
			return false;
	return true;
}

/* Apply r to the entries of table t (at level, 1 = leaves) from va up to
 * r->end or the end of t's reach; returns the first address not done. */
static vaddr_t pt_range_level(struct pt_range *r, uint64_t *t, unsigned level, vaddr_t va)
{
	const unsigned shift = PAGE_SHIFT + PT_ENTRY_BITS * (level - 1);
	const vaddr_t span = (vaddr_t)1 << shift;

	if (level == 1) { /* the hot loop: an absent entry is 0 on both arches */
		const unsigned nr = 1u << PT_ENTRY_BITS;
		unsigned i = (va >> PAGE_SHIFT) & (nr - 1);
		const vaddr_t base = va - ((vaddr_t)i << PAGE_SHIFT);
		unsigned last = r->end - va >= (vaddr_t)(nr - i) << PAGE_SHIFT ?
					nr :
					i + (unsigned)((r->end - va) >> PAGE_SHIFT);

		bool changed = false;

		for (; i < last; i++) {
			if (!t[i])
				continue;
			changed |= pt_leaf(r, &t[i], base + ((vaddr_t)i << PAGE_SHIFT));
			if (r->stop) {
				last = i + 1;
				break;
			}
		}
		r->writes += changed;
		return base + ((vaddr_t)last << PAGE_SHIFT);
	}
	while (va < r->end && !r->stop) {
		unsigned i = (va >> shift) & ((1u << PT_ENTRY_BITS) - 1);
		vaddr_t next = (va & ~(span - 1)) + span;

		if (pt_is_table(t[i])) {
			uint64_t *child = pt_table_va(t[i]);
			uint64_t writes = r->writes;
			bool whole = va == next - span && r->end >= next;
			vaddr_t done = pt_range_level(r, child, level - 1, va);

			/* Free a table this unmap emptied: all of its reach was
			 * unmapped, or it changed and holds nothing now. */
			if (r->op == PT_UNMAP && !(r->flags & HAL_UNMAP_KEEP_TABLES) &&
			    ((whole && done >= next) ||
			     (r->writes != writes && pt_table_empty(child)))) {
				t[i] = 0;
				r->writes++;
				r->table[r->nt++] = child;
				if (r->nt == PT_TABLE_BATCH)
					pt_batch_end(r);
			}
			if (done < next)
				return done; /* stopped inside child */
		}
		va = next;
		if (i == (1u << PT_ENTRY_BITS) - 1)
			break;
	}
	return va;
}

/* Run r over [start, r->end); returns where it stopped (r->end if done). */
static vaddr_t pt_range_run(struct pt_range *r, vaddr_t start)
{
	vaddr_t va = pt_range_level(r, pt_root(r->as), PT_LEVELS, start);

	if (r->op != PT_WALK)
		pt_batch_end(r);
	return va < r->end && r->stop ? va : r->end;
}

int hal_walk_range(struct hal_aspace *as, vaddr_t start, vaddr_t end, hal_page_fn fn, void *ctx)
{
	struct pt_range r = { .as = as, .op = PT_WALK, .end = end, .fn = fn, .ctx = ctx };

	if (!as || !pt_range_ok(start, end))
		return 0;
	pt_range_run(&r, start);
	return r.ret;
}

vaddr_t hal_unmap_range(struct hal_aspace *as, vaddr_t start, vaddr_t end, unsigned flags,
			hal_page_fn fn, void *ctx)
{
	struct pt_range r = {
		.as = as, .op = PT_UNMAP, .flags = flags, .end = end, .fn = fn, .ctx = ctx
	};

	if (!as || !pt_range_ok(start, end))
		return end;
	return pt_range_run(&r, start);
}

vaddr_t hal_protect_range(struct hal_aspace *as, vaddr_t start, vaddr_t end, unsigned prot,
			  hal_page_fn fn, void *ctx)
{
	struct pt_range r = {
		.as = as, .op = PT_PROTECT, .prot = prot, .end = end, .fn = fn, .ctx = ctx
	};

	if (!as || !pt_range_ok(start, end))
		return end;
	return pt_range_run(&r, start);
}

#endif
