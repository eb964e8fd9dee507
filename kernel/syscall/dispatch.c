/* System call entry: number and arguments from the trapframe, the handler
 * from the generated table, the result back into the trapframe. Unknown or
 * unimplemented syscalls return -ENOSYS and are logged once each.
 * With "strace" on the kernel command line every call is logged as
 * `[pid] name(args...) = result`. */
#include <hal/arch/syscall_list.h>
#include <hal/context.h>
#include <hal/upcall.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "syscall_internal.h"

/* Numbers already reported as missing. */
static uint64_t logged_missing[(HAL_NR_SYSCALLS + 63) / 64];
/* Calls per number since boot, and in all (numbers out of range count
 * only in the total). */
static uint64_t calls[HAL_NR_SYSCALLS];
static uint64_t calls_total;
/* -1: not looked up yet; 0/1: "strace" absent/present on the command line. */
static int strace_on = -1;

static const char *syscall_name(unsigned long nr)
{
	return nr < HAL_NR_SYSCALLS ? syscall_names[nr] : NULL;
}

static void log_missing(unsigned long nr)
{
	const char *name = syscall_name(nr);
	unsigned long bit = nr < HAL_NR_SYSCALLS ? nr : 0;

	if (nr < HAL_NR_SYSCALLS && (logged_missing[bit / 64] & (1ULL << (bit % 64))))
		return;
	if (nr < HAL_NR_SYSCALLS)
		logged_missing[bit / 64] |= 1ULL << (bit % 64);
	if (name)
		printk("[%d %s] syscall %s not implemented\n", current->tid, current->comm, name);
	else
		printk("[%d %s] syscall %ld not implemented\n", current->tid, current->comm,
		       (long)nr);
}

long syscall_dispatch(unsigned long nr, const unsigned long *args)
{
	syscall_fn_t fn = nr < HAL_NR_SYSCALLS ? syscall_table[nr] : NULL;
	if (!fn) {
		log_missing(nr);
		return -ENOSYS;
	}
	return fn(args);
}

uint64_t syscall_calls(unsigned long nr)
{
	return nr < HAL_NR_SYSCALLS ? __atomic_load_n(&calls[nr], __ATOMIC_RELAXED) : 0;
}

uint64_t syscall_calls_total(void)
{
	return __atomic_load_n(&calls_total, __ATOMIC_RELAXED);
}

const char *syscall_name_of(unsigned long nr)
{
	return syscall_name(nr);
}

unsigned long syscall_nr_limit(void)
{
	return HAL_NR_SYSCALLS;
}

unsigned syscall_count_listed(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < HAL_NR_SYSCALLS; i++)
		if (syscall_names[i])
			n++;
	return n;
}

unsigned syscall_count_implemented(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < HAL_NR_SYSCALLS; i++)
		if (syscall_table[i])
			n++;
	return n;
}

static bool strace_enabled(void)
{
	if (strace_on < 0)
		strace_on = cmdline_get("strace") != NULL;
	return strace_on;
}

static void strace_call(unsigned long nr, const unsigned long *a, bool done, long ret)
{
	const char *name = syscall_name(nr);
	char num[24];

	if (!name) {
		snprintf(num, sizeof num, "syscall_%lu", nr);
		name = num;
	}
	if (!done)
		printk("[%d] %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) = ?\n", current->tid, name,
		       a[0], a[1], a[2], a[3], a[4], a[5]);
	else if (ret < 0 && ret > -4096)
		printk("[%d] %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) = %ld\n", current->tid, name,
		       a[0], a[1], a[2], a[3], a[4], a[5], ret);
	else
		printk("[%d] %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) = %#lx\n", current->tid, name,
		       a[0], a[1], a[2], a[3], a[4], a[5], (unsigned long)ret);
}

static bool is_restart(long r)
{
	return r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND ||
	       r == -ERESTART_RESTARTBLOCK;
}

/* [hal/upcall.h] A system call from user mode, interrupts enabled. */
void kernel_syscall(struct hal_trapframe *tf)
{
	struct task *t = current;
	unsigned long nr = hal_tf_syscall_nr(tf), args[6];
	bool trace = strace_enabled();
	long ret;

	t->in_user = false;
	t->nr_syscalls++;
	__atomic_fetch_add(&calls_total, 1, __ATOMIC_RELAXED);
	if (nr < HAL_NR_SYSCALLS)
		__atomic_fetch_add(&calls[nr], 1, __ATOMIC_RELAXED);
	hal_tf_args(tf, args);
	if (trace && (nr == __NR_exit || nr == __NR_exit_group))
		strace_call(nr, args, false, 0);

	ret = syscall_dispatch(nr, args);

	if (trace)
		strace_call(nr, args, true, ret);
	/* rt_sigreturn restored every register, the return one included. */
	if (nr == __NR_rt_sigreturn)
		return;
	/* -ERESTART*: do_signal (on the way out) restarts the call or turns
	 * it into -EINTR; user space never sees these values. */
	t->syscall_restart = is_restart(ret) ? ret : 0;
	hal_tf_set_return(tf, ret);
}
