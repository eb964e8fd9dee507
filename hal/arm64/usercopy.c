/* copy_from_user and friends (<hal/usercopy.h>): a range check, then the
 * fault-tolerant copy of usercopy.S. Under the Ludicrous profile the range
 * check is left out and only the fault fixup remains (DESIGN.md §5); the
 * unprivileged loads/stores of usercopy.S still refuse kernel addresses. */
#include <hal/usercopy.h>
#include <kernel/errno.h>

#include "arm64.h"
#include <kevlar/profile.h>
#include <string.h>

#ifdef KEVLAR_PROFILE_LUDICROUS
#define user_range_ok(a, n) true
#else
#define user_range_ok(a, n) access_ok(a, n)
#endif

int copy_from_user(void *dst, uintptr_t usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	return arm64_copy_from_user(dst, (const void *)usrc, n) ? -EFAULT : 0;
}

int copy_to_user(uintptr_t udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return arm64_copy_to_user((void *)udst, src, n) ? -EFAULT : 0;
}

int clear_user(uintptr_t udst, size_t n)
{
	static const uint8_t zeros[256];

	if (!user_range_ok(udst, n))
		return -EFAULT;
	while (n) {
		size_t chunk = MIN(n, sizeof(zeros));
		if (arm64_copy_to_user((void *)udst, zeros, chunk))
			return -EFAULT;
		udst += chunk;
		n -= chunk;
	}
	return 0;
}

/* Copies page by page, so that bytes after the NUL are only read when
 * they share its page (which is then known to be accessible). */
long strncpy_from_user(char *dst, uintptr_t usrc, size_t max)
{
	size_t done = 0;

	while (done < max) {
		uintptr_t src = usrc + done;
		size_t chunk = MIN(max - done, PAGE_SIZE - (src & ~PAGE_MASK));
		if (!user_range_ok(src, chunk) || arm64_copy_from_user(dst + done, (const void *)src, chunk))
			return -EFAULT;
		const char *nul = memchr(dst + done, 0, chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	return -ENAMETOOLONG;
}
