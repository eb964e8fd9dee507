/* Where a PC's ACPI RSDP is (hal_boot_info.acpi_*, <hal/boot.h>): the
 * loader's copy, the EFI configuration table, or the BIOS areas. The core
 * validates and parses (kernel/acpi/); this file only knows the places.
 * Runs in x64_boot_main on boot.S's direct map of the first 4 GiB. */
#include <hal/boot.h>
#include <hal/mmu.h>
#include <string.h>
#include "x64.h"

#define RSDP_MAX 36 /* ACPI 2.0+ RSDP [ACPI 6.4 §5.2.5.3] */

static uint8_t rsdp_copy[RSDP_MAX];

/* A multiboot2 tag 14/15 body: a copy of the RSDP. Tag 15 (ACPI 2.0+)
 * wins over tag 14 whatever their order. */
void x64_acpi_rsdp_copy(struct hal_boot_info *bi, const void *rsdp, uint32_t len, bool v2)
{
	if (bi->acpi_rsdp_copy && !v2)
		return;
	if (len > RSDP_MAX)
		len = RSDP_MAX;
	memcpy(rsdp_copy, rsdp, len);
	bi->acpi_rsdp_copy = rsdp_copy;
	bi->acpi_rsdp_copy_len = len;
	bi->acpi_rsdp_from = v2 ? "multiboot2 tag 15" : "multiboot2 tag 14";
}

/* EFI_ACPI_20_TABLE_GUID and ACPI_TABLE_GUID (ACPI 1.0) [UEFI 2.10
 * §4.6.1.1], in their in-memory byte order. */
static const uint8_t guid_acpi20[16] = { 0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
					 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 };
static const uint8_t guid_acpi10[16] = { 0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
					 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d };

#define FOUR_GIB (1ULL << 32)
#define EFI_MAX_CONFIG_TABLES 256

static uint64_t rd(const uint8_t *p, bool is64)
{
	uint64_t v = 0;

	memcpy(&v, p, is64 ? 8 : 4);
	return v;
}

/* EFI_SYSTEM_TABLE [UEFI 2.10 §4.3]: NumberOfTableEntries and
 * ConfigurationTable follow ten pointer-sized fields (and a 32-bit
 * revision) after the 24-byte header; each EFI_CONFIGURATION_TABLE is a
 * GUID and a pointer. Only tables below 4 GiB are readable here (boot.S's
 * map); the firmware puts them there on every PC seen. */
void x64_acpi_efi_systab(struct hal_boot_info *bi, uint64_t systab_pa, bool is64)
{
	const unsigned ptr = is64 ? 8 : 4, entry = 16 + ptr;
	const unsigned n_off = is64 ? 104 : 64, t_off = n_off + ptr;
	const uint8_t *st;
	uint64_t n, tab, v10 = 0;

	if (!systab_pa || systab_pa + t_off + ptr > FOUR_GIB)
		return;
	st = hal_phys_to_virt(systab_pa);
	if (memcmp(st, "IBI SYST", 8)) /* EFI_SYSTEM_TABLE_SIGNATURE */
		return;
	n = rd(st + n_off, is64);
	tab = rd(st + t_off, is64);
	if (n > EFI_MAX_CONFIG_TABLES || !tab || tab + n * entry > FOUR_GIB)
		return;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = hal_phys_to_virt(tab + i * entry);

		if (!memcmp(e, guid_acpi20, 16)) {
			bi->acpi_rsdp_pa = rd(e + 16, is64);
			bi->acpi_rsdp_from = "EFI configuration table (ACPI 2.0)";
			return;
		}
		if (!memcmp(e, guid_acpi10, 16))
			v10 = rd(e + 16, is64);
	}
	if (v10) {
		bi->acpi_rsdp_pa = v10;
		bi->acpi_rsdp_from = "EFI configuration table (ACPI 1.0)";
	}
}

/* The BIOS areas an RSDP may be in [ACPI 6.4 §5.2.5.1]: the first KiB of
 * the EBDA, whose segment the BIOS data area holds at 0x40e, and the BIOS
 * ROM 0xe0000-0xfffff. */
#define BDA_EBDA_SEGMENT 0x40e
#define EBDA_MIN 0x80000 /* the EBDA sits just below 640 KiB */
#define EBDA_END 0xa0000
#define BIOS_ROM 0xe0000
#define BIOS_ROM_END 0x100000

void x64_acpi_bios_areas(struct hal_boot_info *bi)
{
	uint16_t seg;
	uint64_t ebda;

	memcpy(&seg, hal_phys_to_virt(BDA_EBDA_SEGMENT), sizeof(seg));
	ebda = (uint64_t)seg << 4;
	if (ebda >= EBDA_MIN && ebda + 1024 <= EBDA_END) {
		bi->acpi_scan[0].base = ebda;
		bi->acpi_scan[0].size = 1024;
	}
	bi->acpi_scan[1].base = BIOS_ROM;
	bi->acpi_scan[1].size = BIOS_ROM_END - BIOS_ROM;
}
