/* The physical frame allocator: a binary buddy allocator over RAM minus
 * the reserved ranges, blocks of 2^0 .. 2^FRAME_MAX_ORDER frames (4 KiB ..
 * 4 MiB), naturally aligned. [Knuth TAOCP vol. 1 §2.5 "buddy system"],
 * the scheme of Linux's mm/page_alloc.c.
 *
 * Metadata: one 16-bit word per frame of each RAM section (the RAM ranges
 * of the board, after page alignment), carved out of the first free range
 * large enough and reached through the direct map. The word is
 * FREE_HEAD|order for the first frame of a free block; for an allocated
 * order-0 frame it is the number of references beyond the first
 * (frame_get(), for pages mapped by several address spaces or shared
 * between a file and its mappings); 0 otherwise. Free blocks are linked
 * through their own first bytes (the frame is unused, so it may hold the
 * list node). Buddies merge only inside one section.
 *
 * Not for IRQ context. frame_lock (irqsave, a leaf: nothing is taken
 * under it) protects the free lists, the per-frame words and the counters;
 * a new block is zeroed after it is dropped.
 */
#include <hal/frame.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <string.h>

#define FRAME_MAX_ORDER 10
/* state word of a frame: FREE_HEAD | order for the first frame of a free
 * block; for an allocated block's first frame its extra references
 * (REF_MASK) and FRAME_ICACHE_CLEAN; 0 otherwise. */
#define FREE_HEAD 0x8000
#define FRAME_ICACHE_CLEAN 0x4000 /* frame_icache_clean() */
#define REF_MASK 0x3fff
#define MAX_EXTRA_REFS REF_MASK
#define MAX_SECTIONS 32 /* RAM ranges: HAL_BOOT_MAX_RANGES, BOARD_MAX_RANGES */
#define MAX_RESERVED 128
#define MAX_FREE_RANGES 256

struct section {
	uint64_t base_pfn, end_pfn; /* [base, end) */
	uint16_t *state;	    /* end - base words */
};

struct free_node {
	struct free_node *next, *prev;
};

static DEFINE_SPINLOCK(frame_lock);
static struct section sections[MAX_SECTIONS];
static unsigned nr_sections;
static struct free_node free_lists[FRAME_MAX_ORDER + 1]; /* circular list heads */
static uint64_t total_frames, free_frames;

static struct section *find_section(uint64_t pfn)
{
	for (unsigned i = 0; i < nr_sections; i++) {
		if (pfn >= sections[i].base_pfn && pfn < sections[i].end_pfn)
			return &sections[i];
	}
	return NULL;
}

static struct free_node *node_of(uint64_t pfn)
{
	return hal_phys_to_virt((paddr_t)pfn << PAGE_SHIFT);
}

static void list_push(unsigned order, uint64_t pfn)
{
	struct free_node *n = node_of(pfn), *h = &free_lists[order];

	n->next = h->next;
	n->prev = h;
	h->next->prev = n;
	h->next = n;
}

static void list_remove(struct free_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

/* Put a free, aligned block of 2^order frames at pfn (inside s) on its
 * list, merging with free buddies. */
static void free_block(struct section *s, uint64_t pfn, unsigned order)
{
	while (order < FRAME_MAX_ORDER) {
		uint64_t buddy = pfn ^ (1ULL << order);

		if (buddy < s->base_pfn || buddy + (1ULL << order) > s->end_pfn ||
		    s->state[buddy - s->base_pfn] != (FREE_HEAD | order))
			break;
		list_remove(node_of(buddy));
		s->state[buddy - s->base_pfn] = 0;
		pfn &= ~(1ULL << order);
		order++;
	}
	s->state[pfn - s->base_pfn] = (uint16_t)(FREE_HEAD | order);
	list_push(order, pfn);
}

paddr_t frame_alloc(unsigned order)
{
	unsigned k;
	struct free_node *n;
	uint64_t pfn;
	struct section *s;

	irqflags_t f;

	if (order > FRAME_MAX_ORDER)
		return 0;
	f = spin_lock_irqsave(&frame_lock);
	for (k = order; k <= FRAME_MAX_ORDER; k++) {
		if (free_lists[k].next != &free_lists[k] && free_lists[k].next)
			break;
	}
	if (k > FRAME_MAX_ORDER) {
		spin_unlock_irqrestore(&frame_lock, f);
		return 0;
	}
	n = free_lists[k].next;
	list_remove(n);
	pfn = hal_virt_to_phys(n) >> PAGE_SHIFT;
	s = find_section(pfn);
	KASSERT(s && s->state[pfn - s->base_pfn] == (FREE_HEAD | k));
	s->state[pfn - s->base_pfn] = 0;
	/* Split: keep the lower half, free the upper halves. */
	while (k > order) {
		k--;
		s->state[pfn + (1ULL << k) - s->base_pfn] = (uint16_t)(FREE_HEAD | k);
		list_push(k, pfn + (1ULL << k));
	}
	free_frames -= 1ULL << order;
	spin_unlock_irqrestore(&frame_lock, f);
	for (uint64_t i = 0; i < 1ULL << order; i++)
		frame_zero((paddr_t)(pfn + i) << PAGE_SHIFT); /* the arch's fastest page clear */
	return (paddr_t)pfn << PAGE_SHIFT;
}

void frame_free(paddr_t pa, unsigned order)
{
	uint64_t pfn = pa >> PAGE_SHIFT;
	struct section *s = find_section(pfn);
	irqflags_t f;

	if (!pa)
		return;
	KASSERT(order <= FRAME_MAX_ORDER && !(pa & (PAGE_SIZE - 1)) &&
		!(pfn & ((1ULL << order) - 1)));
	KASSERT(s && pfn + (1ULL << order) <= s->end_pfn);
	f = spin_lock_irqsave(&frame_lock);
	/* Double free: the block (or a block containing it) is already free. */
	KASSERT(!(s->state[pfn - s->base_pfn] & FREE_HEAD));
	if (s->state[pfn - s->base_pfn] & REF_MASK) {
		KASSERT(order == 0);
		s->state[pfn - s->base_pfn]--; /* another reference remains */
	} else {
		s->state[pfn - s->base_pfn] = 0;
		free_frames += 1ULL << order;
		free_block(s, pfn, order);
	}
	spin_unlock_irqrestore(&frame_lock, f);
}

int frame_get(paddr_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;
	struct section *s = find_section(pfn);

	irqflags_t f;
	int r = 0;

	KASSERT(s && !(pa & (PAGE_SIZE - 1)));
	f = spin_lock_irqsave(&frame_lock);
	KASSERT(!(s->state[pfn - s->base_pfn] & FREE_HEAD));
	if ((s->state[pfn - s->base_pfn] & REF_MASK) >= MAX_EXTRA_REFS)
		r = -ENOMEM;
	else
		s->state[pfn - s->base_pfn]++;
	spin_unlock_irqrestore(&frame_lock, f);
	return r;
}

/* The state word of an allocated frame, or NULL for memory the allocator
 * does not manage (the kernel image, the HAL's own pages). */
static uint16_t *alloc_state(paddr_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;
	struct section *s = find_section(pfn);

	if (!s || (s->state[pfn - s->base_pfn] & FREE_HEAD))
		return NULL;
	return &s->state[pfn - s->base_pfn];
}

unsigned frame_refcount(paddr_t pa)
{
	irqflags_t f = spin_lock_irqsave(&frame_lock);
	uint16_t *st = alloc_state(pa);
	unsigned n = st ? 1 + (*st & REF_MASK) : 0;

	spin_unlock_irqrestore(&frame_lock, f);
	return n;
}

bool frame_icache_clean(paddr_t pa)
{
	uint16_t *st = alloc_state(pa);

	return st && (*st & FRAME_ICACHE_CLEAN);
}

void frame_set_icache_clean(paddr_t pa, bool clean)
{
	irqflags_t f = spin_lock_irqsave(&frame_lock); /* the word holds the count too */
	uint16_t *st = alloc_state(pa);

	if (st && clean)
		*st |= FRAME_ICACHE_CLEAN;
	else if (st)
		*st &= (uint16_t)~FRAME_ICACHE_CLEAN;
	spin_unlock_irqrestore(&frame_lock, f);
}

uint64_t frame_total_bytes(void)
{
	return total_frames << PAGE_SHIFT;
}

uint64_t frame_free_bytes(void)
{
	return free_frames << PAGE_SHIFT;
}

/* --- initialisation --------------------------------------------------- */

struct prange {
	uint64_t start, end; /* pfns, [start, end) */
};

static void sort_pranges(struct prange *r, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct prange t = r[i];
		unsigned j = i;

		for (; j > 0 && r[j - 1].start > t.start; j--)
			r[j] = r[j - 1];
		r[j] = t;
	}
}

/* RAM minus reserved, both as sorted page ranges, into out[]. RAM is
 * shrunk to whole pages inside it, reserved grown to whole pages. */
static unsigned compute_free(const struct prange *ram, unsigned nr_ram, const struct prange *res,
			     unsigned nr_res, struct prange *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nr_ram; i++) {
		uint64_t cur = ram[i].start;

		for (unsigned j = 0; j < nr_res && cur < ram[i].end; j++) {
			if (res[j].end <= cur || res[j].start >= ram[i].end)
				continue;
			if (res[j].start > cur && n < max)
				out[n++] = (struct prange){ cur, res[j].start };
			if (res[j].end > cur)
				cur = res[j].end;
		}
		if (cur < ram[i].end && n < max)
			out[n++] = (struct prange){ cur, ram[i].end };
	}
	return n;
}

/* Hand [start, end) to the buddy lists as maximal aligned blocks. */
static void add_free_range(struct section *s, uint64_t start, uint64_t end)
{
	while (start < end) {
		unsigned order = FRAME_MAX_ORDER;

		while (order && ((start & ((1ULL << order) - 1)) || start + (1ULL << order) > end))
			order--;
		s->state[start - s->base_pfn] = (uint16_t)(FREE_HEAD | order);
		list_push(order, start);
		start += 1ULL << order;
		total_frames += 1ULL << order;
		free_frames += 1ULL << order;
	}
}

void frame_alloc_init(const struct hal_mem_range *ram, unsigned nr_ram,
		      const struct hal_mem_range *reserved, unsigned nr_reserved)
{
	static struct prange rams[MAX_SECTIONS], res[MAX_RESERVED], frees[MAX_FREE_RANGES];
	unsigned nr_r = 0, nr_res = 0, nr_free;
	uint64_t meta_pages = 0, meta_bytes = 0;
	int meta_idx = -1;
	uint16_t *meta;

	for (unsigned i = 0; i <= FRAME_MAX_ORDER; i++)
		free_lists[i].next = free_lists[i].prev = &free_lists[i];
	for (unsigned i = 0; i < nr_ram && nr_r < MAX_SECTIONS; i++) {
		uint64_t s = PAGE_ALIGN_UP(ram[i].base) >> PAGE_SHIFT;
		uint64_t e = PAGE_ALIGN_DOWN(ram[i].base + ram[i].size) >> PAGE_SHIFT;

		if (e > s)
			rams[nr_r++] = (struct prange){ s, e };
	}
	if (nr_ram > MAX_SECTIONS)
		printk("mm: only the first %u RAM ranges are used\n", MAX_SECTIONS);
	KASSERT(nr_reserved <= MAX_RESERVED);
	for (unsigned i = 0; i < nr_reserved; i++) {
		uint64_t s = PAGE_ALIGN_DOWN(reserved[i].base) >> PAGE_SHIFT;
		uint64_t e = PAGE_ALIGN_UP(reserved[i].base + reserved[i].size) >> PAGE_SHIFT;

		if (reserved[i].size && e > s)
			res[nr_res++] = (struct prange){ s, e };
	}
	sort_pranges(rams, nr_r);
	sort_pranges(res, nr_res);
	/* Overlapping RAM ranges would be counted twice: clip them. */
	for (unsigned i = 1; i < nr_r; i++) {
		if (rams[i].start < rams[i - 1].end)
			rams[i].start = rams[i - 1].end;
		if (rams[i].end < rams[i].start)
			rams[i].end = rams[i].start;
	}
	nr_free = compute_free(rams, nr_r, res, nr_res, frees, MAX_FREE_RANGES);

	/* Metadata: one word per frame of every section. */
	for (unsigned i = 0; i < nr_r; i++)
		meta_bytes += (rams[i].end - rams[i].start) * sizeof(uint16_t);
	meta_pages = PAGE_ALIGN_UP(meta_bytes) >> PAGE_SHIFT;
	for (unsigned i = 0; i < nr_free; i++) {
		if (frees[i].end - frees[i].start >= meta_pages) {
			meta_idx = (int)i;
			break;
		}
	}
	if (meta_idx < 0)
		panic("mm: no room for %llu pages of frame metadata",
		      (unsigned long long)meta_pages);
	meta = hal_phys_to_virt((paddr_t)frees[meta_idx].start << PAGE_SHIFT);
	frees[meta_idx].start += meta_pages;
	memset(meta, 0, meta_bytes);

	nr_sections = 0;
	for (unsigned i = 0; i < nr_r; i++) {
		if (rams[i].end == rams[i].start)
			continue;
		sections[nr_sections].base_pfn = rams[i].start;
		sections[nr_sections].end_pfn = rams[i].end;
		sections[nr_sections].state = meta;
		meta += rams[i].end - rams[i].start;
		nr_sections++;
	}
	for (unsigned i = 0; i < nr_free; i++) {
		struct section *s = find_section(frees[i].start);

		if (s && frees[i].end > frees[i].start)
			add_free_range(s, frees[i].start, frees[i].end);
	}
	printk("mm: %llu KiB free in %u range(s), %llu KiB reserved for frame metadata\n",
	       (unsigned long long)(free_frames << (PAGE_SHIFT - 10)), nr_free,
	       (unsigned long long)(meta_pages << (PAGE_SHIFT - 10)));
}
