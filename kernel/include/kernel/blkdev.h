/* Block devices (kernel/block/): disks that drivers register, their
 * partitions, and the device nodes /dev/<disk>[N] that user space reads
 * and writes.
 *
 * A driver (drivers/virtio/virtio_blk.c) fills a struct gendisk (name,
 * size, ops) and calls add_disk(). The core then reads the partition
 * table (MBR, GPT), registers /dev/<name> and /dev/<name><N> as block
 * device nodes (Linux's virtio-blk numbering: major VIRTBLK_MAJOR, 16
 * minors per disk) and lists them in /proc/partitions. Every transfer
 * reaches the driver as a struct blk_request through svc_call() on the
 * driver's service instance, one request at a time per disk, with a
 * physically contiguous buffer the core owns.
 *
 * Services that use a disk (file systems: ext2 later) go through
 * blkdev_read()/blkdev_write()/blkdev_flush() with their instance's
 * cap_block_t token (<kernel/cap.h>): under Fortress a forged or stale
 * token is refused with -EPERM, as for svc_page_alloc().
 *
 * Units: sectors are 512 bytes ([virtio-v1.2 §5.2.6] and Linux's
 * "sector_t"), whatever the device's logical block size; offsets and
 * lengths of blkdev_read/write are bytes.
 */
#ifndef KERNEL_BLKDEV_H
#define KERNEL_BLKDEV_H
#include <hal/types.h>
#include <kernel/cap.h>
#include <kernel/service.h>

#define SECTOR_SHIFT 9
#define SECTOR_SIZE 512u
/* Linux's dynamic major for "virtblk" as Debian's kernels get it. */
#define VIRTBLK_MAJOR 254
#define DISK_MINORS 16 /* the whole disk and partitions 1..15 */

enum blk_op {
	BLK_OP_READ,  /* device -> buffer */
	BLK_OP_WRITE, /* buffer -> device */
	BLK_OP_FLUSH, /* commit the device's volatile write cache */
};

/* One transfer as the driver sees it. */
struct blk_request {
	enum blk_op op;
	uint64_t sector;     /* first 512-byte sector from the start of the disk */
	uint32_t nr_sectors; /* 0 for BLK_OP_FLUSH; at most disk->max_sectors */
	paddr_t buf;	     /* physically contiguous, nr_sectors * 512 bytes */
};

struct gendisk;

struct blkdev_ops {
	/* Carry out rq and return when it is done (may sleep, or poll if
	 * interrupts are masked). 0, -EIO (the device reported an error or
	 * broke), -EROFS, -EOPNOTSUPP. Never called concurrently for one disk. */
	int (*submit)(struct gendisk *disk, const struct blk_request *rq);
};

/* A disk, as its driver describes it. The memory stays the driver's
 * (never freed once added). */
struct gendisk {
	char name[16];		     /* "vda" */
	uint64_t nr_sectors;	     /* capacity in 512-byte sectors */
	unsigned logical_block_size; /* bytes, a power of two >= 512 */
	unsigned max_sectors;	     /* per request; the core caps it at 128 */
	bool read_only;		     /* writes fail with -EROFS */
	bool has_flush;		     /* a volatile write cache: BLK_OP_FLUSH means something */
	const struct blkdev_ops *ops;
	void *priv;		  /* the driver's */
	struct svc_instance *svc; /* the driver's instance, for svc_call() */
	void *core;		  /* the block layer's state */
};

/* The name for the index-th disk of a driver with prefix "vd": "vda",
 * ..., "vdz", "vdaa", ... as Linux's sd_format_disk_name(). */
void disk_name_format(char *buf, size_t len, const char *prefix, unsigned index);

/* Register disk (from a probe: interrupts masked, no task yet). Its device
 * nodes appear and its partition table is read at blk_start(), or at once
 * if that already ran. 0, -EINVAL (no ops, zero size, bad block size),
 * -ENOSPC (too many disks), -ENOMEM. Not from IRQ context. */
int add_disk(struct gendisk *disk);
/* Core only (kernel/main.c, in the first task, before /dev is mounted):
 * read the partition tables of the disks added so far and make their
 * nodes; later add_disk() calls do it themselves. */
void blk_start(void);

/* A disk or partition by its /dev name ("vda", "vda1"), or NULL. */
struct block_device;
struct block_device *blkdev_lookup(const char *name);
/* Its size in bytes. */
uint64_t blkdev_size(const struct block_device *bdev);

/* Read/write len bytes at byte offset off of bdev (both multiples of 512)
 * with kernel buffer buf, as a service holding cap. 0, -EPERM (token
 * refused), -EINVAL (misaligned, past the end), -EROFS, -EIO. */
int blkdev_read(cap_block_t cap, struct block_device *bdev, uint64_t off, void *buf, size_t len);
int blkdev_write(cap_block_t cap, struct block_device *bdev, uint64_t off, const void *buf,
		 size_t len);
/* Commit the disk's write cache: 0, -EPERM, -EIO. */
int blkdev_flush(cap_block_t cap, struct block_device *bdev);

#endif
