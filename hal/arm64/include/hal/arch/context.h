/* arm64 register frames and thread contexts (the layouts behind
 * <hal/context.h>). The offsets are used from hal/arm64/entry.S and
 * context.S: the HAL_*_OFF_* macros below are the single source, pinned by
 * _Static_assert in hal/arm64/context.c.
 *
 * struct hal_trapframe has the layout of the first fields of Linux's
 * struct pt_regs (regs[31], sp, pc, pstate, orig_x0, syscallno), so the
 * same restart rules apply. [Arm ARM D1.10 (exception entry), C5.2.18 SPSR_EL1]
 */
#ifndef HAL_ARCH_CONTEXT_H
#define HAL_ARCH_CONTEXT_H

#define HAL_KSTACK_SIZE 16384 /* bytes per task kernel stack */

/* struct hal_trapframe */
#define HAL_TF_OFF_REGS 0
#define HAL_TF_OFF_SP 248
#define HAL_TF_OFF_PC 256
#define HAL_TF_OFF_PSTATE 264
#define HAL_TF_OFF_ORIG_X0 272
#define HAL_TF_OFF_SYSCALLNO 280
#define HAL_TF_SIZE 288

/* struct hal_context */
#define HAL_CTX_OFF_X19 0
#define HAL_CTX_OFF_FP 80
#define HAL_CTX_OFF_SP 88
#define HAL_CTX_OFF_LR 96
#define HAL_CTX_OFF_TLS 104
#define HAL_CTX_OFF_KSTACK_TOP 112
#define HAL_CTX_OFF_FPSIMD 128
#define HAL_FPSIMD_OFF_FPSR 512
#define HAL_FPSIMD_OFF_FPCR 516
#define HAL_FPSIMD_SIZE 528

/* struct hal_recovery_point (<hal/recover.h>), used by context.S */
#define HAL_RP_OFF_X19 0
#define HAL_RP_OFF_FP 80
#define HAL_RP_OFF_SP 96
#define HAL_RP_OFF_DAIF 104

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The user (or interrupted kernel) registers, saved on exception entry at
 * the top of the kernel stack. */
struct hal_trapframe {
	uint64_t regs[31]; /* x0-x30 */
	uint64_t sp;	   /* SP_EL0 (user) or the interrupted SP_EL1 */
	uint64_t pc;	   /* ELR_EL1 */
	uint64_t pstate;   /* SPSR_EL1 */
	uint64_t orig_x0;  /* x0 at syscall entry, for restarts */
	int64_t syscallno; /* x8 at syscall entry, -1 for other exceptions */
};

/* The system call accessors of <hal/context.h>, inline: one load or
 * store each, on every system call. */
static inline unsigned long hal_tf_syscall_nr(const struct hal_trapframe *tf)
{
	return (unsigned long)tf->syscallno;
}

static inline void hal_tf_args(const struct hal_trapframe *tf, unsigned long args[6])
{
	for (unsigned i = 0; i < 6; i++)
		args[i] = tf->regs[i];
}

static inline void hal_tf_set_return(struct hal_trapframe *tf, long v)
{
	tf->regs[0] = (uint64_t)v;
}

/* The user's FP/SIMD registers: q0-q31 (two 64-bit halves each, low half
 * first, as stp q0, q1 stores them), FPSR, FPCR. 528 bytes, the payload of
 * Linux's struct fpsimd_context. [Arm ARM C5.2.7 FPCR, C5.2.8 FPSR] */
struct hal_fpsimd_state {
	uint64_t vregs[64];
	uint32_t fpsr;
	uint32_t fpcr;
	uint64_t __pad;
} __attribute__((aligned(16)));

/* What hal_context_switch() saves: AAPCS64 callee-saved registers, the
 * kernel sp and return address, and the user state the kernel itself never
 * touches (TPIDR_EL0 and FP/SIMD; the kernel is built -mgeneral-regs-only). */
struct hal_context {
	uint64_t x19_x28[10];
	uint64_t fp; /* x29 */
	uint64_t sp;
	uint64_t lr;	     /* x30: where hal_context_switch() returns to */
	uint64_t tls;	     /* TPIDR_EL0 */
	uint64_t kstack_top; /* highest address (exclusive) of the kernel stack */
	uint64_t __pad;
	struct hal_fpsimd_state fpsimd;
};
/* hal_recovery_save()/hal_recovery_resume(): x19-x28, fp, lr, sp, DAIF. */
struct hal_recovery_point {
	uint64_t x19_x28[10];
	uint64_t fp; /* x29 */
	uint64_t lr; /* x30: the save's return address */
	uint64_t sp;
	uint64_t daif;
};
_Static_assert(__builtin_offsetof(struct hal_recovery_point, fp) == HAL_RP_OFF_FP, "context.S");
_Static_assert(__builtin_offsetof(struct hal_recovery_point, sp) == HAL_RP_OFF_SP, "context.S");
_Static_assert(__builtin_offsetof(struct hal_recovery_point, daif) == HAL_RP_OFF_DAIF, "context.S");
#endif /* !__ASSEMBLER__ */

#endif
