/* PCI host bridges and enumeration [PCI Local Bus 3.0 §6 "Configuration
 * Space"; PCI-to-PCI Bridge 1.2 §3.2; PCIe Base 4.0 §7.2.2 "ECAM"].
 *
 * Two ways to reach configuration space:
 *   "pci-host-ecam-generic" (QEMU virt's PCIe host, Linux's binding
 *       Documentation/devicetree/bindings/pci/host-generic-pci.yaml): reg is
 *       the ECAM window, 1 MiB per bus from bus-range's first bus, 4 KiB per
 *       function; ranges gives the I/O and memory windows.
 *   "kevlar,pci-conf1" (the PC boards' tree, boards/q35/README.md):
 *       configuration mechanism #1, ports 0xCF8 (address) and 0xCFC (data)
 *       [PCI Local Bus 3.0 §3.2.2.3.2]; on q35 only when the ACPI MCFG gave
 *       no ECAM node (acpi=off), since both reach the same buses.
 *
 * Every function of every bus reachable from the root bus (through
 * bridges' secondary bus numbers) is read: IDs, class, header type,
 * interrupt line, and each BAR's size (write all ones with decoding off,
 * read back, restore [§6.2.5.1]). A BAR the firmware left at 0 (QEMU
 * virt boots the kernel without firmware) gets an address from the host's
 * ranges windows, aligned to its size, and memory/I/O decoding and bus
 * mastering are enabled. What was found goes to the core (<kernel/pci.h>,
 * pci_add_device()) for /proc/bus/pci/devices and to the PCI driver whose
 * ID table matches (virtio-pci), with each BAR's CPU address (through the
 * ranges windows: on arm64 virt the I/O window is MMIO at 0x3eff0000) and
 * the INTx pin's irq from the host's interrupt-map (arm64; the PCs' tree
 * has none, their drivers use MSI-X).
 *
 * The device is input: a BAR whose size mask is not a power of two, a
 * bridge that names a bus below its own, or more than PCI_MAX_DEPTH
 * bridges deep is reported and not followed.
 *
 * Missing: INTx on the PCs (ACPI _PRT / $PIR routing to the I/O APIC;
 * MSI-X is used there instead), bus number
 * assignment for bridges the firmware left unnumbered, PCI segments
 * other than 0.
 */
#include <hal/mmio.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/pci.h>
#include <kernel/printk.h>

#define PCI_VENDOR_ID 0x00
#define PCI_CLASS_REV 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_BUSES 0x18 /* type 1: primary, secondary, subordinate */
#define PCI_INTERRUPT_LINE 0x3c

#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4

#define PCI_BAR_IO 0x1
#define PCI_BAR_MEM_TYPE_64 0x4

#define PCI_MAX_DEPTH 8
#define ECAM_MAX_BUSES 16 /* mapped at most: 16 MiB of the window */

/* A window of bus addresses BARs are placed in (from the DT's ranges). */
struct pci_window {
	uint64_t next, end; /* next free bus address, one past the last */
	uint64_t start;	    /* first bus address of the window */
	uint64_t cpu;	    /* the CPU physical address of start */
	bool valid;
};

struct pci_host {
	const char *name;
	struct hal_iomem io;
	bool ecam;
	unsigned bus_first, bus_last;
	struct pci_window io_win, mem_win;
	bool has_ranges; /* no ranges (the PCs): bus addresses are CPU addresses */
	struct device *dev;
	unsigned nr_funcs;
};

static uint32_t cfg_read(struct pci_host *h, unsigned bus, unsigned devfn, unsigned off)
{
	if (h->ecam) {
		if (bus < h->bus_first || bus > h->bus_last)
			return 0xffffffffu;
		return hal_io_read32(&h->io,
				     ((bus - h->bus_first) << 20) | (devfn << 12) | (off & 0xffc));
	}
	hal_io_write32(&h->io, 0, 0x80000000u | bus << 16 | devfn << 8 | (off & 0xfc));
	return hal_io_read32(&h->io, 4);
}

static void cfg_write(struct pci_host *h, unsigned bus, unsigned devfn, unsigned off, uint32_t v)
{
	if (h->ecam) {
		if (bus >= h->bus_first && bus <= h->bus_last)
			hal_io_write32(&h->io,
				       ((bus - h->bus_first) << 20) | (devfn << 12) | (off & 0xffc),
				       v);
		return;
	}
	hal_io_write32(&h->io, 0, 0x80000000u | bus << 16 | devfn << 8 | (off & 0xfc));
	hal_io_write32(&h->io, 4, v);
}

static uint32_t ops_read32(void *host, unsigned bus, unsigned devfn, unsigned off)
{
	return cfg_read(host, bus, devfn, off);
}

static void ops_write32(void *host, unsigned bus, unsigned devfn, unsigned off, uint32_t v)
{
	cfg_write(host, bus, devfn, off, v);
}

static const struct pci_bus_ops host_ops = { ops_read32, ops_write32 };

/* The CPU address of BAR i (bus address bus_addr, size bytes): the window
 * of its space that holds it, translated; without ranges (the PCs) the
 * same address, I/O BARs as ports. 0 if no window holds it. */
static void bar_cpu_address(struct pci_host *h, struct pci_dev *pdev, int i, uint64_t bus_addr,
			    uint64_t size, bool io)
{
	struct pci_window *w = io ? &h->io_win : &h->mem_win;

	if (!h->has_ranges) {
		pdev->bar_cpu[i] = bus_addr;
		pdev->bar_space[i] = io ? HAL_IO_PORT : HAL_IO_MMIO;
		return;
	}
	if (w->valid && bus_addr >= w->start && bus_addr + size <= w->end) {
		pdev->bar_cpu[i] = w->cpu + (bus_addr - w->start);
		pdev->bar_space[i] = HAL_IO_MMIO;
	}
}

/* A free range of size bytes (a power of two) aligned to its size. */
static uint64_t window_take(struct pci_window *w, uint64_t size)
{
	uint64_t a = (w->next + size - 1) & ~(size - 1);

	if (!w->valid || a < w->next || a + size > w->end || a == 0)
		return 0;
	w->next = a + size;
	return a;
}

/* Size BAR i (and assign it if unassigned); returns the number of BAR
 * slots it used (2 for a 64-bit memory BAR). */
static int probe_bar(struct pci_host *h, unsigned bus, unsigned devfn, int i, struct pci_dev *pdev,
		     uint16_t *cmd_need)
{
	unsigned off = PCI_BAR0 + 4 * (unsigned)i;
	uint32_t orig = cfg_read(h, bus, devfn, off), hi_orig = 0, lo, hi = 0xffffffffu;
	bool io = orig & PCI_BAR_IO, is64 = !io && (orig & 0x6) == PCI_BAR_MEM_TYPE_64;
	uint64_t mask, size, addr;
	struct pci_dev_info *info = &pdev->info;

	cfg_write(h, bus, devfn, off, 0xffffffffu);
	lo = cfg_read(h, bus, devfn, off);
	cfg_write(h, bus, devfn, off, orig);
	if (is64) {
		hi_orig = cfg_read(h, bus, devfn, off + 4);
		cfg_write(h, bus, devfn, off + 4, 0xffffffffu);
		hi = cfg_read(h, bus, devfn, off + 4);
		cfg_write(h, bus, devfn, off + 4, hi_orig);
	}
	mask = ((uint64_t)hi << 32 | (lo & (io ? ~0x3u : ~0xfu)));
	if (!is64)
		mask |= 0xffffffff00000000ull;
	if (io)
		mask |= 0xffff0000ull; /* 16-bit I/O decoders read 0 above */
	if ((lo & (io ? ~0x3u : ~0xfu)) == 0 && (!is64 || hi == 0))
		return is64 ? 2 : 1; /* not implemented */
	size = ~mask + 1;
	if (size == 0 || (size & (size - 1))) {
		printk("pci: %s: %02x:%02x.%u BAR%d: size mask 0x%llx is not a power of two; "
		       "ignored\n",
		       h->name, bus, devfn >> 3, devfn & 7, i, (unsigned long long)mask);
		return is64 ? 2 : 1;
	}
	addr = ((uint64_t)(is64 ? hi_orig : 0) << 32) | (orig & (io ? ~0x3u : ~0xfu));
	if (addr == 0) {
		addr = window_take(io ? &h->io_win : &h->mem_win, size);
		if (addr) {
			cfg_write(h, bus, devfn, off, (uint32_t)addr | (orig & (io ? 0x3 : 0xf)));
			if (is64)
				cfg_write(h, bus, devfn, off + 4, (uint32_t)(addr >> 32));
		}
	}
	if (addr) {
		*cmd_need |= io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
		bar_cpu_address(h, pdev, i, addr, size, io);
	} else
		printk("pci: %s: %02x:%02x.%u BAR%d (%llu bytes): no room in the host's %s "
		       "window; not enabled\n",
		       h->name, bus, devfn >> 3, devfn & 7, i, (unsigned long long)size,
		       io ? "I/O" : "memory");
	/* An unassigned BAR shows as address 0 with its size, as in Linux. */
	info->start[i] = addr | (orig & (io ? 0x3 : 0xf));
	info->size[i] = size;
	return is64 ? 2 : 1;
}

static void scan_bus(struct pci_host *h, unsigned bus, int depth);

/* The INTx pin's irq through the host's interrupt-map (arm64 virt's
 * PCIe host: four SPIs, swizzled by slot), or -1. */
static int route_intx(struct pci_host *h, unsigned bus, unsigned devfn)
{
	uint32_t pin = (cfg_read(h, bus, devfn, PCI_INTERRUPT_LINE) >> 8) & 0xff;
	uint32_t unit[3] = { bus << 16 | devfn << 8, 0, 0 };
	unsigned irq;

	if (pin < 1 || pin > 4 || dev_map_irq(h->dev, unit, 3, &pin, 1, &irq))
		return -1;
	return (int)irq;
}

static void probe_function(struct pci_host *h, unsigned bus, unsigned devfn, int depth)
{
	struct pci_dev *pdev = kzalloc(sizeof(*pdev));
	struct pci_dev_info info = { 0 };
	uint32_t id = cfg_read(h, bus, devfn, PCI_VENDOR_ID);
	uint8_t htype = (uint8_t)(cfg_read(h, bus, devfn, PCI_HEADER_TYPE & ~3u) >> 16) & 0x7f;
	uint16_t cmd = (uint16_t)cfg_read(h, bus, devfn, PCI_COMMAND), need = 0;
	int nbars = htype == 0 ? 6 : htype == 1 ? 2 : 0;

	info.bus = (uint8_t)bus;
	info.devfn = (uint8_t)devfn;
	info.vendor = (uint16_t)id;
	info.device = (uint16_t)(id >> 16);
	info.class_rev = cfg_read(h, bus, devfn, PCI_CLASS_REV);
	info.irq = cfg_read(h, bus, devfn, PCI_INTERRUPT_LINE) & 0xff;
	if (info.irq == 0xff)
		info.irq = 0;
	if (!pdev) {
		printk("pci: %s: %02x:%02x.%u: out of memory\n", h->name, bus, devfn >> 3,
		       devfn & 7);
		return;
	}
	pdev->info = info;
	/* Decoding off while the BARs are sized [§6.2.5.1]. */
	cfg_write(h, bus, devfn, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < nbars;)
		i += probe_bar(h, bus, devfn, i, pdev, &need);
	cfg_write(h, bus, devfn, PCI_COMMAND, cmd | need | PCI_COMMAND_MASTER);
	snprintf(pdev->name, sizeof(pdev->name), "0000:%02x:%02x.%u", bus, devfn >> 3, devfn & 7);
	pdev->ops = &host_ops;
	pdev->host = h;
	pdev->intx_irq = htype == 0 ? route_intx(h, bus, devfn) : -1;
	pdev->svc = &h->dev->svc;
	if (pci_add_device(pdev) == 0)
		h->nr_funcs++;
	if (htype == 1) {
		uint32_t buses = cfg_read(h, bus, devfn, PCI_BUSES);
		unsigned secondary = (buses >> 8) & 0xff;

		if (secondary == 0)
			return; /* the firmware did not number it: not followed */
		if (secondary <= bus || depth >= PCI_MAX_DEPTH) {
			printk("pci: %s: bridge %02x:%02x.%u names bus %u; not followed\n", h->name,
			       bus, devfn >> 3, devfn & 7, secondary);
			return;
		}
		scan_bus(h, secondary, depth + 1);
	}
}

static void scan_bus(struct pci_host *h, unsigned bus, int depth)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		for (unsigned fn = 0; fn < 8; fn++) {
			unsigned devfn = dev << 3 | fn;
			uint32_t id = cfg_read(h, bus, devfn, PCI_VENDOR_ID);

			if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) {
				if (fn == 0)
					break; /* no device */
				continue;
			}
			probe_function(h, bus, devfn, depth);
			/* Header type bit 7: a multi-function device. */
			if (fn == 0 && !(cfg_read(h, bus, devfn, PCI_HEADER_TYPE & ~3u) & 0x800000))
				break;
		}
	}
}

/* The ranges entries of a PCI host [IEEE 1275 PCI binding §2.2.1.1]:
 * <phys.hi phys.mid phys.lo  cpu-address  size>; phys.hi bits 24-25 are
 * the space (1 I/O, 2 32-bit memory, 3 64-bit memory). Bus addresses are
 * what BARs hold; the first I/O and 32-bit memory windows are used. */
static void read_ranges(struct device *dev, struct pci_host *h)
{
	uint32_t acells = 2, scells = 2;
	int len;
	const uint32_t *r = dev_read_prop(dev, "ranges", &len);

	if (!r || len <= 0)
		return;
	/* The CPU address cells are the parent's #address-cells: 2 on virt. */
	unsigned per = 3 + acells + scells, n = (unsigned)len / 4 / per;
	for (unsigned i = 0; i < n; i++, r += per) {
		uint32_t hi = __builtin_bswap32(r[0]);
		uint64_t pci = (uint64_t)__builtin_bswap32(r[1]) << 32 | __builtin_bswap32(r[2]);
		uint64_t size = (uint64_t)__builtin_bswap32(r[5]) << 32 | __builtin_bswap32(r[6]);
		unsigned space = (hi >> 24) & 3;
		struct pci_window *w = space == 1 ? &h->io_win : space == 2 ? &h->mem_win : NULL;

		if (!w || w->valid || size == 0)
			continue;
		h->has_ranges = true;
		w->start = pci;
		w->cpu = (uint64_t)__builtin_bswap32(r[3]) << 32 | __builtin_bswap32(r[4]);
		/* Bus address 0 is "unassigned" to probe_bar(): start above it. */
		w->next = pci ? pci : 0x1000;
		w->end = pci + size;
		w->valid = w->next < w->end;
	}
}

/* Whether an ECAM host was enumerated: on q35 the ACPI MCFG's
 * pci-host-ecam-generic node (kernel/acpi, placed before /isa in the
 * tree) and the board's conf1 node reach the same functions; the conf1
 * one then stands down. Set and read by probes only (one CPU, in order). */
static bool ecam_found;

static int pci_probe(struct device *dev)
{
	struct pci_host *h;
	paddr_t base;
	uint64_t size;
	unsigned space = HAL_IO_MMIO;
	int err;

	if (dev->id->data == NULL && ecam_found) {
		printk("pci: %s: buses already enumerated through ECAM; configuration mechanism "
		       "#1 not used\n",
		       dev->name);
		return -ENODEV;
	}
	h = kzalloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->name = dev->name;
	h->dev = dev;
	h->ecam = dev->id->data != NULL;
	err = dev_read_reg_space(dev, 0, &base, &size, &space);
	if (!err && h->ecam) {
		int len;
		const uint32_t *br = dev_read_prop(dev, "bus-range", &len);

		h->bus_first = br && len == 8 ? __builtin_bswap32(br[0]) : 0;
		h->bus_last = br && len == 8 ? __builtin_bswap32(br[1]) : 255;
		if (h->bus_last > 255 || h->bus_last < h->bus_first)
			h->bus_last = h->bus_first;
		if (h->bus_last - h->bus_first + 1 > size >> 20)
			h->bus_last = h->bus_first + (unsigned)(size >> 20) - 1;
		if (h->bus_last - h->bus_first + 1 > ECAM_MAX_BUSES)
			h->bus_last = h->bus_first + ECAM_MAX_BUSES - 1;
		size = (uint64_t)(h->bus_last - h->bus_first + 1) << 20;
		read_ranges(dev, h);
	} else if (!err && size < 8) {
		err = -EINVAL;
	}
	if (!err)
		err = hal_iomap(base, size, (enum hal_io_space)space, 0, &h->io);
	if (err) {
		printk("pci: %s: cannot map configuration space (%d)\n", dev->name, err);
		kfree(h);
		return -ENODEV;
	}
	scan_bus(h, h->ecam ? h->bus_first : 0, 0);
	ecam_found |= h->ecam;
	printk("pci: %s: %s, %u function(s)\n", dev->name,
	       h->ecam ? "ECAM" : "configuration mechanism #1", h->nr_funcs);
	dev->priv = h;
	return 0;
}

static const struct of_device_id pci_match[] = {
	{ "pci-host-ecam-generic", "ecam" },
	{ "kevlar,pci-conf1", NULL },
	{ NULL, NULL },
};

DRIVER_DECLARE(pci, DRV_CLASS_BUS, pci_match, pci_probe);
