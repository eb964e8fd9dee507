/* The block layer (<kernel/blkdev.h>): registered disks, their partitions,
 * and transfers through a per-disk bounce buffer to the driver.
 *
 * Each disk has one mutex (disk_state.lock) that serializes its requests
 * and guards its bounce buffer: a driver sees one request at a time. A
 * transfer of any byte range becomes requests of at most BOUNCE_SECTORS
 * sectors; partial sectors at either end are read first and merged
 * (read-modify-write), as a block device node allows any offset
 * [Linux block/fops.c: buffered I/O through the page cache; here without
 * one: every read and write goes to the device].
 */
#include <hal/frame.h>
#include <kernel/blkdev.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <kernel/spinlock.h>
#include <kernel/vfs.h>
#include <string.h>

#include "block_internal.h"

static struct disk_state *disks[MAX_DISKS];
static unsigned nr_disks;
/* disks[] and nr_disks only grow, under pending_lock. registry_lock guards
 * every disk's parts[] (BLKRRPART changes them). */
static struct mutex registry_lock = MUTEX_INIT(registry_lock, "blk_registry");
/* Disks added before blk_start() (drivers probe before the scheduler
 * runs: no task may sleep or take a mutex yet). Guards pending[],
 * nr_pending, nr_disks and started. */
static DEFINE_SPINLOCK(pending_lock);
static struct disk_state *pending[MAX_DISKS];
static unsigned nr_pending;
static bool started;

void disk_name_format(char *buf, size_t len, const char *prefix, unsigned index)
{
	char suffix[8];
	int n = 0;

	/* Bijective base 26: a..z, aa..zz, ... [Linux sd_format_disk_name()]. */
	do {
		suffix[n++] = (char)('a' + index % 26);
		index = index / 26;
	} while (index-- > 0 && n < (int)sizeof(suffix));
	size_t p = strlen(prefix) < len ? strlen(prefix) : 0;
	memcpy(buf, prefix, p);
	while (n > 0 && p + 1 < len)
		buf[p++] = suffix[--n];
	buf[p] = 0;
}

/* One request on the bounce buffer; ds->lock held. */
static int disk_submit(struct disk_state *ds, enum blk_op op, uint64_t sector, uint32_t n)
{
	struct gendisk *disk = ds->disk;
	struct blk_request rq = { op, sector, n, ds->bounce };
	int r;

	if (op != BLK_OP_FLUSH && (sector >= disk->nr_sectors || n > disk->nr_sectors - sector))
		return -EINVAL;
	if (op == BLK_OP_WRITE && disk->read_only)
		return -EROFS;
	if (op == BLK_OP_FLUSH && !disk->has_flush)
		return 0; /* no volatile cache: every write is already on the medium */
	r = svc_call(disk->svc, disk->ops->submit(disk, &rq));
	if (op == BLK_OP_READ)
		ds->reads += n;
	else if (op == BLK_OP_WRITE)
		ds->writes += n;
	if (r)
		ds->errors++;
	return r;
}

ssize_t bdev_transfer(struct block_device *b, bool write, struct uio *u, uint64_t pos)
{
	struct disk_state *ds = b->ds;
	uint64_t size = b->nr_sectors << SECTOR_SHIFT;
	ssize_t done = 0;
	int err = 0;

	if (b->gone)
		return -ENXIO;
	if (write && ds->disk->read_only)
		return -EROFS;
	if (pos >= size)
		return write && u->len ? -ENOSPC : 0; /* [write(2)] ENOSPC past the end */
	mutex_lock(&ds->lock);
	while (u->len && pos < size) {
		uint64_t first = pos >> SECTOR_SHIFT, lim = size - pos;
		size_t head = (size_t)(pos & (SECTOR_SIZE - 1));
		size_t n = u->len < lim ? u->len : (size_t)lim;
		uint32_t nsec;

		if (n > BOUNCE_BYTES - head)
			n = BOUNCE_BYTES - head;
		nsec = (uint32_t)((head + n + SECTOR_SIZE - 1) >> SECTOR_SHIFT);
		char *buf = frame_kaddr(ds->bounce);
		/* A read, or the partial sectors a write only partly covers. */
		if (!write || head || ((head + n) & (SECTOR_SIZE - 1)))
			err = disk_submit(ds, BLK_OP_READ, b->start + first, nsec);
		if (!err)
			err = write ? uio_copy_in(u, buf + head, n) :
				      uio_copy_out(u, buf + head, n);
		if (!err && write)
			err = disk_submit(ds, BLK_OP_WRITE, b->start + first, nsec);
		if (err)
			break;
		pos += n;
		done += (ssize_t)n;
	}
	mutex_unlock(&ds->lock);
	return done ? done : err;
}

int bdev_flush(struct block_device *b)
{
	int r;

	if (b->gone)
		return -ENXIO;
	mutex_lock(&b->ds->lock);
	r = disk_submit(b->ds, BLK_OP_FLUSH, 0, 0);
	mutex_unlock(&b->ds->lock);
	return r;
}

/* The partition scanner's reads: one sector of the whole disk. */
static int scan_read(void *ctx, uint64_t sector, void *buf)
{
	struct disk_state *ds = ctx;
	int r;

	if (sector >= ds->disk->nr_sectors)
		return -EINVAL;
	mutex_lock(&ds->lock);
	r = disk_submit(ds, BLK_OP_READ, sector, 1);
	if (!r)
		memcpy(buf, frame_kaddr(ds->bounce), SECTOR_SIZE);
	mutex_unlock(&ds->lock);
	return r;
}

/* A node for partition partno (0: the whole disk); registry_lock held. */
static int add_bdev(struct disk_state *ds, unsigned partno, uint64_t start, uint64_t nr)
{
	struct block_device *b = ds->parts[partno];
	int r;

	if (b) { /* a BLKRRPART found it again: same node, new extent */
		b->start = start;
		b->nr_sectors = nr;
		b->gone = false;
		return 0;
	}
	b = kzalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	/* "vda1"; a name ending in a digit takes a 'p' ("nvme0n1p1") */
	size_t len = strlen(ds->disk->name);
	bool digit = len && ds->disk->name[len - 1] >= '0' && ds->disk->name[len - 1] <= '9';
	if (partno)
		snprintf(b->name, sizeof(b->name), "%s%s%u", ds->disk->name, digit ? "p" : "",
			 partno);
	else
		snprintf(b->name, sizeof(b->name), "%s", ds->disk->name);
	b->dev = MKDEV(VIRTBLK_MAJOR, ds->index * DISK_MINORS + partno);
	b->partno = partno;
	b->start = start;
	b->nr_sectors = nr;
	b->ds = ds;
	b->node.dev = b->dev;
	b->node.name = b->name;
	b->node.mode = 0660; /* Linux: root:disk 0660 */
	b->node.fops = &blkdev_fops;
	b->node.priv = b;
	b->node.block = true;
	if ((r = register_chrdev_core(&b->node))) {
		kfree(b);
		return r;
	}
	ds->parts[partno] = b;
	return 0;
}

int disk_scan_partitions(struct disk_state *ds)
{
	struct part_entry found[PART_MAX];
	bool keep[DISK_MINORS] = { true };
	int n = part_scan(scan_read, ds, ds->disk->name, ds->disk->nr_sectors,
			  ds->disk->logical_block_size, found, PART_MAX);

	if (n < 0) {
		printk("%s: reading the partition table: error %d\n", ds->disk->name, n);
		return n;
	}
	mutex_lock(&registry_lock);
	for (int i = 0; i < n; i++) {
		if (add_bdev(ds, found[i].partno, found[i].start, found[i].nr_sectors) == 0)
			keep[found[i].partno] = true;
	}
	for (unsigned p = 1; p < DISK_MINORS; p++) {
		if (ds->parts[p] && !keep[p])
			ds->parts[p]->gone = true; /* its node stays; open says ENXIO */
	}
	mutex_unlock(&registry_lock);
	return 0;
}

/* Make ds's nodes and read its partition table; task context. */
static void disk_start(struct disk_state *ds)
{
	int r;

	mutex_lock(&registry_lock);
	r = add_bdev(ds, 0, 0, ds->disk->nr_sectors);
	mutex_unlock(&registry_lock);
	if (r) {
		printk("%s: cannot register its device node (%d)\n", ds->disk->name, r);
		return;
	}
	printk("%s: %llu sectors of 512 bytes (%llu MiB)%s%s\n", ds->disk->name,
	       (unsigned long long)ds->disk->nr_sectors,
	       (unsigned long long)(ds->disk->nr_sectors >> 11),
	       ds->disk->read_only ? ", read-only" : "",
	       ds->disk->has_flush ? ", write cache" : "");
	disk_scan_partitions(ds);
}

void blk_start(void)
{
	irqflags_t f = spin_lock_irqsave(&pending_lock);
	unsigned n = nr_pending;

	started = true;
	spin_unlock_irqrestore(&pending_lock, f);
	/* pending[] no longer changes once started is set */
	for (unsigned i = 0; i < n; i++)
		disk_start(pending[i]);
}

int add_disk(struct gendisk *disk)
{
	struct disk_state *ds;
	bool now;
	irqflags_t f;

	if (!disk || !disk->ops || !disk->ops->submit || disk->nr_sectors == 0 ||
	    disk->logical_block_size < SECTOR_SIZE ||
	    (disk->logical_block_size & (disk->logical_block_size - 1)))
		return -EINVAL;
	ds = kzalloc(sizeof(*ds));
	if (!ds)
		return -ENOMEM;
	ds->bounce = frame_alloc(BOUNCE_ORDER);
	if (!ds->bounce) {
		kfree(ds);
		return -ENOMEM;
	}
	mutex_init(&ds->lock, "blk_disk");
	ds->disk = disk;
	f = spin_lock_irqsave(&pending_lock);
	if (nr_disks >= MAX_DISKS) {
		spin_unlock_irqrestore(&pending_lock, f);
		frame_free(ds->bounce, BOUNCE_ORDER);
		kfree(ds);
		return -ENOSPC;
	}
	disk->core = ds;
	ds->index = nr_disks;
	disks[nr_disks++] = ds;
	now = started;
	if (!now)
		pending[nr_pending++] = ds;
	spin_unlock_irqrestore(&pending_lock, f);
	if (now)
		disk_start(ds);
	return 0;
}

struct block_device *blkdev_lookup(const char *name)
{
	struct block_device *found = NULL;

	mutex_lock(&registry_lock);
	for (unsigned i = 0; i < nr_disks && !found; i++) {
		for (unsigned p = 0; p < DISK_MINORS; p++) {
			struct block_device *b = disks[i]->parts[p];

			if (b && !b->gone && strcmp(b->name, name) == 0) {
				found = b;
				break;
			}
		}
	}
	mutex_unlock(&registry_lock);
	return found;
}

uint64_t blkdev_size(const struct block_device *bdev)
{
	return bdev->gone ? 0 : bdev->nr_sectors << SECTOR_SHIFT;
}

/* The service side: check the token, then the same path as the node. */
static int kernel_rw(cap_block_t cap, struct block_device *b, bool write, uint64_t off, void *buf,
		     size_t len)
{
	struct uio u = { .kaddr = buf, .len = len, .is_user = false };
	int r = cap_check_block(cap, "block access");
	ssize_t n;

	if (r)
		return r;
	if (!b || (off | len) & (SECTOR_SIZE - 1))
		return -EINVAL;
	if (off > blkdev_size(b) || len > blkdev_size(b) - off)
		return -EINVAL;
	n = bdev_transfer(b, write, &u, off);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

int blkdev_read(cap_block_t cap, struct block_device *bdev, uint64_t off, void *buf, size_t len)
{
	return kernel_rw(cap, bdev, false, off, buf, len);
}

int blkdev_write(cap_block_t cap, struct block_device *bdev, uint64_t off, const void *buf,
		 size_t len)
{
	return kernel_rw(cap, bdev, true, off, (void *)buf, len);
}

int blkdev_flush(cap_block_t cap, struct block_device *bdev)
{
	int r = cap_check_block(cap, "block flush");

	return r ? r : (bdev ? bdev_flush(bdev) : -EINVAL);
}

void blk_show_partitions(void (*emit)(void *ctx, const char *line), void *ctx)
{
	char line[96];

	mutex_lock(&registry_lock);
	for (unsigned i = 0; i < nr_disks; i++) {
		for (unsigned p = 0; p < DISK_MINORS; p++) {
			struct block_device *b = disks[i]->parts[p];

			if (!b || b->gone)
				continue;
			/* [proc(5)] /proc/partitions: major minor #blocks(1 KiB) name */
			snprintf(line, sizeof(line), "%4u  %7u %10llu %s\n", MAJOR(b->dev),
				 MINOR(b->dev), (unsigned long long)(b->nr_sectors >> 1), b->name);
			emit(ctx, line);
		}
	}
	mutex_unlock(&registry_lock);
}

struct block_device *bdev_by_dev(dev_t dev)
{
	struct block_device *found = NULL;

	mutex_lock(&registry_lock);
	for (unsigned i = 0; i < nr_disks && !found; i++) {
		for (unsigned p = 0; p < DISK_MINORS; p++) {
			struct block_device *b = disks[i]->parts[p];

			if (b && !b->gone && b->dev == dev) {
				found = b;
				break;
			}
		}
	}
	mutex_unlock(&registry_lock);
	return found;
}

int blkdev_get_by_path(cap_block_t cap, const char *path, bool write, struct block_device **out)
{
	int err = cap_check_block(cap, "block claim");
	struct block_device *b;
	struct file *f;
	dev_t dev;

	if (err)
		return err;
	if (!path || !*path)
		return -ENOENT;
	/* [mount(2)] ENOTBLK: source is not a block device. */
	f = vfs_open(path, O_PATH, 0, &err);
	if (!f)
		return err;
	if (!S_ISBLK(f->inode->mode)) {
		fput(f);
		return -ENOTBLK;
	}
	dev = f->inode->rdev;
	fput(f);
	b = bdev_by_dev(dev);
	if (!b)
		return -ENXIO;
	if (write && b->ds->disk->read_only)
		return -EROFS;
	mutex_lock(&registry_lock);
	err = b->claimed ? -EBUSY : 0;
	if (!err) {
		b->claimed = true;
		b->holder = svc_current_serial();
	}
	mutex_unlock(&registry_lock);
	if (!err)
		*out = b;
	return err;
}

void blkdev_put(struct block_device *bdev)
{
	if (!bdev)
		return;
	mutex_lock(&registry_lock);
	bdev->claimed = false;
	bdev->holder = 0;
	mutex_unlock(&registry_lock);
}

void blk_release_failed(uint64_t serial)
{
	if (!serial)
		return;
	mutex_lock(&registry_lock);
	for (unsigned i = 0; i < nr_disks; i++) {
		for (unsigned p = 0; p < DISK_MINORS; p++) {
			struct block_device *b = disks[i]->parts[p];
			unsigned n, dirty = 0;

			if (!b || !b->claimed || b->holder != serial)
				continue;
			n = bcache_discard_bdev(b, &dirty);
			b->claimed = false;
			b->holder = 0;
			printk(KERN_WARNING
			       "%s: released by a failed file system (%u cached blocks "
			       "dropped, %u of them unwritten)\n",
			       b->name, n, dirty);
		}
	}
	mutex_unlock(&registry_lock);
}

unsigned bdev_logical_block_size(const struct block_device *bdev)
{
	return bdev->ds->disk->logical_block_size;
}

const char *bdev_name(const struct block_device *bdev)
{
	return bdev->name;
}

dev_t bdev_devt(const struct block_device *bdev)
{
	return bdev->dev;
}
