/* Device register access. Drivers get a struct hal_iomem from hal_iomap()
 * with the address the DT gave them and never form pointers themselves.
 * Port I/O (x86 ISA devices such as the 16550 at 0x3f8) and MMIO look the
 * same to a driver. */
#ifndef HAL_MMIO_H
#define HAL_MMIO_H
#include <hal/types.h>

enum hal_io_space { HAL_IO_MMIO = 0, HAL_IO_PORT = 1 };

struct hal_iomem {
	uintptr_t base;	   /* kernel VA (MMIO) or port number (PORT) */
	uint8_t space;	   /* enum hal_io_space */
	uint8_t reg_shift; /* register stride = 1 << reg_shift bytes */
};

/* Map size bytes of device space at pa. Returns 0 or -EINVAL/-ENOMEM. */
int hal_iomap(paddr_t pa, uint64_t size, enum hal_io_space space, unsigned reg_shift,
	      struct hal_iomem *out);
/* Register reg (index, scaled by reg_shift) accessors. MMIO accesses are
 * single, ordered device accesses of exactly that width. */
uint8_t hal_io_read8(const struct hal_iomem *io, unsigned reg);
void hal_io_write8(const struct hal_iomem *io, unsigned reg, uint8_t v);
uint16_t hal_io_read16(const struct hal_iomem *io, unsigned reg);
void hal_io_write16(const struct hal_iomem *io, unsigned reg, uint16_t v);
uint32_t hal_io_read32(const struct hal_iomem *io, unsigned reg);
void hal_io_write32(const struct hal_iomem *io, unsigned reg, uint32_t v);

#endif
