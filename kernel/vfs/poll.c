/* I/O multiplexing: [poll(2)], ppoll, and the waiting engine select.c
 * shares. The engine asks each file's f_op->poll for its ready mask and
 * the wait queue that will be woken when it changes. The task is queued
 * and marked sleeping (prepare_to_wait()) before it scans, so a wake-up
 * from another CPU during the scan is not lost; a scan that finds a
 * different queue re-queues and scans again. A task sleeps on one wait
 * queue at a time: when the
 * files use a single queue the wait is exact; with several distinct queues
 * it sleeps on the first one and rescans at least every POLL_SLICE_NS. */
#include <hal/timer.h>
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>

#include "internal.h"

#define POLL_SLICE_NS (10 * 1000 * 1000ULL)

int poll_files(struct file **files, const unsigned *events, unsigned *revents, unsigned n,
	       unsigned base_ready, uint64_t deadline, bool nowait)
{
	struct wait_queue *armed = NULL; /* the queue we are queued on */
	bool armed_multi = false;

	for (;;) {
		struct wait_queue *first = NULL;
		bool multi = false;
		unsigned ready = base_ready;
		uint64_t now = hal_timer_now_ns(), dl = deadline;
		int r;

		if (armed_multi || (!armed && n)) {
			if (!dl || now + POLL_SLICE_NS < dl)
				dl = now + POLL_SLICE_NS;
		}
		/* Queued and marked sleeping before the scan: a wake-up during
		 * or after it makes sched_wait() return at once. */
		if (!nowait)
			prepare_to_wait(armed, dl, true);
		for (unsigned i = 0; i < n; i++) {
			struct wait_queue *wq = NULL;
			unsigned m;

			if (!files[i])
				continue;
			m = file_op_poll(files[i], &wq) & events[i];
			revents[i] = m;
			if (m)
				ready++;
			if (wq && !first)
				first = wq;
			else if (wq && wq != first)
				multi = true;
		}
		if (ready || nowait) {
			if (!nowait)
				finish_wait(armed);
			return (int)ready;
		}
		if (signal_pending(current)) {
			finish_wait(armed);
			return -EINTR;
		}
		if (deadline && now >= deadline) {
			finish_wait(armed);
			return 0;
		}
		if (first != armed || multi != armed_multi) {
			/* Queue on the right one, then scan again. */
			finish_wait(armed);
			armed = first;
			armed_multi = multi;
			continue;
		}
		r = sched_wait();
		finish_wait(armed);
		if (r == -EINTR)
			return -EINTR;
	}
}

int timeout_to_deadline(int64_t sec, int64_t nsec, uint64_t *deadline, bool *nowait)
{
	uint64_t now = hal_timer_now_ns(), ns;

	if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC)
		return -EINVAL;
	*nowait = sec == 0 && nsec == 0;
	if ((uint64_t)sec > (UINT64_MAX - now) / NSEC_PER_SEC - 1)
		ns = 0; /* so far away it is forever */
	else
		ns = now + (uint64_t)sec * NSEC_PER_SEC + (uint64_t)nsec;
	*deadline = ns;
	return 0;
}

uint64_t deadline_remaining(uint64_t deadline)
{
	uint64_t now = hal_timer_now_ns();

	return deadline > now ? deadline - now : 0;
}

/* Swap in the user's signal mask for the wait ([ppoll(2)], pselect). */
int poll_set_sigmask(uintptr_t umask, size_t size, uint64_t *saved, bool *swapped)
{
	uint64_t mask;

	*swapped = false;
	if (!umask || !current)
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	*saved = current->sig.blocked;
	current->sig.blocked = mask & ~(sigmask(SIGKILL) | sigmask(SIGSTOP));
	*swapped = true;
	return 0;
}

/* Interrupted by a signal: the old mask comes back after the handler is
 * set up (restore_saved_mask); otherwise at once. */
void poll_restore_sigmask(uint64_t saved, bool swapped, bool interrupted)
{
	if (!swapped)
		return;
	if (interrupted) {
		current->sig.saved_mask = saved;
		current->sig.restore_saved_mask = true;
	} else {
		current->sig.blocked = saved;
	}
}

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

static long do_poll(uintptr_t ufds, unsigned nfds, uint64_t deadline, bool nowait)
{
	struct linux_pollfd *pfd = NULL;
	struct file **files = NULL;
	unsigned *ev = NULL, *rev = NULL, bad = 0;
	long r;

	if (nfds > (unsigned)fd_limit())
		return -EINVAL;
	if (nfds) {
		pfd = kmalloc(sizeof(*pfd) * nfds);
		files = kzalloc(sizeof(*files) * nfds);
		ev = kmalloc(sizeof(*ev) * nfds);
		rev = kzalloc(sizeof(*rev) * nfds);
		if (!pfd || !files || !ev || !rev) {
			r = -ENOMEM;
			goto out;
		}
		if (copy_from_user(pfd, ufds, sizeof(*pfd) * nfds)) {
			r = -EFAULT;
			goto out;
		}
	}
	for (unsigned i = 0; i < nfds; i++) {
		ev[i] = ((unsigned)(uint16_t)pfd[i].events) | POLLERR | POLLHUP;
		pfd[i].revents = 0;
		if (pfd[i].fd < 0)
			continue; /* [poll(2)]: ignored, revents 0 */
		files[i] = fget_current(pfd[i].fd);
		if (!files[i]) {
			pfd[i].revents = POLLNVAL;
			bad++;
		}
	}
	r = poll_files(files, ev, rev, nfds, bad, deadline, nowait);
	if (r >= 0) {
		for (unsigned i = 0; i < nfds; i++) {
			if (files[i])
				pfd[i].revents = (int16_t)rev[i];
		}
		if (nfds && copy_to_user(ufds, pfd, sizeof(*pfd) * nfds))
			r = -EFAULT;
	}
out:
	for (unsigned i = 0; files && i < nfds; i++)
		fput(files[i]);
	kfree(pfd);
	kfree(files);
	kfree(ev);
	kfree(rev);
	return r;
}

/* [poll(2)]: timeout in ms, negative = forever; a signal gives -EINTR. */
SYSCALL_DEFINE3(poll, uintptr_t, ufds, unsigned, nfds, int, timeout_ms)
{
	uint64_t deadline = 0;
	bool nowait = false;

	if (timeout_ms >= 0)
		timeout_to_deadline(timeout_ms / 1000, (int64_t)(timeout_ms % 1000) * 1000000,
				    &deadline, &nowait);
	return do_poll(ufds, nfds, deadline, nowait);
}

/* [ppoll(2)]: timespec timeout (NULL = forever, updated with the time
 * left), a signal mask for the wait; -ERESTARTNOHAND on a signal. */
SYSCALL_DEFINE5(ppoll, uintptr_t, ufds, unsigned, nfds, uintptr_t, utsp, uintptr_t, usigmask,
		size_t, sigsetsize)
{
	struct timespec64 ts;
	uint64_t deadline = 0, saved = 0;
	bool nowait = false, swapped;
	long r;

	if (utsp) {
		if (copy_from_user(&ts, utsp, sizeof(ts)))
			return -EFAULT;
		r = timeout_to_deadline(ts.tv_sec, ts.tv_nsec, &deadline, &nowait);
		if (r)
			return r;
	}
	r = poll_set_sigmask(usigmask, sigsetsize, &saved, &swapped);
	if (r)
		return r;
	r = do_poll(ufds, nfds, deadline, nowait);
	if (r == -EINTR)
		r = -ERESTARTNOHAND;
	poll_restore_sigmask(saved, swapped, r == -ERESTARTNOHAND);
	if (utsp && deadline && (r >= 0 || r == -ERESTARTNOHAND)) {
		uint64_t left = deadline_remaining(deadline);

		ts.tv_sec = (int64_t)(left / NSEC_PER_SEC);
		ts.tv_nsec = (int64_t)(left % NSEC_PER_SEC);
		copy_to_user(utsp, &ts, sizeof(ts));
	}
	return r;
}
