/* Processes (struct task) and their lifecycle: fork/clone, execve, exit,
 * wait. [fork(2)], [clone(2)], [execve(2)], [wait4(2)], [_exit(2)].
 * A process is a thread group: the tasks cloned with CLONE_THREAD share its
 * tgid (= the tid of its group leader), mm, files, fs and signal actions.
 * Only the group leader is on its parent's children list, and it alone is
 * reported by wait4 (once every thread has exited). */
#ifndef KERNEL_TASK_H
#define KERNEL_TASK_H
#include <hal/types.h>
#include <hal/context.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/sched.h>
#include <kernel/signal.h>

struct mm;
struct files;
struct fs_struct;
struct dentry;
struct tty;
struct uts_namespace;

enum task_state {
	TASK_RUNNING = 0,   /* on the run queue or running */
	TASK_INTERRUPTIBLE, /* sleeping; signals wake it */
	TASK_UNINTERRUPTIBLE,
	TASK_STOPPED, /* SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU */
	TASK_ZOMBIE,  /* exited, not yet waited for */
	TASK_DEAD,
};

#define TASK_COMM_LEN 16
#define RLIM_NLIMITS 16

struct rlimit64 {
	uint64_t rlim_cur, rlim_max;
};

struct task {
	int tid; /* = pid for single-threaded processes */
	int tgid;
	int pgid, sid; /* process group, session */
	enum task_state state;
	int exit_status; /* wait status word: (code << 8) | termsig [| 0x80 core] */
	struct task *parent;
	struct list_head children; /* of struct task.sibling */
	struct list_head sibling;
	struct list_head all_list;  /* every task, for /proc and kill(-1) */
	struct list_head run_list;  /* run queue */
	struct list_head wait_list; /* entry in a wait_queue while sleeping */
	struct wait_queue *wait_wq; /* the queue wait_list was put on (only
				     * the task itself reads or writes it) */
#ifdef LOCK_DEBUG
	struct lock_debug_held locks_held; /* mutexes held (lock debugging) */
#endif
	uint64_t wake_deadline_ns;  /* sched_sleep timeout, 0 = none */
	struct wait_queue child_wq; /* wait4 sleeps here; children's exits wake it */

	struct hal_context ctx; /* kernel context + FPU/TLS */
	void *kstack;		/* base of HAL_KSTACK_SIZE bytes */

	/* alloc_lock (Linux's task_lock()): guards the pointers mm, files and
	 * fs of this task against another task reading them (/proc,
	 * process_vm_readv) while the task replaces or drops them (execve,
	 * unshare, exit); readers take a reference under it
	 * (get_task_mm(), get_task_files(), get_task_fs()). A leaf lock: only
	 * reference counts are touched under it. The task itself reads its
	 * own pointers without it. */
	spinlock_t alloc_lock;
	struct mm *mm;
	struct files *files;
	struct fs_struct *fs;
	/* References that keep this struct (not the running task) alive:
	 * one from task_alloc() dropped when the task is reaped or freed, one
	 * per get_task() (atomic; Linux's task_struct.usage). */
	unsigned usage;
	struct signal_state sig;
	struct sighand *sighand;      /* signal actions (shared with CLONE_SIGHAND) */
	struct uts_namespace *uts_ns; /* host and domain name (kernel/proc/uts.c);
				       * NULL: the initial namespace */

	/* Thread group [clone(2)] CLONE_THREAD. The fields marked "leader"
	 * are meaningful in the group leader only. */
	struct task *group_leader; /* the task with tid == tgid (self for a process) */
	struct list_head threads;  /* leader: every task of the group, by thread_node */
	struct list_head thread_node;
	unsigned nr_live;	    /* leader: tasks of the group not yet exited */
	bool group_exiting;	    /* leader: exit_group/fatal signal in progress */
	int group_exit_status;	    /* leader: wait status of a group exit */
	struct wait_queue group_wq; /* leader: execve waits here for the other threads to die */
	/* leader: interval timers [setitimer(2)] ITIMER_REAL in ns of the
	 * monotonic clock, ITIMER_VIRTUAL/PROF in ticks; 0 = disarmed. */
	uint64_t itimer_real_deadline, itimer_real_interval;
	uint64_t itimer_virt_left, itimer_virt_interval;
	uint64_t itimer_prof_left, itimer_prof_interval;
	struct list_head itimer_node; /* leader: in the list of armed ITIMER_REAL */

	uintptr_t clear_child_tid; /* set_tid_address(2) */
	char comm[TASK_COMM_LEN];  /* basename of the executable */
	char *cmdline;		   /* argv joined by NULs, for /proc/<pid>/cmdline */
	size_t cmdline_len;
	char *exe_path;	 /* absolute path of the executable, /proc/<pid>/exe */
	struct tty *tty; /* controlling terminal, or NULL */
	uint32_t uid, gid, euid, egid;
	uint32_t umask;
	struct rlimit64 rlim[RLIM_NLIMITS];
	uint64_t start_ns; /* sched_clock_ns() at creation */
	uint64_t utime_ticks, stime_ticks;
	uint64_t dead_utime_ticks, dead_stime_ticks; /* leader: of the group's exited threads */
	uint64_t nr_syscalls; /* system calls this thread made (/proc/kevlar/syscalls) */
	bool stop_reported;   /* WUNTRACED report pending/consumed */
	bool cont_reported;
	bool vfork_done; /* vfork parent waits for this */
	struct wait_queue vfork_wq;

	/* Added by kernel/proc, kernel/sched, kernel/signal (private to them). */
	struct list_head sleep_list; /* in the deadline-ordered sleeper list */
	int wake_result;	     /* sched_sleep() result set by the waker */
	bool in_user;		     /* running user code (for the tick's utime/stime) */
	long syscall_restart;	     /* -ERESTART* returned by the last syscall, else 0 */
	int exit_signal;	     /* signal sent to the parent on exit (clone CSIGNAL) */
	int stop_sig;		     /* signal that stopped the task (wait status) */
	struct task *vfork_parent;   /* parent sleeping in vfork() until exec/exit */
	uintptr_t set_child_tid;     /* CLONE_CHILD_SETTID, written by the child on entry */
	uintptr_t robust_list; /* set_robust_list(2) head, walked at exit (kernel/futex/robust.c) */
	bool did_exec;	       /* execve() succeeded since fork (setpgid EACCES) */
	bool sig_unkillable;   /* init: default actions do not apply */
	uint32_t suid, sgid;   /* saved set-user/group-ID */
	/* File-system ids [setfsuid(2)]: used for every permission check on
	 * files; they follow euid/egid on every change of those, and only
	 * setfsuid/setfsgid set them apart. */
	uint32_t fsuid, fsgid;
	/* access(2) in progress: path walk and permission checks use the real
	 * ids (Linux's access_override_creds()). */
	bool access_real;
	int nice; /* -20..19, setpriority(2) */
	/* SMP scheduling (kernel/sched/core.c), under sched_lock: the CPU it
	 * runs or is queued on (else the one it last ran on); the CPUs it may
	 * run on (sched_setaffinity(2); 0: every CPU, inherited by fork);
	 * on_cpu: 1 from being picked until the HAL saved its registers on
	 * the switch away (atomics), so no other CPU resumes it earlier. */
	unsigned cpu;
	unsigned long cpus_allowed;
	int on_cpu;
	unsigned personality;  /* personality(2): kept across exec; exec honours
				      * ADDR_NO_RANDOMIZE */
	int pdeath_signal;     /* prctl(PR_SET_PDEATHSIG) */
	uint64_t sigwait_mask; /* rt_sigtimedwait(2) set: these wake the task too */
	struct list_head sigq; /* queued instances of real-time signals (signal/queue.c) */
	uint64_t cutime_ticks, cstime_ticks; /* of reaped children, for getrusage/times */
	struct svc_frame *svc_frame;	     /* innermost active service call (kernel/service.c) */
	/* [sched_setscheduler(2)]: recorded and reported; the scheduler has
	 * no priorities yet, every task runs round robin (kernel/sched). */
	int sched_policy;	  /* SCHED_OTHER, SCHED_FIFO, ... */
	int rt_priority;	  /* 1..99 for SCHED_FIFO/SCHED_RR, else 0 */
	bool sched_reset_on_fork; /* SCHED_RESET_ON_FORK */
	bool child_subreaper;	  /* leader: prctl(PR_SET_CHILD_SUBREAPER) */
	struct pidfd *pidfd;	  /* leader: shared by its pidfds (kernel/proc/pidfd.c) */
	unsigned
		membarrier_state; /* leader: membarrier(2) registrations (kernel/sched/membarrier.c) */
	uintptr_t rseq;		  /* rseq(2) area of this thread, 0 = none (kernel/sched/rseq.c) */
	uint32_t rseq_sig;
	bool rseq_notify; /* write cpu_id on the way back to user mode */
	/* [capabilities(7)] sets (capget/capset, kernel/proc/capability.c):
	 * reported and kept consistent with uid changes; permission checks
	 * still test euid == 0. */
	uint64_t cap_effective, cap_permitted, cap_inheritable;
	/* Supplementary group ids [getgroups(2)]: immutable once set, shared
	 * by fork (refcounted), replaced whole by setgroups(2); NULL = none. */
	struct group_info *groups;
};

/* Does t have an unblocked pending signal? Lockless (one racy read; the
 * wait-queue protocol makes a late answer harmless). Inline: every return
 * to user mode asks it two or three times (Linux's signal_pending() is
 * inline too, a test of TIF_SIGPENDING). */
static inline bool signal_pending(const struct task *t)
{
	return (t->sig.pending & ~t->sig.blocked) != 0;
}

/* A sorted, immutable set of supplementary group ids (kernel/proc/groups.c). */
struct group_info {
	unsigned refcount; /* atomic: tasks holding it */
	unsigned ngroups;
	uint32_t gid[];
};
struct group_info *groups_get(struct group_info *g); /* NULL-safe; returns g */
void groups_put(struct group_info *g);		     /* NULL-safe */
/* Is gid the current task's file-system group (fsgid; the real gid during
 * access(2)) or one of its supplementary groups? (Linux's in_group_p().)
 * True before the first task. */
bool in_group_p(uint32_t gid);
/* The same with the real group id (access(2), faccessat without
 * AT_EACCESS: Linux's in_group_p() under the real credentials). */
bool in_group_real_p(uint32_t gid);

/* personality(2) flag: no address-space randomization for programs this
 * task executes [personality(2), Linux include/uapi/linux/personality.h]. */
#define ADDR_NO_RANDOMIZE (1U << 18) /* Linux: 0x0040000 */

/* RLIMIT_* resource numbers (asm-generic/resource.h, x86_64 and arm64). */
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#define RLIM_INFINITY (~0ULL)

/* The CPU time of t's whole thread group in ticks (user, system): its live
 * threads plus those that exited (Linux's thread_group_cputime()). The
 * _locked form with tasklist_lock held. kernel/proc/cputime.c */
void task_group_cputime(const struct task *t, uint64_t *utime, uint64_t *stime);
void task_group_cputime_locked(const struct task *t, uint64_t *utime, uint64_t *stime);

/* Look up a live task by pid (tid); NULL if none or reaped. The task
 * comes with a reference (Linux's find_get_task_by_vpid()): the caller
 * put_task()s it, and until then the struct stays valid even if the task
 * exits and is reaped meanwhile (its fields then describe a dead task:
 * check t->state or the pointers below, which exit clears). */
struct task *task_lookup(int pid);
/* One more reference to t (any context; t must be referenced already, by
 * the caller or by a lock that keeps it on task_list). Returns t. */
struct task *get_task(struct task *t);
/* Drop a reference; the last one frees t's struct, kernel stack and
 * what it still owns (sighand, UTS namespace, groups). NULL is ignored.
 * Any context (the POSIX timer tick drops one); takes only the
 * allocators' locks, which are leaves. */
void put_task(struct task *t);
/* t's mm, files or fs with a reference of the caller's own (mm_put(),
 * files_put(), fs_put() it), or NULL if t has none (a kernel thread, an
 * exited task). Take t->alloc_lock. */
struct mm *get_task_mm(struct task *t);
struct files *get_task_files(struct task *t);
struct fs_struct *get_task_fs(struct task *t);
/* Global list of every task (struct task.all_list), under tasklist_lock
 * (kernel/proc/task.c says what else that lock protects). */
extern spinlock_t tasklist_lock;
extern struct list_head task_list;
/* PID 1, the reaper of orphans. */
extern struct task *init_task;

/* Terminate the current thread with the wait status word status (the
 * process ends with its last thread); never returns. [_exit(2)] */
__noreturn void do_exit(int status);
/* Terminate every thread of the current process with status (exit_group,
 * fatal signal); never returns. [exit_group(2)] */
__noreturn void do_group_exit(int status);

/* Every task of t's thread group (t itself included). */
#define for_each_thread(t, it) list_for_each_entry(it, &(t)->group_leader->threads, thread_node)
/* Is t the leader of its thread group (the process as ps shows it)? */
static inline bool thread_group_leader(const struct task *t)
{
	return t->group_leader == t;
}

/* A kernel thread named name that will run fn(arg) on its own kernel stack
 * (fn must not return; it may execve into user mode). It gets the next pid
 * and is NOT yet runnable: pass it to sched_add(). NULL on -ENOMEM/-EAGAIN. */
struct task *kthread_create(const char *name, void (*fn)(void *), void *arg);

/* From a kernel thread (PID 1 at boot): execve(path, argv, envp) with
 * kernel strings (argv and envp NULL-terminated; argv may be NULL). Gives
 * the task a cwd/root and, if it has no fd table yet, one with
 * /dev/console on fds 0, 1 and 2. On success enters user mode and never
 * returns; on failure returns -errno (-ENOENT, -EACCES, -ENOEXEC, -E2BIG,
 * -ENOMEM...) with the task unchanged, so the caller can try the next
 * candidate as Linux's kernel_init does. [execve(2)] */
int kernel_execve_init(const char *path, const char *const argv[], const char *const envp[]);

/* The scheduler tick charged t (not idle) with CPU time: enforce
 * RLIMIT_CPU (SIGXCPU, SIGKILL). IRQ context. (kernel/proc/rlimit.c) */
void rlimit_cpu_tick(struct task *t);

/* On the way back to user mode (kernel_return_to_user): rseq(2) fix-up of
 * an interrupted critical section, cpu_id update. (kernel/sched/rseq.c) */
void rseq_return_to_user(struct hal_trapframe *tf);

/* The user register frame of t (the slot at the top of its kernel stack). */
struct hal_trapframe *task_user_tf(struct task *t);

#endif
