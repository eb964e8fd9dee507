/* What each arch supplies to hal/common/usercopy.c: the primitive copies with
 * fault fixup, and nothing else (no range check, no chunking; the policy is in
 * common code, as Linux's lib/usercopy.c keeps it out of arch/).
 *
 * Each returns the number of bytes NOT copied (0 on success): a fault on the
 * user side that kernel_page_fault() cannot resolve stops the copy at the
 * first inaccessible byte. The user address is taken as given: it may lie
 * anywhere (the caller has checked it, or, under Ludicrous, not). May sleep
 * (demand paging); not from IRQ context.
 */
#ifndef HAL_COMMON_USERCOPY_ARCH_H
#define HAL_COMMON_USERCOPY_ARCH_H
#include <hal/types.h>

size_t hal_arch_copy_from_user(void *dst, uintptr_t usrc, size_t n);
size_t hal_arch_copy_to_user(uintptr_t udst, const void *src, size_t n);
size_t hal_arch_clear_user(uintptr_t udst, size_t n);

#endif
