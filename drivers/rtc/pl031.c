/* Arm PrimeCell RTC (PL031): seconds since the epoch at boot -> the wall
 * clock. [Arm DDI 0224C "PrimeCell Real Time Clock (PL031) TRM": §3.3.1
 * RTCDR (data, read-only counter), §3.3.4 RTCCR (bit 0 starts the counter)]
 * DT binding: "arm,pl031" (QEMU virt adds "arm,primecell").
 */
#include <hal/mmio.h>
#include <kernel/device.h>
#include <kernel/time.h>

#define RTCDR (0x000 >> 2)
#define RTCCR (0x00c >> 2)
#define RTCCR_START 1u

static int pl031_probe(struct device *dev)
{
	struct hal_iomem io;
	paddr_t base;
	uint64_t size;
	int err;

	if ((err = dev_read_reg(dev, 0, &base, &size)) ||
	    (err = hal_iomap(base, size, HAL_IO_MMIO, 2, &io)))
		return err;
	if (!(hal_io_read32(&io, RTCCR) & RTCCR_START))
		hal_io_write32(&io, RTCCR, RTCCR_START);
	uint32_t secs = hal_io_read32(&io, RTCDR);
	time_set_realtime_ns((int64_t)secs * NSEC_PER_SEC);
	return 0;
}

static const struct of_device_id pl031_match[] = {
	{ "arm,pl031", NULL },
	{ NULL, NULL },
};

DRIVER_DECLARE(pl031, DRV_CLASS_RTC, pl031_match, pl031_probe);
