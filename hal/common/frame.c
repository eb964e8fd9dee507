/* Frame contents through the direct map (hal/include/hal/frame.h). */
#include <hal/frame.h>
#include <hal/mmu.h>
#include <string.h>

void frame_read(paddr_t pa, size_t off, void *buf, size_t len)
{
	memcpy(buf, (const char *)hal_phys_to_virt(pa) + off, len);
}

void frame_write(paddr_t pa, size_t off, const void *buf, size_t len)
{
	memcpy((char *)hal_phys_to_virt(pa) + off, buf, len);
}

void frame_zero(paddr_t pa)
{
	memset(hal_phys_to_virt(pa), 0, PAGE_SIZE);
}

void frame_copy(paddr_t dst, paddr_t src)
{
	memcpy(hal_phys_to_virt(dst), hal_phys_to_virt(src), PAGE_SIZE);
}

void *frame_kaddr(paddr_t pa)
{
	return hal_phys_to_virt(pa);
}
