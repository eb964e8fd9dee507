/* The boot sequence (docs/architecture.md "Boot sequence"): from the HAL's
 * hand-off to PID 1 in user mode.
 *
 *  kernel_main (boot CPU, interrupts masked, boot stack):
 *    1. PCs: fold the firmware's ACPI tables into the built-in tree
 *       (kernel/acpi/acpi_boot.c) unless acpi=off;
 *       parse the device tree into `board`; loader data (x86_64 e820 map,
 *       command line, initrd module) overrides the tree where given; parse
 *       the command line;
 *    2. direct-map all RAM (hal_mm_init), start the frame allocator with
 *       RAM minus the kernel, the loader's and the tree's reservations,
 *       the initrd and the tree itself;
 *    3. probe drivers class by class; once the console class probed,
 *       replay the log kept so far;
 *    4. banner, CSPRNG, stack-protector canary, scheduler; sched_start() runs
 *       kernel_init() as PID 1 with the tick and interrupts on.
 *  kernel_init (PID 1, a kernel thread until it execs):
 *    5. the secondary CPUs started and parked (smp_init); VFS, services,
 *       tmpfs root, the initramfs, devtmpfs on /dev;
 *    6. exec rdinit= (default /init), then init=, then the usual
 *       fallbacks, as Linux's kernel_init() does.
 */
#include <hal/boot.h>
#include <hal/mmu.h>
#include <hal/power.h>
#include <hal/vdso.h>
#include <kernel/board.h>
#include <kernel/blkdev.h>
#include <kernel/cmdline.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/hardening.h>
#include <kernel/initramfs.h>
#include <kernel/percpu.h>
#include <kernel/mm.h>
#include <kernel/net.h>
#include <kernel/printk.h>
#include <kernel/syscall.h>
#include <kernel/random.h>
#include <kernel/sched.h>
#include <kernel/service.h>
#include <kernel/smp.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/vfs.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi_boot.h"

#if __has_include(<kevlar/profile.h>)
#include <kevlar/profile.h>
#endif
#ifndef KEVLAR_PROFILE_NAME
#define KEVLAR_PROFILE_NAME "balanced"
#endif

#define KEVLAR_VERSION "0.1"
#define MAX_RESERVED (HAL_BOOT_MAX_RANGES + BOARD_MAX_RANGES + 2)
#define DTB_COPY_MAX (64 * 1024)

/* A copy of a misaligned tree (libfdt needs 8-byte alignment). */
static uint64_t dtb_copy[DTB_COPY_MAX / 8];
/* The board tree with what ACPI describes folded in (PCs). */
static uint64_t acpi_dtb[DTB_COPY_MAX / 8];

static const char *const class_names[DRV_CLASS_COUNT] = {
	"irqchip", "timer", "console", "rtc", "power", "bus", "device",
};

/* The tree, at an address libfdt accepts. */
static const void *usable_dtb(const void *dtb)
{
	if (!dtb || !((uintptr_t)dtb & 7) || fdt_magic(dtb) != FDT_MAGIC ||
	    fdt_totalsize(dtb) > sizeof(dtb_copy))
		return dtb;
	memcpy(dtb_copy, dtb, fdt_totalsize(dtb));
	return dtb_copy;
}

/* Is `word` one of the space-separated words of cmdline? (the command
 * line is parsed after the tree; ACPI must be decided before) */
static bool cmdline_has_word(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cmdline; p && *p;) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, word, n) && (p[n] == ' ' || p[n] == '\0'))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

/* PCs: fold the ACPI tables into the built-in tree, unless Linux's
 * acpi=off [Documentation/admin-guide/kernel-parameters.txt] says not
 * to; then the tree's own values (the board's fallback) apply. */
static const void *acpi_fold(struct hal_boot_info *bi, const void *dtb)
{
	if (!bi->acpi_rsdp_copy && !bi->acpi_rsdp_pa && !bi->acpi_scan[1].size)
		return dtb; /* no ACPI on this arch or board */
	if (!dtb || fdt_magic(dtb) != FDT_MAGIC)
		return dtb;
	if (cmdline_has_word(bi->cmdline, "acpi=off")) {
		printk("acpi: off (acpi=off); the board tree's fallback values apply\n");
		return dtb;
	}
	if (acpi_boot_fold(bi, dtb, acpi_dtb, sizeof(acpi_dtb)))
		return dtb;
	return acpi_dtb;
}

static void parse_board(struct hal_boot_info *bi)
{
	char msg[160];
	unsigned flags = bi->nr_mem ? BOARD_PARSE_MEM_OPTIONAL : 0;
	const void *dtb = acpi_fold(bi, usable_dtb(bi->dtb));
	int err;

	if (dtb && fdt_magic(dtb) == FDT_MAGIC)
		err = board_parse_buf(dtb, fdt_totalsize(dtb), flags, &board, msg, sizeof(msg));
	else
		err = board_parse(dtb, &board, msg, sizeof(msg));
	if (err)
		panic("cannot use the device tree at %p: %s", bi->dtb, msg);
	board_fdt = dtb;

	/* The loader knows better than a tree linked into the image. */
	if (bi->nr_mem) {
		board.nr_mem = MIN(bi->nr_mem, (unsigned)BOARD_MAX_RANGES);
		memcpy(board.mem, bi->mem, board.nr_mem * sizeof(board.mem[0]));
	}
	if (bi->cmdline && bi->cmdline[0])
		strlcpy(board.cmdline, bi->cmdline, sizeof(board.cmdline));
	if (bi->initrd_size) {
		board.initrd_start = bi->initrd_base;
		board.initrd_end = bi->initrd_base + bi->initrd_size;
	}
}

static void add_range(struct hal_mem_range *r, unsigned *n, paddr_t base, uint64_t size)
{
	if (size && *n < MAX_RESERVED) {
		r[*n].base = base;
		r[*n].size = size;
		(*n)++;
	}
}

static void init_memory(struct hal_boot_info *bi)
{
	static struct hal_mem_range reserved[MAX_RESERVED];
	unsigned nr = 0;
	int err;

	for (unsigned i = 0; i < board.nr_mem; i++)
		printk("memory: [%#llx-%#llx]\n", (unsigned long long)board.mem[i].base,
		       (unsigned long long)(board.mem[i].base + board.mem[i].size - 1));
	err = hal_mm_init(board.mem, board.nr_mem);
	if (err)
		panic("hal_mm_init failed (%d)", err);
	for (unsigned i = 0; i < bi->nr_reserved && i < HAL_BOOT_MAX_RANGES; i++)
		add_range(reserved, &nr, bi->reserved[i].base, bi->reserved[i].size);
	for (unsigned i = 0; i < board.nr_reserved; i++)
		add_range(reserved, &nr, board.reserved[i].base, board.reserved[i].size);
	if (board.initrd_end > board.initrd_start)
		add_range(reserved, &nr, board.initrd_start, board.initrd_end - board.initrd_start);
	/* The tree stays in use for the whole run (drivers read it). */
	add_range(reserved, &nr, hal_virt_to_phys(board_fdt), fdt_totalsize(board_fdt));
	for (unsigned i = 0; i < nr; i++)
		printk("reserved: [%#llx-%#llx]\n", (unsigned long long)reserved[i].base,
		       (unsigned long long)(reserved[i].base + reserved[i].size - 1));
	frame_alloc_init(board.mem, board.nr_mem, reserved, nr);
}

static void probe_drivers(void)
{
	for (int cls = 0; cls < DRV_CLASS_COUNT; cls++) {
		int n = board_probe_class(cls);

		if (cls == DRV_CLASS_CONSOLE)
			printk_replay();
		printk("board: %d %s driver(s) probed\n", n, class_names[cls]);
	}
}

/* Is [start, end) inside one RAM range (so the direct map covers it)? */
static bool in_ram(paddr_t start, paddr_t end)
{
	for (unsigned i = 0; i < board.nr_mem; i++) {
		if (start >= board.mem[i].base && end <= board.mem[i].base + board.mem[i].size)
			return true;
	}
	return false;
}

static void unpack_initramfs(void)
{
	paddr_t start = board.initrd_start, end = board.initrd_end;
	int err;

	if (end <= start) {
		printk("initramfs: none given; the root file system is empty\n");
		return;
	}
	if (!in_ram(start, end)) {
		pr_err("initramfs: [%#llx-%#llx) is not in RAM; ignored\n",
		       (unsigned long long)start, (unsigned long long)end);
		return;
	}
	printk("initramfs: unpacking %llu bytes at %#llx\n", (unsigned long long)(end - start),
	       (unsigned long long)start);
	err = initramfs_unpack(hal_phys_to_virt(start), (size_t)(end - start));
	if (err)
		pr_err("initramfs: unpacking failed (%d); continuing with what was unpacked\n",
		       err);
}

/* Linux's prepare_namespace() (init/do_mounts.c) for "root=" when the
 * initramfs has no rdinit: mount the device root= names (a /dev path, e.g.
 * /dev/vda1) with "rootfstype=" (default ext2) and "rootflags=", read-only
 * unless "rw" is given (Linux's default is "ro"), on /root; "rootwait" waits
 * for the device to appear. devtmpfs goes on its /dev; then /root becomes
 * the root (and cwd) of init, as after Linux's MS_MOVE + chroot. No
 * return on failure: a panic names the device, as Linux's "VFS: Unable to
 * mount root fs". */
static void mount_root_device(const char *root)
{
	const char *fstype = cmdline_get("rootfstype"), *rootflags = cmdline_get("rootflags");
	unsigned long flags = cmdline_get("rw") ? 0 : 1 /* MS_RDONLY */;
	bool wait = cmdline_get("rootwait") != NULL;
	int err;

	if (!fstype || !fstype[0])
		fstype = "ext2";
	err = vfs_mkdir("/root", 0700);
	if (err && err != -EEXIST)
		pr_err("init: mkdir /root failed (%d)\n", err);
	for (unsigned tries = 0;; tries++) {
		err = vfs_mount(root, "/root", fstype, flags, rootflags);
		if (!wait || (err != -ENOENT && err != -ENXIO))
			break;
		if (tries == 0)
			printk("Waiting for root device %s...\n", root);
		sched_sleep_until(time_monotonic_ns() + 100 * 1000000ULL, false);
	}
	if (err)
		panic("VFS: Unable to mount root fs on %s (%s, error %d)", root, fstype, err);
	printk("VFS: Mounted root (%s filesystem)%s on device %s.\n", fstype,
	       flags ? " readonly" : "", root);
	err = vfs_mount("devtmpfs", "/root/dev", "devtmpfs", 0, NULL);
	if (err)
		pr_err("init: mounting devtmpfs on /dev of the root failed (%d)\n", err);
	err = vfs_chroot("/root");
	if (err)
		panic("cannot change into the root file system (%d)", err);
}

/* exec path as PID 1 with the command line's extra arguments and
 * environment. Returns only on failure, with -errno. */
static int run_init(const char *path)
{
	static const char *argv[40], *envp[40];
	const char *const *extra;
	unsigned n = 0;

	argv[n++] = path;
	for (extra = cmdline_init_argv(); *extra && n < ARRAY_SIZE(argv) - 1; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	n = 0;
	envp[n++] = "HOME=/";
	envp[n++] = "TERM=linux";
	for (extra = cmdline_init_envp(); *extra && n < ARRAY_SIZE(envp) - 1; extra++)
		envp[n++] = *extra;
	envp[n] = NULL;
	return kernel_execve_init(path, argv, envp);
}

static void kernel_init(void *arg)
{
	static const char *const fallbacks[] = { "/sbin/init", "/etc/init", "/bin/init",
						 "/bin/sh" };
	const char *rdinit = cmdline_get("rdinit"), *init = cmdline_get("init");
	const char *root = cmdline_get("root");
	int err;

	(void)arg;
	/* The other CPUs, parked until the scheduler uses them; as Linux's
	 * kernel_init_freeable(), once the tick runs (their timers follow it). */
	smp_init();
	/* The vDSO, before the first exec maps it (hal/vdso.h). */
	err = hal_vdso_init();
	if (err)
		printk("vdso: none (%d): clocks go through system calls\n", err);
	else
		time_vdso_start();
	vfs_init();
	sock_init();
	services_init();
	blk_start(); /* disks found at probe: nodes and partition tables */
	err = vfs_mount_root("tmpfs");
	if (err)
		panic("cannot mount the root tmpfs (%d)", err);
	unpack_initramfs();
	err = vfs_mkdir("/dev", 0755);
	if (err && err != -EEXIST)
		pr_err("init: mkdir /dev failed (%d)\n", err);
	err = vfs_mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	if (err)
		pr_err("init: mounting devtmpfs on /dev failed (%d)\n", err);
	/* devpts for the pty slaves, with the options Debian's boot uses
	 * (the tty group, 5, and mode 0620). [pty(7)] */
	err = vfs_mount("devpts", "/dev/pts", "devpts", 0, "gid=5,mode=620,ptmxmode=000");
	if (err)
		pr_err("init: mounting devpts on /dev/pts failed (%d)\n", err);

	if (!rdinit || !rdinit[0])
		rdinit = "/init";
	err = run_init(rdinit);
	if (err == -ENOENT && root && root[0]) {
		/* No init in the initramfs (or none at all): the root device. */
		mount_root_device(root);
	} else {
		pr_err("Failed to execute %s (error %d)\n", rdinit, err);
	}
	if (init && init[0]) {
		err = run_init(init);
		panic("Requested init %s failed (error %d).", init, err);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(fallbacks); i++) {
		err = run_init(fallbacks[i]);
		if (err != -ENOENT)
			pr_err("Failed to execute %s (error %d)\n", fallbacks[i], err);
	}
	panic("No working init found.  Try passing init= option to kernel.");
}

/* The console level from the command line, before the console is live
 * so the boot log already follows it (Linux's early "quiet", "debug" and
 * "loglevel=N" [kernel-parameters.txt]): quiet shows errors only. */
static void console_levels(void)
{
	const char *lv = cmdline_get("loglevel");

	if (cmdline_get("quiet"))
		printk_set_quiet(true);
	if (cmdline_get("debug"))
		printk_console_level(10);
	if (lv && *lv) {
		char *end;
		long n = strtol(lv, &end, 10);

		if (*end || n < 1 || n > 15)
			pr_err("loglevel=%s: not a level 1..15; ignored\n", lv);
		else
			printk_console_level((int)n);
	}
}

__noreturn void kernel_main(struct hal_boot_info *bi)
{
	percpu_init_boot(); /* before anything reads `current` */
	printk("Kevlar %s: kernel_main\n", KEVLAR_VERSION);
	parse_board(bi);
	cmdline_parse(board.cmdline);
	console_levels();
	if (cmdline_get("semihosting"))
		hal_set_panic_exit_semihosting(true);
	init_memory(bi);
	probe_drivers();
	printk("Kevlar %s (profile %s) on %s\n", KEVLAR_VERSION, KEVLAR_PROFILE_NAME, board.model);
	printk("cmdline: %s\n", board.cmdline);
	hardening_log();
	printk("memory: %llu KiB available\n", (unsigned long long)(frame_free_bytes() >> 10));
	printk("syscalls: %u of this arch's %u implemented\n", syscall_count_implemented(),
	       syscall_count_listed());
	random_init();
	stack_protector_reseed();
	sched_init();
	sched_start(kernel_init, NULL);
}
