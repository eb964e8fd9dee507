/* Fatal errors: panic() and the backtrace it prints.
 *
 * panic() masks interrupts, makes sure the log reaches the console (even
 * before the console went live, or under "quiet"), prints
 * "KERNEL PANIC: <msg>" and a symbolic backtrace, then stops the machine
 * with a failure status (hal_panic_stop: QEMU exits non-zero). A panic
 * raised while panicking (a fault in the backtrace code, a bad console)
 * prints one line and stops at once.
 */
#include <hal/console.h>
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/power.h>
#include <hal/upcall.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <kernel/smp.h>
#include <string.h>

#define BACKTRACE_MAX_FRAMES 32

/* Panics under way on each CPU (1 while printing, 2+ if that faulted), and
 * the CPU that owns the panic (-1: none), as Linux's panic_cpu: a second CPU
 * that panics meanwhile parks itself rather than interleave its report. */
static volatile int panic_depth[HAL_MAX_CPUS];
static int panic_cpu = -1;

/* How long panic() waits for the other CPUs to park (smp_send_stop()). */
#define PANIC_STOP_TIMEOUT_NS 1000000000ULL

static void bt_print(uintptr_t pc, void *arg)
{
	uintptr_t off;
	const char *name = kallsyms_lookup(pc, &off);

	(void)arg;
	if (name)
		printk("  [<%016lx>] %s+0x%lx\n", (unsigned long)pc, name, (unsigned long)off);
	else
		printk("  [<%016lx>] ?\n", (unsigned long)pc);
}

void dump_backtrace(uintptr_t fp)
{
	printk("Call trace:\n");
	hal_backtrace(fp, bt_print, NULL, BACKTRACE_MAX_FRAMES);
}

__noreturn void panic(const char *fmt, ...)
{
	static const char again[] = "\nKERNEL PANIC: recursive panic, stopping\n";
	unsigned cpu = hal_cpu_id() % HAL_MAX_CPUS;
	char msg[256];
	unsigned stopped, others = 0;
	int owner = -1;
	va_list ap;

	hal_irq_disable();
	if (panic_depth[cpu]++) {
		hal_console_write(again, sizeof(again) - 1);
		hal_panic_stop();
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Inside a ring-2 service call under Fortress/Balanced: contained, the
	 * call returns -EIO and the kernel goes on (<kernel/service.h>). */
	{
		char what[288];

		snprintf(what, sizeof(what), "panic: %s", msg);
		panic_depth[cpu]--;
		svc_contain_fault(what, hal_current_fp());
		panic_depth[cpu]++;
	}
	/* One CPU reports; the others park, so the report is not interleaved
	 * with their output and nothing else runs meanwhile (Linux's panic():
	 * panic_cpu, smp_send_stop()). */
	if (!__atomic_compare_exchange_n(&panic_cpu, &owner, (int)cpu, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE) &&
	    owner != (int)cpu)
		smp_stop_self();
	stopped = smp_send_stop(PANIC_STOP_TIMEOUT_NS, &others);
	printk_emergency_flush();
	if (others)
		printk("smp: stopped %u of %u other CPUs\n", stopped, others);
	printk("KERNEL PANIC: %s\n", msg);
	dump_backtrace(hal_current_fp());
	printk("---[ end Kernel panic: %s ]---\n", msg);
	hal_panic_stop();
}

/* A fatal fault in kernel code, reported by the HAL's trap handlers. Inside
 * a ring-2 service call under Fortress/Balanced it is contained (the call
 * returns -EIO, <kernel/service.h>); otherwise a panic naming the fault, its
 * address and the faulting pc. */
__noreturn void kernel_fault(struct hal_trapframe *tf, const char *what, uintptr_t addr)
{
	uintptr_t pc = tf ? hal_tf_pc(tf) : 0, off = 0;
	const char *sym = pc ? kallsyms_lookup(pc, &off) : NULL;
	char msg[224];

	if (sym)
		snprintf(msg, sizeof(msg), "%s at address 0x%lx, pc 0x%lx (%s+0x%lx)",
			 what ? what : "fault", (unsigned long)addr, (unsigned long)pc, sym,
			 (unsigned long)off);
	else
		snprintf(msg, sizeof(msg), "%s at address 0x%lx, pc 0x%lx", what ? what : "fault",
			 (unsigned long)addr, (unsigned long)pc);
	svc_contain_fault(msg, tf ? hal_tf_fp(tf) : hal_current_fp());

	if (sym)
		panic("%s at address 0x%lx, pc 0x%lx (%s+0x%lx)", what ? what : "fault",
		      (unsigned long)addr, (unsigned long)pc, sym, (unsigned long)off);
	panic("%s at address 0x%lx, pc 0x%lx", what ? what : "fault", (unsigned long)addr,
	      (unsigned long)pc);
}
