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
/* Let hal_panic_stop() end QEMU through semihosting (arm64: SYS_EXIT with
 * status 1). The core calls it with true when the kernel command line has
 * "semihosting" (QEMU run with -semihosting-config enable=on); without
 * QEMU's semihosting the trap instruction is undefined, so it is opt-in.
 * Arches without such a channel ignore it. */
void hal_set_panic_exit_semihosting(bool enable);

#endif
