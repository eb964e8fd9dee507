/* //tests:partition_test: kernel/block/partition.c on the host, under ASan/UBSan: the images of
 * tests/blk/mkdisks.py (MBR with an extended partition and a lying entry,
 * GPT with a broken primary header, GPT with both headers broken), and a
 * corpus of damaged tables (every byte of the MBR and of the GPT header and
 * first entries flipped in turn, random sectors, EBR loops): the scanner
 * never reads out of bounds and never returns a partition outside the disk.
 *
 *   partition_test DIR/mbr.img   (DIR: mkdisks.py's output)
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "kernel/block/partition.h" /* //kernel:host_partition */

static char last_log[256];
static int nlogs;

void printk(const char *fmt, ...)
{
	/* the kernel's printk, for partition.c */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	nlogs++;
	if (getenv("PARTITION_TEST_VERBOSE"))
		printf("  printk: %s", last_log);
}

struct img {
	uint8_t *data;
	size_t size;
	unsigned reads;
};

static int img_read(void *ctx, uint64_t sector, void *buf)
{
	struct img *im = ctx;

	im->reads++;
	if ((sector + 1) * 512 > im->size)
		return -22;
	memcpy(buf, im->data + sector * 512, 512);
	return 0;
}

static struct img load(const char *dir, const char *name)
{
	char path[512];
	struct img im = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f) {
		printf("cannot open %s\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	im.size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	im.data = malloc(im.size);
	if (fread(im.data, 1, im.size, f) != im.size)
		exit(2);
	fclose(f);
	return im;
}

static int scan(struct img *im, struct part_entry *out)
{
	return part_scan(img_read, im, "test", im->size / 512, 512, out, PART_MAX);
}

/* Whatever the bytes, every partition returned lies inside the disk and
 * none overlap. */
static void check_sane(struct img *im, const char *what)
{
	struct part_entry p[PART_MAX];
	int n = scan(im, p);
	uint64_t nsec = im->size / 512;

	CHECK(n >= 0 && n <= PART_MAX, "%s: count %d", what, n);
	for (int i = 0; i < n; i++) {
		CHECK(p[i].start > 0 && p[i].start < nsec && p[i].nr_sectors <= nsec - p[i].start,
		      "%s: partition %u at %llu+%llu", what, p[i].partno,
		      (unsigned long long)p[i].start, (unsigned long long)p[i].nr_sectors);
		CHECK(p[i].partno >= 1 && p[i].partno <= PART_MAX, "%s: partno %u", what,
		      p[i].partno);
		for (int j = 0; j < i; j++)
			CHECK(p[i].start >= p[j].start + p[j].nr_sectors ||
				      p[j].start >= p[i].start + p[i].nr_sectors,
			      "%s: %u overlaps %u", what, p[i].partno, p[j].partno);
	}
}

int main(int argc, char **argv)
{
	struct part_entry p[PART_MAX];
	int n;

	if (argc < 2) {
		printf("usage: partition_test DIR/mbr.img\n");
		return 2;
	}
	char *slash = strrchr(argv[1], '/');
	if (slash)
		*slash = 0; /* the images' folder */
	else
		argv[1] = ".";
	/* CRC-32 check value [ISO-HDLC]: "123456789" -> 0xCBF43926. */
	CHECK(part_crc32("123456789", 9) == 0xcbf43926u, "crc32 %08x", part_crc32("123456789", 9));

	struct img mbr = load(argv[1], "mbr.img");
	nlogs = 0;
	n = scan(&mbr, p);
	CHECK(n == 4, "mbr: %d partitions", n);
	if (n == 4) {
		CHECK(p[0].partno == 1 && p[0].start == 2048 && p[0].nr_sectors == 4096, "p1");
		CHECK(p[1].partno == 2 && p[1].start == 6144 && p[1].nr_sectors == 4096, "p2");
		CHECK(p[2].partno == 3 && p[2].start == 10240 && p[2].nr_sectors == 2, "p3 (ext)");
		CHECK(p[3].partno == 5 && p[3].start == 12288 && p[3].nr_sectors == 2048, "p5");
	}
	CHECK(nlogs == 1 && strstr(last_log, "partition 4"), "mbr: lying entry reported: %s",
	      last_log);

	struct img gpt = load(argv[1], "gpt.img");
	nlogs = 0;
	n = scan(&gpt, p);
	CHECK(n == 2, "gpt: %d partitions", n);
	if (n == 2) {
		CHECK(p[0].partno == 1 && p[0].start == 2048 && p[0].nr_sectors == 2048, "gpt p1");
		CHECK(p[1].partno == 2 && p[1].start == 4096 && p[1].nr_sectors == 4096, "gpt p2");
	}
	CHECK(nlogs == 2, "gpt: primary reported, backup used (%d lines)", nlogs);

	struct img bad = load(argv[1], "badgpt.img");
	n = scan(&bad, p);
	CHECK(n == 0, "badgpt: %d partitions", n);

	/* Damaged tables: flip each byte of the MBR sector, the GPT header
	 * and the first entries, one at a time. */
	for (size_t off = 0; off < 512; off++) {
		mbr.data[off] ^= 0xff;
		check_sane(&mbr, "mbr flip");
		mbr.data[off] ^= 0xff;
	}
	for (size_t off = 0; off < 512; off++) {
		mbr.data[10240 * 512 + off] ^= 0xa5; /* the EBR */
		check_sane(&mbr, "ebr flip");
		mbr.data[10240 * 512 + off] ^= 0xa5;
	}
	for (size_t off = 512; off < 3 * 512; off++) {
		gpt.data[off] ^= 0xff;
		gpt.data[gpt.size - 512 + off % 512] ^= 0x5a;
		check_sane(&gpt, "gpt flip");
		gpt.data[off] ^= 0xff;
		gpt.data[gpt.size - 512 + off % 512] ^= 0x5a;
	}
	/* An EBR that links to itself: the chain must end. */
	mbr.data[10240 * 512 + 462 + 4] = 0x05;
	memset(mbr.data + 10240 * 512 + 462 + 8, 0, 4); /* link to offset 0: itself */
	mbr.data[10240 * 512 + 462 + 12] = 1;
	mbr.reads = 0;
	check_sane(&mbr, "ebr loop");
	CHECK(mbr.reads < 200, "ebr loop: %u reads", mbr.reads);
	/* Random garbage with a valid signature. */
	srand(1);
	for (int round = 0; round < 2000; round++) {
		for (int i = 0; i < 510; i++)
			mbr.data[i] = (uint8_t)rand();
		mbr.data[510] = 0x55;
		mbr.data[511] = 0xaa;
		if (round % 3 == 0)
			mbr.data[446 + 4] = 0xee; /* make it look like a GPT */
		check_sane(&mbr, "random");
	}
	free(mbr.data);
	free(gpt.data);
	free(bad.data);
	printf("partition_test: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
