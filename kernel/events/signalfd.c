/* signalfd: [signalfd(2)] (Linux fs/signalfd.c). Reading takes pending
 * signals of the reading thread that are in the fd's mask, as struct
 * signalfd_siginfo records, instead of delivering them; the signals are
 * normally blocked (sigprocmask) so that they stay pending until read.
 * POLLIN while one of them is pending for the polling thread.
 *
 * Every signal queued anywhere wakes signalfd_wq (signalfd_notify()): the
 * readers and pollers then look at their own thread's pending set. One
 * queue for all signalfds keeps struct task untouched; signals are rare
 * enough that the extra wake-ups cost nothing measurable.
 *
 * Lock: ctx->mask is written by signalfd4 on an existing fd and read
 * under interrupt masking with the pending set (the signal rule of
 * kernel/signal/). */
#include <hal/cpu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/eventpoll.h>
#include <kernel/kmalloc.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/vfs.h>
#include <string.h>

#include "../signal/signal_internal.h"
#include "../vfs/internal.h"
#include "events_internal.h"

#define SFD_CLOEXEC O_CLOEXEC
#define SFD_NONBLOCK O_NONBLOCK

/* <uapi/linux/signalfd.h>: 128 bytes, the same on every arch. */
struct signalfd_siginfo {
	uint32_t ssi_signo;
	int32_t ssi_errno;
	int32_t ssi_code;
	uint32_t ssi_pid;
	uint32_t ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid;
	uint32_t ssi_band;
	uint32_t ssi_overrun;
	uint32_t ssi_trapno;
	int32_t ssi_status;
	int32_t ssi_int;
	uint64_t ssi_ptr;
	uint64_t ssi_utime;
	uint64_t ssi_stime;
	uint64_t ssi_addr;
	uint16_t ssi_addr_lsb;
	uint16_t __pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t __pad[28];
};
_Static_assert(sizeof(struct signalfd_siginfo) == 128, "signalfd_siginfo is 128 bytes");

#define SI_QUEUE (-1)
#define SI_TIMER (-2)
#define SI_MESGQ (-3)

struct signalfd_ctx {
	uint64_t mask;
};

/* Readers and pollers of every signalfd. */
static struct wait_queue signalfd_wq = WAIT_QUEUE_INIT(signalfd_wq);
static const struct file_operations signalfd_fops;

void signalfd_notify(struct task *t)
{
	if (!list_empty(&signalfd_wq.waiters) || !list_empty(&signalfd_wq.callbacks))
		wake_up(&signalfd_wq);
}

/* Linux signalfd_copyinfo(): the fields each kind of siginfo carries. */
static void signalfd_fill(struct signalfd_siginfo *s, const struct linux_siginfo *i)
{
	int32_t word[4];

	memset(s, 0, sizeof(*s));
	memcpy(word, &i->u, sizeof(word));
	s->ssi_signo = (uint32_t)i->si_signo;
	s->ssi_errno = i->si_errno;
	s->ssi_code = i->si_code;
	s->ssi_pid = (uint32_t)i->u.kill.pid;
	s->ssi_uid = i->u.kill.uid;
	if (i->si_signo == SIGCHLD && i->si_code > 0) {
		s->ssi_status = i->u.chld.status;
		s->ssi_utime = (uint64_t)i->u.chld.utime;
		s->ssi_stime = (uint64_t)i->u.chld.stime;
	} else if ((i->si_signo == SIGSEGV || i->si_signo == SIGBUS || i->si_signo == SIGILL ||
		    i->si_signo == SIGFPE || i->si_signo == SIGTRAP) &&
		   i->si_code > 0) {
		s->ssi_pid = s->ssi_uid = 0;
		s->ssi_addr = i->u.fault.addr;
	} else if (i->si_code == SI_TIMER) {
		s->ssi_pid = s->ssi_uid = 0;
		s->ssi_tid = (uint32_t)word[0];
		s->ssi_overrun = (uint32_t)word[1];
		s->ssi_int = word[2];
		memcpy(&s->ssi_ptr, &word[2], sizeof(s->ssi_ptr));
	} else if (i->si_code == SI_QUEUE || i->si_code == SI_MESGQ) {
		s->ssi_int = word[2];
		memcpy(&s->ssi_ptr, &word[2], sizeof(s->ssi_ptr));
	}
}

/* Take one signal of mask pending for current, waiting unless nonblock:
 * its number, -EAGAIN, -ERESTARTSYS. */
static int signalfd_dequeue(struct signalfd_ctx *ctx, struct linux_siginfo *info, bool nonblock)
{
	spinlock_t *siglock = &current->sighand->siglock;
	irqflags_t fl = spin_lock_irqsave(siglock);
	int sig, r;

	for (;;) {
		sig = sigqueue_dequeue(current, ctx->mask, info);
		if (sig)
			break;
		if (nonblock) {
			sig = -EAGAIN;
			break;
		}
		/* The sender queues under this siglock, then wakes us. */
		r = sched_sleep_locked(&signalfd_wq, siglock, 0, true);
		if (r == -EINTR) {
			sig = -ERESTARTSYS;
			break;
		}
	}
	spin_unlock_irqrestore(siglock, fl);
	return sig;
}

static ssize_t signalfd_read(struct file *f, struct uio *u, off_t *pos)
{
	struct signalfd_ctx *ctx = f->private_data;
	size_t count = u->len / sizeof(struct signalfd_siginfo);
	ssize_t done = 0;

	if (!count)
		return -EINVAL;
	while (count--) {
		struct linux_siginfo info;
		struct signalfd_siginfo s;
		int sig = signalfd_dequeue(ctx, &info, done || (f->flags & O_NONBLOCK));

		if (sig < 0)
			return done ? done : sig;
		signalfd_fill(&s, &info);
		if (uio_copy_out(u, &s, sizeof(s)))
			return done ? done : -EFAULT; /* the signal is lost, as on Linux */
		done += (ssize_t)sizeof(s);
	}
	return done;
}

static unsigned signalfd_poll(struct file *f, struct wait_queue **wq_out)
{
	struct signalfd_ctx *ctx = f->private_data;
	/* One racy read of the pending set, as signal_pending(). */
	unsigned mask = (__atomic_load_n(&current->sig.pending, __ATOMIC_RELAXED) & ctx->mask) ?
				POLLIN | POLLRDNORM :
				0;

	if (wq_out)
		*wq_out = &signalfd_wq;
	return mask;
}

static void signalfd_release(struct file *f)
{
	kfree(f->private_data);
}

static const struct file_operations signalfd_fops = {
	.read = signalfd_read,
	.poll = signalfd_poll,
	.release = signalfd_release,
};

/* [signalfd(2)]: ufd -1 makes a new fd, else ufd (a signalfd) gets the new
 * mask. -EINVAL (sizemask, flags, ufd not a signalfd), -EFAULT, -EBADF,
 * -EMFILE, -ENOMEM; in Linux's order. SIGKILL and SIGSTOP are dropped
 * from the mask silently. */
static long do_signalfd4(int ufd, uintptr_t umask, size_t sizemask, int flags)
{
	struct signalfd_ctx *ctx;
	uint64_t mask;
	struct file *f;
	int fd;

	if (sizemask != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	if ((unsigned)flags & ~(unsigned)(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~SIG_UNBLOCKABLE;
	if (ufd != -1) {
		f = fget_current(ufd);
		if (!f)
			return -EBADF;
		if (f->f_op != &signalfd_fops) {
			fput(f);
			return -EINVAL;
		}
		((struct signalfd_ctx *)f->private_data)->mask = mask;
		fput(f);
		wake_up(&signalfd_wq);
		return ufd;
	}
	ctx = kzalloc(sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->mask = mask;
	fd = anon_inode_getfd("[signalfd]", &signalfd_fops, ctx, (unsigned)flags, NULL);
	if (fd < 0)
		kfree(ctx);
	return fd;
}

SYSCALL_DEFINE4(signalfd4, int, ufd, uintptr_t, umask, size_t, sizemask, int, flags)
{
	return do_signalfd4(ufd, umask, sizemask, flags);
}

/* x86_64 only: signalfd4 without flags. */
SYSCALL_DEFINE3(signalfd, int, ufd, uintptr_t, umask, size_t, sizemask)
{
	return do_signalfd4(ufd, umask, sizemask, 0);
}
