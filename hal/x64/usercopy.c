/* copy_from_user and friends (hal/include/hal/usercopy.h): access_ok(),
 * then the fixup-protected primitives of usercopy.S. Under the Ludicrous
 * profile the range check is left out and only the fault fixup remains
 * (DESIGN.md §5): a user pointer into unmapped or non-canonical space still
 * gives -EFAULT, but one into mapped kernel memory is NOT refused there
 * (x86_64 has no unprivileged load/store like arm64's LDTR/STTR, and
 * Ludicrous has no SMAP); docs/safety-profiles.md says so. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kevlar/profile.h>
#include "x64.h"

#ifdef KEVLAR_PROFILE_LUDICROUS
#define user_range_ok(a, n) true
#else
#define user_range_ok(a, n) access_ok(a, n)
#endif

int copy_from_user(void *dst, uintptr_t usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	return hal_user_copy(dst, (const void *)usrc, n) ? -EFAULT : 0;
}

int copy_to_user(uintptr_t udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return hal_user_copy((void *)udst, src, n) ? -EFAULT : 0;
}

int clear_user(uintptr_t udst, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return x64_user_zero((void *)udst, n) ? -EFAULT : 0;
}

/* Copy page by page, never reading past the page holding the NUL (the
 * next page may be unmapped without the string being invalid). */
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
		size_t chunk = PAGE_SIZE - (u & (PAGE_SIZE - 1));

		if (chunk > max - done)
			chunk = max - done;
		if (hal_user_copy(dst + done, (const void *)u, chunk))
			return -EFAULT;
		for (size_t i = 0; i < chunk; i++)
			if (dst[done + i] == '\0')
				return (long)(done + i);
		done += chunk;
	}
	return clamped ? -EFAULT : -ENAMETOOLONG;
}
