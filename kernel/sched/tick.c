/* The scheduler tick (SCHED_HZ per second, IRQ context): CPU time
 * accounting, timed-out sleepers, the time slice and the load average. */
#include <hal/timer.h>
#include <hal/upcall.h>
#include <kernel/sched.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/spinlock.h>

#include "sched_internal.h"

/* Load average as Linux computes it (kernel/sched/loadavg.c): an
 * exponentially damped count of runnable + uninterruptible tasks, sampled
 * every 5 s, fixed point with FSHIFT fractional bits. */
#define FSHIFT 11
#define FIXED_1 (1UL << FSHIFT)
#define LOAD_FREQ (5 * SCHED_HZ + 1)
#define EXP_1 1884  /* 1/exp(5sec/1min) as fixed-point */
#define EXP_5 2014  /* 1/exp(5sec/5min) */
#define EXP_15 2037 /* 1/exp(5sec/15min) */

/* Protects avenrun and load_countdown (written by the tick, read by
 * /proc/loadavg and sysinfo). */
static DEFINE_SPINLOCK(loadavg_lock);
static unsigned long avenrun[3];
static unsigned load_countdown = LOAD_FREQ;

static unsigned long calc_load(unsigned long load, unsigned long exp, unsigned long active)
{
	unsigned long newload = load * exp + active * (FIXED_1 - exp);
	if (active >= load)
		newload += FIXED_1 - 1;
	return newload / FIXED_1;
}

static void update_loadavg(void)
{
	unsigned long active = sched_nr_running();
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);
	struct task *t;

	list_for_each_entry(t, &task_list, all_list)
		if (t->state == TASK_UNINTERRUPTIBLE)
			active++;
	spin_unlock_irqrestore(&tasklist_lock, f);
	active *= FIXED_1;
	f = spin_lock_irqsave(&loadavg_lock);
	avenrun[0] = calc_load(avenrun[0], EXP_1, active);
	avenrun[1] = calc_load(avenrun[1], EXP_5, active);
	avenrun[2] = calc_load(avenrun[2], EXP_15, active);
	spin_unlock_irqrestore(&loadavg_lock, f);
}

void sched_loadavg(unsigned long avg[3])
{
	irqflags_t f = spin_lock_irqsave(&loadavg_lock);
	for (int i = 0; i < 3; i++)
		avg[i] = avenrun[i];
	spin_unlock_irqrestore(&loadavg_lock, f);
}

uint64_t sched_idle_ticks(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < KEVLAR_MAX_CPUS; i++)
		n += __atomic_load_n(&percpu_of(i)->stats.idle_ticks, __ATOMIC_RELAXED);
	return n;
}

/* [hal/upcall.h] The periodic tick, IRQ context, interrupts masked. */
void kernel_timer_tick(void)
{
	struct percpu *cpu = this_cpu();
	struct task *t;

	if (!cpu)
		return; /* a CPU not yet set up by percpu_init_secondary() */
	t = cpu->curr;
	cpu->irq_depth++;
	cpu->stats.irqs++;
	/* A parked secondary (smp_sched=0) only counts the interrupt. */
	if (!sched_running || !((sched_active_mask() >> cpu->cpu) & 1)) {
		cpu->irq_depth--;
		return;
	}
	if (t == cpu->idle) {
		__atomic_add_fetch(&cpu->stats.idle_ticks, 1, __ATOMIC_RELAXED);
	} else if (t->in_user) {
		t->utime_ticks++;
		cpu->stats.user_ticks++;
	} else {
		t->stime_ticks++;
		cpu->stats.sys_ticks++;
	}
	if (t != idle_task)
		rlimit_cpu_tick(t);

	/* The clock, the sleepers' and kernel timers' deadlines and the
	 * load average follow the boot CPU's tick only; the rest is this
	 * CPU's own (its task's times and interval timers, its slice). */
	if (cpu->cpu == 0) {
		time_tick();
		sleepers_expire(hal_timer_now_ns());
		ktimers_expire(hal_timer_now_ns());
	}
	/* ITIMER_REAL of every process on CPU 0; the other CPUs only charge
	 * their task's ITIMER_VIRTUAL/ITIMER_PROF (an idle one takes no
	 * lock). */
	if (cpu->cpu == 0 || t != idle_task)
		itimer_tick(t == idle_task ? NULL : t, t->in_user, hal_timer_now_ns());

	if (cpu->cpu == 0 && __atomic_sub_fetch(&load_countdown, 1, __ATOMIC_RELAXED) == 0) {
		load_countdown = LOAD_FREQ;
		update_loadavg();
	}
	/* Round robin: one tick is a time slice. Honoured on the way back
	 * to user mode and by the idle loop. */
	cpu->resched = true;
	cpu->irq_depth--;
}
