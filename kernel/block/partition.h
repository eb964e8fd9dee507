/* Partition tables: MBR (with logical partitions in an extended one) and
 * GPT. Pure logic over a sector-reading callback (also built for the host:
 * //tests:partition_test). The table is untrusted input: an entry that
 * lies outside the disk, overlaps another, or a GPT whose CRCs do not
 * match is reported on the console and not used.
 */
#ifndef KERNEL_BLOCK_PARTITION_H
#define KERNEL_BLOCK_PARTITION_H
#include <hal/types.h>

#define PART_MAX 15 /* partitions 1..15 (16 minors per disk, as virtio-blk) */

struct part_entry {
	unsigned partno;     /* 1.. as Linux numbers them (MBR logicals from 5) */
	uint64_t start;	     /* first 512-byte sector */
	uint64_t nr_sectors; /* length in 512-byte sectors */
};

/* Read the 512 bytes of sector into buf: 0 or -errno. */
typedef int (*part_read_fn)(void *ctx, uint64_t sector, void *buf);

/* Scan the disk called name of nr_sectors sectors, logical block size lbs
 * bytes (GPT LBAs are lbs bytes). Fills out[0..max) in partno order.
 * Returns the count (0: no table, or none usable), or -errno of a read.
 * Every rejected entry or table gets one "name: ..." console line. */
int part_scan(part_read_fn read, void *ctx, const char *name, uint64_t nr_sectors, unsigned lbs,
	      struct part_entry *out, unsigned max);

/* CRC-32 (IEEE 802.3, reflected, as the UEFI spec's GPT CRCs [UEFI 2.10
 * §5.3.2]) of len bytes. */
uint32_t part_crc32(const void *buf, size_t len);

#endif
