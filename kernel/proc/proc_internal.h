/* Private to kernel/proc, kernel/sched, kernel/signal and kernel/syscall:
 * task allocation, the pid allocator, the task tree and the shared Linux
 * structures of the process syscalls.
 *
 * The task list and every children list are also walked from IRQ context
 * (kill_pgrp() from the TTY's ^C): change them with interrupts masked.
 */
#ifndef KERNEL_PROC_INTERNAL_H
#define KERNEL_PROC_INTERNAL_H
#include <hal/types.h>
#include <kernel/task.h>
#include <kernel/time.h>

#define PID_MAX 32767 /* /proc/sys/kernel/pid_max default on small machines */

/* A zeroed task with a kernel stack (HAL_KSTACK_SIZE bytes from
 * frame_alloc), empty lists and wait queues, Linux defaults for the
 * credentials, umask 022, rlimits, signals (all SIG_DFL), state
 * TASK_RUNNING. No pid, not linked anywhere. NULL on -ENOMEM. */
struct task *task_alloc(void);
/* Free what task_alloc() and later set-up allocated (kernel stack, cmdline,
 * exe_path, the struct). t must be unlinked and must not be running.
 * Takes tasklist_lock (not to be held by the caller). */
void task_free(struct task *t);
/* Highest address (exclusive) of t's kernel stack. */
void *task_kstack_top(struct task *t);

/* The next free pid in 1..PID_MAX after the last one given, wrapping,
 * skipping every pid still used as a task id, process group or session id
 * (Linux keeps those reserved too). -EAGAIN when all are taken. */
int pid_alloc(void);

/* Insert t in task_list and, if t->parent, in its children. */
void task_link(struct task *t);
/* Remove t from task_list and from its parent's children. tasklist_lock
 * held. */
void task_unlink(struct task *t);
/* Reap a zombie (wait4) or a dead autoreaped task: unlink and free. The
 * caller must not be t, and holds tasklist_lock. */
void task_release(struct task *t);
/* Free a task task_release() handed to sched_destroy_later(). */
void task_destroy_released(struct task *t);
/* Number of tasks in task_list (sysinfo procs). */
unsigned task_count(void);

/* UTS namespaces (uts.c): a new reference to ns (NULL: the initial one),
 * and dropping one (the last frees a namespace made by unshare(2)). */
struct uts_namespace *uts_ns_get(struct uts_namespace *ns);
void uts_ns_put(struct uts_namespace *ns);

/* comm = basename of path, at most TASK_COMM_LEN - 1 bytes. */
void task_set_comm(struct task *t, const char *path);

/* execve(): end every other thread of the current process and wait for
 * them; the caller becomes the group leader, with its pid. 0, or -EAGAIN
 * if an exit_group of another thread came first (the caller is being
 * killed). Process context. (exec_thread.c) */
int exec_de_thread(void);

/* The vfork() parent of t (if any) may run again: t exec'd or exited. */
void vfork_release(struct task *t);

/* pidfd.c: a new pidfd (close-on-exec; flags: PIDFD_NONBLOCK) for the
 * process led by leader, installed in current's table: the fd or -errno. */
int pidfd_create(struct task *leader, unsigned flags);
/* The pid a pidfd refers to, -EBADF if fd is not a pidfd. */
int pidfd_pid(int fd);
/* leader's process has exited (pidfds poll readable) / leader is being
 * freed (pidfd_send_signal then gives -ESRCH). tasklist_lock held. */
void pidfd_task_exit(struct task *leader);
void pidfd_task_free(struct task *leader);

/* capability.c: t gets every capability (root at boot); after a uid
 * change of t, drop capabilities as Linux cap_emulate_setxuid() does. */
void cap_init_root(struct task *t);
/* execve(): the sets of the new program (root: all; others: none). */
void cap_exec(struct task *t);
void cap_setuid_fixup(struct task *t, uint32_t old_uid, uint32_t old_euid, uint32_t old_suid);

/* Wait status words [wait(2)]. */
#define W_EXITCODE(code, sig) ((((code)&0xff) << 8) | ((sig)&0x7f))
#define W_STOPCODE(sig) ((((sig)&0xff) << 8) | 0x7f)
#define W_CONTINUED 0xffff
#define WCOREFLAG 0x80

/* struct rusage (64-bit Linux layout, 144 bytes). */
struct linux_rusage {
	struct linux_timeval ru_utime, ru_stime;
	int64_t ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap, ru_inblock,
		ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
};
_Static_assert(sizeof(struct linux_rusage) == 144, "struct rusage is 144 bytes");

/* Fill *ru with zeros and the times of utime/stime ticks. */
void rusage_fill(struct linux_rusage *ru, uint64_t utime_ticks, uint64_t stime_ticks);

/* [set_tid_address(2)] CLONE_CHILD_CLEARTID (exit.c): if t's memory is
 * shared, write 0 at t->clear_child_tid and wake one futex waiter there;
 * then forget the address. At exit and at execve (Linux's mm_release()). */
void clear_child_tid(struct task *t);

#endif
