/* I/O multiplexing: [poll(2)], ppoll, and the waiting engine select.c
 * shares. The engine asks each file's f_op->poll for its ready mask and
 * the wait queue that will be woken when it changes; the scan and the
 * sleep happen with interrupts masked, so a wake-up in between is not
 * lost. When the files use a single queue the task sleeps on it; with
 * several distinct queues it hooks a wake-up callback (struct wait_entry,
 * <kernel/wait.h>) on each and sleeps on none, so any of them wakes it.
 * Only if the callbacks cannot be allocated does it fall back to sleeping
 * on the first queue and rescanning every POLL_SLICE_NS. */
#include <hal/timer.h>
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>

#include "internal.h"

#define POLL_SLICE_NS (10 * 1000 * 1000ULL)

static bool poll_wake(struct wait_entry *we)
{
	wake_up_task(we->private);
	return true;
}

/* Hook a callback waking current on every distinct queue of files (one
 * entry per file at most, in we[]); returns how many were hooked. */
static unsigned poll_hook_all(struct file **files, unsigned n, struct wait_entry *we)
{
	unsigned hooked = 0;

	for (unsigned i = 0; i < n; i++) {
		struct wait_queue *wq = NULL;
		bool seen = false;

		if (!files[i])
			continue;
		file_op_poll(files[i], &wq);
		if (!wq)
			continue;
		for (unsigned j = 0; j < hooked && !seen; j++)
			seen = we[j].private == (void *)wq;
		if (seen)
			continue;
		we[hooked].func = poll_wake;
		we[hooked].private = wq; /* for the duplicate check; current below */
		we[hooked].exclusive = false;
		hooked++;
	}
	for (unsigned j = 0; j < hooked; j++) {
		struct wait_queue *wq = we[j].private;

		we[j].private = current;
		add_wait_entry(wq, &we[j]);
	}
	return hooked;
}

static void poll_unhook_all(struct wait_entry *we, unsigned hooked)
{
	for (unsigned j = 0; j < hooked; j++)
		remove_wait_entry(&we[j]);
}

/* One scan of the files: revents[] filled, the number ready returned. */
static unsigned poll_scan(struct file **files, const unsigned *events, unsigned *revents,
			  unsigned n, unsigned base_ready)
{
	unsigned ready = base_ready;

	for (unsigned i = 0; i < n; i++) {
		struct wait_queue *wq = NULL; /* f_op->poll always stores it */
		unsigned m;

		if (!files[i])
			continue;
		m = file_op_poll(files[i], &wq) & events[i];
		revents[i] = m;
		if (m)
			ready++;
	}
	return ready;
}

int poll_files(struct file **files, const unsigned *events, unsigned *revents, unsigned n,
	       unsigned base_ready, uint64_t deadline, bool nowait)
{
	struct wait_entry *we = NULL;
	unsigned hooked = 0;
	bool sleeping = false;
	int ret;

	for (;;) {
		unsigned ready;
		uint64_t now = hal_timer_now_ns(), dl = deadline;
		int r;

		if (sleeping) {
			/* Without a callback on some queue, rescan now and then. */
			if ((!we && n) || (n && !hooked)) {
				if (!dl || now + POLL_SLICE_NS < dl)
					dl = now + POLL_SLICE_NS;
			}
			prepare_to_wait(NULL, dl, true);
		}
		ready = poll_scan(files, events, revents, n, base_ready);
		if (ready || nowait) {
			ret = (int)ready;
			break;
		}
		if (current && signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (deadline && now >= deadline) {
			ret = 0;
			break;
		}
		if (!sleeping) {
			/* Hook the callbacks, then scan once more marked
			 * sleeping: a wake-up after the hooking makes the task
			 * runnable again, so the sleep below cannot miss it. */
			we = n ? kzalloc(sizeof(*we) * n) : NULL;
			if (we)
				hooked = poll_hook_all(files, n, we);
			sleeping = true;
			continue;
		}
		r = sched_wait();
		finish_wait(NULL);
		if (r == -EINTR) {
			ret = -EINTR;
			break;
		}
	}
	if (sleeping)
		finish_wait(NULL); /* after a break above: no-op if done */
	poll_unhook_all(we, hooked);
	kfree(we);
	return ret;
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
