/* Recovery points: the HAL half of service containment (DESIGN §5).
 *
 * hal_recovery_save() records the callee-saved registers, the stack pointer,
 * the return address and the interrupt mask of its caller, like setjmp(3);
 * hal_recovery_resume() makes that call return a second time, with val,
 * like longjmp(3). The core uses them in svc_call() (<kernel/service.h>) to
 * unwind a panic or a kernel fault raised inside a ring-2 service back to the
 * boundary where the core called it.
 *
 * Rules: the function that called hal_recovery_save() must still be active
 * (its frame below the resume point on the same kernel stack) when
 * hal_recovery_resume() is called; the resume may come from a trap handler
 * running on that stack (the exception frame above it is discarded). The
 * interrupt mask is restored to what it was at the save (x86_64 RFLAGS.IF,
 * arm64 PSTATE.DAIF). No other state (FPU, TLB, locks) is touched.
 * [System V AMD64 ABI §3.2.1], [AAPCS64 §6.1.1] callee-saved registers.
 */
#ifndef HAL_RECOVER_H
#define HAL_RECOVER_H
#include <hal/types.h>
#include <hal/arch/context.h> /* struct hal_recovery_point */

/* Returns 0 when called, or the nonzero val given to hal_recovery_resume(). */
__attribute__((returns_twice)) int hal_recovery_save(struct hal_recovery_point *rp);
/* Resume at rp's save with val (nonzero; 0 becomes 1). Never returns. */
__noreturn void hal_recovery_resume(struct hal_recovery_point *rp, int val);

/* True while an interrupt handler runs on this CPU (hal_irq_request()
 * handlers, the tick): a fault there is never contained. */
bool hal_in_irq(void);

#endif
