/* The PC's CMOS real-time clock (Motorola MC146818 compatible) [MC146818A
 * datasheet; Intel ICH9 datasheet §13.6 "Real Time Clock"]: read once at
 * probe to set CLOCK_REALTIME. Index port at reg 0, data port at reg 1. */
#include <hal/mmio.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/time.h>

#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_CENTURY 0x32  /* the ACPI FADT's usual century register */
#define STATUS_A_UIP 0x80 /* update in progress */
#define STATUS_B_24H 0x02
#define STATUS_B_BINARY 0x04

struct rtc_time {
	unsigned sec, min, hour, day, mon, year, century;
};

static struct hal_iomem rtc_io;

static uint8_t cmos_read(uint8_t reg)
{
	/* Bit 7 of the index is the PC's NMI mask: left clear. */
	hal_io_write8(&rtc_io, 0, reg);
	return hal_io_read8(&rtc_io, 1);
}

static void read_raw(struct rtc_time *t)
{
	for (int i = 0; i < 100000 && (cmos_read(RTC_STATUS_A) & STATUS_A_UIP); i++)
		;
	t->sec = cmos_read(RTC_SECONDS);
	t->min = cmos_read(RTC_MINUTES);
	t->hour = cmos_read(RTC_HOURS);
	t->day = cmos_read(RTC_DAY);
	t->mon = cmos_read(RTC_MONTH);
	t->year = cmos_read(RTC_YEAR);
	t->century = cmos_read(RTC_CENTURY);
}

static unsigned bcd(unsigned v)
{
	return (v & 0x0f) + (v >> 4) * 10;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days
 * inverse of H. Hinnant's "chrono-compatible low-level date algorithms"). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static int cmos_probe(struct device *dev)
{
	struct rtc_time a, b;
	paddr_t base;
	uint64_t size;
	unsigned space;
	uint8_t status_b;
	bool pm;
	int64_t year, secs;
	int err;

	err = dev_read_reg_space(dev, 0, &base, &size, &space);
	if (err)
		return err;
	err = hal_iomap(base, size ? size : 2, space, 0, &rtc_io);
	if (err)
		return err;

	/* Read until two consecutive reads agree: an update may slip in
	 * between the UIP check and the reads. */
	read_raw(&a);
	for (int i = 0; i < 10; i++) {
		read_raw(&b);
		if (a.sec == b.sec && a.min == b.min && a.hour == b.hour && a.day == b.day &&
		    a.mon == b.mon && a.year == b.year)
			break;
		a = b;
	}
	status_b = cmos_read(RTC_STATUS_B);
	pm = !(status_b & STATUS_B_24H) && (a.hour & 0x80);
	a.hour &= 0x7f;
	if (!(status_b & STATUS_B_BINARY)) {
		a.sec = bcd(a.sec);
		a.min = bcd(a.min);
		a.hour = bcd(a.hour);
		a.day = bcd(a.day);
		a.mon = bcd(a.mon);
		a.year = bcd(a.year);
		a.century = bcd(a.century);
	}
	if (!(status_b & STATUS_B_24H)) /* 12-hour clock: 12 AM is 0 h */
		a.hour = (a.hour % 12) + (pm ? 12 : 0);
	if (a.century >= 19 && a.century <= 30)
		year = a.century * 100 + a.year;
	else
		year = a.year < 70 ? 2000 + a.year : 1900 + a.year;
	if (a.mon < 1 || a.mon > 12 || a.day < 1 || a.day > 31 || a.hour > 23 || a.min > 59 ||
	    a.sec > 60)
		return -EINVAL;

	secs = days_from_civil(year, a.mon, a.day) * 86400 + a.hour * 3600 + a.min * 60 + a.sec;
	time_set_realtime_ns(secs * NSEC_PER_SEC);
	printk("rtc: %04lld-%02u-%02u %02u:%02u:%02u UTC\n", (long long)year, a.mon, a.day, a.hour,
	       a.min, a.sec);
	return 0;
}

static const struct of_device_id cmos_match[] = {
	{ "motorola,mc146818", 0 },
	{ 0, 0 },
};
DRIVER_DECLARE(cmos_rtc, DRV_CLASS_RTC, cmos_match, cmos_probe);
