/* Frame contents through the direct map (hal/include/hal/frame.h). */
#include <hal/arch/page.h>
#include <hal/frame.h>
#include <hal/mmu.h>
#include <string.h>

void frame_read(paddr_t pa, size_t off, void *buf, size_t len)
{
	memcpy(buf, (const char *)hal_phys_to_virt(pa) + off, len);
}

void frame_write(paddr_t pa, size_t off, const void *buf, size_t len)
{
	arch_frame_written(pa);
	memcpy((char *)hal_phys_to_virt(pa) + off, buf, len);
}

/* A volatile access of a naturally aligned u16 is one LDRH/STRH (arm64)
 * or MOV (x86_64): single-copy atomic [Arm ARM B2.2.1], [Intel SDM Vol. 3A
 * §8.1.1]. */
uint16_t frame_read16(paddr_t pa, size_t off)
{
	return *(const volatile uint16_t *)((const char *)hal_phys_to_virt(pa) +
					    (off & ~(size_t)1));
}

void frame_write16(paddr_t pa, size_t off, uint16_t v)
{
	arch_frame_written(pa);
	*(volatile uint16_t *)((char *)hal_phys_to_virt(pa) + (off & ~(size_t)1)) = v;
}

/* The allocator's: a new frame is not I-cache clean already. */
void frame_zero(paddr_t pa)
{
	arch_page_zero(hal_phys_to_virt(pa));
}

void frame_copy(paddr_t dst, paddr_t src)
{
	arch_frame_written(dst);
	arch_page_copy(hal_phys_to_virt(dst), hal_phys_to_virt(src));
}

/* The caller may write through it. */
void *frame_kaddr(paddr_t pa)
{
	arch_frame_written(pa);
	return hal_phys_to_virt(pa);
}
