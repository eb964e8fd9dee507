/* Tasks: allocation with a kernel stack, the pid allocator, the global task
 * list and the parent/children tree, kernel threads. */
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/frame.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/kmalloc.h>
#include <kernel/list.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>
#include <string.h>

#include "../signal/signal_internal.h"
#include "proc_internal.h"

/* tasklist_lock (irqsave: the tick and the TTY send signals from IRQ
 * context) protects: task_list and every task's all_list; the process
 * tree (parent, children, sibling); thread groups (threads, thread_node,
 * nr_live, group_exiting, group_exit_status); pgid, sid and tty of every
 * task; the interval timers (kernel/time/itimer.c); last_pid. Order:
 * before sighand->siglock, wait-queue locks and sched_lock. */
DEFINE_SPINLOCK(tasklist_lock);
LIST_HEAD(task_list);
struct task *init_task;

static int last_pid;

/* frame_alloc order that covers HAL_KSTACK_SIZE bytes. */
static unsigned kstack_order(void)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < HAL_KSTACK_SIZE)
		order++;
	return order;
}

void *task_kstack_top(struct task *t)
{
	return (char *)t->kstack + HAL_KSTACK_SIZE;
}

struct hal_trapframe *task_user_tf(struct task *t)
{
	return hal_kstack_trapframe(task_kstack_top(t));
}

/* Linux's initial limits (include/asm-generic/resource.h INIT_RLIMITS). */
static void rlimits_default(struct rlimit64 *r)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		r[i].rlim_cur = r[i].rlim_max = RLIM_INFINITY;
	r[RLIMIT_STACK].rlim_cur = 8UL << 20;
	r[RLIMIT_CORE].rlim_cur = 0;
	r[RLIMIT_NOFILE].rlim_cur = 1024;
	r[RLIMIT_NOFILE].rlim_max = 4096;
	r[RLIMIT_MEMLOCK].rlim_cur = r[RLIMIT_MEMLOCK].rlim_max = 8UL << 20;
	r[RLIMIT_MSGQUEUE].rlim_cur = r[RLIMIT_MSGQUEUE].rlim_max = 819200;
	r[RLIMIT_NICE].rlim_cur = r[RLIMIT_NICE].rlim_max = 0;
	r[RLIMIT_RTPRIO].rlim_cur = r[RLIMIT_RTPRIO].rlim_max = 0;
	r[RLIMIT_NPROC].rlim_cur = r[RLIMIT_NPROC].rlim_max = PID_MAX;
	r[RLIMIT_SIGPENDING].rlim_cur = r[RLIMIT_SIGPENDING].rlim_max = PID_MAX;
}

struct task *task_alloc(void)
{
	struct task *t = kzalloc(sizeof *t);
	paddr_t pa;

	if (!t)
		return NULL;
	t->sighand = kzalloc(sizeof *t->sighand);
	pa = t->sighand ? frame_alloc(kstack_order()) : 0;
	if (!pa) {
		kfree(t->sighand);
		kfree(t);
		return NULL;
	}
	spin_lock_init(&t->sighand->siglock, "sighand.siglock");
	t->sighand->refcount = 1;
	t->group_leader = t;
	spin_lock_init(&t->alloc_lock, "task.alloc_lock");
	t->usage = 1;
	list_init(&t->threads);
	list_add_tail(&t->thread_node, &t->threads);
	t->nr_live = 1;
	wait_queue_init(&t->group_wq);
	list_init(&t->itimer_node);
	t->kstack = hal_phys_to_virt(pa);
	t->state = TASK_RUNNING;
	list_init(&t->children);
	list_init(&t->sibling);
	list_init(&t->all_list);
	list_init(&t->run_list);
	list_init(&t->wait_list);
	list_init(&t->sleep_list);
	list_init(&t->sigq);
	wait_queue_init(&t->child_wq);
	wait_queue_init(&t->vfork_wq);
	t->exit_signal = SIGCHLD;
	t->umask = 0022;
	t->stop_reported = true;
	t->cont_reported = true;
	t->sig.altstack_flags = SS_DISABLE;
	rlimits_default(t->rlim);
	cap_init_root(t); /* uid 0: fork copies the parent's sets over these */
	t->start_ns = sched_clock_ns();
	return t;
}

/* Off the lists a freed task is still on; tasklist_lock held. */
static void task_detach_locked(struct task *t)
{
	pidfd_task_free(t);
	spin_lock(&t->sighand->siglock);
	sigqueue_flush(t, 0); /* return queued real-time signals to the pool */
	spin_unlock(&t->sighand->siglock);
	list_del(&t->thread_node);
	list_del(&t->itimer_node);
}

/* Free what t owns; t is on no list any more. Takes only the allocators'
 * locks, so it may run under tasklist_lock. */
static void task_destroy(struct task *t)
{
	sighand_put(t->sighand);
	uts_ns_put(t->uts_ns);
	groups_put(t->groups);
	frame_free(hal_virt_to_phys(t->kstack), kstack_order());
	kfree(t->cmdline);
	kfree(t->exe_path);
	kfree(t);
}

struct task *get_task(struct task *t)
{
	__atomic_fetch_add(&t->usage, 1, __ATOMIC_RELAXED);
	return t;
}

void put_task(struct task *t)
{
	if (!t)
		return;
	KASSERT(__atomic_load_n(&t->usage, __ATOMIC_RELAXED) > 0);
	if (__atomic_sub_fetch(&t->usage, 1, __ATOMIC_ACQ_REL) == 0) {
		/* Reaped from another CPU while its own CPU still saves its
		 * registers (the switch after do_exit()): the scheduler frees
		 * its stack once it is off (t->on_cpu 0; a zombie never runs
		 * again). Not waited for here: the caller may hold
		 * tasklist_lock, which that CPU's tick may need first. */
		if (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
			sched_destroy_later(t);
		else
			task_destroy(t);
	}
}

void task_free(struct task *t)
{
	irqflags_t f;

	if (!t)
		return;
	/* A zombie reaped from another CPU may still be saving its registers
	 * on its own (the switch away after do_exit()). */
	sched_wait_off_cpu(t);
	f = spin_lock_irqsave(&tasklist_lock);
	task_detach_locked(t);
	spin_unlock_irqrestore(&tasklist_lock, f);
	put_task(t);
}

struct mm *get_task_mm(struct task *t)
{
	struct mm *mm;

	spin_lock(&t->alloc_lock);
	mm = t->mm;
	if (mm)
		mm_get(mm);
	spin_unlock(&t->alloc_lock);
	return mm;
}

struct files *get_task_files(struct task *t)
{
	struct files *files;

	spin_lock(&t->alloc_lock);
	files = t->files ? files_get(t->files) : NULL;
	spin_unlock(&t->alloc_lock);
	return files;
}

struct fs_struct *get_task_fs(struct task *t)
{
	struct fs_struct *fs;

	spin_lock(&t->alloc_lock);
	fs = t->fs ? fs_get(t->fs) : NULL;
	spin_unlock(&t->alloc_lock);
	return fs;
}

/* Is pid in use as a task id, a process group or a session? */
static bool pid_busy(int pid)
{
	struct task *t;
	list_for_each_entry(t, &task_list, all_list)
		if (t->tid == pid || t->pgid == pid || t->sid == pid)
			return true;
	return false;
}

/* A pid is handed out once last_pid moved past it, before the task is
 * linked: a second pid_alloc() meanwhile skips it (last_pid only grows
 * until it wraps at PID_MAX). */
int pid_alloc(void)
{
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);
	int pid = last_pid, r = -EAGAIN;

	for (int tries = 0; tries < PID_MAX; tries++) {
		pid = pid >= PID_MAX ? 1 : pid + 1;
		if (!pid_busy(pid)) {
			last_pid = pid;
			r = pid;
			break;
		}
	}
	spin_unlock_irqrestore(&tasklist_lock, f);
	return r;
}

struct task *task_lookup(int pid)
{
	struct task *t, *found = NULL;
	irqflags_t f;

	if (pid <= 0)
		return NULL;
	f = spin_lock_irqsave(&tasklist_lock);
	list_for_each_entry(t, &task_list, all_list) {
		if (t->tid == pid) {
			found = get_task(t);
			break;
		}
	}
	spin_unlock_irqrestore(&tasklist_lock, f);
	return found;
}

unsigned task_count(void)
{
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);
	unsigned n = 0;
	struct task *t;

	list_for_each_entry(t, &task_list, all_list)
		n++;
	spin_unlock_irqrestore(&tasklist_lock, f);
	return n;
}

void task_link(struct task *t)
{
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);
	list_add_tail(&t->all_list, &task_list);
	if (t->parent && thread_group_leader(t))
		list_add_tail(&t->sibling, &t->parent->children);
	spin_unlock_irqrestore(&tasklist_lock, f);
}

void task_unlink(struct task *t)
{
	KASSERT(spin_is_locked(&tasklist_lock));
	list_del(&t->all_list);
	list_del(&t->sibling);
}

void task_release(struct task *t)
{
	KASSERT(t != current);
	task_unlink(t);
	task_detach_locked(t);
	put_task(t); /* task_alloc()'s reference; lookups may hold more */
}

void task_destroy_released(struct task *t)
{
	task_destroy(t);
}

void task_set_comm(struct task *t, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	memset(t->comm, 0, sizeof t->comm);
	strlcpy(t->comm, base, sizeof t->comm);
}

struct task *kthread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct task *t = task_alloc();
	int pid;

	if (!t)
		return NULL;
	pid = pid_alloc();
	if (pid < 0) {
		task_free(t);
		return NULL;
	}
	t->tid = t->tgid = pid;
	t->state = TASK_STOPPED; /* not runnable until sched_add() */
	strlcpy(t->comm, name, sizeof t->comm);
	hal_context_init(&t->ctx, task_kstack_top(t), fn, arg);
	task_link(t);
	return t;
}

void rusage_fill(struct linux_rusage *ru, uint64_t utime_ticks, uint64_t stime_ticks)
{
	const uint64_t us_per_tick = 1000000 / SCHED_HZ;
	memset(ru, 0, sizeof *ru);
	ru->ru_utime.tv_sec = (int64_t)(utime_ticks / SCHED_HZ);
	ru->ru_utime.tv_usec = (int64_t)((utime_ticks % SCHED_HZ) * us_per_tick);
	ru->ru_stime.tv_sec = (int64_t)(stime_ticks / SCHED_HZ);
	ru->ru_stime.tv_usec = (int64_t)((stime_ticks % SCHED_HZ) * us_per_tick);
}
