/* ACPI static table parser (<kernel/acpi.h>): RSDP, RSDT/XSDT, MADT, FADT,
 * DSDT (\_S5 only) and MCFG [ACPI 6.4 §5.2; PCI Firmware 3.2 §4.1.2].
 * Pure parsing: every byte comes through ops->map(), every multi-byte field
 * is read little-endian byte by byte (tables are not aligned), and every
 * read is bounded by the table's checked length. */
#include <kernel/acpi.h>
#include <kernel/errno.h>
#include <stdarg.h>
#include <kernel/printk.h>
#include <string.h>

#define HDR_LEN 36 /* System Description Table Header [§5.2.6] */

/* MADT entry types [ACPI 6.4 table 5.21] and their minimum lengths. */
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_OVERRIDE 2
#define MADT_NMI_SOURCE 3
#define MADT_LAPIC_NMI 4
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC 9
#define MADT_X2APIC_NMI 10

#define FADT_RESET_REG_SUP (1u << 10)

struct parser {
	const struct acpi_ops *ops;
	struct acpi_info *info;
	/* Physical ranges of the tables accepted so far: a table overlapping
	 * one of them is refused [§5.2: each table is a distinct object]. */
	struct {
		uint64_t start, end;
	} used[ACPI_MAX_TABLES + 4];
	unsigned nr_used;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void report(struct parser *ps, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (!ps->ops->report)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps->ops->report(ps->ops->ctx, msg);
}

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

bool acpi_rsdp_valid(const void *p, size_t len)
{
	const uint8_t *r = p;
	uint32_t xlen;

	if (!p || len < ACPI_RSDP_V1_LEN || memcmp(r, "RSD PTR ", 8) || checksum(r, 20))
		return false;
	if (r[15] < 2)
		return true;
	if (len < ACPI_RSDP_V2_LEN)
		return false;
	xlen = get32(r + 20);
	return xlen >= ACPI_RSDP_V2_LEN && xlen <= len && !checksum(r, xlen);
}

long acpi_rsdp_scan(const void *buf, size_t len)
{
	const uint8_t *b = buf;

	for (size_t off = 0; off + ACPI_RSDP_V1_LEN <= len; off += 16) {
		size_t left = len - off;

		if (memcmp(b + off, "RSD PTR ", 8))
			continue;
		if (acpi_rsdp_valid(b + off, left < ACPI_RSDP_V2_LEN ? left : ACPI_RSDP_V2_LEN))
			return (long)off;
	}
	return -1;
}

/* Map and check the table at pa. sig: the expected signature, or NULL for
 * any. Returns the table (its checked length in *lenp) or NULL after a
 * report. An accepted table's range is remembered for the overlap check. */
static const uint8_t *get_table(struct parser *ps, uint64_t pa, const char *sig, uint32_t *lenp)
{
	const uint8_t *h, *t;
	char name[5] = "????";
	uint32_t len;

	if (!pa) {
		report(ps, "%s: null address, skipped", sig ? sig : "table");
		goto bad;
	}
	h = ps->ops->map(ps->ops->ctx, pa, HDR_LEN);
	if (!h) {
		report(ps, "%s at %#llx: header not readable, skipped", sig ? sig : "table",
		       (unsigned long long)pa);
		goto bad;
	}
	for (int i = 0; i < 4; i++)
		name[i] = (h[i] >= 0x20 && h[i] < 0x7f) ? (char)h[i] : '?';
	if (sig && memcmp(h, sig, 4)) {
		report(ps, "%s at %#llx: signature is \"%s\", skipped", sig, (unsigned long long)pa,
		       name);
		goto bad;
	}
	len = get32(h + 4);
	if (len < HDR_LEN || len > ACPI_MAX_TABLE_LEN || pa + len < pa) {
		report(ps, "%s at %#llx: bad length %u, skipped", name, (unsigned long long)pa,
		       len);
		goto bad;
	}
	t = ps->ops->map(ps->ops->ctx, pa, len);
	if (!t) {
		report(ps, "%s at %#llx: %u bytes not readable (truncated?), skipped", name,
		       (unsigned long long)pa, len);
		goto bad;
	}
	if (checksum(t, len)) {
		report(ps, "%s at %#llx: bad checksum, skipped", name, (unsigned long long)pa);
		goto bad;
	}
	for (unsigned i = 0; i < ps->nr_used; i++) {
		if (pa < ps->used[i].end && pa + len > ps->used[i].start) {
			report(ps, "%s at %#llx (+%u): overlaps the table at %#llx, skipped", name,
			       (unsigned long long)pa, len, (unsigned long long)ps->used[i].start);
			goto bad;
		}
	}
	if (ps->nr_used < sizeof(ps->used) / sizeof(ps->used[0])) {
		ps->used[ps->nr_used].start = pa;
		ps->used[ps->nr_used].end = pa + len;
		ps->nr_used++;
	}
	ps->info->nr_tables++;
	*lenp = len;
	return t;
bad:
	ps->info->nr_bad++;
	return NULL;
}

static void bad_table(struct parser *ps, const char *sig, uint64_t pa, const char *why)
{
	report(ps, "%s at %#llx: %s, skipped", sig, (unsigned long long)pa, why);
	ps->info->nr_bad++;
}

static void get_gas(const uint8_t *p, struct acpi_gas *g)
{
	g->space = p[0];
	g->bit_width = p[1];
	g->bit_offset = p[2];
	g->access_size = p[3];
	g->address = get64(p + 4);
}

/* MADT [ACPI 6.4 §5.2.12]: parsed into a copy first, so a table with one
 * bad entry leaves *info untouched. */
static void parse_madt(struct parser *ps, const uint8_t *t, uint32_t len, uint64_t pa)
{
	static struct acpi_info m; /* large; boot is single-threaded */
	struct acpi_info *info = ps->info;
	uint32_t off;

	if (len < HDR_LEN + 8) {
		bad_table(ps, "APIC", pa, "too short for its fields");
		return;
	}
	memset(&m, 0, sizeof(m));
	m.lapic_address = get32(t + HDR_LEN);
	m.pcat_compat = get32(t + HDR_LEN + 4) & 1;
	for (off = HDR_LEN + 8; off < len;) {
		const uint8_t *e = t + off;
		uint8_t type, elen;
		static const uint8_t minlen[11] = { 8, 12, 10, 8, 6, 12, 0, 0, 0, 16, 12 };

		if (len - off < 2) {
			bad_table(ps, "APIC", pa, "an entry header runs past the end");
			return;
		}
		type = e[0];
		elen = e[1];
		if (elen < 2 || elen > len - off) {
			bad_table(ps, "APIC", pa, "an entry's length runs past the end");
			return;
		}
		if (type < sizeof(minlen) && minlen[type] && elen < minlen[type]) {
			bad_table(ps, "APIC", pa, "an entry is shorter than its type");
			return;
		}
		switch (type) {
		case MADT_LAPIC:
		case MADT_X2APIC: {
			uint32_t flags = type == MADT_LAPIC ? get32(e + 4) : get32(e + 8);
			struct acpi_cpu c = {
				.apic_id = type == MADT_LAPIC ? e[3] : get32(e + 4),
				.uid = type == MADT_LAPIC ? e[2] : get32(e + 12),
				.enabled = flags & 1,
				.online_capable = (flags >> 1) & 1,
				.x2apic = type == MADT_X2APIC,
			};
			bool dup = false;

			if (!c.enabled && !c.online_capable)
				break; /* not usable [§5.2.12.2, table 5.23] */
			for (unsigned i = 0; i < m.nr_cpus; i++)
				dup |= m.cpus[i].apic_id == c.apic_id;
			if (dup) {
				bad_table(ps, "APIC", pa, "an APIC ID is listed twice");
				return;
			}
			if (m.nr_cpus < ACPI_MAX_CPUS)
				m.cpus[m.nr_cpus++] = c;
			else
				report(ps, "APIC: more than %d CPUs, APIC ID %u ignored",
				       ACPI_MAX_CPUS, c.apic_id);
			break;
		}
		case MADT_IOAPIC:
			if (m.nr_ioapics < ACPI_MAX_IOAPICS) {
				struct acpi_ioapic *io = &m.ioapics[m.nr_ioapics++];

				io->id = e[2];
				io->address = get32(e + 4);
				io->gsi_base = get32(e + 8);
			}
			break;
		case MADT_OVERRIDE:
			if (m.nr_overrides < ACPI_MAX_OVERRIDES) {
				struct acpi_override *o = &m.overrides[m.nr_overrides++];

				o->bus = e[2];
				o->source = e[3];
				o->gsi = get32(e + 4);
				o->flags = get16(e + 8);
			}
			break;
		case MADT_LAPIC_NMI:
		case MADT_X2APIC_NMI:
			if (m.nr_nmis < ACPI_MAX_NMIS) {
				struct acpi_nmi *n = &m.nmis[m.nr_nmis++];

				if (type == MADT_LAPIC_NMI) {
					n->uid = e[2] == 0xff ? ACPI_NMI_ALL_CPUS : e[2];
					n->flags = get16(e + 3);
					n->lint = e[5];
				} else {
					n->flags = get16(e + 2);
					n->uid = get32(e + 4);
					n->lint = e[8];
				}
				if (n->lint > 1) {
					bad_table(ps, "APIC", pa, "an NMI entry names LINT > 1");
					return;
				}
			}
			break;
		case MADT_LAPIC_OVERRIDE: m.lapic_address = get64(e + 4); break;
		default: break; /* NMI sources, GIC, ...: not used */
		}
		off += elen;
	}
	info->have_madt = true;
	info->lapic_address = m.lapic_address;
	info->pcat_compat = m.pcat_compat;
	memcpy(info->cpus, m.cpus, sizeof(m.cpus));
	info->nr_cpus = m.nr_cpus;
	memcpy(info->ioapics, m.ioapics, sizeof(m.ioapics));
	info->nr_ioapics = m.nr_ioapics;
	memcpy(info->overrides, m.overrides, sizeof(m.overrides));
	info->nr_overrides = m.nr_overrides;
	memcpy(info->nmis, m.nmis, sizeof(m.nmis));
	info->nr_nmis = m.nr_nmis;
}

/* MCFG [PCI Firmware 3.2 §4.1.2]: header, 8 reserved bytes, 16-byte
 * entries filling the rest exactly. */
static void parse_mcfg(struct parser *ps, const uint8_t *t, uint32_t len, uint64_t pa)
{
	struct acpi_mcfg mc[ACPI_MAX_MCFG];
	unsigned n = 0;

	if (len < HDR_LEN + 8 || (len - HDR_LEN - 8) % 16) {
		bad_table(ps, "MCFG", pa, "length is not header + 8 + 16 * n");
		return;
	}
	for (uint32_t off = HDR_LEN + 8; off < len && n < ACPI_MAX_MCFG; off += 16) {
		mc[n].base = get64(t + off);
		mc[n].segment = get16(t + off + 8);
		mc[n].bus_start = t[off + 10];
		mc[n].bus_end = t[off + 11];
		if (mc[n].bus_end < mc[n].bus_start || !mc[n].base || mc[n].base & 0xfffff) {
			bad_table(ps, "MCFG", pa, "an entry has a bad bus range or base");
			return;
		}
		n++;
	}
	memcpy(ps->info->mcfg, mc, n * sizeof(mc[0]));
	ps->info->nr_mcfg = n;
}

int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *typ)
{
	for (size_t i = 1; i + 4 < len; i++) {
		size_t p;
		unsigned pkglen_bytes;

		if (memcmp(aml + i, "_S5_", 4))
			continue;
		/* NameOp (0x08), optionally with a root prefix '\' before the
		 * name [§20.2.5.1 DefName, §20.2.2 NameString]. */
		if (!(aml[i - 1] == 0x08 || (i >= 2 && aml[i - 1] == '\\' && aml[i - 2] == 0x08)))
			continue;
		p = i + 4;
		if (p >= len || aml[p] != 0x12) /* PackageOp */
			continue;
		p++;
		if (p >= len)
			return -ENOENT;
		pkglen_bytes = aml[p] >> 6; /* PkgLength: 0..3 extra bytes */
		p += 1 + pkglen_bytes;
		p++; /* NumElements */
		if (p >= len)
			return -ENOENT;
		switch (aml[p]) {
		case 0x00: *typ = 0; return 0; /* ZeroOp */
		case 0x01: *typ = 1; return 0; /* OneOp */
		case 0x0a:		       /* BytePrefix */
			if (p + 1 >= len)
				return -ENOENT;
			*typ = aml[p + 1];
			return 0;
		default: return -ENOENT;
		}
	}
	return -ENOENT;
}

/* FADT [ACPI 6.4 §5.2.9, table 5.9]: field offsets. */
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1_CNT_LEN 89
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_MIN_LEN 116 /* ACPI 1.0's FADT */

static void parse_fadt(struct parser *ps, const uint8_t *t, uint32_t len, uint64_t pa)
{
	struct acpi_info *info = ps->info;
	uint64_t dsdt = 0;
	const uint8_t *d;
	uint32_t dlen;

	if (len < FADT_MIN_LEN) {
		bad_table(ps, "FACP", pa, "too short for its fields");
		return;
	}
	info->have_fadt = true;
	info->sci_irq = get16(t + FADT_SCI_INT);
	info->pm1_cnt_len = t[FADT_PM1_CNT_LEN];
	info->pm1a_cnt.space = ACPI_GAS_IO;
	info->pm1a_cnt.bit_width = (uint8_t)(info->pm1_cnt_len * 8);
	info->pm1a_cnt.address = get32(t + FADT_PM1A_CNT_BLK);
	info->fadt_flags = get32(t + FADT_FLAGS);
	if (len >= FADT_IAPC_BOOT_ARCH + 2)
		info->iapc_boot_arch = get16(t + FADT_IAPC_BOOT_ARCH);
	if (len >= FADT_RESET_VALUE + 1 && (info->fadt_flags & FADT_RESET_REG_SUP)) {
		get_gas(t + FADT_RESET_REG, &info->reset_reg);
		info->reset_value = t[FADT_RESET_VALUE];
		info->have_reset = info->reset_reg.address != 0;
	}
	/* The X_ fields win when present and non-zero [§5.2.9]. */
	if (len >= FADT_X_PM1A_CNT_BLK + 12) {
		struct acpi_gas g;

		get_gas(t + FADT_X_PM1A_CNT_BLK, &g);
		if (g.address)
			info->pm1a_cnt = g;
	}
	if (len >= FADT_X_DSDT + 8)
		dsdt = get64(t + FADT_X_DSDT);
	if (!dsdt)
		dsdt = get32(t + FADT_DSDT);
	if (!dsdt)
		return;
	d = get_table(ps, dsdt, "DSDT", &dlen);
	if (!d)
		return;
	info->have_s5 = !acpi_find_s5(d + HDR_LEN, dlen - HDR_LEN, &info->s5_slp_typ);
}

unsigned acpi_inti_sense(uint16_t flags, bool isa)
{
	unsigned pol = flags & 3, trig = (flags >> 2) & 3;
	bool low = pol == 0 ? !isa : pol == 3;
	bool level = trig == 0 ? !isa : trig == 3;

	if (level)
		return low ? 1 : 2;
	return low ? 3 : 0;
}

int acpi_parse(const void *rsdp, size_t len, const struct acpi_ops *ops, struct acpi_info *out)
{
	static struct parser ps; /* boot is single-threaded */
	const uint8_t *r = rsdp, *root = NULL;
	uint32_t root_len = 0;
	unsigned entry_size = 8;
	uint64_t root_pa = 0;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.ops = ops;
	ps.info = out;
	if (!acpi_rsdp_valid(rsdp, len)) {
		report(&ps, "RSDP: bad signature, checksum or length, ACPI not used");
		return -EINVAL;
	}
	out->revision = r[15];
	memcpy(out->oem_id, r + 9, 6);
	out->oem_id[6] = '\0';
	if (out->revision >= 2 && get64(r + 24)) {
		root_pa = get64(r + 24);
		root = get_table(&ps, root_pa, "XSDT", &root_len);
	}
	if (!root) {
		entry_size = 4;
		root_pa = get32(r + 16);
		root = get_table(&ps, root_pa, "RSDT", &root_len);
	}
	if (!root)
		return -ENOENT;
	if ((root_len - HDR_LEN) % entry_size)
		report(&ps, "%s: length %u is not a whole number of entries; the tail is ignored",
		       entry_size == 8 ? "XSDT" : "RSDT", root_len);
	for (uint32_t off = HDR_LEN, n = 0; off + entry_size <= root_len && n < ACPI_MAX_TABLES;
	     off += entry_size, n++) {
		uint64_t pa = entry_size == 8 ? get64(root + off) : get32(root + off);
		const uint8_t *h = pa ? ops->map(ops->ctx, pa, HDR_LEN) : NULL;
		const uint8_t *t;
		uint32_t tlen;
		const char *sig;

		if (!h) {
			get_table(&ps, pa, NULL, &tlen); /* reports it */
			continue;
		}
		if (!memcmp(h, "APIC", 4))
			sig = out->have_madt ? NULL : "APIC";
		else if (!memcmp(h, "FACP", 4))
			sig = out->have_fadt ? NULL : "FACP";
		else if (!memcmp(h, "MCFG", 4))
			sig = out->nr_mcfg ? NULL : "MCFG";
		else
			continue; /* not used: not even checked */
		if (!sig) {
			report(&ps, "%.4s at %#llx: a second one, ignored", (const char *)h,
			       (unsigned long long)pa);
			continue;
		}
		t = get_table(&ps, pa, sig, &tlen);
		if (!t)
			continue;
		if (sig[0] == 'A')
			parse_madt(&ps, t, tlen, pa);
		else if (sig[0] == 'F')
			parse_fadt(&ps, t, tlen, pa);
		else
			parse_mcfg(&ps, t, tlen, pa);
	}
	return 0;
}
