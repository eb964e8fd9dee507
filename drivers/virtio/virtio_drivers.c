/* The device-class driver table: VIRTIO_DRIVER_DECLARE entries in the
 * .virtio_drivers linker section (hal/<arch>/kernel.ld), looked up by
 * virtio device ID [virtio-v1.2 §5] for any transport. */
#include "virtio.h"

extern const struct virtio_driver __virtio_drivers_start[], __virtio_drivers_end[];

const struct virtio_driver *virtio_find_driver(uint32_t device_id)
{
	for (const struct virtio_driver *d = __virtio_drivers_start; d < __virtio_drivers_end;
	     d++) {
		for (const uint32_t *id = d->ids; id && *id; id++) {
			if (*id == device_id)
				return d;
		}
	}
	return NULL;
}
