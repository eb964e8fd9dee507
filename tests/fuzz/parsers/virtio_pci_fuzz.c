/* libFuzzer harness: the virtio-pci capability parser
 * (drivers/virtio/virtio_pci_caps.c) [virtio-v1.2 §4.1.4]. Input: 256 bytes
 * of configuration space (zero-padded), then one byte per BAR 0-5: bit 7
 * memory (else I/O), bits 0-5 log2 of its size (63: absent), then 2-byte
 * queue_notify_off values. Invariants: an accepted layout has common,
 * notify and ISR; every structure lies in a memory BAR, inside it; every
 * notify offset the parser grants leaves 2 bytes in the notify area.
 * Built and run by tools/fuzz-parsers.sh (docs/reliability.md "Parser
 * fuzzers").
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/virtio/virtio_pci_caps.h"

static void check_region(const struct virtio_pci_cfg_view *v, const struct virtio_pci_region *r)
{
	if (!r->present)
		return;
	if (r->bar > 5 || !v->bar_mem[r->bar] ||
	    (uint64_t)r->offset + r->length > v->bar_size[r->bar])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t cfg[256] = { 0 };
	struct virtio_pci_cfg_view v = { .cfg = cfg };
	struct virtio_pci_layout l;
	const char *why = NULL;
	size_t pos = 256;

	memcpy(cfg, data, size < 256 ? size : 256);
	for (int i = 0; i < 6; i++, pos++) {
		uint8_t b = pos < size ? data[pos] : 0x8e; /* 16 KiB memory */

		v.bar_mem[i] = b & 0x80;
		v.bar_size[i] = (b & 0x3f) == 63 ? 0 : (uint64_t)1 << (b & 0x3f);
	}
	if (virtio_pci_parse_caps(&v, &l, &why)) {
		if (!why || !*why)
			abort();
		return 0;
	}
	if (!l.common.present || !l.notify.present || !l.isr.present)
		abort();
	check_region(&v, &l.common);
	check_region(&v, &l.notify);
	check_region(&v, &l.isr);
	check_region(&v, &l.device);
	if (l.common.length < VIRTIO_PCI_COMMON_CFG_MIN || l.notify.length < 2 || l.isr.length < 1)
		abort();
	for (; pos + 2 <= size; pos += 2) {
		uint64_t off;
		uint16_t q = (uint16_t)(data[pos] | data[pos + 1] << 8);

		if (virtio_pci_notify_offset(&l, q, &off) == 0 &&
		    (off < l.notify.offset || off + 2 > (uint64_t)l.notify.offset + l.notify.length))
			abort();
	}
	return 0;
}
