/* Threads of execution: user register frames, kernel contexts, FPU and TLS.
 *
 * Every task has a kernel stack of HAL_KSTACK_SIZE bytes. When a task enters
 * the kernel from user mode, the HAL saves the user registers in the
 * struct hal_trapframe at the very top of that stack
 * (hal_kstack_trapframe()); the core reads and edits it there.
 * struct hal_context is the kernel-side state a context switch saves
 * (callee-saved registers, stack pointer) plus the user's FPU/SIMD state
 * and TLS register, switched eagerly.
 * The layouts come from <hal/arch/context.h>.
 */
#ifndef HAL_CONTEXT_H
#define HAL_CONTEXT_H
#include <hal/types.h>
#include <hal/arch/context.h> /* struct hal_trapframe, struct hal_context, HAL_KSTACK_SIZE */

/* The user frame slot at the top of a kernel stack whose highest address
 * (exclusive) is kstack_top. */
struct hal_trapframe *hal_kstack_trapframe(void *kstack_top);

/* System call number and arguments 0..5 (Linux ABI: rax, rdi, rsi, rdx,
 * r10, r8, r9 on x86_64; x8, x0-x5 on arm64). */
unsigned long hal_tf_arg(const struct hal_trapframe *tf, unsigned i);
/* Inline in <hal/arch/context.h>, being on every system call's path:
 *   unsigned long hal_tf_syscall_nr(const struct hal_trapframe *tf);
 *   void hal_tf_args(const struct hal_trapframe *tf, unsigned long args[6]);
 *     all six arguments at once;
 *   void hal_tf_set_return(struct hal_trapframe *tf, long v);
 *     the syscall return value (rax / x0). */
/* Make the interrupted syscall run again on return (for -ERESTARTSYS after
 * a handler with SA_RESTART): rewinds the pc and restores the argument. */
void hal_tf_restart_syscall(struct hal_trapframe *tf);
uintptr_t hal_tf_pc(const struct hal_trapframe *tf);
/* Resume user mode at pc (a user address; rseq(2) moves an interrupted
 * critical section to its abort handler). */
void hal_tf_set_pc(struct hal_trapframe *tf, uintptr_t pc);
/* The frame pointer (rbp / x29) saved in tf, for a backtrace of the
 * interrupted code (hal_backtrace() in <hal/cpu.h>). */
uintptr_t hal_tf_fp(const struct hal_trapframe *tf);
uintptr_t hal_tf_sp(const struct hal_trapframe *tf);
void hal_tf_set_sp(struct hal_trapframe *tf, uintptr_t sp);
bool hal_tf_from_user(const struct hal_trapframe *tf);
/* Reset tf for a fresh user program (execve): all registers zero, user
 * mode, pc = entry, sp = sp, interrupts enabled. */
void hal_tf_init_user(struct hal_trapframe *tf, uintptr_t entry, uintptr_t sp);

/* Prepare ctx so that the first hal_context_switch() to it calls fn(arg)
 * on the stack ending at kstack_top (below the trapframe slot), with
 * interrupts enabled. fn must not return. FPU state is reset. */
void hal_context_init(struct hal_context *ctx, void *kstack_top, void (*fn)(void *), void *arg);
/* Save the current CPU state in from and resume to. Returns when something
 * switches back to from. Interrupts must be masked by the caller; they are
 * restored to the state `to` had. Also switches FPU/SIMD state, the TLS
 * register and the kernel stack used for traps (TSS.rsp0 on x86_64) of
 * this CPU. If from_on_cpu is not NULL, 0 is stored there (release) once
 * every register of from is saved and before anything of `to` is loaded,
 * without touching from's stack afterwards: from that store on another CPU
 * may resume from (Linux's p->on_cpu, cleared in finish_task_switch()). */
void hal_context_switch(struct hal_context *from, struct hal_context *to, int *from_on_cpu);
/* Copy the user-visible extended state (FPU/SIMD registers, TLS) of src
 * into dst, for fork(). src may be the running task. */
void hal_context_copy_user_state(struct hal_context *dst, const struct hal_context *src);
/* Reset the user extended state (FPU defaults, TLS 0), for execve(). */
void hal_context_reset_user_state(struct hal_context *ctx);
/* Set the TLS register value of ctx (FS base on x86_64 via arch_prctl
 * ARCH_SET_FS, TPIDR_EL0 on arm64). If ctx is the running task's, the
 * register is loaded immediately. */
void hal_context_set_tls(struct hal_context *ctx, uintptr_t tls, bool running);
uintptr_t hal_context_get_tls(const struct hal_context *ctx);

/* Leave the kernel into user mode with the registers in tf (which must be
 * the trapframe slot of the current kernel stack). Used by a new task's
 * first entry (fork child, init's first execve). */
__noreturn void hal_return_to_user(struct hal_trapframe *tf);

/* Signal frames, Linux layout per arch (x86_64: struct rt_sigframe with
 * ucontext and fpstate, arm64: rt_sigframe with sigcontext and
 * fpsimd_context). [signal(7)], [sigreturn(2)], Linux
 * arch/<arch>/kernel/signal.c ABI. */
struct hal_sigframe_info {
	int signo;
	const void *siginfo; /* 128-byte Linux siginfo_t, already filled */
	uintptr_t handler;   /* user pc of the handler */
	uintptr_t restorer;  /* user pc of the rt_sigreturn trampoline */
	uint64_t saved_mask; /* blocked mask to restore in rt_sigreturn */
	uintptr_t sp;	     /* user stack to build the frame on (sigaltstack or current sp) */
	bool want_siginfo;   /* SA_SIGINFO */
};
/* The most bytes of user stack hal_signal_push_frame() uses below
 * hal_sigframe_info.sp (alignment included): the auxiliary vector's
 * AT_MINSIGSTKSZ, as Linux computes signal_minsigstksz. */
size_t hal_signal_frame_size(void);
/* Build the frame on the user stack and point tf at the handler.
 * Returns 0 or -EFAULT if the user stack cannot take the frame. */
int hal_signal_push_frame(struct hal_trapframe *tf, struct hal_context *ctx,
			  const struct hal_sigframe_info *info);
/* rt_sigreturn: restore tf, FPU state and *mask from the frame at the
 * user sp. Privileged bits of the saved state are ignored.
 * Returns 0 or -EFAULT (then the core kills the task with SIGSEGV). */
int hal_signal_pop_frame(struct hal_trapframe *tf, struct hal_context *ctx, uint64_t *mask);

/* A frame holding, at offset 0, the arch's signal-return trampoline
 * (the rt_sigreturn syscall) for handlers installed without SA_RESTORER
 * (glibc on arm64 relies on it). The core maps it read+exec into every
 * process and passes its user address as hal_sigframe_info.restorer.
 * Returns the frame's physical address (allocated once). */
paddr_t hal_sigtramp_page(void);

#endif
