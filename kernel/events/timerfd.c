/* timerfd: [timerfd_create(2)] (Linux fs/timerfd.c). A timer on
 * CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME (the same as
 * MONOTONIC here: the machine never suspends) whose expirations are read
 * as a 64-bit count.
 *
 * Expirations are counted lazily from the deadline and the interval when
 * the timer is read or polled; a ktimer (<kernel/time.h>, tick resolution)
 * only wakes the readers and pollers at each deadline. A realtime deadline
 * is kept as a monotonic one and moved when the wall clock is set
 * (timerfd_clock_was_set()); with TFD_TIMER_ABSTIME|TFD_TIMER_CANCEL_ON_SET
 * a set cancels the timer instead, and read gives -ECANCELED.
 *
 * Lock: ctx->lock guards the timer state; timerfd_list_lock the list of
 * realtime-absolute timers. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/eventpoll.h>
#include <kernel/kmalloc.h>
#include <kernel/spinlock.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/vfs.h>

#include "../time/time_internal.h"
#include "../vfs/internal.h"
#include "events_internal.h"

#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2
#define TFD_SETTIME_FLAGS (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)
#define TFD_CREATE_FLAGS (O_CLOEXEC | O_NONBLOCK)
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9

struct linux_itimerspec {
	struct linux_timespec it_interval;
	struct linux_timespec it_value;
};

struct timerfd_ctx {
	spinlock_t lock; /* everything below but node */
	int clockid;
	uint64_t deadline;   /* monotonic ns, 0 = disarmed */
	uint64_t interval;   /* ns, 0 = one-shot */
	int64_t abs_real;    /* the realtime deadline (ABSTIME on a realtime clock) */
	bool realtime_abs;   /* deadline follows the wall clock */
	bool cancel_on_set;  /* ... or is cancelled when it is set */
	bool canceled;	     /* set by a clock change: read says -ECANCELED */
	uint64_t ticks;	     /* expirations counted but not read yet */
	struct ktimer timer; /* wakes readers at deadline */
	struct wait_queue wq;
	struct list_head node; /* in realtime_timers while realtime_abs */
};

/* Realtime-absolute timers (timerfd_clock_was_set()). */
static DEFINE_SPINLOCK(timerfd_list_lock);
static LIST_HEAD(realtime_timers);
static const struct file_operations timerfd_fops;

/* Move expirations up to now into ticks. ctx->lock held. */
static void timerfd_account(struct timerfd_ctx *ctx, uint64_t now)
{
	uint64_t n;

	if (!ctx->deadline || now < ctx->deadline)
		return;
	if (!ctx->interval) {
		ctx->ticks++;
		ctx->deadline = 0;
		return;
	}
	n = (now - ctx->deadline) / ctx->interval + 1;
	ctx->ticks += n;
	ctx->deadline += n * ctx->interval;
}

static void timerfd_fire(struct ktimer *t)
{
	struct timerfd_ctx *ctx = container_of(t, struct timerfd_ctx, timer);
	uint64_t now = time_monotonic_ns();

	spin_lock(&ctx->lock);
	timerfd_account(ctx, now);
	if (ctx->deadline)
		ktimer_arm(&ctx->timer, ctx->deadline);
	spin_unlock(&ctx->lock);
	wake_up(&ctx->wq);
}

static ssize_t timerfd_read(struct file *f, struct uio *u, off_t *pos)
{
	struct timerfd_ctx *ctx = f->private_data;
	uint64_t v;
	int r;

	if (u->len < sizeof(v))
		return -EINVAL;
	for (;;) {
		irqflags_t fl = spin_lock_irqsave(&ctx->lock);

		timerfd_account(ctx, time_monotonic_ns());
		if (ctx->canceled) {
			ctx->canceled = false;
			spin_unlock_irqrestore(&ctx->lock, fl);
			return -ECANCELED;
		}
		if (ctx->ticks) {
			v = ctx->ticks;
			ctx->ticks = 0;
			spin_unlock_irqrestore(&ctx->lock, fl);
			break;
		}
		if (f->flags & O_NONBLOCK) {
			spin_unlock_irqrestore(&ctx->lock, fl);
			return -EAGAIN;
		}
		/* Queued before ctx->lock is dropped: the expiry (tick, any
		 * CPU) counts ticks under it, so its wake-up is not lost. */
		r = sched_sleep_locked(&ctx->wq, &ctx->lock, 0, true);
		spin_unlock_irqrestore(&ctx->lock, fl);
		if (r == -EINTR)
			return -ERESTARTSYS;
	}
	if (uio_copy_out(u, &v, sizeof(v)))
		return -EFAULT;
	return sizeof(v);
}

static unsigned timerfd_poll(struct file *f, struct wait_queue **wq_out)
{
	struct timerfd_ctx *ctx = f->private_data;
	irqflags_t fl = spin_lock_irqsave(&ctx->lock);
	unsigned mask;

	timerfd_account(ctx, time_monotonic_ns());
	mask = ctx->ticks || ctx->canceled ? POLLIN | POLLRDNORM : 0;
	spin_unlock_irqrestore(&ctx->lock, fl);
	if (wq_out)
		*wq_out = &ctx->wq;
	return mask;
}

static void timerfd_release(struct file *f)
{
	struct timerfd_ctx *ctx = f->private_data;
	irqflags_t fl;

	ktimer_cancel(&ctx->timer);
	fl = spin_lock_irqsave(&timerfd_list_lock);
	list_del(&ctx->node);
	spin_unlock_irqrestore(&timerfd_list_lock, fl);
	kfree(ctx);
}

static off_t timerfd_llseek(struct file *f, off_t off, int whence)
{
	return 0; /* noop_llseek */
}

static const struct file_operations timerfd_fops = {
	.read = timerfd_read,
	.poll = timerfd_poll,
	.release = timerfd_release,
	.llseek = timerfd_llseek,
};

void timerfd_clock_was_set(void)
{
	int64_t off = time_realtime_ns() - (int64_t)time_monotonic_ns();
	irqflags_t fl = spin_lock_irqsave(&timerfd_list_lock);
	struct timerfd_ctx *ctx;

	list_for_each_entry(ctx, &realtime_timers, node) {
		spin_lock(&ctx->lock);
		if (ctx->deadline && ctx->cancel_on_set) {
			ctx->canceled = true;
			ctx->deadline = 0;
			ktimer_cancel(&ctx->timer);
		} else if (ctx->deadline) {
			int64_t d = ctx->abs_real - off;

			ctx->deadline = d > 0 ? (uint64_t)d : 1;
			ktimer_arm(&ctx->timer, ctx->deadline);
		}
		spin_unlock(&ctx->lock);
		wake_up(&ctx->wq);
	}
	spin_unlock_irqrestore(&timerfd_list_lock, fl);
}

static bool clockid_ok(int clockid)
{
	return clockid == CLOCK_REALTIME || clockid == CLOCK_MONOTONIC ||
	       clockid == CLOCK_BOOTTIME || clockid == CLOCK_REALTIME_ALARM ||
	       clockid == CLOCK_BOOTTIME_ALARM;
}

static bool is_realtime(int clockid)
{
	return clockid == CLOCK_REALTIME || clockid == CLOCK_REALTIME_ALARM;
}

/* [timerfd_create(2)]: -EINVAL clock or flags, -EMFILE, -ENOMEM. The
 * _ALARM clocks are their base clocks (nothing here suspends). */
SYSCALL_DEFINE2(timerfd_create, int, clockid, int, flags)
{
	struct timerfd_ctx *ctx;
	int fd;

	if (((unsigned)flags & ~(unsigned)TFD_CREATE_FLAGS) || !clockid_ok(clockid))
		return -EINVAL;
	ctx = kzalloc(sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	spin_lock_init(&ctx->lock, "timerfd.lock");
	ctx->clockid = clockid;
	ctx->timer.fn = timerfd_fire;
	wait_queue_init(&ctx->wq);
	list_init(&ctx->node);
	fd = anon_inode_getfd("[timerfd]", &timerfd_fops, ctx, (unsigned)flags, NULL);
	if (fd < 0)
		kfree(ctx);
	return fd;
}

static int64_t ts_ns(const struct linux_timespec *ts)
{
	if (ts->tv_sec >= INT64_MAX / NSEC_PER_SEC - 1)
		return INT64_MAX / 2;
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static bool ts_valid(const struct linux_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC_PER_SEC;
}

static struct linux_timespec ns_ts(uint64_t ns)
{
	struct linux_timespec ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
	return ts;
}

/* The timer of fd, referenced: -EBADF, -EINVAL (not a timerfd). */
static struct file *timerfd_fget(int fd, long *err)
{
	struct file *f = fget_current(fd);

	*err = -EBADF;
	if (!f)
		return NULL;
	*err = -EINVAL;
	if (f->f_op != &timerfd_fops) {
		fput(f);
		return NULL;
	}
	return f;
}

/* Current value (time to the next expiry, relative) and interval. ctx->lock held. */
static void timerfd_get(struct timerfd_ctx *ctx, struct linux_itimerspec *v)
{
	uint64_t now = time_monotonic_ns();

	timerfd_account(ctx, now);
	v->it_value = ns_ts(ctx->deadline ? ctx->deadline - now : 0);
	v->it_interval = ns_ts(ctx->interval);
}

/* [timerfd_settime(2)]: -EFAULT, -EINVAL (flags, a bad timespec, not a
 * timerfd), -EBADF; in Linux's order. */
SYSCALL_DEFINE4(timerfd_settime, int, fd, int, flags, uintptr_t, unew, uintptr_t, uold)
{
	struct linux_itimerspec nv, ov;
	struct timerfd_ctx *ctx;
	struct file *f;
	irqflags_t fl;
	long err;

	if (copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (((unsigned)flags & ~(unsigned)TFD_SETTIME_FLAGS) || !ts_valid(&nv.it_value) ||
	    !ts_valid(&nv.it_interval))
		return -EINVAL;
	f = timerfd_fget(fd, &err);
	if (!f)
		return err;
	ctx = f->private_data;

	fl = spin_lock_irqsave(&timerfd_list_lock);
	spin_lock(&ctx->lock);
	timerfd_get(ctx, &ov);
	ktimer_cancel(&ctx->timer);
	list_del(&ctx->node);
	ctx->ticks = 0;
	ctx->canceled = false;
	ctx->realtime_abs = false;
	ctx->cancel_on_set = false;
	ctx->deadline = 0;
	ctx->interval = 0;
	if (nv.it_value.tv_sec || nv.it_value.tv_nsec) {
		int64_t v = ts_ns(&nv.it_value), now_clock, d;

		clock_read_ns(is_realtime(ctx->clockid) ? CLOCK_REALTIME : CLOCK_MONOTONIC,
			      &now_clock);
		if (flags & TFD_TIMER_ABSTIME)
			d = v - now_clock; /* from now; may be in the past: fires at once */
		else
			d = v;
		d = (int64_t)time_monotonic_ns() + (d > 0 ? d : 0);
		ctx->deadline = d > 0 ? (uint64_t)d : 1;
		ctx->interval = (uint64_t)ts_ns(&nv.it_interval);
		if (is_realtime(ctx->clockid) && (flags & TFD_TIMER_ABSTIME)) {
			ctx->realtime_abs = true;
			ctx->abs_real = v;
			ctx->cancel_on_set = (flags & TFD_TIMER_CANCEL_ON_SET) != 0;
			list_add_tail(&ctx->node, &realtime_timers);
		}
		ktimer_arm(&ctx->timer, ctx->deadline);
	}
	spin_unlock(&ctx->lock);
	spin_unlock_irqrestore(&timerfd_list_lock, fl);
	wake_up(&ctx->wq);
	fput(f);
	if (uold && copy_to_user(uold, &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

/* [timerfd_gettime(2)]: -EBADF, -EINVAL, -EFAULT. */
SYSCALL_DEFINE2(timerfd_gettime, int, fd, uintptr_t, ucur)
{
	struct linux_itimerspec v;
	struct timerfd_ctx *ctx;
	struct file *f;
	irqflags_t fl;
	long err;

	f = timerfd_fget(fd, &err);
	if (!f)
		return err;
	ctx = f->private_data;
	fl = spin_lock_irqsave(&ctx->lock);
	timerfd_get(ctx, &v);
	spin_unlock_irqrestore(&ctx->lock, fl);
	fput(f);
	return copy_to_user(ucur, &v, sizeof(v)) ? -EFAULT : 0;
}
