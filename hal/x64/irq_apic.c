/* The local APIC (xAPIC, MMIO) [Intel SDM Vol. 3A §10.4-10.9]: accepts
 * the I/O APIC's messages and its own timer's, delivers them to the CPU,
 * takes the EOI. A DT driver of class irqchip (compatible
 * "intel,ce4100-lapic", the Linux binding), registered as the root
 * controller: devices never name it in "interrupts". */
#include <hal/irq.h>
#include <hal/mmu.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include "x64.h"

#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ESR 0x280
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LVT_MASKED (1 << 16)
#define LVT_NMI (4 << 8)
#define LVT_ACTIVE_LOW (1 << 13)
#define SVR_ENABLE (1 << 8)
#define APIC_BASE_ENABLE (1 << 11)

static volatile uint32_t *lapic;

uint32_t x64_lapic_read(unsigned reg)
{
	return lapic[reg / 4];
}

void x64_lapic_write(unsigned reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

bool x64_lapic_ready(void)
{
	return lapic != 0;
}

uint32_t x64_lapic_id(void)
{
	return lapic ? x64_lapic_read(LAPIC_ID) >> 24 : 0;
}

void x64_lapic_eoi(void)
{
	if (lapic)
		x64_lapic_write(LAPIC_EOI, 0);
}

static int lapic_xlate(void *priv, const uint32_t *cells, unsigned ncells, unsigned *irq)
{
	return -EINVAL; /* nothing is wired to the local APIC through the DT */
}

static const struct hal_irqchip_ops lapic_ops = {
	.xlate = lapic_xlate,
};

/* Which LINT pin is the NMI, and its polarity: "kevlar,nmi-lint" = <lint
 * sense> on the node (from the ACPI MADT's local APIC NMI entry for every
 * CPU, kernel/acpi/acpi_fdt.c; sense 3 = active low), else LINT1 active
 * high, the PC convention [MP Specification 1.4 §5.1]. Set at probe on
 * the boot CPU, read-only afterwards. */
static unsigned nmi_lint = 1;
static uint32_t nmi_lvt = LVT_NMI;

static void read_nmi_lint(struct device *dev)
{
	int len;
	const uint8_t *p = dev_read_prop(dev, "kevlar,nmi-lint", &len);

	if (!p || len != 8 || p[0] || p[1] || p[2] || p[3] > 1 || p[4] || p[5] || p[6] || p[7] > 3)
		return;
	nmi_lint = p[3];
	/* An NMI is edge-triggered whatever the flags say [Intel SDM Vol. 3A
	 * §10.5.1, "Trigger Mode"]; only the polarity applies. */
	nmi_lvt = LVT_NMI | (p[7] == 1 || p[7] == 3 ? LVT_ACTIVE_LOW : 0);
}

static int lapic_probe(struct device *dev)
{
	paddr_t base;
	uint64_t size, msr;
	uintptr_t va;

	if (!x64_cpu.apic)
		return -ENODEV;
	if (dev_read_reg(dev, 0, &base, &size))
		return -EINVAL;
	/* The APIC must be globally enabled and where the DT says
	 * [Intel SDM Vol. 3A §10.4.3, §10.4.4]. */
	msr = rdmsr(MSR_APIC_BASE);
	if ((msr & ~0xfffULL) != base)
		wrmsr(MSR_APIC_BASE, (msr & 0xfff) | base);
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
	va = hal_ioremap(base, size ? size : PAGE_SIZE);
	if (!va)
		return -ENOMEM;
	lapic = (volatile uint32_t *)va;

	/* Accept every priority, software-enable with the spurious vector,
	 * mask the LINT that is not the NMI (LINT0 is the 8259's ExtINT: we
	 * use the I/O APIC), make the other the NMI, mask the error interrupt
	 * and clear the ESR [§10.5.1, §10.9]. */
	read_nmi_lint(dev);
	x64_lapic_write(LAPIC_TPR, 0);
	x64_lapic_write(LAPIC_LVT_LINT0, nmi_lint == 0 ? nmi_lvt : LVT_MASKED);
	x64_lapic_write(LAPIC_LVT_LINT1, nmi_lint == 1 ? nmi_lvt : LVT_MASKED);
	x64_lapic_write(LAPIC_LVT_ERROR, LVT_MASKED | 0xfe);
	x64_lapic_write(LAPIC_ESR, 0);
	x64_lapic_write(LAPIC_ESR, 0);
	x64_lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	x64_lapic_eoi();
	printk("lapic: id %u version 0x%x at 0x%llx\n", x64_lapic_id(),
	       x64_lapic_read(LAPIC_VERSION) & 0xff, (unsigned long long)base);
	return hal_irqchip_register(dev_phandle(dev), &lapic_ops, 0, true);
}

static const struct of_device_id lapic_match[] = {
	{ "intel,ce4100-lapic", 0 },
	{ 0, 0 },
};
DRIVER_DECLARE(lapic, DRV_CLASS_IRQCHIP, lapic_match, lapic_probe);
