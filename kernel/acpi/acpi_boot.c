/* ACPI at boot (docs/architecture.md "ACPI"): find the RSDP where the HAL
 * says it may be, read the tables through hal_firmware_map(), log what
 * they describe and fold it into the board's tree (acpi_fdt_apply).
 * Called once by kernel_main before the tree is parsed, on the boot CPU
 * with interrupts masked: the state below is written then and only read
 * afterwards (/proc/kevlar/acpi), so it needs no lock. */
#include <hal/boot.h>
#include <hal/mmu.h>
#include <kernel/acpi.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <libfdt.h>
#include <string.h>

#include "acpi_boot.h"

static struct acpi_info boot_info; /* written once at boot, then read-only */
static bool boot_info_valid;

const struct acpi_info *acpi_boot_info(void)
{
	return boot_info_valid ? &boot_info : NULL;
}

static const void *boot_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	return hal_firmware_map(pa, len);
}

/* A table refused ("..., skipped") is bad input: KERN_ERR, shown even
 * with "quiet"; the rest (a second MADT ignored, ...) are warnings. */
static void boot_report(void *ctx, const char *msg)
{
	size_t n = strlen(msg);

	(void)ctx;
	if (n >= 7 && !strcmp(msg + n - 7, "skipped"))
		printk(KERN_ERR "acpi: %s\n", msg);
	else
		printk(KERN_WARNING "acpi: %s\n", msg);
}

static const struct acpi_ops boot_ops = { boot_map, boot_report, NULL };

/* A mapping of the RSDP at pa: 36 bytes if they can be read, else 20. */
static const void *map_rsdp(paddr_t pa, size_t *len)
{
	const void *p = hal_firmware_map(pa, ACPI_RSDP_V2_LEN);

	*len = ACPI_RSDP_V2_LEN;
	if (!p) {
		p = hal_firmware_map(pa, ACPI_RSDP_V1_LEN);
		*len = ACPI_RSDP_V1_LEN;
	}
	return p;
}

/* The RSDP in the order <hal/boot.h> gives: the loader's copy, the
 * loader's address, the BIOS areas. */
static const void *find_rsdp(const struct hal_boot_info *bi, size_t *len, const char **from,
			     paddr_t *pa)
{
	const void *p;

	*pa = 0;
	if (bi->acpi_rsdp_copy && acpi_rsdp_valid(bi->acpi_rsdp_copy, bi->acpi_rsdp_copy_len)) {
		*len = bi->acpi_rsdp_copy_len;
		*from = bi->acpi_rsdp_from;
		return bi->acpi_rsdp_copy;
	}
	if (bi->acpi_rsdp_copy)
		printk(KERN_ERR "acpi: the RSDP from %s is invalid, ignored\n", bi->acpi_rsdp_from);
	if (bi->acpi_rsdp_pa) {
		p = map_rsdp(bi->acpi_rsdp_pa, len);
		if (p && acpi_rsdp_valid(p, *len)) {
			*from = bi->acpi_rsdp_from;
			*pa = bi->acpi_rsdp_pa;
			return p;
		}
		printk(KERN_ERR "acpi: the RSDP at %#llx (from %s) is invalid, ignored\n",
		       (unsigned long long)bi->acpi_rsdp_pa, bi->acpi_rsdp_from);
	}
	for (unsigned i = 0; i < 2; i++) {
		const struct hal_mem_range *r = &bi->acpi_scan[i];
		long off;

		if (!r->size || !(p = hal_firmware_map(r->base, r->size)))
			continue;
		off = acpi_rsdp_scan(p, r->size);
		if (off >= 0) {
			size_t left = r->size - (size_t)off;

			*len = left < ACPI_RSDP_V2_LEN ? left : ACPI_RSDP_V2_LEN;
			*from = i == 0 ? "the EBDA" : "the BIOS area";
			*pa = r->base + (paddr_t)off;
			return (const uint8_t *)p + off;
		}
	}
	return NULL;
}

static void log_info(const struct acpi_info *a)
{
	printk("acpi: %u tables used, %u skipped (OEM \"%s\", revision %u)\n", a->nr_tables,
	       a->nr_bad, a->oem_id, a->revision);
	if (a->have_madt) {
		printk("acpi: MADT: %u CPU(s), local APIC at %#llx%s\n", a->nr_cpus,
		       (unsigned long long)a->lapic_address, a->pcat_compat ? ", 8259 PICs" : "");
		for (unsigned i = 0; i < a->nr_cpus; i++)
			printk("acpi: CPU %u: APIC ID %u%s%s\n", a->cpus[i].uid, a->cpus[i].apic_id,
			       a->cpus[i].x2apic ? " (x2APIC)" : "",
			       a->cpus[i].enabled ? "" : " (online-capable, not enabled)");
		for (unsigned i = 0; i < a->nr_ioapics; i++)
			printk("acpi: I/O APIC %u at %#x, GSI base %u\n", a->ioapics[i].id,
			       a->ioapics[i].address, a->ioapics[i].gsi_base);
		for (unsigned i = 0; i < a->nr_overrides; i++)
			printk("acpi: override: bus %u IRQ %u -> GSI %u flags %#x\n",
			       a->overrides[i].bus, a->overrides[i].source, a->overrides[i].gsi,
			       a->overrides[i].flags);
		for (unsigned i = 0; i < a->nr_nmis; i++)
			printk("acpi: NMI: CPU UID %#x LINT%u flags %#x\n", a->nmis[i].uid,
			       a->nmis[i].lint, a->nmis[i].flags);
	}
	if (a->have_fadt)
		printk("acpi: FADT: PM1a control %s %#llx, SCI IRQ %u, reset %s%#llx = %#x, S5 "
		       "SLP_TYP %s%u\n",
		       a->pm1a_cnt.space == ACPI_GAS_IO ? "port" : "memory",
		       (unsigned long long)a->pm1a_cnt.address, a->sci_irq,
		       a->have_reset ? (a->reset_reg.space == ACPI_GAS_IO ? "port " : "memory ") :
				       "(none) ",
		       (unsigned long long)a->reset_reg.address, a->reset_value,
		       a->have_s5 ? "" : "(not found) ", a->s5_slp_typ);
	for (unsigned i = 0; i < a->nr_mcfg; i++)
		printk("acpi: MCFG: ECAM at %#llx, segment %u, buses %u-%u\n",
		       (unsigned long long)a->mcfg[i].base, a->mcfg[i].segment,
		       a->mcfg[i].bus_start, a->mcfg[i].bus_end);
}

int acpi_boot_fold(const struct hal_boot_info *bi, const void *dtb, void *buf, size_t size)
{
	const void *rsdp;
	const char *from = "?";
	size_t len = 0;
	paddr_t pa;
	int err;

	rsdp = find_rsdp(bi, &len, &from, &pa);
	if (!rsdp) {
		if (bi->acpi_rsdp_copy || bi->acpi_rsdp_pa || bi->acpi_scan[1].size)
			printk("acpi: no RSDP found; the board tree's fallback values apply\n");
		return -ENOENT;
	}
	if (pa)
		printk("acpi: RSDP at %#llx (from %s)\n", (unsigned long long)pa, from);
	else
		printk("acpi: RSDP from %s\n", from);
	err = acpi_parse(rsdp, len, &boot_ops, &boot_info);
	if (err) {
		printk(KERN_ERR
		       "acpi: no usable root table (%d); the board tree's fallback values apply\n",
		       err);
		return err;
	}
	log_info(&boot_info);
	err = fdt_open_into(dtb, buf, (int)size);
	if (!err)
		err = acpi_fdt_apply(&boot_info, buf);
	if (!err)
		err = fdt_pack(buf);
	if (err) {
		printk(KERN_ERR "acpi: cannot write the board tree: %s; ACPI not used\n",
		       fdt_strerror(err));
		return -ENOSPC;
	}
	boot_info_valid = true;
	return 0;
}
