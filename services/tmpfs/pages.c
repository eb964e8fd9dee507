/* tmpfs data pages: a radix tree of kmalloc'd 4 KiB pages indexed by
 * file offset / PAGE_SIZE, 512 slots (9 bits) per level, like a page
 * table. A hole is a NULL slot. Height 0 means the root is page 0 itself,
 * so small files cost one page and no node. */
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

void *tmpfs_page_get(struct tmpfs_pages *p, uint64_t idx)
{
	if (!p->root || idx >= capacity(p->height))
		return NULL;
	void *node = p->root;
	for (unsigned h = p->height; h > 0; h--) {
		void **slots = node;
		node = slots[(idx >> ((h - 1) * SLOT_BITS)) & (SLOTS - 1)];
		if (!node)
			return NULL;
	}
	return node;
}

void *tmpfs_page_get_alloc(struct super_block *sb, struct tmpfs_pages *p, uint64_t idx, int *err)
{
	void *page = tmpfs_page_get(p, idx);
	if (page)
		return page;

	/* Grow: the old root becomes slot 0 of a new root. */
	while (idx >= capacity(p->height)) {
		if (!p->root) {
			/* Empty tree: just take the height needed. */
			while (idx >= capacity(p->height))
				p->height++;
			break;
		}
		void **n = kzalloc(SLOTS * sizeof(void *));
		if (!n) {
			*err = -ENOMEM;
			return NULL;
		}
		n[0] = p->root;
		p->root = n;
		p->height++;
	}

	if (tmpfs_charge(sb, PAGE_SIZE)) {
		*err = -ENOSPC;
		return NULL;
	}
	page = kzalloc(PAGE_SIZE);
	if (!page) {
		tmpfs_charge(sb, -(int64_t)PAGE_SIZE);
		*err = -ENOMEM;
		return NULL;
	}

	/* Walk down, creating nodes. */
	void **slot = &p->root;
	for (unsigned h = p->height; h > 0; h--) {
		if (!*slot) {
			*slot = kzalloc(SLOTS * sizeof(void *));
			if (!*slot) {
				kfree(page);
				tmpfs_charge(sb, -(int64_t)PAGE_SIZE);
				*err = -ENOMEM;
				return NULL;
			}
		}
		void **slots = *slot;
		slot = &slots[(idx >> ((h - 1) * SLOT_BITS)) & (SLOTS - 1)];
	}
	*slot = page;
	p->nr++;
	return page;
}

/* Free pages >= first under node (covering base .. base + 512^height).
 * Returns true if the node is now empty and was freed. */
static bool truncate_node(struct super_block *sb, struct tmpfs_pages *p, void **slotp,
			  unsigned height, uint64_t base, uint64_t first)
{
	void *node = *slotp;
	if (!node)
		return true;
	if (height == 0) {
		if (base >= first) {
			kfree(node);
			*slotp = NULL;
			p->nr--;
			tmpfs_charge(sb, -(int64_t)PAGE_SIZE);
			return true;
		}
		return false;
	}
	void **slots = node;
	uint64_t span = capacity(height - 1);
	bool empty = true;
	for (unsigned i = 0; i < SLOTS; i++) {
		uint64_t child_base = base + i * span;
		/* Children entirely below first are kept as they are. */
		if (child_base + span <= first) {
			if (slots[i])
				empty = false;
			continue;
		}
		if (!truncate_node(sb, p, &slots[i], height - 1, child_base, first))
			empty = false;
	}
	if (empty) {
		kfree(node);
		*slotp = NULL;
	}
	return empty;
}

void tmpfs_pages_truncate(struct super_block *sb, struct tmpfs_pages *p, uint64_t first)
{
	if (!p->root || first >= capacity(p->height))
		return;
	truncate_node(sb, p, &p->root, p->height, 0, first);
	if (!p->root) {
		p->height = 0;
		return;
	}
	/* Shrink while only slot 0 of the root is used. */
	while (p->height > 0) {
		void **slots = p->root;
		bool only0 = true;
		for (unsigned i = 1; i < SLOTS; i++) {
			if (slots[i]) {
				only0 = false;
				break;
			}
		}
		if (!only0 || !slots[0])
			break;
		p->root = slots[0];
		kfree(slots);
		p->height--;
	}
}
