/* The virtio-pci capability parser [virtio-v1.2 §4.1.4 "Virtio Structure
 * PCI Capabilities"]: where the common, notify, ISR and device
 * configuration structures lie, checked against the BARs before anything
 * is mapped. Pure logic over a copy of configuration space, also built for
 * the host (//tests:virtqueue_test). Private to drivers/virtio/.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_PCI_CAPS_H
#define DRIVERS_VIRTIO_VIRTIO_PCI_CAPS_H
#include <hal/types.h>

/* cfg_type values [§4.1.4]. */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4

/* struct virtio_pci_cap [§4.1.4]: cap_vndr (0x09), cap_next, cap_len,
 * cfg_type, bar, id, padding[2], offset (le32), length (le32); the notify
 * capability adds notify_off_multiplier (le32) at 16. */
#define VIRTIO_PCI_CAP_LEN 16
#define VIRTIO_PCI_NOTIFY_CAP_LEN 20

/* The common configuration structure's size in virtio 1.0/1.1 (up to
 * queue_device, §4.1.4.3): what the transport touches. */
#define VIRTIO_PCI_COMMON_CFG_MIN 0x38

/* One structure: bar, byte offset and length within it. */
struct virtio_pci_region {
	uint8_t bar;
	uint32_t offset, length;
	bool present;
};

struct virtio_pci_layout {
	struct virtio_pci_region common, notify, isr, device;
	uint32_t notify_off_multiplier;
};

/* What the parser needs of the function: its first 256 configuration
 * bytes, and for each BAR its size in bytes (0: absent or unassigned) and
 * whether it is a memory BAR. */
struct virtio_pci_cfg_view {
	const uint8_t *cfg; /* 256 bytes */
	uint64_t bar_size[6];
	bool bar_mem[6];
};

/* Walk the capability list (pointer at 0x34 when Status bit 4 is set),
 * take the first usable vendor capability of each type [§4.1.4: "the
 * driver SHOULD use the first one"], and check it: cap_len covers the
 * structure, bar 0-5 is an assigned BAR (one in an I/O BAR is skipped:
 * only memory BARs are used),
 * offset + length within the BAR without overflow, lengths at least what
 * the transport accesses (common 0x38, notify 2, ISR 1), the notify
 * multiplier 0 or an even power of 2 [§4.1.4.4]. A capability of
 * a known type that fails a check is an error (the device lies); unknown
 * types and the PCI-cfg access capability are skipped. Common, notify and
 * ISR are required; device is optional (virtio-rng has none).
 * 0, or -EINVAL with a reason in why (a static string). */
int virtio_pci_parse_caps(const struct virtio_pci_cfg_view *v, struct virtio_pci_layout *out,
			  const char **why);

/* The notify address of a queue [§4.1.4.4]: notify.offset +
 * queue_notify_off * notify_off_multiplier, which must leave 2 bytes
 * inside the notify structure. 0 and the BAR offset in *off, or -EINVAL. */
int virtio_pci_notify_offset(const struct virtio_pci_layout *l, uint16_t queue_notify_off,
			     uint64_t *off);

#endif
