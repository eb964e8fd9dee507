/* Functions the core implements and the HAL calls from traps. All are
 * called on the current task's kernel stack. */
#ifndef HAL_UPCALL_H
#define HAL_UPCALL_H
#include <hal/types.h>
#include <hal/context.h>

/* Fault access bits for kernel_page_fault(). */
#define HAL_FAULT_READ 0x1
#define HAL_FAULT_WRITE 0x2
#define HAL_FAULT_EXEC 0x4
#define HAL_FAULT_USER 0x8     /* the fault happened in user mode */
#define HAL_FAULT_PRESENT 0x10 /* a mapping existed (permission fault) */

/* A system call: read the number and arguments with hal_tf_syscall_nr()
 * and hal_tf_arg(), store the result with hal_tf_set_return().
 * Interrupts enabled. */
void kernel_syscall(struct hal_trapframe *tf);

/* A page fault on a user address (from user mode, or from the kernel inside
 * usercopy). Returns 0 if the mapping was fixed (retry the access),
 * -EFAULT if the address is not valid for that access (user mode:
 * SIGSEGV), or -EIO if it is mapped but nothing backs the page, e.g. a
 * file mapping past end of file (user mode: SIGBUS with BUS_ADRERR
 * [mmap(2)]). Inside usercopy both make the copy fail. Interrupts enabled.
 * Faults on kernel addresses never come here: the HAL oopses. */
int kernel_page_fault(struct hal_trapframe *tf, uintptr_t addr, unsigned access);

/* A synchronous exception in user mode the core must turn into a signal:
 * signo (SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP), si_code, fault address.
 * Interrupts enabled. */
void kernel_user_exception(struct hal_trapframe *tf, int signo, int code, uintptr_t addr);

/* The periodic tick of the calling CPU (every CPU whose timer runs),
 * IRQ context, interrupts masked. */
void kernel_timer_tick(void);

/* Called on every return to user mode (after a syscall, fault or IRQ that
 * interrupted user mode), interrupts enabled: rescheduling and signal
 * delivery happen here. May modify tf (signal frames). */
void kernel_return_to_user(struct hal_trapframe *tf);

/* A secondary CPU, started by hal_cpu_start(cpu, ...), enters the core here
 * on its own HAL stack with interrupts masked, its MMU, vectors, interrupt
 * controller and timer set up. Never returns. */
__noreturn void secondary_start(unsigned cpu);

/* An inter-processor interrupt of kind (enum hal_ipi, <hal/cpu.h>) arrived
 * on this CPU. IRQ context, interrupts masked: must not sleep. */
void kernel_ipi(unsigned kind);

/* A fatal kernel fault (bad kernel pointer, undefined instruction in the
 * kernel): the core decides (contained service fault or panic). The HAL
 * passes a one-line description. Never returns to the faulting code. */
__noreturn void kernel_fault(struct hal_trapframe *tf, const char *what, uintptr_t addr);

#endif
