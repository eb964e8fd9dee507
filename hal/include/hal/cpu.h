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

/* Index of the running CPU, 0-based. */
unsigned hal_cpu_id(void);

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

/* Human-readable CPU description for /proc/cpuinfo: fills buf (NUL-terminated,
 * at most len bytes) and returns the length. */
size_t hal_cpu_describe(char *buf, size_t len);

#endif
