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
#include "hal/common/vdso/vdso_data.h"

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
#define CALIBRATE_MS 10
#define CALIBRATE_RUNS 8

static uint64_t tsc_hz;
static uint64_t lapic_hz; /* timer input after the divide-by-16 */
static uint64_t tsc_base;
static uint64_t ns_mult; /* ns = (tsc delta * ns_mult) >> 32 */
static uint64_t last_ns;

uint64_t x64_tsc_hz(void)
{
	return tsc_hz;
}

/* Start PIT channel 2 counting count (<= 0xffff) input clocks in mode 0:
 * OUT2 goes low now and high at the terminal count [Intel 8254 datasheet,
 * "Mode 0: interrupt on terminal count"]; the gate is port 0x61 bit 0,
 * with the speaker (bit 1) off. */
static void pit_start(uint32_t count)
{
	outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, (count >> 8) & 0xff);
}

static void pit_wait(void)
{
	while (!(inb(PORT_B) & 0x20))
		cpu_pause();
	outb(PORT_B, inb(PORT_B) & ~0x03);
}

/* Read PIT channel 2's counter: latch it, then low and high byte
 * [8254 datasheet, "Counter Latch Command"]. */
static uint16_t pit_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, 0x80); /* latch channel 2 */
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	return lo | (uint16_t)hi << 8;
}

struct sample {
	uint64_t tsc;	/* midpoint of the TSC reads around the PIT read */
	uint64_t err;	/* their distance: how uncertain tsc is */
	uint32_t lapic; /* LAPIC current count, read in between */
	uint16_t pit;
};

static void take_sample(struct sample *s)
{
	uint64_t t0 = rdtsc(), t1;

	s->lapic = x64_lapic_read(LAPIC_TIMER_CURRENT);
	s->pit = pit_read();
	t1 = rdtsc();
	s->tsc = t0 + (t1 - t0) / 2;
	s->err = t1 - t0;
}

/* Measure TSC and LAPIC timer ticks against PIT ticks over CALIBRATE_MS.
 * Each end point reads the PIT counter between two TSC reads; under
 * virtualisation or host load those reads can be slow or interrupted, so
 * the best of CALIBRATE_RUNS runs (the smallest bracketing error) is kept.
 * Polling the PIT's OUT pin instead would only tell when we noticed the
 * terminal count, which a stolen time slice can delay arbitrarily. */
static void calibrate(void)
{
	const uint32_t span = PIT_HZ * CALIBRATE_MS / 1000;
	uint64_t best_err = ~0ULL;

	x64_lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	x64_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	for (int run = 0; run < CALIBRATE_RUNS; run++) {
		struct sample a, b;
		uint32_t pit_ticks;

		x64_lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
		pit_start(0xffff);
		take_sample(&a);
		do
			take_sample(&b);
		while ((uint16_t)(a.pit - b.pit) < span && b.pit <= a.pit);
		pit_ticks = (uint16_t)(a.pit - b.pit);
		if (b.pit > a.pit || !pit_ticks || b.tsc <= a.tsc)
			continue; /* the counter wrapped: a run longer than 55 ms */
		if (a.err + b.err < best_err) {
			best_err = a.err + b.err;
			tsc_hz = (b.tsc - a.tsc) * PIT_HZ / pit_ticks;
			lapic_hz = (uint64_t)(a.lapic - b.lapic) * PIT_HZ / pit_ticks;
		}
	}
	x64_lapic_write(LAPIC_TIMER_INIT, 0);
	outb(PORT_B, inb(PORT_B) & ~0x03);
}

uint64_t hal_timer_now_ns(void)
{
	uint64_t ns;

	if (!ns_mult)
		return 0;
	ns = (uint64_t)(((unsigned __int128)(rdtsc() - tsc_base) * ns_mult) >> 32);
	/* A clamp keeps the clock monotonic across CPUs even if a TSC were
	 * to step back or lag another CPU's (not with an invariant TSC):
	 * last_ns only grows (compare-and-swap). */
	uint64_t last = __atomic_load_n(&last_ns, __ATOMIC_RELAXED);

	do {
		if (ns <= last)
			return last;
	} while (!__atomic_compare_exchange_n(&last_ns, &last, ns, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return ns;
}

/* [hal/common/vdso/vdso_data.h] The TSC as hal_timer_now_ns() converts it. */
uint32_t hal_arch_vdso_clocksource(uint64_t *cycle_base, uint64_t *mult, uint32_t *shift,
				   uint64_t *base_ns)
{
	*cycle_base = tsc_base;
	*mult = ns_mult;
	*shift = 32;
	*base_ns = 0;
	return ns_mult ? VDSO_CLOCK_COUNTER : VDSO_CLOCK_NONE;
}

void hal_timer_delay_ns(uint64_t ns)
{
	if (!ns_mult) {
		/* Before calibration: PIT channel 2, in chunks of at most
		 * 0xffff clocks (55 ms). */
		uint64_t clocks = ns / 1000 * PIT_HZ / 1000000 + 1;

		while (clocks) {
			uint32_t n = clocks > 0xffff ? 0xffff : (uint32_t)clocks;

			pit_start(n);
			pit_wait();
			clocks -= n;
		}
		return;
	}
	uint64_t end = hal_timer_now_ns() + ns;

	while (hal_timer_now_ns() < end)
		cpu_pause();
}

static uint32_t tick_count; /* LAPIC timer initial count of the tick; 0: not started */

/* Every CPU's LAPIC timer lands here; only the boot CPU's drives the
 * core's clock and scheduler for now. */
/* Every CPU's LAPIC timer comes here; the core tells the boot CPU's tick
 * (the clock, timers) from the others' (accounting, time slices). */
static void tick(void *arg)
{
	(void)arg;
	kernel_timer_tick();
}

void x64_timer_cpu_init(void)
{
	if (!tick_count)
		return;
	x64_lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	x64_lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_LAPIC_TIMER);
	x64_lapic_write(LAPIC_TIMER_INIT, tick_count);
}

int hal_timer_start_tick(unsigned hz)
{
	if (!lapic_hz || !hz)
		return -ENODEV;
	x64_irq_set_vector_handler(VEC_LAPIC_TIMER, tick, 0);
	tick_count = (uint32_t)(lapic_hz / hz);
	x64_timer_cpu_init();
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
	       (unsigned long long)(lapic_hz / 1000000),
	       (unsigned long long)(lapic_hz / 1000 % 1000));
	return 0;
}

static const struct of_device_id lapic_timer_match[] = {
	{ "intel,ce4100-lapic", 0 },
	{ 0, 0 },
};
DRIVER_DECLARE(lapic_timer, DRV_CLASS_TIMER, lapic_timer_match, lapic_timer_probe);
