/* libFuzzer harness: the ACPI table parser (kernel/acpi/acpi.c) and its fold
 * into the board tree (kernel/acpi/acpi_fdt.c) on arbitrary firmware
 * memory. Built and run by tools/fuzz-parsers.sh (docs/reliability.md).
 *
 * Input: the fixture format tools/acpi_dump.py writes (tests/host/acpi):
 * records of { u64 pa, u32 len, u32 pad, len bytes }, little-endian; the
 * first record holds the RSDP. Each record is an exactly-sized heap block,
 * so a read past a table is an AddressSanitizer report.
 *
 * Checksums: a random mutation almost always breaks a table's checksum and
 * the parser stops there. So unless bit 0 of the first record's pa is set,
 * the harness makes every record's checksum right first (the RSDP's two
 * [ACPI 6.4 §5.2.5.3], each table's byte 9 over its Length [§5.2.6]),
 * letting the fuzzer reach the table bodies.
 *
 * The tree the result is folded into is QEMU q35's (boards/q35), read at
 * start from $PARSEFUZZ_ACPI_DTB when set.
 */
#include <kernel/acpi.h>
#include <kernel/board.h>
#include <kernel/errno.h>
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REC 32

struct rec {
	uint64_t pa;
	uint32_t len;
	uint8_t *data;
};

static struct rec recs[MAX_REC];
static unsigned nrec;
static uint8_t *base_dtb;
static size_t base_dtb_len;

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void fix_sum(uint8_t *t, size_t len, size_t off)
{
	uint8_t s = 0;

	t[off] = 0;
	for (size_t i = 0; i < len; i++)
		s += t[i];
	t[off] = (uint8_t)-s;
}

static void fix_checksums(void)
{
	for (unsigned i = 0; i < nrec; i++) {
		struct rec *r = &recs[i];

		if (i == 0 && r->len >= 20 && !memcmp(r->data, "RSD PTR ", 8)) {
			fix_sum(r->data, 20, 8);
			if (r->len >= 36) {
				uint32_t l = rd32(r->data + 20);
				if (l >= 33 && l <= r->len)
					fix_sum(r->data, l, 32);
			}
		} else if (r->len >= 36) {
			uint32_t l = rd32(r->data + 4);
			if (l >= 10 && l <= r->len)
				fix_sum(r->data, l, 9);
		}
	}
}

static const void *map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	for (unsigned i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];

		if (pa >= r->pa && pa - r->pa <= r->len && len <= r->len - (pa - r->pa))
			return r->data + (pa - r->pa);
	}
	return NULL;
}

static void report(void *ctx, const char *msg)
{
	(void)ctx;
	if (strlen(msg) > 4096)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *p = getenv("PARSEFUZZ_ACPI_DTB");
	FILE *f;
	long n;

	(void)argc;
	(void)argv;
	if (!p || !(f = fopen(p, "rb")))
		return 0;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		base_dtb = malloc((size_t)n);
		if (base_dtb && fread(base_dtb, 1, (size_t)n, f) == (size_t)n)
			base_dtb_len = (size_t)n;
	}
	fclose(f);
	return 0;
}

static struct acpi_info info; /* large */
static struct board_info bi;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	struct acpi_ops ops = { map, report, NULL };

	nrec = 0;
	while (nrec < MAX_REC && size - off >= 16) {
		struct rec *r = &recs[nrec];

		memcpy(&r->pa, data + off, 8);
		memcpy(&r->len, data + off + 8, 4);
		off += 16;
		if (r->len > size - off)
			r->len = (uint32_t)(size - off);
		r->data = malloc(r->len ? r->len : 1);
		memcpy(r->data, data + off, r->len);
		off += r->len;
		nrec++;
	}
	if (nrec == 0)
		return 0;
	if (!(recs[0].pa & 1))
		fix_checksums();

	(void)acpi_rsdp_valid(recs[0].data, recs[0].len);
	(void)acpi_rsdp_scan(recs[0].data, recs[0].len);
	for (unsigned i = 1; i < nrec; i++) {
		uint8_t typ;

		/* a DSDT's AML body, as acpi_parse hands it over */
		if (recs[i].len >= 36)
			(void)acpi_find_s5(recs[i].data + 36, recs[i].len - 36, &typ);
	}

	memset(&info, 0xa5, sizeof(info));
	int r = acpi_parse(recs[0].data, recs[0].len, &ops, &info);
	if (r != 0 && r != -EINVAL && r != -ENOENT)
		abort();
	if (r == 0) {
		if (info.nr_mcfg > ACPI_MAX_MCFG || info.nr_cpus > ACPI_MAX_CPUS ||
		    info.nr_ioapics > ACPI_MAX_IOAPICS || info.nr_overrides > ACPI_MAX_OVERRIDES ||
		    info.nr_nmis > ACPI_MAX_NMIS)
			abort();
		if (base_dtb_len) {
			size_t sz = base_dtb_len + 16384;
			void *fdt = malloc(sz);

			/* as at boot: fold, then the board parser reads the tree */
			if (fdt_open_into(base_dtb, fdt, (int)sz) == 0 && acpi_fdt_apply(&info, fdt) == 0) {
				char msg[128];

				if (fdt_check_header(fdt) != 0)
					abort();
				(void)board_parse_buf(fdt, sz, BOARD_PARSE_MEM_OPTIONAL, &bi, msg, sizeof(msg));
			}
			free(fdt);
		}
	}
	for (unsigned i = 0; i < nrec; i++)
		free(recs[i].data);
	return 0;
}
