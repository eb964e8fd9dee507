/* PVH boot (QEMU -kernel, Xen): struct hvm_start_info, version 1.
 * [Xen xen/include/public/arch-x86/hvm/start_info.h]: all fields
 * little-endian, addresses physical. The initrd is module 0. */
#include <hal/boot.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include "x64.h"

struct hvm_start_info {
	uint32_t magic; /* PVH_START_MAGIC */
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr; /* struct hvm_modlist_entry[nr_modules] */
	uint64_t cmdline_paddr; /* NUL-terminated */
	uint64_t rsdp_paddr;	/* ACPI RSDP */
	/* version >= 1: */
	uint64_t memmap_paddr; /* struct hvm_memmap_table_entry[memmap_entries] */
	uint32_t memmap_entries;
	uint32_t reserved;
};
_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* e820 types: 1 = RAM */
	uint32_t reserved;
};

#define E820_RAM 1

int x64_pvh_parse(uint32_t start_info_pa, struct hal_boot_info *bi)
{
	const struct hvm_start_info *si = hal_phys_to_virt(start_info_pa);

	if (si->magic != PVH_START_MAGIC)
		return -EINVAL;
	if (si->cmdline_paddr)
		bi->cmdline =
			x64_boot_save_cmdline(hal_phys_to_virt(si->cmdline_paddr), ~(size_t)0);
	if (si->nr_modules && si->modlist_paddr) {
		const struct hvm_modlist_entry *mod = hal_phys_to_virt(si->modlist_paddr);

		bi->initrd_base = mod[0].paddr;
		bi->initrd_size = mod[0].size;
	}
	if (si->rsdp_paddr) {
		bi->acpi_rsdp_pa = si->rsdp_paddr;
		bi->acpi_rsdp_from = "PVH start info";
	}
	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_table_entry *e = hal_phys_to_virt(si->memmap_paddr);

		for (uint32_t i = 0; i < si->memmap_entries; i++)
			if (e[i].type == E820_RAM)
				x64_boot_add_ram(bi, e[i].addr, e[i].size);
	}
	return 0;
}
