/* First C code on the boot CPU: MMU on, running at the link address on
 * the boot stack, interrupts masked (boot.S). Fills struct hal_boot_info
 * and enters the core. */
#include <hal/boot.h>
#include <hal/cpu.h>
#include <hal/mmu.h>
#include "arm64.h"

#define FDT_MAGIC 0xd00dfeedu

paddr_t arm64_kimage_phys;
unsigned arm64_boot_el;

__noreturn void arm64_boot_main(uint64_t dtb_pa, paddr_t kimage_pa, unsigned boot_el);

static struct hal_boot_info boot_info;

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The DTB header as the loader gave it, or NULL if x0 was 0, misaligned,
 * outside what the boot direct map covers (boot.S maps the image's and the
 * DTB's gigabyte when both are in the same 512 GiB) or not a DTB
 * (magic 0xd00dfeed, big endian) [DT spec v0.4 §5.2]. */
static const void *boot_dtb(uint64_t pa, uint32_t *size)
{
	if (pa == 0 || (pa & 7) || ((pa ^ arm64_kimage_phys) >> 39) != 0)
		return NULL;
	const void *fdt = hal_phys_to_virt(pa);
	if (be32(fdt) != FDT_MAGIC)
		return NULL;
	*size = be32((const char *)fdt + 4); /* totalsize */
	return fdt;
}

/* x0 from the loader, the image's load address, the EL we were entered at. */
__noreturn void arm64_boot_main(uint64_t dtb_pa, paddr_t kimage_pa, unsigned boot_el)
{
	struct hal_boot_info *bi = &boot_info;
	uint32_t dtb_size = 0;

	hal_percpu_set(NULL); /* TPIDR_EL1 resets to an UNKNOWN value */
	arm64_smp_boot_cpu();
	arm64_kimage_phys = kimage_pa;
	arm64_boot_el = boot_el;
	arm64_timer_early_init();

	bi->dtb = boot_dtb(dtb_pa, &dtb_size);
	bi->cmdline = NULL;
	bi->nr_mem = 0; /* the DT's /memory nodes */
	bi->reserved[0].base = kimage_pa;
	bi->reserved[0].size = (uint64_t)(__kernel_end - __kernel_start);
	bi->nr_reserved = 1;
	if (bi->dtb) {
		bi->reserved[1].base = PAGE_ALIGN_DOWN(dtb_pa);
		bi->reserved[1].size = PAGE_ALIGN_UP(dtb_pa + dtb_size) - PAGE_ALIGN_DOWN(dtb_pa);
		bi->nr_reserved = 2;
	}
	arm64_hardening_init();
	kernel_main(bi);
}

void *hal_phys_to_virt(paddr_t pa)
{
	return (void *)(DMAP_BASE + pa);
}

paddr_t hal_virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	if (v >= KIMAGE_VADDR)
		return v - KIMAGE_VADDR + arm64_kimage_phys;
	return v - DMAP_BASE;
}

bool hal_is_kernel_text(uintptr_t addr)
{
	return addr >= (uintptr_t)__kernel_start && addr < (uintptr_t)__text_end;
}
