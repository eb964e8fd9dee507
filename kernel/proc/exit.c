/* Process termination: [_exit(2)], [exit_group(2)]; Linux kernel/exit.c
 * do_exit(). A dead task keeps its struct and kernel stack as a zombie
 * until its parent reaps it with wait4/waitid, or, if the parent said it
 * will not wait (SIGCHLD ignored / SA_NOCLDWAIT), is freed right after it
 * switched away for the last time. */
#include <hal/cpu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "../sched/sched_internal.h"
#include "../signal/signal_internal.h"
#include "proc_internal.h"

/* [set_tid_address(2)]: on exit, if the memory is shared with someone
 * (a vfork parent), write 0 at clear_child_tid. Futex waiters would be
 * woken here; with no threads there are none. */
static void clear_child_tid(struct task *t)
{
	uint32_t zero = 0;
	if (t->clear_child_tid && t->mm && t->mm->refcount > 1)
		(void)copy_to_user(t->clear_child_tid, &zero, sizeof zero);
	t->clear_child_tid = 0;
}

/* Give t's children to init; zombies among them are announced to init
 * (or freed at once if init does not wait). Interrupts masked. */
static void reparent_children(struct task *t)
{
	struct task *c, *n;
	list_for_each_entry_safe(c, n, &t->children, sibling) {
		list_del(&c->sibling);
		c->parent = init_task;
		list_add_tail(&c->sibling, &init_task->children);
		if (c->pdeath_signal)
			send_signal(c, c->pdeath_signal, NULL);
		if (c->state == TASK_ZOMBIE && notify_parent_exit(c))
			task_release(c);
	}
}

__noreturn void do_exit(int status)
{
	struct task *t = current;
	irqflags_t f;

	if (t == init_task)
		panic("Attempted to kill init! exitcode=0x%08x", (unsigned)status);
	KASSERT(t != idle_task);

	clear_child_tid(t);
	vfork_release(t);
	if (t->files) {
		files_put(t->files);
		t->files = NULL;
	}
	if (t->fs) {
		fs_put(t->fs);
		t->fs = NULL;
	}
	if (t->mm) {
		struct mm *mm = t->mm;
		t->mm = NULL;
		sched_switch_mm(NULL);
		mm_put(mm);
	}
	t->exit_status = status;

	f = hal_irq_save();
	(void)f; /* never restored: we switch away for good */
	reparent_children(t);
	t->state = TASK_ZOMBIE;
	if (notify_parent_exit(t)) {
		t->state = TASK_DEAD;
		task_unlink(t);
		sched_free_later(t);
	}
	schedule();
	panic("do_exit: dead task %d was scheduled again", t->tid);
}

SYSCALL_DEFINE1(exit, int, code)
{
	do_exit(W_EXITCODE(code, 0));
}

/* Single-threaded processes: the same as exit. */
SYSCALL_DEFINE1(exit_group, int, code)
{
	do_exit(W_EXITCODE(code, 0));
}
