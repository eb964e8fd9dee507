/* Device register access (<hal/mmio.h>). arm64 has no port I/O space.
 * Each access is one load or store of exactly the register's width with a
 * plain base-register address (what a hypervisor's MMIO emulation can
 * decode). Ordering as Linux's readl/writel: a barrier before every write
 * so earlier Normal-memory writes (DMA buffers) reach the device first,
 * and one after every read so later accesses wait for it.
 * [Arm ARM B2.3 (memory ordering), B2.7.2 (Device memory), C6.2.79 DMB,
 *  C6.2.81 DSB]
 */
#include <hal/barrier.h>
#include <hal/mmio.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include "arm64.h"

int hal_iomap(paddr_t pa, uint64_t size, enum hal_io_space space, unsigned reg_shift,
	      struct hal_iomem *out)
{
	if (space != HAL_IO_MMIO || reg_shift > 3 || size == 0)
		return -EINVAL;
	uintptr_t va = hal_ioremap(pa, size);
	if (!va)
		return -ENOMEM;
	out->base = va;
	out->space = HAL_IO_MMIO;
	out->reg_shift = (uint8_t)reg_shift;
	return 0;
}

static uintptr_t reg_addr(const struct hal_iomem *io, unsigned reg)
{
	return io->base + ((uintptr_t)reg << io->reg_shift);
}

uint8_t hal_io_read8(const struct hal_iomem *io, unsigned reg)
{
	uint32_t v;

	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(reg_addr(io, reg)) : "memory");
	dmb(oshld);
	return (uint8_t)v;
}

void hal_io_write8(const struct hal_iomem *io, unsigned reg, uint8_t v)
{
	dsb(st);
	__asm__ volatile("strb %w0, [%1]" ::"r"((uint32_t)v), "r"(reg_addr(io, reg)) : "memory");
}

uint16_t hal_io_read16(const struct hal_iomem *io, unsigned reg)
{
	uint32_t v;

	__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(reg_addr(io, reg)) : "memory");
	dmb(oshld);
	return (uint16_t)v;
}

void hal_io_write16(const struct hal_iomem *io, unsigned reg, uint16_t v)
{
	dsb(st);
	__asm__ volatile("strh %w0, [%1]" ::"r"((uint32_t)v), "r"(reg_addr(io, reg)) : "memory");
}

uint32_t hal_io_read32(const struct hal_iomem *io, unsigned reg)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(reg_addr(io, reg)) : "memory");
	dmb(oshld);
	return v;
}

void hal_io_write32(const struct hal_iomem *io, unsigned reg, uint32_t v)
{
	dsb(st);
	__asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(reg_addr(io, reg)) : "memory");
}

/* <hal/barrier.h>: Outer Shareable covers every observer a DMA-capable
 * device can be [Arm ARM B2.3.5, C6.2.81 DMB]. */
void hal_dma_rmb(void)
{
	dmb(oshld);
}

void hal_dma_wmb(void)
{
	dmb(oshst);
}

void hal_mb(void)
{
	dsb(sy);
}
