/* copy_from_user and friends (hal/include/hal/usercopy.h): access_ok(),
 * then the fixup-protected primitives of usercopy.S. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include "x64.h"

int copy_from_user(void *dst, uintptr_t usrc, size_t n)
{
	if (!access_ok(usrc, n))
		return -EFAULT;
	return hal_user_copy(dst, (const void *)usrc, n) ? -EFAULT : 0;
}

int copy_to_user(uintptr_t udst, const void *src, size_t n)
{
	if (!access_ok(udst, n))
		return -EFAULT;
	return hal_user_copy((void *)udst, src, n) ? -EFAULT : 0;
}

int clear_user(uintptr_t udst, size_t n)
{
	if (!access_ok(udst, n))
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
	if (!access_ok(usrc, 1))
		return -EFAULT;
	if (max > USER_TOP - usrc) {
		max = USER_TOP - usrc;
		clamped = true; /* the string would run out of user space */
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
