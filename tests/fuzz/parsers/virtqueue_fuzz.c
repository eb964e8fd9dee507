/* libFuzzer harness: the virtqueue's handling of what a device writes into
 * the used ring (drivers/virtio/virtqueue.c, vring.c) [virtio-v1.2 §2.7.8,
 * §2.7.14]. The input is a script played by a driver and a hostile
 * simulated device over one queue. Built and run by tools/fuzz-parsers.sh
 * (docs/reliability.md "Parser fuzzers").
 *
 * Script bytes (each step takes an opcode byte, then its operands; an
 * input that runs out simply ends):
 *   0 n       driver: virtqueue_add a chain of 1 + n%3 buffers (the last
 *             one device-writable, of 16..1039 bytes)
 *   1 id len  device: push used entry {id (2 bytes), len (4 bytes)}
 *   2 idx     device: write used->idx (2 bytes) directly
 *   3         driver: virtqueue_get_buf until it returns NULL
 * Invariants: every token returned is one the driver made available and
 * not yet returned, len never exceeds the chain's device-writable bytes,
 * num_free stays within the queue size, and once the driver calls the
 * device broken (-EIO) it stays broken.
 *
 * Stand-ins for the kernel as in tests/host/virtio/virtqueue_test.c:
 * frames are page-aligned heap blocks whose address is the "physical" one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/virtio/virtqueue.h"

void printk(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

void *kzalloc(size_t n) { return calloc(1, n ? n : 1); }
void *kmalloc(size_t n) { return malloc(n ? n : 1); }
void kfree(void *p) { free(p); }

paddr_t frame_alloc(unsigned order)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE << order);

	if (!p)
		return 0;
	memset(p, 0, PAGE_SIZE << order);
	return (paddr_t)(uintptr_t)p;
}

int svc_page_alloc(cap_page_alloc_t cap, unsigned order, paddr_t *pa)
{
	(void)cap;
	*pa = frame_alloc(order);
	return *pa ? 0 : -ENOMEM;
}

void frame_free(paddr_t pa, unsigned order)
{
	(void)order;
	free((void *)(uintptr_t)pa);
}

void frame_read(paddr_t pa, size_t off, void *buf, size_t len)
{
	memcpy(buf, (const char *)(uintptr_t)pa + off, len);
}

void frame_write(paddr_t pa, size_t off, const void *buf, size_t len)
{
	memcpy((char *)(uintptr_t)pa + off, buf, len);
}

uint16_t frame_read16(paddr_t pa, size_t off)
{
	uint16_t v;

	memcpy(&v, (const char *)(uintptr_t)pa + off, 2);
	return v;
}

void frame_write16(paddr_t pa, size_t off, uint16_t v)
{
	memcpy((char *)(uintptr_t)pa + off, &v, 2);
}

void hal_dma_rmb(void) {}
void hal_dma_wmb(void) {}
void hal_mb(void) {}

const struct virtio_driver *virtio_find_driver(uint32_t id)
{
	(void)id;
	return NULL;
}

/* ---- the hostile device ------------------------------------------------ */

struct fake {
	uint8_t status;
	paddr_t desc, avail, used;
	unsigned num;
	uint16_t used_idx;
};

static struct fake *F(struct virtio_device *v) { return v->transport; }
static uint8_t f_get_status(struct virtio_device *v) { return F(v)->status; }
static void f_set_status(struct virtio_device *v, uint8_t s) { F(v)->status = s; }
static int f_reset(struct virtio_device *v) { F(v)->status = 0; return 0; }
static uint64_t f_get_features(struct virtio_device *v) { (void)v; return 1ull << VIRTIO_F_VERSION_1; }
static void f_set_features(struct virtio_device *v, uint64_t f) { (void)v; (void)f; }
static uint32_t f_queue_max(struct virtio_device *v, unsigned idx) { (void)v; return idx ? 0 : 8; }
static int f_queue_enable(struct virtio_device *v, unsigned idx, unsigned num, paddr_t d, paddr_t a,
			  paddr_t u)
{
	(void)idx;
	F(v)->num = num;
	F(v)->desc = d;
	F(v)->avail = a;
	F(v)->used = u;
	return 0;
}
static void f_notify(struct virtio_device *v, unsigned idx) { (void)v; (void)idx; }

static const struct virtio_transport_ops fake_ops = {
	f_get_status, f_set_status, f_reset, f_get_features, f_set_features,
	f_queue_max, f_queue_enable, f_notify,
};

/* ---- the script ------------------------------------------------------------ */

#define NTOK 64

struct tok {
	bool out; /* made available, not yet returned */
	uint32_t in_bytes;
};

static struct tok toks[NTOK];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake f = { 0 };
	struct virtio_device v;
	struct virtqueue *vq;
	paddr_t buf = frame_alloc(0);
	size_t i = 0;
	unsigned next_tok = 0;
	bool broken = false;

	memset(&v, 0, sizeof(v));
	memset(toks, 0, sizeof(toks));
	v.ops = &fake_ops;
	v.transport = &f;
	v.bus_name = "fuzz@0";
	v.device_id = VIRTIO_ID_ENTROPY;
	strcpy(v.name, "virtio0");
	if (virtqueue_create(&v, 0, 8, NULL, &vq) != 0)
		abort();

	while (i < size) {
		uint8_t op = data[i++] & 3;

		if (op == 0 && i < size) {
			unsigned n = 1 + data[i++] % 3;
			struct virtqueue_buf b[3];
			struct tok *t = &toks[next_tok % NTOK];

			if (t->out)
				continue; /* all NTOK tokens in flight: skip */
			for (unsigned k = 0; k < n; k++)
				b[k] = (struct virtqueue_buf){ buf + 64 * k, 16, false };
			b[n - 1].device_writes = true;
			b[n - 1].len = 16 + (unsigned)(next_tok * 97 % 1024);
			int r = virtqueue_add(vq, b, n, t);
			if (r == 0) {
				t->out = true;
				t->in_bytes = b[n - 1].len;
				next_tok++;
				virtqueue_kick(vq);
			} else if (r != -ENOSPC && r != -EIO) {
				abort();
			}
		} else if (op == 1 && size - i >= 6) {
			struct vring_used_elem e;
			uint16_t id;

			memcpy(&id, data + i, 2);
			memcpy(&e.len, data + i + 2, 4);
			i += 6;
			e.id = id;
			frame_write(f.used, 4 + 8 * (size_t)(f.used_idx % f.num), &e, sizeof(e));
			f.used_idx++;
			frame_write16(f.used, 2, f.used_idx);
		} else if (op == 2 && size - i >= 2) {
			memcpy(&f.used_idx, data + i, 2);
			i += 2;
			frame_write16(f.used, 2, f.used_idx);
		} else if (op == 3) {
			for (unsigned k = 0; k < 64; k++) {
				uint32_t len = 0;
				int err;
				struct tok *t = virtqueue_get_buf(vq, &len, &err);

				if (err) {
					if (err != -EIO || t)
						abort();
					broken = true;
					break;
				}
				if (broken)
					abort(); /* a broken queue must stay broken */
				if (!t)
					break;
				if (t < toks || t >= toks + NTOK || !t->out || len > t->in_bytes)
					abort();
				t->out = false;
			}
			if (vq->num_free > vq->layout.num)
				abort();
		}
	}
	virtqueue_destroy(vq);
	frame_free(buf, 0);
	return 0;
}
