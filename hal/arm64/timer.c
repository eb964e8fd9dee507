/* The Arm generic timer: CNTVCT_EL0 as the monotonic clock, the EL1
 * virtual timer (CNTV_*) for the periodic tick.
 * [Arm ARM D11.1 (generic timer), D11.2.4 (timer registers: CVAL/TVAL/CTL),
 *  D17.10 CNTFRQ_EL0, CNTVCT_EL0, CNTV_CTL_EL0, CNTV_CVAL_EL0]
 * The DT node ("arm,armv8-timer") lists four PPIs: secure physical,
 * non-secure physical, virtual, hypervisor; the tick uses the third.
 */
#include <hal/cpu.h>
#include <hal/irq.h>
#include <hal/timer.h>
#include <hal/upcall.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include "arm64.h"
#include "hal/common/vdso/vdso_data.h"

#define CNTV_CTL_ENABLE (1u << 0)
#define CNTV_CTL_IMASK (1u << 1)

static uint64_t timer_freq; /* Hz */
static uint64_t ns_mult;    /* ns per tick << 32 */
static uint64_t boot_count; /* CNTVCT_EL0 at early init */
static unsigned tick_irq;
static bool tick_probed;
static uint64_t tick_period; /* counter ticks; 0 until the tick starts */
/* Per CPU, each written only by its own CPU (the CNTV_* registers are
 * per-CPU too): the CVAL of its next tick, ticks taken. */
static uint64_t tick_next[ARM64_MAX_CPUS];
static unsigned long cpu_ticks[ARM64_MAX_CPUS];

static uint64_t counter(void)
{
	isb(); /* no reading the counter ahead of earlier instructions */
	return read_sysreg(cntvct_el0);
}

static void set_freq(uint64_t hz)
{
	timer_freq = hz;
	ns_mult = (1000000000ULL << 32) / hz; /* 1e9 * 2^32 < 2^64 */
}

void arm64_timer_early_init(void)
{
	uint64_t hz = read_sysreg(cntfrq_el0) & 0xffffffff;

	set_freq(hz ? hz : 62500000); /* firmware must set CNTFRQ; QEMU's default if not */
	boot_count = counter();
}

uint64_t arm64_timer_freq(void)
{
	return timer_freq;
}

uint64_t hal_timer_now_ns(void)
{
	uint64_t ticks = counter() - boot_count;

	return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

/* [hal/common/vdso/vdso_data.h] CNTVCT_EL0 as hal_timer_now_ns() converts
 * it (user mode reads it too: CNTKCTL_EL1.EL0VCTEN, set in boot.S). */
uint32_t hal_arch_vdso_clocksource(uint64_t *cycle_base, uint64_t *mult, uint32_t *shift,
				   uint64_t *base_ns)
{
	*cycle_base = boot_count;
	*mult = ns_mult;
	*shift = 32;
	*base_ns = 0;
	return ns_mult ? VDSO_CLOCK_COUNTER : VDSO_CLOCK_NONE;
}

/* [hal/common/vdso/vdso_data.h] Linux's arm64 vDSO has no getcpu
 * (arch/arm64/kernel/vdso/vdso.lds.S exports only the clocks and
 * __kernel_rt_sigreturn): glibc's sched_getcpu() reads the rseq area's
 * cpu_id, or calls getcpu(2). */
uint32_t hal_arch_vdso_getcpu_mode(void)
{
	return VDSO_GETCPU_SYSCALL;
}

void hal_timer_delay_ns(uint64_t ns)
{
	uint64_t end = hal_timer_now_ns() + ns;

	while (hal_timer_now_ns() < end)
		__asm__ volatile("yield");
}

/* The tick: re-arm one period after the previous deadline (no drift), or
 * one period from now if ticks were missed. IRQ context. The PPI is
 * per-CPU: every CPU whose timer runs comes here, and so does the core
 * (which keeps the clock on the boot CPU's tick). */
static void timer_tick(unsigned irq, void *arg)
{
	uint64_t now = counter();
	unsigned cpu = hal_cpu_id();

	(void)irq, (void)arg;
	tick_next[cpu] += tick_period;
	if (tick_next[cpu] <= now)
		tick_next[cpu] = now + tick_period;
	write_sysreg(cntv_cval_el0, tick_next[cpu]);
	isb();
	cpu_ticks[cpu]++;
	kernel_timer_tick();
}

void arm64_timer_cpu_init(void)
{
	unsigned cpu = hal_cpu_id();

	if (!tick_period) {
		write_sysreg(cntv_ctl_el0, CNTV_CTL_IMASK);
		isb();
		return;
	}
	tick_next[cpu] = counter() + tick_period;
	write_sysreg(cntv_cval_el0, tick_next[cpu]);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
}

unsigned long arm64_timer_cpu_ticks(unsigned cpu)
{
	return cpu < ARM64_MAX_CPUS ? __atomic_load_n(&cpu_ticks[cpu], __ATOMIC_RELAXED) : 0;
}

int hal_timer_start_tick(unsigned hz)
{
	if (!tick_probed || hz == 0)
		return -ENODEV;
	uint64_t period = timer_freq / hz;
	tick_period = period ? period : 1;
	tick_next[0] = counter() + tick_period;
	write_sysreg(cntv_cval_el0, tick_next[0]);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
	return hal_irq_request(tick_irq, timer_tick, NULL);
}

static int armv8_timer_probe(struct device *dev)
{
	uint32_t hz;
	int err;

	/* A "clock-frequency" property means the firmware left CNTFRQ_EL0
	 * wrong; the tree wins (as in Linux). */
	if (dev_read_u32(dev, "clock-frequency", &hz) == 0 && hz) {
		/* Keep hal_timer_now_ns() continuous across the change. */
		uint64_t ns = hal_timer_now_ns();
		set_freq(hz);
		uint64_t elapsed = ns / 1000000000 * hz + ns % 1000000000 * hz / 1000000000;
		boot_count = counter() - elapsed;
	}
	write_sysreg(cntv_ctl_el0, CNTV_CTL_IMASK); /* off until the tick starts */
	isb();
	if ((err = dev_read_irq(dev, 2, &tick_irq))) {
		printk("timer: no virtual timer interrupt in the DT (%d)\n", err);
		return err;
	}
	tick_probed = true;
	return 0;
}

static const struct of_device_id armv8_timer_match[] = {
	{ "arm,armv8-timer", NULL },
	{ "arm,armv7-timer", NULL },
	{ NULL, NULL },
};

DRIVER_DECLARE(armv8_timer, DRV_CLASS_TIMER, armv8_timer_match, armv8_timer_probe);
