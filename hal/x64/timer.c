/* Time on x86_64 (hal/include/hal/timer.h): the TSC is the clocksource
 * [Intel SDM Vol. 3A §17.17], the local APIC timer in periodic mode is the
 * tick [§10.5.4]. Both frequencies are measured once against the 8254 PIT
 * (channel 2, gated by port 0x61, 1.193182 MHz) — exact under QEMU, where
 * CPUID leaves 0x15/0x16 are often absent. A DT driver of class timer on
 * the local APIC's node. */
#include <hal/cpu.h>
#include <hal/timer.h>
#include <hal/upcall.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include "x64.h"

#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define LVT_MASKED (1 << 16)
#define LVT_PERIODIC (1 << 17)
#define DIVIDE_BY_16 0x3

#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61 /* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 output */
#define CALIBRATE_MS 50

static uint64_t tsc_hz;
static uint64_t lapic_hz; /* timer input after the divide-by-16 */
static uint64_t tsc_base;
static uint64_t ns_mult; /* ns = (tsc delta * ns_mult) >> 32 */
static uint64_t last_ns;

uint64_t x64_tsc_hz(void)
{
	return tsc_hz;
}

/* Run PIT channel 2 once for CALIBRATE_MS (mode 0: OUT goes high at the
 * terminal count [8254 datasheet, mode 0]), counting TSC ticks and
 * LAPIC timer ticks meanwhile. */
static void calibrate(void)
{
	uint32_t count = PIT_HZ * CALIBRATE_MS / 1000;
	uint64_t t0, t1;
	uint32_t l0, l1;

	outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	x64_lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	x64_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	x64_lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	t0 = rdtsc();
	l0 = x64_lapic_read(LAPIC_TIMER_CURRENT);
	while (!(inb(PORT_B) & 0x20))
		cpu_pause();
	t1 = rdtsc();
	l1 = x64_lapic_read(LAPIC_TIMER_CURRENT);
	x64_lapic_write(LAPIC_TIMER_INIT, 0);
	outb(PORT_B, inb(PORT_B) & ~0x03);

	tsc_hz = (t1 - t0) * 1000 / CALIBRATE_MS;
	lapic_hz = (uint64_t)(l0 - l1) * 1000 / CALIBRATE_MS;
}

uint64_t hal_timer_now_ns(void)
{
	uint64_t ns;

	if (!ns_mult)
		return 0;
	ns = (uint64_t)(((unsigned __int128)(rdtsc() - tsc_base) * ns_mult) >> 32);
	/* One CPU: a plain clamp keeps the clock monotonic even if the TSC
	 * were to step back (it does not with an invariant TSC). */
	if (ns < last_ns)
		return last_ns;
	last_ns = ns;
	return ns;
}

void hal_timer_delay_ns(uint64_t ns)
{
	if (!ns_mult) {
		/* Before calibration: an I/O port write takes about 1 us on a
		 * PC (port 0x80 is the POST diagnostic port). */
		for (uint64_t i = 0; i < ns / 1000 + 1; i++)
			outb(0x80, 0);
		return;
	}
	uint64_t end = hal_timer_now_ns() + ns;

	while (hal_timer_now_ns() < end)
		cpu_pause();
}

static void tick(void *arg)
{
	kernel_timer_tick();
}

int hal_timer_start_tick(unsigned hz)
{
	if (!lapic_hz || !hz)
		return -ENODEV;
	x64_irq_set_vector_handler(VEC_LAPIC_TIMER, tick, 0);
	x64_lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	x64_lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_LAPIC_TIMER);
	x64_lapic_write(LAPIC_TIMER_INIT, (uint32_t)(lapic_hz / hz));
	return 0;
}

static int lapic_timer_probe(struct device *dev)
{
	irqflags_t f;

	if (!x64_lapic_ready())
		return -ENODEV;
	f = hal_irq_save();
	calibrate();
	hal_irq_restore(f);
	if (!tsc_hz || !lapic_hz)
		return -ENODEV;
	ns_mult = (1000000000ULL << 32) / tsc_hz;
	tsc_base = rdtsc();
	printk("timer: TSC %llu.%03llu MHz%s, LAPIC timer %llu.%03llu MHz\n",
	       (unsigned long long)(tsc_hz / 1000000), (unsigned long long)(tsc_hz / 1000 % 1000),
	       x64_cpu.tsc_invariant ? " (invariant)" : "",
	       (unsigned long long)(lapic_hz / 1000000), (unsigned long long)(lapic_hz / 1000 % 1000));
	return 0;
}

static const struct of_device_id lapic_timer_match[] = {
	{"intel,ce4100-lapic", 0},
	{0, 0},
};
DRIVER_DECLARE(lapic_timer, DRV_CLASS_TIMER, lapic_timer_match, lapic_timer_probe);
