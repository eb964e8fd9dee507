/* Device-tree helpers shared by the board parser (dt.c), driver probing
 * (probe.c) and the driver accessors (device.c). [Devicetree Specification
 * v0.4 §2.3 (status, #address-cells, #size-cells, reg)]
 * Pure logic over a blob checked by board_parse(); lengths are still
 * checked before every read. */
#ifndef KERNEL_BOARD_DT_UTIL_H
#define KERNEL_BOARD_DT_UTIL_H
#include <libfdt.h>
#include <stdbool.h>
#include <stdint.h>

/* Most address cells a bus may use (PCI: phys.hi, phys.mid, phys.lo). */
#define DT_MAX_ADDR_CELLS 3

/* Is node enabled: no "status", or "okay"/"ok" [DT spec §2.3.4]. */
bool dt_node_enabled(const void *fdt, int node);

/* The number in n big-endian cells: the low two (in a 3-cell PCI address
 * the first cell holds flags, not part of the number). */
uint64_t dt_cells(const fdt32_t *p, int n);

/* #address-cells (1..DT_MAX_ADDR_CELLS) and #size-cells (0..2) that node's
 * children use, with the spec defaults 2 and 1 [DT spec §2.3.5]; -EINVAL
 * when a property is malformed or out of range. */
int dt_child_cells(const void *fdt, int node, int *ac, int *sc);

/* The idx-th (address, size) entry of node's "reg", decoded with its
 * parent's ac/sc: *entry points at its first cell. -ENOENT if there is no
 * "reg" or fewer entries, -EINVAL if "reg" is not a whole number of
 * entries. */
int dt_reg_entry(const void *fdt, int node, int ac, int sc, unsigned idx, const fdt32_t **entry);

#endif
