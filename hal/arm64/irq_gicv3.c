/* GICv3 interrupt controller: distributor (affinity routing), the boot
 * CPU's redistributor, and the system-register CPU interface. No ITS/LPIs.
 * [IHI 0069: §12.9 GICD_* registers, §12.10-12.11 GICR_* (RD_base,
 *  SGI_base frames), §12.2 ICC_* system registers, §4.1 (interrupt
 *  lifecycle: IAR/EOIR), §11.1 (power management: GICR_WAKER)]
 */
#include <hal/irq.h>
#include <hal/mmio.h>
#include <kernel/device.h>
#include <kernel/printk.h>
#include "arm64.h"
#include "gic.h"

/* Distributor */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ICPENDR 0x0280
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_ENABLE_G1A (1u << 1)
#define GICD_CTLR_ENABLE_G1 (1u << 0)
/* Redistributor, RD_base frame */
#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_CTLR_RWP (1u << 3)
#define GICR_TYPER_VLPIS (1u << 1)
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
/* Redistributor, SGI_base frame (RD_base + 64 KiB) */
#define GICR_SGI_OFFSET 0x10000
#define GICR_IGROUPR0 (GICR_SGI_OFFSET + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_OFFSET + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI_OFFSET + 0x0180)
#define GICR_ICPENDR0 (GICR_SGI_OFFSET + 0x0280)
#define GICR_IPRIORITYR (GICR_SGI_OFFSET + 0x0400)
#define GICR_ICFGR1 (GICR_SGI_OFFSET + 0x0c04)

/* CPU interface system registers (op0_op1_CRn_CRm_op2). */
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
/* One level of expansion so that the S3_... name, not the macro, is what
 * read_sysreg() stringifies. */
#define icc_read(r) read_sysreg(r)
#define icc_write(r, v) write_sysreg(r, v)

struct gicv3 {
	struct hal_iomem dist;
	struct hal_iomem rd; /* this CPU's redistributor (RD_base + SGI_base) */
	unsigned nr_lines;
};

static struct gicv3 gicv3;

/* Wait until reg's bit clears (or sets if want_set); bounded. */
static int poll_bit(const struct hal_iomem *io, unsigned reg, uint32_t bit, bool want_set)
{
	for (unsigned i = 0; i < 1000000; i++) {
		bool set = (hal_io_read32(io, reg) & bit) != 0;
		if (set == want_set)
			return 0;
	}
	return -ETIMEDOUT;
}

static int gicv3_xlate(void *priv, const uint32_t *cells, unsigned ncells, unsigned *irq)
{
	struct gicv3 *g = priv;
	struct gic_spec s;
	int err = gic_parse_spec(cells, ncells, g->nr_lines, &s);

	if (err)
		return err;
	if (s.intid >= 32) {
		unsigned reg = GICD_ICFGR + (s.intid / 16) * 4;
		hal_io_write32(&g->dist, reg,
			       gic_icfgr_update(hal_io_read32(&g->dist, reg), s.intid, s.edge));
	} else {
		hal_io_write32(
			&g->rd, GICR_ICFGR1,
			gic_icfgr_update(hal_io_read32(&g->rd, GICR_ICFGR1), s.intid, s.edge));
	}
	*irq = s.intid;
	return 0;
}

static void gicv3_unmask(void *priv, unsigned irq)
{
	struct gicv3 *g = priv;

	if (irq < 32)
		hal_io_write32(&g->rd, GICR_ISENABLER0, 1u << irq);
	else
		hal_io_write32(&g->dist, GICD_ISENABLER + (irq / 32) * 4, 1u << (irq % 32));
}

static void gicv3_mask(void *priv, unsigned irq)
{
	struct gicv3 *g = priv;

	if (irq < 32) {
		hal_io_write32(&g->rd, GICR_ICENABLER0, 1u << irq);
		poll_bit(&g->rd, GICR_CTLR, GICR_CTLR_RWP, false);
	} else {
		hal_io_write32(&g->dist, GICD_ICENABLER + (irq / 32) * 4, 1u << (irq % 32));
		poll_bit(&g->dist, GICD_CTLR, GICD_CTLR_RWP, false);
	}
}

static const struct hal_irqchip_ops gicv3_ops = {
	.xlate = gicv3_xlate,
	.unmask = gicv3_unmask,
	.mask = gicv3_mask,
};

static void gicv3_entry(void)
{
	for (;;) {
		uint64_t iar = icc_read(ICC_IAR1_EL1);
		unsigned intid = iar & 0xffffff;
		if (intid >= GIC_SPURIOUS && intid < 8192)
			return; /* 1023: nothing pending */
		arm64_irq_dispatch(intid);
		icc_write(ICC_EOIR1_EL1, iar);
		isb();
	}
}

/* MPIDR affinity packed as GICR_TYPER[63:32] holds it: Aff3.Aff2.Aff1.Aff0. */
static uint32_t cpu_affinity(void)
{
	uint64_t mpidr = read_sysreg(mpidr_el1);

	return (uint32_t)((mpidr >> 32) & 0xff) << 24 | (uint32_t)(mpidr & 0xffffff);
}

/* Find this CPU's redistributor among the frames of every region. */
static int find_redistributor(struct device *dev, struct gicv3 *g)
{
	uint32_t nregions = 1;
	uint32_t aff = cpu_affinity();

	dev_read_u32(dev, "#redistributor-regions", &nregions);
	for (unsigned r = 0; r < nregions; r++) {
		paddr_t base;
		uint64_t size;
		struct hal_iomem io;
		int err;
		if ((err = dev_read_reg(dev, 1 + r, &base, &size)) ||
		    (err = hal_iomap(base, size, HAL_IO_MMIO, 0, &io)))
			return err;
		for (uint64_t off = 0; off + 0x20000 <= size;) {
			struct hal_iomem frame = io;
			frame.base += off;
			uint32_t typer_lo = hal_io_read32(&frame, GICR_TYPER);
			uint32_t typer_hi = hal_io_read32(&frame, GICR_TYPER + 4);
			if (typer_hi == aff) {
				g->rd = frame;
				return 0;
			}
			if (typer_lo & GICR_TYPER_LAST)
				break;
			off += (typer_lo & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
		}
	}
	return -ENODEV;
}

static int gicv3_probe(struct device *dev)
{
	struct gicv3 *g = &gicv3;
	paddr_t base;
	uint64_t size;
	int err;

	if (g->nr_lines)
		return -EBUSY;

	/* The CPU interface must be reachable through system registers
	 * (ICC_SRE_EL1.SRE stays 0 if a higher EL forbids it). */
	icc_write(ICC_SRE_EL1, icc_read(ICC_SRE_EL1) | 0x7); /* SRE | DFB | DIB */
	isb();
	if (!(icc_read(ICC_SRE_EL1) & 1)) {
		printk("gicv3: system register interface disabled by firmware\n");
		return -ENODEV;
	}

	if ((err = dev_read_reg(dev, 0, &base, &size)) ||
	    (err = hal_iomap(base, size, HAL_IO_MMIO, 0, &g->dist)))
		return err;
	if ((err = find_redistributor(dev, g))) {
		printk("gicv3: no redistributor for this CPU\n");
		return err;
	}

	unsigned lines = 32 * ((hal_io_read32(&g->dist, GICD_TYPER) & 0x1f) + 1);
	if (lines > GIC_SPURIOUS)
		lines = GIC_SPURIOUS;

	/* Distributor: off while SPIs are set up as Group 1, disabled, level,
	 * default priority, routed to this CPU. */
	hal_io_write32(&g->dist, GICD_CTLR, 0);
	poll_bit(&g->dist, GICD_CTLR, GICD_CTLR_RWP, false);
	for (unsigned i = 32; i < lines; i += 32) {
		hal_io_write32(&g->dist, GICD_IGROUPR + i / 8, 0xffffffff);
		hal_io_write32(&g->dist, GICD_ICENABLER + i / 8, 0xffffffff);
		hal_io_write32(&g->dist, GICD_ICPENDR + i / 8, 0xffffffff);
	}
	for (unsigned i = 32; i < lines; i += 16)
		hal_io_write32(&g->dist, GICD_ICFGR + i / 4, 0);
	for (unsigned i = 32; i < lines; i++)
		hal_io_write8(&g->dist, GICD_IPRIORITYR + i, GIC_PRIO_DEFAULT);
	poll_bit(&g->dist, GICD_CTLR, GICD_CTLR_RWP, false);
	hal_io_write32(&g->dist, GICD_CTLR,
		       GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1A | GICD_CTLR_ENABLE_G1);
	poll_bit(&g->dist, GICD_CTLR, GICD_CTLR_RWP, false);
	uint64_t mpidr = read_sysreg(mpidr_el1);
	uint64_t route = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 32; /* IRM = 0: this CPU */
	for (unsigned i = 32; i < lines; i++) {
		hal_io_write32(&g->dist, GICD_IROUTER + i * 8, (uint32_t)route);
		hal_io_write32(&g->dist, GICD_IROUTER + i * 8 + 4, (uint32_t)(route >> 32));
	}

	/* Redistributor: wake it, then SGIs/PPIs as Group 1, PPIs disabled. */
	hal_io_write32(&g->rd, GICR_WAKER,
		       hal_io_read32(&g->rd, GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	if (poll_bit(&g->rd, GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP, false)) {
		printk("gicv3: redistributor does not wake up\n");
		return -ETIMEDOUT;
	}
	hal_io_write32(&g->rd, GICR_IGROUPR0, 0xffffffff);
	hal_io_write32(&g->rd, GICR_ICENABLER0, 0xffff0000);
	hal_io_write32(&g->rd, GICR_ICPENDR0, 0xffffffff);
	hal_io_write32(&g->rd, GICR_ISENABLER0, 0x0000ffff);
	for (unsigned i = 0; i < 32; i++)
		hal_io_write8(&g->rd, GICR_IPRIORITYR + i, GIC_PRIO_DEFAULT);
	poll_bit(&g->rd, GICR_CTLR, GICR_CTLR_RWP, false);

	/* CPU interface. */
	icc_write(ICC_PMR_EL1, GIC_PRIO_MASK);
	icc_write(ICC_BPR1_EL1, 0);
	icc_write(ICC_CTLR_EL1, 0); /* EOImode 0: EOIR also deactivates */
	icc_write(ICC_IGRPEN1_EL1, 1);
	isb();

	g->nr_lines = lines;
	arm64_set_irq_entry(gicv3_entry);
	return hal_irqchip_register(dev_phandle(dev), &gicv3_ops, g, true);
}

static const struct of_device_id gicv3_match[] = {
	{ "arm,gic-v3", NULL },
	{ NULL, NULL },
};

DRIVER_DECLARE(gicv3, DRV_CLASS_IRQCHIP, gicv3_match, gicv3_probe);
