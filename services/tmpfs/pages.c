/* tmpfs data pages: a radix tree of physical frames (frame_alloc) indexed
 * by file offset / PAGE_SIZE, 512 slots (9 bits) per level, like a page
 * table. A hole is an empty slot. Height 0 means the root is page 0
 * itself, so small files cost one frame and no node.
 *
 * Data frames are reached only through frame_read/frame_write (the
 * copy-semantic interface every profile has, <hal/frame.h>), never
 * through a pointer. Nodes are kmalloc'd arrays of slots. */
#include <hal/frame.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <string.h>

#include "tmpfs.h"

#define SLOT_BITS 9
#define SLOTS (1u << SLOT_BITS)

/* Pages a tree of this height covers: 512^height. */
static uint64_t capacity(unsigned height)
{
	return height * SLOT_BITS >= 64 ? UINT64_MAX : 1ULL << (height * SLOT_BITS);
}

static inline bool slot_empty(const union tmpfs_slot *s, unsigned height)
{
	return height ? s->node == NULL : s->page == 0;
}

static paddr_t page_get_locked(const struct tmpfs_pages *p, uint64_t idx)
{
	const union tmpfs_slot *s = &p->root;

	if (idx >= capacity(p->height))
		return 0;
	for (unsigned h = p->height; h > 0; h--) {
		if (!s->node)
			return 0;
		s = &s->node[(idx >> ((h - 1) * SLOT_BITS)) & (SLOTS - 1)];
	}
	return s->page;
}

paddr_t tmpfs_page_get(const struct tmpfs_pages *p, uint64_t idx)
{
	struct tmpfs_pages *w = (struct tmpfs_pages *)p; /* the lock only */
	paddr_t pa;

	spin_lock(&w->lock);
	pa = page_get_locked(p, idx);
	spin_unlock(&w->lock);
	return pa;
}

static paddr_t page_get_alloc_locked(struct super_block *sb, struct tmpfs_pages *p, uint64_t idx,
				     int *err);

paddr_t tmpfs_page_get_alloc(struct super_block *sb, struct tmpfs_pages *p, uint64_t idx, int *err)
{
	paddr_t pa;

	spin_lock(&p->lock);
	pa = page_get_alloc_locked(sb, p, idx, err);
	spin_unlock(&p->lock);
	return pa;
}

static paddr_t page_get_alloc_locked(struct super_block *sb, struct tmpfs_pages *p, uint64_t idx,
				     int *err)
{
	paddr_t pa = page_get_locked(p, idx);
	if (pa)
		return pa;

	/* Grow: the old root becomes slot 0 of a new root. */
	while (idx >= capacity(p->height)) {
		if (slot_empty(&p->root, p->height)) {
			/* Empty tree: just take the height needed. */
			p->root.node = NULL;
			while (idx >= capacity(p->height))
				p->height++;
			break;
		}
		union tmpfs_slot *n = kzalloc(SLOTS * sizeof(*n));
		if (!n) {
			*err = -ENOMEM;
			return 0;
		}
		n[0] = p->root;
		p->root.node = n;
		p->height++;
	}

	if (tmpfs_charge(sb, PAGE_SIZE)) {
		*err = -ENOSPC;
		return 0;
	}
	*err = svc_page_alloc(sb->svc.caps.page_alloc, 0, &pa); /* zero-filled */
	if (*err) {
		tmpfs_charge(sb, -(int64_t)PAGE_SIZE);
		return 0;
	}

	/* Walk down, creating nodes. */
	union tmpfs_slot *s = &p->root;
	for (unsigned h = p->height; h > 0; h--) {
		if (!s->node) {
			s->node = kzalloc(SLOTS * sizeof(*s->node));
			if (!s->node) {
				frame_free(pa, 0);
				tmpfs_charge(sb, -(int64_t)PAGE_SIZE);
				*err = -ENOMEM;
				return 0;
			}
		}
		s = &s->node[(idx >> ((h - 1) * SLOT_BITS)) & (SLOTS - 1)];
	}
	s->page = pa;
	p->nr++;
	return pa;
}

/* Free pages >= first under slot s (covering base .. base + 512^height).
 * Returns true if s is now empty. */
static bool truncate_slot(struct super_block *sb, struct tmpfs_pages *p, union tmpfs_slot *s,
			  unsigned height, uint64_t base, uint64_t first)
{
	if (slot_empty(s, height))
		return true;
	if (height == 0) {
		if (base < first)
			return false;
		frame_free(s->page, 0);
		s->page = 0;
		p->nr--;
		tmpfs_charge(sb, -(int64_t)PAGE_SIZE);
		return true;
	}
	uint64_t span = capacity(height - 1);
	bool empty = true;
	for (unsigned i = 0; i < SLOTS; i++) {
		uint64_t child_base = base + i * span;
		/* Children entirely below first are kept as they are. */
		if (child_base + span <= first) {
			if (!slot_empty(&s->node[i], height - 1))
				empty = false;
			continue;
		}
		if (!truncate_slot(sb, p, &s->node[i], height - 1, child_base, first))
			empty = false;
	}
	if (empty) {
		kfree(s->node);
		s->node = NULL;
	}
	return empty;
}

static void pages_truncate_locked(struct super_block *sb, struct tmpfs_pages *p, uint64_t first);

void tmpfs_pages_truncate(struct super_block *sb, struct tmpfs_pages *p, uint64_t first)
{
	spin_lock(&p->lock);
	pages_truncate_locked(sb, p, first);
	spin_unlock(&p->lock);
}

static void pages_truncate_locked(struct super_block *sb, struct tmpfs_pages *p, uint64_t first)
{
	if (first >= capacity(p->height))
		return;
	if (truncate_slot(sb, p, &p->root, p->height, 0, first)) {
		p->height = 0;
		p->root.page = 0;
		return;
	}
	/* Shrink while only slot 0 of the root is used. */
	while (p->height > 0) {
		union tmpfs_slot *n = p->root.node;
		bool only0 = !slot_empty(&n[0], p->height - 1);

		for (unsigned i = 1; only0 && i < SLOTS; i++)
			only0 = slot_empty(&n[i], p->height - 1);
		if (!only0)
			break;
		p->root = n[0];
		kfree(n);
		p->height--;
	}
}
