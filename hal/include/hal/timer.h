/* Time. The clocksource and tick come from the arch timer (TSC + local APIC
 * timer on x86_64 [Intel SDM Vol. 3A §10.5.4, §17.17]; the generic timer
 * CNTVCT_EL0/CNTV_* on arm64 [Arm ARM D11]). */
#ifndef HAL_TIMER_H
#define HAL_TIMER_H
#include <hal/types.h>

/* Monotonic nanoseconds since the timer was initialised. Never goes
 * backwards; callable from any context once the timer driver probed. */
uint64_t hal_timer_now_ns(void);

/* Start the periodic scheduler tick at hz Hz on the boot CPU: the HAL calls
 * kernel_timer_tick() from IRQ context on every tick. Secondary CPUs
 * started afterwards (hal_cpu_start) run their own per-CPU timer at the
 * same rate but do not call kernel_timer_tick() yet.
 * Returns 0 or -ENODEV if no timer was probed. */
int hal_timer_start_tick(unsigned hz);

/* Busy-wait at least ns nanoseconds (early boot, drivers). */
void hal_timer_delay_ns(uint64_t ns);

#endif
