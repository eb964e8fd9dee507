/* Bringing up the other CPUs (kernel/smp/): which CPUs the board has, which
 * are running, and running a function on another CPU.
 *
 * CPU numbers are logical: 0 is the boot CPU, the others follow the order of
 * the tree's /cpus/cpu@N nodes. Until the scheduler runs tasks on them, the
 * secondary CPUs ("APs") sit in hal_cpu_idle() with interrupts enabled and
 * answer IPIs only. */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H
#include <hal/cpu.h>
#include <hal/types.h>

/* How long the boot CPU waits for one secondary to call secondary_start()
 * after kicking it; a CPU that misses it is reported and left out. */
#define SMP_BOOT_TIMEOUT_MS 2000

/* Start the secondary CPUs the board lists ([DT spec §3.8] /cpus, status not
 * "disabled"), honouring Linux's "nosmp", "maxcpus=N" and "nr_cpus=N"
 * [kernel-parameters(7)], one at a time, each within SMP_BOOT_TIMEOUT_MS.
 * Logs each CPU and "smp: brought up N of M CPUs". Boot CPU, once
 * the tick started: kernel_init (PID 1), as Linux's kernel_init_freeable(). */
void smp_init(void);

/* CPU masks (bit n = logical CPU n). Possible: listed, enabled and within
 * nr_cpus=; online: running (the boot CPU from the start). */
unsigned long cpu_possible_mask(void);
unsigned long cpu_online_mask(void);
bool cpu_online(unsigned cpu);
unsigned num_online_cpus(void);
unsigned num_possible_cpus(void);
/* The hardware id (MPIDR / APIC ID) of a possible CPU, ~0 if none. */
uint64_t cpu_hwid(unsigned cpu);

/* Run fn(arg) on CPU cpu in IRQ context (interrupts masked, must not
 * sleep) through a HAL_IPI_CALL_FUNC IPI and wait until it has returned,
 * at most timeout_ns. On the calling CPU it runs at once, interrupts masked.
 * Errors: -EINVAL (cpu not online), -ETIMEDOUT (no answer: the call stays
 * queued and the slot busy until the target runs it), -EBUSY (an earlier
 * call to cpu never finished). May spin; not from IRQ context. */
int smp_call_function_single(unsigned cpu, void (*fn)(void *), void *arg, uint64_t timeout_ns);

/* What smp_ping() learned of one CPU. */
struct smp_ping {
	int resched;	     /* 0: a HAL_IPI_RESCHEDULE was taken, or -ETIMEDOUT / -errno */
	int call;	     /* 0: a call-function IPI ran, or -errno of the call */
	unsigned ran_on;     /* hal_cpu_id() inside the called function */
	unsigned hardening;  /* hal_hardening() on that CPU (<hal/hardening.h>) */
	uint64_t resched_ns; /* round trip of each, ns */
	uint64_t call_ns;
};

/* Send cpu (online, not the caller) a reschedule IPI and wait up to 1 s
 * for its counter to move, then run a function there that records where
 * it ran and the CPU's hardening. For /proc/kevlar/smp and its test.
 * -EINVAL if cpu is not online. Spins; not from IRQ context. */
int smp_ping(unsigned cpu, struct smp_ping *out);

/* Stop every other online CPU, as Linux's smp_send_stop() does on panic: a
 * HAL_IPI_STOP to each, whose handler takes the CPU out of the online mask
 * and parks it with interrupts masked (smp_stop_self()); waits up to
 * timeout_ns for all of them. A CPU spinning with interrupts masked never
 * answers (no NMI is used). Returns how many stopped, *total how many were
 * asked to. Prints nothing (the caller may hold the log lock). Any
 * context, interrupts masked; the caller is the one CPU that panics. */
unsigned smp_send_stop(uint64_t timeout_ns, unsigned *total);

/* Park this CPU for good: interrupts masked, out of the online mask,
 * counted as stopped. For the stop IPI and for a CPU that panics while
 * another one already is (Linux's panic_smp_self_stop()). */
__noreturn void smp_stop_self(void);

/* IPIs of each kind this CPU has taken since boot. */
unsigned long smp_ipi_count(unsigned cpu, unsigned kind);

#endif
