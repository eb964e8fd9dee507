/* The virtio device model: the device initialization sequence [virtio-v1.2 §3.1.1], failure handling and
 * interrupt fan-out to the queues. Transport-neutral: virtio_mmio.c and
 * virtio_pci.c both call virtio_register_device().
 */
#include <kernel/errno.h>
#include <kernel/printk.h>

#include "virtio.h"
#include "virtqueue.h"

static unsigned nr_devices;

static void add_status(struct virtio_device *vdev, uint8_t bits)
{
	uint8_t status = VIRTIO_OP(vdev, get_status); /* not nested: VIRTIO_OP's
							   * ##__VA_ARGS__ is not re-expanded */

	VIRTIO_OP(vdev, set_status, (uint8_t)(status | bits));
}

void virtio_device_ready(struct virtio_device *vdev)
{
	if (!vdev->failed)
		add_status(vdev, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_fail(struct virtio_device *vdev, const char *why)
{
	if (vdev->failed)
		return;
	vdev->failed = true;
	printk("virtio: %s at %s: %s; device not used\n", vdev->name, vdev->bus_name, why);
	for (unsigned i = 0; i < VIRTIO_MAX_VQS; i++) {
		if (vdev->vqs[i])
			vdev->vqs[i]->broken = true;
	}
	/* [§2.1.1]: FAILED tells the device the driver gave up on it. */
	add_status(vdev, VIRTIO_STATUS_FAILED);
}

void virtio_interrupt(struct virtio_device *vdev)
{
	for (unsigned i = 0; i < VIRTIO_MAX_VQS; i++) {
		struct virtqueue *vq = vdev->vqs[i];

		if (vq && vq->callback && !vq->broken)
			vq->callback(vq);
	}
}

/* Stop the device and free its queues. If the reset does not complete the
 * device may still write the rings: they are leaked, never reused. */
static void teardown(struct virtio_device *vdev)
{
	if (VIRTIO_OP(vdev, reset)) {
		vdev->leak_rings = true;
		printk("virtio: %s: reset did not complete; keeping its ring memory\n", vdev->name);
	}
	VIRTIO_OP(vdev, set_status, VIRTIO_STATUS_FAILED);
	for (unsigned i = 0; i < VIRTIO_MAX_VQS; i++)
		virtqueue_destroy(vdev->vqs[i]);
}

int virtio_register_device(struct virtio_device *vdev)
{
	const struct virtio_driver *drv;
	uint64_t offered, wanted;
	int err;

	snprintf(vdev->name, sizeof(vdev->name), "virtio%u", nr_devices++);
	/* [§3.1.1] 1. reset, 2. ACKNOWLEDGE: we noticed the device. */
	if (VIRTIO_OP(vdev, reset)) {
		printk("virtio: %s at %s: does not reset; device not used\n", vdev->name,
		       vdev->bus_name);
		vdev->leak_rings = true;
		return -EIO;
	}
	add_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE);
	drv = virtio_find_driver(vdev->device_id);
	if (!drv) {
		printk("virtio: %s at %s: device ID %u, no driver\n", vdev->name, vdev->bus_name,
		       vdev->device_id);
		return -ENODEV;
	}
	/* 3. DRIVER: we know how to drive it. */
	add_status(vdev, VIRTIO_STATUS_DRIVER);
	/* 4-6. Features: what the device offers and we understand; a modern
	 * device must offer VERSION_1 [§6.1]; then FEATURES_OK, re-read. */
	offered = VIRTIO_OP(vdev, get_features);
	if (vdev->legacy) {
		/* [§3.1.2] A legacy device: the low 32 feature bits, no
		 * FEATURES_OK handshake. */
		wanted = offered & drv->features & 0xffffffffull;
		VIRTIO_OP(vdev, set_features, wanted);
		goto negotiated;
	}
	if (!(offered & (1ull << VIRTIO_F_VERSION_1))) {
		virtio_fail(vdev, "device does not offer VIRTIO_F_VERSION_1");
		return -EIO;
	}
	wanted = offered & (drv->features | (1ull << VIRTIO_F_VERSION_1));
	VIRTIO_OP(vdev, set_features, wanted);
	add_status(vdev, VIRTIO_STATUS_FEATURES_OK);
	if (!(VIRTIO_OP(vdev, get_status) & VIRTIO_STATUS_FEATURES_OK)) {
		virtio_fail(vdev, "device refused our features (FEATURES_OK not kept)");
		return -EIO;
	}
negotiated:
	vdev->features = wanted;
	vdev->driver = drv;
	/* 7. Device-specific setup (queues), 8. DRIVER_OK. */
	err = drv->probe(vdev);
	if (err) {
		if (!vdev->failed) {
			char why[64];

			snprintf(why, sizeof(why), "%s probe failed (%d)", drv->name, err);
			virtio_fail(vdev, why);
		}
		teardown(vdev);
		if (!vdev->leak_rings && drv->remove)
			drv->remove(vdev);
		return err == -ENODEV ? -EIO : err;
	}
	virtio_device_ready(vdev);
	return 0;
}
