/* Traps the HAL hands to the core (<hal/upcall.h>): the way back to user
 * mode and user exceptions. (kernel_page_fault is in kernel/mm/fault.c,
 * kernel_fault in kernel/panic.c, kernel_timer_tick in kernel/sched/tick.c,
 * kernel_syscall in dispatch.c.) */
#include <hal/context.h>
#include <hal/upcall.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/lock_debug.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/task.h>

/* Has do_signal() anything to do: a signal to deliver, an interrupted
 * syscall to restart or fail, a mask to restore (sigsuspend, ppoll)? Most
 * returns to user mode have none (it saves the signal lock round trip on
 * every syscall). */
static bool signal_work(const struct task *t)
{
	return signal_pending(t) || t->syscall_restart || t->sig.restore_saved_mask;
}

/* Reschedule if the tick or a wake-up asked for it, then deliver signals
 * (which may stop the task or build handler frames in tf); again while
 * either is still due. Interrupts enabled. */
void kernel_return_to_user(struct hal_trapframe *tf)
{
	struct task *t = current;

	t->in_user = false;
	/* Most returns have no work at all: one test of everything the loop
	 * looks at (a superset of rseq_return_to_user()'s own condition), so
	 * the common case calls nothing (Linux's exit_to_user_mode_prepare()
	 * tests its TIF work flags once the same way). */
	if (need_resched || signal_work(t) || t->rseq_notify) {
		do {
			rseq_return_to_user(tf); /* before a switch or a handler frame */
			if (need_resched)
				schedule();
			if (signal_work(t))
				do_signal(tf);
		} while (need_resched || signal_pending(t));
	}
	lock_debug_user_return();
	t->in_user = true;
}

/* Is addr inside one of mm's areas? */
static bool mapped(const struct mm *mm, uintptr_t addr)
{
	const struct vm_area *v;
	if (!mm)
		return false;
	list_for_each_entry(v, &mm->areas, list)
		if (addr >= v->start && addr < v->end)
			return true;
	return false;
}

/* A fault signal (SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP) for the
 * current task: delivered even if blocked or ignored. A SIGSEGV inside a
 * mapping is SEGV_ACCERR whatever the page tables said (a PROT_NONE page
 * is not present in hardware), as Linux decides it from the vm_area. */
void kernel_user_exception(struct hal_trapframe *tf, int signo, int code, uintptr_t addr)
{
	struct task *t = current;

	t->in_user = false;
	if (signo == SIGSEGV && code == SEGV_MAPERR && mapped(t->mm, addr))
		code = SEGV_ACCERR;
	force_sig_fault(signo, code, addr);
}
