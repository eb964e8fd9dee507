/* Interrupt routing (hal/include/hal/irq.h): irq numbers are IDT vectors,
 * GSI n of the I/O APIC being irq 32 + n. Controllers register here
 * (irq_apic.c, irq_ioapic.c); x64_irq_dispatch() runs the handler and
 * signals EOI to the local APIC [Intel SDM Vol. 3A §10.8.5]. */
#include <hal/cpu.h>
#include <hal/irq.h>
#include <hal/recover.h>
#include <kernel/errno.h>
#include "x64.h"

#define MAX_CHIPS 4
#define NR_VECTORS 256

struct irqchip {
	uint32_t phandle;
	const struct hal_irqchip_ops *ops;
	void *priv;
	bool root;
};

struct irq_desc {
	hal_irq_handler_t fn;
	void *arg;
	struct irqchip *chip; /* who translated this irq (owns mask/unmask) */
};

struct vec_handler {
	void (*fn)(void *);
	void *arg;
};

static struct irqchip chips[MAX_CHIPS];
static unsigned nr_chips;
static struct irq_desc irqs[NR_VECTORS];
static struct vec_handler vec_handlers[NR_VECTORS]; /* HAL-internal: LAPIC timer */

int hal_irqchip_register(uint32_t phandle, const struct hal_irqchip_ops *ops, void *priv, bool root)
{
	if (nr_chips >= MAX_CHIPS || !ops)
		return -ENOMEM;
	chips[nr_chips] = (struct irqchip){ phandle, ops, priv, root };
	nr_chips++;
	return 0;
}

static struct irqchip *chip_by_phandle(uint32_t phandle)
{
	for (unsigned i = 0; i < nr_chips; i++)
		if (chips[i].phandle == phandle)
			return &chips[i];
	return 0;
}

int hal_irq_xlate(uint32_t irqchip_phandle, const uint32_t *cells, unsigned ncells, unsigned *irq)
{
	struct irqchip *c = chip_by_phandle(irqchip_phandle);
	int err;

	if (!c)
		return -ENODEV;
	if (!c->ops->xlate)
		return -EINVAL;
	err = c->ops->xlate(c->priv, cells, ncells, irq);
	if (err)
		return err;
	if (*irq < VEC_IRQ_BASE || *irq >= VEC_LAPIC_TIMER)
		return -EINVAL;
	irqs[*irq].chip = c;
	return 0;
}

int hal_irq_request(unsigned irq, hal_irq_handler_t fn, void *arg)
{
	struct irqchip *c;
	irqflags_t f;

	if (irq < VEC_IRQ_BASE || irq >= VEC_LAPIC_TIMER || !fn)
		return -EINVAL;
	c = irqs[irq].chip;
	if (!c && irq >= VEC_MSI_FIRST && irq <= VEC_MSI_LAST)
		return -EINVAL; /* an MSI vector not from hal_msi_alloc() */
	if (!c) {
		/* Not translated from a DT specifier: the first chip that can
		 * unmask lines (the I/O APIC) with its default settings. */
		for (unsigned i = 0; i < nr_chips && !c; i++)
			if (chips[i].ops->unmask && chips[i].ops->xlate)
				c = &chips[i];
		if (!c)
			return -EINVAL;
	}
	f = hal_irq_save();
	if (irqs[irq].fn) {
		hal_irq_restore(f);
		return -EBUSY;
	}
	irqs[irq].fn = fn;
	irqs[irq].arg = arg;
	irqs[irq].chip = c;
	if (c->ops->unmask)
		c->ops->unmask(c->priv, irq);
	hal_irq_restore(f);
	return 0;
}

void hal_irq_free(unsigned irq)
{
	irqflags_t f;

	if (irq >= NR_VECTORS)
		return;
	f = hal_irq_save();
	if (irqs[irq].chip && irqs[irq].chip->ops->mask)
		irqs[irq].chip->ops->mask(irqs[irq].chip->priv, irq);
	irqs[irq].fn = 0;
	irqs[irq].arg = 0;
	hal_irq_restore(f);
}

/* MSI vectors: a chip with nothing to mask (the device's MSI-X entry or
 * MSI capability masks it) that marks the vector allocated. */
static const struct hal_irqchip_ops msi_ops = { 0 };
static struct irqchip msi_chip = { .ops = &msi_ops };

/* The message for a vector [Intel SDM Vol. 3A §10.11.1, §10.11.2]:
 * address 0xFEE << 20 | destination APIC ID << 12 (physical mode, no
 * redirection hint), data = the vector, fixed delivery, edge. The boot
 * CPU takes every MSI; an APIC ID above 255 cannot be named without
 * interrupt remapping. */
int hal_msi_alloc(unsigned *irq, uint64_t *addr, uint32_t *data)
{
	uint32_t apic_id = x64_lapic_id();
	irqflags_t f;

	if (apic_id > 0xff)
		return -ENODEV;
	f = hal_irq_save();
	for (unsigned v = VEC_MSI_FIRST; v <= VEC_MSI_LAST; v++) {
		if (irqs[v].chip)
			continue;
		irqs[v].chip = &msi_chip;
		hal_irq_restore(f);
		*irq = v;
		*addr = 0xfee00000ull | (uint64_t)apic_id << 12;
		*data = v;
		return 0;
	}
	hal_irq_restore(f);
	return -ENOSPC;
}

void hal_msi_free(unsigned irq)
{
	irqflags_t f;

	if (irq < VEC_MSI_FIRST || irq > VEC_MSI_LAST)
		return;
	f = hal_irq_save();
	if (irqs[irq].chip == &msi_chip && !irqs[irq].fn)
		irqs[irq].chip = 0;
	hal_irq_restore(f);
}

void x64_irq_set_vector_handler(unsigned vector, void (*fn)(void *), void *arg)
{
	vec_handlers[vector].arg = arg;
	vec_handlers[vector].fn = fn;
}

/* Interrupts stay masked while the handler runs (interrupt gates). The
 * spurious vector needs no EOI [Intel SDM Vol. 3A §10.9]. */
static unsigned irq_depth[HAL_MAX_CPUS]; /* handlers running, per CPU (written by its own) */

bool hal_in_irq(void)
{
	return irq_depth[hal_cpu_id()] != 0;
}

void x64_irq_dispatch(struct hal_trapframe *tf)
{
	unsigned vec = tf->vector;

	unsigned cpu = hal_cpu_id();

	if (vec == VEC_SPURIOUS)
		return;
	irq_depth[cpu]++;
	if (vec_handlers[vec].fn)
		vec_handlers[vec].fn(vec_handlers[vec].arg);
	else if (irqs[vec].fn)
		irqs[vec].fn(vec, irqs[vec].arg);
	irq_depth[cpu]--;
	x64_lapic_eoi();
}
