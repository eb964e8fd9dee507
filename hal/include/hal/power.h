/* Machine power control. */
#ifndef HAL_POWER_H
#define HAL_POWER_H
#include <hal/types.h>

/* Power the machine off: PSCI SYSTEM_OFF [DEN0022 §5.10] on arm64, ACPI S5
 * or the isa-debug-exit port on QEMU q35. QEMU exits with status 0. */
__noreturn void hal_power_off(void);
/* Reset the machine (PSCI SYSTEM_RESET, 8042/CF9 reset on x86). */
__noreturn void hal_reboot(void);
/* Stop after a kernel panic so that QEMU exits with a non-zero status
 * (x86: isa-debug-exit with code 1 -> status 3; arm64: semihosting
 * SYS_EXIT when QEMU enables it, else PSCI SYSTEM_OFF), or halt forever
 * on hardware. */
__noreturn void hal_panic_stop(void);

#endif
