/* libFuzzer harness: the partition-table scanner (kernel/block/partition.c
 * part_scan: MBR with extended partitions, GPT primary and backup
 * [UEFI 2.10 §5.2, §5.3]) on an arbitrary disk. Built and run by
 * tools/fuzz-parsers.sh (docs/reliability.md "Parser fuzzers").
 *
 * Input: the disk's first sectors (512 bytes each, the last one padded
 * with zeros); the disk is 8 MiB (16384 sectors) or the input's size if
 * larger, sectors past the input read as zeros. Byte 0 (MBR boot code)
 * picks: bit 1 a 4096-byte logical block size; bit 0 clear, the harness
 * first makes a primary GPT's CRCs right (array, then header) so that the
 * fuzzer reaches the entries.
 * Checked: the count is 0..max, every partition lies inside the disk,
 * none overlap, partno is 1..PART_MAX or an MBR logical, and reads never
 * leave the disk.
 */
#include <kernel/errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/block/partition.h"

void printk(const char *fmt, ...)
{
	(void)fmt;
}

struct disk {
	const uint8_t *data;
	size_t size;
	uint64_t nr_sectors;
};

static int rd(void *ctx, uint64_t sector, void *buf)
{
	struct disk *d = ctx;

	if (sector >= d->nr_sectors)
		abort(); /* the scanner must stay on the disk */
	memset(buf, 0, 512);
	if (sector < d->size / 512 + 1 && sector * 512 < d->size) {
		size_t n = d->size - sector * 512;
		memcpy(buf, d->data + sector * 512, n < 512 ? n : 512);
	}
	return 0;
}

static uint32_t g32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t g64(const uint8_t *p) { return g32(p) | (uint64_t)g32(p + 4) << 32; }
static void p32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_gpt(uint8_t *img, size_t size, unsigned lbs)
{
	uint8_t *h = img + lbs;

	if (size < 2 * (size_t)lbs || memcmp(h, "EFI PART", 8))
		return;
	uint32_t hsize = g32(h + 12), nent = g32(h + 80), esize = g32(h + 84);
	uint64_t lba = g64(h + 72);
	if (hsize < 92 || hsize > lbs || esize == 0 || esize > 4096 || nent > 4096)
		return;
	uint64_t off = lba * lbs, len = (uint64_t)nent * esize;
	if (lba < size / lbs && len <= size - off)
		p32(h + 88, part_crc32(img + off, (size_t)len));
	p32(h + 16, 0);
	p32(h + 16, part_crc32(h, hsize));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct part_entry out[PART_MAX];
	uint8_t *img = malloc(size ? size : 1);
	unsigned lbs = size && (data[0] & 2) ? 4096 : 512;
	struct disk d = { img, size, 16384 };

	memcpy(img, data, size);
	if (size / 512 + 1 > d.nr_sectors)
		d.nr_sectors = size / 512 + 1;
	if (size && !(data[0] & 1))
		fix_gpt(img, size, lbs);
	int n = part_scan(rd, &d, "fuzz0", d.nr_sectors, lbs, out, PART_MAX);
	if (n < 0 || n > PART_MAX)
		abort();
	for (int i = 0; i < n; i++) {
		if (out[i].partno < 1 || out[i].nr_sectors == 0 || out[i].start >= d.nr_sectors ||
		    out[i].nr_sectors > d.nr_sectors - out[i].start)
			abort();
		for (int j = 0; j < i; j++)
			if (out[i].start < out[j].start + out[j].nr_sectors &&
			    out[j].start < out[i].start + out[i].nr_sectors)
				abort();
	}
	free(img);
	return 0;
}
