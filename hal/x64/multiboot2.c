/* Multiboot2 boot (GRUB): the boot information is a list of 8-byte
 * aligned tags after an 8-byte header { total_size, reserved }
 * [Multiboot2 spec §3.6]. Used: type 1 (command line), 3 (module: the
 * first is the initrd), 6 (memory map, e820 types) and, only when there is
 * no type 6, 17 (the UEFI memory map); for ACPI (x64_acpi_*, acpi.c), 15
 * then 14 (copies of the RSDP [§3.6.16, §3.6.15]), else 12 or 11 (the EFI
 * system table). GRUB gives type 6 on BIOS and UEFI
 * alike (on UEFI built from the firmware's map, after ExitBootServices:
 * our header has no "EFI boot services" tag), checked with Debian 12's
 * GRUB 2.06 on SeaBIOS and OVMF. */
#include <hal/boot.h>
#include <hal/mmu.h>
#include <kernel/errno.h>
#include "x64.h"

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_EFI32_SYSTAB 11 /* { tag, uint32_t pointer } */
#define MB2_TAG_EFI64_SYSTAB 12 /* { tag, uint64_t pointer } */
#define MB2_TAG_ACPI_OLD 14	/* { tag, a copy of the ACPI 1.0 RSDP } */
#define MB2_TAG_ACPI_NEW 15	/* { tag, a copy of the ACPI 2.0+ RSDP } */
#define MB2_TAG_EFI_MMAP 17
#define MB2_MMAP_RAM 1

struct mb2_tag {
	uint32_t type;
	uint32_t size; /* bytes, including this header; next tag 8-aligned */
};

struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start, mod_end; /* physical, end exclusive */
	char cmdline[];
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
	/* entries follow */
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

/* Type 17: { tag, descriptor_size, descriptor_version } then UEFI
 * EFI_MEMORY_DESCRIPTORs of descriptor_size bytes each [UEFI 2.10 §7.2.3]. */
struct mb2_tag_efi_mmap {
	struct mb2_tag tag;
	uint32_t desc_size;
	uint32_t desc_version;
};

struct efi_memory_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t nr_pages; /* 4 KiB pages */
	uint64_t attribute;
};

/* UEFI memory types free for the OS once boot services have exited:
 * loader code/data (1, 2), boot services code/data (3, 4), conventional
 * memory (7) [UEFI 2.10 §7.2, table "Memory Type Usage after
 * ExitBootServices()"]. The loader data holds this boot information and
 * the modules: the former is read before any frame is handed out, the
 * latter is reserved by the caller. */
static bool efi_type_usable(uint32_t type)
{
	return (type >= 1 && type <= 4) || type == 7;
}

/* The firmware's map has a hundred-odd descriptors, most of them usable and
 * adjacent (OVMF: about 100 for 512 MiB): contiguous usable runs are merged
 * so that they fit in bi->mem. */
static void add_efi_mmap(struct hal_boot_info *bi, const struct mb2_tag_efi_mmap *em)
{
	uint64_t run_start = 0, run_end = 0;

	if (em->desc_size < sizeof(struct efi_memory_desc))
		return;
	for (uint32_t e = sizeof(*em); e + em->desc_size <= em->tag.size; e += em->desc_size) {
		const struct efi_memory_desc *d = (const void *)((const uint8_t *)em + e);
		uint64_t start = d->phys_start, end;

		if (!efi_type_usable(d->type) || d->nr_pages >= (1ull << 52))
			continue;
		end = start + (d->nr_pages << 12);
		if (start == run_end && run_end > run_start) {
			run_end = end;
			continue;
		}
		if (run_end > run_start)
			x64_boot_add_ram(bi, run_start, run_end - run_start);
		run_start = start;
		run_end = end;
	}
	if (run_end > run_start)
		x64_boot_add_ram(bi, run_start, run_end - run_start);
}

int x64_mb2_parse(uint32_t mbi_pa, struct hal_boot_info *bi)
{
	const uint8_t *p = hal_phys_to_virt(mbi_pa);
	uint32_t total = *(const uint32_t *)p;
	const struct mb2_tag_efi_mmap *efi_mmap = NULL;
	bool have_module = false, have_mmap = false, efi64 = false;
	uint64_t efi_systab = 0;

	if (total < 16)
		return -EINVAL;
	for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *tag = (const struct mb2_tag *)(p + off);

		if (tag->type == MB2_TAG_END || tag->size < sizeof(*tag) || off + tag->size > total)
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			bi->cmdline = x64_boot_save_cmdline((const char *)(tag + 1),
							    tag->size - sizeof(*tag));
			break;
		case MB2_TAG_MODULE:
			if (!have_module) {
				const struct mb2_tag_module *m = (const void *)tag;

				bi->initrd_base = m->mod_start;
				bi->initrd_size = m->mod_end - m->mod_start;
				have_module = true;
			}
			break;
		case MB2_TAG_MMAP: {
			const struct mb2_tag_mmap *mm = (const void *)tag;

			if (mm->entry_size < sizeof(struct mb2_mmap_entry))
				break;
			have_mmap = true;
			for (uint32_t e = sizeof(*mm); e + mm->entry_size <= tag->size;
			     e += mm->entry_size) {
				const struct mb2_mmap_entry *me =
					(const void *)((const uint8_t *)tag + e);

				if (me->type == MB2_MMAP_RAM)
					x64_boot_add_ram(bi, me->base, me->length);
			}
			break;
		}
		case MB2_TAG_ACPI_NEW:
		case MB2_TAG_ACPI_OLD:
			x64_acpi_rsdp_copy(bi, tag + 1, tag->size - sizeof(*tag),
					   tag->type == MB2_TAG_ACPI_NEW);
			break;
		case MB2_TAG_EFI64_SYSTAB:
			if (tag->size >= sizeof(*tag) + 8)
				efi_systab = *(const uint64_t *)(tag + 1);
			efi64 = true;
			break;
		case MB2_TAG_EFI32_SYSTAB:
			if (tag->size >= sizeof(*tag) + 4 && !efi_systab)
				efi_systab = *(const uint32_t *)(tag + 1);
			break;
		case MB2_TAG_EFI_MMAP:
			if (tag->size >= sizeof(*efi_mmap))
				efi_mmap = (const void *)tag;
			break;
		default: break;
		}
		off += (tag->size + 7) & ~7u;
	}
	if (!have_mmap && efi_mmap)
		add_efi_mmap(bi, efi_mmap);
	if (!bi->acpi_rsdp_copy && efi_systab)
		x64_acpi_efi_systab(bi, efi_systab, efi64);
	return 0;
}
