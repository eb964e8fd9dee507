/* Interrupt routing between controllers and handlers (<hal/irq.h>).
 * An irq is the root GIC's INTID (SGI 0-15, PPI 16-31, SPI 32-1019).
 * The root controller's driver installs its exception-entry routine, which
 * acknowledges an interrupt, calls arm64_irq_dispatch() and signals the
 * end of interrupt [IHI 0048B §3.2 (GICv2), IHI 0069 §4.1 (GICv3)]. */
#include <hal/cpu.h>
#include <hal/irq.h>
#include <hal/recover.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include "arm64.h"

#define MAX_IRQS 1020 /* INTIDs below the special range 1020-1023 */
#define MAX_CHIPS 8

struct irqchip {
	uint32_t phandle;
	const struct hal_irqchip_ops *ops;
	void *priv;
};

static struct irqchip chips[MAX_CHIPS];
static unsigned nr_chips;
static struct irqchip *root_chip;
static void (*irq_entry)(void);

static struct {
	hal_irq_handler_t fn;
	void *arg;
	struct irqchip *chip; /* the controller that translated it (masks it); NULL: root */
} handlers[MAX_IRQS];

int hal_irqchip_register(uint32_t phandle, const struct hal_irqchip_ops *ops, void *priv, bool root)
{
	if (nr_chips == MAX_CHIPS)
		return -ENOMEM;
	struct irqchip *c = &chips[nr_chips++];
	c->phandle = phandle;
	c->ops = ops;
	c->priv = priv;
	if (root && !root_chip)
		root_chip = c;
	return 0;
}

void arm64_set_irq_entry(void (*entry)(void))
{
	irq_entry = entry;
}

int hal_irq_xlate(uint32_t irqchip_phandle, const uint32_t *cells, unsigned ncells, unsigned *irq)
{
	for (unsigned i = 0; i < nr_chips; i++) {
		if (chips[i].phandle != irqchip_phandle)
			continue;
		int err = chips[i].ops->xlate(chips[i].priv, cells, ncells, irq);
		/* A chained controller (one whose output is an input of another,
		 * e.g. BCM2835's behind BCM2836's) owns the mask of its irqs. */
		if (!err && *irq < MAX_IRQS)
			handlers[*irq].chip = &chips[i];
		return err;
	}
	return -ENODEV;
}

int hal_irq_request(unsigned irq, hal_irq_handler_t fn, void *arg)
{
	if (!root_chip || irq >= MAX_IRQS || !fn)
		return -EINVAL;
	if (handlers[irq].fn)
		return -EBUSY;
	handlers[irq].arg = arg;
	handlers[irq].fn = fn;
	struct irqchip *c = handlers[irq].chip ? handlers[irq].chip : root_chip;
	c->ops->unmask(c->priv, irq);
	return 0;
}

void hal_irq_free(unsigned irq)
{
	if (!root_chip || irq >= MAX_IRQS)
		return;
	struct irqchip *c = handlers[irq].chip ? handlers[irq].chip : root_chip;
	c->ops->mask(c->priv, irq);
	handlers[irq].fn = NULL;
	handlers[irq].arg = NULL;
}

void arm64_irq_dispatch(unsigned irq)
{
	if (irq < MAX_IRQS && handlers[irq].fn) {
		handlers[irq].fn(irq, handlers[irq].arg);
		return;
	}
	/* Nobody wants it: keep it from firing again. */
	printk("irq: spurious interrupt %u, masked\n", irq);
	if (irq < MAX_IRQS) {
		struct irqchip *c = handlers[irq].chip ? handlers[irq].chip : root_chip;
		if (c)
			c->ops->mask(c->priv, irq);
	}
}

/* IRQ exception (entry.S), interrupts masked. Handlers running on each
 * CPU; each entry written only by its own CPU. */
static unsigned irq_depth[ARM64_MAX_CPUS];

bool hal_in_irq(void)
{
	return irq_depth[hal_cpu_id()] != 0;
}

void arm64_handle_irq(struct hal_trapframe *tf)
{
	unsigned cpu = hal_cpu_id();

	(void)tf;
	irq_depth[cpu]++;
	if (irq_entry)
		irq_entry();
	irq_depth[cpu]--;
}

/* No MSI controller is driven yet (GICv3 ITS, GICv2m): PCI devices use
 * INTx through the host bridge's interrupt-map. */
int hal_msi_alloc(unsigned *irq, uint64_t *addr, uint32_t *data)
{
	(void)irq;
	(void)addr;
	(void)data;
	return -ENODEV;
}

void hal_msi_free(unsigned irq)
{
	(void)irq;
}
