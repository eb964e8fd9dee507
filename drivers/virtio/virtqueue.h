/* Split virtqueues on top of a virtio transport [virtio-v1.2 §2.7]: the
 * rings live in one frame from the kernel's frame allocator and are reached
 * only with frame_read/frame_write (so the same code runs under Fortress,
 * where drivers hold no direct-map pointers). Not reentrant: callers run
 * with interrupts masked (probe, IRQ handlers, hwrng requests).
 */
#ifndef DRIVERS_VIRTIO_VIRTQUEUE_H
#define DRIVERS_VIRTIO_VIRTQUEUE_H
#include <hal/types.h>

#include "virtio.h"
#include "vring.h"

struct virtqueue;
typedef void (*virtqueue_callback_t)(struct virtqueue *vq);

struct virtqueue {
	struct virtio_device *vdev;
	unsigned index;		    /* queue number on the device */
	struct vring_layout layout; /* num = Queue Size */
	paddr_t ring;		    /* the frame holding desc, avail and used */
	uint16_t avail_idx;	    /* next avail->idx to publish (free-running) */
	uint16_t last_used;	    /* used entries consumed (free-running) */
	uint16_t free_head;	    /* first free desc (chained through .next) */
	unsigned num_free;
	struct vring_desc_state *state; /* [num], kmalloc'd */
	uint16_t *next;			/* [num] the driver's copy of desc.next */
	virtqueue_callback_t callback;	/* on used buffers; IRQ context */
	void *priv;
	bool broken; /* the device misbehaved: no more use */
};

/* One buffer of a chain: physical address, length in bytes, and who
 * writes it (true: the device; false: the device reads it). */
struct virtqueue_buf {
	paddr_t addr;
	uint32_t len;
	bool device_writes;
};

/* Create and enable queue idx of vdev with at most want entries (rounded
 * down to a power of two and to the device's QueueNumMax). The rings take
 * one frame. 0 and *out, or -ENOENT (no such queue: max 0), -EINVAL,
 * -ENOMEM, or the transport's error. Not from IRQ context. */
int virtqueue_create(struct virtio_device *vdev, unsigned idx, unsigned want,
		     virtqueue_callback_t cb, struct virtqueue **out);

/* Free the queue's memory; the device must be reset first (or the rings
 * are kept forever if vdev->leak_rings). */
void virtqueue_destroy(struct virtqueue *vq);

/* Make a chain of n buffers available [§2.7.13]: device-readable ones
 * first, then device-writable ones (§2.7.4.2). token (non-NULL) comes
 * back from virtqueue_get_buf(). 0, -ENOSPC (not enough free
 * descriptors), -EINVAL (n == 0, NULL token, wrong order), -EIO (broken). */
int virtqueue_add(struct virtqueue *vq, const struct virtqueue_buf *bufs, unsigned n, void *token);

/* Notify the device of new buffers unless it asked not to be
 * (VRING_USED_F_NO_NOTIFY) [§2.7.13.4]. */
void virtqueue_kick(struct virtqueue *vq);

/* Take the next used buffer [§2.7.14]: its token, and in *len the bytes
 * the device wrote. NULL if there is none, or if the device wrote a bad
 * entry: then the device is given up (virtio_fail(), console line) and
 * *err = -EIO; otherwise *err = 0. */
void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len, int *err);

#endif
