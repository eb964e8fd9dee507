/* GICv3 interrupt controller: distributor (affinity routing), one
 * redistributor per CPU, and the system-register CPU interface; SGIs for
 * IPIs through ICC_SGI1R_EL1. SPIs go to the boot CPU. No ITS/LPIs.
 * [IHI 0069: §12.9 GICD_* registers, §12.10-12.11 GICR_* (RD_base,
 *  SGI_base frames), §12.2 ICC_* system registers, §4.1 (interrupt
 *  lifecycle: IAR/EOIR), §11.1 (power management: GICR_WAKER),
 *  §12.2.23 ICC_SGI1R_EL1]
 */
#include <hal/cpu.h>
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
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
/* One level of expansion so that the S3_... name, not the macro, is what
 * read_sysreg() stringifies. */
#define icc_read(r) read_sysreg(r)
#define icc_write(r, v) write_sysreg(r, v)

#define MAX_RD_FRAMES 32

struct gicv3 {
	struct hal_iomem dist;
	struct hal_iomem rd[ARM64_MAX_CPUS];	/* each CPU's redistributor (RD_base + SGI_base) */
	struct hal_iomem frames[MAX_RD_FRAMES]; /* every redistributor found at probe */
	uint32_t frame_aff[MAX_RD_FRAMES];	/* its GICR_TYPER affinity */
	unsigned nr_frames;
	unsigned nr_lines;
	uint32_t ppi_enabled; /* SGIs/PPIs with a handler: enabled on every CPU */
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
		struct hal_iomem *rd = &g->rd[hal_cpu_id()];
		hal_io_write32(rd, GICR_ICFGR1,
			       gic_icfgr_update(hal_io_read32(rd, GICR_ICFGR1), s.intid, s.edge));
	}
	*irq = s.intid;
	return 0;
}

static void gicv3_unmask(void *priv, unsigned irq)
{
	struct gicv3 *g = priv;

	if (irq < 32) {
		__atomic_fetch_or(&g->ppi_enabled, 1u << irq, __ATOMIC_RELAXED);
		hal_io_write32(&g->rd[hal_cpu_id()], GICR_ISENABLER0, 1u << irq);
	} else
		hal_io_write32(&g->dist, GICD_ISENABLER + (irq / 32) * 4, 1u << (irq % 32));
}

static void gicv3_mask(void *priv, unsigned irq)
{
	struct gicv3 *g = priv;

	if (irq < 32) {
		struct hal_iomem *rd = &g->rd[hal_cpu_id()];
		__atomic_fetch_and(&g->ppi_enabled, ~(1u << irq), __ATOMIC_RELAXED);
		hal_io_write32(rd, GICR_ICENABLER0, 1u << irq);
		poll_bit(rd, GICR_CTLR, GICR_CTLR_RWP, false);
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
		if (intid < 16)
			arm64_ipi_dispatch(intid);
		else
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

/* Record every redistributor frame of every region with its affinity. */
static int scan_redistributors(struct device *dev, struct gicv3 *g)
{
	uint32_t nregions = 1;

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
			if (g->nr_frames < MAX_RD_FRAMES) {
				g->frames[g->nr_frames] = frame;
				g->frame_aff[g->nr_frames++] = typer_hi;
			}
			if (typer_lo & GICR_TYPER_LAST)
				break;
			off += (typer_lo & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
		}
	}
	return 0;
}

/* This CPU's redistributor, found by its affinity. */
static int find_redistributor(struct gicv3 *g)
{
	uint32_t aff = cpu_affinity();

	for (unsigned i = 0; i < g->nr_frames; i++) {
		if (g->frame_aff[i] == aff) {
			g->rd[hal_cpu_id()] = g->frames[i];
			return 0;
		}
	}
	return -ENODEV;
}

/* The calling CPU's redistributor (woken, SGIs/PPIs Group 1, SGIs and the
 * enabled PPIs on, PPI trigger modes as the boot CPU's) and its CPU
 * interface. */
static int gicv3_cpu_setup(struct gicv3 *g)
{
	struct hal_iomem *rd = &g->rd[hal_cpu_id()];

	hal_io_write32(rd, GICR_WAKER, hal_io_read32(rd, GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	if (poll_bit(rd, GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP, false))
		return -ETIMEDOUT;
	hal_io_write32(rd, GICR_IGROUPR0, 0xffffffff);
	hal_io_write32(rd, GICR_ICENABLER0, 0xffff0000 & ~g->ppi_enabled);
	hal_io_write32(rd, GICR_ICPENDR0, 0xffffffff);
	if (rd != &g->rd[0])
		hal_io_write32(rd, GICR_ICFGR1, hal_io_read32(&g->rd[0], GICR_ICFGR1));
	for (unsigned i = 0; i < 32; i++)
		hal_io_write8(rd, GICR_IPRIORITYR + i, GIC_PRIO_DEFAULT);
	hal_io_write32(rd, GICR_ISENABLER0, 0x0000ffff | g->ppi_enabled);
	poll_bit(rd, GICR_CTLR, GICR_CTLR_RWP, false);

	icc_write(ICC_PMR_EL1, GIC_PRIO_MASK);
	icc_write(ICC_BPR1_EL1, 0);
	icc_write(ICC_CTLR_EL1, 0); /* EOImode 0: EOIR also deactivates */
	icc_write(ICC_IGRPEN1_EL1, 1);
	isb();
	return 0;
}

/* A secondary CPU: system registers on (EL2 let EL1 have them, boot.S),
 * then its redistributor. A CPU without one gets no interrupts: reported. */
static void gicv3_cpu_init(void)
{
	struct gicv3 *g = &gicv3;

	icc_write(ICC_SRE_EL1, icc_read(ICC_SRE_EL1) | 0x7);
	isb();
	if (find_redistributor(g) || gicv3_cpu_setup(g))
		printk("gicv3: CPU%u (affinity %#x): no usable redistributor\n", hal_cpu_id(),
		       cpu_affinity());
}

/* ICC_SGI1R_EL1: Aff3 [55:48], Aff2 [39:32], INTID [27:24], Aff1 [23:16],
 * TargetList [15:0] (one bit per Aff0 value 0-15), IRM 0. */
static void gicv3_send(unsigned cpu, unsigned kind)
{
	uint64_t mpidr = arm64_cpu_hwid[cpu];
	uint64_t aff0 = mpidr & 0xff;

	if (aff0 >= 16)
		return; /* not addressable without RS (GICv3.1 range selector) */
	icc_write(ICC_SGI1R_EL1, ((mpidr >> 32) & 0xff) << 48 | ((mpidr >> 16) & 0xff) << 32 |
					 (uint64_t)(kind & 0xf) << 24 |
					 ((mpidr >> 8) & 0xff) << 16 | 1ULL << aff0);
	isb();
}

static const struct arm64_ipi_ops gicv3_ipi_ops = {
	.cpu_init = gicv3_cpu_init,
	.send = gicv3_send,
};

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
	if ((err = scan_redistributors(dev, g)) || (err = find_redistributor(g))) {
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

	/* This CPU's redistributor and CPU interface. */
	if ((err = gicv3_cpu_setup(g))) {
		printk("gicv3: redistributor does not wake up\n");
		return err;
	}

	g->nr_lines = lines;
	arm64_set_irq_entry(gicv3_entry);
	arm64_set_ipi_ops(&gicv3_ipi_ops);
	return hal_irqchip_register(dev_phandle(dev), &gicv3_ops, g, true);
}

static const struct of_device_id gicv3_match[] = {
	{ "arm,gic-v3", NULL },
	{ NULL, NULL },
};

DRIVER_DECLARE(gicv3, DRV_CLASS_IRQCHIP, gicv3_match, gicv3_probe);
