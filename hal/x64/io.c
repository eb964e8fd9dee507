/* Device register access (hal/include/hal/mmio.h): MMIO through
 * hal_ioremap()'s uncached window, ISA devices through port I/O
 * [Intel SDM Vol. 1 §18 "Input/Output"]. */
#include <hal/barrier.h>
#include <hal/mmio.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include "x64.h"

int hal_iomap(paddr_t pa, uint64_t size, enum hal_io_space space, unsigned reg_shift,
	      struct hal_iomem *out)
{
	if (reg_shift > 3 || !size)
		return -EINVAL;
	out->space = space;
	out->reg_shift = reg_shift;
	switch (space) {
	case HAL_IO_PORT:
		if (pa > 0xffff || pa + size > 0x10000)
			return -EINVAL;
		out->base = pa;
		return 0;
	case HAL_IO_MMIO: out->base = hal_ioremap(pa, size); return out->base ? 0 : -ENOMEM;
	}
	return -EINVAL;
}

static uintptr_t reg_addr(const struct hal_iomem *io, unsigned reg)
{
	return io->base + ((uintptr_t)reg << io->reg_shift);
}

/* Volatile accesses compile to single MOVs of the given width; UC memory
 * makes them uncached and strongly ordered [Intel SDM Vol. 3A §11.3]. */
uint8_t hal_io_read8(const struct hal_iomem *io, unsigned reg)
{
	if (io->space == HAL_IO_PORT)
		return inb(reg_addr(io, reg));
	return *(volatile uint8_t *)reg_addr(io, reg);
}

void hal_io_write8(const struct hal_iomem *io, unsigned reg, uint8_t v)
{
	if (io->space == HAL_IO_PORT)
		outb(reg_addr(io, reg), v);
	else
		*(volatile uint8_t *)reg_addr(io, reg) = v;
}

uint16_t hal_io_read16(const struct hal_iomem *io, unsigned reg)
{
	if (io->space == HAL_IO_PORT)
		return inw(reg_addr(io, reg));
	return *(volatile uint16_t *)reg_addr(io, reg);
}

void hal_io_write16(const struct hal_iomem *io, unsigned reg, uint16_t v)
{
	if (io->space == HAL_IO_PORT)
		outw(reg_addr(io, reg), v);
	else
		*(volatile uint16_t *)reg_addr(io, reg) = v;
}

uint32_t hal_io_read32(const struct hal_iomem *io, unsigned reg)
{
	if (io->space == HAL_IO_PORT)
		return inl(reg_addr(io, reg));
	return *(volatile uint32_t *)reg_addr(io, reg);
}

void hal_io_write32(const struct hal_iomem *io, unsigned reg, uint32_t v)
{
	if (io->space == HAL_IO_PORT)
		outl(reg_addr(io, reg), v);
	else
		*(volatile uint32_t *)reg_addr(io, reg) = v;
}

/* <hal/barrier.h>: write-back memory keeps load-load and store-store
 * order [Intel SDM Vol. 3A §8.2.2], so only the compiler must be stopped;
 * MFENCE orders everything, UC and WC accesses included [SDM Vol. 2B]. */
void hal_dma_rmb(void)
{
	__asm__ volatile("" ::: "memory");
}

void hal_dma_wmb(void)
{
	__asm__ volatile("" ::: "memory");
}

void hal_mb(void)
{
	__asm__ volatile("mfence" ::: "memory");
}
