/* Scheduling, sleeping and waking: a run queue per CPU (smp_sched=1: every
 * online CPU runs tasks; else CPU 0 only). The kernel is not preemptible:
 * a task runs in the kernel until it sleeps or returns to user mode, where
 * a pending reschedule (timer tick, wake-up) is honoured.
 * Shared data has named locks (<kernel/spinlock.h>, <kernel/mutex.h>);
 * docs/architecture.md "Locking" lists them and their order. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H
#include <hal/types.h>
#include <hal/cpu.h>
#include <kernel/list.h>
#include <kernel/percpu.h>
#include <kernel/wait.h>

struct task;

/* The running task of this CPU (struct percpu.curr): the idle task from
 * sched_init() on, never NULL once the scheduler started; NULL before. */
static inline struct task *get_current(void)
{
	struct percpu *c = this_cpu();

	return c ? c->curr : NULL;
}
#define current get_current()

/* Make t runnable (if sleeping interruptibly, or if force). Any context. */
void wake_up_task(struct task *t);

/* Give up the CPU: current stays runnable and goes to the back of the
 * run queue. Not from IRQ context. */
void schedule(void);
/* This CPU should reschedule: set by the tick and by wake-ups, checked on
 * return to user mode, by the idle loop and at cond_resched() (struct
 * percpu). */
#define need_resched (this_cpu()->resched)

/* A preemption point for kernel loops whose length the user chooses (the
 * pages of a huge munmap, mprotect, fork or exit teardown; Linux's
 * cond_resched()): if the tick or a wake-up asked for the CPU, give it up
 * now and come back later. Does nothing in IRQ context, with interrupts
 * masked, in the idle task or before the scheduler runs. The caller holds
 * no spinlock and leaves its data consistent: other tasks run meanwhile
 * (a sleeping lock such as mm->mmap_lock may stay held). */
void cond_resched(void);

/* Make a new task runnable (on an idle CPU it may use, if any). */
void sched_add(struct task *t);

/* Wait until no CPU runs t or is still saving its registers (t->on_cpu
 * is 0): before a task's stack and context are freed. Any context. */
void sched_wait_off_cpu(struct task *t);
/* A released task (off every list, task_release()) whose CPU still saves
 * its registers: task_destroy_released() once t->on_cpu is 0, from the
 * next schedule(). Any context; takes sched_lock. */
void sched_destroy_later(struct task *t);

/* SMP scheduling (smp_sched=1 on the command line, docs/architecture.md
 * "Scheduler"): true if the secondary CPUs run tasks; set by smp_init()
 * before it starts them, read-only afterwards. */
extern bool sched_smp;
/* A secondary CPU, from secondary_start() once online, with sched_smp:
 * join the CPUs that take tasks and run this CPU's idle task. */
__noreturn void sched_ap_run(void);
/* Mask of the CPUs that take tasks (bit n: CPU n): the boot CPU, plus
 * every online secondary with sched_smp. */
unsigned long sched_active_mask(void);
/* The CPUs t may run on: its affinity within sched_active_mask(), or the
 * whole mask if they do not meet. */
unsigned long sched_task_allowed(const struct task *t);
/* sched_setaffinity(2): t may run only on the CPUs of mask (bit n: CPU
 * n); a queued or running t moves at once (current: before this
 * returns). -EINVAL if mask holds no CPU that takes tasks. Process
 * context; takes sched_lock. */
int sched_set_affinity(struct task *t, unsigned long mask);

/* Monotonic ns since boot / jiffies for accounting. */
uint64_t sched_clock_ns(void);

/* Scheduler tick rate: the tick is HZ interrupts per second and a time
 * slice is one tick (10 ms). USER_HZ as seen by user space is the same. */
#define SCHED_HZ 100

/* Boot (kernel_main, once, heap up, interrupts masked): set up the run
 * queue and the idle task (pid 0); `current` is the idle task until
 * sched_start(). */
void sched_init(void);
/* Boot: create PID 1 as a kernel thread running init_fn(arg) (it later
 * execve()s into user mode, see kernel_execve_init()), start the tick at
 * SCHED_HZ, enable interrupts and switch to it. The boot stack is
 * abandoned. */
__noreturn void sched_start(void (*init_fn)(void *), void *arg);

/* For /proc: ticks (1/SCHED_HZ s) the CPU spent idle; load averages as
 * fixed point with 11 fractional bits (1.0 = 2048, Linux FSHIFT) over 1, 5
 * and 15 minutes; tasks runnable now (excluding idle). */
uint64_t sched_idle_ticks(void);
void sched_loadavg(unsigned long avg[3]);
unsigned sched_nr_running(void);

#endif
