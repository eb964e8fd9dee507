/* Synchronous exceptions: decode ESR_EL1 and hand the event to the core
 * (system call, page fault, signal) or oops.
 * [Arm ARM D17.2.37 ESR_EL1 (exception classes), D17.2.40 FAR_EL1,
 *  ISS encoding for Data/Instruction Aborts (DFSC, WnR, CM, FnV)]
 */
#include <hal/upcall.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/signal.h>
#include "arm64.h"

/* Exception classes (ESR_EL1.EC). */
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_FP_ACCESS 0x07
#define EC_ILLEGAL_STATE 0x0e
#define EC_SVC64 0x15
#define EC_SYS64 0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_FP_EXC64 0x2c
#define EC_SERROR 0x2f
#define EC_BREAKPT_LOW 0x30
#define EC_SOFTSTP_LOW 0x32
#define EC_WATCHPT_LOW 0x34
#define EC_BRK64 0x3c

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((esr)&0x1ffffff)
#define ABT_FSC(esr) ((esr)&0x3f)
#define ABT_WNR (1u << 6)
#define ABT_CM (1u << 8)
#define ABT_FNV (1u << 10)

#define TRAP_TRACE 2
#define TRAP_HWBKPT 4
#define BUS_ADRERR 2
#define BUS_OBJERR 3
#define FPE_FLTDIV 3
#define FPE_FLTOVF 4
#define FPE_FLTUND 5
#define FPE_FLTRES 6
#define FPE_FLTINV 7

enum fault_kind {
	FAULT_TRANSLATION,
	FAULT_ACCESS_FLAG,
	FAULT_PERMISSION,
	FAULT_ALIGN,
	FAULT_OTHER
};

static enum fault_kind fault_kind(uint64_t esr)
{
	unsigned fsc = ABT_FSC(esr);

	switch (fsc & 0x3c) {
	case 0x04: return FAULT_TRANSLATION;
	case 0x08: return FAULT_ACCESS_FLAG;
	case 0x0c: return FAULT_PERMISSION;
	}
	if (fsc == 0x21)
		return FAULT_ALIGN;
	if (fsc <= 0x03) /* address size fault: out of the 48-bit range */
		return FAULT_TRANSLATION;
	return FAULT_OTHER;
}

static unsigned fault_access(uint64_t esr, unsigned ec)
{
	unsigned access;

	if (ec == EC_IABT_LOW || ec == EC_IABT_CUR)
		access = HAL_FAULT_EXEC;
	else if ((esr & ABT_WNR) && !(esr & ABT_CM))
		access = HAL_FAULT_WRITE;
	else
		access = HAL_FAULT_READ;
	if (fault_kind(esr) != FAULT_TRANSLATION)
		access |= HAL_FAULT_PRESENT;
	return access;
}

/* ---- usercopy fixups ----------------------------------------------- */

struct ex_entry {
	uint64_t insn;
	uint64_t fixup;
};
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

static uint64_t ex_fixup(uint64_t pc)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->insn == pc)
			return e->fixup;
	return 0;
}

/* ---- from user mode ------------------------------------------------ */

static void el0_abort(struct hal_trapframe *tf, uint64_t esr, uint64_t far, unsigned ec)
{
	enum fault_kind kind = fault_kind(esr);
	uintptr_t addr = (esr & ABT_FNV) ? 0 : far;

	/* TBI0: the top byte of an EL0 address is a tag, not part of it. */
	if (!(addr & (1UL << 55)))
		addr &= (1UL << 56) - 1;

	if (kind == FAULT_ALIGN) {
		kernel_user_exception(tf, SIGBUS, BUS_ADRALN, addr);
		return;
	}
	if (kind == FAULT_OTHER) {
		kernel_user_exception(tf, SIGBUS, BUS_OBJERR, addr);
		return;
	}
	unsigned access = fault_access(esr, ec) | HAL_FAULT_USER;
	if (kind == FAULT_TRANSLATION && arm64_user_page_protnone(addr))
		access |= HAL_FAULT_PRESENT;
	int r = addr < USER_TOP ? kernel_page_fault(tf, addr, access) : -EFAULT;
	if (r == 0)
		return;
	if (r == -EIO) { /* nothing backs the page (past end of file) */
		kernel_user_exception(tf, SIGBUS, BUS_ADRERR, addr);
		return;
	}
	/* SEGV_ACCERR when a mapping forbids the access: the page table
	 * says so (PRESENT), or the core does (-EACCES: an area covers addr
	 * but not for this access, e.g. a write to untouched PROT_READ). */
	kernel_user_exception(
		tf, SIGSEGV,
		(r == -EACCES || (access & HAL_FAULT_PRESENT)) ? SEGV_ACCERR : SEGV_MAPERR, addr);
}

static int fpe_code(uint64_t esr)
{
	if (!(esr & (1u << 23))) /* TFV: no valid flags */
		return 0;
	if (esr & (1u << 0))
		return FPE_FLTINV;
	if (esr & (1u << 1))
		return FPE_FLTDIV;
	if (esr & (1u << 2))
		return FPE_FLTOVF;
	if (esr & (1u << 3))
		return FPE_FLTUND;
	return FPE_FLTRES;
}

/* Synchronous exception from EL0; interrupts are enabled. */
void arm64_el0_sync(struct hal_trapframe *tf, uint64_t esr, uint64_t far)
{
	unsigned ec = ESR_EC(esr);

	switch (ec) {
	case EC_SVC64:
		tf->syscallno = (int64_t)tf->regs[8];
		kernel_syscall(tf);
		return;
	case EC_DABT_LOW:
	case EC_IABT_LOW: el0_abort(tf, esr, far, ec); return;
	case EC_WFX: /* trapped WFI/WFE: nothing to wait for, skip it (as Linux) */
		tf->pc += 4;
		return;
	case EC_PC_ALIGN: kernel_user_exception(tf, SIGBUS, BUS_ADRALN, far); return;
	case EC_SP_ALIGN: kernel_user_exception(tf, SIGBUS, BUS_ADRALN, tf->sp); return;
	case EC_BRK64:
	case EC_BREAKPT_LOW: kernel_user_exception(tf, SIGTRAP, TRAP_BRKPT, tf->pc); return;
	case EC_SOFTSTP_LOW: kernel_user_exception(tf, SIGTRAP, TRAP_TRACE, tf->pc); return;
	case EC_WATCHPT_LOW: kernel_user_exception(tf, SIGTRAP, TRAP_HWBKPT, far); return;
	case EC_FP_EXC64: kernel_user_exception(tf, SIGFPE, fpe_code(esr), tf->pc); return;
	case EC_UNKNOWN:
	case EC_ILLEGAL_STATE:
	case EC_SYS64:
	case EC_FP_ACCESS:
	default: kernel_user_exception(tf, SIGILL, ILL_ILLOPC, tf->pc); return;
	}
}

/* ---- from the kernel ----------------------------------------------- */

static const char *ec_name(unsigned ec)
{
	switch (ec) {
	case EC_UNKNOWN: return "undefined instruction";
	case EC_ILLEGAL_STATE: return "illegal execution state";
	case EC_SYS64: return "trapped system register access";
	case EC_IABT_CUR: return "instruction abort";
	case EC_DABT_CUR: return "data abort";
	case EC_PC_ALIGN: return "PC alignment fault";
	case EC_SP_ALIGN: return "SP alignment fault";
	case EC_BRK64: return "BRK";
	case EC_SERROR: return "SError";
	default: return "unexpected exception";
	}
}

static char fault_msg[160];

static __noreturn void el1_oops(struct hal_trapframe *tf, uint64_t esr, uint64_t far)
{
	unsigned ec = ESR_EC(esr);

	if (ec == EC_DABT_CUR || ec == EC_IABT_CUR)
		snprintf(fault_msg, sizeof(fault_msg),
			 "kernel %s at 0x%lx (%s, %s fault, ESR 0x%lx)", ec_name(ec),
			 (unsigned long)far, (esr & ABT_WNR) ? "write" : "read",
			 fault_kind(esr) == FAULT_TRANSLATION ? "translation" :
			 fault_kind(esr) == FAULT_PERMISSION  ? "permission" :
			 fault_kind(esr) == FAULT_ALIGN	      ? "alignment" :
								"other",
			 (unsigned long)esr);
	else if (ec == EC_BRK64)
		snprintf(fault_msg, sizeof(fault_msg), "kernel BRK #0x%lx (ESR 0x%lx)",
			 (unsigned long)(esr & 0xffff), (unsigned long)esr);
	else
		snprintf(fault_msg, sizeof(fault_msg), "kernel %s (EC 0x%x, ESR 0x%lx)",
			 ec_name(ec), ec, (unsigned long)esr);
	kernel_fault(tf, fault_msg, far);
}

/* Synchronous exception from EL1; interrupts masked. Only usercopy
 * instructions (listed in __ex_table) may fault and survive: a fault on a
 * user address first goes to kernel_page_fault() (demand paging, copy on
 * write), and if that fails the copy resumes at its fixup (-EFAULT). */
void arm64_el1_sync(struct hal_trapframe *tf, uint64_t esr, uint64_t far)
{
	unsigned ec = ESR_EC(esr);
	uint64_t fixup;

	if (arm64_sw_pan)
		arm64_uaccess_close(); /* as an exception would set PSTATE.PAN */
	if (ec != EC_DABT_CUR || !(fixup = ex_fixup(tf->pc)))
		el1_oops(tf, esr, far);

	/* A usercopy fault: both the retry and the fixup continue inside the
	 * usercopy routine, with user memory open (emulated PAN). */
	enum fault_kind kind = fault_kind(esr);
	if (!(esr & ABT_FNV) && far >= USER_BASE && far < USER_TOP &&
	    (kind == FAULT_TRANSLATION || kind == FAULT_ACCESS_FLAG || kind == FAULT_PERMISSION)) {
		unsigned access = fault_access(esr, ec);
		if (kind == FAULT_TRANSLATION && arm64_user_page_protnone(far))
			access |= HAL_FAULT_PRESENT;
		if (!(tf->pstate & PSR_I))
			__asm__ volatile("msr daifclr, #2" ::: "memory");
		int r = kernel_page_fault(tf, far, access);
		__asm__ volatile("msr daifset, #2" ::: "memory");
		if (r == 0)
			goto out; /* retry the access */
	}
	tf->pc = fixup;
out:
	if (arm64_sw_pan)
		arm64_uaccess_open();
}

__noreturn void arm64_bad_exception(struct hal_trapframe *tf, unsigned kind, uint64_t esr)
{
	static const char *const group[] = { "EL1t", "EL1h", "EL0 (AArch64)", "EL0 (AArch32)" };
	static const char *const type[] = { "synchronous", "IRQ", "FIQ", "SError" };

	snprintf(fault_msg, sizeof(fault_msg), "unexpected %s %s exception (ESR 0x%lx)",
		 group[(kind >> 2) & 3], type[kind & 3], (unsigned long)esr);
	kernel_fault(tf, fault_msg, 0);
}
