/* [reboot(2)]: power off, restart or halt the machine. The guests of the
 * test suite end QEMU this way (PSCI SYSTEM_OFF / isa-debug-exit). */
#include <hal/power.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/vfs.h>

#define LINUX_REBOOT_MAGIC1 0xfee1deadu
#define LINUX_REBOOT_MAGIC2 672274793u
#define LINUX_REBOOT_MAGIC2A 85072278u
#define LINUX_REBOOT_MAGIC2B 369367448u
#define LINUX_REBOOT_MAGIC2C 537993216u

#define LINUX_REBOOT_CMD_RESTART 0x01234567u
#define LINUX_REBOOT_CMD_HALT 0xcdef0123u
#define LINUX_REBOOT_CMD_CAD_ON 0x89abcdefu
#define LINUX_REBOOT_CMD_CAD_OFF 0x00000000u
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedcu
#define LINUX_REBOOT_CMD_RESTART2 0xa1b2c3d4u

/* -EPERM unless root, -EINVAL for bad magic numbers or an unknown cmd.
 * HALT powers off too (nothing could restart a halted QEMU). */
SYSCALL_DEFINE4(reboot, unsigned, magic1, unsigned, magic2, unsigned, cmd, uintptr_t, arg)
{
	if (current->euid != 0)
		return -EPERM;
	if (magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;

	/* Linux leaves unsynced data to the caller [reboot(2)]; this kernel
	 * writes its buffer cache back first, so a forgotten sync(2) loses
	 * nothing (the cache has no periodic flusher yet). */
	if (cmd == LINUX_REBOOT_CMD_RESTART || cmd == LINUX_REBOOT_CMD_RESTART2 ||
	    cmd == LINUX_REBOOT_CMD_HALT || cmd == LINUX_REBOOT_CMD_POWER_OFF)
		ksys_sync();
	switch (cmd) {
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF: return 0;
	case LINUX_REBOOT_CMD_RESTART:
	case LINUX_REBOOT_CMD_RESTART2: printk("reboot: Restarting system\n"); hal_reboot();
	case LINUX_REBOOT_CMD_HALT: printk("reboot: System halted\n"); hal_power_off();
	case LINUX_REBOOT_CMD_POWER_OFF: printk("reboot: Power down\n"); hal_power_off();
	default: return -EINVAL;
	}
}
