/* Stack protector support (-fstack-protector-strong in the hardened
 * profiles): the canary the compiler checks in function epilogues, and
 * what it calls on a mismatch. The guard starts as a fixed non-zero value
 * with a NUL byte (stops string overflows) and is re-keyed from the CSPRNG
 * by random_init(), before any task runs (only frames live at that moment
 * compare against the old value, and kernel_main never returns). */
#include <hal/types.h>
#include <kernel/printk.h>
#include <kernel/random.h>

uintptr_t __stack_chk_guard = 0x00e2a9c47d1b5f00UL;

/* Called by compiler-generated code when a function's canary was
 * overwritten: the stack is corrupt, so stop the kernel. */
__noreturn void __stack_chk_fail(void);
__noreturn void __stack_chk_fail(void)
{
	panic("stack protector: stack smashing detected");
}

/* Replace the canary with a random value (low byte kept 0). Runs without
 * a canary of its own, so changing the guard cannot trip its own check;
 * called by kernel_main (which never returns) once the CSPRNG is seeded. */
__attribute__((no_stack_protector)) void stack_protector_reseed(void)
{
	uintptr_t v;

	get_random_bytes(&v, sizeof(v));
	__stack_chk_guard = v & ~(uintptr_t)0xff;
}
