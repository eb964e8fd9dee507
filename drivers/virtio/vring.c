/* Split virtqueue layout and used-ring validation [virtio-v1.2 §2.7].
 * A device is outside the kernel's trust: every id and length it writes
 * into the used ring is checked here before the driver acts on it. */
#include <kernel/errno.h>

#include "vring.h"

_Static_assert(sizeof(struct vring_desc) == 16, "virtq_desc is 16 bytes [§2.7.5]");
_Static_assert(sizeof(struct vring_used_elem) == 8, "virtq_used_elem is 8 bytes [§2.7.8]");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "virtio 1.x rings are little-endian; a big-endian arch needs conversions");

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int vring_layout_init(unsigned num, size_t max_bytes, struct vring_layout *l)
{
	if (num == 0 || num > VRING_MAX_NUM || (num & (num - 1)))
		return -EINVAL;
	l->num = num;
	l->desc_off = 0;
	/* [§2.7, table "Virtqueue Part Alignment"]: desc 16, avail 2, used 4. */
	l->avail_off = 16 * (size_t)num;
	l->used_off = align_up(l->avail_off + 6 + 2 * (size_t)num, 4);
	l->size = l->used_off + 6 + 8 * (size_t)num;
	return l->size <= max_bytes ? 0 : -E2BIG;
}

unsigned vring_pick_num(uint32_t device_max, unsigned want)
{
	uint32_t lim = device_max < want ? device_max : want;
	unsigned num = 1;

	if (lim == 0)
		return 0;
	if (lim > VRING_MAX_NUM)
		lim = VRING_MAX_NUM;
	while (num * 2 <= lim)
		num *= 2;
	return num;
}

int vring_used_pending(unsigned num, uint16_t used_idx, uint16_t last_used, const char **why)
{
	unsigned n = (uint16_t)(used_idx - last_used);

	if (n > num) {
		*why = "used index moved by more than the queue size";
		return -EIO;
	}
	return (int)n;
}

int vring_used_check(unsigned num, const struct vring_desc_state *state,
		     const struct vring_used_elem *e, const char **why)
{
	if (e->id >= num) {
		*why = "used entry id out of range";
		return -EIO;
	}
	if (!state[e->id].token) {
		*why = "used entry id is not a buffer the driver made available";
		return -EIO;
	}
	if (e->len > state[e->id].in_bytes) {
		*why = "used entry length exceeds the device-writable buffer";
		return -EIO;
	}
	return 0;
}
