/* Device tree → struct board_info, with libfdt. [Devicetree Specification
 * v0.4 §2.3 (standard properties), §3 (base device node types), §5
 * (the flattened format)], Linux Documentation/devicetree/bindings
 * (chosen.yaml, reserved-memory, cpus.yaml enable-method, arm/psci.yaml).
 *
 * The blob is untrusted input (it comes from the loader): the whole
 * structure is checked once with fdt_check_full() against its buffer size
 * before anything is read, every property length is checked before use,
 * and any inconsistency is -EINVAL with a message. Pure logic, no kernel
 * services: the host tests build this file with -DKEVLAR_HOST_TEST.
 */
#include <kernel/board.h>
#include <kernel/errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <string.h>
#ifdef KEVLAR_HOST_TEST
#include <stdio.h>
#else
#include <kernel/printk.h>
#endif

#include "dt_util.h"

struct parse_ctx {
	const void *fdt;
	struct board_info *bi;
	char *msg;
	size_t msglen;
};

static int fail(struct parse_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parse_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->msg && c->msglen) {
		va_start(ap, fmt);
		vsnprintf(c->msg, c->msglen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A string property's value if it is NUL-terminated inside the property,
 * else NULL. */
static const char *prop_str(const void *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	if (!s || len <= 0 || !memchr(s, '\0', (size_t)len))
		return NULL;
	return s;
}

/* strlcpy (not in every host libc): copy at most len-1 bytes, terminate. */
static void copy_str(char *dst, const char *src, size_t len)
{
	size_t n = strlen(src);

	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Copy a string property into buf (truncating); false if absent/invalid. */
static bool prop_copy(const void *fdt, int node, const char *name, char *buf, size_t len)
{
	const char *s = prop_str(fdt, node, name);

	if (!s)
		return false;
	copy_str(buf, s, len);
	return true;
}

/* #address-cells / #size-cells of node (as a parent), validated to 1..2
 * (address: memory and CPUs have no 3-cell buses) and 0..2 (size), with
 * the spec defaults. -EINVAL otherwise. */
static int node_cells(const void *fdt, int node, int *ac, int *sc)
{
	if (dt_child_cells(fdt, node, ac, sc) || *ac > 2)
		return -EINVAL;
	return 0;
}

/* Append [base, base+size) to a range array (ignores size 0 and wrap).
 * Drops entries beyond max (reported by the caller's count). */
static void range_add(struct hal_mem_range *r, unsigned *nr, unsigned max, uint64_t base,
		      uint64_t size)
{
	if (!size || base + size < base)
		return;
	if (*nr >= max)
		return;
	r[*nr].base = base;
	r[*nr].size = size;
	(*nr)++;
}

/* Sort by base (insertion sort: at most BOARD_MAX_RANGES entries) and
 * merge overlapping or adjacent ranges. */
static void ranges_normalise(struct hal_mem_range *r, unsigned *nr)
{
	unsigned n = *nr, out = 0;

	for (unsigned i = 1; i < n; i++) {
		struct hal_mem_range t = r[i];
		unsigned j = i;

		for (; j > 0 && r[j - 1].base > t.base; j--)
			r[j] = r[j - 1];
		r[j] = t;
	}
	for (unsigned i = 0; i < n; i++) {
		if (out && r[i].base <= r[out - 1].base + r[out - 1].size) {
			uint64_t end = r[i].base + r[i].size;
			uint64_t oend = r[out - 1].base + r[out - 1].size;

			if (end > oend)
				r[out - 1].size = end - r[out - 1].base;
		} else {
			r[out++] = r[i];
		}
	}
	*nr = out;
}

/* Add every (address, size) pair of node's "reg" to r, decoding it with
 * the parent's cell sizes ac/sc. */
static int reg_ranges(struct parse_ctx *c, int node, int ac, int sc, struct hal_mem_range *r,
		      unsigned *nr)
{
	const fdt32_t *e;
	unsigned i = 0;
	int err;

	if (sc == 0 && fdt_getprop(c->fdt, node, "reg", NULL))
		err = -EINVAL; /* a memory range without a size */
	else
		while (!(err = dt_reg_entry(c->fdt, node, ac, sc, i++, &e)))
			range_add(r, nr, BOARD_MAX_RANGES, dt_cells(e, ac), dt_cells(e + ac, sc));
	if (err == -EINVAL)
		return fail(c, "DT: %s: malformed reg", fdt_get_name(c->fdt, node, NULL));
	return 0;
}

static bool is_memory_node(const void *fdt, int node)
{
	const char *type = prop_str(fdt, node, "device_type");
	const char *name;

	if (type)
		return !strcmp(type, "memory");
	/* Some firmware omits device_type; accept the node name as Linux's
	 * PPC code does, but only for direct children of the root. */
	name = fdt_get_name(fdt, node, NULL);
	return name && (!strcmp(name, "memory") || !strncmp(name, "memory@", 7));
}

/* /memory nodes (children of the root). [DT spec §3.4] */
static int parse_memory(struct parse_ctx *c, int ac, int sc)
{
	int node, err;

	fdt_for_each_subnode(node, c->fdt, 0) {
		if (!is_memory_node(c->fdt, node) || !dt_node_enabled(c->fdt, node))
			continue;
		err = reg_ranges(c, node, ac, sc, c->bi->mem, &c->bi->nr_mem);
		if (err)
			return err;
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return fail(c, "DT: bad structure: %s", fdt_strerror(node));
	ranges_normalise(c->bi->mem, &c->bi->nr_mem);
	return 0;
}

/* /memreserve/ entries and /reserved-memory children with a static "reg".
 * [DT spec §3.5, §5.3] */
static int parse_reserved(struct parse_ctx *c)
{
	int n = fdt_num_mem_rsv(c->fdt), rmem, node, ac, sc, err;

	if (n < 0)
		return fail(c, "DT: bad memory reservation block: %s", fdt_strerror(n));
	for (int i = 0; i < n; i++) {
		uint64_t addr, size;

		err = fdt_get_mem_rsv(c->fdt, i, &addr, &size);
		if (err)
			return fail(c, "DT: bad /memreserve/ entry %d: %s", i, fdt_strerror(err));
		range_add(c->bi->reserved, &c->bi->nr_reserved, BOARD_MAX_RANGES, addr, size);
	}
	rmem = fdt_path_offset(c->fdt, "/reserved-memory");
	if (rmem >= 0) {
		if (node_cells(c->fdt, rmem, &ac, &sc))
			return fail(c, "DT: /reserved-memory: bad #address-cells/#size-cells");
		fdt_for_each_subnode(node, c->fdt, rmem) {
			if (!dt_node_enabled(c->fdt, node))
				continue;
			err = reg_ranges(c, node, ac, sc, c->bi->reserved, &c->bi->nr_reserved);
			if (err)
				return err;
		}
	}
	ranges_normalise(c->bi->reserved, &c->bi->nr_reserved);
	return 0;
}

/* /cpus/cpu@N: hardware id, enable-method, cpu-release-addr.
 * [DT spec §3.7, §3.8], Linux bindings/arm/cpus.yaml. */
static int parse_cpus(struct parse_ctx *c)
{
	int cpus = fdt_path_offset(c->fdt, "/cpus"), node, ac, sc, len;

	if (cpus < 0)
		return 0;
	if (node_cells(c->fdt, cpus, &ac, &sc))
		return fail(c, "DT: /cpus: bad #address-cells/#size-cells");
	fdt_for_each_subnode(node, c->fdt, cpus) {
		const char *type = prop_str(c->fdt, node, "device_type"), *status;
		const fdt32_t *reg, *rel;
		struct board_cpu *cpu;

		if (!type || strcmp(type, "cpu"))
			continue;
		if (c->bi->nr_cpus >= BOARD_MAX_CPUS)
			break;
		cpu = &c->bi->cpus[c->bi->nr_cpus];
		memset(cpu, 0, sizeof(*cpu));
		reg = fdt_getprop(c->fdt, node, "reg", &len);
		if (!reg || len < ac * 4)
			return fail(c, "DT: %s: missing reg", fdt_get_name(c->fdt, node, NULL));
		cpu->hwid = dt_cells(reg, ac);
		prop_copy(c->fdt, node, "enable-method", cpu->enable_method,
			  sizeof(cpu->enable_method));
		status = prop_str(c->fdt, node, "status");
		if (status && !strcmp(status, "disabled"))
			cpu->status = BOARD_CPU_DISABLED;
		else if (status && !strncmp(status, "fail", 4))
			cpu->status = BOARD_CPU_FAIL;
		rel = fdt_getprop(c->fdt, node, "cpu-release-addr", &len);
		if (rel && (len == 4 || len == 8))
			cpu->release_addr = dt_cells(rel, len / 4);
		c->bi->nr_cpus++;
	}
	return 0;
}

/* A 32- or 64-bit number property (linux,initrd-start/end). */
static bool prop_num(const void *fdt, int node, const char *name, uint64_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p || (len != 4 && len != 8))
		return false;
	*out = dt_cells(p, len / 4);
	return true;
}

/* /chosen: bootargs, initrd, stdout-path. [DT spec §3.6], Linux
 * bindings/chosen.yaml. stdout-path is "path-or-alias[:options]". */
static int parse_chosen(struct parse_ctx *c)
{
	int chosen = fdt_path_offset(c->fdt, "/chosen");
	const char *out, *colon;
	uint64_t start, end;
	int len;

	if (chosen < 0)
		return 0;
	prop_copy(c->fdt, chosen, "bootargs", c->bi->cmdline, sizeof(c->bi->cmdline));
	if (prop_num(c->fdt, chosen, "linux,initrd-start", &start) &&
	    prop_num(c->fdt, chosen, "linux,initrd-end", &end) && end > start) {
		c->bi->initrd_start = start;
		c->bi->initrd_end = end;
	}
	out = prop_str(c->fdt, chosen, "stdout-path");
	if (!out)
		out = prop_str(c->fdt, chosen, "linux,stdout-path");
	if (out) {
		colon = strchr(out, ':');
		len = colon ? (int)(colon - out) : (int)strlen(out);
		/* fdt_path_offset_namelen resolves a leading alias itself. */
		if (len > 0) {
			int node = fdt_path_offset_namelen(c->fdt, out, len);

			c->bi->stdout_node = node >= 0 ? node : -1;
		}
	}
	return 0;
}

/* PSCI conduit: /psci, or any node compatible with a PSCI binding.
 * [DEN0022 §5], Linux bindings/arm/psci.yaml. */
static void parse_psci(struct parse_ctx *c)
{
	static const char *const compat[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci" };
	int node = fdt_path_offset(c->fdt, "/psci");

	for (unsigned i = 0; node < 0 && i < ARRAY_SIZE(compat); i++)
		node = fdt_node_offset_by_compatible(c->fdt, -1, compat[i]);
	if (node >= 0)
		prop_copy(c->fdt, node, "method", c->bi->psci_method, sizeof(c->bi->psci_method));
	if (strcmp(c->bi->psci_method, "hvc") && strcmp(c->bi->psci_method, "smc"))
		c->bi->psci_method[0] = '\0';
}

/* Check the whole blob inside a buffer of bufsize bytes before any other
 * libfdt call trusts it: header and block bounds, the memory reservation
 * map terminated inside the blob, and the structure block walked tag by
 * tag (balanced nodes, a single root with an empty name, every property's
 * name and value inside the blob, FDT_END last). The same checks as
 * upstream dtc's fdt_check_full(), which the Linux copy of libfdt lacks.
 * Returns 0 or a -FDT_ERR_* code. [DT spec §5.2-§5.5] */
static int dt_check_full(const void *fdt, size_t bufsize)
{
	int err, offset, next = 0, depth = 0;
	bool expect_end = false;

	if (bufsize < FDT_V1_SIZE || bufsize < fdt_header_size(fdt))
		return -FDT_ERR_TRUNCATED;
	err = fdt_check_header(fdt);
	if (err)
		return err;
	if (fdt_totalsize(fdt) > bufsize)
		return -FDT_ERR_TRUNCATED;
	/* Block alignment [DT spec §5.1]: the reservation map on 8 bytes,
	 * the structure block on 4; libfdt reads both with aligned loads. */
	if ((fdt_off_mem_rsvmap(fdt) & 7) || (fdt_off_dt_struct(fdt) & 3))
		return -FDT_ERR_ALIGNMENT;
	err = fdt_num_mem_rsv(fdt);
	if (err < 0)
		return err;
	for (;;) {
		uint32_t tag;

		offset = next;
		tag = fdt_next_tag(fdt, offset, &next);
		if (next < 0)
			return next;
		if (expect_end && tag != FDT_END)
			return -FDT_ERR_BADSTRUCTURE; /* a second root */
		switch (tag) {
		case FDT_NOP: break;
		case FDT_END: return depth ? -FDT_ERR_BADSTRUCTURE : 0;
		case FDT_BEGIN_NODE:
			if (++depth > 64)
				return -FDT_ERR_BADSTRUCTURE; /* deeper than any real tree */
			if (depth == 1) {
				int len;
				const char *name = fdt_get_name(fdt, offset, &len);

				if (!name || *name || len)
					return -FDT_ERR_BADSTRUCTURE;
			}
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return -FDT_ERR_BADSTRUCTURE;
			if (--depth == 0)
				expect_end = true;
			break;
		case FDT_PROP: {
			const char *pname;

			if (!fdt_getprop_by_offset(fdt, offset, &pname, &err))
				return err;
			if (!pname)
				return -FDT_ERR_BADSTRUCTURE;
			break;
		}
		default: return -FDT_ERR_BADSTRUCTURE;
		}
	}
}

int board_parse_buf(const void *fdt, size_t bufsize, unsigned flags, struct board_info *bi,
		    char *msg, size_t msglen)
{
	struct parse_ctx c = { fdt, bi, msg, msglen };
	int err, ac, sc;

	memset(bi, 0, sizeof(*bi));
	bi->stdout_node = -1;
	if (msg && msglen)
		msg[0] = '\0';
	if (!fdt || bufsize < FDT_V1_SIZE)
		return fail(&c, "DT: blob too small (%zu bytes)", bufsize);
	if (fdt_magic(fdt) != FDT_MAGIC)
		return fail(&c, "DT: bad magic 0x%08x", (unsigned)fdt_magic(fdt));
	if (bufsize >= fdt_header_size(fdt) && fdt_totalsize(fdt) > bufsize)
		return fail(&c, "DT: truncated (header says %u bytes, have %zu)",
			    (unsigned)fdt_totalsize(fdt), bufsize);
	/* Walk the whole blob once: after this libfdt's accessors cannot
	 * run off the end. */
	err = dt_check_full(fdt, bufsize);
	if (err)
		return fail(&c, "DT: malformed blob: %s", fdt_strerror(err));

	if (!prop_copy(fdt, 0, "compatible", bi->compatible, sizeof(bi->compatible)))
		bi->compatible[0] = '\0';
	if (!prop_copy(fdt, 0, "model", bi->model, sizeof(bi->model)))
		copy_str(bi->model, bi->compatible[0] ? bi->compatible : "unknown",
			 sizeof(bi->model));
	if (node_cells(fdt, 0, &ac, &sc) || sc == 0)
		return fail(&c, "DT: root: bad #address-cells/#size-cells");
	err = parse_memory(&c, ac, sc);
	if (!err)
		err = parse_reserved(&c);
	if (!err)
		err = parse_cpus(&c);
	if (!err)
		err = parse_chosen(&c);
	if (err)
		return err;
	parse_psci(&c);
	if (!bi->nr_mem && !(flags & BOARD_PARSE_MEM_OPTIONAL))
		return fail(&c, "DT: no /memory node with a usable reg");
	return 0;
}

int board_parse(const void *fdt, struct board_info *bi, char *msg, size_t msglen)
{
	if (!fdt) {
		memset(bi, 0, sizeof(*bi));
		bi->stdout_node = -1;
		if (msg && msglen)
			snprintf(msg, msglen, "DT: no device tree");
		return -EINVAL;
	}
	/* Without a buffer size the header is all we can trust for it. */
	if (fdt_magic(fdt) != FDT_MAGIC) {
		memset(bi, 0, sizeof(*bi));
		bi->stdout_node = -1;
		if (msg && msglen)
			snprintf(msg, msglen, "DT: bad magic 0x%08x", (unsigned)fdt_magic(fdt));
		return -EINVAL;
	}
	return board_parse_buf(fdt, fdt_totalsize(fdt), 0, bi, msg, msglen);
}
