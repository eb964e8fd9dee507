/* CPU control: interrupt masking, halt, per-CPU identity, barriers, and
 * SMP: starting the other CPUs (INIT-SIPI-SIPI on x86_64 [Intel SDM Vol. 3A
 * §8.4], PSCI CPU_ON [DEN0022 §5.6] or spin-table on arm64 [Linux
 * Documentation/arm64/booting.rst]) and inter-processor interrupts. */
#ifndef HAL_CPU_H
#define HAL_CPU_H
#include <hal/types.h>

typedef unsigned long irqflags_t;

/* Mask interrupts on this CPU and return the previous state. */
irqflags_t hal_irq_save(void);
/* Restore the state hal_irq_save() returned. */
void hal_irq_restore(irqflags_t flags);
void hal_irq_enable(void);
void hal_irq_disable(void);
bool hal_irq_enabled(void);

/* Wait for an interrupt with interrupts enabled (sti;hlt / wfi), then
 * return with interrupts in the state they were in. */
void hal_cpu_idle(void);
/* Stop this CPU forever with interrupts masked. */
__noreturn void hal_cpu_halt(void);

/* Most CPUs the kernel drives (the size of every per-CPU array). */
#define HAL_MAX_CPUS 8

/* Index of the running CPU, 0-based: 0 is the boot CPU, the others the
 * index the core gave hal_cpu_start(). Safe in any context. */
unsigned hal_cpu_id(void);

/* The running CPU's hardware id as the board's tree names it in /cpus/cpu@N
 * "reg": MPIDR_EL1's affinity fields Aff3..Aff0 (bits 39:32, 23:0) on arm64
 * [Arm ARM D17.2.101], the local APIC ID on x86_64 [Intel SDM Vol. 3A
 * §10.4.6]. The core uses it to find the boot CPU among the tree's CPUs. */
uint64_t hal_cpu_hwid(void);

/* What the board says about one CPU (from /cpus/cpu@N). */
struct hal_cpu_boot {
	uint64_t hwid;		   /* MPIDR affinity / APIC ID */
	const char *enable_method; /* "psci", "spin-table"; x86_64: "" or "intel,apic-init-sipi" */
	uint64_t release_addr;	   /* spin-table: cpu-release-addr (physical) */
};

/* Start the CPU b describes as CPU index cpu (1 .. HAL_MAX_CPUS-1): set up
 * its entry (stack, page tables, vectors) and kick it, then return without
 * waiting. Once the new CPU runs at EL1/ring 0 with the kernel's page tables,
 * its own stack, exception vectors, per-CPU interrupt controller state
 * (GIC CPU interface / redistributor, local APIC), its timer and the
 * profile's hardening (PAN, SMEP/SMAP) set as on the boot CPU, it calls
 * secondary_start(cpu) (<hal/upcall.h>). Boot CPU only, one CPU at a time
 * (the core waits for each); not reentrant. Errors: -EINVAL (bad index or hwid),
 * -ENODEV (enable method unknown or no PSCI/interrupt controller for it),
 * -EIO (the firmware refused: PSCI's return code is logged). */
int hal_cpu_start(unsigned cpu, const struct hal_cpu_boot *b);

/* Inter-processor interrupts: an SGI on the GIC [IHI 0048B §4.3.15 GICD_SGIR,
 * IHI 0069 §12.2.23 ICC_SGI1R_EL1], a BCM2836 mailbox [QA7 §4.7], a
 * fixed-vector IPI through the local APIC's ICR [Intel SDM Vol. 3A §10.6]. */
enum hal_ipi {
	HAL_IPI_RESCHEDULE = 0, /* "look at your run queue" */
	HAL_IPI_CALL_FUNC = 1,	/* "run the function queued for you" */
	HAL_IPI_STOP = 2,	/* "park with interrupts masked" (panic: smp_send_stop()) */
	HAL_IPI_NR
};

/* Raise IPI kind on CPU cpu (which may be the caller). Stores made before
 * the call are visible to the target's handler (a full barrier first).
 * The target runs kernel_ipi(kind) (<hal/upcall.h>) in IRQ context once it
 * has interrupts enabled. Safe in any context. Errors: -EINVAL (bad cpu or
 * kind, CPU never started), -ENODEV (no interrupt controller that can). */
int hal_ipi_send(unsigned cpu, enum hal_ipi kind);

/* True if every CPU may run user tasks. False where the HAL keeps some
 * user-mode state in one place for all CPUs: arm64 with emulated PAN
 * (Armv8.0 CPUs: one saved user TTBR0), where the core keeps tasks on the
 * boot CPU. Safe in any context. */
bool hal_smp_tasks_ok(void);

/* The core's per-CPU data of the running CPU, kept in the arch's per-CPU
 * register: on x86_64 a slot of the HAL's own per-CPU area reached through
 * GS (the entry code swaps GS in on every entry from user mode,
 * [Intel SDM Vol. 2B SWAPGS]), on arm64 TPIDR_EL1 [Arm ARM D17.2.140],
 * which user mode cannot read. Each CPU calls hal_percpu_set() once, early,
 * before the core uses `current` on it; hal_percpu_get() returns NULL until
 * then (the HAL clears the register when it starts a CPU). Both cost a
 * register access, no memory barrier; hal_percpu_get() is inline
 * (<hal/arch/percpu.h>), except in host unit tests, which define their own. */
void hal_percpu_set(void *p);
#ifdef KEVLAR_HOST_TEST
void *hal_percpu_get(void);
#else
#include <hal/arch/percpu.h>
#endif

/* Spin-wait hint for a busy loop on another CPU's store (PAUSE on x86_64
 * [Intel SDM Vol. 2B PAUSE], YIELD on arm64 [Arm ARM C6.2.398]); also a
 * compiler barrier. */
void hal_cpu_relax(void);

/* Frame pointer of the caller, for backtraces: hal_backtrace() walks the
 * frame-pointer chain from fp and calls fn(pc) for each return address,
 * at most max frames, stopping at a NULL or non-kernel frame pointer. */
void hal_backtrace(uintptr_t fp, void (*fn)(uintptr_t pc, void *arg), void *arg, unsigned max);
uintptr_t hal_current_fp(void);

/* A hardware random seed if the CPU has one (RDRAND / RNDR); returns false
 * if not. Used once at boot to seed the kernel's CSPRNG. */
bool hal_random_seed(uint64_t *out);

/* Cycle counter for cheap entropy mixing and profiling (TSC / CNTVCT). */
uint64_t hal_cycles(void);

/* The CPU features user programs may rely on, for the ELF auxiliary vector
 * [getauxval(3)], in Linux's encoding for the arch: AT_HWCAP (x86_64:
 * CPUID.01H:EDX as Linux passes it; arm64: the HWCAP_* bits of Linux's
 * arch/arm64/include/uapi/asm/hwcap.h read from the ID registers) and
 * AT_HWCAP2 (x86_64: HWCAP2_*; arm64: HWCAP2_*). Only features that work
 * at EL0/ring 3 without kernel support we lack are reported (arm64: no
 * SVE, no pointer authentication, no BTI/MTE, no ID-register emulation),
 * since glibc's and musl's ifunc resolvers pick code by these bits. */
uint64_t hal_elf_hwcap(void);
uint64_t hal_elf_hwcap2(void);

/* Human-readable CPU description for /proc/cpuinfo: fills buf (NUL-terminated,
 * at most len bytes) and returns the length. */
size_t hal_cpu_describe(char *buf, size_t len);

#endif
