/* The kernel heap (<kernel/kmalloc.h>).
 *
 * Small objects (up to 2032 bytes) come from slabs: one 4 KiB frame per
 * slab, a 32-byte header at its start and equal objects after it, with
 * size classes chosen so that a page holds them with little waste.
 * Larger allocations take a run of whole frames with the same 32-byte
 * header in front of the object; the run is allocated as one buddy block
 * and the unused tail pages are given back at once.
 * kfree() finds the header by rounding the pointer down to its page: a
 * slab object and the start of a large object always lie in the header's
 * page. Every object is 16-byte aligned.
 *
 * Not for IRQ context (frames may be allocated). kmalloc_lock (irqsave;
 * only frame_lock is taken under it) protects the classes, every slab
 * header and heap_ready; bytes_in_use is atomic. Heap corruption found on
 * kfree (bad magic, a pointer that is not an object start) panics.
 */
#include <hal/frame.h>
#include <hal/mmu.h>
#include <kernel/kmalloc.h>
#include <kernel/list.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <kernel/spinlock.h>
#include <string.h>

#define SLAB_MAGIC 0x51ab51abU
#define LARGE_MAGIC 0x1a26e000U
#define HDR_SIZE 32
#define MAX_ORDER 10

/* Objects per 4 KiB page: 254 x 16, 127 x 32, 84 x 48, 63 x 64, 42 x 96,
 * 31 x 128, 21 x 192, 15 x 256, 10 x 384, 7 x 512, 6 x 672, 4 x 1008,
 * 3 x 1344, 2 x 2032. */
static const uint16_t class_size[] = { 16,  32,	 48,  64,  96,	 128,  192,
				       256, 384, 512, 672, 1008, 1344, 2032 };
#define NR_CLASSES ARRAY_SIZE(class_size)
#define SLAB_MAX ((size_t)2032)

struct obj {
	struct obj *next;
};

struct page_hdr {
	uint32_t magic;
	uint16_t cls;	/* slab: class index */
	uint16_t inuse; /* slab: live objects */
	union {
		struct obj *free; /* slab: free objects */
		uint64_t npages;  /* large: pages in the run */
	};
	union {
		struct list_head list; /* slab: in the class's partial list */
		uint64_t size;	       /* large: requested bytes */
	};
};
_Static_assert(sizeof(struct page_hdr) <= HDR_SIZE, "header fits");

struct kmem_class {
	struct list_head partial; /* slabs with a free object */
	struct page_hdr *spare;	  /* one empty slab kept to avoid thrashing */
};

static DEFINE_SPINLOCK(kmalloc_lock);
static struct kmem_class classes[NR_CLASSES];
static bool heap_ready;
static size_t bytes_in_use;

static void heap_init(void)
{
	for (unsigned i = 0; i < NR_CLASSES; i++)
		list_init(&classes[i].partial);
	heap_ready = true;
}

static unsigned class_of(size_t size)
{
	unsigned i = 0;

	while (class_size[i] < size)
		i++;
	return i;
}

static struct page_hdr *slab_new(unsigned cls)
{
	paddr_t pa = frame_alloc(0);
	struct page_hdr *h;
	char *p;
	size_t sz = class_size[cls];

	if (!pa)
		return NULL;
	h = hal_phys_to_virt(pa);
	h->magic = SLAB_MAGIC;
	h->cls = (uint16_t)cls;
	h->inuse = 0;
	h->free = NULL;
	/* Thread the free list in address order. */
	p = (char *)h + HDR_SIZE + ((PAGE_SIZE - HDR_SIZE) / sz - 1) * sz;
	for (; p >= (char *)h + HDR_SIZE; p -= sz) {
		struct obj *o = (struct obj *)p;

		o->next = h->free;
		h->free = o;
	}
	return h;
}

static void *slab_alloc(unsigned cls)
{
	struct kmem_class *c = &classes[cls];
	struct page_hdr *h;
	struct obj *o;

	if (!list_empty(&c->partial)) {
		h = list_entry(c->partial.next, struct page_hdr, list);
	} else {
		if (c->spare) {
			h = c->spare;
			c->spare = NULL;
		} else {
			h = slab_new(cls);
			if (!h)
				return NULL;
		}
		list_add(&h->list, &c->partial);
	}
	o = h->free;
	h->free = o->next;
	h->inuse++;
	if (!h->free)
		list_del(&h->list); /* full */
	__atomic_add_fetch(&bytes_in_use, class_size[cls], __ATOMIC_RELAXED);
	return o;
}

/* kmalloc_lock held. Returns NULL, or what is wrong with p (the caller
 * panics once the lock is dropped: a panic inside a service call is
 * contained and must not leave the heap locked). */
static const char *slab_free(struct page_hdr *h, void *p)
{
	struct kmem_class *c;
	size_t sz, off = (size_t)((char *)p - (char *)h);
	struct obj *o = p;

	if (h->cls >= NR_CLASSES)
		return "corrupt slab header";
	c = &classes[h->cls];
	sz = class_size[h->cls];
	if (off < HDR_SIZE || (off - HDR_SIZE) % sz || h->inuse == 0)
		return "not an allocated object";
	if (!h->free)
		list_add(&h->list, &c->partial); /* was full */
	o->next = h->free;
	h->free = o;
	h->inuse--;
	__atomic_sub_fetch(&bytes_in_use, sz, __ATOMIC_RELAXED);
	if (h->inuse == 0) {
		list_del(&h->list);
		if (!c->spare) {
			c->spare = h;
		} else {
			h->magic = 0;
			frame_free(hal_virt_to_phys(h), 0);
		}
	}
	return NULL;
}

/* Free [pa, pa + n pages) as naturally aligned buddy blocks. */
static void free_run(paddr_t pa, uint64_t n)
{
	while (n) {
		unsigned order = 0;

		/* Largest aligned block at pa that fits in n. */
		while (order < MAX_ORDER && !((pa >> PAGE_SHIFT) & ((1ULL << (order + 1)) - 1)) &&
		       (1ULL << (order + 1)) <= n)
			order++;
		frame_free(pa, order);
		pa += PAGE_SIZE << order;
		n -= 1ULL << order;
	}
}

static void *large_alloc(size_t size)
{
	uint64_t npages = (size + HDR_SIZE + PAGE_SIZE - 1) >> PAGE_SHIFT;
	unsigned order = 0;
	paddr_t pa;
	struct page_hdr *h;

	while ((1ULL << order) < npages)
		order++;
	if (order > MAX_ORDER)
		return NULL;
	pa = frame_alloc(order);
	if (!pa)
		return NULL;
	if ((1ULL << order) > npages)
		free_run(pa + (npages << PAGE_SHIFT), (1ULL << order) - npages);
	h = hal_phys_to_virt(pa);
	h->magic = LARGE_MAGIC;
	h->npages = npages;
	h->size = size;
	__atomic_add_fetch(&bytes_in_use, npages << PAGE_SHIFT, __ATOMIC_RELAXED);
	return (char *)h + HDR_SIZE;
}

/* The header at the start of p's page. Rounds down by pointer arithmetic, so the
 * result is derived from p and no integer becomes a pointer (ring 1 rule). */
static struct page_hdr *hdr_of(const void *p)
{
	return (struct page_hdr *)((char *)p - ((uintptr_t)p & (PAGE_SIZE - 1)));
}

void *kmalloc(size_t size)
{
	void *p;

	if (size > (size_t)(PAGE_SIZE << MAX_ORDER))
		return NULL;
	if (size <= SLAB_MAX) {
		irqflags_t f = spin_lock_irqsave(&kmalloc_lock);

		if (!heap_ready)
			heap_init();
		p = slab_alloc(class_of(size ? size : 1));
		spin_unlock_irqrestore(&kmalloc_lock, f);
	} else {
		p = large_alloc(size);
	}
#ifdef SVC_CONTAIN
	svc_charge(p, size); /* inside a service call: charged to its instance */
#endif
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	/* A large allocation is whole frames that frame_alloc() zeroed
	 * (large_alloc): clearing them again cost a task's 10 KiB per fork. */
	if (p && size <= SLAB_MAX)
		memset(p, 0, size);
	return p;
}

/* Usable bytes of the object at p. */
static size_t usable_size(const void *p)
{
	struct page_hdr *h = hdr_of(p);

	if (h->magic == SLAB_MAGIC && h->cls < NR_CLASSES)
		return class_size[h->cls];
	if (h->magic == LARGE_MAGIC && (const char *)p == (const char *)h + HDR_SIZE)
		return (size_t)(h->npages << PAGE_SHIFT) - HDR_SIZE;
	panic("kmalloc: %p is not a heap object", p);
}

void kfree(void *p)
{
	struct page_hdr *h;

	if (!p)
		return;
#ifdef SVC_CONTAIN
	svc_uncharge(p);
#endif
	h = hdr_of(p);
	if (h->magic == SLAB_MAGIC) {
		irqflags_t f = spin_lock_irqsave(&kmalloc_lock);
		const char *bad = slab_free(h, p);

		spin_unlock_irqrestore(&kmalloc_lock, f);
		if (bad)
			panic("kfree(%p): %s", p, bad);
	} else if (h->magic == LARGE_MAGIC && (char *)p == (char *)h + HDR_SIZE) {
		uint64_t n = h->npages;

		h->magic = 0;
		__atomic_sub_fetch(&bytes_in_use, n << PAGE_SHIFT, __ATOMIC_RELAXED);
		free_run(hal_virt_to_phys(h), n);
	} else {
		panic("kfree(%p): not a heap object", p);
	}
}

void *krealloc(void *p, size_t size)
{
	size_t old;
	void *n;

	if (!p)
		return kmalloc(size);
	old = usable_size(p);
	if (size <= old && size > old / 4)
		return p; /* fits, and not wastefully large */
	n = kmalloc(size);
	if (!n)
		return NULL; /* p is untouched, as in realloc(3) */
	memcpy(n, p, size < old ? size : old);
	kfree(p);
	return n;
}

char *kstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = kmalloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

size_t kmalloc_bytes_in_use(void)
{
	return __atomic_load_n(&bytes_in_use, __ATOMIC_RELAXED);
}
