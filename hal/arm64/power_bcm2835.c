/* Power off and reset on the Raspberry Pi (no PSCI): the BCM2835 power
 * manager's watchdog ("brcm,bcm2835-pm-wdt", reg 0 = PM block). Reset: arm
 * the watchdog with a short timeout and select a full reset. Power off: the
 * same, with the reset-status partition set to 63, which the Raspberry Pi
 * firmware reads as "halt" [Linux drivers/watchdog/bcm2835_wdt.c:
 * PM_RSTC 0x1c, PM_RSTS 0x20, PM_WDOG 0x24, password 0x5a000000,
 * WRCFG_FULL_RESET 0x20, RSTS_RASPBERRYPI_HALT 0x555]. QEMU's raspi
 * machines (bcm2835_powermgt) reset the machine on it; with -no-reboot
 * QEMU exits, which is how the tests end. */
#include <hal/mmio.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include "arm64.h"

#define PM_RSTC 0x1c
#define PM_RSTS 0x20
#define PM_WDOG 0x24
#define PM_PASSWORD 0x5a000000u
#define PM_WDOG_TIME_SET 0x000fffffu
#define PM_RSTC_WRCFG_CLR 0xffffffcfu
#define PM_RSTC_WRCFG_FULL_RESET 0x00000020u
#define PM_RSTS_RASPBERRYPI_HALT 0x555u

static struct hal_iomem pm;

static void wdt_reset(void)
{
	uint32_t v;

	hal_io_write32(&pm, PM_WDOG, PM_PASSWORD | (10 & PM_WDOG_TIME_SET));
	v = hal_io_read32(&pm, PM_RSTC) & PM_RSTC_WRCFG_CLR;
	hal_io_write32(&pm, PM_RSTC, v | PM_PASSWORD | PM_RSTC_WRCFG_FULL_RESET);
	for (volatile int i = 0; i < 10000000; i++)
		; /* the watchdog fires in ~150 us */
}

static void wdt_power_off(void)
{
	hal_io_write32(&pm, PM_RSTS,
		       hal_io_read32(&pm, PM_RSTS) | PM_PASSWORD | PM_RSTS_RASPBERRYPI_HALT);
	wdt_reset();
}

static const struct arm64_power_ops wdt_ops = {
	.power_off = wdt_power_off,
	.reset = wdt_reset,
};

static int wdt_probe(struct device *dev)
{
	paddr_t base;
	uint64_t size;
	int err = dev_read_reg(dev, 0, &base, &size);

	if (err || (err = hal_iomap(base, size, HAL_IO_MMIO, 0, &pm)))
		return err;
	arm64_power_register(&wdt_ops);
	return 0;
}

static const struct of_device_id wdt_match[] = {
	{ "brcm,bcm2835-pm-wdt", NULL },
	{ "brcm,bcm2835-pm", NULL },
	{ NULL, NULL },
};
DRIVER_DECLARE(bcm2835_pm_wdt, DRV_CLASS_POWER, wdt_match, wdt_probe);
