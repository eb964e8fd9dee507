/* Host test of drivers/virtio/virtio_net.c [virtio-v1.2 §5.1] against a
 * simulated device: probe (MAC and link status from the configuration space,
 * receive buffers posted as header + frame chains), frames both ways through
 * the rings, and a malicious device on the receive path (a used length
 * shorter than the header, an id not in flight, a length past the buffer, a
 * runt frame) which must be reported and, for protocol violations, given up
 * (FAILED, -EIO from then on) without touching memory it should not (ASan,
 * UBSan).
 *
 * Stand-ins for the kernel as in virtqueue_test.c, plus the core's
 * register_netdev()/netdev_rx_schedule().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/virtio/virtqueue.h"
#include <hal/cpu.h>
#include <kernel/netdevice.h>

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
irqflags_t hal_irq_save(void) { return 0; }
void hal_irq_restore(irqflags_t f) { (void)f; }
void hal_cpu_relax(void) {}

void get_random_bytes(void *buf, size_t len)
{
	memset(buf, 0xab, len);
}

static struct net_device *registered;
static int rx_scheduled;

int register_netdev(struct net_device *dev)
{
	registered = dev;
	snprintf(dev->name, sizeof(dev->name), "eth0");
	return 0;
}

void netdev_rx_schedule(struct net_device *dev)
{
	(void)dev;
	rx_scheduled++;
}

/* virtio_drivers.c's table is a linker section; here, only virtio-net. */
/* The driver itself, compiled into this test (its table entry is static). */
#include "drivers/virtio/virtio_net.c"
const struct virtio_driver *virtio_find_driver(uint32_t id)
{
	return id == VIRTIO_ID_NET ? &__virtio_driver_virtio_net : NULL;
}

/* ---- the simulated device ---------------------------------------------- */

struct fq {
	paddr_t desc, avail, used;
	unsigned num;
	uint16_t seen_avail, used_idx;
};

struct fake {
	uint8_t status;
	uint64_t features, driver_features;
	struct fq q[2];
	uint8_t config[8]; /* mac[6], status le16 */
	unsigned notifies;
};

static struct fake *F(struct virtio_device *v) { return v->transport; }
static uint8_t f_get_status(struct virtio_device *v) { return F(v)->status; }
static void f_set_status(struct virtio_device *v, uint8_t s) { F(v)->status = s; }
static int f_reset(struct virtio_device *v) { F(v)->status = 0; return 0; }
static uint64_t f_get_features(struct virtio_device *v) { return F(v)->features; }
static void f_set_features(struct virtio_device *v, uint64_t f) { F(v)->driver_features = f; }
static uint32_t f_queue_max(struct virtio_device *v, unsigned idx) { return idx < 2 ? 256 : 0; }
static int f_queue_enable(struct virtio_device *v, unsigned idx, unsigned num, paddr_t d, paddr_t a,
			  paddr_t u)
{
	struct fq *q = &F(v)->q[idx];

	q->num = num;
	q->desc = d;
	q->avail = a;
	q->used = u;
	return 0;
}
static void f_notify(struct virtio_device *v, unsigned idx) { F(v)->notifies++; }
static int f_read_config(struct virtio_device *v, unsigned off, unsigned len, uint64_t *out)
{
	if (off + len > sizeof(F(v)->config))
		return -EINVAL;
	*out = 0;
	memcpy(out, F(v)->config + off, len);
	return 0;
}

static const struct virtio_transport_ops fake_ops = {
	f_get_status, f_set_status, f_reset, f_get_features, f_set_features,
	f_queue_max, f_queue_enable, f_notify, f_read_config,
};

static unsigned avail_pending(struct fq *q)
{
	return (uint16_t)(frame_read16(q->avail, 2) - q->seen_avail);
}

/* The device takes the next avail chain: its head and two descriptors. */
static uint16_t dev_pop(struct fq *q, struct vring_desc d[2])
{
	uint16_t head;

	frame_read(q->avail, 4 + 2 * (size_t)(q->seen_avail % q->num), &head, 2);
	q->seen_avail++;
	frame_read(q->desc, 16 * (size_t)head, &d[0], sizeof(d[0]));
	frame_read(q->desc, 16 * (size_t)d[0].next, &d[1], sizeof(d[1]));
	return head;
}

static void dev_push(struct fq *q, uint32_t id, uint32_t len)
{
	struct vring_used_elem e = { id, len };

	frame_write(q->used, 4 + 8 * (size_t)(q->used_idx % q->num), &e, sizeof(e));
	q->used_idx++;
	frame_write16(q->used, 2, q->used_idx);
}

/* The device receives a frame of len bytes (filled with byte) into the
 * next receive chain and reports used_len (the attack when it lies). */
static void dev_receive(struct fake *f, unsigned hdr_len, size_t len, uint8_t byte,
			uint32_t used_len)
{
	struct vring_desc d[2];
	uint8_t buf[2048];
	uint16_t head = dev_pop(&f->q[0], d);

	CHECK((d[0].flags & VRING_DESC_F_WRITE) && (d[1].flags & VRING_DESC_F_WRITE) &&
		      d[0].len == hdr_len && d[1].len >= 1526,
	      "receive chain: hdr %u flags %x, buffer %u", d[0].len, d[0].flags, d[1].len);
	memset(buf, 0, hdr_len);
	frame_write(d[0].addr, 0, buf, hdr_len);
	memset(buf, byte, sizeof(buf));
	if (len <= d[1].len)
		frame_write(d[1].addr, 0, buf, len);
	dev_push(&f->q[0], head, used_len);
}

static void setup(struct fake *f, struct virtio_device *v, uint64_t features, bool legacy)
{
	memset(f, 0, sizeof(*f));
	memset(v, 0, sizeof(*v));
	f->features = features | (legacy ? 0 : 1ull << VIRTIO_F_VERSION_1);
	memcpy(f->config, "\x52\x54\x00\x12\x34\x56\x01\x00", 8);
	v->ops = &fake_ops;
	v->transport = f;
	v->bus_name = "fake@0";
	v->device_id = VIRTIO_ID_NET;
	v->legacy = legacy;
	strcpy(v->name, "virtio7");
	registered = NULL;
}

#define F_MAC (1ull << 5)
#define F_STATUS (1ull << 16)

static void teardown(struct virtio_device *v)
{
	const struct virtio_driver *drv = virtio_find_driver(VIRTIO_ID_NET);

	for (unsigned i = 0; i < VIRTIO_MAX_VQS; i++)
		if (v->vqs[i])
			virtqueue_destroy(v->vqs[i]);
	drv->remove(v);
}

static void test_probe_and_frames(bool legacy)
{
	unsigned hdr = legacy ? 10 : 12;
	struct fake f;
	struct virtio_device v;
	struct net_device *nd;
	uint8_t frame[ETH_FRAME_MAX], got[ETH_FRAME_MAX];
	struct vring_desc d[2];
	int r;

	printf("case probe_and_frames%s\n", legacy ? " (legacy)" : "");
	setup(&f, &v, F_MAC | F_STATUS, legacy);
	CHECK(virtio_register_device(&v) == 0, "register");
	nd = registered;
	CHECK(nd && !memcmp(nd->dev_addr, "\x52\x54\x00\x12\x34\x56", 6), "MAC from config");
	CHECK(f.status & VIRTIO_STATUS_DRIVER_OK, "DRIVER_OK");
	CHECK(f.driver_features & F_STATUS, "STATUS negotiated");
	CHECK(avail_pending(&f.q[0]) == 64, "64 receive chains posted: %u",
	      avail_pending(&f.q[0]));
	CHECK(nd->ops->link_ok(nd), "link up");
	f.config[6] = 0;
	CHECK(!nd->ops->link_ok(nd), "link down");

	/* receive: a 60-byte frame, then nothing */
	CHECK(nd->ops->rx(nd, got, sizeof(got)) == 0, "nothing yet");
	dev_receive(&f, hdr, 60, 0x5a, hdr + 60);
	r = nd->ops->rx(nd, got, sizeof(got));
	CHECK(r == 60 && got[0] == 0x5a && got[59] == 0x5a, "rx %d", r);
	CHECK(avail_pending(&f.q[0]) == 64, "buffer given back: %u", avail_pending(&f.q[0]));
	/* a runt (5 bytes) is dropped, the next frame still arrives */
	dev_receive(&f, hdr, 5, 1, hdr + 5);
	dev_receive(&f, hdr, ETH_FRAME_MAX, 2, hdr + ETH_FRAME_MAX);
	r = nd->ops->rx(nd, got, sizeof(got));
	CHECK(r == ETH_FRAME_MAX && got[ETH_FRAME_MAX - 1] == 2, "runt skipped: %d", r);
	/* an oversized frame (the buffer holds 2032) is dropped as well */
	dev_receive(&f, hdr, 1600, 3, hdr + 1600);
	CHECK(nd->ops->rx(nd, got, sizeof(got)) == 0 && !v.failed, "oversized dropped");

	/* transmit: header (device-readable, zero) + frame */
	memset(frame, 0x77, sizeof(frame));
	CHECK(nd->ops->xmit(nd, frame, 13) == -EINVAL, "too short");
	CHECK(nd->ops->xmit(nd, frame, ETH_FRAME_MAX + 1) == -EINVAL, "too long");
	CHECK(nd->ops->xmit(nd, frame, 100) == 0, "xmit");
	{
		uint16_t head = dev_pop(&f.q[1], d);
		uint8_t b[100];

		CHECK(d[0].len == hdr && !(d[0].flags & VRING_DESC_F_WRITE) && d[1].len == 100 &&
			      !(d[1].flags & VRING_DESC_F_WRITE),
		      "transmit chain %u %u", d[0].len, d[1].len);
		frame_read(d[1].addr, 0, b, 100);
		CHECK(b[0] == 0x77 && b[99] == 0x77, "frame copied");
		dev_push(&f.q[1], head, 0);
	}
	/* the ring fills (the device answers nothing): -ENOBUFS, not a crash */
	for (int i = 0; i < 32; i++)
		CHECK(nd->ops->xmit(nd, frame, 60) == 0, "fill %d", i);
	CHECK(nd->ops->xmit(nd, frame, 60) == -ENOBUFS, "full");
	CHECK(!v.failed, "a good device is not failed");
	teardown(&v);
}

/* A receive length the device should never report. */
static void bad_rx(const char *name, int kind)
{
	struct fake f;
	struct virtio_device v;
	struct net_device *nd;
	uint8_t got[ETH_FRAME_MAX];
	struct vring_desc d[2];
	uint16_t head;
	int r;

	printf("case %s\n", name);
	setup(&f, &v, F_MAC, false);
	CHECK(virtio_register_device(&v) == 0, "%s: register", name);
	nd = registered;
	switch (kind) {
	case 0: dev_receive(&f, 12, 0, 0, 4); break; /* shorter than the header */
	case 1: dev_receive(&f, 12, 0, 0, 0); break; /* nothing at all */
	case 2:					     /* past the chain */
		dev_receive(&f, 12, 0, 0, 12 + 2048);
		break;
	case 3: /* an id not in flight */
		head = dev_pop(&f.q[0], d);
		(void)head;
		for (unsigned i = 0; i < 63; i++)
			dev_pop(&f.q[0], d);
		dev_push(&f.q[0], 1, 60); /* desc 1: inside a chain, never a head */
		break;
	}
	r = nd->ops->rx(nd, got, sizeof(got));
	CHECK(r == -EIO, "%s: rx %d", name, r);
	CHECK(v.failed && (f.status & VIRTIO_STATUS_FAILED), "%s: device failed", name);
	CHECK(strstr(last_log, "device not used") && strstr(last_log, "at fake@0"), "%s: log '%s'",
	      name, last_log);
	CHECK(nd->ops->rx(nd, got, sizeof(got)) == -EIO, "%s: stays failed", name);
	CHECK(nd->ops->xmit(nd, got, 60) == -EIO, "%s: no transmit", name);
	CHECK(!nd->ops->link_ok(nd), "%s: link down", name);
	teardown(&v);
}

static void test_random_mac(void)
{
	struct fake f;
	struct virtio_device v;

	printf("case random_mac\n");
	setup(&f, &v, 0, false);
	CHECK(virtio_register_device(&v) == 0, "register");
	CHECK(registered && (registered->dev_addr[0] & 3) == 2, "locally administered unicast %02x",
	      registered ? registered->dev_addr[0] : 0);
	CHECK(registered->ops->link_ok(registered), "no STATUS feature: link assumed up");
	teardown(&v);
}

int main(void)
{
	test_probe_and_frames(false);
	test_probe_and_frames(true);
	bad_rx("len_below_header", 0);
	bad_rx("len_zero", 1);
	bad_rx("len_past_chain", 2);
	bad_rx("id_not_in_flight", 3);
	test_random_mac();
	CHECK(nframes == 0, "frames leaked: %d", nframes);
	printf("virtio_net_test: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
