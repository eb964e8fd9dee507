/* The virtio-pci transport, modern interface [virtio-v1.2 §4.1 "Virtio
 * Over PCI Bus"]: a PCI driver (<kernel/pci.h>) for vendor 0x1af4.
 *
 * Device IDs [§4.1.2]: 0x1040 + the virtio device ID (modern only), or
 * 0x1000-0x103f (transitional: QEMU's default on the PC and virt root
 * buses), whose virtio device ID is the PCI Subsystem Device ID. Both are
 * driven through the modern interface: the vendor capabilities [§4.1.4]
 * locate the common configuration (features, status, queues), the notify
 * area, the ISR byte and the device configuration in the memory BARs the
 * PCI code assigned. The legacy I/O BAR of a transitional device (virtio
 * 0.9.5) is not used: QEMU's transitional devices offer the modern
 * capabilities too, and a legacy-only device (no capabilities) is
 * reported and not used.
 *
 * Interrupts: MSI-X where the function has it and the machine has an MSI
 * controller (x86_64: the local APIC), one vector for every queue and no
 * configuration-change vector; otherwise INTx (arm64 virt: through the
 * host's interrupt-map), level-triggered and shared between functions,
 * acknowledged by reading the ISR byte [§4.1.4.5]; otherwise no
 * interrupt, said on the console: the class drivers then poll (virtio-blk
 * every 10 ms).
 *
 * The capabilities are device input: one that points outside its BAR,
 * names a missing BAR or is too short gets the device reported and not
 * used (virtio_pci_caps.c, //tests:virtqueue_test); so does a queue whose
 * notify offset leaves the notify area, or an MSI-X vector the device
 * will not take.
 */
#include <hal/irq.h>
#include <hal/mmio.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/pci.h>
#include <kernel/printk.h>
#include <kernel/time.h>

#include "virtio.h"
#include "virtio_pci_caps.h"

/* struct virtio_pci_common_cfg byte offsets [§4.1.4.3]. */
#define VPC_DFSELECT 0x00
#define VPC_DF 0x04
#define VPC_GFSELECT 0x08
#define VPC_GF 0x0c
#define VPC_MSIX 0x10
#define VPC_NUM_QUEUES 0x12
#define VPC_STATUS 0x14
#define VPC_CFGGENERATION 0x15
#define VPC_Q_SELECT 0x16
#define VPC_Q_SIZE 0x18
#define VPC_Q_MSIX 0x1a
#define VPC_Q_ENABLE 0x1c
#define VPC_Q_NOFF 0x1e
#define VPC_Q_DESCLO 0x20
#define VPC_Q_DESCHI 0x24
#define VPC_Q_AVAILLO 0x28
#define VPC_Q_AVAILHI 0x2c
#define VPC_Q_USEDLO 0x30
#define VPC_Q_USEDHI 0x34

#define VIRTIO_MSI_NO_VECTOR 0xffff
#define VPCI_ISR_QUEUE 1u /* ISR status bit 0: a used-buffer notification */
#define VPCI_RESET_TIMEOUT_NS 100000000ull
#define PCI_SUBSYSTEM_ID 0x2e
#define VPCI_MAX_INTX_LINES 8

enum vp_irq_kind { VP_IRQ_NONE, VP_IRQ_MSIX, VP_IRQ_INTX };

struct virtio_pci {
	struct pci_dev *pdev;
	struct virtio_pci_layout layout;
	struct hal_iomem common, notify, isr, device;
	uint64_t notify_off[VIRTIO_MAX_VQS]; /* within the notify mapping */
	enum vp_irq_kind irq_kind;
	unsigned irq;
	struct virtio_pci *next_on_line; /* INTx: the others sharing the line */
	struct virtio_device vdev;
};

/* INTx lines in use: several functions share one (virt has 4 SPIs for
 * every slot). Changed only by probes, with interrupts masked. */
static struct intx_line {
	unsigned irq;
	struct virtio_pci *devs;
} intx_lines[VPCI_MAX_INTX_LINES];
static unsigned nr_intx_lines;

static struct virtio_pci *to_vp(struct virtio_device *vdev)
{
	return vdev->transport;
}

uint8_t virtio_pci_get_status(struct virtio_device *vdev)
{
	return hal_io_read8(&to_vp(vdev)->common, VPC_STATUS);
}

void virtio_pci_set_status(struct virtio_device *vdev, uint8_t status)
{
	hal_io_write8(&to_vp(vdev)->common, VPC_STATUS, status);
}

/* Write 0 to device_status; the reset is done when it reads 0
 * [§4.1.4.3.2]. */
int virtio_pci_reset(struct virtio_device *vdev)
{
	uint64_t deadline = time_monotonic_ns() + VPCI_RESET_TIMEOUT_NS;

	virtio_pci_set_status(vdev, 0);
	while (virtio_pci_get_status(vdev) != 0) {
		if (time_monotonic_ns() > deadline)
			return -ETIMEDOUT;
	}
	return 0;
}

uint64_t virtio_pci_get_features(struct virtio_device *vdev)
{
	struct hal_iomem *c = &to_vp(vdev)->common;
	uint64_t f;

	hal_io_write32(c, VPC_DFSELECT, 1);
	f = (uint64_t)hal_io_read32(c, VPC_DF) << 32;
	hal_io_write32(c, VPC_DFSELECT, 0);
	return f | hal_io_read32(c, VPC_DF);
}

void virtio_pci_set_features(struct virtio_device *vdev, uint64_t features)
{
	struct hal_iomem *c = &to_vp(vdev)->common;

	hal_io_write32(c, VPC_GFSELECT, 1);
	hal_io_write32(c, VPC_GF, (uint32_t)(features >> 32));
	hal_io_write32(c, VPC_GFSELECT, 0);
	hal_io_write32(c, VPC_GF, (uint32_t)features);
}

uint32_t virtio_pci_queue_max(struct virtio_device *vdev, unsigned idx)
{
	struct hal_iomem *c = &to_vp(vdev)->common;

	if (idx >= VIRTIO_MAX_VQS || idx >= hal_io_read16(c, VPC_NUM_QUEUES))
		return 0;
	hal_io_write16(c, VPC_Q_SELECT, (uint16_t)idx);
	return hal_io_read16(c, VPC_Q_SIZE);
}

/* Virtqueue configuration [§4.1.5.1.3]: size, MSI-X vector (read back:
 * NO_VECTOR means the device could not take it), notify offset (checked
 * against the notify area), ring addresses as 32-bit halves, enable. */
int virtio_pci_queue_enable(struct virtio_device *vdev, unsigned idx, unsigned num, paddr_t desc,
			    paddr_t avail, paddr_t used)
{
	struct virtio_pci *vp = to_vp(vdev);
	struct hal_iomem *c = &vp->common;
	uint64_t off;
	uint16_t noff;

	if (idx >= VIRTIO_MAX_VQS || num == 0 || num > virtio_pci_queue_max(vdev, idx))
		return -EINVAL;
	hal_io_write16(c, VPC_Q_SELECT, (uint16_t)idx);
	if (hal_io_read16(c, VPC_Q_ENABLE))
		return -EBUSY;
	noff = hal_io_read16(c, VPC_Q_NOFF);
	if (virtio_pci_notify_offset(&vp->layout, noff, &off)) {
		printk(KERN_ERR "virtio-pci %s: queue %u: notify offset %u x %u is outside the "
				"notify area (%u bytes)\n",
		       vp->pdev->name, idx, noff, vp->layout.notify_off_multiplier,
		       vp->layout.notify.length);
		return -EINVAL;
	}
	vp->notify_off[idx] = off - vp->layout.notify.offset;
	hal_io_write16(c, VPC_Q_SIZE, (uint16_t)num);
	if (vp->irq_kind == VP_IRQ_MSIX) {
		hal_io_write16(c, VPC_Q_MSIX, 0);
		if (hal_io_read16(c, VPC_Q_MSIX) != 0) {
			printk(KERN_ERR "virtio-pci %s: queue %u: MSI-X vector 0 refused\n",
			       vp->pdev->name, idx);
			return -EIO;
		}
	}
	hal_io_write32(c, VPC_Q_DESCLO, (uint32_t)desc);
	hal_io_write32(c, VPC_Q_DESCHI, (uint32_t)(desc >> 32));
	hal_io_write32(c, VPC_Q_AVAILLO, (uint32_t)avail);
	hal_io_write32(c, VPC_Q_AVAILHI, (uint32_t)(avail >> 32));
	hal_io_write32(c, VPC_Q_USEDLO, (uint32_t)used);
	hal_io_write32(c, VPC_Q_USEDHI, (uint32_t)(used >> 32));
	hal_io_write16(c, VPC_Q_ENABLE, 1);
	return 0;
}

/* Without VIRTIO_F_NOTIFICATION_DATA the driver writes the queue's index
 * (16 bits) at its notify address [§4.1.5.2]. */
void virtio_pci_notify(struct virtio_device *vdev, unsigned idx)
{
	struct virtio_pci *vp = to_vp(vdev);

	if (idx < VIRTIO_MAX_VQS)
		hal_io_write16(&vp->notify, (unsigned)vp->notify_off[idx], (uint16_t)idx);
}

/* The device configuration structure, re-read while config_generation
 * moves [§2.5.1, §4.1.4.3]; 8-byte fields as two 32-bit reads. */
int virtio_pci_read_config(struct virtio_device *vdev, unsigned off, unsigned len, uint64_t *out)
{
	struct virtio_pci *vp = to_vp(vdev);
	struct hal_iomem *d = &vp->device;
	uint8_t gen;
	int tries = 0;

	if ((len != 1 && len != 2 && len != 4 && len != 8) || off % len ||
	    !vp->layout.device.present || (uint64_t)off + len > vp->layout.device.length)
		return -EINVAL;
	do {
		gen = hal_io_read8(&vp->common, VPC_CFGGENERATION);
		if (len == 1)
			*out = hal_io_read8(d, off);
		else if (len == 2)
			*out = hal_io_read16(d, off);
		else if (len == 4)
			*out = hal_io_read32(d, off);
		else
			*out = hal_io_read32(d, off) | (uint64_t)hal_io_read32(d, off + 4) << 32;
	} while (gen != hal_io_read8(&vp->common, VPC_CFGGENERATION) && ++tries < 100);
	return 0;
}

static const struct virtio_transport_ops vp_ops = {
	.get_status = virtio_pci_get_status,
	.set_status = virtio_pci_set_status,
	.reset = virtio_pci_reset,
	.get_features = virtio_pci_get_features,
	.set_features = virtio_pci_set_features,
	.queue_max = virtio_pci_queue_max,
	.queue_enable = virtio_pci_queue_enable,
	.notify = virtio_pci_notify,
	.read_config = virtio_pci_read_config,
};

/* MSI-X: the vector says it all; no ISR read [§4.1.5.3]. */
static void vp_msix_irq(unsigned irq, void *arg)
{
	struct virtio_pci *vp = arg;

	(void)irq;
	if (!vp->vdev.failed)
		virtio_interrupt(&vp->vdev);
}

/* INTx: reading ISR status acknowledges it and deasserts the line
 * [§4.1.4.5]; ask every function on the line. */
static void vp_intx_irq(unsigned irq, void *arg)
{
	struct intx_line *line = arg;

	(void)irq;
	for (struct virtio_pci *vp = line->devs; vp; vp = vp->next_on_line) {
		uint8_t isr = hal_io_read8(&vp->isr, 0);

		if ((isr & VPCI_ISR_QUEUE) && !vp->vdev.failed)
			virtio_interrupt(&vp->vdev);
	}
}

static int intx_attach(struct virtio_pci *vp, unsigned irq)
{
	struct intx_line *line = NULL;
	int err;

	for (unsigned i = 0; i < nr_intx_lines; i++) {
		if (intx_lines[i].irq == irq)
			line = &intx_lines[i];
	}
	if (!line) {
		if (nr_intx_lines == VPCI_MAX_INTX_LINES)
			return -ENOSPC;
		line = &intx_lines[nr_intx_lines];
		line->irq = irq;
		line->devs = NULL;
		err = hal_irq_request(irq, vp_intx_irq, line);
		if (err)
			return err;
		nr_intx_lines++;
	}
	vp->next_on_line = line->devs;
	line->devs = vp;
	return 0;
}

static void intx_detach(struct virtio_pci *vp)
{
	for (unsigned i = 0; i < nr_intx_lines; i++) {
		for (struct virtio_pci **pp = &intx_lines[i].devs; *pp; pp = &(*pp)->next_on_line) {
			if (*pp == vp) {
				*pp = vp->next_on_line;
				return;
			}
		}
	}
}

/* MSI-X if possible, else INTx, else none (polled). */
static void vp_setup_irq(struct virtio_pci *vp)
{
	struct pci_dev *pdev = vp->pdev;
	int err = pci_enable_msix(pdev, 1, &vp->irq);

	if (!err) {
		err = hal_irq_request(vp->irq, vp_msix_irq, vp);
		if (!err) {
			vp->irq_kind = VP_IRQ_MSIX;
			return;
		}
		hal_msi_free(vp->irq);
	}
	if (pdev->intx_irq >= 0 && intx_attach(vp, (unsigned)pdev->intx_irq) == 0) {
		vp->irq = (unsigned)pdev->intx_irq;
		vp->irq_kind = VP_IRQ_INTX;
		return;
	}
	printk("virtio-pci %s: no MSI-X vector (%d) and no routable INTx; requests are polled\n",
	       pdev->name, err);
}

static void vp_free_irq(struct virtio_pci *vp)
{
	if (vp->irq_kind == VP_IRQ_MSIX) {
		hal_irq_free(vp->irq);
		hal_msi_free(vp->irq);
	} else if (vp->irq_kind == VP_IRQ_INTX) {
		intx_detach(vp);
	}
}

/* The virtio device ID of a function [§4.1.2.1], or 0. */
static uint32_t vp_device_id(struct pci_dev *pdev)
{
	uint16_t did = pdev->info.device;

	if (did >= 0x1040 && did <= 0x107f)
		return did - 0x1040u;
	if (did >= 0x1000 && did <= 0x103f)
		return pci_read_config16(pdev, PCI_SUBSYSTEM_ID);
	return 0;
}

static int map_region(struct virtio_pci *vp, const struct virtio_pci_region *r,
		      struct hal_iomem *out)
{
	if (!r->present || r->length == 0)
		return 0;
	return pci_iomap_bar(vp->pdev, r->bar, r->offset, r->length, out);
}

static int vp_probe(struct pci_dev *pdev)
{
	uint8_t cfg[256];
	struct virtio_pci_cfg_view view = { .cfg = cfg };
	struct virtio_pci_layout layout;
	struct virtio_pci *vp;
	const char *why;
	uint32_t id = vp_device_id(pdev);
	int err;

	if (id == 0)
		return -ENODEV;
	for (unsigned off = 0; off < sizeof(cfg); off += 4) {
		uint32_t d = pci_read_config32(pdev, off);

		for (unsigned b = 0; b < 4; b++)
			cfg[off + b] = (uint8_t)(d >> (8 * b));
	}
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		view.bar_size[i] = pdev->bar_cpu[i] ? pdev->info.size[i] : 0;
		view.bar_mem[i] = !(pdev->info.start[i] & 1) && pdev->bar_space[i] == HAL_IO_MMIO;
	}
	if (virtio_pci_parse_caps(&view, &layout, &why)) {
		printk(KERN_ERR "virtio-pci %s: device ID %u: %s; not used\n", pdev->name, id, why);
		return -ENODEV;
	}
	vp = kzalloc(sizeof(*vp));
	if (!vp)
		return -ENOMEM;
	vp->pdev = pdev;
	vp->layout = layout;
	if ((err = map_region(vp, &layout.common, &vp->common)) ||
	    (err = map_region(vp, &layout.notify, &vp->notify)) ||
	    (err = map_region(vp, &layout.isr, &vp->isr)) ||
	    (err = map_region(vp, &layout.device, &vp->device))) {
		printk(KERN_ERR "virtio-pci %s: cannot map its structures (%d); not used\n",
		       pdev->name, err);
		kfree(vp);
		return -ENODEV;
	}
	vp->vdev.bus_name = pdev->name;
	vp->vdev.device_id = id;
	vp->vdev.ops = &vp_ops;
	vp->vdev.transport = vp;
	vp->vdev.pci = true;
	vp->vdev.page_cap = pdev->svc->caps.page_alloc;
	vp->vdev.svc = pdev->svc;
	/* Reset before interrupts are routed: a device the firmware left
	 * running must not raise them into our handler half set up. */
	if (virtio_pci_reset(&vp->vdev)) {
		printk(KERN_ERR "virtio-pci %s: does not reset; not used\n", pdev->name);
		return -ENODEV; /* vp kept: the device may still own memory */
	}
	vp_setup_irq(vp);
	err = virtio_register_device(&vp->vdev);
	if (err) {
		vp_free_irq(vp);
		if (!vp->vdev.leak_rings)
			kfree(vp);
		/* The reason is on the console already. */
		return err == -ENOMEM ? err : -ENODEV;
	}
	pdev->driver_data = vp;
	printk("virtio-pci %s: %s, %s\n", pdev->name, vp->vdev.name,
	       vp->irq_kind == VP_IRQ_MSIX ? "MSI-X" :
	       vp->irq_kind == VP_IRQ_INTX ? "INTx" :
					     "polled");
	return 0;
}

/* Red Hat's virtio vendor ID; vp_probe() declines other device IDs. */
static const struct pci_device_id vp_ids[] = {
	{ 0x1af4, PCI_ANY_ID },
	{ 0, 0 },
};

PCI_DRIVER_DECLARE(virtio_pci, vp_ids, vp_probe);
