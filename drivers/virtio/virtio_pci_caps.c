/* The virtio-pci capability parser (virtio_pci_caps.h) [virtio-v1.2
 * §4.1.4]. Every byte read here came from the device: nothing is trusted
 * before it is checked against the BAR sizes the PCI code measured.
 */
#include <kernel/errno.h>

#include "virtio_pci_caps.h"

#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAPABILITY_LIST 0x34
#define PCI_CAP_ID_VNDR 0x09
#define CAP_MAX 48 /* (256 - 64) / 4 capabilities at most */

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Check the capability at pos (need_len bytes of cap_len, a structure of
 * at least min_length bytes) and record it in *r. 0; 1: in an I/O BAR,
 * skipped (a later one of the type may be usable: QEMU's
 * modern-pio-notify adds such a notify capability); -1 with *why: the
 * device lies. */
static int take(const struct virtio_pci_cfg_view *v, unsigned pos, unsigned need_len,
		uint32_t min_length, struct virtio_pci_region *r, const char **why)
{
	const uint8_t *c = v->cfg + pos;
	uint8_t bar;
	uint32_t offset, length;

	if (c[2] < need_len || pos + need_len > 256) {
		*why = "capability shorter than its structure (cap_len)";
		return -1;
	}
	bar = c[4];
	offset = le32_at(c + 8);
	length = le32_at(c + 12);
	if (bar > 5 || v->bar_size[bar] == 0) {
		*why = "capability names a BAR that does not exist or is not assigned";
		return -1;
	}
	if (!v->bar_mem[bar])
		return 1;
	if (length < min_length) {
		*why = "structure shorter than its fields (length)";
		return -1;
	}
	if ((uint64_t)offset + length > v->bar_size[bar]) {
		*why = "structure runs past the end of its BAR (offset + length)";
		return -1;
	}
	r->bar = bar;
	r->offset = offset;
	r->length = length;
	r->present = true;
	return 0;
}

int virtio_pci_parse_caps(const struct virtio_pci_cfg_view *v, struct virtio_pci_layout *out,
			  const char **why)
{
	const uint8_t *cfg = v->cfg;
	unsigned pos;

	*out = (struct virtio_pci_layout){ 0 };
	*why = "no virtio capabilities (a legacy-only device)";
	if (!((cfg[PCI_STATUS] | cfg[PCI_STATUS + 1] << 8) & PCI_STATUS_CAP_LIST))
		return -EINVAL;
	pos = cfg[PCI_CAPABILITY_LIST];
	for (int n = 0; n < CAP_MAX; n++) {
		const uint8_t *c;
		struct virtio_pci_region *r = NULL;
		unsigned need = VIRTIO_PCI_CAP_LEN;
		uint32_t min = 0;

		pos &= ~3u; /* the low two bits are reserved [PCI 3.0 §6.7] */
		if (pos < 0x40 || pos > 0xfc)
			break;
		c = cfg + pos;
		if (c[0] == PCI_CAP_ID_VNDR) {
			switch (c[3]) {
			case VIRTIO_PCI_CAP_COMMON_CFG:
				r = &out->common;
				min = VIRTIO_PCI_COMMON_CFG_MIN;
				break;
			case VIRTIO_PCI_CAP_NOTIFY_CFG:
				r = &out->notify;
				need = VIRTIO_PCI_NOTIFY_CAP_LEN;
				min = 2;
				break;
			case VIRTIO_PCI_CAP_ISR_CFG:
				r = &out->isr;
				min = 1;
				break;
			case VIRTIO_PCI_CAP_DEVICE_CFG: r = &out->device; break;
			default: break; /* PCI-cfg access, shared memory, future types */
			}
		}
		if (r && !r->present) {
			int t = take(v, pos, need, min, r, why);

			if (t < 0)
				return -EINVAL;
			if (t == 0 && r == &out->notify) {
				uint32_t m = le32_at(c + 16);

				/* "an even power of 2, or 0" [§4.1.4.4] */
				if (m == 1 || (m & (m - 1))) {
					*why = "notify_off_multiplier is not 0 or an even power of 2";
					return -EINVAL;
				}
				out->notify_off_multiplier = m;
			}
		}
		pos = c[1];
	}
	if (!out->common.present || !out->notify.present || !out->isr.present) {
		*why = out->common.present || out->notify.present || out->isr.present ?
			       "common, notify or ISR capability missing" :
			       "no virtio capabilities (a legacy-only device)";
		return -EINVAL;
	}
	return 0;
}

int virtio_pci_notify_offset(const struct virtio_pci_layout *l, uint16_t queue_notify_off,
			     uint64_t *off)
{
	uint64_t rel = (uint64_t)queue_notify_off * l->notify_off_multiplier;

	if (!l->notify.present || l->notify.length < 2 || rel > l->notify.length - 2)
		return -EINVAL;
	*off = l->notify.offset + rel;
	return 0;
}
