/* The buffer cache (<kernel/blkdev.h> "The buffer cache"; Linux's
 * fs/buffer.c bread/getblk/mark_buffer_dirty/brelse/sync_blockdev).
 *
 * Blocks live in kmalloc'd buffers found through one hash table keyed by
 * (device, block, size), and on one LRU list (least recently used first).
 * One mutex, bcache_lock, guards the table, the list, every buffer's
 * b_count/b_dirty and the counters; it is held across the device I/O a
 * lookup or a write-back does, so a block is read once however many tasks
 * ask for it (simple, and one disk request at a time is what the block
 * layer offers anyway).
 *
 * The memory belongs to the core, not to the service whose call allocated
 * it: a buffer outlives a failed file-system instance (another mount may
 * share it), so its allocation is never charged (svc_uncharge()).
 * Write-back goes through bdev_transfer() without a token check: the token
 * was checked when the buffer was read and dirtied.
 */
#include <kernel/blkdev.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <string.h>

#include "block_internal.h"

#define BCACHE_HASH 1024

static struct mutex bcache_lock = MUTEX_INIT(bcache_lock, "bcache");
static struct buffer_head *hash[BCACHE_HASH];
static LIST_HEAD(lru);
static uint64_t cached_bytes, dirty_bytes;

static unsigned bh_hash(const struct block_device *b, uint64_t block)
{
	uintptr_t v = (uintptr_t)b >> 4;

	return (unsigned)((v ^ block ^ (block >> 10)) % BCACHE_HASH);
}

static uint64_t cache_limit(void)
{
	uint64_t lim = frame_total_bytes() / 16;

	return lim < (1u << 20) ? (1u << 20) : lim;
}

/* A core allocation even inside a service call. */
static void *core_alloc(size_t n)
{
	void *p = kmalloc(n);
#ifdef SVC_CONTAIN
	svc_uncharge(p);
#endif
	return p;
}

static struct buffer_head *find(struct block_device *b, uint64_t block, unsigned size)
{
	for (struct buffer_head *bh = hash[bh_hash(b, block)]; bh; bh = bh->b_next) {
		if (bh->b_bdev == b && bh->b_blocknr == block && bh->b_size == size)
			return bh;
	}
	return NULL;
}

static void unhash(struct buffer_head *bh)
{
	struct buffer_head **pp = &hash[bh_hash(bh->b_bdev, bh->b_blocknr)];

	for (; *pp; pp = &(*pp)->b_next) {
		if (*pp == bh) {
			*pp = bh->b_next;
			return;
		}
	}
}

/* Write bh to its device; bcache_lock held. 0 or -errno (then it stays
 * dirty, unless its device is gone). */
static int write_back(struct buffer_head *bh)
{
	struct uio u = { .kaddr = bh->b_data, .len = bh->b_size, .is_user = false };
	ssize_t n;

	if (!bh->b_dirty)
		return 0;
	n = bdev_transfer(bh->b_bdev, true, &u, bh->b_blocknr * bh->b_size);
	if (n == (ssize_t)bh->b_size || n == -ENXIO) {
		if (n == -ENXIO)
			printk(KERN_ERR "bcache: %s: block %llu lost: the partition is gone\n",
			       bh->b_bdev->name, (unsigned long long)bh->b_blocknr);
		bh->b_dirty = false;
		dirty_bytes -= bh->b_size;
		return n < 0 ? (int)n : 0;
	}
	printk(KERN_ERR "bcache: %s: write of block %llu failed (%d)\n", bh->b_bdev->name,
	       (unsigned long long)bh->b_blocknr, (int)(n < 0 ? n : -EIO));
	return n < 0 ? (int)n : -EIO;
}

static void drop(struct buffer_head *bh)
{
	unhash(bh);
	list_del(&bh->b_lru);
	cached_bytes -= bh->b_size;
	kfree(bh->b_data);
	kfree(bh);
}

/* Make room: drop unreferenced buffers, oldest first, writing dirty ones
 * back; bcache_lock held. */
static void shrink(void)
{
	struct buffer_head *bh, *n;

	list_for_each_entry_safe(bh, n, &lru, b_lru) {
		if (cached_bytes <= cache_limit())
			return;
		if (bh->b_count)
			continue;
		if (bh->b_dirty && write_back(bh))
			continue;
		drop(bh);
	}
}

/* Test kernels: bcache_set_fault_hook(). */
static void (*volatile fault_hook)(const struct block_device *bdev);

void bcache_set_fault_hook(void (*hook)(const struct block_device *bdev))
{
	fault_hook = hook;
}

static struct buffer_head *get(cap_block_t cap, struct block_device *b, uint64_t block,
			       unsigned size, bool read, int *err)
{
	struct buffer_head *bh;
	void (*hook)(const struct block_device *) = fault_hook;
	int e;

	if (hook && b)
		hook(b); /* before any lock: a contained fault leaves the cache intact */
	e = cap_check_block(cap, "buffer cache");

	if (!e && (!b || size < SECTOR_SIZE || size > 4096 || (size & (size - 1))))
		e = -EINVAL;
	if (!e && (block >= blkdev_size(b) / size))
		e = -EINVAL;
	if (e) {
		*err = e;
		return NULL;
	}
	mutex_lock(&bcache_lock);
	bh = find(b, block, size);
	if (bh) {
		bh->b_count++;
		list_del(&bh->b_lru);
		list_add_tail(&bh->b_lru, &lru);
		mutex_unlock(&bcache_lock);
		return bh;
	}
	shrink();
	bh = core_alloc(sizeof(*bh));
	void *data = core_alloc(size);
	if (!bh || !data) {
		kfree(bh);
		kfree(data);
		mutex_unlock(&bcache_lock);
		*err = -ENOMEM;
		return NULL;
	}
	memset(bh, 0, sizeof(*bh));
	memset(data, 0, size);
	bh->b_blocknr = block;
	bh->b_size = size;
	bh->b_data = data;
	bh->b_bdev = b;
	bh->b_count = 1;
	if (read) {
		struct uio u = { .kaddr = data, .len = size, .is_user = false };
		ssize_t n = bdev_transfer(b, false, &u, block * size);

		if (n != (ssize_t)size) {
			mutex_unlock(&bcache_lock);
			kfree(data);
			kfree(bh);
			*err = n < 0 ? (int)n : -EIO;
			return NULL;
		}
	}
	bh->b_next = hash[bh_hash(b, block)];
	hash[bh_hash(b, block)] = bh;
	list_add_tail(&bh->b_lru, &lru);
	cached_bytes += size;
	mutex_unlock(&bcache_lock);
	return bh;
}

struct buffer_head *bread(cap_block_t cap, struct block_device *bdev, uint64_t block, unsigned size,
			  int *err)
{
	return get(cap, bdev, block, size, true, err);
}

struct buffer_head *getblk(cap_block_t cap, struct block_device *bdev, uint64_t block,
			   unsigned size, int *err)
{
	return get(cap, bdev, block, size, false, err);
}

void mark_buffer_dirty(struct buffer_head *bh)
{
	mutex_lock(&bcache_lock);
	if (!bh->b_dirty) {
		bh->b_dirty = true;
		dirty_bytes += bh->b_size;
	}
	mutex_unlock(&bcache_lock);
}

void brelse(struct buffer_head *bh)
{
	if (!bh)
		return;
	mutex_lock(&bcache_lock);
	if (bh->b_count)
		bh->b_count--;
	mutex_unlock(&bcache_lock);
}

/* Write back every dirty buffer (of b, or of every device if NULL), in
 * block order per device would be nicer for the disk; LRU order is what
 * is kept. bcache_lock held. The first error. */
static int write_all(struct block_device *b)
{
	struct buffer_head *bh;
	int first = 0;

	list_for_each_entry(bh, &lru, b_lru) {
		if ((!b || bh->b_bdev == b) && bh->b_dirty) {
			int r = write_back(bh);

			if (r && !first)
				first = r;
		}
	}
	return first;
}

int sync_blockdev(cap_block_t cap, struct block_device *bdev)
{
	int r = cap_check_block(cap, "buffer sync"), f;

	if (r)
		return r;
	if (!bdev)
		return -EINVAL;
	mutex_lock(&bcache_lock);
	r = write_all(bdev);
	mutex_unlock(&bcache_lock);
	f = bdev_flush(bdev);
	return r ? r : (f == -ENXIO ? 0 : f);
}

void invalidate_bdev(cap_block_t cap, struct block_device *bdev)
{
	struct buffer_head *bh, *n;

	if (cap_check_block(cap, "buffer invalidate") || !bdev)
		return;
	mutex_lock(&bcache_lock);
	list_for_each_entry_safe(bh, n, &lru, b_lru) {
		if (bh->b_bdev != bdev || bh->b_count)
			continue;
		if (bh->b_dirty && write_back(bh))
			continue;
		drop(bh);
	}
	mutex_unlock(&bcache_lock);
}

unsigned bcache_discard_bdev(struct block_device *b, unsigned *dirty)
{
	struct buffer_head *bh, *n;
	unsigned dropped = 0;

	mutex_lock(&bcache_lock);
	list_for_each_entry_safe(bh, n, &lru, b_lru) {
		if (bh->b_bdev != b)
			continue;
		if (bh->b_dirty) {
			dirty_bytes -= bh->b_size;
			(*dirty)++;
		}
		drop(bh);
		dropped++;
	}
	mutex_unlock(&bcache_lock);
	return dropped;
}

void blk_sync_all(void)
{
	struct buffer_head *bh;
	struct block_device *flushed[8];
	unsigned nflushed = 0;

	mutex_lock(&bcache_lock);
	write_all(NULL);
	/* Commit the caches of the devices the cache holds blocks of. */
	list_for_each_entry(bh, &lru, b_lru) {
		unsigned i;

		for (i = 0; i < nflushed && flushed[i] != bh->b_bdev; i++)
			;
		if (i == nflushed && nflushed < ARRAY_SIZE(flushed))
			flushed[nflushed++] = bh->b_bdev;
	}
	mutex_unlock(&bcache_lock);
	for (unsigned i = 0; i < nflushed; i++)
		bdev_flush(flushed[i]);
}

void bcache_stats(uint64_t *cached, uint64_t *dirty)
{
	mutex_lock(&bcache_lock);
	*cached = cached_bytes;
	*dirty = dirty_bytes;
	mutex_unlock(&bcache_lock);
}
