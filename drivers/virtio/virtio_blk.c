/* virtio-blk, the block device [virtio-v1.2 §5.2]: one requestq (queue 0);
 * each request is a chain of a 16-byte header the device reads (type,
 * reserved, sector), the data buffer (the device writes it for a read),
 * and one status byte the device writes [§5.2.6]. Disks are handed to the
 * block layer (<kernel/blkdev.h>) as /dev/vda, /dev/vdb, ...
 *
 * Features used: VIRTIO_BLK_F_RO (read-only disk), VIRTIO_BLK_F_BLK_SIZE
 * (logical block size), VIRTIO_BLK_F_FLUSH (a volatile write cache:
 * VIRTIO_BLK_T_FLUSH commits it) [§5.2.3].
 *
 * One request at a time per disk (the block layer serializes them). The
 * caller sleeps until the interrupt returns the chain, or polls the used
 * ring when interrupts are masked. The device is untrusted: a capacity of
 * zero, a block size that is not a power of two in [512, 64 KiB], a used
 * entry without the status byte, a status outside the spec's three values,
 * or no answer within 5 s give the device up (virtio_fail(): console line,
 * FAILED, every later request -EIO).
 */
#include <hal/frame.h>
#include <kernel/blkdev.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <kernel/wait.h>

#include "virtio.h"
#include "virtqueue.h"

/* Feature bits [§5.2.3]. */
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

/* Configuration layout [§5.2.4]. */
#define VBLK_CFG_CAPACITY 0  /* le64, 512-byte sectors */
#define VBLK_CFG_BLK_SIZE 20 /* le32, if VIRTIO_BLK_F_BLK_SIZE */

/* Request types and status values [§5.2.6]. */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VBLK_QUEUE_SIZE 16
#define VBLK_MAX_SECTORS 128 /* 64 KiB per request: the block layer's bounce size */
#define VBLK_TIMEOUT_NS 5000000000ull
#define VBLK_STATUS_OFF 16 /* in the header frame */

struct virtio_blk_outhdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};
_Static_assert(sizeof(struct virtio_blk_outhdr) == 16, "[§5.2.6] header is 16 bytes");

struct virtio_blk {
	struct virtio_device *vdev;
	struct virtqueue *vq;
	paddr_t hdr; /* one frame: the header at 0, the status byte at 16 */
	struct gendisk disk;
	/* The request in flight (one at a time); set by the interrupt. */
	struct wait_queue wq;
	bool done;
	uint32_t used_len;
};

static unsigned nr_disks;

/* The requestq's callback: IRQ context, or the submitter polling with
 * interrupts masked. */
static void vblk_collect(struct virtqueue *vq)
{
	struct virtio_blk *vb = vq->priv;
	uint32_t len;
	int err;

	while (virtqueue_get_buf(vq, &len, &err)) {
		vb->used_len = len;
		vb->done = true;
	}
	if (err)
		vb->done = true; /* the device was given up: the waiter sees it */
	wake_up(&vb->wq);
}

/* Wait for the chain in flight; interrupts masked. 0 or -EIO. */
static int vblk_wait(struct virtio_blk *vb, bool can_sleep)
{
	/* time_monotonic_ns() is the clock sched_sleep()'s deadline uses */
	uint64_t deadline = time_monotonic_ns() + VBLK_TIMEOUT_NS;

	while (!vb->done) {
		vblk_collect(vb->vq);
		if (vb->done)
			break;
		if (time_monotonic_ns() > deadline) {
			virtio_fail(vb->vdev, "no answer to a request within 5 s");
			return -EIO;
		}
		if (can_sleep)
			sched_sleep(&vb->wq, time_monotonic_ns() + 10000000ull, false);
		else
			hal_cpu_relax();
	}
	return vb->vq->broken ? -EIO : 0;
}

static int vblk_submit(struct gendisk *disk, const struct blk_request *rq)
{
	struct virtio_blk *vb = disk->priv;
	struct virtio_blk_outhdr h = { .sector = rq->sector };
	struct virtqueue_buf bufs[3];
	uint8_t status = 0xff;
	unsigned n = 0;
	bool can_sleep = hal_irq_enabled();
	irqflags_t f;
	char why[80];
	int err;

	if (vb->vdev->failed)
		return -EIO;
	switch (rq->op) {
	case BLK_OP_READ: h.type = VIRTIO_BLK_T_IN; break;
	case BLK_OP_WRITE: h.type = VIRTIO_BLK_T_OUT; break;
	case BLK_OP_FLUSH: h.type = VIRTIO_BLK_T_FLUSH; break;
	default: return -EINVAL;
	}
	if (rq->op != BLK_OP_FLUSH && (rq->nr_sectors == 0 || rq->nr_sectors > VBLK_MAX_SECTORS))
		return -EINVAL;
	frame_write(vb->hdr, 0, &h, sizeof(h));
	frame_write(vb->hdr, VBLK_STATUS_OFF, &status, 1);
	bufs[n++] = (struct virtqueue_buf){ vb->hdr, sizeof(h), false };
	if (rq->op != BLK_OP_FLUSH)
		bufs[n++] = (struct virtqueue_buf){ rq->buf, rq->nr_sectors * SECTOR_SIZE,
						    rq->op == BLK_OP_READ };
	bufs[n++] = (struct virtqueue_buf){ vb->hdr + VBLK_STATUS_OFF, 1, true };

	f = hal_irq_save();
	vb->done = false;
	vb->used_len = 0;
	err = virtqueue_add(vb->vq, bufs, n, vb);
	if (!err) {
		virtqueue_kick(vb->vq);
		err = vblk_wait(vb, can_sleep);
	}
	hal_irq_restore(f);
	if (err)
		return err;
	/* The status byte is the last device-writable byte of the chain: a
	 * used length of 0 says the device never wrote it [§5.2.6.1]. */
	if (vb->used_len == 0) {
		virtio_fail(vb->vdev, "used length 0: the request's status byte was not written");
		return -EIO;
	}
	frame_read(vb->hdr, VBLK_STATUS_OFF, &status, 1);
	switch (status) {
	case VIRTIO_BLK_S_OK: return 0;
	case VIRTIO_BLK_S_IOERR: return -EIO;
	case VIRTIO_BLK_S_UNSUPP: return -EOPNOTSUPP;
	default:
		snprintf(why, sizeof(why), "request status %u is not a VIRTIO_BLK_S_* value",
			 status);
		virtio_fail(vb->vdev, why);
		return -EIO;
	}
}

static const struct blkdev_ops vblk_ops = {
	.submit = vblk_submit,
};

static int vblk_probe(struct virtio_device *vdev)
{
	struct virtio_blk *vb = kzalloc(sizeof(*vb));
	uint64_t cap = 0, bs = SECTOR_SIZE;
	char why[96];
	int err;

	if (!vb)
		return -ENOMEM;
	vdev->priv = vb;
	vb->vdev = vdev;
	wait_queue_init(&vb->wq);
	if (VIRTIO_OP(vdev, read_config, VBLK_CFG_CAPACITY, 8, &cap)) {
		virtio_fail(vdev, "configuration space too small for virtio-blk's capacity");
		return -EIO;
	}
	if ((vdev->features & (1ull << VIRTIO_BLK_F_BLK_SIZE)) &&
	    VIRTIO_OP(vdev, read_config, VBLK_CFG_BLK_SIZE, 4, &bs))
		bs = 0;
	if (cap == 0 || cap > (1ull << 47)) {
		snprintf(why, sizeof(why), "capacity of %llu sectors is not usable",
			 (unsigned long long)cap);
		virtio_fail(vdev, why);
		return -EIO;
	}
	if (bs < SECTOR_SIZE || bs > 65536 || (bs & (bs - 1))) {
		snprintf(why, sizeof(why), "block size %llu is not a power of two in [512, 65536]",
			 (unsigned long long)bs);
		virtio_fail(vdev, why);
		return -EIO;
	}
	err = svc_page_alloc(vdev->page_cap, 0, &vb->hdr);
	if (err)
		return err;
	err = virtqueue_create(vdev, 0, VBLK_QUEUE_SIZE, vblk_collect, &vb->vq);
	if (err == -ENOENT)
		virtio_fail(vdev, "requestq has queue size 0 (QueueNumMax)");
	if (err)
		return err;
	vb->vq->priv = vb;
	disk_name_format(vb->disk.name, sizeof(vb->disk.name), "vd", nr_disks);
	vb->disk.nr_sectors = cap;
	vb->disk.logical_block_size = (unsigned)bs;
	vb->disk.max_sectors = VBLK_MAX_SECTORS;
	vb->disk.read_only = vdev->features & (1ull << VIRTIO_BLK_F_RO);
	vb->disk.has_flush = vdev->features & (1ull << VIRTIO_BLK_F_FLUSH);
	vb->disk.ops = &vblk_ops;
	vb->disk.priv = vb;
	vb->disk.svc = vdev->svc;
	virtio_device_ready(vdev); /* before the first notification [§3.1.1] */
	err = add_disk(&vb->disk);
	if (err)
		return err;
	nr_disks++;
	printk("virtio-blk: %s at %s: /dev/%s, %llu sectors%s%s%s\n", vdev->name, vdev->bus_name,
	       vb->disk.name, (unsigned long long)cap, vb->disk.read_only ? ", read-only" : "",
	       vb->disk.has_flush ? ", flush" : "", vdev->legacy ? ", legacy interface" : "");
	return 0;
}

/* After a failed probe, with the device reset and the queue gone. */
static void vblk_remove(struct virtio_device *vdev)
{
	struct virtio_blk *vb = vdev->priv;

	if (!vb)
		return;
	if (vb->hdr)
		frame_free(vb->hdr, 0);
	kfree(vb);
	vdev->priv = NULL;
}

static const uint32_t vblk_ids[] = { VIRTIO_ID_BLOCK, 0 };

VIRTIO_DRIVER_DECLARE(virtio_blk, vblk_ids,
		      (1ull << VIRTIO_BLK_F_RO) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
			      (1ull << VIRTIO_BLK_F_FLUSH),
		      vblk_probe, vblk_remove);
