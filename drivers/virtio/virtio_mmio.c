/* The virtio-mmio transport [virtio-v1.2 §4.2 "Virtio Over MMIO"], modern
 * interface (Version 2) only. DT binding: compatible "virtio,mmio", reg
 * (at least the 0x100 bytes of registers), interrupts.
 *
 * QEMU's arm64 virt machine has 32 such nodes; a slot with nothing plugged
 * in reads DeviceID 0 and is skipped without a word. A legacy (Version 1)
 * device is reported and left alone (QEMU's default for virtio-mmio:
 * "-global virtio-mmio.force-legacy=false" gives the modern one).
 */
#include <hal/irq.h>
#include <hal/mmio.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/time.h>

#include "virtio.h"

/* Register byte offsets [§4.2.2, table "MMIO Device Register Layout"]. */
#define VM_MAGIC 0x000
#define VM_VERSION 0x004
#define VM_DEVICE_ID 0x008
#define VM_VENDOR_ID 0x00c
#define VM_DEVICE_FEATURES 0x010
#define VM_DEVICE_FEATURES_SEL 0x014
#define VM_DRIVER_FEATURES 0x020
#define VM_DRIVER_FEATURES_SEL 0x024
#define VM_QUEUE_SEL 0x030
#define VM_QUEUE_NUM_MAX 0x034
#define VM_QUEUE_NUM 0x038
#define VM_QUEUE_READY 0x044
#define VM_QUEUE_NOTIFY 0x050
#define VM_INTERRUPT_STATUS 0x060
#define VM_INTERRUPT_ACK 0x064
#define VM_STATUS 0x070
#define VM_QUEUE_DESC_LOW 0x080
#define VM_QUEUE_DESC_HIGH 0x084
#define VM_QUEUE_DRIVER_LOW 0x090
#define VM_QUEUE_DRIVER_HIGH 0x094
#define VM_QUEUE_DEVICE_LOW 0x0a0
#define VM_QUEUE_DEVICE_HIGH 0x0a4
#define VM_CONFIG 0x100 /* device-specific configuration space */

#define VM_MAGIC_VALUE 0x74726976u /* "virt", little-endian */
#define VM_INT_VRING 1u		   /* InterruptStatus: used buffer notification */
#define VM_INT_CONFIG 2u	   /* InterruptStatus: configuration change */
#define VM_RESET_TIMEOUT_NS 100000000ull

struct virtio_mmio {
	struct hal_iomem io;
	unsigned irq;
	struct virtio_device vdev;
};

static struct virtio_mmio *to_vm(struct virtio_device *vdev)
{
	return vdev->transport;
}

static uint32_t vm_read(struct virtio_device *vdev, unsigned off)
{
	return hal_io_read32(&to_vm(vdev)->io, off);
}

static void vm_write(struct virtio_device *vdev, unsigned off, uint32_t v)
{
	hal_io_write32(&to_vm(vdev)->io, off, v);
}

uint8_t virtio_mmio_get_status(struct virtio_device *vdev)
{
	return (uint8_t)vm_read(vdev, VM_STATUS);
}

void virtio_mmio_set_status(struct virtio_device *vdev, uint8_t status)
{
	vm_write(vdev, VM_STATUS, status);
}

/* Writing 0 to Status resets the device; it reads 0 once done [§4.2.2.1]. */
int virtio_mmio_reset(struct virtio_device *vdev)
{
	uint64_t deadline = time_monotonic_ns() + VM_RESET_TIMEOUT_NS;

	vm_write(vdev, VM_STATUS, 0);
	while (vm_read(vdev, VM_STATUS) != 0) {
		if (time_monotonic_ns() > deadline)
			return -ETIMEDOUT;
	}
	return 0;
}

/* DeviceFeatures shows 32 bits at a time, chosen by DeviceFeaturesSel. */
uint64_t virtio_mmio_get_features(struct virtio_device *vdev)
{
	uint64_t f;

	vm_write(vdev, VM_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)vm_read(vdev, VM_DEVICE_FEATURES) << 32;
	vm_write(vdev, VM_DEVICE_FEATURES_SEL, 0);
	return f | vm_read(vdev, VM_DEVICE_FEATURES);
}

void virtio_mmio_set_features(struct virtio_device *vdev, uint64_t features)
{
	vm_write(vdev, VM_DRIVER_FEATURES_SEL, 1);
	vm_write(vdev, VM_DRIVER_FEATURES, (uint32_t)(features >> 32));
	vm_write(vdev, VM_DRIVER_FEATURES_SEL, 0);
	vm_write(vdev, VM_DRIVER_FEATURES, (uint32_t)features);
}

uint32_t virtio_mmio_queue_max(struct virtio_device *vdev, unsigned idx)
{
	vm_write(vdev, VM_QUEUE_SEL, idx);
	return vm_read(vdev, VM_QUEUE_NUM_MAX);
}

/* Virtqueue configuration [§4.2.3.2]. */
int virtio_mmio_queue_enable(struct virtio_device *vdev, unsigned idx, unsigned num, paddr_t desc,
			     paddr_t avail, paddr_t used)
{
	vm_write(vdev, VM_QUEUE_SEL, idx);
	if (vm_read(vdev, VM_QUEUE_READY))
		return -EBUSY;
	if (num == 0 || num > vm_read(vdev, VM_QUEUE_NUM_MAX))
		return -EINVAL;
	vm_write(vdev, VM_QUEUE_NUM, num);
	vm_write(vdev, VM_QUEUE_DESC_LOW, (uint32_t)desc);
	vm_write(vdev, VM_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	vm_write(vdev, VM_QUEUE_DRIVER_LOW, (uint32_t)avail);
	vm_write(vdev, VM_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	vm_write(vdev, VM_QUEUE_DEVICE_LOW, (uint32_t)used);
	vm_write(vdev, VM_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	vm_write(vdev, VM_QUEUE_READY, 1);
	return 0;
}

/* QueueNotify takes the queue index [§4.2.3.3]. */
void virtio_mmio_notify(struct virtio_device *vdev, unsigned idx)
{
	vm_write(vdev, VM_QUEUE_NOTIFY, idx);
}

static const struct virtio_transport_ops vm_ops = {
	.get_status = virtio_mmio_get_status,
	.set_status = virtio_mmio_set_status,
	.reset = virtio_mmio_reset,
	.get_features = virtio_mmio_get_features,
	.set_features = virtio_mmio_set_features,
	.queue_max = virtio_mmio_queue_max,
	.queue_enable = virtio_mmio_queue_enable,
	.notify = virtio_mmio_notify,
};

/* Read InterruptStatus, acknowledge exactly those bits, then act
 * [§4.2.3.4]. A configuration change needs nothing from the drivers we
 * have. */
static void vm_irq(unsigned irq, void *arg)
{
	struct virtio_mmio *m = arg;
	uint32_t st = hal_io_read32(&m->io, VM_INTERRUPT_STATUS);

	(void)irq;
	if (!st)
		return;
	hal_io_write32(&m->io, VM_INTERRUPT_ACK, st);
	if ((st & VM_INT_VRING) && !m->vdev.failed)
		virtio_interrupt(&m->vdev);
}

static int vm_probe(struct device *dev)
{
	struct hal_iomem io;
	struct virtio_mmio *m;
	paddr_t base;
	uint64_t size;
	uint32_t magic, version, id;
	unsigned irq;
	int err;

	if ((err = dev_read_reg(dev, 0, &base, &size)))
		return err;
	if (size < VM_CONFIG) {
		printk("virtio-mmio: %s: register window of %llu bytes is too small\n", dev->name,
		       (unsigned long long)size);
		return -ENODEV;
	}
	if ((err = hal_iomap(base, size, HAL_IO_MMIO, 0, &io)))
		return err;
	/* [§4.2.3.1.1] Check MagicValue and Version before anything else; an
	 * empty slot has DeviceID 0 and must be ignored. */
	magic = hal_io_read32(&io, VM_MAGIC);
	if (magic != VM_MAGIC_VALUE) {
		printk("virtio-mmio: %s: bad magic 0x%08x (want 0x%08x); not used\n", dev->name,
		       magic, VM_MAGIC_VALUE);
		return -ENODEV;
	}
	version = hal_io_read32(&io, VM_VERSION);
	id = hal_io_read32(&io, VM_DEVICE_ID);
	if (id == 0)
		return -ENODEV; /* nothing plugged in */
	if (version != 2) {
		printk("virtio-mmio: %s: device ID %u speaks %s version %u; only the modern "
		       "interface (2) is supported; not used\n",
		       dev->name, id, version == 1 ? "the legacy interface," : "unknown", version);
		return -ENODEV;
	}
	if ((err = dev_read_irq(dev, 0, &irq))) {
		printk("virtio-mmio: %s: no usable interrupt (%d); not used\n", dev->name, err);
		return -ENODEV;
	}
	m = kzalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->io = io;
	m->irq = irq;
	m->vdev.bus_name = dev->name;
	m->vdev.device_id = id;
	m->vdev.ops = &vm_ops;
	m->vdev.transport = m;
	m->vdev.page_cap = dev->svc.caps.page_alloc;
	if ((err = hal_irq_request(irq, vm_irq, m))) {
		printk("virtio-mmio: %s: irq %u: %d; not used\n", dev->name, irq, err);
		goto fail_free;
	}
	err = virtio_register_device(&m->vdev);
	if (err)
		goto fail_irq;
	dev->priv = m;
	return 0;

fail_irq:
	hal_irq_free(irq);
fail_free:
	kfree(m);
	/* The reason is on the console already; -ENODEV keeps the board
	 * code from adding a second line. */
	return err == -ENOMEM ? err : -ENODEV;
}

static const struct of_device_id vm_match[] = {
	{ "virtio,mmio", NULL },
	{ NULL, NULL },
};

DRIVER_DECLARE(virtio_mmio, DRV_CLASS_BUS, vm_match, vm_probe);
