/* The x86_64 user-copy primitives (hal/common/usercopy_arch.h) over the
 * fault-fixup routines of usercopy.S; the policy is hal/common/usercopy.c. */
#include "hal/common/usercopy_arch.h"
#include "x64.h"

size_t hal_arch_copy_from_user(void *dst, uintptr_t usrc, size_t n)
{
	return hal_user_copy(dst, (const void *)usrc, n);
}

size_t hal_arch_copy_to_user(uintptr_t udst, const void *src, size_t n)
{
	return hal_user_copy((void *)udst, src, n);
}

size_t hal_arch_clear_user(uintptr_t udst, size_t n)
{
	return x64_user_zero((void *)udst, n);
}
