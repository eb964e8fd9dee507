/* Signal frames with Linux's arm64 layout, so that glibc/musl handlers,
 * their ucontext_t and sigreturn work unchanged.
 * [Linux arch/arm64/include/uapi/asm/sigcontext.h, uapi/asm/ucontext.h,
 *  arch/arm64/kernel/signal.c (get_sigframe, setup_return,
 *  restore_sigframe) — ABI facts only], [sigaction(2)], [sigreturn(2)]
 *
 * User stack, high to low:
 *   struct frame_record { fp, lr }        <- x29 of the handler
 *   struct rt_sigframe {                  <- sp of the handler, 16-aligned
 *     siginfo_t info;                     0     (128 bytes)
 *     struct ucontext uc {                128
 *       u64 uc_flags, uc_link;            128, 136
 *       stack_t uc_stack;                 144   (ss_sp, ss_flags, ss_size)
 *       sigset_t uc_sigmask;              168   (8 bytes)
 *       u8 __unused[120];                 176
 *       struct sigcontext uc_mcontext {   304   (16-aligned)
 *         u64 fault_address;              304
 *         u64 regs[31], sp, pc, pstate;   312, 560, 568, 576
 *         u8 __reserved[4096];            592   (16-aligned): records
 *             fpsimd_context {magic 0x46508001, size 528, fpsr, fpcr,
 *                             __uint128 vregs[32]}, then {0, 0}
 *   }}}                                   4688 bytes in all
 */
#include <hal/context.h>
#include <hal/frame.h>
#include <hal/mmu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/signal.h>
#include <stddef.h>
#include <string.h>
#include "arm64.h"

#define FPSIMD_MAGIC 0x46508001u
#define ESR_MAGIC 0x45535201u
#define SIGCTX_RESERVED 4096

struct sigframe_head {
	struct linux_siginfo info;
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t __ss_pad;
	uint64_t ss_size;
	uint64_t uc_sigmask;
	uint8_t uc_unused[128 - 8]; /* glibc's 1024-bit sigset_t */
	uint64_t __align;
	uint64_t fault_address;
	uint64_t regs[31];
	uint64_t sp;
	uint64_t pc;
	uint64_t pstate;
	uint64_t __align2;
	/* uc_mcontext.__reserved follows */
};
_Static_assert(offsetof(struct sigframe_head, uc_flags) == 128, "uc at 128");
_Static_assert(offsetof(struct sigframe_head, uc_sigmask) == 168, "uc_sigmask");
_Static_assert(offsetof(struct sigframe_head, fault_address) == 304, "uc_mcontext at 304");
_Static_assert(offsetof(struct sigframe_head, sp) == 560, "sigcontext.sp");
_Static_assert(offsetof(struct sigframe_head, pstate) == 576, "sigcontext.pstate");
_Static_assert(sizeof(struct sigframe_head) == 592, "__reserved at 592");

#define SIGFRAME_SIZE (sizeof(struct sigframe_head) + SIGCTX_RESERVED) /* 4688 */
_Static_assert(SIGFRAME_SIZE % 16 == 0, "sizeof(struct rt_sigframe)");

struct aarch64_ctx {
	uint32_t magic;
	uint32_t size;
};

struct fpsimd_head {
	struct aarch64_ctx head;
	uint32_t fpsr;
	uint32_t fpcr;
	/* __uint128_t vregs[32] follows */
};
#define FPSIMD_CTX_SIZE (sizeof(struct fpsimd_head) + 512) /* 528 */

static bool is_fault_signal(const struct linux_siginfo *si)
{
	switch (si->si_signo) {
	case SIGILL:
	case SIGFPE:
	case SIGSEGV:
	case SIGBUS:
	case SIGTRAP: return si->si_code > 0; /* raised by the kernel, si_addr valid */
	}
	return false;
}

size_t hal_signal_frame_size(void)
{
	/* The frame record, 16-byte alignment, then the frame (Linux's
	 * signal_minsigstksz). */
	return 16 + 15 + SIGFRAME_SIZE;
}

int hal_signal_push_frame(struct hal_trapframe *tf, struct hal_context *ctx,
			  const struct hal_sigframe_info *info)
{
	uintptr_t record = (info->sp - 16) & ~(uintptr_t)15;
	uintptr_t frame = record - SIGFRAME_SIZE;
	uintptr_t fpctx = frame + sizeof(struct sigframe_head);
	struct sigframe_head h;

	if (info->sp < SIGFRAME_SIZE + 32 || !access_ok(frame, info->sp - frame))
		return -EFAULT;
	if (arm64_context_is_live(ctx))
		arm64_fpsimd_save(&ctx->fpsimd);

	memset(&h, 0, sizeof(h));
	memcpy(&h.info, info->siginfo, sizeof(h.info));
	h.uc_sigmask = info->saved_mask;
	if (is_fault_signal(&h.info))
		h.fault_address = h.info.u.fault.addr;
	memcpy(h.regs, tf->regs, sizeof(h.regs));
	h.sp = tf->sp;
	h.pc = tf->pc;
	h.pstate = tf->pstate;

	struct fpsimd_head fh = {
		.head = { FPSIMD_MAGIC, FPSIMD_CTX_SIZE },
		.fpsr = ctx->fpsimd.fpsr,
		.fpcr = ctx->fpsimd.fpcr,
	};
	struct aarch64_ctx end = { 0, 0 };
	uint64_t fr[2] = { tf->regs[29], tf->regs[30] };

	if (copy_to_user(frame, &h, sizeof(h)) || copy_to_user(fpctx, &fh, sizeof(fh)) ||
	    copy_to_user(fpctx + sizeof(fh), ctx->fpsimd.vregs, sizeof(ctx->fpsimd.vregs)) ||
	    copy_to_user(fpctx + FPSIMD_CTX_SIZE, &end, sizeof(end)) ||
	    copy_to_user(record, fr, sizeof(fr)))
		return -EFAULT;

	/* setup_return: handler(sig, &info, &uc) returning to the restorer. */
	tf->regs[0] = (uint64_t)info->signo;
	if (info->want_siginfo) {
		tf->regs[1] = frame;
		tf->regs[2] = frame + offsetof(struct sigframe_head, uc_flags);
	}
	tf->regs[29] = record;
	tf->regs[30] = info->restorer;
	tf->sp = frame;
	tf->pc = info->handler;
	return 0;
}

int hal_signal_pop_frame(struct hal_trapframe *tf, struct hal_context *ctx, uint64_t *mask)
{
	uintptr_t frame = tf->sp;
	uintptr_t reserved = frame + sizeof(struct sigframe_head);
	struct sigframe_head h;
	struct hal_fpsimd_state fp;
	bool have_fp = false;

	if ((frame & 15) || copy_from_user(&h, frame, sizeof(h)))
		return -EFAULT;

	/* Walk the records of __reserved: fpsimd_context is required, an
	 * esr_context is skipped, anything else is refused (as Linux). */
	for (size_t off = 0; off + sizeof(struct aarch64_ctx) <= SIGCTX_RESERVED;) {
		struct aarch64_ctx c;
		if (copy_from_user(&c, reserved + off, sizeof(c)))
			return -EFAULT;
		if (c.magic == 0) {
			if (c.size != 0)
				return -EFAULT;
			break;
		}
		if (c.size < sizeof(c) || c.size % 16 || c.size > SIGCTX_RESERVED - off)
			return -EFAULT;
		if (c.magic == FPSIMD_MAGIC) {
			struct fpsimd_head fh;
			if (c.size != FPSIMD_CTX_SIZE || have_fp ||
			    copy_from_user(&fh, reserved + off, sizeof(fh)) ||
			    copy_from_user(fp.vregs, reserved + off + sizeof(fh), sizeof(fp.vregs)))
				return -EFAULT;
			fp.fpsr = fh.fpsr;
			fp.fpcr = fh.fpcr;
			fp.__pad = 0;
			have_fp = true;
		} else if (c.magic != ESR_MAGIC) {
			return -EFAULT;
		}
		off += c.size;
	}
	if (!have_fp)
		return -EFAULT;

	memcpy(tf->regs, h.regs, sizeof(tf->regs));
	tf->sp = h.sp;
	tf->pc = h.pc;
	/* Only the condition flags come from user memory: always EL0t,
	 * AArch64, interrupts unmasked. */
	tf->pstate = (h.pstate & PSR_NZCV_MASK) | PSR_MODE_EL0T;
	tf->syscallno = -1; /* the core must not restart rt_sigreturn itself */
	ctx->fpsimd = fp;
	if (arm64_context_is_live(ctx))
		arm64_fpsimd_load(&ctx->fpsimd);
	*mask = h.uc_sigmask;
	return 0;
}

/* `mov x8, #139 (__NR_rt_sigreturn); svc #0` [Arm ARM C6.2.191 MOVZ, C6.2.317 SVC]. */
static const uint32_t sigtramp_code[] = { 0xd2801168, 0xd4000001 };
static paddr_t sigtramp_frame;

paddr_t hal_sigtramp_page(void)
{
	if (!sigtramp_frame) {
		paddr_t pa = frame_alloc(0);
		if (!pa)
			return 0;
		frame_write(pa, 0, sigtramp_code, sizeof(sigtramp_code));
		arm64_sync_icache((uintptr_t)hal_phys_to_virt(pa), sizeof(sigtramp_code));
		sigtramp_frame = pa;
	}
	return sigtramp_frame;
}
