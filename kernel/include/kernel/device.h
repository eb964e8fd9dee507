/* The driver model: drivers matched against device-tree nodes by
 * "compatible" string, probed by class in a fixed order (irqchip, timer,
 * console, rtc, bus, device) as in Linux's of_device_id tables.
 * DT access goes through these helpers (kernel/board/, libfdt underneath),
 * so drivers never parse the tree or hold raw addresses themselves.
 */
#ifndef KERNEL_DEVICE_H
#define KERNEL_DEVICE_H
#include <hal/types.h>
#include <kernel/service.h>

enum drv_class {
	DRV_CLASS_IRQCHIP = 0,
	DRV_CLASS_TIMER,
	DRV_CLASS_CONSOLE,
	DRV_CLASS_RTC,
	DRV_CLASS_POWER,
	DRV_CLASS_BUS,
	DRV_CLASS_DEVICE,
	DRV_CLASS_COUNT
};

struct of_device_id {
	const char *compatible; /* NULL terminates a table */
	const void *data;	/* per-compatible driver data */
};

/* A DT node being probed. */
struct device {
	const char *name;	       /* node name, e.g. "pl011@9000000" */
	const void *fdt;	       /* the tree (kernel VA) */
	int node;		       /* libfdt node offset */
	const struct of_device_id *id; /* the entry that matched */
	void *priv;		       /* driver's state */
	/* The driver bound to this node as a service instance: its probe runs
	 * through svc_call(), so under Fortress/Balanced a fault in a probe
	 * fails that device (-EIO) and the boot goes on without it. */
	struct svc_instance svc;
};

struct driver {
	const char *name;
	enum drv_class cls;
	const struct of_device_id *match;
	/* 0 on success, -ENODEV to decline, other -errno on failure. */
	int (*probe)(struct device *dev);
};

/* Declare a driver; the boot code walks the .drivers section. */
#define DRIVER_DECLARE(n, klass, table, probefn)                                        \
	static const struct driver __driver_##n __used __section(".drivers") __aligned( \
		8) = { .name = #n, .cls = (klass), .match = (table), .probe = (probefn) }

/* reg entry idx, translated through the parents' "ranges" to a CPU physical
 * address; size in bytes. 0 or -ENOENT/-EINVAL. */
int dev_read_reg(const struct device *dev, unsigned idx, paddr_t *base, uint64_t *size);
/* As dev_read_reg, plus the address space of the entry (enum hal_io_space
 * of <hal/mmio.h>), for hal_iomap(). A node whose parent is an ISA bus
 * (compatible "isa", #address-cells = 2: the ePAPR/Linux ISA binding) has
 * reg = <space addr size>: space 1 is I/O ports (*space = HAL_IO_PORT,
 * *base = the port number, not translated), space 0 is memory (translated
 * like dev_read_reg, *space = HAL_IO_MMIO). Every other node: dev_read_reg
 * and *space = HAL_IO_MMIO. 0 or -ENOENT/-EINVAL. */
int dev_read_reg_space(const struct device *dev, unsigned idx, paddr_t *base, uint64_t *size,
		       unsigned *space);
/* interrupt idx, translated by the node's interrupt parent into an irq for
 * hal_irq_request(). 0 or -ENOENT/-ENODEV. */
int dev_read_irq(const struct device *dev, unsigned idx, unsigned *irq);
/* An interrupt of a child of the nexus node dev (a PCI host bridge):
 * the child's unit address (unit_cells = dev's #address-cells; PCI:
 * <bus << 16 | devfn << 8, 0, 0>) and specifier (PCI: <pin 1-4>) looked
 * up in dev's interrupt-map [DT spec v0.4 §2.4.3] and translated by the
 * parent controller. 0; -ENOENT (no map, no entry); -EINVAL (malformed
 * map or cell counts); -ENODEV (the controller refused the specifier). */
int dev_map_irq(const struct device *dev, const uint32_t *unit, unsigned unit_cells,
		const uint32_t *spec, unsigned spec_cells, unsigned *irq);
/* A u32 property; 0 or -ENOENT. */
int dev_read_u32(const struct device *dev, const char *prop, uint32_t *out);
/* A string property (NUL-terminated, in the tree) or NULL. */
const char *dev_read_string(const struct device *dev, const char *prop);
/* A raw property and its length in bytes, or NULL. */
const void *dev_read_prop(const struct device *dev, const char *prop, int *len);
/* Is this node the one /chosen/stdout-path names (or the board's console)? */
bool dev_is_stdout(const struct device *dev);
/* Is the serial port tty_name ("ttyAMA0", "ttyS1") on node dev the console?
 * As Linux: the last "console=<name>[,options]" of the kernel command line
 * names it when there is one [kernel-parameters: console=]; otherwise the
 * node /chosen/stdout-path points to (dev_is_stdout()). */
bool dev_is_console(const struct device *dev, const char *tty_name);
/* N of the /aliases entry "<stem>N" naming this node (Linux's
 * of_alias_get_id(): "serial1" -> 1, for ttyS1), or -ENOENT. */
int dev_alias_id(const struct device *dev, const char *stem);
/* The phandle of the node (0 if none). */
uint32_t dev_phandle(const struct device *dev);
/* Clock rate in Hz of the node's first clock ("clocks" phandle ->
 * "clock-frequency"), or of its own "clock-frequency". 0 or -ENOENT. */
int dev_read_clock_hz(const struct device *dev, uint32_t *hz);

#endif
