/* The block layer's own state (kernel/block/), shared by its files. */
#ifndef KERNEL_BLOCK_INTERNAL_H
#define KERNEL_BLOCK_INTERNAL_H
#include <kernel/blkdev.h>
#include <kernel/mutex.h>
#include <kernel/vfs.h>

#include "partition.h"

#define MAX_DISKS 16 /* minors 0..255 of VIRTBLK_MAJOR */
#define BOUNCE_ORDER 4
#define BOUNCE_BYTES ((size_t)PAGE_SIZE << BOUNCE_ORDER) /* 64 KiB */
#define BOUNCE_SECTORS (BOUNCE_BYTES >> SECTOR_SHIFT)

struct block_device;

/* One registered disk. */
struct disk_state {
	struct gendisk *disk;
	unsigned index; /* registration order: minors index * 16 .. + 15 */
	/* Serializes the disk's requests; guards bounce and the counters. */
	struct mutex lock;
	paddr_t bounce;			/* 2^BOUNCE_ORDER contiguous frames */
	uint64_t reads, writes, errors; /* sectors read/written, failed requests */
	/* [0] the whole disk, [n] partition n; NULL if never seen. Guarded
	 * by the registry lock (blkdev.c). */
	struct block_device *parts[DISK_MINORS];
};

/* A disk or one of its partitions: a device node. */
struct block_device {
	char name[24]; /* "vda", "vda1" */
	dev_t dev;
	unsigned partno; /* 0: the whole disk */
	uint64_t start;	 /* first sector on the disk */
	uint64_t nr_sectors;
	bool gone;	 /* no longer in the table (BLKRRPART): I/O -ENXIO */
	bool claimed;	 /* held by a mount (blkdev_get_by_path) */
	uint64_t holder; /* the claiming service instance's serial (0: none/unknown) */
	struct disk_state *ds;
	struct chrdev node; /* the /dev registration (node.block) */
};

extern const struct file_operations blkdev_fops;

/* Move u->len bytes between u and b at byte offset pos (relative to b):
 * bytes moved (short at the end of b), 0 at or past the end for a read,
 * or -ENOSPC (write past the end), -EROFS, -ENXIO (partition gone),
 * -EIO, -EFAULT. Sleeps (the disk's lock, the device). */
ssize_t bdev_transfer(struct block_device *b, bool write, struct uio *u, uint64_t pos);
/* Commit b's disk's write cache: 0, -EIO, -ENXIO. */
int bdev_flush(struct block_device *b);
/* The device registered as dev (a block device number), or NULL. */
struct block_device *bdev_by_dev(dev_t dev);
/* Read ds's partition table again and update its nodes (BLKRRPART). */
int disk_scan_partitions(struct disk_state *ds);
/* Drop every cached buffer of b, held or dirty (dirty data is lost): for a
 * device whose holder failed (blk_release_failed()). The number dropped, and
 * of those dirty in *dirty. */
unsigned bcache_discard_bdev(struct block_device *b, unsigned *dirty);
/* One /proc/partitions line per disk and partition, through emit. */
void blk_show_partitions(void (*emit)(void *ctx, const char *line), void *ctx);

#endif
