/* Private to kernel/sched, kernel/proc and kernel/signal: the run queue and
 * sleeper bookkeeping behind <kernel/sched.h>.
 *
 * Invariants (non-preemptible kernel; everything below is under sched_lock,
 * taken with interrupts masked since the tick and IRQ handlers wake tasks):
 * - a task is on a run queue (that of CPU t->cpu) iff state ==
 *   TASK_RUNNING, it is not the `current` of CPU t->cpu and it is not an
 *   idle task (t->run_list is self-linked otherwise);
 * - t->on_cpu is 1 from the moment a CPU picks t until the HAL saved t's
 *   registers on the switch away; a CPU that picks t waits for 0 first;
 * - a sleeping task (TASK_INTERRUPTIBLE/UNINTERRUPTIBLE) is on at most one
 *   wait queue (wait_list) and, if it has a deadline, on the sleeper list
 *   (sleep_list) ordered by wake_deadline_ns.
 */
#ifndef KERNEL_SCHED_INTERNAL_H
#define KERNEL_SCHED_INTERNAL_H
#include <hal/types.h>
#include <kernel/lock_debug.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>

struct mm;

/* The scheduler's lock (core.c): the run queue, task states, the sleeper
 * and dead-task lists. Innermost: nothing else is taken under it. */
extern spinlock_t sched_lock;
/* Pick the next task and switch to it; sched_lock held (interrupts
 * masked), held again on return. */
void schedule_locked(void);

/* This CPU's idle task (pid 0), runs when nothing else can; never on a
 * run queue. */
#define idle_task (this_cpu()->idle)
/* A new idle task "swapper/cpu" (sched_init(), percpu_init_secondary()). */
struct task *sched_make_idle(unsigned cpu);
/* True once sched_start() switched to PID 1. */
extern bool sched_running;

/* Queue t at the tail of the run queue (state must be TASK_RUNNING).
 * No-op if it is already queued, current, or the idle task. sched_lock
 * held. */
void rq_enqueue(struct task *t);
/* Remove t from the run queue if it is there. sched_lock held. */
void rq_dequeue(struct task *t);

/* Wake a sleeping t: state TASK_RUNNING, off the sleeper list, its
 * sched_wait() returns result (its wait-queue entry is removed by
 * wake_up() or by its own finish_wait()). Sleepers in TASK_UNINTERRUPTIBLE
 * are woken only if !only_interruptible. Returns true if t was woken. Any
 * context; takes sched_lock. */
bool sched_wake(struct task *t, int result, bool only_interruptible);
/* t->state = state under sched_lock (exit: TASK_ZOMBIE, TASK_DEAD; the
 * signal stop: TASK_STOPPED). */
void sched_set_state(struct task *t, enum task_state state);
/* SIGCONT/SIGKILL: a TASK_STOPPED t becomes runnable. Any context. */
void sched_resume_stopped(struct task *t);

/* Wake every sleeper whose deadline is <= now_ns (the tick). IRQ context. */
void sleepers_expire(uint64_t now_ns);

/* An exited task nobody will wait for (autoreap): its kernel stack is
 * still in use until the next context switch, so it is freed by the next
 * schedule() of another task. */
void sched_free_later(struct task *t);

/* Make mm (NULL: the kernel-only address space) the one the MMU uses. */
void sched_switch_mm(struct mm *mm);

/* CPU cpu takes tasks from now on. sched_lock held. */
void sched_cpu_activate(unsigned cpu);
/* Runnable tasks now on every CPU (queued + running, idle excluded).
 * sched_lock held. */
unsigned rq_nr_running(void);

#endif
