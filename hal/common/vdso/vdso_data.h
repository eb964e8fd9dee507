/* The vDSO data page ("vvar"), shared by the kernel half of the HAL
 * (hal/common/vdso.c writes it) and the vDSO (hal/<arch>/vdso/ reads
 * it). One page, mapped read-only in user space one page below the vDSO
 * image. All times are ns, counters in cycles of the arch clocksource
 * (x86_64: TSC [Intel SDM Vol. 3B §17.17]; arm64: CNTVCT_EL0 [Arm ARM
 * D11.1.2]).
 *
 * Seqlock protocol (as Linux's vdso_data.seq):
 *   writer: seq += 1 (odd); release fence; fields; seq += 1 (even, release)
 *   reader: s = seq (acquire), wait while odd; read fields; acquire
 *           fence; retry if seq != s
 */
#ifndef HAL_VDSO_DATA_H
#define HAL_VDSO_DATA_H
#include <stdint.h>

#define VDSO_DATA_VERSION 1

/* getcpu_mode: how __vdso_getcpu (x86_64 only; arm64 Linux has no vDSO
 * getcpu) learns the CPU. The kernel writes IA32_TSC_AUX = (node << 12) |
 * cpu on every CPU before it runs tasks, as Linux's setup_getcpu(). */
#define VDSO_GETCPU_SYSCALL 0 /* the getcpu(2) system call */
#define VDSO_GETCPU_RDTSCP 1  /* RDTSCP's ECX is TSC_AUX [Intel SDM Vol. 2B RDTSCP] */
#define VDSO_GETCPU_RDPID 2   /* RDPID reads TSC_AUX [Intel SDM Vol. 2B RDPID] */

/* clock_mode: can user mode compute the time from the counter? */
#define VDSO_CLOCK_NONE 0    /* no: every clock falls back to the syscall */
#define VDSO_CLOCK_COUNTER 1 /* yes: mono = base_ns + ((cnt - cycle_base) * mult) >> shift */

struct vdso_data {
	uint32_t seq;		    /* odd while the kernel writes */
	uint32_t version;	    /* VDSO_DATA_VERSION */
	uint32_t clock_mode;	    /* VDSO_CLOCK_* */
	uint32_t shift;		    /* of the 128-bit product cycles * mult */
	uint64_t cycle_base;	    /* counter value where CLOCK_MONOTONIC == base_ns */
	uint64_t mult;		    /* ns per cycle << shift */
	uint64_t base_ns;	    /* CLOCK_MONOTONIC at cycle_base, ns */
	int64_t realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	uint64_t coarse_mono_ns;    /* CLOCK_MONOTONIC at the last tick, ns */
	uint32_t coarse_res_ns;	    /* one tick, ns */
	uint32_t getcpu_mode;	    /* VDSO_GETCPU_*, set once before user space */
};

#ifndef KEVLAR_VDSO
/* Implemented by each arch's timer.c: the clocksource exactly as
 * hal_timer_now_ns() converts it, so the vDSO gets the same nanosecond:
 * ns = base_ns + ((counter - cycle_base) * mult) >> shift (128-bit
 * product). Returns VDSO_CLOCK_COUNTER, or VDSO_CLOCK_NONE before the
 * timer is calibrated. Any context. */
uint32_t hal_arch_vdso_clocksource(uint64_t *cycle_base, uint64_t *mult, uint32_t *shift,
				   uint64_t *base_ns);

/* Implemented by each arch: VDSO_GETCPU_* for __vdso_getcpu, decided on
 * the boot CPU (every CPU of a machine is assumed to have its features);
 * VDSO_GETCPU_SYSCALL where the arch has no vDSO getcpu. */
uint32_t hal_arch_vdso_getcpu_mode(void);
#endif

#endif
