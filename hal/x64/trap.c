/* The IDT and what happens after entry.S saved a trapframe: exceptions
 * become page-fault upcalls, signals or kernel faults; interrupts go to
 * irq.c; every return to ring 3 passes kernel_return_to_user().
 * [Intel SDM Vol. 3A §6 "Interrupt and exception handling"] */
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/upcall.h>
#include <kernel/errno.h>
#include "x64.h"

_Static_assert(sizeof(struct hal_trapframe) == TF_SIZE, "trapframe size used by entry.S");
_Static_assert(__builtin_offsetof(struct hal_trapframe, rcx) == TF_RCX, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_trapframe, r11) == TF_R11, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_trapframe, rax) == TF_RAX, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_trapframe, orig_rax) == TF_ORIG_RAX, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_trapframe, vector) == TF_VECTOR, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_trapframe, error) == TF_ERROR, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_trapframe, rip) == TF_RIP, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_trapframe, cs) == TF_CS, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_trapframe, rsp) == TF_RSP, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_trapframe, ss) == TF_SS, "asm offset");
_Static_assert(TF_SIZE % 16 == 0, "frames keep the stack 16-byte aligned");
_Static_assert(VEC_SYSCALL == HAL_X64_VEC_SYSCALL, "vector number used by entry.S");

/* 16-byte interrupt gate [Intel SDM Vol. 3A §6.14.1, Figure 6-8]. */
struct idt_gate {
	uint16_t offset0;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr; /* P | DPL | type (0xe = interrupt gate: IF cleared on entry) */
	uint16_t offset1;
	uint32_t offset2;
	uint32_t reserved;
} __packed;

static struct idt_gate idt[256] __aligned(16);

#define STUB_STRIDE 16 /* entry.S aligns each stub to 16 bytes */

static void set_gate(unsigned vec, unsigned ist, unsigned dpl)
{
	uintptr_t h = (uintptr_t)x64_isr_stubs + vec * STUB_STRIDE;

	idt[vec].offset0 = h & 0xffff;
	idt[vec].selector = GDT_KERNEL_CS;
	idt[vec].ist = ist;
	idt[vec].type_attr = 0x80 | (dpl << 5) | 0xe;
	idt[vec].offset1 = (h >> 16) & 0xffff;
	idt[vec].offset2 = h >> 32;
	idt[vec].reserved = 0;
}

/* Load the (shared) IDT on the calling CPU. */
void x64_idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void x64_idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, 0, 0);
	/* int3 and into may be executed by user code (debuggers, abort()). */
	set_gate(3, 0, 3);
	set_gate(4, 0, 3);
	/* Faults that can hit with a broken stack (or in the few instructions
	 * of the SYSCALL entry before the stack switch) get their own stacks. */
	set_gate(2, IST_NMI, 0);
	set_gate(8, IST_DOUBLE_FAULT, 0);
	set_gate(18, IST_MACHINE_CHECK, 0);
	x64_idt_load();
}

static bool from_user(const struct hal_trapframe *tf)
{
	return (tf->cs & 3) == 3;
}

static const struct x64_extable *extable_find(uintptr_t ip)
{
	for (const struct x64_extable *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->fault_ip == ip)
			return e;
	return 0;
}

/* Make a user frame safe to IRETQ/SYSRETQ with, whatever the core (or a
 * signal frame) wrote into it: user selectors, IOPL 0, IF on, no NT/VM/RF.
 * Returns false if rip is not canonical [Intel SDM Vol. 3A §3.3.7.1]: the
 * IRETQ would #GP in ring 0. */
bool x64_user_frame_fixup(struct hal_trapframe *tf)
{
	tf->cs = GDT_USER_CS;
	tf->ss = GDT_USER_DS;
	tf->rflags = (tf->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_FIXED;
	return tf->rip < 0x0000800000000000ULL && tf->rsp < 0x0000800000000000ULL;
}

/* Every path back to ring 3: with interrupts on, let the core reschedule
 * and deliver signals; a frame that cannot be returned to is a SIGSEGV
 * (Linux does the same after a bad sigreturn). Returns with interrupts
 * masked for the final restore. */
void x64_user_return(struct hal_trapframe *tf)
{
	x64_sti();
	kernel_return_to_user(tf);
	while (!x64_user_frame_fixup(tf)) {
		kernel_user_exception(tf, X64_SIGSEGV, X64_SI_KERNEL, 0);
		kernel_return_to_user(tf);
	}
	x64_cli();
}

/* SYSCALL path (entry.S); entered with interrupts masked. Returns nonzero
 * if SYSRETQ may be used: it reloads rip from rcx and rflags from r11, so
 * those must still match the frame, and rip must be a canonical user
 * address (SYSRET with a non-canonical rcx faults in ring 0 on Intel). */
int x64_syscall(struct hal_trapframe *tf)
{
	x64_sti();
	kernel_syscall(tf);
	x64_user_return(tf);
	return tf->rcx == tf->rip && tf->r11 == tf->rflags && tf->rip < USER_TOP &&
	       !(tf->rflags & (RFLAGS_TF | RFLAGS_RF));
}

/* #PF: error code bits P(0) W(1) U(2) RSVD(3) I(4) [Intel SDM Vol. 3A
 * §4.7, Figure 4-12]; the address is in CR2, read before interrupts are
 * enabled (a nested fault would overwrite it). */
static void page_fault(struct hal_trapframe *tf)
{
	uintptr_t addr = read_cr2();
	uint64_t err = tf->error;
	unsigned access = (err & 2) ? HAL_FAULT_WRITE : HAL_FAULT_READ;
	const struct x64_extable *fix;
	int r;

	tf->cr2 = addr;
	if (err & 16)
		access |= HAL_FAULT_EXEC;
	if (err & 1)
		access |= HAL_FAULT_PRESENT;
	if (err & 8)
		kernel_fault(tf, "page fault: reserved bit set in a page-table entry", addr);

	if (from_user(tf)) {
		access |= HAL_FAULT_USER;
		hal_irq_enable();
		r = addr < USER_TOP ? kernel_page_fault(tf, addr, access) : -EFAULT;
		if (r == 0)
			return;
		if (r == -EIO) { /* nothing backs the page (past end of file) */
			kernel_user_exception(tf, X64_SIGBUS, X64_BUS_ADRERR, addr);
			return;
		}
		/* SEGV_ACCERR when a mapping forbids the access: the page table
		 * says so (P set), or the core does (-EACCES: an area covers
		 * addr but not for this access, e.g. a first write to an
		 * untouched PROT_READ page) [sigaction(2)]. Same rule as arm64. */
		kernel_user_exception(
			tf, X64_SIGSEGV,
			(r == -EACCES || (err & 1)) ? X64_SEGV_ACCERR : X64_SEGV_MAPERR, addr);
		return;
	}

	/* Kernel mode: only the usercopy routines may touch user memory. */
	fix = extable_find(tf->rip);
	if (!fix)
		kernel_fault(tf, "page fault", addr);
	if (addr < USER_TOP) {
		if (tf->rflags & RFLAGS_IF)
			hal_irq_enable();
		r = kernel_page_fault(tf, addr, access);
		hal_irq_disable();
		if (r == 0)
			return; /* retry the access */
	}
	tf->rip = fix->fixup_ip;
}

/* si_code for an x87 (#MF) or SSE (#XM) exception from the unmasked
 * exception flags, in Linux's priority order (fpu_exception_code()). */
static int fpe_code(uint32_t flags)
{
	if (flags & 0x01)
		return X64_FPE_FLTINV;
	if (flags & 0x04)
		return X64_FPE_FLTDIV;
	if (flags & 0x08)
		return X64_FPE_FLTOVF;
	if (flags & 0x12)
		return X64_FPE_FLTUND;
	if (flags & 0x20)
		return X64_FPE_FLTRES;
	return 0;
}

struct exc_info {
	const char *name;
	int signo; /* for user mode; 0: always fatal */
	int code;
};

/* Exception -> signal, as Linux's arch/x86/kernel/traps.c maps them. */
static const struct exc_info exceptions[32] = {
	[0] = { "divide error", X64_SIGFPE, X64_FPE_INTDIV },
	[1] = { "debug", X64_SIGTRAP, X64_TRAP_TRACE },
	[2] = { "NMI", 0, 0 },
	[3] = { "breakpoint", X64_SIGTRAP, X64_SI_KERNEL },
	[4] = { "overflow", X64_SIGSEGV, X64_SI_KERNEL },
	[5] = { "bound range exceeded", X64_SIGSEGV, X64_SI_KERNEL },
	[6] = { "invalid opcode", X64_SIGILL, X64_ILL_ILLOPN },
	[7] = { "device not available", X64_SIGSEGV, X64_SI_KERNEL },
	[8] = { "double fault", 0, 0 },
	[9] = { "coprocessor segment overrun", X64_SIGFPE, 0 },
	[10] = { "invalid TSS", X64_SIGSEGV, X64_SI_KERNEL },
	[11] = { "segment not present", X64_SIGBUS, X64_SI_KERNEL },
	[12] = { "stack-segment fault", X64_SIGBUS, X64_SI_KERNEL },
	[13] = { "general protection", X64_SIGSEGV, X64_SI_KERNEL },
	[14] = { "page fault", X64_SIGSEGV, X64_SEGV_MAPERR },
	[16] = { "x87 floating-point error", X64_SIGFPE, 0 },
	[17] = { "alignment check", X64_SIGBUS, X64_BUS_ADRALN },
	[18] = { "machine check", 0, 0 },
	[19] = { "SIMD floating-point exception", X64_SIGFPE, 0 },
	[20] = { "virtualization exception", X64_SIGSEGV, X64_SI_KERNEL },
	[21] = { "control protection", X64_SIGSEGV, X64_SI_KERNEL },
};

static void exception(struct hal_trapframe *tf)
{
	unsigned vec = tf->vector;
	const struct exc_info *e = &exceptions[vec];
	const char *name = e->name ? e->name : "reserved exception";
	uintptr_t addr = 0;
	int code = e->code;

	if (!from_user(tf) || !e->signo) {
		/* #GP inside usercopy: a non-canonical user pointer (profiles
		 * without access_ok). */
		const struct x64_extable *fix = vec == 13 ? extable_find(tf->rip) : 0;

		if (fix) {
			tf->rip = fix->fixup_ip;
			return;
		}
		kernel_fault(tf, name, tf->rip);
	}

	switch (vec) {
	case 0:
	case 6:
	case 9:
	case 16:
	case 19:
		addr = tf->rip; /* si_addr: the faulting instruction */
		break;
	}
	if (vec == 16) {
		uint16_t cw, sw;

		__asm__ volatile("fnstcw %0; fnstsw %1" : "=m"(cw), "=m"(sw));
		code = fpe_code(sw & ~cw & 0x3f);
	} else if (vec == 19) {
		uint32_t mxcsr;

		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
		code = fpe_code(mxcsr & ~(mxcsr >> 7) & 0x3f);
	}
	hal_irq_enable();
	kernel_user_exception(tf, e->signo, code, addr);
}

void x64_trap(struct hal_trapframe *tf)
{
	unsigned vec = tf->vector;

	if (vec >= VEC_IRQ_BASE) {
		x64_irq_dispatch(tf);
	} else if (vec == 14) {
		page_fault(tf);
	} else if (vec == 2) {
		/* NMI: nothing raises one on purpose here (no watchdog, no
		 * IPIs); ignore it. It runs on its IST stack: never reschedule. */
		return;
	} else {
		exception(tf);
	}
	if (from_user(tf))
		x64_user_return(tf);
	else
		hal_irq_disable();
}
