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
#include <kernel/vfs.h>

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
/* Core only: write back every dirty buffer of every device and commit the
 * disks' caches ([sync(2)], and before reboot/power-off). */
void blk_sync_all(void);
/* Core only (svc_instance_release()): give back the devices the failed
 * service instance serial claimed (blkdev_get_by_path), whose own teardown
 * (blkdev_put) will never run: their cached buffers are discarded (the
 * failed instance's dirty blocks are not written: its state cannot be
 * trusted; the disk keeps what was written before) and the claim dropped,
 * so the device can be mounted again. Logged per device. */
void blk_release_failed(uint64_t serial);

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

/* The block device a mount(2) source names (Linux's lookup_bdev() +
 * blkdev_get_by_path()): path is resolved by the VFS and must be a block
 * device node of a registered disk or partition. The device is claimed
 * for the caller until blkdev_put(): a second claim fails with -EBUSY (one
 * mount per device). write: the caller will write (-EROFS on a read-only
 * disk). 0 and *out, or -ENOENT/-ENOTDIR (path), -ENOTBLK (not a block
 * device), -ENXIO (no such disk), -EBUSY, -EROFS, -EPERM (token). */
int blkdev_get_by_path(cap_block_t cap, const char *path, bool write, struct block_device **out);
void blkdev_put(struct block_device *bdev);
/* The device's logical block size in bytes (512, 4096, ...), its /dev
 * name ("vda1") and its device number (st_dev of a file system on it). */
unsigned bdev_logical_block_size(const struct block_device *bdev);
const char *bdev_name(const struct block_device *bdev);
dev_t bdev_devt(const struct block_device *bdev);

/* The buffer cache (kernel/block/bcache.c; Linux's buffer_head API,
 * include/linux/buffer_head.h): blocks of a block device kept in memory,
 * shared by everyone who reads them, written back by sync_blockdev()
 * (fsync, syncfs, sync(2), umount, reboot) or when the cache needs room.
 *
 * A block is b_size bytes (512..4096, a power of two) at byte offset
 * b_blocknr * b_size of the device. b_data stays valid while the caller
 * holds the buffer (from bread/getblk until brelse). Buffers are found by
 * (device, block, size); one device should be used with one size. Every
 * call may sleep. The cap argument is the caller's block token, checked as
 * for blkdev_read(). Unreferenced clean buffers are dropped when the cache
 * is over its limit (1/16 of RAM, at least 1 MiB); unreferenced dirty ones
 * are written back first. */
struct buffer_head {
	uint64_t b_blocknr; /* block number in units of b_size */
	unsigned b_size;    /* bytes */
	void *b_data;	    /* the block's bytes */
	/* The block layer's: */
	struct block_device *b_bdev;
	unsigned b_count; /* holders */
	bool b_dirty;
	struct list_head b_lru;	    /* in the cache's LRU (all buffers) */
	struct buffer_head *b_next; /* hash chain */
};

/* The block, read from the device if not cached: a held buffer, or NULL
 * and *err = -EINVAL (bad size, past the end), -EIO, -ENOMEM, -EPERM. */
struct buffer_head *bread(cap_block_t cap, struct block_device *bdev, uint64_t block, unsigned size,
			  int *err);
/* The same without reading: for a block the caller overwrites whole (a
 * newly allocated one). Its contents are zero unless it was cached. */
struct buffer_head *getblk(cap_block_t cap, struct block_device *bdev, uint64_t block,
			   unsigned size, int *err);
/* The caller changed b_data: write it back later. */
void mark_buffer_dirty(struct buffer_head *bh);
/* Drop the caller's hold (NULL is allowed). */
void brelse(struct buffer_head *bh);
/* Write back every dirty buffer of bdev, then commit the disk's write cache
 * ([fsync(2)], [sync(2)]). 0, -EPERM, or the first -EIO (the other buffers
 * are still written; a buffer that failed stays dirty). */
int sync_blockdev(cap_block_t cap, struct block_device *bdev);
/* Forget every unreferenced buffer of bdev (after sync_blockdev, at umount);
 * dirty ones are written back first. */
void invalidate_bdev(cap_block_t cap, struct block_device *bdev);
/* Counters for /proc/meminfo-like reports: bytes cached, dirty. */
void bcache_stats(uint64_t *cached, uint64_t *dirty);

/* Fault injection (test kernels only: services/faultfs, "faultinject=1";
 * docs/reliability.md). hook, when set, is called at the start of every
 * bread()/getblk(), before any lock is taken, in the caller's context, i.e.
 * inside the calling file system's service call: a fault it raises is that
 * instance's fault (contained under Fortress and Balanced: the call returns
 * -EIO). NULL removes it. Only one hook; the last one set wins. */
void bcache_set_fault_hook(void (*hook)(const struct block_device *bdev));

#endif
