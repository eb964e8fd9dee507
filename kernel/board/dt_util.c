/* Device-tree helpers (dt_util.h). Pure logic: the host tests build this
 * file with -DKEVLAR_HOST_TEST, as dt.c. */
#include <kernel/errno.h>
#include <string.h>

#include "dt_util.h"

bool dt_node_enabled(const void *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "status", &len);

	if (!s)
		return true;
	if (len <= 0 || !memchr(s, '\0', (size_t)len))
		return false;
	return !strcmp(s, "okay") || !strcmp(s, "ok");
}

uint64_t dt_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n > 2 ? n - 2 : 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

/* One cell-count property: def when absent, -1 when malformed. */
static int cells_prop(const void *fdt, int node, const char *name, int def)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return def;
	return len == 4 ? (int)fdt32_to_cpu(*p) : -1;
}

int dt_child_cells(const void *fdt, int node, int *ac, int *sc)
{
	*ac = cells_prop(fdt, node, "#address-cells", 2);
	*sc = cells_prop(fdt, node, "#size-cells", 1);
	if (*ac < 1 || *ac > DT_MAX_ADDR_CELLS || *sc < 0 || *sc > 2)
		return -EINVAL;
	return 0;
}

int dt_reg_entry(const void *fdt, int node, int ac, int sc, unsigned idx, const fdt32_t **entry)
{
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	unsigned cells = (unsigned)(ac + sc);

	if (!reg)
		return -ENOENT;
	if (len < 0 || len % (cells * 4))
		return -EINVAL;
	if (idx >= (unsigned)len / (cells * 4))
		return -ENOENT;
	*entry = reg + idx * cells;
	return 0;
}
