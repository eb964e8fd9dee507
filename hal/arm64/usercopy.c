/* The arm64 user-copy primitives (hal/common/usercopy_arch.h) over the
 * LDTR/STTR routines of usercopy.S; the policy is hal/common/usercopy.c. */
#include "hal/common/usercopy_arch.h"
#include "arm64.h"

size_t hal_arch_copy_from_user(void *dst, uintptr_t usrc, size_t n)
{
	return arm64_copy_from_user(dst, (const void *)usrc, n);
}

size_t hal_arch_copy_to_user(uintptr_t udst, const void *src, size_t n)
{
	return arm64_copy_to_user((void *)udst, src, n);
}

/* usercopy.S has no zeroing routine: copy from a page of zeros (STTR only). */
size_t hal_arch_clear_user(uintptr_t udst, size_t n)
{
	static const uint8_t zeros[256];

	while (n) {
		size_t chunk = MIN(n, sizeof(zeros));
		size_t left = arm64_copy_to_user((void *)udst, zeros, chunk);

		if (left)
			return n - (chunk - left);
		udst += chunk;
		n -= chunk;
	}
	return 0;
}
