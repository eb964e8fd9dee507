/* The Raspberry Pi 2/3 interrupt controllers (BCM2836/BCM2837):
 *  - the per-core "local" controller ("brcm,bcm2836-l1-intc"), the root: it
 *    raises the CPU's IRQ for the ARM generic timers, the mailboxes, the PMU
 *    and, on its input 8, everything the GPU-side controller collects;
 *  - the GPU-side "ARM control" controller ("brcm,bcm2836-armctrl-ic"):
 *    72 peripheral interrupts (UART, USB, DMA, ...) in three banks, chained
 *    into input 8 of the local controller.
 * [Broadcom "BCM2835 ARM Peripherals" §7.5 (interrupt registers: basic
 *  pending 0x00, pending 1/2 0x04/0x08, enable 1/2/basic 0x10/0x14/0x18,
 *  disable 1/2/basic 0x1c/0x20/0x24)], [Broadcom "ARM Quad A7 core" (QA7)
 *  rev 3.4 §4.6 core timers interrupt control 0x40, §4.7 mailbox interrupt
 *  control 0x50, §4.10 core IRQ source 0x60, §4.3 GPU interrupt routing
 *  0x0c, §4.7 mailbox write-set 0x80 / read-write-clear 0xc0 (16 bytes per
 *  core)]. DT bindings: Linux
 *  Documentation/devicetree/bindings/interrupt-controller/brcm,bcm2836-l1-intc
 *  and brcm,bcm2835-armctrl-ic: local cells <hwirq flags>, armctrl cells
 *  <bank irq>.
 *
 * irq numbers (<hal/irq.h>): local hwirq n is irq n (0-3 timers CNTPS,
 * CNTPNS, CNTHP, CNTV; 4-7 mailboxes; 8 GPU; 9 PMU); armctrl bank b, line n
 * is irq 32 + 32 * b + n. Every core's timer interrupts are its own; the
 * GPU's go to core 0. IPIs are mailbox 0 of the target core, one bit per
 * kind (as Linux's irq-bcm2836.c). A core's number is its MPIDR Aff0. */
#include <hal/irq.h>
#include <hal/mmio.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include "arm64.h"

/* local controller */
#define LOCAL_GPU_ROUTING 0x0c
#define LOCAL_TIMER_INT_CTRL0 0x40   /* core 0: bits 0-3 IRQ enable per timer; +4 per core */
#define LOCAL_MAILBOX_INT_CTRL0 0x50 /* core 0: bits 0-3 IRQ enable per mailbox; +4 per core */
#define LOCAL_IRQ_SOURCE0 0x60	     /* core 0: pending sources; +4 per core */
#define LOCAL_MAILBOX0_SET0 0x80     /* core 0 mailbox 0 write-set; +16 per core */
#define LOCAL_MAILBOX0_CLR0 0xc0     /* core 0 mailbox 0 read / write-clear; +16 per core */
#define LOCAL_MAILBOX0_IRQ 4	     /* source bit of mailbox 0 */
#define LOCAL_NR_IRQS 12
#define LOCAL_GPU_IRQ 8

/* armctrl */
#define ARMCTRL_BASIC_PENDING 0x00
#define ARMCTRL_PENDING1 0x04
#define ARMCTRL_PENDING2 0x08
#define ARMCTRL_ENABLE1 0x10
#define ARMCTRL_ENABLE2 0x14
#define ARMCTRL_ENABLE_BASIC 0x18
#define ARMCTRL_DISABLE1 0x1c
#define ARMCTRL_DISABLE2 0x20
#define ARMCTRL_DISABLE_BASIC 0x24
#define ARMCTRL_IRQ_BASE 32
#define ARMCTRL_NR_IRQS (3 * 32)

static struct {
	struct hal_iomem io;
	bool probed;
	uint32_t timers_enabled; /* timer irqs (0-3) with a handler: on every core */
} local;

/* The core number of logical CPU cpu / of this CPU (MPIDR Aff0, 0-3). */
static unsigned core_of(unsigned cpu)
{
	return (unsigned)(arm64_cpu_hwid[cpu] & 3);
}

static unsigned this_core(void)
{
	return (unsigned)(read_sysreg(mpidr_el1) & 3);
}

static struct {
	struct hal_iomem io;
	struct device *dev;
	bool probed, connected;
	uint32_t enabled[3]; /* per bank: the lines we unmasked */
} armctrl;

/* ---- local controller (root) ------------------------------------------- */

static int local_xlate(void *priv, const uint32_t *cells, unsigned ncells, unsigned *irq)
{
	(void)priv;
	if (ncells < 1 || cells[0] >= LOCAL_NR_IRQS)
		return -EINVAL;
	*irq = cells[0];
	return 0;
}

/* Timers (0-3): the calling core's enable, and every core started later;
 * the GPU input (8) is always routed to core 0. */
static void local_unmask(void *priv, unsigned irq)
{
	unsigned reg = LOCAL_TIMER_INT_CTRL0 + 4 * this_core();

	(void)priv;
	if (irq < 4) {
		__atomic_fetch_or(&local.timers_enabled, 1u << irq, __ATOMIC_RELAXED);
		hal_io_write32(&local.io, reg, hal_io_read32(&local.io, reg) | (1u << irq));
	}
}

static void local_mask(void *priv, unsigned irq)
{
	unsigned reg = LOCAL_TIMER_INT_CTRL0 + 4 * this_core();

	(void)priv;
	if (irq < 4) {
		__atomic_fetch_and(&local.timers_enabled, ~(1u << irq), __ATOMIC_RELAXED);
		hal_io_write32(&local.io, reg, hal_io_read32(&local.io, reg) & ~(1u << irq));
	}
}

/* Mailbox 0 of this core: clear the bits we saw, then take each IPI. */
static void local_ipis(unsigned core)
{
	unsigned reg = LOCAL_MAILBOX0_CLR0 + 16 * core;
	uint32_t bits = hal_io_read32(&local.io, reg);

	hal_io_write32(&local.io, reg, bits);
	for (unsigned k = 0; bits; k++, bits >>= 1)
		if (bits & 1)
			arm64_ipi_dispatch(k);
}

/* The IRQ exception: every pending source of this core, lowest first. The
 * sources are level signals of their devices; nothing to acknowledge here
 * but the mailbox. */
static void local_entry(void)
{
	unsigned core = this_core();
	uint32_t src = hal_io_read32(&local.io, LOCAL_IRQ_SOURCE0 + 4 * core);

	for (unsigned b = 0; b < LOCAL_NR_IRQS; b++) {
		if (!(src & (1u << b)))
			continue;
		if (b == LOCAL_MAILBOX0_IRQ)
			local_ipis(core);
		else
			arm64_irq_dispatch(b);
	}
}

static void local_cpu_init(void)
{
	unsigned core = this_core();

	hal_io_write32(&local.io, LOCAL_TIMER_INT_CTRL0 + 4 * core, local.timers_enabled);
	hal_io_write32(&local.io, LOCAL_MAILBOX_INT_CTRL0 + 4 * core, 1); /* mailbox 0: IRQ */
}

static void local_send(unsigned cpu, unsigned kind)
{
	hal_io_write32(&local.io, LOCAL_MAILBOX0_SET0 + 16 * core_of(cpu), 1u << kind);
}

static const struct arm64_ipi_ops local_ipi_ops = {
	.cpu_init = local_cpu_init,
	.send = local_send,
};

static const struct hal_irqchip_ops local_ops = {
	.xlate = local_xlate,
	.unmask = local_unmask,
	.mask = local_mask,
};

/* ---- armctrl (chained into local input 8) ------------------------------- */

static const unsigned enable_reg[3] = { ARMCTRL_ENABLE_BASIC, ARMCTRL_ENABLE1, ARMCTRL_ENABLE2 };
static const unsigned disable_reg[3] = { ARMCTRL_DISABLE_BASIC, ARMCTRL_DISABLE1,
					 ARMCTRL_DISABLE2 };
static const unsigned pending_reg[3] = { ARMCTRL_BASIC_PENDING, ARMCTRL_PENDING1,
					 ARMCTRL_PENDING2 };

static int armctrl_xlate(void *priv, const uint32_t *cells, unsigned ncells, unsigned *irq)
{
	(void)priv;
	if (ncells < 2 || cells[0] > 2 || cells[1] >= (cells[0] == 0 ? 8u : 32u))
		return -EINVAL;
	*irq = ARMCTRL_IRQ_BASE + 32 * cells[0] + cells[1];
	return 0;
}

static void armctrl_unmask(void *priv, unsigned irq)
{
	unsigned h = irq - ARMCTRL_IRQ_BASE;

	(void)priv;
	if (irq < ARMCTRL_IRQ_BASE || h >= ARMCTRL_NR_IRQS)
		return;
	armctrl.enabled[h / 32] |= 1u << (h % 32);
	hal_io_write32(&armctrl.io, enable_reg[h / 32], 1u << (h % 32));
}

static void armctrl_mask(void *priv, unsigned irq)
{
	unsigned h = irq - ARMCTRL_IRQ_BASE;

	(void)priv;
	if (irq < ARMCTRL_IRQ_BASE || h >= ARMCTRL_NR_IRQS)
		return;
	armctrl.enabled[h / 32] &= ~(1u << (h % 32));
	hal_io_write32(&armctrl.io, disable_reg[h / 32], 1u << (h % 32));
}

/* Local input 8: dispatch every enabled pending line. The basic register's
 * bits 8-20 are summaries and shortcuts of banks 1-2, which are read whole
 * instead. */
static void armctrl_chained(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	for (unsigned b = 0; b < 3; b++) {
		uint32_t p = hal_io_read32(&armctrl.io, pending_reg[b]) & armctrl.enabled[b];

		if (b == 0)
			p &= 0xff;
		for (unsigned n = 0; p; n++, p >>= 1)
			if (p & 1)
				arm64_irq_dispatch(ARMCTRL_IRQ_BASE + 32 * b + n);
	}
}

static const struct hal_irqchip_ops armctrl_ops = {
	.xlate = armctrl_xlate,
	.unmask = armctrl_unmask,
	.mask = armctrl_mask,
};

/* Hook armctrl to its parent input once both controllers are known (the
 * tree lists armctrl first). */
static void armctrl_connect(void)
{
	unsigned parent;
	int err;

	if (!armctrl.probed || !local.probed || armctrl.connected)
		return;
	if ((err = dev_read_irq(armctrl.dev, 0, &parent)) ||
	    (err = hal_irq_request(parent, armctrl_chained, NULL))) {
		printk("bcm2836-armctrl: cannot chain to the local controller (%d)\n", err);
		return;
	}
	armctrl.connected = true;
}

static int map_reg0(struct device *dev, struct hal_iomem *io)
{
	paddr_t base;
	uint64_t size;
	int err = dev_read_reg(dev, 0, &base, &size);

	return err ? err : hal_iomap(base, size, HAL_IO_MMIO, 0, io);
}

static int local_probe(struct device *dev)
{
	int err = map_reg0(dev, &local.io);

	if (err)
		return err;
	hal_io_write32(&local.io, LOCAL_GPU_ROUTING, 0); /* GPU IRQ -> core 0 */
	if ((err = hal_irqchip_register(dev_phandle(dev), &local_ops, NULL, true)))
		return err;
	local_cpu_init(); /* no timers yet; this core's mailbox 0 */
	arm64_set_irq_entry(local_entry);
	arm64_set_ipi_ops(&local_ipi_ops);
	local.probed = true;
	armctrl_connect();
	return 0;
}

static int armctrl_probe(struct device *dev)
{
	int err = map_reg0(dev, &armctrl.io);

	if (err)
		return err;
	for (unsigned b = 0; b < 3; b++)
		hal_io_write32(&armctrl.io, disable_reg[b], ~0u);
	if ((err = hal_irqchip_register(dev_phandle(dev), &armctrl_ops, NULL, false)))
		return err;
	armctrl.dev = dev;
	armctrl.probed = true;
	armctrl_connect();
	return 0;
}

static const struct of_device_id local_match[] = {
	{ "brcm,bcm2836-l1-intc", NULL },
	{ NULL, NULL },
};
DRIVER_DECLARE(bcm2836_l1_intc, DRV_CLASS_IRQCHIP, local_match, local_probe);

static const struct of_device_id armctrl_match[] = {
	{ "brcm,bcm2836-armctrl-ic", NULL },
	{ NULL, NULL },
};
DRIVER_DECLARE(bcm2836_armctrl_ic, DRV_CLASS_IRQCHIP, armctrl_match, armctrl_probe);
