/* CPU control: interrupt masking, halt, per-CPU identity, barriers.
 * SMP bring-up (INIT-SIPI on x86_64 [Intel SDM Vol. 3A §8.4], PSCI CPU_ON
 * [DEN0022 §5.6] or spin-table on arm64) is declared here but only the boot
 * CPU runs in this version. */
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

/* Index of the running CPU, 0-based: the first member (an unsigned) of
 * the per-CPU data hal_percpu_set() installed on this CPU; 0 before that.
 * Only stable while the caller cannot move to another CPU (interrupts
 * masked, or any time in this non-preemptible kernel). */
unsigned hal_cpu_id(void);

/* The core's per-CPU data of the running CPU, kept in the arch's per-CPU
 * register: on x86_64 a slot of the HAL's own per-CPU area reached through
 * GS (the entry code swaps GS in on every entry from user mode,
 * [Intel SDM Vol. 2B SWAPGS]), on arm64 TPIDR_EL1 [Arm ARM D17.2.140],
 * which user mode cannot read. p must point to a struct whose first member
 * is the unsigned index of this CPU (see hal_cpu_id()). Each CPU calls
 * hal_percpu_set() once, early, before the core runs on it;
 * hal_percpu_get() returns NULL until then. Both cost a register access,
 * no memory barrier. */
void hal_percpu_set(void *p);
void *hal_percpu_get(void);

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
