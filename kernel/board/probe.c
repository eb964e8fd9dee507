/* Driver probing: match enabled DT nodes against the DRIVER_DECLARE
 * entries of the .drivers section, one class at a time (irqchip, timer,
 * console, rtc, power, bus, device), like Linux's of_device_id matching.
 * A node's compatible strings are tried in order (most specific first);
 * a probe that declines (-ENODEV) lets the next match try; any other
 * error is logged and the boot goes on without that device.
 */
#include <hal/cpu.h>
#include <kernel/board.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <libfdt.h>
#include <string.h>

#include "dt_util.h"

struct board_info board;
const void *board_fdt;

extern const struct driver __drivers_start[], __drivers_end[];

static const struct of_device_id *match_one(const struct driver *drv, const char *compat)
{
	for (const struct of_device_id *id = drv->match; id && id->compatible; id++) {
		if (!strcmp(id->compatible, compat))
			return id;
	}
	return NULL;
}

/* Try every (compatible, driver of cls) pair for node; 1 if one probed. */
static int probe_node(const void *fdt, int node, int cls)
{
	int len, pos = 0;
	const char *list = fdt_getprop(fdt, node, "compatible", &len);
	struct device *dev = NULL;

	if (!list || len <= 0)
		return 0;
	while (pos < len) {
		const char *compat = list + pos;
		size_t slen = strnlen(compat, (size_t)(len - pos));

		if ((int)slen == len - pos)
			break; /* unterminated: malformed, stop */
		pos += (int)slen + 1;
		for (const struct driver *drv = __drivers_start; drv < __drivers_end; drv++) {
			const struct of_device_id *id;
			int err;

			if ((int)drv->cls != cls || !(id = match_one(drv, compat)))
				continue;
			if (!dev) {
				dev = kzalloc(sizeof(*dev));
				if (!dev) {
					pr_err("board: out of memory probing %s\n",
					       fdt_get_name(fdt, node, NULL));
					return 0;
				}
			}
			dev->name = fdt_get_name(fdt, node, NULL);
			dev->fdt = fdt;
			dev->node = node;
			dev->id = id;
			dev->priv = NULL;
			svc_instance_init(&dev->svc, drv->name);
			err = svc_call(&dev->svc, drv->probe(dev));
			if (err == 0)
				return 1; /* dev stays allocated: drivers may keep it */
			if (dev->svc.failed) {
				/* Contained fault: what the probe registered (irq
				 * handlers, ...) may point into dev, so it stays. */
				pr_err("board: %s: driver %s faulted; device not used\n", dev->name,
				       drv->name);
				return 0;
			}
			svc_instance_release(&dev->svc); /* declined or failed cleanly */
			if (err != -ENODEV) {
				pr_err("board: %s: driver %s failed (%d)\n", dev->name, drv->name,
				       err);
				kfree(dev);
				return 0;
			}
		}
	}
	kfree(dev);
	return 0;
}

int board_probe_class(int cls)
{
	const void *fdt = board_fdt;
	int node, depth = 0, probed = 0;

	if (!fdt)
		return 0;
	for (node = fdt_next_node(fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		if (!dt_node_enabled(fdt, node))
			continue;
		probed += probe_node(fdt, node, cls);
	}
	return probed;
}

size_t board_cpu_describe(char *buf, size_t len)
{
	return hal_cpu_describe(buf, len);
}
