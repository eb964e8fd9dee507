/* What a PCI bus driver (drivers/pci/) tells the core about each function
 * it found, for /proc/bus/pci/devices (Linux's format, [proc(5)]) — the
 * lspci-like view. The core copies the record; the driver keeps nothing
 * registered. */
#ifndef KERNEL_PCI_H
#define KERNEL_PCI_H
#include <hal/types.h>
#include <kernel/service.h>

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

/* ---- PCI drivers: functions bound to drivers by vendor/device ID (Linux's
 * struct pci_driver / pci_device_id, much reduced). The bus driver
 * (drivers/pci) provides configuration access and the BARs' CPU addresses;
 * the core (kernel/bus/pci_driver.c) matches, walks capability lists and
 * sets up MSI-X; a driver (drivers/virtio/virtio_pci.c) sees only this. */

#define PCI_STD_NUM_BARS 6
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_PIN 0x3d
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_VNDR 0x09

struct pci_dev;

/* Configuration space of one host bridge, 32-bit aligned accesses (off a
 * multiple of 4, below 4096 for ECAM, 256 for mechanism #1). */
struct pci_bus_ops {
	uint32_t (*read32)(void *host, unsigned bus, unsigned devfn, unsigned off);
	void (*write32)(void *host, unsigned bus, unsigned devfn, unsigned off, uint32_t v);
};

struct pci_dev {
	struct pci_dev_info info; /* as published; info.driver set on binding */
	char name[16];		  /* "0000:00:02.0", as Linux names functions */
	const struct pci_bus_ops *ops;
	void *host;
	/* BAR n as the CPU reaches it: physical address (0: unusable, e.g.
	 * unassigned or behind a window the host does not translate) and
	 * space (enum hal_io_space: MMIO or x86 port I/O). */
	paddr_t bar_cpu[PCI_STD_NUM_BARS];
	uint8_t bar_space[PCI_STD_NUM_BARS];
	/* The function's INTx pin routed to an irq for hal_irq_request()
	 * (level-triggered, possibly shared), or -1: no pin or no route. */
	int intx_irq;
	/* The host bridge's service instance and page token, for drivers
	 * that allocate on the device's behalf (<kernel/service.h>). */
	struct svc_instance *svc;
	void *driver_data;
};

struct pci_device_id {
	uint16_t vendor, device; /* PCI_ANY_ID (0xffff) as device matches any */
};
#define PCI_ANY_ID 0xffffu

struct pci_driver {
	const char *name;
	const struct pci_device_id *ids; /* terminated by vendor 0 */
	/* 0 (bound), -ENODEV (declined; the next driver is tried), other
	 * -errno (failed: reported). Runs inside the host bridge's probe. */
	int (*probe)(struct pci_dev *pdev);
};

#define PCI_DRIVER_DECLARE(n, table, probefn)                                            \
	static const struct pci_driver __pci_driver_##n __used __section(".pci_drivers") \
		__aligned(8) = { .name = #n, .ids = (table), .probe = (probefn) }

/* For bus drivers: publish pdev (pci_publish) and bind the first driver
 * whose table matches. pdev must live as long as the kernel (a bound
 * driver keeps it). 0 (published; bound or not), -ENOSPC. */
int pci_add_device(struct pci_dev *pdev);

/* Configuration space of pdev [PCI Local Bus 3.0 §6.1]: off aligned to
 * the width; a 8/16-bit write is a read-modify-write of its dword. */
uint32_t pci_read_config32(const struct pci_dev *pdev, unsigned off);
uint16_t pci_read_config16(const struct pci_dev *pdev, unsigned off);
uint8_t pci_read_config8(const struct pci_dev *pdev, unsigned off);
void pci_write_config32(const struct pci_dev *pdev, unsigned off, uint32_t v);
void pci_write_config16(const struct pci_dev *pdev, unsigned off, uint16_t v);

/* The offset of the first capability with ID cap_id after start (0: from
 * the list head) [§6.7], or 0 if none. The list is device input: pointers
 * below 0x40 or past 0xff end it, and at most 48 entries are followed. */
unsigned pci_find_next_capability(const struct pci_dev *pdev, unsigned start, uint8_t cap_id);

struct hal_iomem;
/* Map len bytes at offset off of memory BAR bar. 0; -EINVAL (no such BAR,
 * not assigned, or off/len outside its size); -ENOMEM. */
int pci_iomap_bar(const struct pci_dev *pdev, unsigned bar, uint64_t off, uint64_t len,
		  struct hal_iomem *out);

/* MSI-X [PCI Local Bus 3.0 §6.8.2]: allocate nvec message interrupts
 * (hal_msi_alloc), program table entries 0..nvec-1, unmask them and
 * enable MSI-X with INTx disabled. irqs[i] is the irq of entry i for
 * hal_irq_request(). 0; -ENODEV (no MSI-X capability, no MSI controller);
 * -EINVAL (the capability's table lies outside its BAR, or has fewer
 * than nvec entries); -ENOSPC (vectors). Nothing is left enabled on
 * failure. */
int pci_enable_msix(struct pci_dev *pdev, unsigned nvec, unsigned *irqs);

#endif
