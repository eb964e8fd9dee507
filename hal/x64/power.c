/* Power control on a PC (hal/include/hal/power.h).
 *  - Power off: ACPI S5 by writing SLP_TYP | SLP_EN to the PM1a control
 *    register [ACPI 6.4 §4.8.3.2.1, §7.4.2], whose port the DT gives
 *    (binding "kevlar,acpi-pm1-poweroff", boards/q35/README.md). QEMU's
 *    ICH9 PM (q35, PMBASE 0x600 set by the firmware) powers off and exits
 *    with status 0 on SLP_TYP 0.
 *  - Panic stop: QEMU's isa-debug-exit ("qemu,isa-debug-exit"): writing v
 *    makes QEMU exit with status (v << 1) | 1, so 1 -> 3.
 *  - Reset: the FADT's reset register and value [ACPI 6.4 §4.8.3.6,
 *    §5.2.9] when the board tree has one (binding "kevlar,acpi-reset",
 *    written from the FADT at boot by kernel/acpi/acpi_fdt.c); then, as
 *    fallbacks fixed by the PC architecture rather than described by the
 *    board, the reset control register 0xcf9 [ICH9 datasheet §13.7.5],
 *    the 8042 keyboard controller's pulse-reset command 0xfe on port
 *    0x64, and a triple fault.
 */
#include <hal/cpu.h>
#include <hal/mmio.h>
#include <hal/power.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include "x64.h"

#define SLP_EN (1 << 13)
#define SLP_TYP_SHIFT 10
/* QEMU's conventional debug-exit port: used only if a panic comes before
 * the DT was probed (writes to an absent port are ignored on a PC). */
#define DEBUG_EXIT_DEFAULT_PORT 0xf4

static struct hal_iomem pm1a_cnt;
static bool have_pm1a;
static uint32_t slp_typ_s5;
static struct hal_iomem debug_exit;
static bool have_debug_exit;
static struct hal_iomem acpi_reset;
static uint32_t acpi_reset_value;
static bool have_acpi_reset;

static int probe_port(struct device *dev, struct hal_iomem *io)
{
	paddr_t base;
	uint64_t size;
	unsigned space;

	if (dev_read_reg_space(dev, 0, &base, &size, &space))
		return -EINVAL;
	return hal_iomap(base, size, space, 0, io);
}

static int pm1_probe(struct device *dev)
{
	int err = probe_port(dev, &pm1a_cnt);

	if (err)
		return err;
	if (dev_read_u32(dev, "kevlar,slp-typ", &slp_typ_s5))
		slp_typ_s5 = 0; /* QEMU's DSDT \_S5 */
	have_pm1a = true;
	return 0;
}

static int acpi_reset_probe(struct device *dev)
{
	int err = probe_port(dev, &acpi_reset);

	if (err)
		return err;
	if (dev_read_u32(dev, "kevlar,reset-value", &acpi_reset_value))
		return -EINVAL;
	have_acpi_reset = true;
	return 0;
}

static int debug_exit_probe(struct device *dev)
{
	int err = probe_port(dev, &debug_exit);

	if (!err)
		have_debug_exit = true;
	return err;
}

static const struct of_device_id pm1_match[] = {
	{ "kevlar,acpi-pm1-poweroff", 0 },
	{ 0, 0 },
};
DRIVER_DECLARE(acpi_pm1_poweroff, DRV_CLASS_POWER, pm1_match, pm1_probe);

static const struct of_device_id acpi_reset_match[] = {
	{ "kevlar,acpi-reset", 0 },
	{ 0, 0 },
};
DRIVER_DECLARE(acpi_reset, DRV_CLASS_POWER, acpi_reset_match, acpi_reset_probe);

static const struct of_device_id debug_exit_match[] = {
	{ "qemu,isa-debug-exit", 0 },
	{ 0, 0 },
};
DRIVER_DECLARE(isa_debug_exit, DRV_CLASS_POWER, debug_exit_match, debug_exit_probe);

/* PM1 control is a 16-bit register; hal/mmio.h has 8/32-bit accessors,
 * so the port case uses outw directly. */
static void pm1_write(uint16_t v)
{
	if (pm1a_cnt.space == HAL_IO_PORT) {
		outw(pm1a_cnt.base, v);
	} else {
		hal_io_write8(&pm1a_cnt, 0, v & 0xff);
		hal_io_write8(&pm1a_cnt, 1, v >> 8);
	}
}

static void wait_a_moment(void)
{
	for (int i = 0; i < 100000; i++)
		cpu_pause();
}

__noreturn void hal_power_off(void)
{
	hal_irq_disable();
	if (have_pm1a) {
		pm1_write((slp_typ_s5 & 7) << SLP_TYP_SHIFT | SLP_EN);
		wait_a_moment();
	}
	hal_cpu_halt();
}

__noreturn void hal_reboot(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed null_idt = { 0, 0 };

	hal_irq_disable();
	if (have_acpi_reset) {
		hal_io_write8(&acpi_reset, 0, (uint8_t)acpi_reset_value);
		wait_a_moment();
	}
	outb(0xcf9, 0x02); /* SYS_RST, then RST_CPU: a hard reset */
	wait_a_moment();
	outb(0xcf9, 0x06);
	wait_a_moment();
	for (int i = 0; i < 10000 && (inb(0x64) & 0x02); i++)
		cpu_pause(); /* 8042 input buffer empty */
	outb(0x64, 0xfe);
	wait_a_moment();
	/* No IDT: the next exception is a triple fault, which resets. */
	__asm__ volatile("lidt %0; int3" : : "m"(null_idt));
	hal_cpu_halt();
}

__noreturn void hal_panic_stop(void)
{
	hal_irq_disable();
	if (have_debug_exit)
		hal_io_write8(&debug_exit, 0, 1);
	else
		outb(DEBUG_EXIT_DEFAULT_PORT, 1);
	hal_cpu_halt();
}

/* x86 has no semihosting channel: the isa-debug-exit port plays that role. */
void hal_set_panic_exit_semihosting(bool enable)
{
	(void)enable;
}
