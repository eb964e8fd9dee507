/* Trapframe accessors and thread contexts (<hal/context.h>) for arm64.
 * Linux AArch64 syscall ABI: number in x8, arguments x0-x5, result x0,
 * `svc #0` [Linux Documentation/arm64 + syscall(2) "Architecture calling
 * conventions"]. User PSTATE is EL0t, AArch64, DAIF clear [Arm ARM C5.2.18].
 *
 * FP/SIMD and TPIDR_EL0 belong to user space only; they stay live in the
 * CPU while the task runs in the kernel and are switched eagerly by
 * hal_context_switch(). Functions that get a context check whether it is
 * the live one (arm64_context_is_live()) to read or write the registers
 * instead of the saved copy.
 */
#include <hal/context.h>
#include <hal/cpu.h>
#include <stddef.h>
#include <string.h>
#include "arm64.h"

_Static_assert(offsetof(struct hal_trapframe, regs) == HAL_TF_OFF_REGS, "tf regs");
_Static_assert(offsetof(struct hal_trapframe, sp) == HAL_TF_OFF_SP, "tf sp");
_Static_assert(offsetof(struct hal_trapframe, pc) == HAL_TF_OFF_PC, "tf pc");
_Static_assert(offsetof(struct hal_trapframe, pstate) == HAL_TF_OFF_PSTATE, "tf pstate");
_Static_assert(offsetof(struct hal_trapframe, orig_x0) == HAL_TF_OFF_ORIG_X0, "tf orig_x0");
_Static_assert(offsetof(struct hal_trapframe, syscallno) == HAL_TF_OFF_SYSCALLNO, "tf nr");
_Static_assert(sizeof(struct hal_trapframe) == HAL_TF_SIZE, "tf size");
_Static_assert(HAL_TF_SIZE % 16 == 0, "sp stays 16-byte aligned");
_Static_assert(offsetof(struct hal_context, x19_x28) == HAL_CTX_OFF_X19, "ctx x19");
_Static_assert(offsetof(struct hal_context, fp) == HAL_CTX_OFF_FP, "ctx fp");
_Static_assert(offsetof(struct hal_context, sp) == HAL_CTX_OFF_SP, "ctx sp");
_Static_assert(offsetof(struct hal_context, lr) == HAL_CTX_OFF_LR, "ctx lr");
_Static_assert(offsetof(struct hal_context, tls) == HAL_CTX_OFF_TLS, "ctx tls");
_Static_assert(offsetof(struct hal_context, tls) == HAL_CTX_OFF_LR + 8, "ldp lr, tls");
_Static_assert(offsetof(struct hal_context, kstack_top) == HAL_CTX_OFF_KSTACK_TOP, "ctx kstack");
_Static_assert(offsetof(struct hal_context, fpsimd) == HAL_CTX_OFF_FPSIMD, "ctx fpsimd");
_Static_assert(offsetof(struct hal_fpsimd_state, fpsr) == HAL_FPSIMD_OFF_FPSR, "fpsr");
_Static_assert(offsetof(struct hal_fpsimd_state, fpcr) == HAL_FPSIMD_OFF_FPCR, "fpcr");
_Static_assert(sizeof(struct hal_fpsimd_state) == HAL_FPSIMD_SIZE, "fpsimd size");

/* The context whose user state is in the registers: the last `to` of
 * hal_context_switch(). NULL until the first switch; then the code running
 * (the boot thread, possibly turned into the first user task) owns them. */
static struct hal_context *live_on[ARM64_MAX_CPUS]; /* each written by its CPU */
#define live_ctx (live_on[hal_cpu_id()])

bool arm64_context_is_live(const struct hal_context *ctx)
{
	struct hal_context *live = live_ctx;

	return ctx == live || live == NULL;
}

struct hal_trapframe *hal_kstack_trapframe(void *kstack_top)
{
	return (struct hal_trapframe *)kstack_top - 1;
}

unsigned long hal_tf_arg(const struct hal_trapframe *tf, unsigned i)
{
	return i < 6 ? tf->regs[i] : 0;
}

/* Re-execute the `svc #0` (4 bytes) with its original x0; x8 is intact. */
void hal_tf_restart_syscall(struct hal_trapframe *tf)
{
	tf->regs[0] = tf->orig_x0;
	tf->pc -= 4;
}

uintptr_t hal_tf_fp(const struct hal_trapframe *tf)
{
	return tf->regs[29];
}

uintptr_t hal_tf_pc(const struct hal_trapframe *tf)
{
	return tf->pc;
}

void hal_tf_set_pc(struct hal_trapframe *tf, uintptr_t pc)
{
	tf->pc = pc;
}

uintptr_t hal_tf_sp(const struct hal_trapframe *tf)
{
	return tf->sp;
}

void hal_tf_set_sp(struct hal_trapframe *tf, uintptr_t sp)
{
	tf->sp = sp;
}

bool hal_tf_from_user(const struct hal_trapframe *tf)
{
	return (tf->pstate & (PSR_MODE_MASK | PSR_MODE32)) == PSR_MODE_EL0T;
}

void hal_tf_init_user(struct hal_trapframe *tf, uintptr_t entry, uintptr_t sp)
{
	memset(tf, 0, sizeof(*tf));
	tf->pc = entry;
	tf->sp = sp;
	tf->pstate = PSR_MODE_EL0T; /* AArch64 EL0, interrupts unmasked */
	tf->syscallno = -1;
}

void hal_context_init(struct hal_context *ctx, void *kstack_top, void (*fn)(void *), void *arg)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->x19_x28[0] = (uint64_t)(uintptr_t)fn;
	ctx->x19_x28[1] = (uint64_t)(uintptr_t)arg;
	ctx->sp = (uint64_t)(uintptr_t)hal_kstack_trapframe(kstack_top); /* 16-aligned */
	ctx->lr = (uint64_t)(uintptr_t)arm64_task_entry;
	ctx->fp = 0; /* ends backtraces */
	ctx->kstack_top = (uint64_t)(uintptr_t)kstack_top;
}

void hal_context_switch(struct hal_context *from, struct hal_context *to, int *from_on_cpu)
{
	live_ctx = to;
	arm64_context_switch(from, to, from_on_cpu);
}

void hal_context_copy_user_state(struct hal_context *dst, const struct hal_context *src)
{
	if (arm64_context_is_live(src)) {
		arm64_fpsimd_save(&dst->fpsimd);
		dst->tls = read_sysreg(tpidr_el0);
	} else {
		dst->fpsimd = src->fpsimd;
		dst->tls = src->tls;
	}
}

void hal_context_reset_user_state(struct hal_context *ctx)
{
	memset(&ctx->fpsimd, 0, sizeof(ctx->fpsimd)); /* FPCR 0: round to nearest, no traps */
	ctx->tls = 0;
	if (arm64_context_is_live(ctx)) {
		arm64_fpsimd_load(&ctx->fpsimd);
		write_sysreg(tpidr_el0, 0);
	}
}

void hal_context_set_tls(struct hal_context *ctx, uintptr_t tls, bool running)
{
	ctx->tls = tls;
	if (running)
		write_sysreg(tpidr_el0, tls);
}

uintptr_t hal_context_get_tls(const struct hal_context *ctx)
{
	if (arm64_context_is_live(ctx)) /* EL0 may have written it directly */
		return read_sysreg(tpidr_el0);
	return ctx->tls;
}
