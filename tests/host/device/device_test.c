/* Host test of the driver-side DT helpers (kernel/board/device.c) on what
 * the serial drivers ask: dev_alias_id() (Linux's of_alias_get_id(), which
 * names ttyPS<n> and the mini UART's ttyS<n>) on the real ZCU102 and
 * Raspberry Pi 3 trees, and on a synthetic tree of malformed aliases that
 * must be ignored, never crash (run under ASan/UBSan); and dev_is_console()
 * (console= first, else stdout-path).
 *
 * Usage: device_test [zynqmp-zcu102-rev1.0.dtb [bcm2837-rpi-3-b.dtb]]
 * (defaults: tests/testdata/<name>, where Bazel puts them).
 */
#include <kernel/board.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../check.h"

/* What device.c needs from the rest of the kernel. */
struct board_info board;
const void *board_fdt;
static const char *console_arg; /* the command line's console=, or NULL */

const char *cmdline_get(const char *key)
{
	return strcmp(key, "console") == 0 ? console_arg : NULL;
}

int hal_irq_xlate(uint32_t phandle, const uint32_t *cells, unsigned ncells, unsigned *irq)
{
	(void)phandle, (void)cells, (void)ncells, (void)irq;
	return -1;
}

static void *load(const char *path)
{
	FILE *f = fopen(path, "rb");
	static char buf[4][1 << 17];
	static int n;
	size_t len;

	if (!f || n == 4)
		return NULL;
	len = fread(buf[n], 1, sizeof(buf[n]), f);
	fclose(f);
	return len > 0 && fdt_check_header(buf[n]) == 0 ? buf[n++] : NULL;
}

static int alias_of(const void *fdt, const char *path)
{
	struct device dev = {.fdt = fdt, .node = fdt_path_offset(fdt, path)};

	if (dev.node < 0)
		return -1000;
	return dev_alias_id(&dev, "serial");
}

static void real_trees(const char *zcu, const char *rpi)
{
	const void *z = load(zcu), *p = load(rpi);

	CHECK(z && p, "the real trees load (%s, %s)", zcu, rpi);
	if (!z || !p)
		return;
	CHECK(alias_of(z, "/axi/serial@ff000000") == 0, "zcu102: serial@ff000000 is serial0 (ttyPS0)");
	CHECK(alias_of(z, "/axi/serial@ff010000") == 1, "zcu102: serial@ff010000 is serial1 (ttyPS1)");
	CHECK(alias_of(z, "/dcc") == 2, "zcu102: /dcc is serial2");
	CHECK(alias_of(z, "/axi/spi@ff0f0000") == -ENOENT, "zcu102: spi0 is no serial alias");
	CHECK(alias_of(p, "/soc/serial@7e201000") == 0, "rpi3: the PL011 is serial0 (ttyAMA0)");
	CHECK(alias_of(p, "/soc/serial@7e215040") == 1, "rpi3: the mini UART is serial1 (ttyS1)");

	/* dev_is_console: console= wins; without it, stdout-path ("serial1:115200n8"). */
	struct device mini = {.fdt = p, .node = fdt_path_offset(p, "/soc/serial@7e215040")};
	struct device pl011 = {.fdt = p, .node = fdt_path_offset(p, "/soc/serial@7e201000")};
	board_fdt = p;
	board.stdout_node = mini.node;
	console_arg = NULL;
	CHECK(dev_is_console(&mini, "ttyS1") && !dev_is_console(&pl011, "ttyAMA0"),
	      "rpi3: no console=: stdout-path picks the mini UART");
	console_arg = "ttyAMA0,115200";
	CHECK(!dev_is_console(&mini, "ttyS1") && dev_is_console(&pl011, "ttyAMA0"),
	      "rpi3: console=ttyAMA0,115200 picks the PL011");
	console_arg = "ttyS";
	CHECK(!dev_is_console(&mini, "ttyS1"), "console=ttyS is not ttyS1 (no prefix match)");
	console_arg = NULL;
}

/* A tree whose /aliases holds every malformed "serial" alias we could think of. */
static void malformed(void)
{
	static char buf[4096];
	static const char unterminated[] = {'/', 'u', 'a', 'r', 't'};
	int a, u;

	CHECK(fdt_create(buf, sizeof(buf)) == 0 && fdt_finish_reservemap(buf) == 0 &&
		      fdt_begin_node(buf, "") == 0 && fdt_begin_node(buf, "aliases") == 0 &&
		      fdt_property_string(buf, "serial", "/uart") == 0 &&     /* no number */
		      fdt_property_string(buf, "serialx", "/uart") == 0 &&    /* not a number */
		      fdt_property_string(buf, "serial-1", "/uart") == 0 &&   /* sign */
		      fdt_property_string(buf, "serial1x", "/uart") == 0 &&   /* trailing junk */
		      fdt_property_string(buf, "serial99999999999", "/uart") == 0 && /* overflow */
		      fdt_property(buf, "serial3", unterminated, sizeof(unterminated)) == 0 &&
		      fdt_property(buf, "serial4", "", 0) == 0 &&               /* empty */
		      fdt_property_string(buf, "serial5", "/nowhere") == 0 && /* dangling */
		      fdt_property_string(buf, "serial6", "uart") == 0 &&     /* relative */
		      fdt_property_string(buf, "serial007", "/other") == 0 && /* leading zeros */
		      fdt_end_node(buf) == 0 && fdt_begin_node(buf, "uart") == 0 && fdt_end_node(buf) == 0 &&
		      fdt_begin_node(buf, "other") == 0 && fdt_end_node(buf) == 0 &&
		      fdt_end_node(buf) == 0 && fdt_finish(buf) == 0,
	      "synthetic tree built");
	a = fdt_path_offset(buf, "/other");
	u = fdt_path_offset(buf, "/uart");
	struct device uart = {.fdt = buf, .node = u}, other = {.fdt = buf, .node = a};
	CHECK(dev_alias_id(&uart, "serial") == -ENOENT, "malformed aliases are ignored for /uart");
	CHECK(dev_alias_id(&other, "serial") == 7, "serial007 -> 7");
	CHECK(dev_alias_id(&other, "ser") == -ENOENT, "stem 'ser' does not match 'serial007'");

	/* No /aliases at all. */
	static char bare[256];
	CHECK(fdt_create(bare, sizeof(bare)) == 0 && fdt_finish_reservemap(bare) == 0 &&
		      fdt_begin_node(bare, "") == 0 && fdt_begin_node(bare, "uart") == 0 &&
		      fdt_end_node(bare) == 0 && fdt_end_node(bare) == 0 && fdt_finish(bare) == 0,
	      "bare tree built");
	struct device b = {.fdt = bare, .node = fdt_path_offset(bare, "/uart")};
	CHECK(dev_alias_id(&b, "serial") == -ENOENT, "no /aliases: -ENOENT");
}

int main(int argc, char **argv)
{
	real_trees(argc > 1 ? argv[1] : "tests/testdata/zynqmp-zcu102-rev1.0.dtb",
		   argc > 2 ? argv[2] : "tests/testdata/bcm2837-rpi-3-b.dtb");
	malformed();
	printf("device_test: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
