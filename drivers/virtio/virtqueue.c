/* Split virtqueues [virtio-v1.2 §2.7]: the driver side of the desc table,
 * the avail ring and the used ring. Ring memory is one zeroed frame; every
 * access goes through frame_read/frame_write (idx fields with the single-
 * copy-atomic frame_read16/frame_write16) and <hal/barrier.h>.
 */
#include <hal/barrier.h>
#include <hal/frame.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>

#include "virtqueue.h"

int virtqueue_create(struct virtio_device *vdev, unsigned idx, unsigned want,
		     virtqueue_callback_t cb, struct virtqueue **out)
{
	unsigned num = vring_pick_num(VIRTIO_OP(vdev, queue_max, idx), want);
	struct virtqueue *vq;
	int err;

	if (idx >= VIRTIO_MAX_VQS || vdev->vqs[idx])
		return -EINVAL;
	if (num == 0)
		return -ENOENT; /* QueueNumMax 0: no such queue [§4.2.3.2] */
	vq = kzalloc(sizeof(*vq));
	if (!vq)
		return -ENOMEM;
	/* Halve until the three parts fit in one frame (128 entries do). */
	while ((err = vring_layout_init(num, PAGE_SIZE, &vq->layout)) == -E2BIG)
		num /= 2;
	if (err)
		goto fail_vq;
	err = -ENOMEM;
	vq->state = kzalloc(num * sizeof(*vq->state));
	vq->next = kzalloc(num * sizeof(*vq->next));
	if (!vq->state || !vq->next)
		goto fail_arrays;
	/* zero-filled: avail/used idx and flags 0 */
	err = svc_page_alloc(vdev->page_cap, 0, &vq->ring);
	if (err)
		goto fail_arrays;
	for (unsigned i = 0; i < num; i++)
		vq->next[i] = (uint16_t)(i + 1);
	vq->num_free = num;
	vq->vdev = vdev;
	vq->index = idx;
	vq->callback = cb;
	err = VIRTIO_OP(vdev, queue_enable, idx, num, vq->ring + vq->layout.desc_off,
			vq->ring + vq->layout.avail_off, vq->ring + vq->layout.used_off);
	if (err)
		goto fail_ring;
	vdev->vqs[idx] = vq;
	*out = vq;
	return 0;

fail_ring:
	frame_free(vq->ring, 0);
fail_arrays:
	kfree(vq->next);
	kfree(vq->state);
fail_vq:
	kfree(vq);
	return err;
}

void virtqueue_destroy(struct virtqueue *vq)
{
	if (!vq)
		return;
	vq->vdev->vqs[vq->index] = NULL;
	if (!vq->vdev->leak_rings)
		frame_free(vq->ring, 0);
	kfree(vq->next);
	kfree(vq->state);
	kfree(vq);
}

int virtqueue_add(struct virtqueue *vq, const struct virtqueue_buf *bufs, unsigned n, void *token)
{
	const struct vring_layout *l = &vq->layout;
	uint16_t head = vq->free_head, d = head;
	uint32_t in_bytes = 0;

	if (vq->broken)
		return -EIO;
	if (n == 0 || !token)
		return -EINVAL;
	if (n > vq->num_free)
		return -ENOSPC;
	for (unsigned i = 1; i < n; i++) {
		/* Readable buffers before writable ones [§2.7.4.2]. */
		if (bufs[i - 1].device_writes && !bufs[i].device_writes)
			return -EINVAL;
	}
	/* Write the chain's descriptors [§2.7.13.1]. */
	for (unsigned i = 0; i < n; i++) {
		struct vring_desc desc = {
			.addr = bufs[i].addr,
			.len = bufs[i].len,
			.flags = (uint16_t)((bufs[i].device_writes ? VRING_DESC_F_WRITE : 0) |
					    (i + 1 < n ? VRING_DESC_F_NEXT : 0)),
			.next = i + 1 < n ? vq->next[d] : 0,
		};

		frame_write(vq->ring, l->desc_off + 16 * (size_t)d, &desc, sizeof(desc));
		if (bufs[i].device_writes)
			in_bytes += bufs[i].len;
		if (i + 1 < n)
			d = vq->next[d];
	}
	vq->free_head = vq->next[d];
	vq->num_free -= n;
	vq->state[head].token = token;
	vq->state[head].in_bytes = in_bytes;
	vq->state[head].ndescs = (uint16_t)n;
	/* Put the head in the avail ring, then publish it by moving idx; the
	 * device must see the entry before the index [§2.7.13.2-3]. */
	frame_write16(vq->ring, VRING_AVAIL_RING(l, vq->avail_idx & (l->num - 1)), head);
	hal_dma_wmb();
	vq->avail_idx++;
	frame_write16(vq->ring, VRING_AVAIL_IDX(l), vq->avail_idx);
	return 0;
}

void virtqueue_kick(struct virtqueue *vq)
{
	if (vq->broken)
		return;
	/* The idx store must be visible before we read the device's flags,
	 * and before the doorbell [§2.7.13.4]. */
	hal_mb();
	if (!(frame_read16(vq->ring, VRING_USED_FLAGS(&vq->layout)) & VRING_USED_F_NO_NOTIFY))
		VIRTIO_OP(vq->vdev, notify, vq->index);
}

/* Return a chain's descriptors to the free list. */
static void free_chain(struct virtqueue *vq, uint16_t head)
{
	uint16_t d = head, n = vq->state[head].ndescs;

	for (uint16_t i = 1; i < n; i++)
		d = vq->next[d];
	vq->next[d] = vq->free_head;
	vq->free_head = head;
	vq->num_free += n;
	vq->state[head].token = NULL;
}

void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len, int *err)
{
	const struct vring_layout *l = &vq->layout;
	struct vring_used_elem e;
	const char *why;
	char msg[160];
	void *token;
	int pending;

	*err = 0;
	if (vq->broken) {
		*err = -EIO;
		return NULL;
	}
	pending = vring_used_pending(l->num, frame_read16(vq->ring, VRING_USED_IDX(l)),
				     vq->last_used, &why);
	if (pending == 0)
		return NULL;
	if (pending < 0) {
		snprintf(msg, sizeof(msg), "queue %u: %s (used idx %u, last seen %u, size %u)",
			 vq->index, why, frame_read16(vq->ring, VRING_USED_IDX(l)), vq->last_used,
			 l->num);
		goto bad;
	}
	/* Read the entry only after the index that covers it [§2.7.14]. */
	hal_dma_rmb();
	frame_read(vq->ring, VRING_USED_RING(l, vq->last_used & (l->num - 1)), &e, sizeof(e));
	if (vring_used_check(l->num, vq->state, &e, &why)) {
		snprintf(msg, sizeof(msg), "queue %u: %s (id %u, len %u, queue size %u)", vq->index,
			 why, e.id, e.len, l->num);
		goto bad;
	}
	vq->last_used++;
	token = vq->state[e.id].token;
	free_chain(vq, (uint16_t)e.id);
	*len = e.len;
	return token;

bad:
	vq->broken = true;
	virtio_fail(vq->vdev, msg);
	*err = -EIO;
	return NULL;
}
