/* Transfer buffers for file operations: a struct uio is either user memory
 * (reached only through copy_to_user/copy_from_user/clear_user) or kernel
 * memory, so file systems never see user addresses. */
#include <hal/mmu.h>
#include <hal/usercopy.h>
#include <string.h>

#include "internal.h"

/* Copy n bytes from src into the buffer (a read), advancing it.
 * 0, -EFAULT (bad user memory) or -EINVAL (n > u->len). */
int uio_copy_out(struct uio *u, const void *src, size_t n)
{
	if (n > u->len)
		return -EINVAL;
	if (u->is_user) {
		if (copy_to_user(u->uaddr, src, n))
			return -EFAULT;
		u->uaddr += n;
	} else {
		memcpy(u->kaddr, src, n);
		u->kaddr = (char *)u->kaddr + n;
	}
	u->len -= n;
	return 0;
}

/* Copy n bytes out of the buffer into dst (a write), advancing it. */
int uio_copy_in(struct uio *u, void *dst, size_t n)
{
	if (n > u->len)
		return -EINVAL;
	if (u->is_user) {
		if (copy_from_user(dst, u->uaddr, n))
			return -EFAULT;
		u->uaddr += n;
	} else {
		memcpy(dst, u->kaddr, n);
		u->kaddr = (char *)u->kaddr + n;
	}
	u->len -= n;
	return 0;
}

/* Fill n bytes of the buffer with zeros (reads of holes, /dev/zero). */
int uio_zero(struct uio *u, size_t n)
{
	if (n > u->len)
		return -EINVAL;
	if (u->is_user) {
		if (clear_user(u->uaddr, n))
			return -EFAULT;
		u->uaddr += n;
	} else {
		memset(u->kaddr, 0, n);
		u->kaddr = (char *)u->kaddr + n;
	}
	u->len -= n;
	return 0;
}

int uio_copy_out_frame(struct uio *u, paddr_t pa, size_t off, size_t n)
{
	if (off > PAGE_SIZE || n > PAGE_SIZE - off)
		return -EINVAL;
	return uio_copy_out(u, (const char *)hal_phys_to_virt(pa) + off, n);
}
