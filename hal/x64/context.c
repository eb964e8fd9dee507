/* Thread contexts, trapframe accessors and the eager FPU/TLS switch
 * (hal/include/hal/context.h). The FPU/SSE state is the 512-byte FXSAVE
 * image [Intel SDM Vol. 1 §10.5.1]; the kernel never uses those
 * registers (-mno-sse), so while a task runs in the kernel the live
 * registers still hold its user state. */
#include <hal/context.h>
#include <hal/cpu.h>
#include <string.h>
#include "x64.h"

_Static_assert(__builtin_offsetof(struct hal_context, rbx) == CTX_RBX, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_context, rbp) == CTX_RBP, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_context, r12) == CTX_R12, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_context, r13) == CTX_R13, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_context, r14) == CTX_R14, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_context, r15) == CTX_R15, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_context, rsp) == CTX_RSP, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_context, rip) == CTX_RIP, "asm offset");
_Static_assert(__builtin_offsetof(struct hal_context, rflags) == CTX_RFLAGS, "asm offset");

/* The FXSAVE image of the state after FNINIT with MXCSR = 0x1f80: FCW
 * 0x37f (all exceptions masked, 64-bit precision, round to nearest), empty
 * tags, MXCSR default [Intel SDM Vol. 1 §8.1.5, §10.2.3.1]. */
static const uint8_t fpu_init_image[HAL_X64_FXSAVE_SIZE] __aligned(16) = {
	[0] = 0x7f,
	[1] = 0x03, /* FCW */
	[24] = 0x80,
	[25] = 0x1f, /* MXCSR */
};

/* The context whose registers are live on each CPU (NULL before its first
 * switch: the boot context); each entry written only by its CPU. */
static struct hal_context *running_on[HAL_MAX_CPUS];
#define running (running_on[hal_cpu_id()])

static uint8_t *fxarea(const struct hal_context *ctx)
{
	return (uint8_t *)(((uintptr_t)ctx->fxarea + 15) & ~(uintptr_t)15);
}

static void fxsave(void *p)
{
	__asm__ volatile("fxsave64 (%0)" : : "r"(p) : "memory");
}

static void fxrstor(const void *p)
{
	__asm__ volatile("fxrstor64 (%0)" : : "r"(p) : "memory");
}

static bool canonical(uint64_t v)
{
	return v < 0x0000800000000000ULL || v >= 0xffff800000000000ULL;
}

struct hal_trapframe *hal_kstack_trapframe(void *kstack_top)
{
	return (struct hal_trapframe *)kstack_top - 1;
}

unsigned long hal_tf_arg(const struct hal_trapframe *tf, unsigned i)
{
	switch (i) {
	case 0: return tf->rdi;
	case 1: return tf->rsi;
	case 2: return tf->rdx;
	case 3: return tf->r10;
	case 4: return tf->r8;
	case 5: return tf->r9;
	}
	return 0;
}

/* SYSCALL is 2 bytes (0f 05): back up over it and reload the number. */
void hal_tf_restart_syscall(struct hal_trapframe *tf)
{
	tf->rax = tf->orig_rax;
	tf->rip -= 2;
}

uintptr_t hal_tf_fp(const struct hal_trapframe *tf)
{
	return tf->rbp;
}

uintptr_t hal_tf_pc(const struct hal_trapframe *tf)
{
	return tf->rip;
}

void hal_tf_set_pc(struct hal_trapframe *tf, uintptr_t pc)
{
	tf->rip = pc;
}

uintptr_t hal_tf_sp(const struct hal_trapframe *tf)
{
	return tf->rsp;
}

void hal_tf_set_sp(struct hal_trapframe *tf, uintptr_t sp)
{
	tf->rsp = sp;
}

bool hal_tf_from_user(const struct hal_trapframe *tf)
{
	return (tf->cs & 3) == 3;
}

void hal_tf_init_user(struct hal_trapframe *tf, uintptr_t entry, uintptr_t sp)
{
	memset(tf, 0, sizeof(*tf));
	tf->orig_rax = ~0ULL;
	tf->rip = entry;
	tf->rsp = sp;
	tf->cs = GDT_USER_CS;
	tf->ss = GDT_USER_DS;
	tf->rflags = RFLAGS_IF | RFLAGS_FIXED;
}

void hal_context_init(struct hal_context *ctx, void *kstack_top, void (*fn)(void *), void *arg)
{
	memset(ctx, 0, sizeof(*ctx));
	/* Below the trapframe slot; 16-byte aligned, so fn is entered with
	 * rsp + 8 aligned as after a call [System V AMD64 ABI §3.2.2]. */
	ctx->rsp = (uintptr_t)hal_kstack_trapframe(kstack_top) & ~(uintptr_t)15;
	ctx->rip = (uintptr_t)x64_task_entry;
	ctx->r12 = (uintptr_t)fn;
	ctx->r13 = (uintptr_t)arg;
	ctx->rflags = RFLAGS_FIXED; /* interrupts off until x64_task_entry's sti */
	ctx->kstack_top = (uintptr_t)kstack_top;
	memcpy(fxarea(ctx), fpu_init_image, HAL_X64_FXSAVE_SIZE);
}

void hal_context_switch(struct hal_context *from, struct hal_context *to, int *from_on_cpu)
{
	fxsave(fxarea(from));
	fxrstor(fxarea(to));
	wrmsr(MSR_FS_BASE, to->fs_base);
	if (to->kstack_top)
		x64_set_kernel_stack(to->kstack_top);
	running = to;
	x64_switch_stack(from, to, from_on_cpu);
}

/* Bring the saved image of ctx up to date with the live registers. */
static void fpu_sync(const struct hal_context *ctx)
{
	if (ctx == running)
		fxsave(fxarea(ctx));
}

void hal_context_copy_user_state(struct hal_context *dst, const struct hal_context *src)
{
	fpu_sync(src);
	memcpy(fxarea(dst), fxarea(src), HAL_X64_FXSAVE_SIZE);
	if (dst == running)
		fxrstor(fxarea(dst));
	hal_context_set_tls(dst, src->fs_base, dst == running);
}

void hal_context_reset_user_state(struct hal_context *ctx)
{
	memcpy(fxarea(ctx), fpu_init_image, HAL_X64_FXSAVE_SIZE);
	if (ctx == running)
		fxrstor(fxarea(ctx));
	hal_context_set_tls(ctx, 0, ctx == running);
}

/* A non-canonical base would #GP on WRMSR [Intel SDM Vol. 4 §2.1,
 * IA32_FS_BASE]; the core rejects addresses >= USER_TOP (arch_prctl:
 * -EPERM), and the HAL stores 0 rather than fault. */
void hal_context_set_tls(struct hal_context *ctx, uintptr_t tls, bool is_running)
{
	ctx->fs_base = canonical(tls) ? tls : 0;
	if (is_running)
		wrmsr(MSR_FS_BASE, ctx->fs_base);
}

uintptr_t hal_context_get_tls(const struct hal_context *ctx)
{
	return ctx->fs_base;
}

/* Save the live user FPU state of ctx into buf (512 bytes, 16-aligned). */
void x64_fpu_save_user(struct hal_context *ctx, void *buf)
{
	fpu_sync(ctx);
	memcpy(buf, fxarea(ctx), HAL_X64_FXSAVE_SIZE);
}

/* Install an FXSAVE image as ctx's user FPU state (NULL: the init state).
 * MXCSR bits outside MXCSR_MASK would make FXRSTOR #GP: they are
 * cleared [Intel SDM Vol. 1 §11.6.6]. */
void x64_fpu_load_user(struct hal_context *ctx, const void *buf)
{
	uint8_t *area = fxarea(ctx);
	uint32_t mxcsr;

	memcpy(area, buf ? buf : fpu_init_image, HAL_X64_FXSAVE_SIZE);
	memcpy(&mxcsr, area + 24, 4);
	mxcsr &= x64_cpu.mxcsr_mask;
	memcpy(area + 24, &mxcsr, 4);
	if (ctx == running)
		fxrstor(area);
}

__noreturn void hal_return_to_user(struct hal_trapframe *tf)
{
	hal_irq_disable();
	if (!x64_user_frame_fixup(tf))
		tf->rip = 0; /* non-canonical: fault in user mode instead of in IRETQ */
	x64_trap_exit_to(tf);
}

_Static_assert(__builtin_offsetof(struct hal_recovery_point, rbx) == HAL_RP_RBX, "context.S");
_Static_assert(__builtin_offsetof(struct hal_recovery_point, r15) == HAL_RP_R15, "context.S");
_Static_assert(__builtin_offsetof(struct hal_recovery_point, rsp) == HAL_RP_RSP, "context.S");
_Static_assert(__builtin_offsetof(struct hal_recovery_point, rip) == HAL_RP_RIP, "context.S");
_Static_assert(__builtin_offsetof(struct hal_recovery_point, rflags) == HAL_RP_RFLAGS, "context.S");
