/* Processes (struct task) and their lifecycle: fork/clone, execve, exit,
 * wait. [fork(2)], [clone(2)], [execve(2)], [wait4(2)], [_exit(2)].
 * In this version every task is a single-threaded process (tgid == tid);
 * CLONE_THREAD is refused with -EINVAL. */
#ifndef KERNEL_TASK_H
#define KERNEL_TASK_H
#include <hal/types.h>
#include <hal/context.h>
#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/signal.h>

struct mm;
struct files;
struct fs_struct;
struct dentry;
struct tty;

enum task_state {
	TASK_RUNNING = 0,       /* on the run queue or running */
	TASK_INTERRUPTIBLE,     /* sleeping; signals wake it */
	TASK_UNINTERRUPTIBLE,
	TASK_STOPPED,           /* SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU */
	TASK_ZOMBIE,            /* exited, not yet waited for */
	TASK_DEAD,
};

#define TASK_COMM_LEN 16
#define RLIM_NLIMITS 16

struct rlimit64 {
	uint64_t rlim_cur, rlim_max;
};

struct task {
	int tid;                 /* = pid for single-threaded processes */
	int tgid;
	int pgid, sid;           /* process group, session */
	enum task_state state;
	int exit_status;         /* wait status word: (code << 8) | termsig [| 0x80 core] */
	struct task *parent;
	struct list_head children;   /* of struct task.sibling */
	struct list_head sibling;
	struct list_head all_list;   /* every task, for /proc and kill(-1) */
	struct list_head run_list;   /* run queue */
	struct list_head wait_list;  /* entry in a wait_queue while sleeping */
	uint64_t wake_deadline_ns;   /* sched_sleep timeout, 0 = none */
	struct wait_queue child_wq;  /* wait4 sleeps here; children's exits wake it */

	struct hal_context ctx;      /* kernel context + FPU/TLS */
	void *kstack;                /* base of HAL_KSTACK_SIZE bytes */

	struct mm *mm;
	struct files *files;
	struct fs_struct *fs;
	struct signal_state sig;

	uintptr_t clear_child_tid;   /* set_tid_address(2) */
	char comm[TASK_COMM_LEN];    /* basename of the executable */
	char *cmdline;               /* argv joined by NULs, for /proc/<pid>/cmdline */
	size_t cmdline_len;
	char *exe_path;              /* absolute path of the executable, /proc/<pid>/exe */
	struct tty *tty;             /* controlling terminal, or NULL */
	uint32_t uid, gid, euid, egid;
	uint32_t umask;
	struct rlimit64 rlim[RLIM_NLIMITS];
	uint64_t start_ns;           /* sched_clock_ns() at creation */
	uint64_t utime_ticks, stime_ticks;
	bool stop_reported;          /* WUNTRACED report pending/consumed */
	bool cont_reported;
	bool vfork_done;             /* vfork parent waits for this */
	struct wait_queue vfork_wq;
};

/* Look up a live task by pid (tid); NULL if none or reaped. */
struct task *task_lookup(int pid);
/* Global list of every task (struct task.all_list). */
extern struct list_head task_list;
/* PID 1, the reaper of orphans. */
extern struct task *init_task;

/* Terminate current with the wait status word status; never returns. */
__noreturn void do_exit(int status);

#endif
