/* Power control through PSCI, and the panic exit.
 * [DEN0022 (Arm PSCI): §5.1 function IDs and calling convention (SMC32/
 *  HVC32, w0 = function ID), §5.6 CPU_ON (SMC64), §5.10 SYSTEM_OFF 0x84000008, §5.11
 *  SYSTEM_RESET 0x84000009; conduit from the /psci node's "method"
 *  (Linux Documentation/devicetree/bindings/arm/psci.yaml)]
 * [Arm "Semihosting for AArch32 and AArch64" v2.0: trap `hlt #0xf000`,
 *  SYS_EXIT (0x18) with x1 -> { reason, subcode } on AArch64,
 *  ADP_Stopped_ApplicationExit = 0x20026]
 */
#include <hal/cpu.h>
#include <hal/power.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <string.h>
#include "arm64.h"

#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_CPU_ON_64 0xc4000003u
#define SEMIHOSTING_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

enum conduit { CONDUIT_NONE, CONDUIT_HVC, CONDUIT_SMC };

static enum conduit psci_conduit;
static bool panic_semihosting;
/* A board's own power controller, for boards without PSCI (power_bcm2835.c). */
static const struct arm64_power_ops *board_power;

void arm64_power_register(const struct arm64_power_ops *ops)
{
	board_power = ops;
}

/* SMC Calling Convention: x0 = function ID, x1-x3 arguments, result in
 * x0; x1-x17 may be clobbered by the firmware [DEN0028 §2]. Without a
 * conduit: NOT_SUPPORTED. */
static uint64_t psci_call3(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (psci_conduit == CONDUIT_HVC)
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
				   "x14", "x15", "x16", "x17", "memory");
	else if (psci_conduit == CONDUIT_SMC)
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
				   "x14", "x15", "x16", "x17", "memory");
	else
		x0 = (uint64_t)(int64_t)PSCI_RET_NOT_SUPPORTED;
	return x0;
}

static uint64_t psci_call(uint32_t fn)
{
	return psci_call3(fn, 0, 0, 0);
}

int64_t arm64_psci_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context_id)
{
	/* PSCI return values are 32-bit signed in w0 for SMC32 and 64-bit
	 * for SMC64 calls; CPU_ON_64 gives a sign-extended int. */
	return (int64_t)(int32_t)psci_call3(PSCI_CPU_ON_64, mpidr, entry, context_id);
}

/* [DEN0022 §5.2.2 Table 5 "Return error codes"] */
const char *arm64_psci_error_name(int64_t ret)
{
	switch (ret) {
	case 0: return "SUCCESS";
	case PSCI_RET_NOT_SUPPORTED: return "NOT_SUPPORTED";
	case PSCI_RET_INVALID_PARAMS: return "INVALID_PARAMETERS";
	case PSCI_RET_DENIED: return "DENIED";
	case PSCI_RET_ALREADY_ON: return "ALREADY_ON";
	case PSCI_RET_ON_PENDING: return "ON_PENDING";
	case PSCI_RET_INTERNAL_FAILURE: return "INTERNAL_FAILURE";
	case -7: return "NOT_PRESENT";
	case -8: return "DISABLED";
	case PSCI_RET_INVALID_ADDRESS: return "INVALID_ADDRESS";
	}
	return "unknown error";
}

__noreturn void hal_power_off(void)
{
	hal_irq_disable();
	psci_call(PSCI_SYSTEM_OFF); /* returns only if there is no PSCI */
	if (board_power && board_power->power_off)
		board_power->power_off();
	hal_cpu_halt();
}

__noreturn void hal_reboot(void)
{
	hal_irq_disable();
	psci_call(PSCI_SYSTEM_RESET);
	if (board_power && board_power->reset)
		board_power->reset();
	hal_cpu_halt();
}

void hal_set_panic_exit_semihosting(bool enable)
{
	panic_semihosting = enable;
}

__noreturn void hal_panic_stop(void)
{
	hal_irq_disable();
	if (panic_semihosting) {
		/* QEMU -semihosting: exit with status 1. Without semihosting
		 * `hlt` is undefined, hence the opt-in. */
		static const uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, 1 };
		register uint64_t x0 __asm__("x0") = SEMIHOSTING_SYS_EXIT;
		register const uint64_t *x1 __asm__("x1") = block;
		__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	}
	psci_call(PSCI_SYSTEM_OFF);
	if (board_power && board_power->power_off)
		board_power->power_off();
	hal_cpu_halt();
}

static int psci_probe(struct device *dev)
{
	const char *method = dev_read_string(dev, "method");

	if (!method)
		return -ENODEV;
	if (strcmp(method, "hvc") == 0)
		psci_conduit = CONDUIT_HVC;
	else if (strcmp(method, "smc") == 0)
		psci_conduit = CONDUIT_SMC;
	else
		return -EINVAL;
	return 0;
}

static const struct of_device_id psci_match[] = {
	{ "arm,psci-1.0", NULL },
	{ "arm,psci-0.2", NULL },
	{ "arm,psci", NULL },
	{ NULL, NULL },
};

DRIVER_DECLARE(psci, DRV_CLASS_POWER, psci_match, psci_probe);
