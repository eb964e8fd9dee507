/* libFuzzer harness: the board layer's device-tree parser
 * (kernel/board/dt.c board_parse_buf, on top of libfdt, and the helpers of
 * kernel/board/dt_util.c) on arbitrary bytes, as the boot loader hands them
 * over. Built and run by tools/fuzz-parsers.sh (docs/reliability.md).
 *
 * The blob sits in an exactly-sized 8-byte-aligned heap block, so a read
 * past the buffer is an AddressSanitizer report. An accepted tree is
 * checked against board.h's promises (counts within their arrays, strings
 * NUL-terminated) and walked node by node with the dt_util helpers.
 */
#include <kernel/board.h>
#include <kernel/errno.h>
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/board/dt_util.h"

static struct board_info bi; /* large */

static void check_info(void)
{
	if (bi.nr_mem > BOARD_MAX_RANGES || bi.nr_reserved > BOARD_MAX_RANGES ||
	    bi.nr_cpus > BOARD_MAX_CPUS)
		abort();
	if (!memchr(bi.model, 0, sizeof(bi.model)) || !memchr(bi.compatible, 0, sizeof(bi.compatible)) ||
	    !memchr(bi.cmdline, 0, sizeof(bi.cmdline)) || !memchr(bi.psci_method, 0, sizeof(bi.psci_method)))
		abort();
	for (unsigned i = 0; i < bi.nr_cpus; i++)
		if (!memchr(bi.cpus[i].enable_method, 0, sizeof(bi.cpus[i].enable_method)))
			abort();
}

/* What drivers do with an accepted tree: every node's status and reg entries. */
static void walk(const void *fdt)
{
	int node, depth = 0, n = 0;

	for (node = fdt_next_node(fdt, -1, &depth); node >= 0 && n < 4096;
	     node = fdt_next_node(fdt, node, &depth), n++) {
		int ac, sc;
		const fdt32_t *e;

		(void)dt_node_enabled(fdt, node);
		if (dt_child_cells(fdt, node, &ac, &sc) < 0)
			continue;
		for (int child = fdt_first_subnode(fdt, node); child >= 0;
		     child = fdt_next_subnode(fdt, child))
			for (unsigned i = 0; i < 4; i++)
				if (dt_reg_entry(fdt, child, ac, sc, i, &e) == 0)
					(void)fdt32_to_cpu(e[ac + sc - 1 >= 0 ? ac + sc - 1 : 0]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* malloc is 16-byte aligned: libfdt wants 8 */
	uint8_t *copy = malloc(size ? size : 1);
	char msg[128];

	memcpy(copy, data, size);
	for (unsigned flags = 0; flags <= BOARD_PARSE_MEM_OPTIONAL; flags++) {
		memset(&bi, 0xa5, sizeof(bi));
		msg[0] = 'x';
		int r = board_parse_buf(copy, size, flags, &bi, msg, sizeof(msg));
		if (r == 0) {
			check_info();
			walk(copy);
		} else if (r != -EINVAL || !memchr(msg, 0, sizeof(msg))) {
			abort();
		}
	}
	free(copy);
	return 0;
}
