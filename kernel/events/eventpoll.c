/* epoll: [epoll(7)], [epoll_create(2)], [epoll_ctl(2)], [epoll_wait(2)]
 * (Linux fs/eventpoll.c).
 *
 * A registration (struct epitem) is keyed by (open file description, fd)
 * and does not pin the file: the file's last fput() removes it from every
 * epoll set (eventpoll_release()). At EPOLL_CTL_ADD the item hooks a
 * callback (struct wait_entry, <kernel/wait.h>) on the wait queue the
 * file's poll hook names, so every pollable file (pipe, tty, pidfd, socket,
 * eventfd, another epoll ...) wakes epoll without code of its own. The
 * callback only queues the item on the ready list; epoll_wait() asks the
 * file's poll hook again for the real mask (Linux does the same re-poll in
 * ep_send_events()), so a spurious wake-up reports nothing.
 *
 * Level-triggered items go back on the ready list after being reported,
 * edge-triggered ones wait for the next wake-up of their queue, EPOLLONESHOT
 * ones are disabled (events cleared) until EPOLL_CTL_MOD.
 *
 * Locks: ep->lock (per epoll) guards its item list, ready list and each
 * item's events/on_rdlist; the callback takes it from any context
 * (spin_lock_irqsave). ep_files_lock guards every file's f_ep list and the
 * set of items (insert/remove); taken in process context, before ep->lock.
 * Sleeping follows the wait-queue pattern of kernel/vfs/poll.c. */
#include <hal/arch/abi.h>
#include <hal/timer.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/eventpoll.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/signal.h>
#include <kernel/spinlock.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/vfs.h>

#include "../vfs/internal.h"
#include "events_internal.h"

/* <uapi/linux/eventpoll.h> */
#define EPOLL_CLOEXEC O_CLOEXEC
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLIN 0x001u
#define EPOLLPRI 0x002u
#define EPOLLOUT 0x004u
#define EPOLLERR 0x008u
#define EPOLLHUP 0x010u
#define EPOLLRDNORM 0x040u
#define EPOLLRDBAND 0x080u
#define EPOLLWRNORM 0x100u
#define EPOLLWRBAND 0x200u
#define EPOLLRDHUP 0x2000u
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)
/* Bits that are not events: what a disabled EPOLLONESHOT item keeps. */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLINOUT_BITS (EPOLLIN | EPOLLOUT)
#define EPOLLEXCLUSIVE_OK_BITS \
	(EPOLLINOUT_BITS | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
/* Linux's limits: nesting depth of epoll in epoll, events per call. */
#define EP_MAX_NESTS 4
#define EP_MAX_EVENTS (0x7fffffff / 16)
/* Events collected per epoll_wait() call (a kernel buffer). */
#define EP_BATCH 256
/* ... on the stack up to this many (the common epoll_wait(.., 1..8, ..)). */
#define EP_SMALL 8

/* struct epoll_event: x86_64 packs it to 12 bytes, arm64 pads to 16
 * (<uapi/linux/eventpoll.h> EPOLL_PACKED). Read and written field by field
 * at HAL_EPOLL_EVENT_SIZE strides. */

struct eventpoll {
	spinlock_t lock;	   /* items, rdllist, epitem.events/on_rdlist */
	struct list_head items;	   /* every epitem (ep_link) */
	struct list_head rdllist;  /* items that may be ready (rdlink) */
	struct wait_queue wq;	   /* epoll_wait() sleepers */
	struct wait_queue poll_wq; /* poll()/select()/outer epolls watching this one */
	struct file *file;
	unsigned gen; /* loop check generation (ep_loop_check) */
};

struct epitem {
	struct list_head ep_link; /* in ep->items */
	struct list_head rdlink;  /* in ep->rdllist while on_rdlist */
	struct list_head f_link;  /* in file->f_ep */
	bool on_rdlist;
	struct eventpoll *ep;
	struct file *file; /* not referenced: the last fput() removes us */
	int fd;
	uint32_t events; /* interest, with EPOLLERR|EPOLLHUP and the private bits */
	uint64_t data;
	struct wait_entry wait;	  /* on whead */
	struct wait_queue *whead; /* the file's poll queue, or NULL */
};

struct ep_event {
	uint32_t events;
	uint64_t data;
};

/* Every file's f_ep list and the insert/remove of items. */
static DEFINE_SPINLOCK(ep_files_lock);
static const struct file_operations eventpoll_fops;
/* Nesting depth of ep_eventpoll_poll() (interrupts masked around it). */
static unsigned ep_poll_depth;
static unsigned loop_check_gen;

static bool is_file_epoll(const struct file *f)
{
	return f->f_op == &eventpoll_fops;
}

/* The ready mask of item's file for its interest (with ERR and HUP). */
static uint32_t ep_item_poll(struct epitem *epi)
{
	struct wait_queue *wq;

	return file_op_poll(epi->file, &wq) & epi->events;
}

/* The wait-queue callback (Linux ep_poll_callback()): queue the item and
 * wake the epoll's waiters. Any context, interrupts masked. */
static bool ep_poll_callback(struct wait_entry *we)
{
	struct epitem *epi = we->private;
	struct eventpoll *ep = epi->ep;
	spin_lock(&ep->lock);
	if (!(epi->events & ~EP_PRIVATE_BITS)) {
		spin_unlock(&ep->lock); /* a disabled EPOLLONESHOT item */
		return false;
	}
	if (!epi->on_rdlist) {
		list_add_tail(&epi->rdlink, &ep->rdllist);
		epi->on_rdlist = true;
	}
	spin_unlock(&ep->lock);
	wake_up(&ep->wq);
	wake_up(&ep->poll_wq);
	return true; /* consumed: an exclusive wake-up stops here */
}

/* Unhook and free epi. ep_files_lock held, interrupts masked. */
static void ep_remove(struct eventpoll *ep, struct epitem *epi)
{
	remove_wait_entry(&epi->wait);
	list_del(&epi->f_link);
	spin_lock(&ep->lock);
	list_del(&epi->ep_link);
	if (epi->on_rdlist)
		list_del(&epi->rdlink);
	spin_unlock(&ep->lock);
	kfree(epi);
}

void eventpoll_release(struct file *f)
{
	irqflags_t fl;

	if (!f->f_ep.next || list_empty(&f->f_ep))
		return;
	fl = spin_lock_irqsave(&ep_files_lock);
	while (!list_empty(&f->f_ep)) {
		struct epitem *epi = list_first_entry(&f->f_ep, struct epitem, f_link);
		ep_remove(epi->ep, epi);
	}
	spin_unlock_irqrestore(&ep_files_lock, fl);
}

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *epi;

	list_for_each_entry(epi, &ep->items, ep_link)
		if (epi->file == f && epi->fd == fd)
			return epi;
	return NULL;
}

/* Queue epi if its file is ready now. Interrupts masked. */
static void ep_check_ready(struct eventpoll *ep, struct epitem *epi)
{
	uint32_t m = ep_item_poll(epi);

	spin_lock(&ep->lock);
	if (m && !epi->on_rdlist) {
		list_add_tail(&epi->rdlink, &ep->rdllist);
		epi->on_rdlist = true;
	}
	spin_unlock(&ep->lock);
	if (m) {
		wake_up(&ep->wq);
		wake_up(&ep->poll_wq);
	}
}

static int ep_insert(struct eventpoll *ep, uint32_t events, uint64_t data, struct file *tf, int fd)
{
	struct epitem *epi = kzalloc(sizeof(*epi));
	irqflags_t fl;

	if (!epi)
		return -ENOMEM;
	epi->ep = ep;
	epi->file = tf;
	epi->fd = fd;
	epi->events = events;
	epi->data = data;
	epi->wait.func = ep_poll_callback;
	epi->wait.private = epi;
	epi->wait.exclusive = (events & EPOLLEXCLUSIVE) != 0;
	list_init(&epi->rdlink);

	/* The poll hook may be a service's: called without our locks held. */
	fl = hal_irq_save();
	file_op_poll(tf, &epi->whead);
	spin_lock(&ep_files_lock);
	if (epi->whead)
		add_wait_entry(epi->whead, &epi->wait);
	list_add_tail(&epi->f_link, &tf->f_ep);
	spin_lock(&ep->lock);
	list_add_tail(&epi->ep_link, &ep->items);
	spin_unlock(&ep->lock);
	spin_unlock(&ep_files_lock);
	ep_check_ready(ep, epi);
	hal_irq_restore(fl);
	return 0;
}

static int ep_modify(struct eventpoll *ep, struct epitem *epi, uint32_t events, uint64_t data)
{
	irqflags_t fl = spin_lock_irqsave(&ep->lock);

	epi->events = events;
	epi->data = data;
	spin_unlock(&ep->lock);
	ep_check_ready(ep, epi);
	hal_irq_restore(fl);
	return 0;
}

/* Linux ep_loop_check_proc(): walk the epolls below ep; -ELOOP if the
 * walk reaches `into` (a cycle) or goes deeper than EP_MAX_NESTS. */
static int ep_loop_check_proc(struct eventpoll *ep, struct eventpoll *into, int depth)
{
	struct epitem *epi;

	ep->gen = loop_check_gen;
	list_for_each_entry(epi, &ep->items, ep_link) {
		struct eventpoll *sub;
		int r;

		if (!is_file_epoll(epi->file))
			continue;
		sub = epi->file->private_data;
		if (sub->gen == loop_check_gen)
			continue;
		if (sub == into || depth > EP_MAX_NESTS)
			return -ELOOP;
		r = ep_loop_check_proc(sub, into, depth + 1);
		if (r)
			return r;
	}
	return 0;
}

/* The ready mask of an epoll file itself: POLLIN if one of its queued
 * items is really ready (Linux ep_eventpoll_poll()). */
static unsigned ep_eventpoll_poll(struct file *f, struct wait_queue **wq_out)
{
	struct eventpoll *ep = f->private_data;
	irqflags_t fl = hal_irq_save();
	struct epitem *epi;
	unsigned mask = 0;

	if (wq_out)
		*wq_out = &ep->poll_wq;
	if (ep_poll_depth > EP_MAX_NESTS + 1) {
		hal_irq_restore(fl);
		return 0;
	}
	ep_poll_depth++;
	list_for_each_entry(epi, &ep->rdllist, rdlink) {
		if (ep_item_poll(epi)) {
			mask = POLLIN | POLLRDNORM;
			break;
		}
	}
	ep_poll_depth--;
	hal_irq_restore(fl);
	return mask;
}

static void ep_free(struct eventpoll *ep)
{
	irqflags_t fl = spin_lock_irqsave(&ep_files_lock);

	while (!list_empty(&ep->items))
		ep_remove(ep, list_first_entry(&ep->items, struct epitem, ep_link));
	spin_unlock_irqrestore(&ep_files_lock, fl);
	kfree(ep);
}

static void ep_eventpoll_release(struct file *f)
{
	if (f->private_data)
		ep_free(f->private_data);
}

/* Linux ep_show_fdinfo(): one "tfd:" line per watched descriptor; sdev in
 * the kernel's dev_t encoding (major << 20 | minor). */
static size_t ep_show_fdinfo(struct file *f, char *buf, size_t room)
{
	struct eventpoll *ep = f->private_data;
	struct epitem *epi;
	size_t n = 0;
	irqflags_t fl = spin_lock_irqsave(&ep->lock);

	list_for_each_entry(epi, &ep->items, ep_link) {
		struct inode *inode = epi->file->inode;
		dev_t d = inode && inode->sb ? inode->sb->dev : 0;

		n += (size_t)snprintf(
			buf + MIN(n, room), room - MIN(n, room),
			"tfd: %8d events: %8x data: %16llx  pos:%lli ino:%llx sdev:%x\n", epi->fd,
			epi->events, (unsigned long long)epi->data, (long long)epi->file->pos,
			(unsigned long long)(inode ? inode->ino : 0), (MAJOR(d) << 20) | MINOR(d));
	}
	spin_unlock_irqrestore(&ep->lock, fl);
	return n;
}

static const struct file_operations eventpoll_fops = {
	.show_fdinfo = ep_show_fdinfo,
	.release = ep_eventpoll_release,
	.poll = ep_eventpoll_poll,
};

/* [epoll_create(2)]: flags EPOLL_CLOEXEC only (-EINVAL); -EMFILE, -ENOMEM. */
static long do_epoll_create(int flags)
{
	struct eventpoll *ep;
	struct file *f;
	int fd;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	spin_lock_init(&ep->lock, "eventpoll.lock");
	list_init(&ep->items);
	list_init(&ep->rdllist);
	wait_queue_init(&ep->wq);
	wait_queue_init(&ep->poll_wq);
	fd = anon_inode_getfd("[eventpoll]", &eventpoll_fops, ep, (unsigned)flags & O_CLOEXEC, &f);
	if (fd < 0) {
		kfree(ep);
		return fd;
	}
	ep->file = f;
	return fd;
}

SYSCALL_DEFINE1(epoll_create1, int, flags)
{
	return do_epoll_create(flags);
}

/* [epoll_create(2)]: size is ignored but must be > 0 (-EINVAL). */
SYSCALL_DEFINE1(epoll_create, int, size)
{
	if (size <= 0)
		return -EINVAL;
	return do_epoll_create(0);
}

static bool ep_op_has_event(int op)
{
	return op != EPOLL_CTL_DEL;
}

/* The checks and their order are Linux's do_epoll_ctl(): -EBADF (either
 * fd), -EPERM (the target cannot be polled: a regular file or directory),
 * -EINVAL (epfd not an epoll, epfd == fd, bad op, EPOLLEXCLUSIVE misuse),
 * -ELOOP (a cycle or too deep a nesting), -EEXIST, -ENOENT, -ENOMEM. */
static long do_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data)
{
	struct file *f, *tf = NULL;
	struct eventpoll *ep;
	struct epitem *epi;
	long r = -EBADF;

	f = fget_current(epfd);
	if (!f)
		return -EBADF;
	tf = fget_current(fd);
	if (!tf)
		goto out;
	r = -EPERM;
	if (!tf->f_op || !tf->f_op->poll || tf->f_op->poll == generic_poll_ready)
		goto out;
	r = -EINVAL;
	if (f == tf || !is_file_epoll(f))
		goto out;
	if (ep_op_has_event(op) && (events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			goto out;
		if (op == EPOLL_CTL_ADD &&
		    (is_file_epoll(tf) || (events & ~EPOLLEXCLUSIVE_OK_BITS)))
			goto out;
	}
	ep = f->private_data;
	if (op == EPOLL_CTL_ADD && is_file_epoll(tf)) {
		loop_check_gen++;
		if (ep_loop_check_proc(tf->private_data, ep, 0)) {
			r = -ELOOP;
			goto out;
		}
	}
	epi = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		r = epi ? -EEXIST : ep_insert(ep, events | EPOLLERR | EPOLLHUP, data, tf, fd);
		break;
	case EPOLL_CTL_DEL:
		if (epi) {
			irqflags_t fl = spin_lock_irqsave(&ep_files_lock);
			ep_remove(ep, epi);
			spin_unlock_irqrestore(&ep_files_lock, fl);
			r = 0;
		} else {
			r = -ENOENT;
		}
		break;
	case EPOLL_CTL_MOD:
		if (!epi)
			r = -ENOENT;
		else if (!(epi->events & EPOLLEXCLUSIVE))
			r = ep_modify(ep, epi, events | EPOLLERR | EPOLLHUP, data);
		break;
	default: break; /* -EINVAL */
	}
out:
	fput(tf);
	fput(f);
	return r;
}

/* struct epoll_event in user memory: 12 bytes on x86_64 (packed), 16 on
 * arm64; events at 0, data at HAL_EPOLL_DATA_OFFSET. */
static int ep_event_from_user(uintptr_t u, uint32_t *events, uint64_t *data)
{
	if (copy_from_user(events, u, sizeof(*events)) ||
	    copy_from_user(data, u + HAL_EPOLL_DATA_OFFSET, sizeof(*data)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE4(epoll_ctl, int, epfd, int, op, int, fd, uintptr_t, uevent)
{
	uint32_t events = 0;
	uint64_t data = 0;

	if (ep_op_has_event(op) && ep_event_from_user(uevent, &events, &data))
		return -EFAULT;
	return do_epoll_ctl(epfd, op, fd, events, data);
}

/* Collect up to max ready events (Linux ep_send_events()). Interrupts
 * masked. */
static int ep_send_events(struct eventpoll *ep, struct ep_event *out, int max)
{
	struct list_head txlist;
	struct epitem *epi;
	int n = 0;

	list_init(&txlist);
	spin_lock(&ep->lock);
	while (!list_empty(&ep->rdllist)) {
		epi = list_first_entry(&ep->rdllist, struct epitem, rdlink);
		list_del(&epi->rdlink);
		list_add_tail(&epi->rdlink, &txlist);
	}
	spin_unlock(&ep->lock);
	while (!list_empty(&txlist)) {
		uint32_t m;

		epi = list_first_entry(&txlist, struct epitem, rdlink);
		if (n == max)
			break;
		list_del(&epi->rdlink);
		spin_lock(&ep->lock);
		epi->on_rdlist = false;
		spin_unlock(&ep->lock);
		m = ep_item_poll(epi);
		if (!m)
			continue;
		out[n].events = m;
		out[n].data = epi->data;
		n++;
		spin_lock(&ep->lock);
		if (epi->events & EPOLLONESHOT) {
			epi->events &= EP_PRIVATE_BITS;
		} else if (!(epi->events & EPOLLET) && !epi->on_rdlist) {
			/* level-triggered: look again next time */
			list_add_tail(&epi->rdlink, &ep->rdllist);
			epi->on_rdlist = true;
		}
		spin_unlock(&ep->lock);
	}
	/* Not reached this time: back to the front of the ready list. */
	spin_lock(&ep->lock);
	while (!list_empty(&txlist)) {
		epi = list_entry(txlist.prev, struct epitem, rdlink);
		list_del(&epi->rdlink);
		list_add(&epi->rdlink, &ep->rdllist);
	}
	spin_unlock(&ep->lock);
	return n;
}

/* Wait for events (Linux ep_poll()): the count, 0 at the deadline (0 =
 * forever unless nowait), -EINTR on a signal, -EFAULT. */
static long ep_poll(struct eventpoll *ep, uintptr_t uevents, int maxevents, uint64_t deadline,
		    bool nowait)
{
	int max = maxevents < EP_BATCH ? maxevents : EP_BATCH;
	struct ep_event small[EP_SMALL], *buf = small;
	long r;

	if (max > EP_SMALL) {
		buf = kmalloc(sizeof(*buf) * (size_t)max);
		if (!buf)
			return -ENOMEM;
	}
	/* Linux's ep_poll(): queued on ep->wq and marked sleeping before the
	 * ready list is looked at, so an item made ready by a callback on
	 * another CPU after the look wakes us (sched_wait() returns at once). */
	for (;;) {
		int n;

		prepare_to_wait(&ep->wq, deadline, true);
		n = ep_send_events(ep, buf, max);
		if (n || nowait) {
			r = n;
			break;
		}
		if (signal_pending(current)) {
			r = -EINTR;
			break;
		}
		if (deadline && hal_timer_now_ns() >= deadline) {
			r = 0;
			break;
		}
		r = sched_wait();
		finish_wait(&ep->wq);
		if (r == -EINTR)
			break;
	}
	finish_wait(&ep->wq);
	for (long i = 0; r > 0 && i < r; i++) {
		uintptr_t u = uevents + (uintptr_t)i * HAL_EPOLL_EVENT_SIZE;

		if (copy_to_user(u, &buf[i].events, sizeof(uint32_t)) ||
		    copy_to_user(u + HAL_EPOLL_DATA_OFFSET, &buf[i].data, sizeof(uint64_t))) {
			r = i ? i : -EFAULT; /* as Linux: what was copied counts */
			break;
		}
	}
	if (buf != small)
		kfree(buf);
	return r;
}

/* [epoll_wait(2)] checks in Linux's order: -EINVAL maxevents, -EFAULT
 * events not a user range, -EBADF, -EINVAL not an epoll. */
static long do_epoll_wait(int epfd, uintptr_t uevents, int maxevents, uint64_t deadline,
			  bool nowait)
{
	struct file *f;
	long r;

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	if (!access_ok(uevents, (size_t)maxevents * HAL_EPOLL_EVENT_SIZE))
		return -EFAULT;
	f = fget_current(epfd);
	if (!f)
		return -EBADF;
	if (!is_file_epoll(f))
		r = -EINVAL;
	else
		r = ep_poll(f->private_data, uevents, maxevents, deadline, nowait);
	fput(f);
	return r;
}

static void ms_to_deadline(int timeout_ms, uint64_t *deadline, bool *nowait)
{
	*deadline = 0;
	*nowait = false;
	if (timeout_ms >= 0)
		timeout_to_deadline(timeout_ms / 1000, (int64_t)(timeout_ms % 1000) * 1000000,
				    deadline, nowait);
}

/* x86_64 only (arm64 has epoll_pwait alone). timeout in ms, < 0 forever. */
SYSCALL_DEFINE4(epoll_wait, int, epfd, uintptr_t, uevents, int, maxevents, int, timeout_ms)
{
	uint64_t deadline;
	bool nowait;

	ms_to_deadline(timeout_ms, &deadline, &nowait);
	return do_epoll_wait(epfd, uevents, maxevents, deadline, nowait);
}

/* epoll_wait with the signal mask usigmask (NULL: unchanged) for the wait. */
static long epoll_pwait_common(int epfd, uintptr_t uevents, int maxevents, uint64_t deadline,
			       bool nowait, uintptr_t usigmask, size_t sigsetsize)
{
	uint64_t saved = 0;
	bool swapped;
	long r = poll_set_sigmask(usigmask, sigsetsize, &saved, &swapped);

	if (r)
		return r;
	r = do_epoll_wait(epfd, uevents, maxevents, deadline, nowait);
	poll_restore_sigmask(saved, swapped, r == -EINTR);
	return r;
}

SYSCALL_DEFINE6(epoll_pwait, int, epfd, uintptr_t, uevents, int, maxevents, int, timeout_ms,
		uintptr_t, usigmask, size_t, sigsetsize)
{
	uint64_t deadline;
	bool nowait;

	ms_to_deadline(timeout_ms, &deadline, &nowait);
	return epoll_pwait_common(epfd, uevents, maxevents, deadline, nowait, usigmask, sigsetsize);
}

/* [epoll_pwait2(2)]: a struct timespec timeout (NULL: forever); -EINVAL
 * for a bad one, -EFAULT. */
SYSCALL_DEFINE6(epoll_pwait2, int, epfd, uintptr_t, uevents, int, maxevents, uintptr_t, uts,
		uintptr_t, usigmask, size_t, sigsetsize)
{
	struct linux_timespec ts;
	uint64_t deadline = 0;
	bool nowait = false;

	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (timeout_to_deadline(ts.tv_sec, ts.tv_nsec, &deadline, &nowait))
			return -EINVAL;
	}
	return epoll_pwait_common(epfd, uevents, maxevents, deadline, nowait, usigmask, sigsetsize);
}
