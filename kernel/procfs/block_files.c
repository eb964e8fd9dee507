/* /proc/partitions [proc(5)]: the block devices the kernel knows, as
 * Linux prints them:
 *
 *   major minor  #blocks  name
 *
 *    254        0      65536 vda
 *    254        1      32768 vda1
 *
 * (#blocks in 1 KiB units). Kevlar has no sysfs: /sys/block/<dev>/size is
 * not there; this file and BLKGETSIZE64 give the sizes. */
#include "../block/block_internal.h"
#include "procfs.h"

static void emit(void *ctx, const char *line)
{
	seq_printf(ctx, "%s", line);
}

int proc_show_partitions(struct seqbuf *s, struct task *t)
{
	(void)t;
	seq_printf(s, "major minor  #blocks  name\n\n");
	blk_show_partitions(emit, s);
	return 0;
}
