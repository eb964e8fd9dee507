/* Block device nodes /dev/vda, /dev/vda1, ...: read(2), write(2),
 * lseek(2), fsync(2) and the block ioctls of <linux/fs.h> that tools use
 * (blockdev(8), fdisk, mkfs). The numbers are asm-generic's, the same on
 * x86_64 and arm64.
 */
#include <hal/usercopy.h>
#include <kernel/current.h>
#include <kernel/errno.h>
#include <kernel/task.h>

#include "block_internal.h"

#define BLKROGET 0x125e		/* _IO(0x12, 94): int, 1 if read-only */
#define BLKRRPART 0x125f	/* _IO(0x12, 95): re-read the partition table */
#define BLKGETSIZE 0x1260	/* _IO(0x12, 96): unsigned long, 512-byte sectors */
#define BLKFLSBUF 0x1261	/* _IO(0x12, 97): flush buffers */
#define BLKSSZGET 0x1268	/* _IO(0x12, 104): int, logical block size */
#define BLKBSZGET 0x80081270	/* _IOR(0x12, 112, size_t): int, soft block size */
#define BLKGETSIZE64 0x80081272 /* _IOR(0x12, 114, size_t): u64, bytes */
#define BLKPBSZGET 0x127b	/* _IO(0x12, 123): unsigned int, physical block size */

static struct block_device *bdev_of(struct file *f)
{
	return f->private_data;
}

static int blk_open(struct inode *inode, struct file *f)
{
	struct block_device *b = bdev_of(f);

	(void)inode;
	return (!b || b->gone) ? -ENXIO : 0;
}

static ssize_t blk_read(struct file *f, struct uio *u, off_t *pos)
{
	ssize_t n = bdev_transfer(bdev_of(f), false, u, (uint64_t)*pos);

	if (n > 0)
		*pos += n;
	return n;
}

/* Linux refuses writes to a read-only disk with EPERM [block/fops.c
 * blkdev_write_iter()]; the service API's blkdev_write() says EROFS. */
static ssize_t blk_write(struct file *f, struct uio *u, off_t *pos)
{
	ssize_t n;

	if (bdev_of(f)->ds->disk->read_only)
		return -EPERM;
	n = bdev_transfer(bdev_of(f), true, u, (uint64_t)*pos);
	if (n > 0)
		*pos += n;
	return n;
}

/* [lseek(2)] on a fixed-size device: the result must lie in [0, size]
 * (Linux's fixed_size_llseek()); SEEK_DATA/SEEK_HOLE see all data. */
static off_t blk_llseek(struct file *f, off_t off, int whence)
{
	off_t size = (off_t)blkdev_size(bdev_of(f));

	return llseek_size(f, off, whence, size, size); /* not past the end of the disk */
}

static int put_u64(unsigned long arg, uint64_t v)
{
	return copy_to_user((uintptr_t)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static int put_int(unsigned long arg, int v)
{
	return copy_to_user((uintptr_t)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long blk_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct block_device *b = bdev_of(f);
	struct gendisk *disk = b->ds->disk;

	if (b->gone)
		return -ENXIO;
	switch (cmd) {
	case BLKGETSIZE64: return put_u64(arg, blkdev_size(b));
	case BLKGETSIZE: return put_u64(arg, b->nr_sectors); /* unsigned long: 64-bit */
	case BLKSSZGET: return put_int(arg, (int)disk->logical_block_size);
	case BLKPBSZGET: return put_int(arg, (int)disk->logical_block_size);
	case BLKBSZGET:
		return put_int(
			arg,
			(int)(disk->logical_block_size > 1024 ? disk->logical_block_size : 1024));
	case BLKROGET: return put_int(arg, disk->read_only);
	case BLKFLSBUF:
		/* No buffer cache to drop: commit the device's cache. Linux
		 * wants CAP_SYS_ADMIN (EACCES) [block/ioctl.c blkdev_flushbuf]. */
		if (current->euid != 0)
			return -EACCES;
		return bdev_flush(b);
	case BLKRRPART:
		/* [block/ioctl.c blkdev_reread_part]: CAP_SYS_ADMIN, the whole
		 * disk only (EINVAL on a partition). */
		if (current->euid != 0)
			return -EACCES;
		if (b->partno)
			return -EINVAL;
		return disk_scan_partitions(b->ds);
	default: return -ENOTTY;
	}
}

static int blk_fsync(struct file *f)
{
	return bdev_flush(bdev_of(f));
}

const struct file_operations blkdev_fops = {
	.open = blk_open,
	.read = blk_read,
	.write = blk_write,
	.llseek = blk_llseek,
	.ioctl = blk_ioctl,
	.fsync = blk_fsync,
};
