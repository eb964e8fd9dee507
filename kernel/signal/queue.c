/* Pending signals: one bit per signal in t->sig.pending, plus, for the
 * real-time signals (32..64), a queue of instances with their own siginfo:
 * [signal(7)] "Real-time signals: multiple instances of real-time signals
 * can be queued ... delivered in the order they were sent".
 *
 * Queue entries come from a fixed pool (send_signal may run in IRQ
 * context, where the heap is off limits). As in Linux, the signals pending
 * for the tasks of one (real) user are bounded by the receiver's
 * RLIMIT_SIGPENDING [getrlimit(2)]: past it a real-time signal sent with
 * sigqueue/tgkill (si_code != SI_USER) is refused with -EAGAIN, while one
 * from kill(2) or the kernel degrades, like one that finds the pool empty,
 * to a standard signal: pending once, with its latest siginfo.
 * The receiver's sighand->siglock is held by every caller (and
 * tasklist_lock by sigqueue_add()'s, for the RLIMIT_SIGPENDING count);
 * the pool has sigq_pool_lock, taken inside them. */
#include <hal/cpu.h>
#include <kernel/errno.h>
#include <kernel/list.h>
#include <kernel/signal.h>
#include <kernel/time.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>
#include <string.h>

#include "signal_internal.h"

#define SIGRTMIN_KERNEL 32
#define SIGQ_POOL 512

struct sigq_entry {
	struct list_head list; /* in t->sigq, or in the free list */
	int sig;
	struct linux_siginfo info;
};

/* Protects free_entries and pool_ready (entries in use belong to their
 * task's queue, under its siglock). */
static DEFINE_SPINLOCK(sigq_pool_lock);
static struct sigq_entry pool[SIGQ_POOL];
static LIST_HEAD(free_entries);
static bool pool_ready;

static struct sigq_entry *entry_alloc(void)
{
	struct sigq_entry *e = NULL;

	spin_lock(&sigq_pool_lock);
	if (!pool_ready) {
		for (unsigned i = 0; i < SIGQ_POOL; i++)
			list_add_tail(&pool[i].list, &free_entries);
		pool_ready = true;
	}
	if (!list_empty(&free_entries)) {
		e = list_first_entry(&free_entries, struct sigq_entry, list);
		list_del(&e->list);
	}
	spin_unlock(&sigq_pool_lock);
	return e;
}

static void entry_free(struct sigq_entry *e)
{
	list_del(&e->list);
	spin_lock(&sigq_pool_lock);
	list_add_tail(&e->list, &free_entries);
	spin_unlock(&sigq_pool_lock);
}

/* Signals pending for the tasks of uid: queued instances plus pending
 * standard signals (Linux counts one struct sigqueue for each). */
static uint64_t user_sigpending(uint32_t uid)
{
	struct task *t;
	struct sigq_entry *e;
	uint64_t n = 0;

	list_for_each_entry(t, &task_list, all_list) {
		if (t->uid != uid)
			continue;
		n += (uint64_t)__builtin_popcountll(t->sig.pending &
						    ((1ull << (SIGRTMIN_KERNEL - 1)) - 1));
		list_for_each_entry(e, &t->sigq, list)
			n++;
	}
	return n;
}

int sigqueue_add(struct task *t, int sig, const struct linux_siginfo *info)
{
	uint64_t m = sigmask(sig);
	struct sigq_entry *e = NULL;
	bool over = sig >= SIGRTMIN_KERNEL &&
		    user_sigpending(t->uid) >= t->rlim[RLIMIT_SIGPENDING].rlim_cur;

	if (over && info->si_code != SI_USER)
		return -EAGAIN;
	if (sig >= SIGRTMIN_KERNEL && !over && (e = entry_alloc())) {
		e->sig = sig;
		e->info = *info;
		list_add_tail(&e->list, &t->sigq);
		t->sig.pending |= m;
		return 0;
	}
	if (!(t->sig.pending & m)) {
		t->sig.info[sig - 1] = *info;
		t->sig.pending |= m;
	}
	return 0;
}

int sigqueue_dequeue(struct task *t, uint64_t mask, struct linux_siginfo *info)
{
	uint64_t avail = t->sig.pending & mask;
	struct sigq_entry *e, *found = NULL;
	bool more = false;
	int sig;

	if (!avail)
		return 0;
	/* SIGKILL first, then the lowest number (the synchronous faults
	 * SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGTRAP are all below 12). */
	sig = (avail & sigmask(SIGKILL)) ? SIGKILL : __builtin_ctzll(avail) + 1;
	list_for_each_entry(e, &t->sigq, list) {
		if (e->sig != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		found = e;
	}
	if (found) {
		*info = found->info;
		entry_free(found);
	} else {
		*info = t->sig.info[sig - 1];
	}
	if (!more)
		t->sig.pending &= ~sigmask(sig);
	info->si_signo = sig;
	if (info->si_code == SI_TIMER)
		posix_timer_dequeued(t, info);
	return sig;
}

void sigqueue_flush(struct task *t, int sig)
{
	struct sigq_entry *e, *n;
	list_for_each_entry_safe(e, n, &t->sigq, list)
		if (!sig || e->sig == sig)
			entry_free(e);
	if (sig)
		t->sig.pending &= ~sigmask(sig);
	else
		t->sig.pending = 0;
}
