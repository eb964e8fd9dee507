/* x86_64 early boot in C: CPU, GDT/IDT, loader data, final page tables,
 * then the hand-off to kernel_main() (hal/include/hal/boot.h). Runs on the
 * boot stack with interrupts masked, still on boot.S's page tables. */
#include <hal/boot.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include <string.h>
#include "x64.h"

/* The board's device tree, linked into the image by the build
 * (boards/<board>/BUILD.bazel: section .rodata.board_dtb). */
extern const char __board_dtb_start[], __board_dtb_end[];

static struct hal_boot_info boot_info;
static char boot_cmdline[2048];

const char *x64_boot_save_cmdline(const char *s, size_t max)
{
	size_t n = 0;

	if (max > sizeof(boot_cmdline) - 1)
		max = sizeof(boot_cmdline) - 1;
	while (n < max && s[n])
		n++;
	memcpy(boot_cmdline, s, n);
	boot_cmdline[n] = '\0';
	return boot_cmdline;
}

/* Add a usable RAM range, shrunk to whole pages. */
void x64_boot_add_ram(struct hal_boot_info *bi, uint64_t base, uint64_t size)
{
	uint64_t start = PAGE_ALIGN_UP(base), end = PAGE_ALIGN_DOWN(base + size);

	if (end <= start || bi->nr_mem >= HAL_BOOT_MAX_RANGES)
		return;
	bi->mem[bi->nr_mem].base = start;
	bi->mem[bi->nr_mem].size = end - start;
	bi->nr_mem++;
}

static void add_reserved(struct hal_boot_info *bi, uint64_t base, uint64_t size)
{
	uint64_t start = PAGE_ALIGN_DOWN(base), end = PAGE_ALIGN_UP(base + size);

	if (end <= start || bi->nr_reserved >= HAL_BOOT_MAX_RANGES)
		return;
	bi->reserved[bi->nr_reserved].base = start;
	bi->reserved[bi->nr_reserved].size = end - start;
	bi->nr_reserved++;
}

/* Mask both legacy 8259 PICs: interrupts come through the I/O APIC
 * [8259A datasheet, OCW1; Intel SDM Vol. 3A §10.1]. */
static void pic_disable(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

__noreturn void x64_boot_main(uint32_t magic, uint32_t info_pa)
{
	struct hal_boot_info *bi = &boot_info;
	int err = -EINVAL;

	x64_cpu_init();
	x64_gdt_init();
	x64_idt_init();
	x64_syscall_init();
	pic_disable();

	/* Loader data: read through boot.S's direct map of the first 4 GiB,
	 * copied out before the final page tables drop that mapping. */
	if (magic == MB2_BOOT_MAGIC)
		err = x64_mb2_parse(info_pa, bi);
	else if (magic == PVH_START_MAGIC)
		err = x64_pvh_parse(info_pa, bi);
	if (err) {
		/* No usable loader data: the DT's /memory and /chosen apply. */
		memset(bi, 0, sizeof(*bi));
	}
	x64_acpi_bios_areas(bi);

	/* Never hand out the first MiB (real-mode IVT, BIOS data, EBDA,
	 * option ROMs; and frame 0, which frame_alloc() uses for failure),
	 * the image (text to bss, which holds the boot page tables and the
	 * HAL's page-table pool) or the initrd (the core may free it after
	 * unpacking). */
	add_reserved(bi, 0, 0x100000);
	add_reserved(bi, (uintptr_t)__kernel_start - KERNEL_VMA,
		     (uintptr_t)__kernel_end - (uintptr_t)__kernel_start);
	if (bi->initrd_size)
		add_reserved(bi, bi->initrd_base, bi->initrd_size);

	bi->dtb = __board_dtb_start;
	x64_mmu_early_init(bi);
	/* On the final page tables: no kernel page is a user page there. */
	x64_cpu_hardening();
	kernel_main(bi);
}
