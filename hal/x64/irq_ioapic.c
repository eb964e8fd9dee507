/* The I/O APIC [Intel 82093AA datasheet §3; ICH9 datasheet §13.5]: one
 * redirection entry per global system interrupt (GSI), routed here to
 * vector 32 + GSI on the boot CPU, masked until hal_irq_request().
 * DT binding "intel,ce4100-ioapic" [Linux Documentation/devicetree/
 * bindings/interrupt-controller/intel,ce4100-ioapic.txt]: two cells
 * <GSI sense>, sense 0 = edge rising, 1 = level low, 2 = level high,
 * 3 = edge falling. The specifier's first cell is the GSI; the I/O APIC
 * serving it is the one whose "kevlar,gsi-base" (default 0) and pin count
 * cover it (pin = GSI - base). "kevlar,interrupt-overrides", written from
 * the ACPI MADT at boot (kernel/acpi/acpi_fdt.c), lists <isa-irq gsi
 * sense> triples: each GSI in this I/O APIC's range starts with that
 * sense instead of the ISA default [ACPI 6.4 §5.2.12.5]. */
#include <hal/irq.h>
#include <hal/mmu.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include "x64.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPICVER 0x01
#define IOREDTBL(n) (0x10 + 2 * (n))
#define RTE_ACTIVE_LOW (1 << 13)
#define RTE_LEVEL (1 << 15)
#define RTE_MASKED (1 << 16)
#define MAX_PINS (VEC_MSI_FIRST - VEC_IRQ_BASE) /* GSIs 0 .. 159: vectors 32 .. 0xbf; MSIs above */
#define MAX_IOAPICS 8

struct ioapic {
	volatile uint32_t *regs;
	unsigned gsi_base; /* GSI of pin 0 */
	unsigned nr_pins;
	uint32_t mode[MAX_PINS]; /* RTE_LEVEL / RTE_ACTIVE_LOW per pin */
};

/* Filled by probes (boot CPU, DRV_CLASS_IRQCHIP, before interrupts are
 * on); then each entry is reached only through its irqchip registration. */
static struct ioapic ioapics[MAX_IOAPICS];
static unsigned nr_ioapics;

static const uint32_t sense_mode[4] = { 0, RTE_LEVEL | RTE_ACTIVE_LOW, RTE_LEVEL, RTE_ACTIVE_LOW };

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
	io->regs[IOREGSEL / 4] = reg;
	return io->regs[IOWIN / 4];
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->regs[IOREGSEL / 4] = reg;
	io->regs[IOWIN / 4] = v;
}

/* Fixed delivery, physical destination = this CPU's APIC ID. */
static void set_entry(struct ioapic *io, unsigned pin, bool masked)
{
	uint32_t lo =
		(VEC_IRQ_BASE + io->gsi_base + pin) | io->mode[pin] | (masked ? RTE_MASKED : 0);

	ioapic_write(io, IOREDTBL(pin) + 1, x64_lapic_id() << 24);
	ioapic_write(io, IOREDTBL(pin), lo);
}

static int ioapic_xlate(void *priv, const uint32_t *cells, unsigned ncells, unsigned *irq)
{
	struct ioapic *io = priv;
	unsigned pin;

	if (ncells < 1 || cells[0] < io->gsi_base || cells[0] - io->gsi_base >= io->nr_pins)
		return -EINVAL;
	pin = cells[0] - io->gsi_base;
	if (ncells >= 2) {
		if (cells[1] > 3)
			return -EINVAL;
		io->mode[pin] = sense_mode[cells[1]];
	}
	set_entry(io, pin, true);
	*irq = VEC_IRQ_BASE + io->gsi_base + pin;
	return 0;
}

static void ioapic_unmask(void *priv, unsigned irq)
{
	struct ioapic *io = priv;

	if (irq >= VEC_IRQ_BASE + io->gsi_base && irq - VEC_IRQ_BASE - io->gsi_base < io->nr_pins)
		set_entry(io, irq - VEC_IRQ_BASE - io->gsi_base, false);
}

static void ioapic_mask(void *priv, unsigned irq)
{
	struct ioapic *io = priv;

	if (irq >= VEC_IRQ_BASE + io->gsi_base && irq - VEC_IRQ_BASE - io->gsi_base < io->nr_pins)
		set_entry(io, irq - VEC_IRQ_BASE - io->gsi_base, true);
}

static const struct hal_irqchip_ops ioapic_ops = {
	.xlate = ioapic_xlate,
	.unmask = ioapic_unmask,
	.mask = ioapic_mask,
};

/* The overrides of "kevlar,interrupt-overrides" that fall in io's range
 * become those pins' default sense. */
static void apply_overrides(struct device *dev, struct ioapic *io)
{
	int len;
	const uint8_t *p = dev_read_prop(dev, "kevlar,interrupt-overrides", &len);

	for (int off = 0; p && off + 12 <= len; off += 12) {
		uint32_t ov[3], gsi, sense;

		for (int k = 0; k < 3; k++) /* big-endian cells [DT spec §2.2.4.2] */
			ov[k] = (uint32_t)p[off + 4 * k] << 24 |
				(uint32_t)p[off + 4 * k + 1] << 16 |
				(uint32_t)p[off + 4 * k + 2] << 8 | p[off + 4 * k + 3];
		gsi = ov[1];
		sense = ov[2];

		if (gsi < io->gsi_base || gsi - io->gsi_base >= io->nr_pins || sense > 3) {
			printk("ioapic: override IRQ %u -> GSI %u (sense %u) not mine, ignored\n",
			       ov[0], gsi, sense);
			continue;
		}
		io->mode[gsi - io->gsi_base] = sense_mode[sense];
	}
}

static int ioapic_probe(struct device *dev)
{
	struct ioapic *io;
	paddr_t base;
	uint64_t size;
	uintptr_t va;
	uint32_t gsi_base = 0;

	if (nr_ioapics >= MAX_IOAPICS)
		return -EBUSY;
	io = &ioapics[nr_ioapics];
	if (dev_read_reg(dev, 0, &base, &size))
		return -EINVAL;
	if (dev_read_u32(dev, "kevlar,gsi-base", &gsi_base))
		gsi_base = 0;
	if (gsi_base >= MAX_PINS) {
		printk("ioapic: GSI base %u beyond the %u vectors; not used\n", gsi_base, MAX_PINS);
		return -EINVAL;
	}
	va = hal_ioremap(base, size ? size : PAGE_SIZE);
	if (!va)
		return -ENOMEM;
	io->regs = (volatile uint32_t *)va;
	io->gsi_base = gsi_base;
	io->nr_pins = ((ioapic_read(io, IOAPICVER) >> 16) & 0xff) + 1;
	if (io->nr_pins > MAX_PINS - gsi_base)
		io->nr_pins = MAX_PINS - gsi_base;
	apply_overrides(dev, io);
	for (unsigned pin = 0; pin < io->nr_pins; pin++)
		set_entry(io, pin, true); /* ISA default (edge, high) or the override; masked */
	nr_ioapics++;
	printk("ioapic: %u pins at 0x%llx, GSI %u-%u\n", io->nr_pins, (unsigned long long)base,
	       io->gsi_base, io->gsi_base + io->nr_pins - 1);
	return hal_irqchip_register(dev_phandle(dev), &ioapic_ops, io, false);
}

static const struct of_device_id ioapic_match[] = {
	{ "intel,ce4100-ioapic", 0 },
	{ 0, 0 },
};
DRIVER_DECLARE(ioapic, DRV_CLASS_IRQCHIP, ioapic_match, ioapic_probe);
