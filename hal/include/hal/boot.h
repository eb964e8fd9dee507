/* Boot hand-off from the HAL to the core.
 *
 * The arch boot code (hal/<arch>/boot.S + early C) turns on the MMU with the
 * kernel image at its link address and a direct map covering at least the
 * kernel image, the DTB, the initrd and the boot page tables, then calls
 * kernel_main() on the boot CPU with interrupts masked.
 */
#ifndef HAL_BOOT_H
#define HAL_BOOT_H
#include <hal/types.h>

struct hal_mem_range {
	paddr_t base;  /* bytes */
	uint64_t size; /* bytes */
};

#define HAL_BOOT_MAX_RANGES 32

struct hal_boot_info {
	/* Flattened device tree, as a kernel virtual address (direct map or
	 * the image's .rodata). arm64: the tree from x0 (the loader's).
	 * x86_64: the board tree linked into the image. Never NULL. */
	const void *dtb;
	/* Kernel command line from the loader (x86_64 PVH/multiboot2), as a
	 * kernel virtual address, or NULL: then /chosen/bootargs is used. */
	const char *cmdline;
	/* initrd from the loader (x86_64 PVH module / multiboot2 module);
	 * size 0 means "look at /chosen/linux,initrd-start/end". */
	paddr_t initrd_base;
	uint64_t initrd_size;
	/* Usable RAM as the loader reported it (x86_64 e820 type 1). nr_mem 0
	 * means "use the DT /memory nodes" (arm64). */
	struct hal_mem_range mem[HAL_BOOT_MAX_RANGES];
	unsigned nr_mem;
	/* Physical ranges the allocator must never hand out: the kernel image
	 * (text to bss), boot page tables, the DTB if it lives in RAM. */
	struct hal_mem_range reserved[HAL_BOOT_MAX_RANGES];
	unsigned nr_reserved;
	/* Where the ACPI RSDP may be [ACPI 6.4 §5.2.5], for the core's ACPI
	 * reader (kernel/acpi/acpi_boot.c), which validates it and tries, in
	 * this order: a copy the loader handed over (multiboot2 tag 15, then
	 * 14), the address the loader gave (PVH rsdp_paddr, the EFI system
	 * table's ACPI 2.0 then 1.0 configuration table), then a scan of the
	 * BIOS areas (the EBDA's first KiB, 0xe0000-0xfffff). All empty on
	 * boards without ACPI (arm64). acpi_rsdp_from names the source of
	 * the copy or the address, for the log. */
	const void *acpi_rsdp_copy;  /* kernel virtual address, or NULL */
	unsigned acpi_rsdp_copy_len; /* bytes: 20 (ACPI 1.0) or 36 */
	paddr_t acpi_rsdp_pa;	     /* 0: none */
	const char *acpi_rsdp_from;
	struct hal_mem_range acpi_scan[2]; /* size 0: unused */
};

/* The core's entry point (kernel/main.c). Called once, never returns. */
__noreturn void kernel_main(struct hal_boot_info *bi);

/* Second half of MMU set-up, called by kernel_main once the DT has been
 * parsed: map every RAM range into the direct map (Normal memory, NX,
 * kernel RW) so phys_to_virt() works for all RAM. May only use page-table
 * memory from the HAL's static boot pool (the frame allocator is not up).
 * Returns 0 or -ENOMEM if the boot pool is exhausted. [Arm ARM D8.3],
 * [Intel SDM Vol. 3A §4.5]. */
int hal_mm_init(const struct hal_mem_range *ram, unsigned nr);

#endif
