/* Host test of the ACPI table parser and its fold into the board tree
 * (kernel/acpi/acpi.c, kernel/acpi/acpi_fdt.c), under ASan/UBSan.
 *
 * Fixtures: QEMU 7.2's own tables for q35 and pc at -smp 1 and -smp 4,
 * dumped at build time by tools/acpi_dump.py (SeaBIOS builds them; the
 * script reads guest memory over QMP). Each is a list of records
 * { u64 pa, u32 len, u32 0, bytes }, the RSDP first; the test's map()
 * serves exactly those bytes, nothing else, so a table that runs past its
 * record is "not readable" (truncated).
 *
 * Checks: the real tables give QEMU's CPUs, I/O APIC, overrides, NMI,
 * FADT registers, \_S5 and (q35) MCFG; then damaged copies (truncated,
 * bad checksum, wrong length, overlapping, bad MADT entries, bad RSDP,
 * every length of truncation) are reported and skipped, the rest still
 * used; finally the fold into boards/q35's tree gives the nodes the
 * drivers read, and the board parser accepts the result.
 *
 * Usage: acpi_test [dir] (default tests/testdata). Exit 0 iff all passed.
 */
#include <kernel/acpi.h>
#include <kernel/board.h>
#include <kernel/errno.h>
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"

#define MAX_REC 32

struct rec {
	uint64_t pa;
	uint32_t len;
	uint8_t *data;
};

struct fixture {
	struct rec r[MAX_REC];
	unsigned n;
	char reports[64][160];
	unsigned nr_reports;
};

static const char *dir = "tests/testdata";

static int load(struct fixture *fx, const char *name)
{
	char path[512];
	FILE *f;
	uint8_t hdr[16];

	memset(fx, 0, sizeof(*fx));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	while (fx->n < MAX_REC && fread(hdr, 1, 16, f) == 16) {
		struct rec *r = &fx->r[fx->n++];

		memcpy(&r->pa, hdr, 8);
		memcpy(&r->len, hdr + 8, 4);
		r->data = malloc(r->len);
		if (!r->data || fread(r->data, 1, r->len, f) != r->len) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return fx->n ? 0 : -1;
}

static void unload(struct fixture *fx)
{
	for (unsigned i = 0; i < fx->n; i++)
		free(fx->r[i].data);
	fx->n = 0;
}

/* Bytes [pa, pa+len) if one record holds them all. */
static const void *fx_map(void *ctx, uint64_t pa, uint64_t len)
{
	struct fixture *fx = ctx;

	for (unsigned i = 0; i < fx->n; i++) {
		const struct rec *r = &fx->r[i];

		if (pa >= r->pa && pa - r->pa <= r->len && len <= r->len - (pa - r->pa))
			return r->data + (pa - r->pa);
	}
	return NULL;
}

static void fx_report(void *ctx, const char *msg)
{
	struct fixture *fx = ctx;

	if (fx->nr_reports < 64)
		snprintf(fx->reports[fx->nr_reports++], 160, "%s", msg);
}

static bool reported(const struct fixture *fx, const char *needle)
{
	for (unsigned i = 0; i < fx->nr_reports; i++)
		if (strstr(fx->reports[i], needle))
			return true;
	return false;
}

static struct rec *find(struct fixture *fx, const char *sig)
{
	for (unsigned i = 0; i < fx->n; i++)
		if (fx->r[i].len >= 4 && !memcmp(fx->r[i].data, sig, 4))
			return &fx->r[i];
	return NULL;
}

static void fix_checksum(uint8_t *t, uint32_t len, unsigned off)
{
	uint8_t sum = 0;

	t[off] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += t[i];
	t[off] = (uint8_t)-sum;
}

static int parse(struct fixture *fx, struct acpi_info *info)
{
	struct acpi_ops ops = { fx_map, fx_report, fx };

	fx->nr_reports = 0;
	return acpi_parse(fx->r[0].data, fx->r[0].len, &ops, info);
}

static struct acpi_info info; /* large */

/* QEMU's tables as QEMU 7.2 builds them (hw/i386/acpi-build.c). */
static void check_real(const char *name, bool q35, unsigned smp)
{
	struct fixture fx;

	if (load(&fx, name)) {
		CHECK(0, "%s: cannot load the fixture", name);
		return;
	}
	CHECK(parse(&fx, &info) == 0, "%s: parses", name);
	CHECK(info.nr_bad == 0 && fx.nr_reports == 0, "%s: nothing reported (%u, %s)", name,
	      info.nr_bad, fx.nr_reports ? fx.reports[0] : "");
	CHECK(!strcmp(info.oem_id, "BOCHS "), "%s: OEM %s", name, info.oem_id);
	CHECK(info.have_madt && info.nr_cpus == smp, "%s: %u CPUs", name, info.nr_cpus);
	for (unsigned i = 0; i < info.nr_cpus; i++)
		CHECK(info.cpus[i].apic_id == i && info.cpus[i].enabled && !info.cpus[i].x2apic,
		      "%s: CPU %u has APIC ID %u", name, i, info.cpus[i].apic_id);
	CHECK(info.lapic_address == 0xfee00000 && info.pcat_compat, "%s: LAPIC", name);
	CHECK(info.nr_ioapics == 1 && info.ioapics[0].address == 0xfec00000 &&
		      info.ioapics[0].gsi_base == 0,
	      "%s: one I/O APIC at 0xfec00000, GSI base 0", name);
	CHECK(info.nr_overrides >= 2 && info.overrides[0].source == 0 &&
		      info.overrides[0].gsi == 2,
	      "%s: IRQ 0 -> GSI 2", name);
	for (unsigned i = 1; i < info.nr_overrides; i++)
		CHECK(info.overrides[i].gsi == info.overrides[i].source &&
			      acpi_inti_sense(info.overrides[i].flags, true) == 2,
		      "%s: IRQ %u level, high", name, info.overrides[i].source);
	CHECK(info.nr_nmis == 1 && info.nmis[0].uid == ACPI_NMI_ALL_CPUS && info.nmis[0].lint == 1,
	      "%s: NMI on LINT1 of every CPU", name);
	CHECK(info.have_fadt && info.sci_irq == 9, "%s: SCI %u", name, info.sci_irq);
	CHECK(info.pm1a_cnt.space == ACPI_GAS_IO && info.pm1a_cnt.address == (q35 ? 0x604 : 0x604) &&
		      info.pm1_cnt_len == 2,
	      "%s: PM1a control at port %#llx", name, (unsigned long long)info.pm1a_cnt.address);
	if (q35)
		CHECK(info.have_reset && info.reset_reg.space == ACPI_GAS_IO &&
			      info.reset_reg.address == 0xcf9 && info.reset_value == 0x0f,
		      "%s: reset register 0xcf9 = 0xf", name);
	CHECK(info.have_s5 && info.s5_slp_typ == 0, "%s: \\_S5 SLP_TYP 0", name);
	if (q35)
		CHECK(info.nr_mcfg == 1 && info.mcfg[0].base == 0xb0000000 &&
			      info.mcfg[0].segment == 0 && info.mcfg[0].bus_start == 0 &&
			      info.mcfg[0].bus_end == 255,
		      "%s: ECAM at 0xb0000000, buses 0-255", name);
	else
		CHECK(info.nr_mcfg == 0, "%s: no MCFG on i440FX", name);
	/* The last record is the BIOS area 0xe0000-0xfffff: the scan finds
	 * the RSDP where the firmware put it. */
	{
		const struct rec *area = &fx.r[fx.n - 1];
		long off = acpi_rsdp_scan(area->data, area->len);

		CHECK(area->pa == 0xe0000 && off >= 0 && area->pa + (uint64_t)off == fx.r[0].pa,
		      "%s: BIOS area scan finds the RSDP at %#llx", name,
		      (unsigned long long)fx.r[0].pa);
	}
	unload(&fx);
}

/* Damage one table of a q35 -smp 4 copy; it alone is skipped. */
static void check_bad(const char *name)
{
	struct fixture fx;
	struct rec *r;

	/* Bad checksum: the MADT. */
	load(&fx, name);
	r = find(&fx, "APIC");
	r->data[r->len - 1] ^= 0x55;
	CHECK(parse(&fx, &info) == 0 && !info.have_madt && info.nr_bad == 1 && info.have_fadt &&
		      info.nr_mcfg == 1 && reported(&fx, "APIC at") && reported(&fx, "checksum"),
	      "bad MADT checksum: reported, MADT skipped, the rest used");
	unload(&fx);

	/* Truncated: the fixture holds fewer bytes than the MCFG's length. */
	load(&fx, name);
	r = find(&fx, "MCFG");
	r->len -= 8;
	CHECK(parse(&fx, &info) == 0 && info.nr_mcfg == 0 && info.have_madt && info.nr_bad == 1 &&
		      reported(&fx, "not readable"),
	      "truncated MCFG: reported, skipped");
	unload(&fx);

	/* Wrong length (too long, checksum fixed): what follows is not the
	 * table; with a mapping that allows it, the overlap check or the
	 * checksum catches it; here the bytes are not there. */
	load(&fx, name);
	r = find(&fx, "FACP");
	r->data[4] = 0xff;
	r->data[5] = 0x00;
	fix_checksum(r->data, r->len, 9);
	CHECK(parse(&fx, &info) == 0 && !info.have_fadt && info.nr_bad == 1,
	      "FADT with length 255 > its bytes: skipped");
	unload(&fx);

	/* Wrong length (too short for its fields, checksum fixed). */
	load(&fx, name);
	r = find(&fx, "FACP");
	r->data[4] = 100;
	r->data[5] = 0;
	fix_checksum(r->data, 100, 9);
	CHECK(parse(&fx, &info) == 0 && !info.have_fadt && !info.have_s5 && info.nr_bad == 1 &&
		      reported(&fx, "too short"),
	      "FADT of 100 bytes: reported too short, skipped");
	unload(&fx);

	/* Length below the header's 36 bytes. */
	load(&fx, name);
	r = find(&fx, "MCFG");
	r->data[4] = 20;
	CHECK(parse(&fx, &info) == 0 && info.nr_mcfg == 0 && reported(&fx, "bad length"),
	      "MCFG of length 20: bad length");
	unload(&fx);

	/* MCFG whose length is not header + 8 + 16n. */
	load(&fx, name);
	r = find(&fx, "MCFG");
	r->data[4] = 59;
	fix_checksum(r->data, 59, 9);
	CHECK(parse(&fx, &info) == 0 && info.nr_mcfg == 0 && reported(&fx, "16 * n"),
	      "MCFG of 59 bytes: skipped");
	unload(&fx);

	/* Overlapping: the MCFG moved so that its first 8 bytes are the
	 * MADT's last 8 (a record of its own in the fixture, so only the
	 * overlap check can refuse it: signature, length and checksum hold). */
	load(&fx, name);
	{
		struct rec *rsdt = find(&fx, "RSDT"), *madt = find(&fx, "APIC"),
			   *mcfg = find(&fx, "MCFG");
		uint32_t old = (uint32_t)mcfg->pa, moved = (uint32_t)(madt->pa + madt->len - 8);
		struct rec *r2 = &fx.r[fx.n++];

		r2->pa = moved;
		r2->len = mcfg->len;
		r2->data = malloc(mcfg->len);
		memcpy(r2->data, mcfg->data, mcfg->len);
		for (uint32_t off = 36; off + 4 <= rsdt->len; off += 4) {
			uint32_t e;

			memcpy(&e, rsdt->data + off, 4);
			if (e == old)
				memcpy(rsdt->data + off, &moved, 4);
		}
		fix_checksum(rsdt->data, rsdt->len, 9);
		CHECK(parse(&fx, &info) == 0 && info.have_madt && info.nr_mcfg == 0 &&
			      info.nr_bad == 1 && reported(&fx, "overlaps"),
		      "an MCFG overlapping the MADT: reported, skipped (%s)",
		      fx.nr_reports ? fx.reports[0] : "no report");
	}
	unload(&fx);

	/* The same table listed twice. */
	load(&fx, name);
	{
		struct rec *rsdt = find(&fx, "RSDT"), *madt = find(&fx, "APIC");
		uint32_t madt_pa = (uint32_t)madt->pa;

		memcpy(rsdt->data + rsdt->len - 4, &madt_pa, 4); /* WAET -> APIC */
		fix_checksum(rsdt->data, rsdt->len, 9);
		CHECK(parse(&fx, &info) == 0 && info.have_madt && info.nr_cpus == 4 &&
			      reported(&fx, "second one"),
		      "a second MADT: reported, the first used");
	}
	unload(&fx);

	/* MADT entry whose length runs past the table. */
	load(&fx, name);
	r = find(&fx, "APIC");
	r->data[44 + 1] = 200;
	fix_checksum(r->data, r->len, 9);
	CHECK(parse(&fx, &info) == 0 && !info.have_madt && info.nr_cpus == 0 &&
		      reported(&fx, "past the end"),
	      "MADT entry past the end: the whole MADT skipped");
	unload(&fx);

	/* MADT entry of length 0 (would loop forever). */
	load(&fx, name);
	r = find(&fx, "APIC");
	r->data[44 + 1] = 0;
	fix_checksum(r->data, r->len, 9);
	CHECK(parse(&fx, &info) == 0 && !info.have_madt, "MADT entry of length 0: skipped");
	unload(&fx);

	/* A local APIC entry shorter than its type, and a duplicate APIC ID. */
	load(&fx, name);
	r = find(&fx, "APIC");
	r->data[44 + 1] = 4;
	r->data[44 + 4] = 0;
	r->data[44 + 5] = 8;
	r->data[44 + 6] = 0;
	r->data[44 + 7] = 0;
	fix_checksum(r->data, r->len, 9);
	CHECK(parse(&fx, &info) == 0 && !info.have_madt && reported(&fx, "shorter"),
	      "local APIC entry of 4 bytes: MADT skipped");
	unload(&fx);
	load(&fx, name);
	r = find(&fx, "APIC");
	r->data[44 + 8 + 3] = 0; /* CPU 1's APIC ID := 0 */
	fix_checksum(r->data, r->len, 9);
	CHECK(parse(&fx, &info) == 0 && !info.have_madt && reported(&fx, "twice"),
	      "APIC ID listed twice: MADT skipped");
	unload(&fx);

	/* Disabled, online-capable and unusable CPUs. */
	load(&fx, name);
	r = find(&fx, "APIC");
	r->data[44 + 8 + 4] = 2;  /* CPU 1: online-capable only */
	r->data[44 + 16 + 4] = 0; /* CPU 2: neither: dropped */
	fix_checksum(r->data, r->len, 9);
	CHECK(parse(&fx, &info) == 0 && info.nr_cpus == 3 && !info.cpus[1].enabled &&
		      info.cpus[1].online_capable && info.cpus[2].apic_id == 3,
	      "online-capable kept (not enabled), unusable dropped");
	unload(&fx);

	/* The DSDT corrupt: FADT still used, \_S5 not. */
	load(&fx, name);
	r = find(&fx, "DSDT");
	r->data[100] ^= 1;
	CHECK(parse(&fx, &info) == 0 && info.have_fadt && !info.have_s5 && reported(&fx, "DSDT"),
	      "bad DSDT: reported, no \\_S5, FADT kept");
	unload(&fx);

	/* Bad RSDP: checksum, signature, too short. */
	load(&fx, name);
	fx.r[0].data[8] ^= 1;
	CHECK(parse(&fx, &info) == -EINVAL && reported(&fx, "RSDP"), "bad RSDP checksum: -EINVAL");
	fx.r[0].data[8] ^= 1;
	CHECK(acpi_rsdp_valid(fx.r[0].data, fx.r[0].len), "RSDP valid again");
	CHECK(!acpi_rsdp_valid(fx.r[0].data, 19), "RSDP of 19 bytes: invalid");
	fx.r[0].data[0] = 'X';
	CHECK(!acpi_rsdp_valid(fx.r[0].data, fx.r[0].len), "RSDP signature: invalid");
	unload(&fx);

	/* Root table unreadable: -ENOENT. */
	load(&fx, name);
	find(&fx, "RSDT")->len = 30;
	CHECK(parse(&fx, &info) == -ENOENT && reported(&fx, "RSDT"), "RSDT unreadable: -ENOENT");
	unload(&fx);

	/* Every truncation of every table: never a crash (ASan), never a
	 * table used with fewer bytes than its length. */
	for (unsigned t = 1;; t++) {
		uint32_t full;

		load(&fx, name);
		if (t >= fx.n) {
			unload(&fx);
			break;
		}
		full = fx.r[t].len;
		/* Tables the parser does not use (HPET, WAET) are not read. */
		if (memcmp(fx.r[t].data, "RSDT", 4) && memcmp(fx.r[t].data, "FACP", 4) &&
		    memcmp(fx.r[t].data, "APIC", 4) && memcmp(fx.r[t].data, "MCFG", 4) &&
		    memcmp(fx.r[t].data, "DSDT", 4))
			full = 0;
		unload(&fx);
		for (uint32_t len = 0; len < full; len += (full > 600 ? 97 : 1)) {
			load(&fx, name);
			fx.r[t].len = len;
			parse(&fx, &info);
			CHECK(info.nr_bad >= 1 || fx.nr_reports >= 1 || t == 0,
			      "record %u cut to %u bytes: reported", t, len);
			unload(&fx);
		}
	}
}

/* ACPI 2.0: a v2 RSDP and an XSDT with the RSDT's entries widened to 64
 * bits (SeaBIOS gives revision 0; OVMF gives this, checked in the UEFI
 * boot test). A bad XSDT falls back to the RSDT. */
static void check_xsdt(const char *name)
{
	struct fixture fx;
	struct rec *rsdt, *rsdp, *x;
	uint32_t n;
	uint64_t xpa = 0x100000;

	if (load(&fx, name))
		return;
	rsdt = find(&fx, "RSDT");
	rsdp = &fx.r[0];
	n = (rsdt->len - 36) / 4;
	x = &fx.r[fx.n++];
	x->pa = xpa;
	x->len = 36 + 8 * n;
	x->data = calloc(1, x->len);
	memcpy(x->data, rsdt->data, 36);
	memcpy(x->data, "XSDT", 4);
	memcpy(x->data + 4, &x->len, 4);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = 0;

		memcpy(&e, rsdt->data + 36 + 4 * i, 4);
		memcpy(x->data + 36 + 8 * i, &e, 8);
	}
	fix_checksum(x->data, x->len, 9);
	free(rsdp->data);
	rsdp->data = calloc(1, 36);
	rsdp->len = 36;
	memcpy(rsdp->data, "RSD PTR ", 8);
	memcpy(rsdp->data + 9, "KEVLAR", 6);
	rsdp->data[15] = 2;
	memcpy(rsdp->data + 16, &rsdt->pa, 4);
	rsdp->data[20] = 36;
	memcpy(rsdp->data + 24, &xpa, 8);
	fix_checksum(rsdp->data, 20, 8);
	fix_checksum(rsdp->data, 36, 32);
	CHECK(acpi_rsdp_valid(rsdp->data, 36), "v2 RSDP valid");
	/* The RSDT made useless: only the XSDT can give the tables. */
	memcpy(rsdt->data, "XXXX", 4);
	CHECK(parse(&fx, &info) == 0 && info.revision == 2 && info.nr_cpus == 4 && info.have_fadt &&
		      info.have_s5 && info.nr_mcfg == 1 && info.nr_bad == 0,
	      "XSDT: the same tables");
	memcpy(rsdt->data, "RSDT", 4);
	x->data[40] ^= 0xff; /* XSDT checksum broken: RSDT used */
	CHECK(parse(&fx, &info) == 0 && info.nr_cpus == 4 && info.nr_bad == 1 &&
		      reported(&fx, "XSDT"),
	      "bad XSDT: reported, the RSDT used");
	rsdp->data[30] ^= 1; /* extended checksum broken */
	CHECK(parse(&fx, &info) == -EINVAL, "v2 RSDP with a bad extended checksum: -EINVAL");
	unload(&fx);
}

/* RSDP scan and the AML \_S5 matcher on synthetic bytes. */
static void check_small(void)
{
	uint8_t area[256] = { 0 };
	uint8_t rsdp[20] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
	uint8_t aml1[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x07, 0x0a, 0x07, 0, 0 };
	uint8_t aml2[] = { 0x10, 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x01, 0x00 };
	uint8_t aml3[] = { 0x08, '_', 'S', '5', '_', 0x12 };
	uint8_t aml4[] = { 0x14, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x01 }; /* not NameOp */
	uint8_t typ = 0xee;

	fix_checksum(rsdp, 20, 8);
	memcpy(area + 40, rsdp, 20); /* not 16-aligned: not found */
	CHECK(acpi_rsdp_scan(area, sizeof(area)) == -1, "unaligned RSDP not found");
	memcpy(area + 48, rsdp, 20);
	CHECK(acpi_rsdp_scan(area, sizeof(area)) == 48, "RSDP found at 48");
	CHECK(acpi_rsdp_scan(area, 60) == -1, "RSDP cut by the area's end: not found");
	CHECK(acpi_find_s5(aml1, sizeof(aml1), &typ) == 0 && typ == 7, "\\_S5 BytePrefix 7");
	CHECK(acpi_find_s5(aml2, sizeof(aml2), &typ) == 0 && typ == 1, "\\_S5 rooted, One");
	CHECK(acpi_find_s5(aml3, sizeof(aml3), &typ) == -ENOENT, "\\_S5 cut short: -ENOENT");
	CHECK(acpi_find_s5(aml4, sizeof(aml4), &typ) == -ENOENT, "_S5_ not a Name: -ENOENT");
	CHECK(acpi_inti_sense(0, true) == 0 && acpi_inti_sense(0, false) == 1 &&
		      acpi_inti_sense(0xd, true) == 2 && acpi_inti_sense(0xf, true) == 1 &&
		      acpi_inti_sense(0x5, false) == 0 && acpi_inti_sense(0x7, true) == 3,
	      "INTI flags to DT sense");
}

static const fdt32_t *prop(const void *fdt, const char *path, const char *name, int *len)
{
	int node = fdt_path_offset(fdt, path);

	return node < 0 ? NULL : fdt_getprop(fdt, node, name, len);
}

static void *load_file(const char *name, size_t *size)
{
	char path[512];
	FILE *f;
	void *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* Fold q35 -smp 4's tables into boards/q35's tree. */
static void check_fold(void)
{
	static uint64_t buf[64 * 1024 / 8], small[4096 / 8];
	static struct board_info board;
	struct fixture fx;
	size_t size;
	void *dtb = load_file("q35.dtb", &size);
	const fdt32_t *p;
	int len, node, n;
	char msg[160];
	uint32_t ph;

	CHECK(dtb != NULL, "q35.dtb loads");
	if (!dtb || load(&fx, "q35_smp4.acpi"))
		return;
	parse(&fx, &info);
	ph = fdt_get_phandle(dtb, fdt_node_offset_by_compatible(dtb, -1, "intel,ce4100-ioapic"));
	/* The bus overrides for the test: an ISA device on IRQ 0 and 9. */
	CHECK(fdt_open_into(dtb, buf, sizeof(buf)) == 0, "fdt_open_into");
	node = fdt_path_offset(buf, "/isa/rtc@70");
	fdt_setprop_u32(buf, node, "interrupts", 0); /* placeholder, rewritten below */
	{
		fdt32_t irq[2] = { cpu_to_fdt32(0), cpu_to_fdt32(0) };

		fdt_setprop(buf, node, "interrupts", irq, sizeof(irq)); /* ISA IRQ 0 */
	}
	CHECK(acpi_fdt_apply(&info, buf) == 0, "acpi_fdt_apply");
	CHECK(fdt_check_header(buf) == 0, "the folded tree has a good header");
	n = 0;
	fdt_for_each_subnode(node, buf, fdt_path_offset(buf, "/cpus")) n++;
	CHECK(n == 4, "4 /cpus children");
	for (unsigned i = 0; i < 4; i++) {
		char path[32];
		const char *em;

		snprintf(path, sizeof(path), "/cpus/cpu@%x", i);
		p = prop(buf, path, "reg", &len);
		CHECK(p && len == 4 && fdt32_to_cpu(*p) == i, "%s reg = %u", path, i);
		em = (const char *)prop(buf, path, "enable-method", &len);
		CHECK(em && !strcmp(em, "intel,apic-init-sipi"), "%s enable-method", path);
	}
	node = fdt_node_offset_by_compatible(buf, -1, "intel,ce4100-lapic");
	p = fdt_getprop(buf, node, "kevlar,nmi-lint", &len);
	CHECK(p && len == 8 && fdt32_to_cpu(p[0]) == 1 && fdt32_to_cpu(p[1]) == 0,
	      "local APIC: NMI on LINT1, active high");
	node = fdt_node_offset_by_compatible(buf, -1, "intel,ce4100-ioapic");
	CHECK(node >= 0 && fdt_get_phandle(buf, node) == ph && ph,
	      "the I/O APIC node keeps its phandle");
	CHECK(!strcmp(fdt_get_name(buf, node, NULL), "interrupt-controller@fec00000"),
	      "I/O APIC name");
	p = fdt_getprop(buf, node, "kevlar,gsi-base", &len);
	CHECK(p && len == 4 && fdt32_to_cpu(*p) == 0, "kevlar,gsi-base 0");
	p = fdt_getprop(buf, node, "kevlar,interrupt-overrides", &len);
	CHECK(p && len == 5 * 12 && fdt32_to_cpu(p[0]) == 0 && fdt32_to_cpu(p[1]) == 2 &&
		      fdt32_to_cpu(p[2]) == 0 && fdt32_to_cpu(p[4]) == 5 && fdt32_to_cpu(p[5]) == 2,
	      "overrides <0 2 0> <5 5 2> ...");
	p = prop(buf, "/isa/rtc@70", "interrupts", &len);
	CHECK(p && len == 8 && fdt32_to_cpu(p[0]) == 2 && fdt32_to_cpu(p[1]) == 0,
	      "ISA IRQ 0 of a device becomes GSI 2");
	p = prop(buf, "/isa/serial@3f8", "interrupts", &len);
	CHECK(p && len == 8 && fdt32_to_cpu(p[0]) == 4, "ISA IRQ 4 stays GSI 4");
	p = prop(buf, "/isa/poweroff@604", "reg", &len);
	CHECK(p && len == 12 && fdt32_to_cpu(p[0]) == 1 && fdt32_to_cpu(p[1]) == 0x604 &&
		      fdt32_to_cpu(p[2]) == 2,
	      "PM1a <1 0x604 2>");
	p = prop(buf, "/isa/poweroff@604", "kevlar,slp-typ", &len);
	CHECK(p && fdt32_to_cpu(*p) == 0, "slp-typ 0");
	p = prop(buf, "/isa/poweroff@604", "kevlar,sci", &len);
	CHECK(p && len == 8 && fdt32_to_cpu(p[0]) == 9 && fdt32_to_cpu(p[1]) == 2,
	      "SCI GSI 9, level high (QEMU's override)");
	p = prop(buf, "/isa/reset@cf9", "kevlar,reset-value", &len);
	CHECK(p && fdt32_to_cpu(*p) == 0xf, "reset@cf9 value 0xf");
	p = prop(buf, "/pcie@b0000000", "reg", &len);
	CHECK(p && len == 16 && fdt32_to_cpu(p[1]) == 0xb0000000 && fdt32_to_cpu(p[3]) == 0x10000000,
	      "pcie@b0000000 reg: 256 MiB");
	p = prop(buf, "/pcie@b0000000", "bus-range", &len);
	CHECK(p && len == 8 && fdt32_to_cpu(p[0]) == 0 && fdt32_to_cpu(p[1]) == 255,
	      "bus-range <0 255>");
	CHECK(fdt_node_offset_by_compatible(buf, -1, "pci-host-ecam-generic") >= 0,
	      "pci-host-ecam-generic");
	CHECK(board_parse_buf(buf, fdt_totalsize(buf), BOARD_PARSE_MEM_OPTIONAL, &board, msg,
			      sizeof(msg)) == 0,
	      "the board parser takes the folded tree (%s)", msg);

	/* Too small a buffer: an error, not an overflow. */
	CHECK(fdt_totalsize(dtb) + 128 <= sizeof(small) &&
		      fdt_open_into(dtb, small, (int)fdt_totalsize(dtb) + 128) == 0 &&
		      acpi_fdt_apply(&info, small) == -FDT_ERR_NOSPACE,
	      "128 bytes of room: -FDT_ERR_NOSPACE");
	unload(&fx);
	free(dtb);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		dir = argv[1];
	check_real("q35_smp1.acpi", true, 1);
	check_real("q35_smp4.acpi", true, 4);
	check_real("pc_smp1.acpi", false, 1);
	check_real("pc_smp4.acpi", false, 4);
	check_bad("q35_smp4.acpi");
	check_xsdt("q35_smp4.acpi");
	check_small();
	check_fold();
	printf("%d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
