/* The shape of /proc: which names exist where, with which modes and
 * generators. [proc(5)] */
#include "procfs.h"

#define FILE_ENTRY(n, fn)                                                \
	{                                                                \
		.name = (n), .type = PE_FILE, .perm = 0444, .show = (fn) \
	}
#define TASK_FILE(n, fn)                                                                   \
	{                                                                                  \
		.name = (n), .type = PE_FILE, .perm = 0444, .per_task = true, .show = (fn) \
	}
#define TASK_LINK(n, fn)                                                                       \
	{                                                                                      \
		.name = (n), .type = PE_LINK, .perm = 0777, .per_task = true, .readlink = (fn) \
	}

static const struct proc_entry sys_kernel_children[] = {
	FILE_ENTRY("dmesg_restrict", proc_show_dmesg_restrict),
	FILE_ENTRY("osrelease", proc_show_osrelease),
	FILE_ENTRY("ostype", proc_show_ostype),
	FILE_ENTRY("pid_max", proc_show_pid_max),
};

/* /proc/kevlar: Kevlar's own files (not in Linux; kevlar_files.c). */
static const struct proc_entry kevlar_children[] = {
	FILE_ENTRY("hardening", proc_show_kevlar_hardening),
	FILE_ENTRY("services", proc_show_kevlar_services),
	FILE_ENTRY("syscalls", proc_show_kevlar_syscalls),
};

static const struct proc_entry sys_children[] = {
	{ .name = "kernel",
	  .type = PE_DIR,
	  .perm = 0555,
	  .children = sys_kernel_children,
	  .nchildren = ARRAY_SIZE(sys_kernel_children) },
};

/* /proc/bus/pci */
static const struct proc_entry bus_pci_children[] = {
	FILE_ENTRY("devices", proc_show_pci_devices),
};

static const struct proc_entry bus_children[] = {
	{ .name = "pci",
	  .type = PE_DIR,
	  .perm = 0555,
	  .children = bus_pci_children,
	  .nchildren = ARRAY_SIZE(bus_pci_children) },
};

static const struct proc_entry driver_children[] = {
	FILE_ENTRY("hw_random", proc_show_hw_random),
};

/* /proc/<pid>/fd/<n> */
const struct proc_entry proc_fd_entry = {
	.name = "fd",
	.type = PE_LINK,
	.perm = 0777,
	.per_task = true,
	.readlink = proc_link_fd,
	.get_file = proc_get_fd_file,
};

/* /proc/<pid>/ns: namespaces as links "uts:[<inum>]" [namespaces(7)]. */
static const struct proc_entry ns_children[] = {
	TASK_LINK("uts", proc_link_ns_uts),
};
const struct proc_entry proc_ns_uts_file_entry = {
	.name = "uts",
	.type = PE_FILE,
	.perm = 0444,
	.per_task = true,
	.open = proc_open_ns_uts,
};

static const struct proc_entry pid_children[] = {
	{ .name = "auxv",
	  .type = PE_FILE,
	  .perm = 0400,
	  .per_task = true,
	  .show = proc_show_pid_auxv },
	TASK_FILE("cmdline", proc_show_pid_cmdline),
	{ .name = "comm",
	  .type = PE_FILE,
	  .perm = 0644,
	  .per_task = true,
	  .show = proc_show_pid_comm,
	  .write = proc_write_pid_comm },
	TASK_LINK("exe", proc_link_exe),
	{ .name = "fd", .type = PE_DIR, .perm = 0500, .per_task = true, .dynamic = DYN_FDS },
	TASK_FILE("maps", proc_show_pid_maps),
	TASK_FILE("mounts", proc_show_mounts),
	{ .name = "ns",
	  .type = PE_DIR,
	  .perm = 0511,
	  .per_task = true,
	  .children = ns_children,
	  .nchildren = ARRAY_SIZE(ns_children),
	  .dynamic = DYN_NS },
	TASK_LINK("root", proc_link_root),
	TASK_FILE("stat", proc_show_pid_stat),
	TASK_FILE("statm", proc_show_pid_statm),
	TASK_FILE("status", proc_show_pid_status),
};

/* /proc/<pid> */
const struct proc_entry proc_pid_entry = {
	.name = "<pid>",
	.type = PE_DIR,
	.perm = 0555,
	.per_task = true,
	.children = pid_children,
	.nchildren = ARRAY_SIZE(pid_children),
};

static const struct proc_entry root_children[] = {
	{ .name = "bus",
	  .type = PE_DIR,
	  .perm = 0555,
	  .children = bus_children,
	  .nchildren = ARRAY_SIZE(bus_children) },
	FILE_ENTRY("cmdline", proc_show_cmdline),
	FILE_ENTRY("cpuinfo", proc_show_cpuinfo),
	{ .name = "driver",
	  .type = PE_DIR,
	  .perm = 0555,
	  .children = driver_children,
	  .nchildren = ARRAY_SIZE(driver_children) },
	FILE_ENTRY("filesystems", proc_show_filesystems),
	{ .name = "kevlar",
	  .type = PE_DIR,
	  .perm = 0555,
	  .children = kevlar_children,
	  .nchildren = ARRAY_SIZE(kevlar_children) },
	FILE_ENTRY("loadavg", proc_show_loadavg),
	FILE_ENTRY("meminfo", proc_show_meminfo),
	{ .name = "mounts", .type = PE_LINK, .perm = 0777, .readlink = proc_link_mounts },
	FILE_ENTRY("partitions", proc_show_partitions),
	{ .name = "self", .type = PE_LINK, .perm = 0777, .readlink = proc_link_self },
	FILE_ENTRY("stat", proc_show_stat),
	{ .name = "sys",
	  .type = PE_DIR,
	  .perm = 0555,
	  .children = sys_children,
	  .nchildren = ARRAY_SIZE(sys_children) },
	FILE_ENTRY("uptime", proc_show_uptime),
	FILE_ENTRY("version", proc_show_version),
};

const struct proc_entry proc_root_entry = {
	.name = "/",
	.type = PE_DIR,
	.perm = 0555,
	.children = root_children,
	.nchildren = ARRAY_SIZE(root_children),
	.dynamic = DYN_PIDS,
};
