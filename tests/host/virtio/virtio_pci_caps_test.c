/* Host test of the virtio-pci capability parser
 * (drivers/virtio/virtio_pci_caps.c) [virtio-v1.2 §4.1.4]: QEMU's layout
 * is accepted with the right regions; a device that lies (a structure
 * outside its BAR, an offset that wraps, a missing or I/O BAR, a short
 * cap_len or structure, a bad notify multiplier, a looping or truncated
 * list, missing structures) is refused with a reason; 50 000 random
 * configuration spaces never crash the parser (ASan/UBSan) and whatever it
 * accepts lies inside its BAR.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/virtio/virtio_pci_caps.h"

#include "tests/host/check.h"

/* Where qemu_layout() puts each capability (the list runs in this order). */
#define MSIX 0xa0
#define COMMON 0x90
#define ISR 0x80
#define DEVICE 0x70
#define NOTIFY 0x58
#define PCICFG 0x40

static uint8_t cfg[256];
static struct virtio_pci_cfg_view view;

static void put32(unsigned off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		cfg[off + i] = (uint8_t)(v >> (8 * i));
}

/* A vendor capability at pos of cfg_type type. */
static void vcap(unsigned pos, unsigned next, unsigned len, unsigned type, unsigned bar,
		 uint32_t offset, uint32_t length)
{
	cfg[pos] = 0x09;
	cfg[pos + 1] = (uint8_t)next;
	cfg[pos + 2] = (uint8_t)len;
	cfg[pos + 3] = (uint8_t)type;
	cfg[pos + 4] = (uint8_t)bar;
	put32(pos + 8, offset);
	put32(pos + 12, length);
}

/* Like QEMU 7.2's virtio-blk-pci: MSI-X first (not ours, skipped), then
 * common, ISR, device, notify (multiplier 4), PCI-cfg access; BAR4 is the
 * 16 KiB 64-bit memory BAR, BAR0 the legacy I/O BAR. */
static void qemu_layout(void)
{
	memset(cfg, 0, sizeof(cfg));
	memset(&view, 0, sizeof(view));
	view.cfg = cfg;
	view.bar_size[0] = 0x80;
	view.bar_mem[0] = false;
	view.bar_size[1] = 0x1000;
	view.bar_mem[1] = true;
	view.bar_size[4] = 0x4000;
	view.bar_mem[4] = true;
	cfg[0x06] = 0x10; /* Status: capabilities list */
	cfg[0x34] = MSIX;
	cfg[MSIX] = 0x11; /* MSI-X */
	cfg[MSIX + 1] = COMMON;
	vcap(COMMON, ISR, 16, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0x0000, 0x1000);
	vcap(ISR, DEVICE, 16, VIRTIO_PCI_CAP_ISR_CFG, 4, 0x1000, 0x1000);
	vcap(DEVICE, NOTIFY, 16, VIRTIO_PCI_CAP_DEVICE_CFG, 4, 0x2000, 0x1000);
	vcap(NOTIFY, PCICFG, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0x3000, 0x1000);
	put32(NOTIFY + 16, 4);
	vcap(PCICFG, 0x00, 20, 5 /* PCI cfg access */, 0, 0, 0);
}

static int parse(struct virtio_pci_layout *l, const char **why)
{
	return virtio_pci_parse_caps(&view, l, why);
}

static void expect_refused(const char *what)
{
	struct virtio_pci_layout l;
	const char *why = NULL;
	int r = parse(&l, &why);

	CHECK(r == -EINVAL, "%s: accepted (%d)", what, r);
	CHECK(why && *why, "%s: no reason", what);
	if (r == -EINVAL && why)
		printf("  %-36s -> %s\n", what, why);
}

static void test_qemu(void)
{
	struct virtio_pci_layout l;
	const char *why = NULL;
	uint64_t off = 0;

	qemu_layout();
	CHECK(parse(&l, &why) == 0, "QEMU's layout refused: %s", why);
	CHECK(l.common.present && l.common.bar == 4 && l.common.offset == 0 &&
		      l.common.length == 0x1000,
	      "common");
	CHECK(l.isr.present && l.isr.offset == 0x1000, "isr");
	CHECK(l.device.present && l.device.offset == 0x2000, "device");
	CHECK(l.notify.present && l.notify.offset == 0x3000 && l.notify_off_multiplier == 4,
	      "notify");
	CHECK(virtio_pci_notify_offset(&l, 3, &off) == 0 && off == 0x300c, "queue 3 at 0x%llx",
	      (unsigned long long)off);
	CHECK(virtio_pci_notify_offset(&l, 1023, &off) == 0 && off == 0x3ffc, "last slot");
	CHECK(virtio_pci_notify_offset(&l, 1024, &off) == -EINVAL, "past the notify area");
	CHECK(virtio_pci_notify_offset(&l, 0xffff, &off) == -EINVAL, "far past");

	/* No device configuration (virtio-rng): fine. */
	qemu_layout();
	cfg[DEVICE + 3] = 0x7f; /* an unknown type: skipped */
	CHECK(parse(&l, &why) == 0 && !l.device.present, "no device cfg: %s", why);

	/* Multiplier 0: every queue notifies at the same address. */
	qemu_layout();
	put32(NOTIFY + 16, 0);
	CHECK(parse(&l, &why) == 0, "multiplier 0: %s", why);
	CHECK(virtio_pci_notify_offset(&l, 500, &off) == 0 && off == 0x3000, "multiplier 0");

	/* A notify capability in an I/O BAR first (modern-pio-notify), then a
	 * memory one: the I/O one is skipped, the memory one used. */
	qemu_layout();
	vcap(COMMON, 0xb0, 16, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0x0000, 0x1000);
	vcap(0xb0, ISR, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 0, 0, 4);
	CHECK(parse(&l, &why) == 0 && l.notify.bar == 4, "I/O notify first: %s", why);

	/* Two common capabilities: the first wins, the second is not looked at. */
	qemu_layout();
	vcap(COMMON, 0xb0, 16, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0x0000, 0x1000);
	vcap(0xb0, ISR, 16, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0xfffff000, 0x1000);
	CHECK(parse(&l, &why) == 0 && l.common.offset == 0, "second common ignored: %s", why);
}

static void test_lies(void)
{
	qemu_layout();
	put32(COMMON + 8, 0x3800); /* common 0x3800 + 0x1000 > 16 KiB */
	expect_refused("common past the BAR end");

	qemu_layout();
	put32(NOTIFY + 8, 0xfffff000); /* offset + length wraps 32 bits */
	put32(NOTIFY + 12, 0x2000);
	expect_refused("notify offset wraps");

	qemu_layout();
	put32(ISR + 12, 0xffffffff);
	expect_refused("ISR length 4 GiB");

	qemu_layout();
	cfg[COMMON + 4] = 6; /* BAR 6: reserved */
	expect_refused("BAR index 6");

	qemu_layout();
	cfg[COMMON + 4] = 0xff;
	expect_refused("BAR index 255");

	qemu_layout();
	cfg[COMMON + 4] = 2; /* not implemented / unassigned */
	expect_refused("unassigned BAR");

	qemu_layout();
	cfg[COMMON + 2] = 8;
	expect_refused("common cap_len 8");

	qemu_layout();
	cfg[NOTIFY + 2] = 16; /* no room for notify_off_multiplier */
	expect_refused("notify cap_len 16");

	qemu_layout();
	put32(COMMON + 12, 0x20);
	expect_refused("common shorter than its fields");

	qemu_layout();
	put32(NOTIFY + 12, 1);
	expect_refused("notify area of 1 byte");

	qemu_layout();
	put32(ISR + 12, 0);
	expect_refused("ISR of 0 bytes");

	qemu_layout();
	put32(NOTIFY + 16, 3);
	expect_refused("multiplier 3");

	qemu_layout();
	put32(NOTIFY + 16, 1);
	expect_refused("multiplier 1");

	qemu_layout();
	put32(NOTIFY + 16, 0x80000001);
	expect_refused("multiplier 0x80000001");

	/* All three required structures in an I/O BAR: nothing usable. */
	qemu_layout();
	cfg[COMMON + 4] = 0;
	put32(COMMON + 12, 0x38);
	put32(COMMON + 8, 0);
	expect_refused("common only in an I/O BAR");

	qemu_layout();
	cfg[0x06] = 0; /* no capabilities list */
	expect_refused("no capabilities list");

	qemu_layout();
	cfg[0x34] = 0x20; /* list head inside the header */
	expect_refused("list head below 0x40");

	qemu_layout();
	cfg[MSIX + 1] = MSIX; /* MSI-X points at itself: a loop */
	expect_refused("capability list loops");

	qemu_layout();
	cfg[ISR + 1] = 0xfd; /* ISR's next: 0xfc after masking, garbage */
	expect_refused("list runs to 0xfc");

	qemu_layout();
	cfg[ISR + 3] = 0x7f; /* no ISR */
	expect_refused("no ISR capability");

	qemu_layout();
	cfg[NOTIFY] = 0x10; /* notify is not a vendor capability */
	expect_refused("no notify capability");

	qemu_layout();
	cfg[0xfc] = 0x09; /* only the header fits */
	cfg[0xfd] = 0x00;
	cfg[0xfe] = 20;
	cfg[0xff] = VIRTIO_PCI_CAP_NOTIFY_CFG;
	cfg[DEVICE + 1] = 0xfc; /* device -> a notify cap at 0xfc, truncated by 256 */
	cfg[NOTIFY] = 0x10;
	expect_refused("capability truncated at 256");
}

/* Random configuration spaces around QEMU's: nothing crashes, and anything
 * accepted lies inside its BARs. */
static void test_random(void)
{
	struct virtio_pci_layout l;
	const char *why;
	int accepted = 0;

	srand(12);
	for (int round = 0; round < 50000; round++) {
		qemu_layout();
		for (int k = 0; k < 1 + rand() % 8; k++) {
			unsigned pos = 0x40 + (unsigned)rand() % 0xc0;

			cfg[pos] = (uint8_t)(rand() % 3 == 0 ? rand() : cfg[pos] ^ (1u << (rand() % 8)));
		}
		if (rand() % 4 == 0)
			view.bar_size[4] = (uint64_t)1 << (rand() % 20);
		if (parse(&l, &why) != 0)
			continue;
		accepted++;
		const struct virtio_pci_region *rs[] = { &l.common, &l.notify, &l.isr, &l.device };
		for (int i = 0; i < 4; i++) {
			if (!rs[i]->present)
				continue;
			CHECK(rs[i]->bar < 6 && view.bar_mem[rs[i]->bar] &&
				      (uint64_t)rs[i]->offset + rs[i]->length <=
					      view.bar_size[rs[i]->bar],
			      "round %d: region %d outside its BAR", round, i);
		}
		for (unsigned q = 0; q < 70000; q += 997) {
			uint64_t off;

			if (virtio_pci_notify_offset(&l, (uint16_t)q, &off) == 0)
				CHECK(off + 2 <= (uint64_t)l.notify.offset + l.notify.length,
				      "round %d: queue %u notify outside", round, q);
		}
	}
	CHECK(accepted > 1000 && accepted < 50000, "accepted %d of 50000", accepted);
}

int main(void)
{
	test_qemu();
	test_lies();
	test_random();
	printf("virtio_pci_caps_test: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
