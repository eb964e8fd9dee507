/* MBR and GPT partition tables (partition.h).
 *
 * MBR: [UEFI 2.10 §5.2.1 "Legacy Master Boot Record"]: 0x55 0xAA at byte
 * 510, four 16-byte entries at 446 (boot flag, CHS, type, CHS, starting
 * LBA, size in LBAs). Types 0x05, 0x0F and 0x85 are extended partitions:
 * a chain of EBRs, each with one logical partition (relative to the EBR)
 * and a link to the next (relative to the extended partition's start),
 * numbered 5, 6, ... as Linux's fs/partitions/msdos.c. Type 0xEE (a
 * protective MBR) means a GPT.
 *
 * GPT: [UEFI 2.10 §5.3.2 "GPT Header"], §5.3.3 "GPT Partition Entry
 * Array": header at LBA 1 ("EFI PART", header CRC32 with its own field
 * zeroed, MyLBA 1, the entry array's CRC32), the backup header at the
 * last LBA if the primary is bad. Partition n is the n-th entry slot, as
 * Linux numbers them; unused entries have a zero type GUID.
 */
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <string.h>

#include "partition.h"

static uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

uint32_t part_crc32(const void *buf, size_t len)
{
	return crc32_update(0, buf, len);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

struct scan {
	part_read_fn read;
	void *ctx;
	const char *name;
	uint64_t nr_sectors;
	unsigned lbs_sectors; /* 512-byte sectors per LBA */
	struct part_entry *out;
	unsigned max, count;
};

/* Keep a partition if it lies inside the disk and overlaps none kept so
 * far; otherwise say why on the console. */
static void add_part(struct scan *s, unsigned partno, uint64_t start, uint64_t len)
{
	if (len == 0)
		return;
	if (partno > PART_MAX || s->count >= s->max) {
		printk("%s: partition %u: more than %u partitions; ignored\n", s->name, partno,
		       PART_MAX);
		return;
	}
	if (start == 0 || start >= s->nr_sectors || len > s->nr_sectors - start) {
		printk("%s: partition %u (sectors %llu+%llu) lies outside the disk (%llu sectors); "
		       "ignored\n",
		       s->name, partno, (unsigned long long)start, (unsigned long long)len,
		       (unsigned long long)s->nr_sectors);
		return;
	}
	for (unsigned i = 0; i < s->count; i++) {
		const struct part_entry *o = &s->out[i];

		if (start < o->start + o->nr_sectors && o->start < start + len) {
			printk("%s: partition %u overlaps partition %u; ignored\n", s->name, partno,
			       o->partno);
			return;
		}
	}
	s->out[s->count++] = (struct part_entry){ partno, start, len };
}

static bool is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

#define EBR_MAX 64 /* logical partitions followed at most (a loop ends here) */

/* The EBR chain of the extended partition at ext_start (sectors) of
 * ext_len sectors. */
static int scan_extended(struct scan *s, uint64_t ext_start, uint64_t ext_len, uint8_t *sec)
{
	uint64_t ebr = ext_start;
	unsigned partno = 5;

	for (int hop = 0; hop < EBR_MAX; hop++) {
		const uint8_t *e0 = sec + 446, *e1 = sec + 462;
		uint64_t link;
		int err;

		if (ebr < ext_start || ebr >= ext_start + ext_len || ebr >= s->nr_sectors) {
			printk("%s: extended partition: EBR at sector %llu is outside it; chain "
			       "ends\n",
			       s->name, (unsigned long long)ebr);
			return 0;
		}
		if ((err = s->read(s->ctx, ebr, sec)))
			return err;
		if (sec[510] != 0x55 || sec[511] != 0xaa) {
			printk("%s: extended partition: EBR at sector %llu has no 55 AA "
			       "signature; chain ends\n",
			       s->name, (unsigned long long)ebr);
			return 0;
		}
		if (e0[4] != 0 && !is_extended(e0[4]))
			add_part(s, partno++, ebr + get32(e0 + 8), get32(e0 + 12));
		if (!is_extended(e1[4]) || get32(e1 + 12) == 0)
			return 0;
		link = ext_start + get32(e1 + 8);
		if (link <= ebr) {
			printk("%s: extended partition: EBR link goes backwards; chain ends\n",
			       s->name);
			return 0;
		}
		ebr = link;
	}
	printk("%s: extended partition: more than %d EBRs; chain ends\n", s->name, EBR_MAX);
	return 0;
}

#define GPT_ENTRIES_MAX 1024

/* Check the GPT header at LBA lba (in sec after the read) and its entry
 * array; add its partitions. 0 with s->count set, 1 if the header or the
 * array is not valid (why on the console), or -errno. */
static int scan_gpt_at(struct scan *s, uint64_t lba, uint8_t *sec)
{
	uint32_t hsize, hcrc, nent, esize, acrc, crc = 0;
	uint64_t my_lba, first, last, entries, nbytes;
	uint8_t hdr[512];
	const char *why = NULL;
	int err;

	if ((err = s->read(s->ctx, lba * s->lbs_sectors, hdr)))
		return err;
	hsize = get32(hdr + 12);
	hcrc = get32(hdr + 16);
	my_lba = get64(hdr + 24);
	first = get64(hdr + 40);
	last = get64(hdr + 48);
	entries = get64(hdr + 72);
	nent = get32(hdr + 80);
	esize = get32(hdr + 84);
	acrc = get32(hdr + 88);
	if (memcmp(hdr, "EFI PART", 8) != 0)
		why = "no \"EFI PART\" signature";
	else if (hsize < 92 || hsize > 512)
		why = "header size out of range";
	if (!why) {
		memset(hdr + 16, 0, 4);
		if (part_crc32(hdr, hsize) != hcrc)
			why = "header CRC32 mismatch";
	}
	uint64_t nr_lbas = s->nr_sectors / s->lbs_sectors;
	if (!why && my_lba != lba)
		why = "MyLBA is not where the header is";
	else if (!why && (first > last || last >= nr_lbas))
		why = "usable LBA range outside the disk";
	else if (!why &&
		 (esize < 128 || esize % 8 || esize > 512 || 512 % esize || nent > GPT_ENTRIES_MAX))
		why = "entry size or count out of range";
	nbytes = (uint64_t)nent * esize;
	if (!why && (entries < 2 || entries >= nr_lbas ||
		     entries * s->lbs_sectors + (nbytes + 511) / 512 > s->nr_sectors))
		why = "entry array outside the disk";
	if (why) {
		printk("%s: GPT header at LBA %llu: %s\n", s->name, (unsigned long long)lba, why);
		return 1;
	}
	/* The array's CRC first, then the entries (an entry is never split
	 * across sectors: esize divides 512). */
	for (uint64_t off = 0; off < nbytes; off += 512) {
		size_t n = nbytes - off < 512 ? (size_t)(nbytes - off) : 512;

		if ((err = s->read(s->ctx, entries * s->lbs_sectors + off / 512, sec)))
			return err;
		crc = crc32_update(crc, sec, n);
	}
	if (crc != acrc) {
		printk("%s: GPT at LBA %llu: partition entry array CRC32 mismatch\n", s->name,
		       (unsigned long long)lba);
		return 1;
	}
	for (uint32_t i = 0; i < nent; i++) {
		uint64_t off = (uint64_t)i * esize;
		static const uint8_t zero[16];

		if (off % 512 == 0 &&
		    (err = s->read(s->ctx, entries * s->lbs_sectors + off / 512, sec)))
			return err;
		const uint8_t *e = sec + off % 512;
		if (memcmp(e, zero, 16) == 0)
			continue; /* unused entry */
		uint64_t pfirst = get64(e + 32), plast = get64(e + 40);
		if (pfirst < first || plast > last || pfirst > plast) {
			printk("%s: GPT entry %u (LBA %llu-%llu) outside the usable range; ignored\n",
			       s->name, i + 1, (unsigned long long)pfirst,
			       (unsigned long long)plast);
			continue;
		}
		add_part(s, i + 1, pfirst * s->lbs_sectors, (plast - pfirst + 1) * s->lbs_sectors);
	}
	return 0;
}

static int scan_gpt(struct scan *s, uint8_t *sec)
{
	int r = scan_gpt_at(s, 1, sec);
	uint64_t last = s->nr_sectors / s->lbs_sectors - 1;

	if (r != 1)
		return r;
	printk("%s: primary GPT not valid; trying the backup at LBA %llu\n", s->name,
	       (unsigned long long)last);
	r = scan_gpt_at(s, last, sec);
	return r == 1 ? 0 : r;
}

int part_scan(part_read_fn read, void *ctx, const char *name, uint64_t nr_sectors, unsigned lbs,
	      struct part_entry *out, unsigned max)
{
	struct scan s = { read, ctx, name, nr_sectors, lbs / 512 ? lbs / 512 : 1, out, max, 0 };
	uint8_t sec[512], mbr[64 + 2];
	int err;

	if (nr_sectors < 2 * s.lbs_sectors)
		return 0;
	if ((err = read(ctx, 0, sec)))
		return err;
	if (sec[510] != 0x55 || sec[511] != 0xaa)
		return 0; /* no table: the whole disk only */
	memcpy(mbr, sec + 446, sizeof(mbr));
	for (int i = 0; i < 4; i++) {
		if (mbr[16 * i + 4] == 0xee) {
			err = scan_gpt(&s, sec);
			return err < 0 ? err : (int)s.count;
		}
	}
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = mbr + 16 * i;

		if (e[4] == 0)
			continue;
		if (e[0] != 0 && e[0] != 0x80) {
			printk("%s: MBR entry %d: boot flag 0x%02x is neither 0x00 nor 0x80; "
			       "table not used\n",
			       name, i + 1, e[0]);
			s.count = 0;
			return 0;
		}
		/* An extended partition's node covers only its first 1 KiB
		 * (the EBR), as Linux's: its logical partitions follow. */
		add_part(&s, (unsigned)i + 1, get32(e + 8),
			 is_extended(e[4]) && get32(e + 12) > 2 ? 2 : get32(e + 12));
	}
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = mbr + 16 * i;
		uint64_t start = get32(e + 8), len = get32(e + 12);

		if (is_extended(e[4]) && start && start < nr_sectors && len <= nr_sectors - start &&
		    (err = scan_extended(&s, start, len, sec)))
			return err;
	}
	/* Logical partitions came after the primary ones: sort by partno. */
	for (unsigned i = 1; i < s.count; i++) {
		for (unsigned j = i; j > 0 && out[j - 1].partno > out[j].partno; j--) {
			struct part_entry t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	}
	return (int)s.count;
}
