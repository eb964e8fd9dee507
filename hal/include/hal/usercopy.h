/* Copies between kernel memory and user memory, with fault fixup.
 *
 * User addresses are integers (uintptr_t), never kernel pointers: the
 * core never dereferences them. A fault on a user page during a copy first
 * goes to kernel_page_fault() (demand paging); if that cannot resolve it,
 * the copy stops and returns -EFAULT instead of oopsing. A range that is
 * not entirely inside [USER_BASE, USER_TOP) is -EFAULT without touching it
 * (access_ok(); Ludicrous relies on the fixup alone).
 * May sleep (page faults): not from IRQ context.
 */
#ifndef HAL_USERCOPY_H
#define HAL_USERCOPY_H
#include <hal/types.h>

/* True if [uaddr, uaddr+n) lies in user space (no wrap-around). */
static inline bool access_ok(uintptr_t uaddr, size_t n)
{
	return uaddr <= USER_TOP && n <= USER_TOP - uaddr;
}

/* Copy n bytes. Return 0, or -EFAULT if any byte was inaccessible (then
 * the destination may be partly written). */
int copy_from_user(void *dst, uintptr_t usrc, size_t n);
int copy_to_user(uintptr_t udst, const void *src, size_t n);
/* Zero n bytes of user memory: 0 or -EFAULT. */
int clear_user(uintptr_t udst, size_t n);
/* Copy a NUL-terminated string of at most max bytes including the NUL.
 * Returns its length (without NUL), -EFAULT, or -ENAMETOOLONG when no NUL
 * was found within max bytes. */
long strncpy_from_user(char *dst, uintptr_t usrc, size_t max);

#endif
