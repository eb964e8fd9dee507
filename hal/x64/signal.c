/* Signal frames with Linux's x86_64 layout, so that glibc/musl handlers,
 * SA_SIGINFO ucontext readers and the rt_sigreturn of any libc work
 * unchanged. [Linux arch/x86/include/uapi/asm/sigcontext.h (struct
 * sigcontext_64), uapi/asm-generic/ucontext.h, arch/x86/kernel/signal.c
 * (rt_sigframe, get_sigframe)], [sigreturn(2)], [signal(7)].
 *
 * User stack at handler entry, from high to low addresses:
 *   [red zone, 128 bytes, skipped when staying on the same stack]
 *   FXSAVE fpstate (512 bytes, 64-byte aligned)
 *   struct rt_sigframe { pretcode; struct ucontext uc; siginfo info; }
 *   with (rsp + 8) % 16 == 0, rsp pointing at pretcode (as after a call).
 */
#include <hal/context.h>
#include <hal/frame.h>
#include <hal/mmu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <string.h>
#include "x64.h"

struct sigcontext64 {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate; /* user pointer to the FXSAVE image, or 0 */
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct sigcontext64) == 256, "struct sigcontext_64");
_Static_assert(__builtin_offsetof(struct sigcontext64, cs) == 144, "sigcontext cs");
_Static_assert(__builtin_offsetof(struct sigcontext64, fpstate) == 184, "sigcontext fpstate");

struct stack64 {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct ucontext64 {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct stack64 uc_stack;
	struct sigcontext64 uc_mcontext;
	uint64_t uc_sigmask; /* the kernel's sigset_t: 64 signals */
};
_Static_assert(__builtin_offsetof(struct ucontext64, uc_mcontext) == 40, "ucontext layout");
_Static_assert(sizeof(struct ucontext64) == 304, "ucontext layout");

struct rt_sigframe64 {
	uint64_t pretcode; /* the restorer: the handler's return address */
	struct ucontext64 uc;
	uint8_t info[128]; /* siginfo_t */
};
_Static_assert(__builtin_offsetof(struct rt_sigframe64, info) == 312, "rt_sigframe layout");

#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define RED_ZONE 128
/* Flags sigreturn may change: CF PF AF ZF SF TF DF OF AC (Linux FIX_EFLAGS). */
#define SIGRETURN_RFLAGS_MASK 0x40dd5

size_t hal_signal_frame_size(void)
{
	/* fpstate aligned to 64, the frame to 16, then the return-address slot. */
	return HAL_X64_FXSAVE_SIZE + 63 + sizeof(struct rt_sigframe64) + 15 + 8;
}

int hal_signal_push_frame(struct hal_trapframe *tf, struct hal_context *ctx,
			  const struct hal_sigframe_info *info)
{
	uint8_t fx[HAL_X64_FXSAVE_SIZE]; /* on the stack: copies may sleep */
	struct rt_sigframe64 f;
	struct sigcontext64 *sc = &f.uc.uc_mcontext;
	uintptr_t sp = info->sp, fp_addr, frame_addr;

	if (sp == tf->rsp)
		sp -= RED_ZONE;
	if (sp < USER_BASE + HAL_X64_FXSAVE_SIZE + sizeof(f) + 128)
		return -EFAULT;
	fp_addr = (sp - HAL_X64_FXSAVE_SIZE) & ~(uintptr_t)63;
	frame_addr = ((fp_addr - sizeof(f)) & ~(uintptr_t)15) - 8;

	memset(&f, 0, sizeof(f));
	f.pretcode = info->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.ss_flags = 2; /* SS_DISABLE: the HAL does not know the altstack */
	sc->r8 = tf->r8;
	sc->r9 = tf->r9;
	sc->r10 = tf->r10;
	sc->r11 = tf->r11;
	sc->r12 = tf->r12;
	sc->r13 = tf->r13;
	sc->r14 = tf->r14;
	sc->r15 = tf->r15;
	sc->rdi = tf->rdi;
	sc->rsi = tf->rsi;
	sc->rbp = tf->rbp;
	sc->rbx = tf->rbx;
	sc->rdx = tf->rdx;
	sc->rax = tf->rax;
	sc->rcx = tf->rcx;
	sc->rsp = tf->rsp;
	sc->rip = tf->rip;
	sc->eflags = tf->rflags;
	sc->cs = GDT_USER_CS;
	sc->ss = GDT_USER_DS;
	if (tf->vector < 32) {
		sc->trapno = tf->vector;
		sc->err = tf->error;
		sc->cr2 = tf->cr2;
	}
	sc->oldmask = info->saved_mask;
	sc->fpstate = fp_addr;
	f.uc.uc_sigmask = info->saved_mask;
	if (info->siginfo)
		memcpy(f.info, info->siginfo, sizeof(f.info));

	x64_fpu_save_user(ctx, fx);
	if (copy_to_user(fp_addr, fx, sizeof(fx)) || copy_to_user(frame_addr, &f, sizeof(f)))
		return -EFAULT;

	tf->rsp = frame_addr;
	tf->rip = info->handler;
	tf->rdi = info->signo;
	tf->rsi = frame_addr + __builtin_offsetof(struct rt_sigframe64, info);
	tf->rdx = frame_addr + __builtin_offsetof(struct rt_sigframe64, uc);
	tf->rax = 0;
	tf->rflags &= ~(uint64_t)(RFLAGS_DF | RFLAGS_TF | RFLAGS_RF);
	tf->cs = GDT_USER_CS;
	tf->ss = GDT_USER_DS;
	/* The handler starts with a clean FPU, as on Linux. */
	x64_fpu_load_user(ctx, 0);
	return 0;
}

int hal_signal_pop_frame(struct hal_trapframe *tf, struct hal_context *ctx, uint64_t *mask)
{
	uint8_t fx[HAL_X64_FXSAVE_SIZE]; /* on the stack: copies may sleep */
	struct rt_sigframe64 f;
	const struct sigcontext64 *sc = &f.uc.uc_mcontext;
	/* The handler's ret popped pretcode: the frame starts 8 bytes below. */
	uintptr_t frame_addr = tf->rsp - 8;

	if (copy_from_user(&f, frame_addr, sizeof(f)))
		return -EFAULT;
	if (sc->fpstate && copy_from_user(fx, sc->fpstate, sizeof(fx)))
		return -EFAULT;

	tf->r8 = sc->r8;
	tf->r9 = sc->r9;
	tf->r10 = sc->r10;
	tf->r11 = sc->r11;
	tf->r12 = sc->r12;
	tf->r13 = sc->r13;
	tf->r14 = sc->r14;
	tf->r15 = sc->r15;
	tf->rdi = sc->rdi;
	tf->rsi = sc->rsi;
	tf->rbp = sc->rbp;
	tf->rbx = sc->rbx;
	tf->rdx = sc->rdx;
	tf->rax = sc->rax;
	tf->rcx = sc->rcx;
	tf->rsp = sc->rsp;
	tf->rip = sc->rip;
	tf->rflags = (tf->rflags & ~(uint64_t)SIGRETURN_RFLAGS_MASK) |
		     (sc->eflags & SIGRETURN_RFLAGS_MASK);
	tf->cs = GDT_USER_CS;
	tf->ss = GDT_USER_DS;
	tf->orig_rax = ~0ULL; /* not restartable */
	x64_fpu_load_user(ctx, sc->fpstate ? fx : 0);
	*mask = f.uc.uc_sigmask;
	return 0;
}

/* mov $15, %eax (rt_sigreturn on x86_64); syscall; ud2 */
static const uint8_t sigtramp_code[] = { 0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05, 0x0f, 0x0b };

paddr_t hal_sigtramp_page(void)
{
	static paddr_t page;

	if (!page) {
		paddr_t pa = frame_alloc(0);

		if (!pa)
			return 0;
		memcpy(hal_phys_to_virt(pa), sigtramp_code, sizeof(sigtramp_code));
		page = pa;
	}
	return page;
}
