/* CPU control (hal/include/hal/cpu.h): features, control registers,
 * interrupt masking, idle, backtraces, RDRAND, /proc/cpuinfo. */
#include <hal/cpu.h>
#include <hal/hardening.h>
#include <kevlar/profile.h>
#include <kernel/printk.h>
#include <string.h>
#include "x64.h"
#include "hal/common/vdso/vdso_data.h"

struct x64_features x64_cpu;
bool x64_smap_enabled;

static char vendor[13];
static char brand[49];
static uint32_t leaf1[4], leaf7[4], ext1[4];

static bool has(const uint32_t r[4], int reg, int bit)
{
	return (r[reg] >> bit) & 1;
}

/* CPUID leaves [Intel SDM Vol. 2A CPUID, Tables 3-8..3-10]. */
static void detect(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	x64_cpu.max_leaf = r[0];
	memcpy(vendor + 0, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	cpuid(1, 0, leaf1);
	if (x64_cpu.max_leaf >= 7)
		cpuid(7, 0, leaf7);
	cpuid(0x80000000, 0, r);
	x64_cpu.max_ext_leaf = r[0];
	if (x64_cpu.max_ext_leaf >= 0x80000001)
		cpuid(0x80000001, 0, ext1);
	if (x64_cpu.max_ext_leaf >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, r);
			memcpy(brand + 16 * i, r, 16);
		}
	}
	if (x64_cpu.max_ext_leaf >= 0x80000007) {
		cpuid(0x80000007, 0, r);
		x64_cpu.tsc_invariant = has(r, 3, 8);
	}
	x64_cpu.fxsr = has(leaf1, 3, 24);
	x64_cpu.apic = has(leaf1, 3, 9);
	x64_cpu.x2apic = has(leaf1, 2, 21);
	x64_cpu.pge = has(leaf1, 3, 13);
	x64_cpu.rdrand = has(leaf1, 2, 30);
	x64_cpu.smep = has(leaf7, 1, 7);
	x64_cpu.smap = has(leaf7, 1, 20);
	x64_cpu.nx = has(ext1, 3, 20);
	x64_cpu.pdpe1gb = has(ext1, 3, 26);
	x64_cpu.rdtscp = has(ext1, 3, 27);
	x64_cpu.rdpid = has(leaf7, 2, 22);
}

/* Control registers and the FPU, on every CPU. */
static void cpu_regs_init(void)
{
	uint32_t mxcsr = 0x1f80;

	/* CR0: MP+NE, no emulation, no lazy-FPU trap, WP so the kernel
	 * honours read-only pages too [Intel SDM Vol. 3A §2.5, §13.1]. */
	write_cr0((read_cr0() | CR0_MP | CR0_NE | CR0_WP) & ~(uint64_t)(CR0_EM | CR0_TS));
	/* CR4: FXSAVE/SSE for user space, unmasked SIMD exceptions as #XM,
	 * global pages for the kernel half [Intel SDM Vol. 3A §13.1.3, §4.10.2.4].
	 * No OSXSAVE: user space sees no AVX and the FXSAVE image is the
	 * whole FPU state. */
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | (x64_cpu.pge ? CR4_PGE : 0));
	__asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
}

/* IA32_TSC_AUX = (node << 12) | cpu, which RDTSCP and RDPID hand to user
 * mode: the vDSO's getcpu (hal/x64/vdso/vdso.c) reads it, as Linux's
 * setup_getcpu() sets it (arch/x86/kernel/cpu/common.c). One node. Runs
 * on each CPU before it runs a task. */
static void tsc_aux_init(unsigned cpu)
{
	if (x64_cpu.rdtscp || x64_cpu.rdpid)
		wrmsr(MSR_TSC_AUX, cpu & 0xfff);
}

/* [hal/common/vdso/vdso_data.h] RDPID where the CPU has it (no TSC read),
 * else RDTSCP, else the system call. */
uint32_t hal_arch_vdso_getcpu_mode(void)
{
	if (x64_cpu.rdpid)
		return VDSO_GETCPU_RDPID;
	return x64_cpu.rdtscp ? VDSO_GETCPU_RDTSCP : VDSO_GETCPU_SYSCALL;
}

void x64_cpu_init_ap(unsigned cpu)
{
	cpu_regs_init();
	tsc_aux_init(cpu);
}

void x64_cpu_init(void)
{
	static uint8_t fx[512] __aligned(16);

	detect();
	cpu_regs_init();
	tsc_aux_init(0); /* the boot CPU is CPU 0 (kernel/smp/smp.c) */
	/* MXCSR_MASK says which MXCSR bits FXRSTOR accepts; 0 means the
	 * default 0xffbf [Intel SDM Vol. 1 §11.6.6]. */
	__asm__ volatile("fxsave64 %0" : "=m"(fx));
	memcpy(&x64_cpu.mxcsr_mask, fx + 28, 4);
	if (!x64_cpu.mxcsr_mask)
		x64_cpu.mxcsr_mask = 0xffbf;
}

/* SMEP and SMAP for the profiles that promise them (<hal/hardening.h>).
 * Runs on each CPU at bring-up, before any user space exists. CR4.SMEP: a supervisor
 * instruction fetch from a user page faults; CR4.SMAP: a supervisor data
 * access to a user page faults unless RFLAGS.AC is set (STAC/CLAC, only in
 * usercopy.S) [Intel SDM Vol. 3A §4.6.1, §2.5 CR4 bits 20 and 21]. */
void x64_cpu_hardening(void)
{
#if defined(KEVLAR_PROFILE_FORTRESS) || defined(KEVLAR_PROFILE_BALANCED)
	uint64_t cr4 = read_cr4();

	if (x64_cpu.smep)
		cr4 |= CR4_SMEP;
	if (x64_cpu.smap) {
		cr4 |= CR4_SMAP;
		x64_smap_enabled = true;
	}
	write_cr4(cr4);
#endif
}

unsigned hal_hardening(void)
{
	uint64_t cr4 = read_cr4();
	unsigned on = 0;

	if (cr4 & CR4_SMEP)
		on |= HAL_HARDEN_USER_NX;
	if ((cr4 & CR4_SMAP) && x64_smap_enabled)
		on |= HAL_HARDEN_USER_NOACCESS;
	if (x64_kernel_wx)
		on |= HAL_HARDEN_KERNEL_WX;
	return on;
}

const char *hal_hardening_name(unsigned bit)
{
	switch (bit) {
	case HAL_HARDEN_USER_NX: return "smep";
	case HAL_HARDEN_USER_NOACCESS: return "smap";
	case HAL_HARDEN_KERNEL_WX: return "wx";
	}
	return NULL;
}

irqflags_t hal_irq_save(void)
{
	irqflags_t f;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f) : : "memory");
	return f;
}

void hal_irq_restore(irqflags_t flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
	else
		__asm__ volatile("cli" : : : "memory");
}

void hal_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

void hal_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

bool hal_irq_enabled(void)
{
	irqflags_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f & RFLAGS_IF;
}

/* STI delays interrupts by one instruction, so "sti; hlt" cannot lose a
 * wake-up between the two [Intel SDM Vol. 2B STI]. */
void hal_cpu_idle(void)
{
	irqflags_t f = hal_irq_save();

	__asm__ volatile("sti; hlt" : : : "memory");
	hal_irq_restore(f);
}

__noreturn void hal_cpu_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* GS is the kernel's whenever kernel C code runs (x64_gdt_init() sets
 * it before the core starts; entry.S swaps it in from user mode). */
void hal_percpu_set(void *p)
{
	__asm__ volatile("movq %0, %%gs:%c1" ::"r"(p),
			 "i"(__builtin_offsetof(struct x64_percpu, core))
			 : "memory");
}

_Static_assert(__builtin_offsetof(struct x64_percpu, core) == HAL_X64_PERCPU_CORE,
	       "<hal/arch/percpu.h> reads the core's slot at this offset");

void hal_cpu_relax(void)
{
	x64_tlb_service(); /* a CPU spinning with interrupts masked still flushes */
	__asm__ volatile("pause" ::: "memory");
}

/* Our own frame holds the caller's frame pointer at [rbp]. */
uintptr_t hal_current_fp(void)
{
	return *(const uintptr_t *)__builtin_frame_address(0);
}

/* The stack [lo, hi) holding fp: the running task's kernel stack, the boot
 * stack, or none. */
static bool stack_bounds(uintptr_t fp, uintptr_t *lo, uintptr_t *hi)
{
	uintptr_t top = x64_percpu0.kstack_top;

	if (top && fp < top && fp >= top - HAL_KSTACK_SIZE) {
		*lo = top - HAL_KSTACK_SIZE;
		*hi = top;
		return true;
	}
	if (fp >= (uintptr_t)x64_boot_stack_bottom && fp < (uintptr_t)x64_boot_stack_top) {
		*lo = (uintptr_t)x64_boot_stack_bottom;
		*hi = (uintptr_t)x64_boot_stack_top;
		return true;
	}
	return false;
}

/* Frame layout with -fno-omit-frame-pointer: [fp] = caller's fp,
 * [fp + 8] = return address [System V AMD64 ABI §3.2.2]. The walk stays
 * inside one stack and moves strictly upwards, so a corrupt chain ends it. */
void hal_backtrace(uintptr_t fp, void (*fn)(uintptr_t pc, void *arg), void *arg, unsigned max)
{
	uintptr_t lo, hi;

	if (!stack_bounds(fp, &lo, &hi))
		return;
	for (unsigned n = 0; n < max; n++) {
		if (fp < lo || fp > hi - 16 || (fp & 7))
			return;
		const uintptr_t *frame = (const uintptr_t *)fp;
		uintptr_t pc = frame[1], next = frame[0];

		if (!pc)
			return;
		fn(pc, arg);
		if (next <= fp)
			return;
		fp = next;
	}
}

/* RDRAND may transiently fail (CF = 0); Intel recommends 10 retries
 * [Intel DRNG Software Implementation Guide §5.2.1]. */
bool hal_random_seed(uint64_t *out)
{
	if (!x64_cpu.rdrand)
		return false;
	for (int i = 0; i < 10; i++) {
		uint64_t v;
		uint8_t ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (ok) {
			*out = v;
			return true;
		}
	}
	return false;
}

uint64_t hal_cycles(void)
{
	return rdtsc();
}

/* Linux's /proc/cpuinfo flag names for the CPUID bits we report. Features
 * that need OS support the HAL does not turn on (XSAVE/AVX state,
 * FSGSBASE, PKU) are left out, as Linux does when it disables them. */
struct flag_name {
	uint8_t word; /* 0: 1.EDX, 1: 0x80000001.EDX, 2: 1.ECX, 3: 0x80000001.ECX, 4: 7.EBX, 5: 7.ECX */
	uint8_t bit;
	const char *name;
};

static const struct flag_name flag_names[] = {
	{ 0, 0, "fpu" },       { 0, 1, "vme" },		  { 0, 2, "de" },
	{ 0, 3, "pse" },       { 0, 4, "tsc" },		  { 0, 5, "msr" },
	{ 0, 6, "pae" },       { 0, 7, "mce" },		  { 0, 8, "cx8" },
	{ 0, 9, "apic" },      { 0, 11, "sep" },	  { 0, 12, "mtrr" },
	{ 0, 13, "pge" },      { 0, 14, "mca" },	  { 0, 15, "cmov" },
	{ 0, 16, "pat" },      { 0, 17, "pse36" },	  { 0, 19, "clflush" },
	{ 0, 21, "dts" },      { 0, 22, "acpi" },	  { 0, 23, "mmx" },
	{ 0, 24, "fxsr" },     { 0, 25, "sse" },	  { 0, 26, "sse2" },
	{ 0, 27, "ss" },       { 0, 28, "ht" },		  { 0, 29, "tm" },
	{ 0, 31, "pbe" },      { 1, 11, "syscall" },	  { 1, 20, "nx" },
	{ 1, 22, "mmxext" },   { 1, 25, "fxsr_opt" },	  { 1, 26, "pdpe1gb" },
	{ 1, 27, "rdtscp" },   { 1, 29, "lm" },		  { 2, 0, "pni" },
	{ 2, 1, "pclmulqdq" }, { 2, 3, "monitor" },	  { 2, 5, "vmx" },
	{ 2, 9, "ssse3" },     { 2, 13, "cx16" },	  { 2, 17, "pcid" },
	{ 2, 19, "sse4_1" },   { 2, 20, "sse4_2" },	  { 2, 21, "x2apic" },
	{ 2, 22, "movbe" },    { 2, 23, "popcnt" },	  { 2, 24, "tsc_deadline_timer" },
	{ 2, 25, "aes" },      { 2, 30, "rdrand" },	  { 2, 31, "hypervisor" },
	{ 3, 0, "lahf_lm" },   { 3, 2, "svm" },		  { 3, 5, "abm" },
	{ 3, 6, "sse4a" },     { 3, 8, "3dnowprefetch" }, { 4, 1, "tsc_adjust" },
	{ 4, 3, "bmi1" },      { 4, 4, "hle" },		  { 4, 7, "smep" },
	{ 4, 8, "bmi2" },      { 4, 9, "erms" },	  { 4, 10, "invpcid" },
	{ 4, 11, "rtm" },      { 4, 18, "rdseed" },	  { 4, 19, "adx" },
	{ 4, 20, "smap" },     { 4, 23, "clflushopt" },	  { 4, 24, "clwb" },
	{ 4, 29, "sha_ni" },   { 5, 2, "umip" },	  { 5, 22, "rdpid" },
};

static bool flag_set(const struct flag_name *f)
{
	switch (f->word) {
	case 0: return has(leaf1, 3, f->bit);
	case 1: return has(ext1, 3, f->bit);
	case 2: return has(leaf1, 2, f->bit);
	case 3: return has(ext1, 2, f->bit);
	case 4: return has(leaf7, 1, f->bit);
	case 5: return has(leaf7, 2, f->bit);
	}
	return false;
}

static size_t append(char *buf, size_t len, size_t pos, const char *s)
{
	while (*s && pos + 1 < len)
		buf[pos++] = *s++;
	if (len)
		buf[pos < len ? pos : len - 1] = '\0';
	return pos;
}

/* The /proc/cpuinfo block of CPU 0, in Linux's field order
 * (arch/x86/kernel/cpu/proc.c format). */
/* Linux passes CPUID.01H:EDX as AT_HWCAP (arch/x86/include/asm/elf.h
 * ELF_HWCAP); AT_HWCAP2 carries HWCAP2_RING3MWAIT and HWCAP2_FSGSBASE,
 * neither of which this kernel enables. */
uint64_t hal_elf_hwcap(void)
{
	return leaf1[3];
}

uint64_t hal_elf_hwcap2(void)
{
	return 0;
}

size_t hal_cpu_describe(char *buf, size_t len)
{
	uint32_t eax = leaf1[0];
	uint32_t family = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf, stepping = eax & 0xf;
	uint64_t khz = x64_tsc_hz() / 1000;
	uint32_t addr[4] = { 0 };
	const char *name = brand;
	char line[256];
	size_t pos = 0;

	if (family == 0xf)
		family += (eax >> 20) & 0xff;
	if (family >= 6)
		model |= ((eax >> 16) & 0xf) << 4;
	while (*name == ' ')
		name++;
	if (x64_cpu.max_ext_leaf >= 0x80000008)
		cpuid(0x80000008, 0, addr);
	if (!len)
		return 0;
	buf[0] = '\0';
	snprintf(line, sizeof(line),
		 "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
		 "model name\t: %s\nstepping\t: %u\ncpu MHz\t\t: %u.%03u\n",
		 vendor, family, model, *name ? name : "unknown", stepping, (unsigned)(khz / 1000),
		 (unsigned)(khz % 1000));
	pos = append(buf, len, pos, line);
	snprintf(line, sizeof(line),
		 "physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\n"
		 "apicid\t\t: %u\ninitial apicid\t: %u\nfpu\t\t: yes\nfpu_exception\t: yes\n"
		 "cpuid level\t: %u\nwp\t\t: yes\nflags\t\t:",
		 leaf1[1] >> 24, leaf1[1] >> 24, x64_cpu.max_leaf);
	pos = append(buf, len, pos, line);
	for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++) {
		if (flag_set(&flag_names[i])) {
			pos = append(buf, len, pos, " ");
			pos = append(buf, len, pos, flag_names[i].name);
		}
	}
	snprintf(line, sizeof(line),
		 "\nbogomips\t: %u.%02u\nclflush size\t: %u\ncache_alignment\t: %u\n"
		 "address sizes\t: %u bits physical, %u bits virtual\npower management:\n\n",
		 (unsigned)(khz * 2 / 1000), (unsigned)(khz * 2 / 10 % 100),
		 ((leaf1[1] >> 8) & 0xff) * 8, ((leaf1[1] >> 8) & 0xff) * 8, addr[0] & 0xff,
		 (addr[0] >> 8) & 0xff);
	pos = append(buf, len, pos, line);
	return pos;
}
