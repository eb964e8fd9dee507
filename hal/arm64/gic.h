/* Shared by the GICv2 and GICv3 drivers: the device-tree interrupt
 * specifier of "arm,gic" style controllers, 3 cells <type number flags>
 * [Linux Documentation/devicetree/bindings/interrupt-controller/arm,gic.yaml,
 *  arm,gic-v3.yaml]. type 0 = SPI (INTID 32 + number), 1 = PPI
 * (INTID 16 + number); flags[3:0]: 1 edge rising, 4 level high. */
#ifndef HAL_ARM64_GIC_H
#define HAL_ARM64_GIC_H
#include <hal/types.h>
#include <kernel/errno.h>

#define GIC_PRIO_DEFAULT 0xa0 /* every interrupt: one level, no preemption */
#define GIC_PRIO_MASK 0xf0    /* PMR: let priorities below 0xf0 through */
#define GIC_SPURIOUS 1020     /* INTIDs >= 1020 are special (spurious, ...) */

struct gic_spec {
	unsigned intid;
	bool edge;
};

static inline int gic_parse_spec(const uint32_t *cells, unsigned ncells, unsigned nr_lines,
				 struct gic_spec *out)
{
	if (ncells < 3)
		return -EINVAL;
	if (cells[0] == 0 && cells[1] < 988)
		out->intid = 32 + cells[1];
	else if (cells[0] == 1 && cells[1] < 16)
		out->intid = 16 + cells[1];
	else
		return -EINVAL;
	if (out->intid >= nr_lines)
		return -EINVAL;
	out->edge = (cells[2] & 0x3) != 0;
	return 0;
}

/* GICD_ICFGR / GICR_ICFGR: 2 bits per INTID, bit 1 = edge-triggered. */
static inline uint32_t gic_icfgr_update(uint32_t v, unsigned intid, bool edge)
{
	unsigned bit = (intid % 16) * 2 + 1;

	return edge ? (v | (1u << bit)) : (v & ~(1u << bit));
}

#endif
