/* x86_64 register frames and thread contexts (see <hal/context.h>).
 *
 * struct hal_trapframe is what every entry from user mode (SYSCALL,
 * exceptions, interrupts) saves at the top of the task's kernel stack.
 * Its upper five words are the frame the CPU itself pushes on an interrupt
 * from ring 3 after switching to TSS.rsp0 [Intel SDM Vol. 3A §6.14.2,
 * Figure 6-9]; hal/x64/entry.S pushes the rest, in the reverse order of the
 * fields below, and the SYSCALL path builds the same frame by hand.
 */
#ifndef HAL_ARCH_CONTEXT_H
#define HAL_ARCH_CONTEXT_H
#include <hal/types.h>

/* Kernel stack per task, bytes. */
#define HAL_KSTACK_SIZE (16 * 1024)

struct hal_trapframe {
	uint64_t
		cr2; /* page faults: the faulting address; else 0 (keeps the frame 16-byte sized) */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t orig_rax; /* SYSCALL: rax at entry (the syscall number); else ~0 */
	uint64_t vector;   /* exception/IRQ vector, or HAL_X64_VEC_SYSCALL */
	uint64_t error;	   /* CPU error code, or 0 */
	/* Pushed by the CPU (or by the SYSCALL entry): */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* The system call accessors of <hal/context.h>, inline: one load or
 * store each, on every system call. */
static inline unsigned long hal_tf_syscall_nr(const struct hal_trapframe *tf)
{
	return tf->orig_rax;
}

static inline void hal_tf_args(const struct hal_trapframe *tf, unsigned long args[6])
{
	args[0] = tf->rdi;
	args[1] = tf->rsi;
	args[2] = tf->rdx;
	args[3] = tf->r10;
	args[4] = tf->r8;
	args[5] = tf->r9;
}

static inline void hal_tf_set_return(struct hal_trapframe *tf, long v)
{
	tf->rax = (uint64_t)v;
}

/* The trapframe's vector for SYSCALL entries (not a real IDT vector). */
#define HAL_X64_VEC_SYSCALL 0x100

/* Bytes of the legacy FXSAVE image [Intel SDM Vol. 1 §10.5.1, Table 10-2]. */
#define HAL_X64_FXSAVE_SIZE 512

/* Kernel-side state of a thread. The callee-saved registers, rsp, rip and
 * rflags are what hal_context_switch() saves; the user's FPU/SSE registers
 * and FS base are switched eagerly with them (the kernel itself is built
 * with -mno-sse and never touches them). */
struct hal_context {
	uint64_t rbx, rbp, r12, r13, r14, r15; /* callee-saved [SysV ABI §3.2.1] */
	uint64_t rsp;
	uint64_t rip;	     /* where the switch resumes */
	uint64_t rflags;     /* IF state is part of the context */
	uint64_t kstack_top; /* TSS.rsp0 and the SYSCALL stack while this runs; 0 = unchanged */
	uint64_t fs_base;    /* user TLS (arch_prctl ARCH_SET_FS) */
	/* FXSAVE image; the HAL uses the 16-byte-aligned 512 bytes inside, so
	 * the struct itself needs no special alignment from the allocator. */
	uint8_t fxarea[HAL_X64_FXSAVE_SIZE + 16];
};

/* hal_recovery_save()/hal_recovery_resume() (<hal/recover.h>); offsets used
 * by hal/x64/context.S. */
struct hal_recovery_point {
	uint64_t rbx, rbp, r12, r13, r14, r15;
	uint64_t rsp; /* as after the save's return */
	uint64_t rip; /* the save's return address */
	uint64_t rflags;
};
#define HAL_RP_RBX 0
#define HAL_RP_RBP 8
#define HAL_RP_R12 16
#define HAL_RP_R13 24
#define HAL_RP_R14 32
#define HAL_RP_R15 40
#define HAL_RP_RSP 48
#define HAL_RP_RIP 56
#define HAL_RP_RFLAGS 64

#endif
