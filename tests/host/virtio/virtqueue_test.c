/* Host test of drivers/virtio: split virtqueues (virtqueue.c, vring.c) and
 * the init sequence (virtio_core.c) against a simulated device that plays
 * the device's side of the rings and can answer with malformed used
 * entries [virtio-v1.2 §2.7.8]. Every bad answer must give the device up
 * (FAILED status, console line, -EIO) and never crash or corrupt memory
 * (built with ASan and UBSan).
 *
 * Stand-ins for the kernel: frames are page-aligned heap blocks whose
 * address is the "physical" address; kmalloc is malloc; printk prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/virtio/virtqueue.h"

#include "tests/host/check.h"

/* ---- kernel stand-ins -------------------------------------------------- */

static char last_log[512];
static int nframes;

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	printf("  printk: %s", last_log);
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
	nframes++;
	return (paddr_t)(uintptr_t)p;
}

/* Page allocation for drivers (<kernel/cap.h>): tokens are not checked here. */
int svc_page_alloc(cap_page_alloc_t cap, unsigned order, paddr_t *pa)
{
	(void)cap;
	*pa = frame_alloc(order);
	return *pa ? 0 : -ENOMEM;
}

void frame_free(paddr_t pa, unsigned order)
{
	(void)order;
	nframes--;
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

/* ---- the simulated device ---------------------------------------------- */

struct fake {
	uint8_t status;
	uint64_t features;    /* offered */
	uint64_t driver_features;
	uint32_t queue_max;
	bool refuse_features; /* clears FEATURES_OK when the driver sets it */
	paddr_t desc, avail, used;
	unsigned num, notifies;
	uint16_t seen_avail;  /* avail entries consumed */
	uint16_t used_idx;
};

static struct fake *F(struct virtio_device *v) { return v->transport; }
static uint8_t f_get_status(struct virtio_device *v) { return F(v)->status; }
static void f_set_status(struct virtio_device *v, uint8_t s)
{
	if (F(v)->refuse_features)
		s &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	F(v)->status = s;
}
static int f_reset(struct virtio_device *v) { F(v)->status = 0; return 0; }
static uint64_t f_get_features(struct virtio_device *v) { return F(v)->features; }
static void f_set_features(struct virtio_device *v, uint64_t f) { F(v)->driver_features = f; }
static uint32_t f_queue_max(struct virtio_device *v, unsigned idx) { return idx ? 0 : F(v)->queue_max; }
static int f_queue_enable(struct virtio_device *v, unsigned idx, unsigned num, paddr_t d, paddr_t a,
			  paddr_t u)
{
	F(v)->num = num;
	F(v)->desc = d;
	F(v)->avail = a;
	F(v)->used = u;
	return 0;
}
static void f_notify(struct virtio_device *v, unsigned idx) { F(v)->notifies++; }

static const struct virtio_transport_ops fake_ops = {
	f_get_status, f_set_status, f_reset, f_get_features, f_set_features,
	f_queue_max, f_queue_enable, f_notify,
};

/* The device takes the next avail head; returns its chain's first desc. */
static uint16_t dev_pop(struct fake *f, struct vring_desc *d)
{
	uint16_t head;

	frame_read(f->avail, 4 + 2 * (size_t)(f->seen_avail % f->num), &head, 2);
	f->seen_avail++;
	frame_read(f->desc, 16 * (size_t)head, d, sizeof(*d));
	return head;
}

/* The device publishes a used entry (any values: this is the attack). */
static void dev_push(struct fake *f, uint32_t id, uint32_t len)
{
	struct vring_used_elem e = { id, len };

	frame_write(f->used, 4 + 8 * (size_t)(f->used_idx % f->num), &e, sizeof(e));
	f->used_idx++;
	frame_write16(f->used, 2, f->used_idx);
}

/* ---- the driver side ----------------------------------------------------- */

static int probe_calls, probe_result, remove_calls;
static struct virtqueue *probe_vq;
static const uint32_t test_ids[] = {VIRTIO_ID_ENTROPY, 0};

static int test_probe(struct virtio_device *vdev)
{
	probe_calls++;
	if (probe_result)
		return probe_result;
	return virtqueue_create(vdev, 0, 8, NULL, &probe_vq);
}

static void test_remove(struct virtio_device *vdev) { remove_calls++; }

static const struct virtio_driver test_driver = {
	"test", test_ids, 0, test_probe, test_remove,
};

const struct virtio_driver *virtio_find_driver(uint32_t id)
{
	return id == VIRTIO_ID_ENTROPY ? &test_driver : NULL;
}

static void setup(struct fake *f, struct virtio_device *v, uint32_t qmax)
{
	memset(f, 0, sizeof(*f));
	memset(v, 0, sizeof(*v));
	f->queue_max = qmax;
	f->features = (1ull << VIRTIO_F_VERSION_1) | (1ull << 28);
	v->ops = &fake_ops;
	v->transport = f;
	v->bus_name = "fake@0";
	v->device_id = VIRTIO_ID_ENTROPY;
	strcpy(v->name, "virtio9");
}

static void test_layout(void)
{
	struct vring_layout l;

	CHECK(vring_layout_init(0, 4096, &l) == -EINVAL, "num 0");
	CHECK(vring_layout_init(3, 4096, &l) == -EINVAL, "num 3 is not a power of two");
	CHECK(vring_layout_init(65536, 1u << 30, &l) == -EINVAL, "num above 32768");
	CHECK(vring_layout_init(256, 4096, &l) == -E2BIG, "256 entries need more than a page");
	CHECK(vring_layout_init(128, 4096, &l) == 0 && l.size <= 4096, "128 fits");
	CHECK(vring_layout_init(8, 4096, &l) == 0 && l.avail_off == 128 && l.used_off == 152 &&
		      l.size == 222, "8: avail %zu used %zu size %zu", l.avail_off, l.used_off, l.size);
	CHECK(l.used_off % 4 == 0 && l.avail_off % 2 == 0, "alignment");
	CHECK(vring_pick_num(0, 8) == 0, "max 0 -> no queue");
	CHECK(vring_pick_num(1024, 8) == 8, "capped by want");
	CHECK(vring_pick_num(6, 8) == 4, "rounded down to a power of two");
	CHECK(vring_pick_num(0xffffffffu, 1u << 20) == VRING_MAX_NUM, "capped at 32768");
}

/* A well-behaved device, through many 16-bit index wraps, with chains. */
static void test_good_device(void)
{
	struct fake f;
	struct virtio_device v;
	struct virtqueue *vq;
	paddr_t buf = frame_alloc(0);
	int err, tok[3];
	uint32_t len;

	setup(&f, &v, 8);
	CHECK(virtqueue_create(&v, 0, 64, NULL, &vq) == 0, "create");
	CHECK(f.num == 8 && vq->layout.num == 8, "num %u", f.num);
	for (unsigned round = 0; round < 70000; round++) {
		struct virtqueue_buf b[2] = {
			{ buf, 16, false },
			{ buf + 64, 64, true },
		};
		struct vring_desc d;
		uint16_t head;

		CHECK(virtqueue_add(vq, b, 2, &tok[round % 3]) == 0, "add %u", round);
		virtqueue_kick(vq);
		head = dev_pop(&f, &d);
		if (round == 0) {
			CHECK(d.len == 16 && (d.flags & VRING_DESC_F_NEXT) &&
				      !(d.flags & VRING_DESC_F_WRITE), "first desc flags %x", d.flags);
			frame_read(f.desc, 16 * (size_t)d.next, &d, sizeof(d));
			CHECK(d.len == 64 && d.flags == VRING_DESC_F_WRITE, "second desc %x", d.flags);
		}
		CHECK(virtqueue_get_buf(vq, &len, &err) == NULL && err == 0, "nothing used yet");
		dev_push(&f, head, 64);
		CHECK(virtqueue_get_buf(vq, &len, &err) == &tok[round % 3] && len == 64 && err == 0,
		      "round %u: len %u err %d", round, len, err);
		if (failures > 10)
			break;
	}
	CHECK(vq->num_free == 8, "all descriptors back: %u", vq->num_free);
	CHECK(f.notifies == 70000, "notifies %u", f.notifies);
	/* Device-writable buffers must come after the readable ones. */
	struct virtqueue_buf wrong[2] = { { buf, 1, true }, { buf, 1, false } };
	CHECK(virtqueue_add(vq, wrong, 2, &tok[0]) == -EINVAL, "writable before readable");
	CHECK(virtqueue_add(vq, wrong, 1, NULL) == -EINVAL, "NULL token");
	/* The ring is full after 4 two-buffer chains. */
	for (int i = 0; i < 4; i++) {
		struct virtqueue_buf b[2] = { { buf, 1, false }, { buf, 1, true } };
		CHECK(virtqueue_add(vq, b, 2, &tok[0]) == 0, "fill %d", i);
	}
	struct virtqueue_buf one = { buf, 1, true };
	CHECK(virtqueue_add(vq, &one, 1, &tok[0]) == -ENOSPC, "full");
	CHECK(!v.failed, "a good device is not failed");
	virtqueue_destroy(vq);
	frame_free(buf, 0);
}

/* One malformed used entry; the device must be given up. */
static void bad_case(const char *name, int kind)
{
	struct fake f;
	struct virtio_device v;
	struct virtqueue *vq;
	paddr_t buf = frame_alloc(0);
	struct virtqueue_buf b = { buf, 64, true };
	struct vring_desc d;
	uint32_t len = 12345;
	int err, tok;
	uint16_t head;

	printf("case %s\n", name);
	setup(&f, &v, 8);
	CHECK(virtqueue_create(&v, 0, 8, NULL, &vq) == 0, "%s: create", name);
	CHECK(virtqueue_add(vq, &b, 1, &tok) == 0, "%s: add", name);
	virtqueue_kick(vq);
	head = dev_pop(&f, &d);
	switch (kind) {
	case 0: dev_push(&f, 8, 0); break;              /* id == num */
	case 1: dev_push(&f, 0xffffffffu, 0); break;    /* id far out */
	case 2: dev_push(&f, head, 65); break;          /* longer than the buffer */
	case 3: dev_push(&f, (head + 3) % 8, 0); break; /* valid index, not in flight */
	case 4: f.used_idx = 100; dev_push(&f, head, 1); break; /* idx jumps by > num */
	case 5: dev_push(&f, head, 0xffffffffu); break;
	}
	CHECK(virtqueue_get_buf(vq, &len, &err) == NULL && err == -EIO, "%s: err %d", name, err);
	CHECK(len == 12345, "%s: len untouched", name);
	CHECK(v.failed && vq->broken, "%s: device failed", name);
	CHECK(f.status & VIRTIO_STATUS_FAILED, "%s: FAILED status 0x%x", name, f.status);
	CHECK(strstr(last_log, "device not used") && strstr(last_log, "virtio9"), "%s: log '%s'",
	      name, last_log);
	CHECK(virtqueue_add(vq, &b, 1, &tok) == -EIO, "%s: no more use", name);
	CHECK(virtqueue_get_buf(vq, &len, &err) == NULL && err == -EIO, "%s: stays broken", name);
	virtqueue_destroy(vq);
	frame_free(buf, 0);
}

static void test_init_sequence(void)
{
	struct fake f;
	struct virtio_device v;

	/* A good device: ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK, VERSION_1
	 * negotiated, the unknown bit 28 not accepted. */
	setup(&f, &v, 8);
	probe_result = 0;
	CHECK(virtio_register_device(&v) == 0, "register");
	CHECK(f.status == (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK), "status 0x%x", f.status);
	CHECK(f.driver_features == 1ull << VIRTIO_F_VERSION_1, "features %llx",
	      (unsigned long long)f.driver_features);
	virtqueue_destroy(probe_vq);

	/* No VERSION_1 (a legacy-only device): FAILED. */
	setup(&f, &v, 8);
	f.features = 1ull << 28;
	CHECK(virtio_register_device(&v) == -EIO && (f.status & VIRTIO_STATUS_FAILED), "legacy");

	/* FEATURES_OK refused. */
	setup(&f, &v, 8);
	f.refuse_features = true;
	CHECK(virtio_register_device(&v) == -EIO && (f.status & VIRTIO_STATUS_FAILED), "refused");

	/* Queue size 0: the probe fails, the device is reset and FAILED. */
	setup(&f, &v, 0);
	remove_calls = 0;
	CHECK(virtio_register_device(&v) == -ENOENT, "queue size 0");
	CHECK(f.status == VIRTIO_STATUS_FAILED && v.failed && remove_calls == 1,
	      "status 0x%x remove %d", f.status, remove_calls);

	/* An ID without a driver. */
	setup(&f, &v, 8);
	v.device_id = 42;
	CHECK(virtio_register_device(&v) == -ENODEV && strstr(last_log, "device ID 42, no driver"),
	      "no driver: '%s'", last_log);
}

int main(void)
{
	test_layout();
	test_good_device();
	bad_case("id_equals_num", 0);
	bad_case("id_huge", 1);
	bad_case("len_too_long", 2);
	bad_case("id_not_in_flight", 3);
	bad_case("idx_jump", 4);
	bad_case("len_huge", 5);
	test_init_sequence();
	CHECK(nframes == 0, "frames leaked: %d", nframes);
	printf("virtqueue_test: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
