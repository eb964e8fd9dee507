/* tmpfs regular files: read, write and size changes over the page tree.
 * [read(2)], [write(2)], [truncate(2)], [mmap(2)], [tmpfs(5)]
 *
 * Shared mappings map the data frames themselves (get_page) with a
 * reference each, so a truncate or unlink while a page is mapped only
 * drops the file's reference: the mapper keeps a valid (now orphaned)
 * frame until it unmaps. Linux instead unmaps such pages at truncate,
 * and the next touch raises SIGBUS; here only pages not yet faulted in
 * raise it. */
#include <hal/frame.h>
#include <kernel/errno.h>
#include <string.h>

#include "tmpfs.h"

/* Bytes moved per bounce between a frame and the caller's buffer. */
#define BOUNCE 512

static void update_blocks(struct inode *inode)
{
	inode->blocks = TI(inode)->file.nr * (PAGE_SIZE / 512);
}

/* Zero the bytes of the page holding offset from, from there to the end
 * of that page: what lies past EOF must read as zeros once the file
 * grows over it (a shrink or a failed write may have left data there). */
static void zero_tail(struct tmpfs_pages *p, uint64_t from)
{
	static const char zeros[BOUNCE];
	paddr_t pa = (from % PAGE_SIZE) ? tmpfs_page_get(p, from / PAGE_SIZE) : 0;

	if (!pa)
		return;
	for (size_t k = from % PAGE_SIZE; k < PAGE_SIZE; k += BOUNCE)
		frame_write(pa, k, zeros, MIN((size_t)BOUNCE, PAGE_SIZE - k));
}

/* Read at *pos: bytes up to EOF, holes as zeros; 0 at or past EOF. */
static ssize_t tmpfs_read(struct file *f, struct uio *u, off_t *pos)
{
	struct inode *inode = f->inode;
	struct tmpfs_pages *p = &TI(inode)->file;

	if (*pos < 0)
		return -EINVAL;
	uint64_t off = (uint64_t)*pos;
	if (off >= inode->size)
		return 0;
	size_t want = u->len;
	if (want > inode->size - off)
		want = (size_t)(inode->size - off);

	size_t done = 0;
	while (done < want) {
		uint64_t idx = off / PAGE_SIZE;
		size_t in = (size_t)(off % PAGE_SIZE);
		size_t n = MIN(PAGE_SIZE - in, want - done);
		paddr_t pa = tmpfs_page_get(p, idx);
		int r = 0;

		if (!pa)
			r = uio_zero(u, n);
		else
			r = uio_copy_out_frame(u, pa, in, n);
		if (r)
			return done ? (ssize_t)done : r;
		done += n;
		off += n;
	}
	*pos = (off_t)off;
	return (ssize_t)done;
}

/* Write at *pos (at EOF for O_APPEND), growing the file; mtime/ctime
 * updated. Partial writes when the space runs out; -ENOSPC/-ENOMEM/
 * -EFBIG if nothing could be written. */
static ssize_t tmpfs_write(struct file *f, struct uio *u, off_t *pos)
{
	struct inode *inode = f->inode;
	struct tmpfs_pages *p = &TI(inode)->file;

	if (f->flags & O_APPEND)
		*pos = (off_t)inode->size;
	if (*pos < 0)
		return -EINVAL;
	uint64_t off = (uint64_t)*pos;
	size_t want = u->len;
	if (want == 0)
		return 0;
	if (off >= TMPFS_MAX_FILE_BYTES)
		return -EFBIG;
	if (want > TMPFS_MAX_FILE_BYTES - off)
		want = (size_t)(TMPFS_MAX_FILE_BYTES - off);

	if (off > inode->size)
		zero_tail(p, inode->size);
	size_t done = 0;
	int err = 0;
	while (done < want) {
		uint64_t idx = off / PAGE_SIZE;
		size_t in = (size_t)(off % PAGE_SIZE);
		size_t n = MIN(PAGE_SIZE - in, want - done);
		paddr_t pa = tmpfs_page_get_alloc(inode->sb, p, idx, &err);

		if (!pa)
			break;
		char buf[BOUNCE];
		for (size_t k = 0; k < n && !err; k += BOUNCE) {
			size_t m = MIN((size_t)BOUNCE, n - k);
			err = uio_copy_in(u, buf, m);
			if (!err)
				frame_write(pa, in + k, buf, m);
		}
		if (err)
			break;
		done += n;
		off += n;
		if (off > inode->size)
			inode->size = off;
	}
	update_blocks(inode);
	if (done == 0)
		return err ? err : -ENOSPC;
	*pos = (off_t)off;
	tmpfs_touch(inode);
	return (ssize_t)done;
}

int tmpfs_set_size(struct inode *inode, uint64_t size)
{
	struct tmpfs_pages *p = &TI(inode)->file;

	if (size > TMPFS_MAX_FILE_BYTES)
		return -EFBIG;
	if (size < inode->size) {
		tmpfs_pages_truncate(inode->sb, p, (size + PAGE_SIZE - 1) / PAGE_SIZE);
		zero_tail(p, size);
	} else if (size > inode->size) {
		zero_tail(p, inode->size);
	}
	inode->size = size;
	update_blocks(inode);
	return 0;
}

/* file_operations.get_page: the data frame of page idx itself, so that
 * MAP_SHARED mappings and read/write see the same bytes. A hole gets a
 * zeroed frame (charged against "size=", like a write). */
static int tmpfs_get_page(struct file *f, uint64_t idx, paddr_t *pa)
{
	struct inode *inode = f->inode;
	int err = 0;

	if (idx >= (inode->size + PAGE_SIZE - 1) / PAGE_SIZE)
		return -ENXIO;
	*pa = tmpfs_page_get_alloc(inode->sb, &TI(inode)->file, idx, &err);
	if (!*pa)
		return err ? err : -ENOMEM;
	update_blocks(inode);
	return frame_get(*pa);
}

const struct file_operations tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.get_page = tmpfs_get_page,
	.poll = generic_poll_ready,
};

const struct inode_operations tmpfs_file_iops = {
	.setattr = tmpfs_setattr,
	TMPFS_XATTR_IOPS,
};
