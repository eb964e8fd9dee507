/* POSIX signals with Linux numbering and semantics. [signal(7)],
 * [sigaction(2)], [rt_sigprocmask(2)], [kill(2)], [sigreturn(2)].
 * Signal numbers 1..64; mask bit (sig - 1). */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H
#include <hal/types.h>
#include <kernel/spinlock.h>
#include <hal/context.h>

#define NSIG 64
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31

#define SIG_DFL 0UL
#define SIG_IGN 1UL

#define SA_NOCLDSTOP 0x00000001u
#define SA_NOCLDWAIT 0x00000002u
#define SA_SIGINFO 0x00000004u
#define SA_RESTORER 0x04000000u
#define SA_ONSTACK 0x08000000u
#define SA_RESTART 0x10000000u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u

/* si_code values */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TKILL (-6)
#define SI_TIMER (-2) /* a POSIX timer expired */
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define ILL_ILLOPC 1
#define BUS_ADRALN 1
#define FPE_INTDIV 1
#define TRAP_BRKPT 1
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

#define sigmask(sig) (1ULL << ((sig)-1))

/* Linux siginfo_t: 128 bytes, the common fields. */
struct linux_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t _pad0;
	union {
		struct {
			int32_t pid;
			uint32_t uid;
		} kill;
		struct {
			int32_t pid;
			uint32_t uid;
			int32_t status;
			int32_t _p;
			int64_t utime, stime;
		} chld;
		struct {
			uint64_t addr;
		} fault;
		uint8_t _bytes[112];
	} u;
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo_t is 128 bytes");

/* The kernel's view of struct sigaction (rt_sigaction ABI: handler, flags,
 * restorer, mask — the same layout on x86_64 and arm64). */
struct k_sigaction {
	uint64_t handler; /* SIG_DFL, SIG_IGN or a user pc */
	uint64_t flags;	  /* SA_* */
	uint64_t restorer;
	uint64_t mask;
};

/* The signal actions: shared by the tasks cloned with CLONE_SIGHAND (every
 * thread of a process), private otherwise. [clone(2)] */
struct sighand {
	/* siglock (irqsave; after tasklist_lock, before wait-queue locks and
	 * sched_lock) protects action[] and the struct signal_state, sigq and
	 * sigwait_mask of every task using this sighand (Linux's
	 * sighand->siglock). refcount is atomic. */
	spinlock_t siglock;
	unsigned refcount;
	struct k_sigaction action[NSIG];
};

/* Per-thread signal state: mask, pending thread-directed signals,
 * alternate stack. */
struct signal_state {
	uint64_t blocked;
	uint64_t pending;
	struct linux_siginfo info[NSIG]; /* for each pending standard signal */
	uintptr_t altstack_sp;
	size_t altstack_size;
	int altstack_flags;
	uint64_t saved_mask; /* restored after sigsuspend/pselect handlers */
	bool restore_saved_mask;
};

struct task;

/* Queue a thread-directed sig for the task t (tgkill, SIGPIPE; info may
 * be NULL: SI_KERNEL). Wakes t if the signal is deliverable; SIGKILL/SIGCONT
 * resume a stopped task. 0, -EINVAL (bad sig), -EAGAIN (a real-time signal
 * past RLIMIT_SIGPENDING, kernel/signal/queue.c). Any context. */
int send_signal(struct task *t, int sig, const struct linux_siginfo *info);
/* Queue a process-directed sig (kill, SIGCHLD, SIGALRM, the TTY) for the
 * process t belongs to: one thread that does not block it takes it;
 * SIGKILL reaches every thread, SIGCONT resumes every stopped one.
 * 0, -EINVAL, -EAGAIN. Any context. [signal(7)] "Signals and threads" */
int send_group_signal(struct task *t, int sig, const struct linux_siginfo *info);
/* Signal every process of process group pgid (the kernel's own signals:
 * no permission check). 0 or -ESRCH. */
int kill_pgrp(int pgid, int sig, const struct linux_siginfo *info);
/* May current send sig (0: only the check) to t from user space? Linux
 * check_kill_permission()/kill_ok_by_cred() (kernel/signal.c): yes for its
 * own thread group, for root, when the sender's real or effective user ID
 * equals the target's real or saved set-user-ID, and for SIGCONT within the
 * sender's session; else -EPERM ([kill(2)] EPERM). Process context. */
int kill_permission(const struct task *t, int sig);
/* kill(2) of process group pgid from user space: each process the caller
 * may signal (kill_permission()) gets sig. 0 if one did, else -EPERM if one
 * was refused, -ESRCH if the group is empty (Linux __kill_pgrp_info()). */
int kill_pgrp_user(int pgid, int sig, const struct linux_siginfo *info);
/* A synchronous fault signal for current (SIGSEGV at addr...): delivered
 * even if blocked or ignored (then the default action applies). */
void force_sig_fault(int sig, int code, uintptr_t addr);
/* signal_pending(t), "does t have an unblocked pending signal?", is inline
 * in <kernel/task.h> (it needs struct task). */
/* On return to user mode: deliver pending signals (handlers, default
 * actions, stops). Called from kernel_return_to_user(). */
void do_signal(struct hal_trapframe *tf);

#endif
