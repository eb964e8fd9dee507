/* copy_from_user and friends (<hal/usercopy.h>): the policy, once for every
 * arch (as Linux's lib/usercopy.c): the range check, page-wise string copies
 * and wrap-around; each arch supplies only the copy-with-fixup primitives of
 * usercopy_arch.h (hal/<arch>/usercopy.S).
 *
 * Under the Ludicrous profile the range check is left out and only the fault
 * fixup remains (DESIGN.md §5): a user pointer into unmapped space still gives
 * -EFAULT, but one into mapped kernel memory is refused only where the arch's
 * primitive refuses it (arm64's LDTR/STTR do; x86_64 has no unprivileged
 * load/store and Ludicrous no SMAP): docs/safety-profiles.md says so. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kevlar/profile.h>
#include <string.h>

#include "usercopy_arch.h"

#ifdef KEVLAR_PROFILE_LUDICROUS
#define user_range_ok(a, n) true
#else
#define user_range_ok(a, n) access_ok(a, n)
#endif

int copy_from_user(void *dst, uintptr_t usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	return hal_arch_copy_from_user(dst, usrc, n) ? -EFAULT : 0;
}

int copy_to_user(uintptr_t udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return hal_arch_copy_to_user(udst, src, n) ? -EFAULT : 0;
}

int clear_user(uintptr_t udst, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return hal_arch_clear_user(udst, n) ? -EFAULT : 0;
}

/* Copy page by page, never reading past the page holding the NUL (the next
 * page may be unmapped without the string being invalid). */
long strncpy_from_user(char *dst, uintptr_t usrc, size_t max)
{
	size_t done = 0;
	bool clamped = false;

	if (!max)
		return -ENAMETOOLONG;
	if (!user_range_ok(usrc, 1))
		return -EFAULT;
	if (access_ok(usrc, 1) && max > USER_TOP - usrc) {
		max = USER_TOP - usrc;
		clamped = true; /* the string would run out of user space */
	} else if (usrc + max < usrc) {
		max = -usrc; /* Ludicrous, a kernel address: not past the top */
	}
	while (done < max) {
		uintptr_t u = usrc + done;
		size_t chunk = MIN(max - done, PAGE_SIZE - (u & ~PAGE_MASK));
		const char *nul;

		if (hal_arch_copy_from_user(dst + done, u, chunk))
			return -EFAULT;
		nul = memchr(dst + done, 0, chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	return clamped ? -EFAULT : -ENAMETOOLONG;
}
