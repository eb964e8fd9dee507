/* POSIX per-process timers: [timer_create(2)], [timer_settime(2)],
 * [timer_getoverrun(2)], [timer_delete(2)] (Linux kernel/time/posix-timers.c).
 *
 * Clocks CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME (and their _ALARM
 * forms); the CPU-time clocks are refused with -EINVAL (Linux accepts
 * them). Notification SIGEV_SIGNAL (the process), SIGEV_THREAD_ID (one of
 * its threads, what glibc's SIGEV_THREAD uses) or SIGEV_NONE (only
 * timer_gettime). Each timer is a ktimer (<kernel/time.h>), so expiry has
 * the tick's resolution. While the timer's signal is still pending, later
 * expirations count as overruns (si_overrun, timer_getoverrun) instead of
 * queueing more signals, as Linux does. A realtime ABSTIME deadline is
 * fixed at timer_settime() (a later clock_settime does not move it).
 * Timers are deleted when their process exits or execs.
 *
 * Lock: posix_timers_lock guards the list and every timer's state. It is
 * taken inside tasklist_lock and sighand->siglock (exit, and
 * posix_timer_dequeued() from sigqueue_dequeue()), so the expiry in the
 * tick decides under it and sends the signal after dropping it. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/spinlock.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>

#include "time_internal.h"

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define MAX_TIMERS_PER_PROCESS 1024

/* struct sigevent of the 64-bit ABI (64 bytes). */
struct linux_sigevent {
	uint64_t sigev_value;
	int32_t sigev_signo;
	int32_t sigev_notify;
	int32_t sigev_tid;
	int32_t _pad[11];
};

struct linux_itimerspec {
	struct linux_timespec it_interval;
	struct linux_timespec it_value;
};

struct posix_timer {
	struct list_head node; /* in posix_timers */
	int tgid;	       /* the owning process */
	int id;
	int clockid;
	int notify; /* SIGEV_* */
	int signo;
	int tid; /* SIGEV_THREAD_ID target */
	uint64_t value;
	uint64_t deadline; /* monotonic ns, 0 = disarmed */
	uint64_t interval;
	int overrun;	  /* expirations since the signal was queued */
	int last_overrun; /* what timer_getoverrun() says */
	struct ktimer timer;
};

static DEFINE_SPINLOCK(posix_timers_lock);
static LIST_HEAD(posix_timers);

static struct posix_timer *timer_find(int tgid, int id)
{
	struct posix_timer *pt;

	list_for_each_entry(pt, &posix_timers, node)
		if (pt->tgid == tgid && pt->id == id)
			return pt;
	return NULL;
}

/* What an expiry sends, copied out of the timer under posix_timers_lock. */
struct timer_shot {
	int tgid, id, notify, signo, tid;
	uint64_t value;
};

/* Send the expiry's signal; no lock held (it takes tasklist_lock, the
 * siglock, and posix_timers_lock again for the overrun count). */
static void timer_signal(const struct timer_shot *s)
{
	struct linux_siginfo info = { 0 };
	struct task *t = task_lookup(s->notify & SIGEV_THREAD_ID ? s->tid : s->tgid);
	int32_t word[2] = { s->id, 0 };
	bool queued = false;
	struct posix_timer *pt;
	irqflags_t fl;

	if (!t || t->group_leader->tid != s->tgid)
		goto out;
	fl = spin_lock_irqsave(&posix_timers_lock);
	pt = timer_find(s->tgid, s->id);
	if (pt && (__atomic_load_n(&t->sig.pending, __ATOMIC_RELAXED) & sigmask(s->signo))) {
		pt->overrun++; /* not delivered yet: count it */
	} else if (pt) {
		pt->overrun = 0; /* counted from here until posix_timer_dequeued() */
		queued = true;
	}
	spin_unlock_irqrestore(&posix_timers_lock, fl);
	if (!queued)
		goto out;
	info.si_signo = s->signo;
	info.si_code = SI_TIMER;
	__builtin_memcpy(info.u._bytes, word, sizeof(word));
	__builtin_memcpy(info.u._bytes + 8, &s->value, sizeof(s->value));
	if (s->notify & SIGEV_THREAD_ID)
		send_signal(t, s->signo, &info);
	else
		send_group_signal(t, s->signo, &info);
out:
	put_task(t);
}

/* Tick context, interrupts masked. */
static void posix_timer_fire(struct ktimer *kt)
{
	struct posix_timer *pt = container_of(kt, struct posix_timer, timer);
	uint64_t now = time_monotonic_ns();
	struct timer_shot shot;
	bool fire = false;

	spin_lock(&posix_timers_lock);
	if (pt->deadline && now >= pt->deadline) {
		if (pt->interval) {
			uint64_t n = (now - pt->deadline) / pt->interval;

			pt->overrun += (int)(n > 0x7fffffff ? 0x7fffffff : n);
			pt->deadline += (n + 1) * pt->interval;
			ktimer_arm(&pt->timer, pt->deadline);
		} else {
			pt->deadline = 0;
		}
		if (pt->notify != SIGEV_NONE) {
			fire = true;
			shot = (struct timer_shot){ .tgid = pt->tgid,
						    .id = pt->id,
						    .notify = pt->notify,
						    .signo = pt->signo,
						    .tid = pt->tid,
						    .value = pt->value };
		}
	}
	spin_unlock(&posix_timers_lock);
	if (fire)
		timer_signal(&shot);
}

static bool clock_ok(int clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC || clk == CLOCK_BOOTTIME ||
	       clk == CLOCK_REALTIME_ALARM || clk == CLOCK_BOOTTIME_ALARM;
}

/* Linux good_sigevent(): -EINVAL for an unknown notify, a bad signal, or a
 * SIGEV_THREAD_ID thread outside the caller's process. */
static int sigevent_check(const struct linux_sigevent *ev)
{
	int notify = ev->sigev_notify;

	if (notify == SIGEV_NONE)
		return 0;
	if (notify != SIGEV_SIGNAL && notify != (SIGEV_SIGNAL | SIGEV_THREAD_ID))
		return -EINVAL;
	if (notify & SIGEV_THREAD_ID) {
		struct task *t = task_lookup(ev->sigev_tid);
		bool ours = t && t->group_leader == current->group_leader;

		put_task(t);
		if (!ours)
			return -EINVAL;
	}
	if (ev->sigev_signo <= 0 || ev->sigev_signo > NSIG)
		return -EINVAL;
	return 0;
}

/* [timer_create(2)]: sevp NULL means SIGEV_SIGNAL with SIGALRM and the
 * timer id as value. -EINVAL, -EFAULT, -EAGAIN (too many), -ENOMEM. */
SYSCALL_DEFINE3(timer_create, int, clockid, uintptr_t, usevp, uintptr_t, uid)
{
	struct linux_sigevent ev = { 0 };
	struct posix_timer *pt;
	int tgid = current->group_leader->tid, id, r;
	irqflags_t fl;

	if (!clock_ok(clockid))
		return -EINVAL;
	if (usevp) {
		if (copy_from_user(&ev, usevp, sizeof(ev)))
			return -EFAULT;
		r = sigevent_check(&ev);
		if (r)
			return r;
	}
	pt = kzalloc(sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->tgid = tgid;
	pt->clockid = clockid;
	pt->timer.fn = posix_timer_fire;
	fl = spin_lock_irqsave(&posix_timers_lock);
	for (id = 0; id < MAX_TIMERS_PER_PROCESS && timer_find(tgid, id); id++)
		;
	if (id == MAX_TIMERS_PER_PROCESS) {
		spin_unlock_irqrestore(&posix_timers_lock, fl);
		kfree(pt);
		return -EAGAIN;
	}
	pt->id = id;
	if (usevp) {
		pt->notify = ev.sigev_notify;
		pt->signo = ev.sigev_signo;
		pt->tid = ev.sigev_tid;
		pt->value = ev.sigev_value;
	} else {
		pt->notify = SIGEV_SIGNAL;
		pt->signo = SIGALRM;
		pt->value = (uint64_t)id;
	}
	list_add_tail(&pt->node, &posix_timers);
	spin_unlock_irqrestore(&posix_timers_lock, fl);
	if (copy_to_user(uid, &id, sizeof(id))) {
		fl = spin_lock_irqsave(&posix_timers_lock);
		list_del(&pt->node);
		spin_unlock_irqrestore(&posix_timers_lock, fl);
		kfree(pt);
		return -EFAULT;
	}
	return 0;
}

static struct linux_timespec ns_ts(uint64_t ns)
{
	struct linux_timespec ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
	return ts;
}

static void timer_get(struct posix_timer *pt, struct linux_itimerspec *v)
{
	uint64_t now = time_monotonic_ns();

	v->it_value = ns_ts(pt->deadline > now ? pt->deadline - now : pt->deadline ? 1 : 0);
	v->it_interval = ns_ts(pt->interval);
}

static bool ts_valid(const struct linux_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC_PER_SEC;
}

static int64_t ts_ns(const struct linux_timespec *ts)
{
	if (ts->tv_sec >= INT64_MAX / NSEC_PER_SEC - 1)
		return INT64_MAX / 2;
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

/* [timer_settime(2)]: flags TIMER_ABSTIME; -EINVAL (bad id, flags value),
 * -EFAULT. */
SYSCALL_DEFINE4(timer_settime, int, id, int, flags, uintptr_t, unew, uintptr_t, uold)
{
	struct linux_itimerspec nv, ov;
	struct posix_timer *pt;
	irqflags_t fl;

	if (!unew)
		return -EINVAL;
	if (copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (!ts_valid(&nv.it_value) || !ts_valid(&nv.it_interval))
		return -EINVAL;
	fl = spin_lock_irqsave(&posix_timers_lock);
	pt = timer_find(current->group_leader->tid, id);
	if (!pt) {
		spin_unlock_irqrestore(&posix_timers_lock, fl);
		return -EINVAL;
	}
	timer_get(pt, &ov);
	ktimer_cancel(&pt->timer);
	pt->deadline = 0;
	pt->interval = 0;
	pt->overrun = 0;
	if (nv.it_value.tv_sec || nv.it_value.tv_nsec) {
		int64_t v = ts_ns(&nv.it_value), now_clock, d;
		bool real = pt->clockid == CLOCK_REALTIME || pt->clockid == CLOCK_REALTIME_ALARM;

		clock_read_ns(real ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now_clock);
		d = (flags & TIMER_ABSTIME) ? v - now_clock : v;
		d = (int64_t)time_monotonic_ns() + (d > 0 ? d : 0);
		pt->deadline = d > 0 ? (uint64_t)d : 1;
		pt->interval = (uint64_t)ts_ns(&nv.it_interval);
		ktimer_arm(&pt->timer, pt->deadline);
	}
	spin_unlock_irqrestore(&posix_timers_lock, fl);
	if (uold && copy_to_user(uold, &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(timer_gettime, int, id, uintptr_t, ucur)
{
	struct linux_itimerspec v;
	struct posix_timer *pt;
	irqflags_t fl = spin_lock_irqsave(&posix_timers_lock);

	pt = timer_find(current->group_leader->tid, id);
	if (pt)
		timer_get(pt, &v);
	spin_unlock_irqrestore(&posix_timers_lock, fl);
	if (!pt)
		return -EINVAL;
	return copy_to_user(ucur, &v, sizeof(v)) ? -EFAULT : 0;
}

SYSCALL_DEFINE1(timer_getoverrun, int, id)
{
	struct posix_timer *pt;
	irqflags_t fl = spin_lock_irqsave(&posix_timers_lock);
	long r;

	pt = timer_find(current->group_leader->tid, id);
	r = pt ? pt->last_overrun : -EINVAL;
	spin_unlock_irqrestore(&posix_timers_lock, fl);
	return r;
}

static void timer_free(struct posix_timer *pt)
{
	ktimer_cancel(&pt->timer);
	list_del(&pt->node);
	kfree(pt);
}

SYSCALL_DEFINE1(timer_delete, int, id)
{
	struct posix_timer *pt;
	irqflags_t fl = spin_lock_irqsave(&posix_timers_lock);

	pt = timer_find(current->group_leader->tid, id);
	if (pt)
		timer_free(pt);
	spin_unlock_irqrestore(&posix_timers_lock, fl);
	return pt ? 0 : -EINVAL;
}

void posix_timer_dequeued(struct task *t, struct linux_siginfo *info)
{
	struct posix_timer *pt;
	int32_t id;

	spin_lock(&posix_timers_lock);
	__builtin_memcpy(&id, info->u._bytes, sizeof(id));
	pt = timer_find(t->group_leader->tid, id);
	if (pt) {
		pt->last_overrun = pt->overrun;
		pt->overrun = 0;
		__builtin_memcpy(info->u._bytes + 4, &pt->last_overrun, sizeof(int32_t));
	}
	spin_unlock(&posix_timers_lock);
}

void posix_timers_exit(struct task *leader)
{
	struct posix_timer *pt, *n;
	irqflags_t fl = spin_lock_irqsave(&posix_timers_lock);

	list_for_each_entry_safe(pt, n, &posix_timers, node)
		if (pt->tgid == leader->tid)
			timer_free(pt);
	spin_unlock_irqrestore(&posix_timers_lock, fl);
}
