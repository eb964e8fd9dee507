/* CPU control (<hal/cpu.h>) for arm64: DAIF masking, WFI, frame-record
 * backtraces, RNDR, the counter, and a /proc/cpuinfo description.
 * [Arm ARM C5.2.2 DAIF, C6.2.395 WFI, D17.2.100 MIDR_EL1,
 *  D17.2.61 ID_AA64ISAR0_EL1, D17.2.64 ID_AA64PFR0_EL1, C5.2.16 RNDR],
 * [AAPCS64 §6.2.3 (frame records)]
 */
#include <hal/cpu.h>
#include <hal/hardening.h>
#include <kernel/printk.h>
#include <kevlar/profile.h>
#include "arm64.h"

irqflags_t hal_irq_save(void)
{
	irqflags_t flags = read_sysreg(daif);

	__asm__ volatile("msr daifset, #2" ::: "memory");
	return flags;
}

void hal_irq_restore(irqflags_t flags)
{
	__asm__ volatile("msr daif, %0" ::"r"(flags) : "memory");
}

void hal_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void hal_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

bool hal_irq_enabled(void)
{
	return !(read_sysreg(daif) & PSR_I);
}

/* WFI wakes on a pending interrupt even while PSTATE.I masks it, so the
 * interrupt cannot slip in between the caller's last check and the wait
 * if the caller masked interrupts for that check [Arm ARM D1.6.2]. */
void hal_cpu_idle(void)
{
	irqflags_t flags = hal_irq_save();

	dsb(sy);
	__asm__ volatile("wfi" ::: "memory");
	hal_irq_enable();
	isb(); /* take the pending interrupt here */
	hal_irq_restore(flags);
}

void hal_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

__noreturn void hal_cpu_halt(void)
{
	__asm__ volatile("msr daifset, #0xf" ::: "memory");
	for (;;)
		__asm__ volatile("wfi");
}

static bool kernel_stack_addr(uintptr_t a)
{
	if (a >= KIMAGE_VADDR)
		return a < (uintptr_t)__kernel_end;
	return a >= DMAP_BASE && a - DMAP_BASE < arm64_dmap_end;
}

void hal_backtrace(uintptr_t fp, void (*fn)(uintptr_t pc, void *arg), void *arg, unsigned max)
{
	while (max-- && fp && !(fp & 0xf) && kernel_stack_addr(fp) && kernel_stack_addr(fp + 15)) {
		const uintptr_t *rec = (const uintptr_t *)fp;
		uintptr_t next = rec[0], lr = rec[1];
		if (!lr)
			break;
		fn(lr, arg);
		if (next <= fp) /* stacks grow down: older frames are higher */
			break;
		fp = next;
	}
}

/* Not inlined (own translation unit): our frame record's first word is
 * the caller's frame pointer. */
uintptr_t hal_current_fp(void)
{
	const uintptr_t *own = __builtin_frame_address(0);

	return own[0];
}

bool hal_random_seed(uint64_t *out)
{
	uint64_t isar0 = read_sysreg(id_aa64isar0_el1);
	uint64_t v, ok;

	if (((isar0 >> 60) & 0xf) == 0)
		return false;
	for (int tries = 0; tries < 10; tries++) {
		/* RNDR (S3_3_C2_C4_0); NZCV.Z=1 means no entropy this time. */
		__asm__ volatile("mrs %0, S3_3_C2_C4_0\n\tcset %1, ne" : "=r"(v), "=r"(ok)::"cc");
		if (ok) {
			*out = v;
			return true;
		}
	}
	return false;
}

uint64_t hal_cycles(void)
{
	return read_sysreg(cntvct_el0);
}

/* One user-visible CPU feature: a 4-bit ID register field and the value
 * from which the feature is there, with Linux's name (/proc/cpuinfo) and
 * hwcap bit (arch/arm64/kernel/cpufeature.c arm64_elf_hwcaps[], in
 * hwcap order) [Arm ARM D17.2.61 ID_AA64ISAR0_EL1, D17.2.62
 * ID_AA64ISAR1_EL1, D17.2.64 ID_AA64PFR0_EL1]. Left out on purpose: what
 * needs kernel support we lack (SVE, pointer authentication, BTI, MTE,
 * CPUID = emulated MRS of ID registers, SSBS/DIT/USCAT policy, the timer
 * event stream). */
enum { ISAR0, ISAR1, PFR0 };
struct arm64_feature {
	const char *name;
	uint8_t reg, shift;
	int8_t min; /* signed fields (FP, AdvSIMD): 0xf = -1 = absent */
	bool is_signed;
	uint8_t hwcap, bit; /* AT_HWCAP (1) or AT_HWCAP2 (2), bit number */
};

static const struct arm64_feature features[] = {
	{ "fp", PFR0, 16, 0, true, 1, 0 },	    { "asimd", PFR0, 20, 0, true, 1, 1 },
	{ "aes", ISAR0, 4, 1, false, 1, 3 },	    { "pmull", ISAR0, 4, 2, false, 1, 4 },
	{ "sha1", ISAR0, 8, 1, false, 1, 5 },	    { "sha2", ISAR0, 12, 1, false, 1, 6 },
	{ "crc32", ISAR0, 16, 1, false, 1, 7 },	    { "atomics", ISAR0, 20, 2, false, 1, 8 },
	{ "fphp", PFR0, 16, 1, true, 1, 9 },	    { "asimdhp", PFR0, 20, 1, true, 1, 10 },
	{ "asimdrdm", ISAR0, 28, 1, false, 1, 12 }, { "jscvt", ISAR1, 12, 1, false, 1, 13 },
	{ "fcma", ISAR1, 16, 1, false, 1, 14 },	    { "lrcpc", ISAR1, 20, 1, false, 1, 15 },
	{ "dcpop", ISAR1, 0, 1, false, 1, 16 },	    { "sha3", ISAR0, 32, 1, false, 1, 17 },
	{ "sm3", ISAR0, 36, 1, false, 1, 18 },	    { "sm4", ISAR0, 40, 1, false, 1, 19 },
	{ "asimddp", ISAR0, 44, 1, false, 1, 20 },  { "sha512", ISAR0, 12, 2, false, 1, 21 },
	{ "asimdfhm", ISAR0, 48, 1, false, 1, 23 }, { "ilrcpc", ISAR1, 20, 2, false, 1, 26 },
	{ "flagm", ISAR0, 52, 1, false, 1, 27 },    { "sb", ISAR1, 36, 1, false, 1, 29 },
	{ "dcpodp", ISAR1, 0, 2, false, 2, 0 },	    { "flagm2", ISAR0, 52, 2, false, 2, 7 },
	{ "frint", ISAR1, 32, 1, false, 2, 8 },	    { "rng", ISAR0, 60, 1, false, 2, 16 },
};

static bool feature_present(const struct arm64_feature *f)
{
	uint64_t reg = f->reg == ISAR0 ? read_sysreg(id_aa64isar0_el1) :
		       f->reg == ISAR1 ? read_sysreg(id_aa64isar1_el1) :
					 read_sysreg(id_aa64pfr0_el1);
	int v = (int)((reg >> f->shift) & 0xf);

	if (f->is_signed && v == 0xf)
		v = -1;
	return v >= f->min;
}

static uint64_t hwcap_word(unsigned word)
{
	uint64_t caps = 0;

	for (size_t i = 0; i < ARRAY_SIZE(features); i++)
		if (features[i].hwcap == word && feature_present(&features[i]))
			caps |= 1ULL << features[i].bit;
	return caps;
}

uint64_t hal_elf_hwcap(void)
{
	return hwcap_word(1);
}

uint64_t hal_elf_hwcap2(void)
{
	return hwcap_word(2);
}

static size_t append_features(char *buf, size_t len, size_t n)
{
	const char *sep = "";

	for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
		if (!feature_present(&features[i]))
			continue;
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", sep, features[i].name);
		sep = " ";
	}
	return n;
}

size_t hal_cpu_describe(char *buf, size_t len)
{
	uint64_t midr = read_sysreg(midr_el1);
	uint64_t bogo = arm64_timer_freq() * 2 / 10000; /* Linux: 2 * CNTFRQ / 1e6, 2 decimals */
	size_t n;

	if (!len)
		return 0;
	n = (size_t)snprintf(buf, len, "processor\t: 0\nBogoMIPS\t: %lu.%02lu\nFeatures\t: ",
			     (unsigned long)(bogo / 100), (unsigned long)(bogo % 100));
	n = append_features(buf, len, MIN(n, len));
	if (n < len)
		n += (size_t)snprintf(
			buf + n, len - n,
			"\nCPU implementer\t: 0x%02lx\nCPU architecture: 8\n"
			"CPU variant\t: 0x%lx\nCPU part\t: 0x%03lx\nCPU revision\t: %lu\n\n",
			(unsigned long)((midr >> 24) & 0xff), (unsigned long)((midr >> 20) & 0xf),
			(unsigned long)((midr >> 4) & 0xfff), (unsigned long)(midr & 0xf));
	return MIN(n, len - 1);
}

/* ---- CPU hardening (<hal/hardening.h>) ---------------------------------- */

bool arm64_sw_pan;
uint64_t arm64_user_ttbr0, arm64_kernel_ttbr0;
static bool hw_pan;

/* MSR PAN, #1 [Arm ARM C6.2 "MSR (immediate)", op1 = 0, op2 = 4], spelled
 * as its encoding so the file assembles for plain Armv8.0. */
#define SET_PAN() __asm__ volatile(".inst 0xd500419f" ::: "memory")
/* The PAN special register (S3_0_C4_C2_3), bit 22 = PSTATE.PAN. */
#define PAN_BIT (1UL << 22)

static __attribute__((unused)) bool cpu_has_pan(void)
{
	return ((read_sysreg(id_aa64mmfr1_el1) >> ID_AA64MMFR1_PAN_SHIFT) & 0xf) != 0;
}

/* Fortress and Balanced: PSTATE.PAN on, and SCTLR_EL1.SPAN = 0 so every
 * exception taken to EL1 sets it again (ERET restores the SPSR's copy,
 * which is 1 wherever the kernel runs) [Arm ARM D8.4 "Privileged access
 * never", D17.2.118]. Without FEAT_PAN, the TTBR0 emulation (arm64.h). */
void arm64_hardening_init(void)
{
	arm64_kernel_ttbr0 = arm64_empty_ttbr0();
	arm64_user_ttbr0 = arm64_kernel_ttbr0;
#if defined(KEVLAR_PROFILE_FORTRESS) || defined(KEVLAR_PROFILE_BALANCED)
	if (cpu_has_pan())
		hw_pan = true;
	else
		arm64_sw_pan = true;
#endif
	arm64_hardening_cpu_init();
}

/* Every CPU: the boot CPU's decision applied to this CPU's registers. A
 * secondary without FEAT_PAN where the boot CPU has it would run without
 * PAN: refuse to use it (big.LITTLE systems have the same ID registers). */
void arm64_hardening_cpu_init(void)
{
	if (hw_pan) {
		if (!cpu_has_pan())
			hal_cpu_halt();
		write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~(uint64_t)SCTLR_SPAN);
		isb();
		SET_PAN();
		isb();
	}
}

void arm64_uaccess_open(void)
{
	write_sysreg(ttbr0_el1, arm64_user_ttbr0);
	isb();
}

void arm64_uaccess_close(void)
{
	write_sysreg(ttbr0_el1, arm64_kernel_ttbr0);
	isb();
}

unsigned hal_hardening(void)
{
	unsigned on = 0;

#if defined(KEVLAR_PROFILE_FORTRESS) || defined(KEVLAR_PROFILE_BALANCED)
	on |= HAL_HARDEN_USER_NX; /* PXN in user descriptors (mmu.c) */
#endif
#ifndef KEVLAR_PROFILE_LUDICROUS
	on |= HAL_HARDEN_KERNEL_WX; /* the image's 4 KiB pages (boot.S) */
#endif
	if (hw_pan && (read_sysreg(S3_0_C4_C2_3) & PAN_BIT))
		on |= HAL_HARDEN_USER_NOACCESS;
	if (arm64_sw_pan &&
	    (read_sysreg(ttbr0_el1) & PTE_ADDR_MASK) == (arm64_kernel_ttbr0 & PTE_ADDR_MASK))
		on |= HAL_HARDEN_USER_NOACCESS;
	return on;
}

const char *hal_hardening_name(unsigned bit)
{
	switch (bit) {
	case HAL_HARDEN_USER_NX: return "pxn";
	case HAL_HARDEN_USER_NOACCESS: return arm64_sw_pan ? "pan-ttbr0" : "pan";
	case HAL_HARDEN_KERNEL_WX: return "wx";
	}
	return NULL;
}
