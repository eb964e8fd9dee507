/* GICv2 (GIC-400, Cortex-A15 GIC) interrupt controller: distributor and
 * memory-mapped CPU interface, banked per CPU; SGIs for IPIs. SPIs go to
 * the boot CPU.
 * [IHI 0048B: §4.3 distributor registers, §4.4 CPU interface registers,
 *  §3.2.4 (interrupt acknowledge / end of interrupt), §4.3.15 GICD_SGIR,
 *  §4.3.12 GICD_ITARGETSR0-7 (read-only, banked: the reading CPU's bit)]
 */
#include <hal/cpu.h>
#include <hal/irq.h>
#include <hal/mmio.h>
#include <kernel/device.h>
#include "arm64.h"
#include "gic.h"

/* Distributor */
#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ICPENDR 0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00
/* CPU interface */
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_BPR 0x08
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10

struct gicv2 {
	struct hal_iomem dist;
	struct hal_iomem cpu;
	unsigned nr_lines;
	uint32_t ppi_enabled;		/* PPIs (bits 16-31) with a handler: enabled on every CPU */
	uint8_t target[ARM64_MAX_CPUS]; /* each CPU's interface bit, from its own ITARGETSR0 */
};

static struct gicv2 gicv2;

static int gicv2_xlate(void *priv, const uint32_t *cells, unsigned ncells, unsigned *irq)
{
	struct gicv2 *g = priv;
	struct gic_spec s;
	int err = gic_parse_spec(cells, ncells, g->nr_lines, &s);

	if (err)
		return err;
	if (s.intid >= 32) { /* SPI trigger type; PPIs are fixed on GICv2 */
		unsigned reg = GICD_ICFGR + (s.intid / 16) * 4;
		hal_io_write32(&g->dist, reg,
			       gic_icfgr_update(hal_io_read32(&g->dist, reg), s.intid, s.edge));
	}
	*irq = s.intid;
	return 0;
}

/* SGIs and PPIs (irq < 32) are banked: this changes the calling CPU's, and
 * secondaries started later copy ppi_enabled. */
static void gicv2_unmask(void *priv, unsigned irq)
{
	struct gicv2 *g = priv;

	if (irq < 32)
		__atomic_fetch_or(&g->ppi_enabled, 1u << irq, __ATOMIC_RELAXED);
	hal_io_write32(&g->dist, GICD_ISENABLER + (irq / 32) * 4, 1u << (irq % 32));
}

static void gicv2_mask(void *priv, unsigned irq)
{
	struct gicv2 *g = priv;

	if (irq < 32)
		__atomic_fetch_and(&g->ppi_enabled, ~(1u << irq), __ATOMIC_RELAXED);
	hal_io_write32(&g->dist, GICD_ICENABLER + (irq / 32) * 4, 1u << (irq % 32));
}

static const struct hal_irqchip_ops gicv2_ops = {
	.xlate = gicv2_xlate,
	.unmask = gicv2_unmask,
	.mask = gicv2_mask,
};

/* Take every pending interrupt: acknowledge (GICC_IAR), handle, EOI. */
static void gicv2_entry(void)
{
	struct gicv2 *g = &gicv2;

	for (;;) {
		uint32_t iar = hal_io_read32(&g->cpu, GICC_IAR);
		unsigned intid = iar & 0x3ff;
		if (intid >= GIC_SPURIOUS)
			return;
		if (intid < 16)
			arm64_ipi_dispatch(intid);
		else
			arm64_irq_dispatch(intid);
		hal_io_write32(&g->cpu, GICC_EOIR, iar); /* with the SGI's source CPU */
	}
}

/* The calling CPU's banked state: SGIs on, its enabled PPIs, priorities,
 * the CPU interface on; and its target bit. */
static void gicv2_cpu_setup(struct gicv2 *g)
{
	hal_io_write32(&g->dist, GICD_ICENABLER, 0xffff0000 & ~g->ppi_enabled);
	for (unsigned i = 0; i < 32; i++)
		hal_io_write8(&g->dist, GICD_IPRIORITYR + i, GIC_PRIO_DEFAULT);
	hal_io_write32(&g->dist, GICD_ISENABLER, 0x0000ffff | g->ppi_enabled);
	hal_io_write32(&g->cpu, GICC_PMR, GIC_PRIO_MASK);
	hal_io_write32(&g->cpu, GICC_BPR, 0);
	hal_io_write32(&g->cpu, GICC_CTLR, 1);
	g->target[hal_cpu_id()] = hal_io_read32(&g->dist, GICD_ITARGETSR) & 0xff;
}

static void gicv2_cpu_init(void)
{
	gicv2_cpu_setup(&gicv2);
}

static void gicv2_send(unsigned cpu, unsigned kind)
{
	struct gicv2 *g = &gicv2;

	/* TargetListFilter 0: the CPUs in CPUTargetList; NSATT 0. */
	hal_io_write32(&g->dist, GICD_SGIR, (uint32_t)g->target[cpu] << 16 | (kind & 0xf));
}

static const struct arm64_ipi_ops gicv2_ipi_ops = {
	.cpu_init = gicv2_cpu_init,
	.send = gicv2_send,
};

static int gicv2_probe(struct device *dev)
{
	struct gicv2 *g = &gicv2;
	paddr_t base;
	uint64_t size;
	int err;

	if (g->nr_lines)
		return -EBUSY; /* one GIC per system */
	if ((err = dev_read_reg(dev, 0, &base, &size)) ||
	    (err = hal_iomap(base, size, HAL_IO_MMIO, 0, &g->dist)))
		return err;
	if ((err = dev_read_reg(dev, 1, &base, &size)) ||
	    (err = hal_iomap(base, size, HAL_IO_MMIO, 0, &g->cpu)))
		return err;

	unsigned lines = 32 * ((hal_io_read32(&g->dist, GICD_TYPER) & 0x1f) + 1);
	if (lines > GIC_SPURIOUS)
		lines = GIC_SPURIOUS;

	/* Distributor: everything disabled, level, lowest useful priority,
	 * SPIs to this CPU (ITARGETSR0 reads as this CPU's own bit). */
	hal_io_write32(&g->dist, GICD_CTLR, 0);
	uint32_t self = hal_io_read32(&g->dist, GICD_ITARGETSR) & 0xff;
	for (unsigned i = 0; i < lines; i += 32) {
		hal_io_write32(&g->dist, GICD_ICENABLER + i / 8, i == 0 ? 0xffff0000 : 0xffffffff);
		hal_io_write32(&g->dist, GICD_ICPENDR + i / 8, 0xffffffff);
	}
	for (unsigned i = 0; i < lines; i++) {
		hal_io_write8(&g->dist, GICD_IPRIORITYR + i, GIC_PRIO_DEFAULT);
		if (i >= 32)
			hal_io_write8(&g->dist, GICD_ITARGETSR + i, (uint8_t)self);
	}
	for (unsigned i = 32; i < lines; i += 16)
		hal_io_write32(&g->dist, GICD_ICFGR + i / 4, 0);
	hal_io_write32(&g->dist, GICD_CTLR, 1); /* Enable (Group 1 in the Non-secure view) */
	gicv2_cpu_setup(g);			/* SGIs and this CPU's interface */

	g->nr_lines = lines;
	arm64_set_irq_entry(gicv2_entry);
	arm64_set_ipi_ops(&gicv2_ipi_ops);
	return hal_irqchip_register(dev_phandle(dev), &gicv2_ops, g, true);
}

static const struct of_device_id gicv2_match[] = {
	{ "arm,gic-400", NULL },
	{ "arm,cortex-a15-gic", NULL },
	{ "arm,cortex-a9-gic", NULL },
	{ "arm,cortex-a7-gic", NULL },
	{ NULL, NULL },
};

DRIVER_DECLARE(gicv2, DRV_CLASS_IRQCHIP, gicv2_match, gicv2_probe);
