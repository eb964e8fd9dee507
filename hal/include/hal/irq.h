/* Interrupts, as the core and drivers see them. The controller itself
 * (GICv2/v3 on arm64 [IHI 0048B, IHI 0069], local APIC + I/O APIC on x86_64
 * [Intel SDM Vol. 3A §10], [82093AA datasheet]) lives in hal/<arch>/irq_*.c
 * and is probed from the DT like any driver (class DRV_CLASS_IRQCHIP).
 *
 * An "irq" is a controller-global number: the GIC INTID on arm64, the
 * I/O APIC global system interrupt (GSI) + 32 on x86_64 (vectors 0-31 are
 * exceptions). Drivers get theirs from the DT with dev_read_irq().
 */
#ifndef HAL_IRQ_H
#define HAL_IRQ_H
#include <hal/types.h>

/* Runs in IRQ context with interrupts masked: must not sleep. */
typedef void (*hal_irq_handler_t)(unsigned irq, void *arg);

/* Install the handler for irq and unmask it (level/edge as the DT said).
 * Returns 0, -EINVAL (no such irq / no controller), -EBUSY (taken). */
int hal_irq_request(unsigned irq, hal_irq_handler_t fn, void *arg);
void hal_irq_free(unsigned irq);

/* Translate a DT interrupt specifier (the cells of one entry of an
 * "interrupts" property, already in CPU byte order) through the
 * controller named by phandle into an irq number. 0 or -EINVAL/-ENODEV. */
int hal_irq_xlate(uint32_t irqchip_phandle, const uint32_t *cells, unsigned ncells, unsigned *irq);

/* Message-signalled interrupts [PCI Local Bus 3.0 §6.8; PCIe Base 4.0
 * §6.1.4]: allocate an irq that a device raises by writing the 32-bit
 * value *data to the physical address *addr (the values a driver puts in
 * an MSI-X table entry or an MSI capability). The interrupt is
 * edge-triggered and arrives at the boot CPU; hal_irq_request() installs
 * its handler, hal_msi_free() gives the irq back (after hal_irq_free()).
 * 0; -ENOSPC (none left); -ENODEV (no MSI on this machine: arm64 today,
 * where the GICv3 ITS / GICv2m frame is not driven; use INTx). Not from
 * IRQ context. x86_64: the local APIC's message format [Intel SDM Vol. 3A
 * §10.11 "Message Signalled Interrupts"], vectors 0xc0-0xdf. */
int hal_msi_alloc(unsigned *irq, uint64_t *addr, uint32_t *data);
void hal_msi_free(unsigned irq);

/* For controller drivers (HAL-internal and drivers/irqchip): register a
 * controller for a DT phandle. The first one registered with root=true
 * receives the CPU's interrupt exception. */
struct hal_irqchip_ops {
	int (*xlate)(void *priv, const uint32_t *cells, unsigned ncells, unsigned *irq);
	void (*unmask)(void *priv, unsigned irq);
	void (*mask)(void *priv, unsigned irq);
};
int hal_irqchip_register(uint32_t phandle, const struct hal_irqchip_ops *ops, void *priv,
			 bool root);

#endif
