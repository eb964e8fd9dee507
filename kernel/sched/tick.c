/* The scheduler tick (SCHED_HZ per second, IRQ context): CPU time
 * accounting, timed-out sleepers, the time slice and the load average. */
#include <hal/timer.h>
#include <hal/upcall.h>
#include <kernel/sched.h>
#include <kernel/task.h>
#include <kernel/time.h>

#include "sched_internal.h"

uint64_t sched_idle_tick_count;

/* Load average as Linux computes it (kernel/sched/loadavg.c): an
 * exponentially damped count of runnable + uninterruptible tasks, sampled
 * every 5 s, fixed point with FSHIFT fractional bits. */
#define FSHIFT 11
#define FIXED_1 (1UL << FSHIFT)
#define LOAD_FREQ (5 * SCHED_HZ + 1)
#define EXP_1 1884  /* 1/exp(5sec/1min) as fixed-point */
#define EXP_5 2014  /* 1/exp(5sec/5min) */
#define EXP_15 2037 /* 1/exp(5sec/15min) */

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
	unsigned long active = rq_nr_running();
	struct task *t;
	list_for_each_entry(t, &task_list, all_list)
		if (t->state == TASK_UNINTERRUPTIBLE)
			active++;
	active *= FIXED_1;
	avenrun[0] = calc_load(avenrun[0], EXP_1, active);
	avenrun[1] = calc_load(avenrun[1], EXP_5, active);
	avenrun[2] = calc_load(avenrun[2], EXP_15, active);
}

void sched_loadavg(unsigned long avg[3])
{
	irqflags_t f = hal_irq_save();
	for (int i = 0; i < 3; i++)
		avg[i] = avenrun[i];
	hal_irq_restore(f);
}

uint64_t sched_idle_ticks(void)
{
	irqflags_t f = hal_irq_save();
	uint64_t v = sched_idle_tick_count;
	hal_irq_restore(f);
	return v;
}

/* [hal/upcall.h] The periodic tick, IRQ context, interrupts masked. */
void kernel_timer_tick(void)
{
	struct task *t = current;

	if (!sched_running)
		return;
	if (t == idle_task)
		sched_idle_tick_count++;
	else if (t->in_user)
		t->utime_ticks++;
	else
		t->stime_ticks++;
	if (t != idle_task)
		rlimit_cpu_tick(t);

	time_tick();
	sleepers_expire(hal_timer_now_ns());
	ktimers_expire(hal_timer_now_ns());
	itimer_tick(t == idle_task ? NULL : t, t->in_user, hal_timer_now_ns());

	if (--load_countdown == 0) {
		load_countdown = LOAD_FREQ;
		update_loadavg();
	}
	/* Round robin: one tick is a time slice. Honoured on the way back
	 * to user mode and by the idle loop. */
	need_resched = true;
}
