/* The virtio-mmio transport [virtio-v1.2 §4.2 "Virtio Over MMIO"]: the
 * modern interface (Version 2) and the legacy one (Version 1, §4.2.4,
 * QEMU's default for virtio-mmio unless "-global
 * virtio-mmio.force-legacy=false"). DT binding: compatible "virtio,mmio",
 * reg (at least the 0x100 bytes of registers), interrupts.
 *
 * QEMU's arm64 virt machine has 32 such nodes; a slot with nothing plugged
 * in reads DeviceID 0 and is skipped without a word.
 *
 * Legacy differences [§4.2.4]: a queue is placed by one page frame number
 * (QueuePFN, in units of GuestPageSize) with the avail ring right after
 * the descriptors and the used ring at the next QueueAlign boundary; no
 * QueueReady (a non-zero PFN enables the queue, 0 disables it), 32
 * feature bits, no FEATURES_OK step, no ConfigGeneration.
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
#define VM_LEGACY_GUEST_PAGE_SIZE 0x028 /* Version 1 only */
#define VM_LEGACY_QUEUE_ALIGN 0x03c	/* Version 1 only */
#define VM_LEGACY_QUEUE_PFN 0x040	/* Version 1 only */
#define VM_QUEUE_READY 0x044
#define VM_QUEUE_NOTIFY 0x050
#define VM_INTERRUPT_STATUS 0x060
#define VM_INTERRUPT_ACK 0x064
#define VM_STATUS 0x070
#define VM_CONFIG_GENERATION 0x0fc
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
	uint64_t size; /* bytes of the register window (config space ends there) */
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

/* Legacy queue setup [§4.2.4 "Legacy interface", Virtqueue Configuration]:
 * the rings must sit where a legacy device computes them from one page
 * frame number: desc at PFN * 4096, avail right after the num descriptors,
 * used at the next QueueAlign boundary after avail's ring[num]. Pick the
 * power-of-two QueueAlign that puts used where the driver's layout has it,
 * or refuse the layout. */
static int legacy_queue_enable(struct virtio_device *vdev, unsigned num, paddr_t desc,
			       paddr_t avail, paddr_t used)
{
	uint64_t avail_end = avail + 4 + 2 * (uint64_t)num;
	uint32_t align = 0;

	if ((desc & (PAGE_SIZE - 1)) || avail != desc + 16 * (uint64_t)num || used < avail_end)
		return -EINVAL;
	for (uint32_t a = PAGE_SIZE; a >= 4; a /= 2) {
		if (((avail_end + a - 1) & ~(uint64_t)(a - 1)) == used) {
			align = a;
			break;
		}
	}
	if (!align || (desc >> PAGE_SHIFT) > 0xffffffffull)
		return -EINVAL;
	if (vm_read(vdev, VM_LEGACY_QUEUE_PFN))
		return -EBUSY;
	/* GuestPageSize before any PFN (a reset may clear it) */
	vm_write(vdev, VM_LEGACY_GUEST_PAGE_SIZE, PAGE_SIZE);
	vm_write(vdev, VM_QUEUE_NUM, num);
	vm_write(vdev, VM_LEGACY_QUEUE_ALIGN, align);
	vm_write(vdev, VM_LEGACY_QUEUE_PFN, (uint32_t)(desc >> PAGE_SHIFT));
	return 0;
}

/* Virtqueue configuration [§4.2.3.2]. */
int virtio_mmio_queue_enable(struct virtio_device *vdev, unsigned idx, unsigned num, paddr_t desc,
			     paddr_t avail, paddr_t used)
{
	vm_write(vdev, VM_QUEUE_SEL, idx);
	if (num == 0 || num > vm_read(vdev, VM_QUEUE_NUM_MAX))
		return -EINVAL;
	if (vdev->legacy)
		return legacy_queue_enable(vdev, num, desc, avail, used);
	if (vm_read(vdev, VM_QUEUE_READY))
		return -EBUSY;
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

/* The device-specific configuration at 0x100 [§4.2.2]: 32-bit reads for
 * aligned 4- and 8-byte fields (an 8-byte one as two, retried while
 * ConfigGeneration moves [§2.5.1]; a legacy device has none, reads 0),
 * byte reads otherwise. */
int virtio_mmio_read_config(struct virtio_device *vdev, unsigned off, unsigned len, uint64_t *out)
{
	struct virtio_mmio *m = to_vm(vdev);
	uint32_t gen, lo, hi;
	int tries = 0;

	if ((len != 1 && len != 2 && len != 4 && len != 8) || off % len ||
	    VM_CONFIG + (uint64_t)off + len > m->size)
		return -EINVAL;
	do {
		gen = vm_read(vdev, VM_CONFIG_GENERATION);
		if (len == 1)
			*out = hal_io_read8(&m->io, VM_CONFIG + off);
		else if (len == 2)
			*out = hal_io_read8(&m->io, VM_CONFIG + off) |
			       (uint64_t)hal_io_read8(&m->io, VM_CONFIG + off + 1) << 8;
		else {
			lo = vm_read(vdev, VM_CONFIG + off);
			hi = len == 8 ? vm_read(vdev, VM_CONFIG + off + 4) : 0;
			*out = lo | (uint64_t)hi << 32;
		}
	} while (!vdev->legacy && gen != vm_read(vdev, VM_CONFIG_GENERATION) && ++tries < 100);
	return 0;
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
	.read_config = virtio_mmio_read_config,
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
	if (version != 1 && version != 2) {
		printk("virtio-mmio: %s: device ID %u speaks unknown version %u; not used\n",
		       dev->name, id, version);
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
	m->size = size;
	m->irq = irq;
	m->vdev.bus_name = dev->name;
	m->vdev.device_id = id;
	m->vdev.ops = &vm_ops;
	m->vdev.transport = m;
	m->vdev.page_cap = dev->svc.caps.page_alloc;
	m->vdev.svc = &dev->svc;
	m->vdev.legacy = version == 1;
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
