/* The I/O APIC [Intel 82093AA datasheet §3; ICH9 datasheet §13.5]: one
 * redirection entry per global system interrupt (GSI), routed here to
 * vector 32 + GSI on the boot CPU, masked until hal_irq_request().
 * DT binding "intel,ce4100-ioapic" [Linux Documentation/devicetree/
 * bindings/interrupt-controller/intel,ce4100-ioapic.txt]: two cells
 * <GSI sense>, sense 0 = edge rising, 1 = level low, 2 = level high,
 * 3 = edge falling. */
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
#define MAX_PINS 240 /* vectors 32 .. 0xeb */

struct ioapic {
	volatile uint32_t *regs;
	unsigned nr_pins;
	uint32_t mode[MAX_PINS]; /* RTE_LEVEL / RTE_ACTIVE_LOW per pin */
};

static struct ioapic ioapic0;

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
	uint32_t lo = (VEC_IRQ_BASE + pin) | io->mode[pin] | (masked ? RTE_MASKED : 0);

	ioapic_write(io, IOREDTBL(pin) + 1, x64_lapic_id() << 24);
	ioapic_write(io, IOREDTBL(pin), lo);
}

static int ioapic_xlate(void *priv, const uint32_t *cells, unsigned ncells, unsigned *irq)
{
	static const uint32_t sense[4] = { 0, RTE_LEVEL | RTE_ACTIVE_LOW, RTE_LEVEL,
					   RTE_ACTIVE_LOW };
	struct ioapic *io = priv;
	unsigned pin;

	if (ncells < 1 || cells[0] >= io->nr_pins)
		return -EINVAL;
	pin = cells[0];
	if (ncells >= 2) {
		if (cells[1] > 3)
			return -EINVAL;
		io->mode[pin] = sense[cells[1]];
	}
	set_entry(io, pin, true);
	*irq = VEC_IRQ_BASE + pin;
	return 0;
}

static void ioapic_unmask(void *priv, unsigned irq)
{
	struct ioapic *io = priv;

	if (irq >= VEC_IRQ_BASE && irq - VEC_IRQ_BASE < io->nr_pins)
		set_entry(io, irq - VEC_IRQ_BASE, false);
}

static void ioapic_mask(void *priv, unsigned irq)
{
	struct ioapic *io = priv;

	if (irq >= VEC_IRQ_BASE && irq - VEC_IRQ_BASE < io->nr_pins)
		set_entry(io, irq - VEC_IRQ_BASE, true);
}

static const struct hal_irqchip_ops ioapic_ops = {
	.xlate = ioapic_xlate,
	.unmask = ioapic_unmask,
	.mask = ioapic_mask,
};

static int ioapic_probe(struct device *dev)
{
	struct ioapic *io = &ioapic0;
	paddr_t base;
	uint64_t size;
	uintptr_t va;

	if (io->regs)
		return -EBUSY; /* one I/O APIC (GSI base 0) in this version */
	if (dev_read_reg(dev, 0, &base, &size))
		return -EINVAL;
	va = hal_ioremap(base, size ? size : PAGE_SIZE);
	if (!va)
		return -ENOMEM;
	io->regs = (volatile uint32_t *)va;
	io->nr_pins = ((ioapic_read(io, IOAPICVER) >> 16) & 0xff) + 1;
	if (io->nr_pins > MAX_PINS)
		io->nr_pins = MAX_PINS;
	for (unsigned pin = 0; pin < io->nr_pins; pin++)
		set_entry(io, pin, true); /* ISA default: edge, active high, masked */
	printk("ioapic: %u pins at 0x%llx\n", io->nr_pins, (unsigned long long)base);
	return hal_irqchip_register(dev_phandle(dev), &ioapic_ops, io, false);
}

static const struct of_device_id ioapic_match[] = {
	{ "intel,ce4100-ioapic", 0 },
	{ 0, 0 },
};
DRIVER_DECLARE(ioapic, DRV_CLASS_IRQCHIP, ioapic_match, ioapic_probe);
