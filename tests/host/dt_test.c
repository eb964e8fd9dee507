/* Host test of the device-tree parser (kernel/board/dt.c): real QEMU trees
 * parse into the expected struct board_info, a synthetic tree exercises
 * the corner cases (aliases, stdout options, 32-bit initrd cells,
 * reservations, range merging, spin-table CPUs), and malformed blobs
 * (truncated at every length, random byte flips with a fixed seed, zero
 * length, wrong magic) are refused with -EINVAL without a crash. Run it
 * under -fsanitize=address,undefined to prove no read leaves the buffer.
 *
 * Usage: dt_test [qemu-virt.dtb [q35.dtb [qemu-virt-gicv2.dtb]]]
 * (defaults: tests/testdata/<name>, where Bazel puts them).
 * Exit status 0 only if every check passed.
 */
#include <kernel/board.h>
#include <kernel/errno.h>
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks, failures;

#define CHECK(cond, ...)                                    \
	do {                                                \
		checks++;                                   \
		if (cond) {                                 \
			printf("ok   - ");                  \
		} else {                                    \
			failures++;                         \
			printf("FAIL - %s:%d: ", __FILE__, __LINE__); \
		}                                           \
		printf(__VA_ARGS__);                        \
		printf("\n");                               \
	} while (0)

/* Quiet check for loops: only failures are printed. */
#define CHECK_Q(cond, ...)                                  \
	do {                                                \
		checks++;                                   \
		if (!(cond)) {                              \
			failures++;                         \
			printf("FAIL - %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);                \
			printf("\n");                       \
		}                                           \
	} while (0)

static void *load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* Parse a private copy of exactly len bytes so ASan sees any overrun. */
static int parse_copy(const void *blob, size_t len, unsigned flags, struct board_info *bi,
		      char *msg, size_t msglen)
{
	void *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, blob, len);
	r = board_parse_buf(len ? copy : NULL, len, flags, bi, msg, msglen);
	free(copy);
	return r;
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void test_virt(const void *fdt, size_t size, const char *name)
{
	struct board_info *bi = malloc(sizeof(*bi));
	char msg[128];
	int r = board_parse_buf(fdt, size, 0, bi, msg, sizeof(msg));

	CHECK(r == 0, "%s: parses (%s)", name, r ? msg : "no error");
	if (r) {
		free(bi);
		return;
	}
	CHECK(!strcmp(bi->model, "linux,dummy-virt"), "%s: model \"%s\"", name, bi->model);
	CHECK(!strcmp(bi->compatible, "linux,dummy-virt"), "%s: compatible \"%s\"", name,
	      bi->compatible);
	CHECK(bi->nr_mem == 1 && bi->mem[0].base == 0x40000000 && bi->mem[0].size == 512u << 20,
	      "%s: memory %u range(s), [0] = 0x%llx + 0x%llx", name, bi->nr_mem,
	      (unsigned long long)bi->mem[0].base, (unsigned long long)bi->mem[0].size);
	CHECK(bi->nr_reserved == 0, "%s: no reserved ranges (%u)", name, bi->nr_reserved);
	CHECK(bi->nr_cpus == 1 && bi->cpus[0].hwid == 0, "%s: one CPU, MPIDR 0 (%u)", name,
	      bi->nr_cpus);
	CHECK(bi->cmdline[0] == '\0', "%s: no bootargs", name);
	CHECK(bi->initrd_start == 0 && bi->initrd_end == 0, "%s: no initrd", name);
	CHECK(bi->stdout_node >= 0 && bi->stdout_node == fdt_path_offset(fdt, "/pl011@9000000"),
	      "%s: stdout-path -> /pl011@9000000 (offset %d)", name, bi->stdout_node);
	CHECK(!strcmp(bi->psci_method, "hvc"), "%s: psci method \"%s\"", name, bi->psci_method);
	/* board_parse (no size: trusts the header) agrees. */
	r = board_parse(fdt, bi, msg, sizeof(msg));
	CHECK(r == 0 && bi->nr_mem == 1, "%s: board_parse without size", name);
	free(bi);
}

static void test_q35(const void *fdt, size_t size)
{
	struct board_info bi;
	char msg[128];
	int r = board_parse_buf(fdt, size, BOARD_PARSE_MEM_OPTIONAL, &bi, msg, sizeof(msg));

	CHECK(r == 0, "q35: parses (%s)", r ? msg : "no error");
	if (r)
		return;
	CHECK(bi.model[0] != '\0' && strcmp(bi.model, "unknown"), "q35: model \"%s\"", bi.model);
	CHECK(bi.nr_cpus >= 1, "q35: %u CPU(s), first APIC ID %llu", bi.nr_cpus,
	      (unsigned long long)bi.cpus[0].hwid);
	CHECK(bi.stdout_node >= 0, "q35: stdout-path resolves to a node (%d: %s)", bi.stdout_node,
	      bi.stdout_node >= 0 ? fdt_get_name(fdt, bi.stdout_node, NULL) : "-");
	CHECK(bi.psci_method[0] == '\0', "q35: no PSCI");
}

#define SW(call)                                                     \
	do {                                                         \
		int _e = (call);                                     \
		if (_e) {                                            \
			printf("fdt_sw: %s: %s\n", #call, fdt_strerror(_e)); \
			exit(2);                                     \
		}                                                    \
	} while (0)

static void prop_cells(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t be[16];

	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(v[i]);
	SW(fdt_property(fdt, name, be, n * 4));
}

/* A tree with the corner cases, built with libfdt's sequential writer. */
static size_t build_synthetic(void *fdt, size_t size, bool with_memory)
{
	static const uint32_t two = 2, one = 1, zero = 0;

	SW(fdt_create(fdt, (int)size));
	SW(fdt_add_reservemap_entry(fdt, 0x48000000, 0x1000));
	SW(fdt_finish_reservemap(fdt));
	SW(fdt_begin_node(fdt, ""));
	prop_cells(fdt, "#address-cells", &two, 1);
	prop_cells(fdt, "#size-cells", &two, 1);
	SW(fdt_property_string(fdt, "compatible", "acme,board"));
	/* no /model: falls back to compatible */
	if (with_memory) {
		/* two nodes, out of order, one range overlapping and one adjacent */
		static const uint32_t m1[] = { 0, 0x90000000, 0, 0x10000000 };
		static const uint32_t m2[] = { 0, 0x40000000, 0, 0x20000000,
					       0, 0x60000000, 0, 0x20000000,
					       0, 0x50000000, 0, 0x1000 };
		SW(fdt_begin_node(fdt, "memory@90000000"));
		SW(fdt_property_string(fdt, "device_type", "memory"));
		prop_cells(fdt, "reg", m1, 4);
		SW(fdt_end_node(fdt));
		SW(fdt_begin_node(fdt, "memory@40000000"));
		SW(fdt_property_string(fdt, "device_type", "memory"));
		prop_cells(fdt, "reg", m2, 12);
		SW(fdt_end_node(fdt));
		SW(fdt_begin_node(fdt, "memory@c0000000"));
		SW(fdt_property_string(fdt, "device_type", "memory"));
		SW(fdt_property_string(fdt, "status", "disabled"));
		prop_cells(fdt, "reg", (const uint32_t[]){ 0, 0xc0000000, 0, 0x1000 }, 4);
		SW(fdt_end_node(fdt));
	}
	SW(fdt_begin_node(fdt, "reserved-memory"));
	prop_cells(fdt, "#address-cells", &one, 1);
	prop_cells(fdt, "#size-cells", &one, 1);
	SW(fdt_property(fdt, "ranges", "", 0));
	SW(fdt_begin_node(fdt, "fw@4f000000"));
	prop_cells(fdt, "reg", (const uint32_t[]){ 0x4f000000, 0x100000 }, 2);
	SW(fdt_property(fdt, "no-map", "", 0));
	SW(fdt_end_node(fdt));
	SW(fdt_begin_node(fdt, "pool"));
	prop_cells(fdt, "size", (const uint32_t[]){ 0x400000 }, 1); /* dynamic: ignored */
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	SW(fdt_begin_node(fdt, "cpus"));
	prop_cells(fdt, "#address-cells", &two, 1);
	prop_cells(fdt, "#size-cells", &zero, 1);
	for (int i = 0; i < 3; i++) {
		char n[16];

		snprintf(n, sizeof(n), "cpu@%d", i);
		SW(fdt_begin_node(fdt, n));
		SW(fdt_property_string(fdt, "device_type", "cpu"));
		prop_cells(fdt, "reg", (const uint32_t[]){ 0, (uint32_t)i * 0x100 }, 2);
		SW(fdt_property_string(fdt, "enable-method", "spin-table"));
		prop_cells(fdt, "cpu-release-addr", (const uint32_t[]){ 0, 0x8000fff8 }, 2);
		if (i == 1)
			SW(fdt_property_string(fdt, "status", "disabled"));
		if (i == 2)
			SW(fdt_property_string(fdt, "status", "fail-sss"));
		SW(fdt_end_node(fdt));
	}
	SW(fdt_begin_node(fdt, "cpu-map"));
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	SW(fdt_begin_node(fdt, "aliases"));
	SW(fdt_property_string(fdt, "serial0", "/soc/uart@1000"));
	SW(fdt_end_node(fdt));
	SW(fdt_begin_node(fdt, "soc"));
	SW(fdt_begin_node(fdt, "uart@1000"));
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	SW(fdt_begin_node(fdt, "firmware"));
	SW(fdt_begin_node(fdt, "psci"));
	SW(fdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2", 26));
	SW(fdt_property_string(fdt, "method", "smc"));
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	SW(fdt_begin_node(fdt, "chosen"));
	SW(fdt_property_string(fdt, "bootargs", "console=ttyAMA0 rdinit=/init quiet"));
	SW(fdt_property_string(fdt, "stdout-path", "serial0:115200n8"));
	prop_cells(fdt, "linux,initrd-start", (const uint32_t[]){ 0x44000000 }, 1);
	prop_cells(fdt, "linux,initrd-end", (const uint32_t[]){ 0, 0x44100000 }, 2);
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	SW(fdt_finish(fdt));
	return fdt_totalsize(fdt);
}

static void test_synthetic(void)
{
	static char buf[8192];
	struct board_info bi;
	char msg[128];
	size_t size = build_synthetic(buf, sizeof(buf), true);
	int r = board_parse_buf(buf, size, 0, &bi, msg, sizeof(msg));

	CHECK(r == 0, "synthetic: parses (%s)", r ? msg : "no error");
	CHECK(!strcmp(bi.model, "acme,board"), "synthetic: model falls back to compatible (\"%s\")",
	      bi.model);
	CHECK(bi.nr_mem == 2 && bi.mem[0].base == 0x40000000 && bi.mem[0].size == 0x40000000 &&
		      bi.mem[1].base == 0x90000000 && bi.mem[1].size == 0x10000000,
	      "synthetic: memory sorted and merged, disabled node skipped (%u ranges)", bi.nr_mem);
	CHECK(bi.nr_reserved == 2 && bi.reserved[0].base == 0x48000000 &&
		      bi.reserved[0].size == 0x1000 && bi.reserved[1].base == 0x4f000000 &&
		      bi.reserved[1].size == 0x100000,
	      "synthetic: /memreserve/ + /reserved-memory static reg (%u)", bi.nr_reserved);
	CHECK(bi.nr_cpus == 3 && bi.cpus[2].hwid == 0x200 &&
		      !strcmp(bi.cpus[1].enable_method, "spin-table") &&
		      bi.cpus[0].release_addr == 0x8000fff8,
	      "synthetic: 3 spin-table CPUs with 2-cell reg");
	CHECK(bi.cpus[0].status == BOARD_CPU_OK && bi.cpus[1].status == BOARD_CPU_DISABLED &&
		      bi.cpus[2].status == BOARD_CPU_FAIL,
	      "synthetic: cpu status okay (absent) / disabled / fail-sss (%u %u %u)",
	      bi.cpus[0].status, bi.cpus[1].status, bi.cpus[2].status);
	CHECK(!strcmp(bi.cmdline, "console=ttyAMA0 rdinit=/init quiet"), "synthetic: bootargs");
	CHECK(bi.initrd_start == 0x44000000 && bi.initrd_end == 0x44100000,
	      "synthetic: initrd from 32-bit start and 64-bit end");
	CHECK(bi.stdout_node == fdt_path_offset(buf, "/soc/uart@1000") && bi.stdout_node > 0,
	      "synthetic: stdout-path alias with :options");
	CHECK(!strcmp(bi.psci_method, "smc"), "synthetic: psci found by compatible (\"%s\")",
	      bi.psci_method);

	size = build_synthetic(buf, sizeof(buf), false);
	r = board_parse_buf(buf, size, 0, &bi, msg, sizeof(msg));
	CHECK(r == -EINVAL && msg[0], "no /memory: -EINVAL (%s)", msg);
	r = board_parse_buf(buf, size, BOARD_PARSE_MEM_OPTIONAL, &bi, msg, sizeof(msg));
	CHECK(r == 0 && bi.nr_mem == 0 && bi.nr_cpus == 3,
	      "no /memory with BOARD_PARSE_MEM_OPTIONAL: parses");
}

static void test_malformed(const void *orig, size_t origsize)
{
	struct board_info *bi = malloc(sizeof(*bi));
	char msg[128];
	void *packed = malloc(origsize);
	size_t size;
	int r, bad;

	/* Pack first: the QEMU blob has ~1 MiB of free space at the end. */
	memcpy(packed, orig, origsize);
	CHECK(fdt_pack(packed) == 0, "fdt_pack");
	size = fdt_totalsize(packed);

	r = board_parse_buf(NULL, 0, 0, bi, msg, sizeof(msg));
	CHECK(r == -EINVAL, "NULL blob: -EINVAL (%s)", msg);
	r = board_parse(NULL, bi, msg, sizeof(msg));
	CHECK(r == -EINVAL, "board_parse(NULL): -EINVAL");
	r = parse_copy(packed, 0, 0, bi, msg, sizeof(msg));
	CHECK(r == -EINVAL, "zero length: -EINVAL (%s)", msg);

	/* Wrong magic. */
	{
		unsigned char *c = malloc(size);

		memcpy(c, packed, size);
		c[0] ^= 0xff;
		r = board_parse_buf(c, size, 0, bi, msg, sizeof(msg));
		CHECK(r == -EINVAL && msg[0], "wrong magic: -EINVAL (%s)", msg);
		r = board_parse(c, bi, msg, sizeof(msg));
		CHECK(r == -EINVAL, "wrong magic via board_parse: -EINVAL (%s)", msg);
		free(c);
	}

	/* Truncated at every length: the header's totalsize no longer fits. */
	bad = 0;
	for (size_t len = 0; len < size; len++) {
		r = parse_copy(packed, len, 0, bi, msg, sizeof(msg));
		if (r != -EINVAL)
			bad++;
	}
	CHECK(bad == 0, "truncated at each of %zu lengths: -EINVAL (%d wrong)", size, bad);

	/* Truncated with the header patched to the cut length: the blocks
	 * (strings last) no longer fit, or the structure is cut. */
	bad = 0;
	for (size_t len = FDT_V17_SIZE; len < size; len++) {
		unsigned char *c = malloc(len);

		memcpy(c, packed, len);
		fdt_set_totalsize(c, (uint32_t)len);
		r = board_parse_buf(c, len, 0, bi, msg, sizeof(msg));
		if (r != -EINVAL)
			bad++;
		free(c);
	}
	CHECK(bad == 0, "truncated with patched totalsize: -EINVAL (%d wrong)", bad);

	/* Cut with the structure block shrunk to the cut (strings moved
	 * out of the way is not possible, so cut inside the structure). */
	bad = 0;
	{
		uint32_t off_struct = fdt_off_dt_struct(packed), sz_struct = fdt_size_dt_struct(packed);

		for (uint32_t cut = 4; cut < sz_struct; cut += 4) {
			unsigned char *c = malloc(size);

			memcpy(c, packed, size);
			fdt_set_size_dt_struct(c, cut);
			r = board_parse_buf(c, size, 0, bi, msg, sizeof(msg));
			if (r != -EINVAL)
				bad++;
			free(c);
		}
		CHECK(bad == 0, "structure block cut at each of %u offsets: -EINVAL (%d wrong)",
		      sz_struct / 4, bad);
		(void)off_struct;
	}

	/* Random byte flips in the header and the structure block (fixed
	 * seed). A flip may leave a valid tree (a changed property value):
	 * then 0 is fine; otherwise -EINVAL; never a crash or overrun. */
	{
		int ok = 0, einval = 0, other = 0;
		uint32_t sstart = fdt_off_dt_struct(packed), slen = fdt_size_dt_struct(packed);

		for (int iter = 0; iter < 4000; iter++) {
			unsigned char *c = malloc(size);
			int flips = 1 + (int)(rnd() % 4);

			memcpy(c, packed, size);
			for (int f = 0; f < flips; f++) {
				size_t at = (iter & 1) ? rnd() % FDT_V17_SIZE : sstart + rnd() % slen;

				c[at] ^= (unsigned char)(1u << (rnd() % 8)) | (unsigned char)(rnd() & 0xff);
			}
			r = board_parse_buf(c, size, 0, bi, msg, sizeof(msg));
			if (r == 0)
				ok++;
			else if (r == -EINVAL)
				einval++;
			else
				other++;
			/* A success must still produce a consistent result. */
			if (r == 0)
				CHECK_Q(bi->nr_mem <= BOARD_MAX_RANGES && bi->nr_cpus <= BOARD_MAX_CPUS &&
						memchr(bi->model, 0, sizeof(bi->model)) &&
						memchr(bi->cmdline, 0, sizeof(bi->cmdline)),
					"flip iteration %d: inconsistent board_info", iter);
			free(c);
		}
		CHECK(other == 0, "4000 random flips: %d parsed, %d -EINVAL, %d other", ok, einval,
		      other);
	}

	/* Random garbage of random lengths with a valid magic. */
	{
		int other = 0;

		for (int iter = 0; iter < 2000; iter++) {
			size_t len = rnd() % 512;
			unsigned char *c = malloc(len ? len : 1);

			for (size_t i = 0; i < len; i++)
				c[i] = (unsigned char)rnd();
			if (len >= 8) {
				memcpy(c, packed, 4); /* magic */
				fdt_set_totalsize(c, (uint32_t)len);
			}
			r = board_parse_buf(c, len, 0, bi, msg, sizeof(msg));
			if (r != 0 && r != -EINVAL)
				other++;
			free(c);
		}
		CHECK(other == 0, "2000 random blobs with a valid magic: no crash, -EINVAL");
	}
	free(packed);
	free(bi);
}

int main(int argc, char **argv)
{
	const char *virt = argc > 1 ? argv[1] : "tests/testdata/qemu-virt.dtb";
	const char *q35 = argc > 2 ? argv[2] : "tests/testdata/q35.dtb";
	const char *gicv2 = argc > 3 ? argv[3] : "tests/testdata/qemu-virt-gicv2.dtb";
	size_t size;
	void *blob;

	blob = load(virt, &size);
	CHECK(blob != NULL, "load %s", virt);
	if (blob) {
		test_virt(blob, size, "qemu-virt");
		test_malformed(blob, size);
		free(blob);
	}
	blob = load(gicv2, &size);
	if (blob) {
		test_virt(blob, size, "qemu-virt-gicv2");
		free(blob);
	} else {
		printf("skip - %s not found\n", gicv2);
	}
	blob = load(q35, &size);
	CHECK(blob != NULL, "load %s", q35);
	if (blob) {
		test_q35(blob, size);
		free(blob);
	}
	test_synthetic();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
