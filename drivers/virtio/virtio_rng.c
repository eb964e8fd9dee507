/* virtio-rng, the entropy device [virtio-v1.2 §5.4]: one requestq (queue
 * 0) of device-writable buffers that the device fills with random bytes;
 * no feature bits, no configuration space.
 *
 * At probe the pool gets RNG_PROBE_FILLS buffers, waited for by polling
 * (probes run with interrupts masked); afterwards the kernel pool asks for
 * one more buffer whenever it wants fresh input (struct hwrng, request())
 * and the bytes are mixed in from the interrupt handler. A bad used-ring
 * entry gives the device up (virtqueue.c) and the pool stops asking.
 */
#include <hal/frame.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/random.h>
#include <kernel/time.h>

#include "virtio.h"
#include "virtqueue.h"

#define RNG_BUF_BYTES 64  /* per request, as Linux's virtio-rng */
#define RNG_PROBE_FILLS 4 /* buffers waited for at probe */
#define RNG_POLL_TIMEOUT_NS 1000000000ull

struct virtio_rng {
	struct virtio_device *vdev;
	struct virtqueue *vq;
	paddr_t buf;	/* one frame; the device writes [0, RNG_BUF_BYTES) */
	bool busy;	/* a buffer is with the device */
	bool collected; /* for the probe-time poll: a buffer came back */
	struct hwrng hwrng;
	char name[16]; /* "virtio_rng.<n>" */
};

static unsigned nr_rngs;

/* Hand the buffer to the device [§5.4.6]. Interrupts masked. */
static int rng_request(struct hwrng *h)
{
	struct virtio_rng *r = h->priv;
	struct virtqueue_buf b = { .addr = r->buf, .len = RNG_BUF_BYTES, .device_writes = true };
	int err;

	if (r->vq->broken)
		return -EIO;
	if (r->busy)
		return -EBUSY;
	if ((err = virtqueue_add(r->vq, &b, 1, r)))
		return err;
	r->busy = true;
	virtqueue_kick(r->vq);
	return 0;
}

/* Take what the device returned and mix it into the pool. The length was
 * checked against the buffer by virtqueue_get_buf(). */
static void rng_collect(struct virtqueue *vq)
{
	struct virtio_rng *r = vq->priv;
	unsigned char bytes[RNG_BUF_BYTES];
	uint32_t len;
	int err;

	while (virtqueue_get_buf(vq, &len, &err)) {
		frame_read(r->buf, 0, bytes, len);
		hwrng_mix(&r->hwrng, bytes, len);
		r->busy = false;
		r->collected = true;
	}
	if (err)
		hwrng_failed(&r->hwrng);
}

/* One buffer, waited for by polling the used ring: 0, -EIO, -ETIMEDOUT. */
static int rng_fill_sync(struct virtio_rng *r)
{
	uint64_t deadline = time_monotonic_ns() + RNG_POLL_TIMEOUT_NS;
	int err;

	r->collected = false;
	if ((err = rng_request(&r->hwrng)))
		return err;
	while (!r->collected) {
		rng_collect(r->vq);
		if (r->vq->broken)
			return -EIO;
		if (!r->collected && time_monotonic_ns() > deadline)
			return -ETIMEDOUT;
	}
	return 0;
}

static int rng_probe(struct virtio_device *vdev)
{
	struct virtio_rng *r = kzalloc(sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	vdev->priv = r;
	r->vdev = vdev;
	err = svc_page_alloc(vdev->page_cap, 0, &r->buf);
	if (err)
		return err;
	err = virtqueue_create(vdev, 0, 8, rng_collect, &r->vq);
	if (err == -ENOENT)
		virtio_fail(vdev, "requestq has queue size 0 (QueueNumMax)");
	if (err)
		return err;
	r->vq->priv = r;
	snprintf(r->name, sizeof(r->name), "virtio_rng.%u", nr_rngs);
	r->hwrng.name = r->name;
	r->hwrng.request = rng_request;
	r->hwrng.priv = r;
	virtio_device_ready(vdev); /* before the first notification [§3.1.1] */

	for (int i = 0; i < RNG_PROBE_FILLS; i++) {
		if ((err = rng_fill_sync(r))) {
			if (err == -ETIMEDOUT)
				virtio_fail(vdev, "no answer to an entropy request within 1 s");
			return err;
		}
	}
	nr_rngs++;
	if (hwrng_register(&r->hwrng))
		printk("virtio-rng: %s: another hardware RNG is in use; only the probe-time "
		       "bytes were mixed\n",
		       vdev->name);
	printk("virtio-rng: %s at %s, %llu bytes mixed\n", vdev->name, vdev->bus_name,
	       (unsigned long long)r->hwrng.bytes_mixed);
	return 0;
}

/* After a failed probe, with the device reset and the queue gone. */
static void rng_remove(struct virtio_device *vdev)
{
	struct virtio_rng *r = vdev->priv;

	if (!r)
		return;
	if (r->buf)
		frame_free(r->buf, 0);
	kfree(r);
	vdev->priv = NULL;
}

static const uint32_t rng_ids[] = { VIRTIO_ID_ENTROPY, 0 };

VIRTIO_DRIVER_DECLARE(virtio_rng, rng_ids, 0, rng_probe, rng_remove);
