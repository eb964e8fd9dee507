/* The local APIC [Intel SDM Vol. 3A §10.4-10.9], in x2APIC mode (MSRs
 * 0x800 + register / 16, 32-bit APIC IDs, a one-write 64-bit ICR [§10.12])
 * where the CPU has it, else xAPIC (MMIO): accepts
 * the I/O APIC's messages and its own timer's, delivers them to the CPU,
 * takes the EOI. A DT driver of class irqchip (compatible
 * "intel,ce4100-lapic", the Linux binding), registered as the root
 * controller: devices never name it in "interrupts". */
#include <hal/cpu.h>
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
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define ICR_SEND_PENDING (1 << 12)
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LVT_MASKED (1 << 16)
#define LVT_NMI (4 << 8)
#define LVT_ACTIVE_LOW (1 << 13)
#define SVR_ENABLE (1 << 8)
#define APIC_BASE_ENABLE (1 << 11)
#define APIC_BASE_EXTD (1 << 10) /* x2APIC mode */
#define MSR_X2APIC_BASE 0x800

static volatile uint32_t *lapic;
/* x2APIC mode on every CPU (chosen by the boot CPU at probe). */
static bool x2apic;

uint32_t x64_lapic_read(unsigned reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + reg / 16);
	return lapic[reg / 4];
}

void x64_lapic_write(unsigned reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_BASE + reg / 16, v);
	else
		lapic[reg / 4] = v;
}

bool x64_lapic_ready(void)
{
	return lapic != 0;
}

bool x64_lapic_x2apic(void)
{
	return x2apic;
}

/* xAPIC: ID in bits 31:24 of the ID register; x2APIC: the whole register
 * [§10.4.6, §10.12.5.1]. */
uint32_t x64_lapic_id(void)
{
	if (!lapic)
		return 0;
	return x2apic ? x64_lapic_read(LAPIC_ID) : x64_lapic_read(LAPIC_ID) >> 24;
}

void x64_lapic_eoi(void)
{
	if (lapic)
		x64_lapic_write(LAPIC_EOI, 0);
}

/* Which LINT pin is the NMI, and its polarity: "kevlar,nmi-lint" = <lint
 * sense> on the node (from the ACPI MADT's local APIC NMI entry for every
 * CPU, kernel/acpi/acpi_fdt.c; sense 3 = active low), else LINT1 active
 * high, the PC convention [MP Specification 1.4 §5.1]. Set at probe on
 * the boot CPU, read-only afterwards (every CPU's x64_lapic_cpu_init uses
 * them: the per-CPU NMI entries on /cpus nodes are not applied yet). */
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

/* Accept every priority, software-enable with the spurious vector, make
 * the NMI LINT (nmi_lint) the NMI and mask the other, mask the error
 * interrupt and clear the ESR [§10.5.1, §10.9]. Every CPU; on a
 * secondary the APIC is globally enabled at the boot CPU's base too. */
void x64_lapic_cpu_init(void)
{
	uint64_t msr = rdmsr(MSR_APIC_BASE);

	/* xAPIC first, then x2APIC: disabled -> x2APIC directly is invalid
	 * [§10.12.5 Figure 10-27]. */
	if (!(msr & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, msr |= APIC_BASE_ENABLE);
	if (x2apic && !(msr & APIC_BASE_EXTD))
		wrmsr(MSR_APIC_BASE, msr | APIC_BASE_EXTD);
	/* The LINT that is not the NMI is masked (LINT0 is the 8259's
	 * ExtINT: interrupts come through the I/O APIC). */
	x64_lapic_write(LAPIC_TPR, 0);
	x64_lapic_write(LAPIC_LVT_LINT0, nmi_lint == 0 ? nmi_lvt : LVT_MASKED);
	x64_lapic_write(LAPIC_LVT_LINT1, nmi_lint == 1 ? nmi_lvt : LVT_MASKED);
	x64_lapic_write(LAPIC_LVT_ERROR, LVT_MASKED | 0xfe);
	x64_lapic_write(LAPIC_ESR, 0);
	x64_lapic_write(LAPIC_ESR, 0);
	x64_lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	x64_lapic_eoi();
}

/* The ICR is two registers: the high word (destination) must be written
 * first; the write of the low word sends. Interrupts are masked so that a
 * handler on this CPU cannot send in between. */
bool x64_lapic_send_icr(uint32_t apic_id, uint32_t low)
{
	irqflags_t f;
	bool sent = false;

	if (!lapic)
		return false;
	if (x2apic) {
		/* One 64-bit write; no delivery-status bit [§10.12.9]. WRMSR to
		 * the x2APIC is not serializing: earlier stores first (as
		 * Linux's weak_wrmsr_fence). */
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(MSR_X2APIC_BASE + LAPIC_ICR_LOW / 16, (uint64_t)apic_id << 32 | low);
		return true;
	}
	f = hal_irq_save();
	x64_lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	x64_lapic_write(LAPIC_ICR_LOW, low);
	for (unsigned i = 0; i < 1000000 && !sent; i++) {
		if (!(x64_lapic_read(LAPIC_ICR_LOW) & ICR_SEND_PENDING))
			sent = true;
		else
			cpu_pause();
	}
	hal_irq_restore(f);
	return sent;
}

static int lapic_xlate(void *priv, const uint32_t *cells, unsigned ncells, unsigned *irq)
{
	return -EINVAL; /* nothing is wired to the local APIC through the DT */
}

static const struct hal_irqchip_ops lapic_ops = {
	.xlate = lapic_xlate,
};

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
	x2apic = x64_cpu.x2apic;

	read_nmi_lint(dev);
	x64_lapic_cpu_init();
	printk("lapic: id %u version 0x%x at 0x%llx%s\n", x64_lapic_id(),
	       x64_lapic_read(LAPIC_VERSION) & 0xff, (unsigned long long)base,
	       x2apic ? ", x2APIC mode" : "");
	return hal_irqchip_register(dev_phandle(dev), &lapic_ops, 0, true);
}

static const struct of_device_id lapic_match[] = {
	{ "intel,ce4100-lapic", 0 },
	{ 0, 0 },
};
DRIVER_DECLARE(lapic, DRV_CLASS_IRQCHIP, lapic_match, lapic_probe);
