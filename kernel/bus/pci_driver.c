/* PCI drivers (<kernel/pci.h>): binding functions to PCI_DRIVER_DECLARE
 * drivers, configuration access, capability lists [PCI Local Bus 3.0
 * §6.7] and MSI-X [§6.8.2]. The bus driver (drivers/pci) calls
 * pci_add_device() for each function it enumerated.
 */
#include <hal/irq.h>
#include <hal/mmio.h>
#include <kernel/errno.h>
#include <kernel/pci.h>
#include <kernel/printk.h>

extern const struct pci_driver __pci_drivers_start[], __pci_drivers_end[];

#define PCI_CAP_MAX 48 /* capabilities followed at most: (256 - 64) / 4 */

/* MSI-X capability [§6.8.2.1]: Message Control at +2 (table size - 1 in
 * bits 0-10, function mask bit 14, enable bit 15), Table Offset/BIR at +4
 * (BIR in bits 0-2, offset 8-byte aligned). Table entries are 16 bytes:
 * address low, address high, data, vector control (bit 0: masked). */
#define MSIX_FLAGS 2
#define MSIX_TABLE 4
#define MSIX_FLAGS_QSIZE 0x7ff
#define MSIX_FLAGS_MASKALL 0x4000
#define MSIX_FLAGS_ENABLE 0x8000
#define MSIX_ENTRY_SIZE 16
#define MSIX_ENTRY_CTRL_MASKBIT 1

uint32_t pci_read_config32(const struct pci_dev *pdev, unsigned off)
{
	return pdev->ops->read32(pdev->host, pdev->info.bus, pdev->info.devfn, off & ~3u);
}

uint16_t pci_read_config16(const struct pci_dev *pdev, unsigned off)
{
	return (uint16_t)(pci_read_config32(pdev, off) >> (8 * (off & 2)));
}

uint8_t pci_read_config8(const struct pci_dev *pdev, unsigned off)
{
	return (uint8_t)(pci_read_config32(pdev, off) >> (8 * (off & 3)));
}

void pci_write_config32(const struct pci_dev *pdev, unsigned off, uint32_t v)
{
	pdev->ops->write32(pdev->host, pdev->info.bus, pdev->info.devfn, off & ~3u, v);
}

/* Read-modify-write of the dword: the other half of the registers we
 * write this way (Command beside Status, Message Control beside the
 * capability header) ignores a write of its own value, except Status,
 * whose write-1-to-clear bits are written as 0 here. */
void pci_write_config16(const struct pci_dev *pdev, unsigned off, uint16_t v)
{
	unsigned shift = 8 * (off & 2);
	uint32_t d = pci_read_config32(pdev, off);

	if ((off & ~3u) == PCI_COMMAND)
		d &= 0xffff; /* Status (RW1C) is the upper half: write zeros */
	d = (d & ~(0xffffu << shift)) | (uint32_t)v << shift;
	pci_write_config32(pdev, off, d);
}

unsigned pci_find_next_capability(const struct pci_dev *pdev, unsigned start, uint8_t cap_id)
{
	unsigned pos;

	if (start == 0) {
		if (!(pci_read_config16(pdev, PCI_STATUS) & PCI_STATUS_CAP_LIST))
			return 0;
		pos = pci_read_config8(pdev, PCI_CAPABILITY_LIST);
	} else {
		pos = pci_read_config8(pdev, start + 1);
	}
	for (int n = 0; n < PCI_CAP_MAX; n++) {
		uint16_t hdr;

		pos &= ~3u; /* the bottom two bits are reserved [§6.7] */
		if (pos < 0x40 || pos > 0xfc)
			return 0;
		hdr = pci_read_config16(pdev, pos);
		if ((hdr & 0xff) == cap_id)
			return pos;
		pos = hdr >> 8;
	}
	return 0;
}

int pci_iomap_bar(const struct pci_dev *pdev, unsigned bar, uint64_t off, uint64_t len,
		  struct hal_iomem *out)
{
	uint64_t size;

	if (bar >= PCI_STD_NUM_BARS || !pdev->bar_cpu[bar] || len == 0)
		return -EINVAL;
	size = pdev->info.size[bar];
	if (off > size || len > size - off)
		return -EINVAL;
	return hal_iomap(pdev->bar_cpu[bar] + off, len, (enum hal_io_space)pdev->bar_space[bar], 0,
			 out);
}

int pci_enable_msix(struct pci_dev *pdev, unsigned nvec, unsigned *irqs)
{
	unsigned cap = pci_find_next_capability(pdev, 0, PCI_CAP_ID_MSIX), done = 0;
	struct hal_iomem table;
	uint16_t ctrl;
	uint32_t tbl;
	unsigned bir, qsize;
	int err;

	if (!cap)
		return -ENODEV;
	ctrl = pci_read_config16(pdev, cap + MSIX_FLAGS);
	tbl = pci_read_config32(pdev, cap + MSIX_TABLE);
	bir = tbl & 7;
	qsize = (ctrl & MSIX_FLAGS_QSIZE) + 1u;
	if (nvec == 0 || nvec > qsize || bir >= PCI_STD_NUM_BARS)
		return -EINVAL;
	err = pci_iomap_bar(pdev, bir, tbl & ~7u, (uint64_t)qsize * MSIX_ENTRY_SIZE, &table);
	if (err) {
		printk(KERN_ERR "pci %s: MSI-X table (BAR%u + 0x%x, %u entries) is outside the "
				"BAR; not used\n",
		       pdev->name, bir, tbl & ~7u, qsize);
		return -EINVAL;
	}
	/* Function-masked while the entries are written [§6.8.2.3]. */
	pci_write_config16(pdev, cap + MSIX_FLAGS,
			   (uint16_t)((ctrl & ~MSIX_FLAGS_ENABLE) | MSIX_FLAGS_MASKALL));
	for (; done < nvec; done++) {
		uint64_t addr;
		uint32_t data;
		unsigned e = done * MSIX_ENTRY_SIZE;

		err = hal_msi_alloc(&irqs[done], &addr, &data);
		if (err)
			break;
		hal_io_write32(&table, e + 12, MSIX_ENTRY_CTRL_MASKBIT);
		hal_io_write32(&table, e + 0, (uint32_t)addr);
		hal_io_write32(&table, e + 4, (uint32_t)(addr >> 32));
		hal_io_write32(&table, e + 8, data);
		hal_io_write32(&table, e + 12, 0);
	}
	if (err) {
		while (done--)
			hal_msi_free(irqs[done]);
		pci_write_config16(pdev, cap + MSIX_FLAGS,
				   (uint16_t)(ctrl & ~(MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL)));
		return err;
	}
	pci_write_config16(pdev, PCI_COMMAND,
			   pci_read_config16(pdev, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
	pci_write_config16(pdev, cap + MSIX_FLAGS,
			   (uint16_t)((ctrl & ~MSIX_FLAGS_MASKALL) | MSIX_FLAGS_ENABLE));
	return 0;
}

static bool id_match(const struct pci_device_id *ids, const struct pci_dev_info *info)
{
	for (; ids && ids->vendor; ids++) {
		if (ids->vendor == info->vendor &&
		    (ids->device == PCI_ANY_ID || ids->device == info->device))
			return true;
	}
	return false;
}

int pci_add_device(struct pci_dev *pdev)
{
	for (const struct pci_driver *d = __pci_drivers_start; d < __pci_drivers_end; d++) {
		int err;

		if (!id_match(d->ids, &pdev->info))
			continue;
		err = d->probe(pdev);
		if (err == 0) {
			pdev->info.driver = d->name;
			break;
		}
		if (err != -ENODEV)
			printk(KERN_ERR "pci %s: %s: probe failed (%d)\n", pdev->name, d->name,
			       err);
	}
	return pci_publish(&pdev->info);
}
