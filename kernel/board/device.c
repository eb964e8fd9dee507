/* Device-tree access for drivers (the helpers of <kernel/device.h>):
 * registers translated through bus "ranges", interrupts through the
 * interrupt parent, plain properties, phandles and clocks.
 * [DT spec v0.4 §2.3.8 (ranges), §2.4 (interrupts and interrupt
 * mapping)], Linux drivers/of/address.c and irq.c for the corner cases.
 * The tree was checked whole by board_parse(); lengths are still checked
 * here before every read.
 */
#include <hal/irq.h>
#include <hal/mmio.h>
#include <kernel/board.h>
#include <kernel/cmdline.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <libfdt.h>
#include <string.h>

#include "dt_util.h"

#define MAX_IRQ_CELLS 4

/* Store the number a in n cells (the low two), with hi as the third-from-
 * last (flags) cell when n is 3. */
static void set_addr(uint32_t addr[DT_MAX_ADDR_CELLS], int n, uint64_t a, uint32_t hi)
{
	memset(addr, 0, DT_MAX_ADDR_CELLS * sizeof(uint32_t));
	addr[n - 1] = (uint32_t)a;
	if (n >= 2)
		addr[n - 2] = (uint32_t)(a >> 32);
	if (n > 2)
		addr[0] = hi;
}

static bool is_pci_bus(const void *fdt, int node)
{
	int len;
	const char *t = fdt_getprop(fdt, node, "device_type", &len);

	return t && len == 4 && !memcmp(t, "pci", 4);
}

/* Translate an address in bus's child address space (cac cells, the raw
 * cells in addr[]) one level up through bus's "ranges". On success
 * addr[] holds the parent-space cells (pac of them). [DT spec §2.3.8] */
static int translate_one(const void *fdt, int bus, int parent, uint32_t addr[DT_MAX_ADDR_CELLS],
			 int cac, int csc, int pac)
{
	int len, entry;
	const fdt32_t *r = fdt_getprop(fdt, bus, "ranges", &len);
	uint64_t a = 0;
	bool pci = is_pci_bus(fdt, bus);

	if (!r)
		return -EINVAL; /* no ranges: not memory-mapped from the parent */
	for (int i = cac > 2 ? cac - 2 : 0; i < cac; i++)
		a = (a << 32) | addr[i];
	if (len == 0) {
		/* Empty ranges: identity mapping [DT spec §2.3.8]. */
		set_addr(addr, pac, a, cac > 2 ? addr[0] : 0);
		return 0;
	}
	entry = (cac + pac + csc) * 4;
	if (len < 0 || len % entry)
		return -EINVAL;
	for (int off = 0; off < len; off += entry) {
		const fdt32_t *e = r + off / 4;
		uint64_t cba = dt_cells(e, cac), pba = dt_cells(e + cac, pac);
		uint64_t sz = dt_cells(e + cac + pac, csc);
		bool hi_ok = true;

		if (cac > 2) {
			uint32_t want = addr[0], have = fdt32_to_cpu(e[0]);

			/* PCI: match the space code (phys.hi bits 24-25) only. */
			hi_ok = pci ? ((want ^ have) & 0x03000000) == 0 : want == have;
		}
		if (!hi_ok || a < cba || a - cba >= sz)
			continue;
		set_addr(addr, pac, pba + (a - cba), pac > 2 ? fdt32_to_cpu(e[cac]) : 0);
		return 0;
	}
	return -EINVAL;
}

int dev_read_reg(const struct device *dev, unsigned idx, paddr_t *base, uint64_t *size)
{
	const void *fdt = dev->fdt;
	int parent = fdt_parent_offset(fdt, dev->node), ac, sc, node, err;
	const fdt32_t *reg;
	uint32_t addr[DT_MAX_ADDR_CELLS];
	uint64_t a;

	if (parent < 0 || dt_child_cells(fdt, parent, &ac, &sc))
		return -EINVAL;
	err = dt_reg_entry(fdt, dev->node, ac, sc, idx, &reg);
	if (err)
		return err;
	for (int i = 0; i < ac; i++)
		addr[i] = fdt32_to_cpu(reg[i]);
	if (size)
		*size = sc ? dt_cells(reg + ac, sc) : 0;
	/* Walk up: translate through every bus between the node and the root. */
	for (node = parent; node > 0;) {
		int gp = fdt_parent_offset(fdt, node), pac, psc, cac, csc;

		if (gp < 0 || dt_child_cells(fdt, node, &cac, &csc) ||
		    dt_child_cells(fdt, gp, &pac, &psc))
			return -EINVAL;
		if (translate_one(fdt, node, gp, addr, cac, csc, pac))
			return -EINVAL;
		ac = pac;
		node = gp;
	}
	a = 0;
	for (int i = ac > 2 ? ac - 2 : 0; i < ac; i++)
		a = (a << 32) | addr[i];
	*base = a;
	return 0;
}

/* Does node's compatible list contain compat? */
static bool node_is_compatible(const void *fdt, int node, const char *compat)
{
	return fdt_node_check_compatible(fdt, node, compat) == 0;
}

int dev_read_reg_space(const struct device *dev, unsigned idx, paddr_t *base, uint64_t *size,
		       unsigned *space)
{
	const void *fdt = dev->fdt;
	int parent = fdt_parent_offset(fdt, dev->node), ac, sc, err;
	const fdt32_t *reg;

	*space = HAL_IO_MMIO;
	if (parent <= 0 || !node_is_compatible(fdt, parent, "isa") ||
	    dt_child_cells(fdt, parent, &ac, &sc) || ac != 2)
		return dev_read_reg(dev, idx, base, size);
	/* ISA binding: reg = <space addr size...>, space 1 = I/O, 0 = memory. */
	err = dt_reg_entry(fdt, dev->node, ac, sc, idx, &reg);
	if (err)
		return err;
	if (fdt32_to_cpu(reg[0]) & 1) {
		*space = HAL_IO_PORT;
		*base = fdt32_to_cpu(reg[1]);
		if (size)
			*size = sc ? dt_cells(reg + 2, sc) : 0;
		return 0;
	}
	/* ISA memory: through the bus's ranges if it has any; on a PC the ISA
	 * memory space is the CPU's physical address space. */
	if (fdt_getprop(fdt, parent, "ranges", NULL))
		return dev_read_reg(dev, idx, base, size);
	*base = fdt32_to_cpu(reg[1]);
	if (size)
		*size = sc ? dt_cells(reg + 2, sc) : 0;
	return 0;
}

/* The interrupt parent of node: its "interrupt-parent" or the nearest
 * ancestor's. [DT spec §2.4.1] Returns the controller's phandle or 0. */
static uint32_t irq_parent_phandle(const void *fdt, int node)
{
	for (int depth = 0; node >= 0 && depth < 64; depth++) {
		int len;
		const fdt32_t *p = fdt_getprop(fdt, node, "interrupt-parent", &len);

		if (p && len == 4)
			return fdt32_to_cpu(*p);
		node = fdt_parent_offset(fdt, node);
	}
	return 0;
}

static int irq_cells_of(const void *fdt, uint32_t phandle, int *ncells)
{
	int ctl = fdt_node_offset_by_phandle(fdt, phandle), len;
	const fdt32_t *p;

	if (ctl < 0)
		return -ENODEV;
	p = fdt_getprop(fdt, ctl, "#interrupt-cells", &len);
	if (!p || len != 4)
		return -ENODEV;
	*ncells = (int)fdt32_to_cpu(*p);
	if (*ncells < 1 || *ncells > MAX_IRQ_CELLS)
		return -ENODEV;
	return 0;
}

static int xlate(uint32_t phandle, const fdt32_t *spec, int n, unsigned *irq)
{
	uint32_t cells[MAX_IRQ_CELLS];

	for (int i = 0; i < n; i++)
		cells[i] = fdt32_to_cpu(spec[i]);
	return hal_irq_xlate(phandle, cells, (unsigned)n, irq) ? -ENODEV : 0;
}

int dev_read_irq(const struct device *dev, unsigned idx, unsigned *irq)
{
	const void *fdt = dev->fdt;
	int len, n, err;
	const fdt32_t *p = fdt_getprop(fdt, dev->node, "interrupts-extended", &len);
	uint32_t ph;

	if (p) {
		/* <phandle spec...> pairs, each with its controller's cell count. */
		int cnt = len / 4, i = 0;

		for (unsigned k = 0; i < cnt; k++) {
			ph = fdt32_to_cpu(p[i]);
			err = irq_cells_of(fdt, ph, &n);
			if (err)
				return err;
			if (i + 1 + n > cnt)
				return -EINVAL;
			if (k == idx)
				return xlate(ph, p + i + 1, n, irq);
			i += 1 + n;
		}
		return -ENOENT;
	}
	p = fdt_getprop(fdt, dev->node, "interrupts", &len);
	if (!p)
		return -ENOENT;
	ph = irq_parent_phandle(fdt, dev->node);
	if (!ph)
		return -ENODEV;
	err = irq_cells_of(fdt, ph, &n);
	if (err)
		return err;
	if (len < 0 || (idx + 1) * (unsigned)n * 4 > (unsigned)len)
		return -ENOENT;
	return xlate(ph, p + idx * (unsigned)n, n, irq);
}

/* interrupt-map lookup [Devicetree Specification v0.4 §2.4.3 "Interrupt
 * Nexus Properties"; Linux's of_irq_parse_raw()]: each entry is <child
 * unit address (dev's #address-cells), child specifier (dev's
 * #interrupt-cells), parent phandle, parent unit address (the parent's
 * #address-cells, 0 if it has none), parent specifier (the parent's
 * #interrupt-cells)>. The child's cells are ANDed with interrupt-map-mask
 * (all ones if absent) before comparing. Only one level: the parent must
 * be an interrupt controller. The map is firmware input: an entry naming
 * an unknown phandle or running past the end ends the search (-EINVAL). */
int dev_map_irq(const struct device *dev, const uint32_t *unit, unsigned unit_cells,
		const uint32_t *spec, unsigned spec_cells, unsigned *irq)
{
	const void *fdt = dev->fdt;
	int len, mlen, ic, ac, sc;
	const fdt32_t *map = fdt_getprop(fdt, dev->node, "interrupt-map", &len);
	const fdt32_t *mask = fdt_getprop(fdt, dev->node, "interrupt-map-mask", &mlen);
	uint32_t child[DT_MAX_ADDR_CELLS + MAX_IRQ_CELLS];
	unsigned cc, cnt, i = 0;

	if (!map || len <= 0)
		return -ENOENT;
	if (dt_child_cells(fdt, dev->node, &ac, &sc) || (unsigned)ac != unit_cells)
		return -EINVAL;
	{
		const fdt32_t *p = fdt_getprop(fdt, dev->node, "#interrupt-cells", &ic);

		if (!p || ic != 4 || fdt32_to_cpu(*p) != spec_cells || spec_cells > MAX_IRQ_CELLS)
			return -EINVAL;
	}
	cc = unit_cells + spec_cells;
	if (mask && (unsigned)mlen != cc * 4)
		return -EINVAL;
	for (unsigned k = 0; k < cc; k++) {
		uint32_t v = k < unit_cells ? unit[k] : spec[k - unit_cells];

		child[k] = mask ? v & fdt32_to_cpu(mask[k]) : v;
	}
	cnt = (unsigned)len / 4;
	while (i + cc + 1 <= cnt) {
		uint32_t ph = fdt32_to_cpu(map[i + cc]);
		int ctl = fdt_node_offset_by_phandle(fdt, ph), pac = 0, pic, alen;
		bool hit = true;

		if (ctl < 0 || irq_cells_of(fdt, ph, &pic))
			return -EINVAL;
		{
			const fdt32_t *a = fdt_getprop(fdt, ctl, "#address-cells", &alen);

			if (a && alen == 4)
				pac = (int)fdt32_to_cpu(*a);
			if (pac < 0 || pac > DT_MAX_ADDR_CELLS)
				return -EINVAL;
		}
		if (i + cc + 1 + (unsigned)pac + (unsigned)pic > cnt)
			return -EINVAL;
		for (unsigned k = 0; k < cc && hit; k++)
			hit = fdt32_to_cpu(map[i + k]) == child[k];
		if (hit)
			return xlate(ph, map + i + cc + 1 + pac, pic, irq);
		i += cc + 1 + (unsigned)pac + (unsigned)pic;
	}
	return -ENOENT;
}

int dev_read_u32(const struct device *dev, const char *prop, uint32_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(dev->fdt, dev->node, prop, &len);

	if (!p || len < 4)
		return -ENOENT;
	*out = fdt32_to_cpu(*p);
	return 0;
}

const char *dev_read_string(const struct device *dev, const char *prop)
{
	int len;
	const char *s = fdt_getprop(dev->fdt, dev->node, prop, &len);

	if (!s || len <= 0 || !memchr(s, '\0', (size_t)len))
		return NULL;
	return s;
}

const void *dev_read_prop(const struct device *dev, const char *prop, int *len)
{
	int l;
	const void *p = fdt_getprop(dev->fdt, dev->node, prop, &l);

	if (!p)
		return NULL;
	if (len)
		*len = l;
	return p;
}

bool dev_is_stdout(const struct device *dev)
{
	return dev->fdt == board_fdt && board.stdout_node >= 0 && dev->node == board.stdout_node;
}

bool dev_is_console(const struct device *dev, const char *tty_name)
{
	const char *want = cmdline_get("console");
	size_t len;

	if (!want || !*want)
		return dev_is_stdout(dev);
	const char *comma = strchr(want, ',');
	len = comma ? (size_t)(comma - want) : strlen(want);
	return strlen(tty_name) == len && strncmp(want, tty_name, len) == 0;
}

int dev_alias_id(const struct device *dev, const char *stem)
{
	const void *fdt = dev->fdt;
	int aliases = fdt_path_offset(fdt, "/aliases"), prop;
	size_t n = strlen(stem);

	if (aliases < 0)
		return -ENOENT;
	fdt_for_each_property_offset(prop, fdt, aliases)
	{
		const char *name, *path;
		int len, id = 0;

		path = fdt_getprop_by_offset(fdt, prop, &name, &len);
		if (!path || len <= 0 || !memchr(path, '\0', (size_t)len) || strncmp(name, stem, n))
			continue;
		const char *d = name + n;
		for (; *d >= '0' && *d <= '9' && id < 100000; d++)
			id = id * 10 + (*d - '0');
		if (d == name + n || *d)
			continue; /* "serial" alone, "serialx", or too long a number */
		if (fdt_path_offset(fdt, path) == dev->node)
			return id;
	}
	return -ENOENT;
}

uint32_t dev_phandle(const struct device *dev)
{
	return fdt_get_phandle(dev->fdt, dev->node);
}

/* "clock-frequency" of node as a u32 or u64 cell pair. */
static int node_clock_frequency(const void *fdt, int node, uint32_t *hz)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "clock-frequency", &len);

	if (p && len == 4) {
		*hz = fdt32_to_cpu(p[0]);
		return 0;
	}
	if (p && len == 8) {
		uint64_t v = ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);

		*hz = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		return 0;
	}
	return -ENOENT;
}

int dev_read_clock_hz(const struct device *dev, uint32_t *hz)
{
	int len;
	const fdt32_t *p = fdt_getprop(dev->fdt, dev->node, "clocks", &len);

	if (p && len >= 4) {
		int clk = fdt_node_offset_by_phandle(dev->fdt, fdt32_to_cpu(p[0]));

		if (clk >= 0 && !node_clock_frequency(dev->fdt, clk, hz))
			return 0;
	}
	return node_clock_frequency(dev->fdt, dev->node, hz);
}
