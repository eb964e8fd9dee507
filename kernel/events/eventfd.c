/* eventfd: [eventfd(2)] (Linux fs/eventfd.c). A 64-bit counter: write adds
 * (blocking while the sum would exceed 0xfffffffffffffffe), read returns
 * the counter and zeroes it, or with EFD_SEMAPHORE returns 1 and
 * decrements it (blocking while it is 0). POLLIN while the counter is > 0,
 * POLLOUT while a write of 1 would not block, POLLERR on overflow (never,
 * here: only Linux's in-kernel eventfd_signal() can overflow it).
 *
 * Lock: ctx->lock guards count; sleepers wait on ctx->wq (the poll queue
 * too), woken on every change. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/eventpoll.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/vfs.h>

#include "events_internal.h"

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC O_CLOEXEC
#define EFD_NONBLOCK O_NONBLOCK
#define EFD_FLAGS (EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK)
#define EVENTFD_MAX 0xfffffffffffffffeULL

struct eventfd_ctx {
	spinlock_t lock; /* count */
	uint64_t count;
	bool semaphore;
	int id;		      /* eventfd-id in fdinfo */
	struct wait_queue wq; /* readers, writers and pollers */
};
static int eventfd_next_id; /* Linux's eventfd_ida, never reused here */

static ssize_t eventfd_read(struct file *f, struct uio *u, off_t *pos)
{
	struct eventfd_ctx *ctx = f->private_data;
	uint64_t v;
	int r;

	if (u->len < sizeof(v))
		return -EINVAL;
	/* Sleep with ctx->lock handed to sched_sleep_locked(): a writer on
	 * another CPU changes count under it, so its wake-up is not lost. */
	irqflags_t fl = spin_lock_irqsave(&ctx->lock);
	for (;;) {
		if (ctx->count) {
			v = ctx->semaphore ? 1 : ctx->count;
			ctx->count -= v;
			break;
		}
		if (f->flags & O_NONBLOCK) {
			spin_unlock_irqrestore(&ctx->lock, fl);
			return -EAGAIN;
		}
		r = sched_sleep_locked(&ctx->wq, &ctx->lock, 0, true);
		if (r == -EINTR) {
			spin_unlock_irqrestore(&ctx->lock, fl);
			return -ERESTARTSYS;
		}
	}
	spin_unlock_irqrestore(&ctx->lock, fl);
	wake_up(&ctx->wq);
	if (uio_copy_out(u, &v, sizeof(v)))
		return -EFAULT;
	return sizeof(v);
}

static ssize_t eventfd_write(struct file *f, struct uio *u, off_t *pos)
{
	struct eventfd_ctx *ctx = f->private_data;
	uint64_t v;
	int r;

	if (u->len < sizeof(v))
		return -EINVAL;
	if (uio_copy_in(u, &v, sizeof(v)))
		return -EFAULT;
	if (v == ~0ULL)
		return -EINVAL;
	irqflags_t fl = spin_lock_irqsave(&ctx->lock);
	for (;;) {
		if (EVENTFD_MAX - ctx->count >= v) {
			ctx->count += v;
			break;
		}
		if (f->flags & O_NONBLOCK) {
			spin_unlock_irqrestore(&ctx->lock, fl);
			return -EAGAIN;
		}
		r = sched_sleep_locked(&ctx->wq, &ctx->lock, 0, true);
		if (r == -EINTR) {
			spin_unlock_irqrestore(&ctx->lock, fl);
			return -ERESTARTSYS;
		}
	}
	spin_unlock_irqrestore(&ctx->lock, fl);
	if (v)
		wake_up(&ctx->wq);
	return sizeof(v);
}

static unsigned eventfd_poll(struct file *f, struct wait_queue **wq_out)
{
	struct eventfd_ctx *ctx = f->private_data;
	unsigned mask = 0;
	uint64_t c;
	irqflags_t fl = spin_lock_irqsave(&ctx->lock);

	c = ctx->count;
	spin_unlock_irqrestore(&ctx->lock, fl);
	if (wq_out)
		*wq_out = &ctx->wq;
	if (c > 0)
		mask |= POLLIN | POLLRDNORM;
	if (c < EVENTFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void eventfd_release(struct file *f)
{
	kfree(f->private_data);
}

/* Linux's noop_llseek: the position stays 0. */
static off_t eventfd_llseek(struct file *f, off_t off, int whence)
{
	return 0;
}

/* Linux eventfd_show_fdinfo(). */
static size_t eventfd_show_fdinfo(struct file *f, char *buf, size_t room)
{
	struct eventfd_ctx *ctx = f->private_data;
	irqflags_t fl = spin_lock_irqsave(&ctx->lock);
	unsigned long long cnt = ctx->count;

	spin_unlock_irqrestore(&ctx->lock, fl);
	return (size_t)snprintf(buf, room, "eventfd-count: %16llx\neventfd-id: %d\n", cnt, ctx->id);
}

static const struct file_operations eventfd_fops = {
	.show_fdinfo = eventfd_show_fdinfo,
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.release = eventfd_release,
	.llseek = eventfd_llseek,
};

/* [eventfd(2)]: -EINVAL for unknown flags, -EMFILE, -ENOMEM. */
static long do_eventfd(unsigned initval, int flags)
{
	struct eventfd_ctx *ctx;
	int fd;

	if ((unsigned)flags & ~(unsigned)EFD_FLAGS)
		return -EINVAL;
	ctx = kzalloc(sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	spin_lock_init(&ctx->lock, "eventfd.lock");
	wait_queue_init(&ctx->wq);
	ctx->count = initval;
	ctx->semaphore = flags & EFD_SEMAPHORE;
	ctx->id = __atomic_fetch_add(&eventfd_next_id, 1, __ATOMIC_RELAXED);
	fd = anon_inode_getfd("[eventfd]", &eventfd_fops, ctx, (unsigned)flags & ~EFD_SEMAPHORE,
			      NULL);
	if (fd < 0)
		kfree(ctx);
	return fd;
}

SYSCALL_DEFINE2(eventfd2, unsigned, initval, int, flags)
{
	return do_eventfd(initval, flags);
}

/* x86_64 only: eventfd2 without flags. */
SYSCALL_DEFINE1(eventfd, unsigned, initval)
{
	return do_eventfd(initval, 0);
}
