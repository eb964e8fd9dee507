/* What a PCI bus driver (drivers/pci/) tells the core about each function
 * it found, for /proc/bus/pci/devices (Linux's format, [proc(5)]) — the
 * lspci-like view. The core copies the record; the driver keeps nothing
 * registered. */
#ifndef KERNEL_PCI_H
#define KERNEL_PCI_H
#include <hal/types.h>

#define PCI_NUM_RESOURCES 7 /* BARs 0-5 and the expansion ROM, as Linux */

struct pci_dev_info {
	uint8_t bus;
	uint8_t devfn; /* device << 3 | function */
	uint16_t vendor, device;
	uint32_t class_rev; /* class << 8 | revision (config dword 0x08) */
	unsigned irq;	    /* interrupt line (0: none) */
	/* BAR n: bus address | its low flag bits (I/O: 1; memory: type and
	 * prefetchable bits) and size in bytes; 0/0 when unused. */
	uint64_t start[PCI_NUM_RESOURCES];
	uint64_t size[PCI_NUM_RESOURCES];
	const char *driver; /* static string or NULL */
};

/* Record one function. 0, -ENOSPC (the table is full: 256 functions). */
int pci_publish(const struct pci_dev_info *info);

#endif
