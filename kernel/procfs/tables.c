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

/* /proc/sys/kernel/random [random(4)] */
static const struct proc_entry sys_kernel_random_children[] = {
	FILE_ENTRY("boot_id", proc_show_boot_id),
	FILE_ENTRY("entropy_avail", proc_show_entropy_avail),
	FILE_ENTRY("poolsize", proc_show_poolsize),
	FILE_ENTRY("uuid", proc_show_uuid),
};

static const struct proc_entry sys_kernel_children[] = {
	FILE_ENTRY("cap_last_cap", proc_show_cap_last_cap),
	FILE_ENTRY("dmesg_restrict", proc_show_dmesg_restrict),
	{ .name = "domainname",
	  .type = PE_FILE,
	  .perm = 0644,
	  .show = proc_show_domainname,
	  .write = proc_write_domainname },
	{ .name = "hostname",
	  .type = PE_FILE,
	  .perm = 0644,
	  .show = proc_show_hostname,
	  .write = proc_write_hostname },
	FILE_ENTRY("ngroups_max", proc_show_ngroups_max),
	FILE_ENTRY("osrelease", proc_show_osrelease),
	FILE_ENTRY("ostype", proc_show_ostype),
	FILE_ENTRY("pid_max", proc_show_pid_max),
	{ .name = "random",
	  .type = PE_DIR,
	  .perm = 0555,
	  .children = sys_kernel_random_children,
	  .nchildren = ARRAY_SIZE(sys_kernel_random_children) },
};

/* /proc/kevlar: Kevlar's own files (not in Linux; kevlar_files.c). */
static const struct proc_entry kevlar_children[] = {
	FILE_ENTRY("acpi", proc_show_kevlar_acpi),
	FILE_ENTRY("hardening", proc_show_kevlar_hardening),
	FILE_ENTRY("services", proc_show_kevlar_services),
	FILE_ENTRY("smp", proc_show_kevlar_smp),
	FILE_ENTRY("syscalls", proc_show_kevlar_syscalls),
};

/* /proc/sys/fs [proc(5)] */
static const struct proc_entry sys_fs_children[] = {
	{ .name = "pipe-max-size",
	  .type = PE_FILE,
	  .perm = 0644,
	  .show = proc_show_pipe_max_size,
	  .write = proc_write_pipe_max_size },
};

static const struct proc_entry sys_children[] = {
	{ .name = "fs",
	  .type = PE_DIR,
	  .perm = 0555,
	  .children = sys_fs_children,
	  .nchildren = ARRAY_SIZE(sys_fs_children) },
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

/* /proc/<pid>/fdinfo/<n> [proc(5)] */
const struct proc_entry proc_fdinfo_entry = {
	.name = "fdinfo",
	.type = PE_FILE,
	.perm = 0444,
	.per_task = true,
	.show_fd = proc_show_pid_fdinfo,
};

/* /proc/<pid>/net [proc(5)]: the network files of the process's network
 * namespace (there is one). */
static const struct proc_entry net_children[] = {
	FILE_ENTRY("dev", proc_show_net_dev),	FILE_ENTRY("route", proc_show_net_route),
	FILE_ENTRY("tcp", proc_show_net_tcp),	FILE_ENTRY("udp", proc_show_net_udp),
	FILE_ENTRY("unix", proc_show_net_unix),
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

/* The files of a process directory /proc/<pid> and of a thread directory
 * /proc/<pid>/task/<tid> (which has no task/ of its own). */
#define TASK_DIR_FILES                                                                    \
	{ .name = "auxv",                                                                 \
	  .type = PE_FILE,                                                                \
	  .perm = 0400,                                                                   \
	  .per_task = true,                                                               \
	  .show = proc_show_pid_auxv },                                                   \
		TASK_FILE("cmdline", proc_show_pid_cmdline),                              \
		{ .name = "comm",                                                         \
		  .type = PE_FILE,                                                        \
		  .perm = 0644,                                                           \
		  .per_task = true,                                                       \
		  .show = proc_show_pid_comm,                                             \
		  .write = proc_write_pid_comm },                                         \
		TASK_LINK("cwd", proc_link_cwd),                                          \
		{ .name = "environ",                                                      \
		  .type = PE_FILE,                                                        \
		  .perm = 0400,                                                           \
		  .per_task = true,                                                       \
		  .show = proc_show_pid_environ },                                        \
		TASK_LINK("exe", proc_link_exe),                                          \
		{ .name = "fd",                                                           \
		  .type = PE_DIR,                                                         \
		  .perm = 0500,                                                           \
		  .per_task = true,                                                       \
		  .dynamic = DYN_FDS },                                                   \
		{ .name = "fdinfo",                                                       \
		  .type = PE_DIR,                                                         \
		  .perm = 0500,                                                           \
		  .per_task = true,                                                       \
		  .dynamic = DYN_FDINFO },                                                \
		TASK_FILE("maps", proc_show_pid_maps),                                    \
		TASK_FILE("mountinfo", proc_show_mountinfo),                              \
		TASK_FILE("mounts", proc_show_mounts),                                    \
		{ .name = "net",                                                          \
		  .type = PE_DIR,                                                         \
		  .perm = 0555,                                                           \
		  .per_task = true,                                                       \
		  .children = net_children,                                               \
		  .nchildren = ARRAY_SIZE(net_children) },                                \
		{ .name = "ns",                                                           \
		  .type = PE_DIR,                                                         \
		  .perm = 0511,                                                           \
		  .per_task = true,                                                       \
		  .children = ns_children,                                                \
		  .nchildren = ARRAY_SIZE(ns_children),                                   \
		  .dynamic = DYN_NS },                                                    \
		TASK_LINK("root", proc_link_root), TASK_FILE("stat", proc_show_pid_stat), \
		TASK_FILE("smaps", proc_show_pid_smaps),                                  \
		TASK_FILE("smaps_rollup", proc_show_pid_smaps_rollup),                    \
		TASK_FILE("statm", proc_show_pid_statm),                                  \
		TASK_FILE("status", proc_show_pid_status),

static const struct proc_entry tid_children[] = { TASK_DIR_FILES };

/* /proc/<pid>/task/<tid> [proc(5)] */
const struct proc_entry proc_tid_entry = {
	.name = "<tid>",
	.type = PE_DIR,
	.perm = 0555,
	.per_task = true,
	.children = tid_children,
	.nchildren = ARRAY_SIZE(tid_children),
};

static const struct proc_entry pid_children[] = {
	TASK_DIR_FILES{ .name = "task",
			.type = PE_DIR,
			.perm = 0555,
			.per_task = true,
			.dynamic = DYN_TASKS },
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
	{ .name = "net", .type = PE_LINK, .perm = 0777, .readlink = proc_link_net },
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
