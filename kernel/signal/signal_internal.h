/* Private to kernel/signal, kernel/proc and kernel/syscall: default
 * actions, parent notification and the per-task signal state over fork and
 * exec. [signal(7)] */
#ifndef KERNEL_SIGNAL_INTERNAL_H
#define KERNEL_SIGNAL_INTERNAL_H
#include <hal/types.h>
#include <kernel/signal.h>
#include <kernel/task.h>

/* Default actions, [signal(7)] "Standard signals". */
enum sig_default {
	SIGACT_TERM,
	SIGACT_CORE,
	SIGACT_IGN,
	SIGACT_STOP,
	SIGACT_CONT,
};
enum sig_default sig_default_action(int sig);

#define SIG_STOP_MASK (sigmask(SIGSTOP) | sigmask(SIGTSTP) | sigmask(SIGTTIN) | sigmask(SIGTTOU))
#define SIG_UNBLOCKABLE (sigmask(SIGKILL) | sigmask(SIGSTOP))

/* sigaltstack(2) flags. */
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)

/* fork()/clone(): the child gets a copy of the parent's actions (or, with
 * share_sighand, CLONE_SIGHAND, the same ones), its mask and alternate
 * stack; nothing pending. [fork(2)], [clone(2)] */
void signal_fork(struct task *child, struct task *parent, bool share_sighand);
/* Drop a reference to a sighand; the last frees it. */
void sighand_put(struct sighand *sh);
/* execve(), before the point of no return: if t shares its actions with
 * another process (CLONE_SIGHAND), give it a copy of its own (Linux
 * unshare_sighand()). 0 or -ENOMEM. */
int sighand_unshare(struct task *t);
/* execve(): handled signals go back to SIG_DFL (SIG_IGN stays), the
 * alternate stack is dropped; mask and pending signals are kept.
 * [execve(2)] */
void signal_exec(struct task *t);

/* The SIGCHLD siginfo for child t: code CLD_*, status the exit code or
 * signal number. */
void sigchld_info(const struct task *t, int code, int status, struct linux_siginfo *info);
/* send_signal() / send_group_signal() with tasklist_lock already held
 * (and no siglock). */
int send_signal_locked(struct task *t, int sig, const struct linux_siginfo *info);
int send_group_signal_locked(struct task *t, int sig, const struct linux_siginfo *info);

/* t stopped (CLD_STOPPED) or continued (CLD_CONTINUED) by signal/status:
 * SIGCHLD to the parent unless it set SA_NOCLDSTOP, and wake its wait4.
 * Any context; tasklist_lock held, no siglock. */
void notify_parent_cldstop(struct task *t, int why, int status);
/* t exited: send t->exit_signal to the parent (unless it ignores SIGCHLD)
 * and wake its wait4. Returns true if nobody will wait for t (the parent
 * set SIGCHLD to SIG_IGN or SA_NOCLDWAIT): the caller frees it.
 * tasklist_lock held. */
bool notify_parent_exit(struct task *t);

/* Kill current with SIGSEGV (a bad signal frame): SIGSEGV's action is
 * reset to SIG_DFL and the signal forced. */
void force_sigsegv(void);

/* Does t, with its current actions and mask, discard sig on arrival? */
bool sig_ignored(const struct task *t, int sig);

/* Pending-signal storage (queue.c); interrupts masked by the caller.
 * Mark sig pending for t with info: a real-time signal queues one more
 * instance, a standard one keeps the first instance's info. 0, or -EAGAIN
 * for a real-time signal not from kill(2) past RLIMIT_SIGPENDING. */
int sigqueue_add(struct task *t, int sig, const struct linux_siginfo *info);
/* Take the next pending signal among mask (SIGKILL first, then the lowest
 * number; real-time instances in order): its number and *info, or 0. */
int sigqueue_dequeue(struct task *t, uint64_t mask, struct linux_siginfo *info);
/* Drop every pending instance of sig (0: of every signal). */
void sigqueue_flush(struct task *t, int sig);

#endif
