/* Split virtqueue ring layout and the checks on what a device writes into
 * the used ring [virtio-v1.2 §2.7 "Split Virtqueues"]. Pure logic, no
 * device access: the kernel's virtqueue.c uses it and tests/host/
 * vring_test.c runs it on the host.
 *
 * In memory (little-endian, both supported arches are):
 *   desc[num]   16 bytes each, 16-byte aligned   [§2.7.5]
 *   avail       flags, idx, ring[num], used_event; 2-byte aligned [§2.7.6]
 *   used        flags, idx, ring[num] of {id, len}, avail_event; 4-byte aligned [§2.7.8]
 */
#ifndef DRIVERS_VIRTIO_VRING_H
#define DRIVERS_VIRTIO_VRING_H
#include <hal/types.h>

#define VRING_MAX_NUM 32768u /* [§2.7] Queue Size at most 32768 */

/* struct virtq_desc [§2.7.5] */
struct vring_desc {
	uint64_t addr; /* guest physical, bytes */
	uint32_t len;  /* bytes */
	uint16_t flags;
	uint16_t next;
};
#define VRING_DESC_F_NEXT 1u  /* the chain continues in .next */
#define VRING_DESC_F_WRITE 2u /* device writes (otherwise reads) the buffer */

/* struct virtq_used_elem [§2.7.8] */
struct vring_used_elem {
	uint32_t id;  /* head of the descriptor chain */
	uint32_t len; /* bytes the device wrote into the chain's buffers */
};

#define VRING_AVAIL_F_NO_INTERRUPT 1u /* [§2.7.7] */
#define VRING_USED_F_NO_NOTIFY 1u     /* [§2.7.10] */

/* Byte offsets of the three parts inside one contiguous area. */
struct vring_layout {
	unsigned num;	  /* Queue Size: entries in each ring */
	size_t desc_off;  /* desc table */
	size_t avail_off; /* avail ring (its flags field) */
	size_t used_off;  /* used ring (its flags field) */
	size_t size;	  /* bytes the whole area spans */
};

/* Offsets of fields, given a layout. */
#define VRING_AVAIL_IDX(l) ((l)->avail_off + 2)
#define VRING_AVAIL_RING(l, i) ((l)->avail_off + 4 + 2 * (size_t)(i))
#define VRING_USED_FLAGS(l) ((l)->used_off)
#define VRING_USED_IDX(l) ((l)->used_off + 2)
#define VRING_USED_RING(l, i) ((l)->used_off + 4 + 8 * (size_t)(i))

/* Lay out a split virtqueue of num entries in at most max_bytes. num must
 * be a power of two in [1, VRING_MAX_NUM] [§2.7]. 0, or -EINVAL (bad num)
 * or -E2BIG (does not fit). */
int vring_layout_init(unsigned num, size_t max_bytes, struct vring_layout *l);

/* The largest power of two <= min(device_max, want); 0 if device_max is 0
 * (the queue does not exist [virtio-v1.2 §4.2.3.2]). */
unsigned vring_pick_num(uint32_t device_max, unsigned want);

/* The driver's record of one descriptor while the device owns it. */
struct vring_desc_state {
	void *token;	   /* caller's cookie; non-NULL marks an in-flight head */
	uint32_t in_bytes; /* head only: bytes the device may write in the chain */
	uint16_t ndescs;   /* head only: descriptors in the chain */
};

/* How many new used entries the device published: used_idx - last_used,
 * modulo 2^16 [§2.7.8]. More than num is impossible for a sane device:
 * -EIO, *why set. */
int vring_used_pending(unsigned num, uint16_t used_idx, uint16_t last_used, const char **why);

/* Validate one used-ring entry against the driver's records: id must be
 * below num and name the head of a chain the driver made available and
 * has not got back yet; len must not exceed the bytes the chain lets the
 * device write [§2.7.8.1]. 0, or -EIO with *why set (a static string). */
int vring_used_check(unsigned num, const struct vring_desc_state *state,
		     const struct vring_used_elem *e, const char **why);

#endif
