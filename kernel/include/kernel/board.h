/* The board layer: the device tree parsed once, with libfdt, into
 * struct board_info (DESIGN.md §3), then drivers probed by class. */
#ifndef KERNEL_BOARD_H
#define KERNEL_BOARD_H
#include <hal/boot.h>
#include <hal/types.h>

#define BOARD_MAX_RANGES 32
#define BOARD_MAX_CPUS 8
#define BOARD_CMDLINE_MAX 1024

struct board_cpu {
	uint64_t hwid;		/* MPIDR (arm64) / APIC ID (x86_64): the "reg" */
	char enable_method[24]; /* "psci", "spin-table", "intel,apic-init-sipi" or "" */
	uint64_t release_addr;	/* spin-table cpu-release-addr, else 0 */
	uint8_t status;		/* BOARD_CPU_* from "status" [DT spec §3.8 Table 3.6] */
};

/* A cpu node's "status": absent or "okay" -> OK; "disabled" (quiescent, could
 * be started later: not started at boot, but possible) -> DISABLED; "fail"
 * or "fail-sss" -> FAIL (not usable, not counted). */
#define BOARD_CPU_OK 0
#define BOARD_CPU_DISABLED 1
#define BOARD_CPU_FAIL 2

struct board_info {
	char model[64];				    /* /model, else /compatible[0] */
	char compatible[64];			    /* /compatible[0] */
	struct hal_mem_range mem[BOARD_MAX_RANGES]; /* RAM, sorted, merged */
	unsigned nr_mem;
	struct hal_mem_range reserved[BOARD_MAX_RANGES]; /* /memreserve/ + /reserved-memory */
	unsigned nr_reserved;
	struct board_cpu cpus[BOARD_MAX_CPUS];
	unsigned nr_cpus;
	char cmdline[BOARD_CMDLINE_MAX];  /* /chosen/bootargs (or the loader's) */
	paddr_t initrd_start, initrd_end; /* /chosen/linux,initrd-* (end exclusive), 0 if none */
	int stdout_node;		  /* libfdt offset of /chosen/stdout-path target, or -1 */
	char psci_method[8];		  /* "hvc", "smc" or "" */
};

/* Parse fdt into *bi. Errors (not a DTB, bad header or structure, no
 * /memory): -EINVAL with a message in msg (at most msglen bytes).
 * Pure logic: also built for the host tests. */
int board_parse(const void *fdt, struct board_info *bi, char *msg, size_t msglen);

/* As board_parse() for a blob in a buffer of bufsize bytes (the header's
 * totalsize must fit in it: a truncated blob is -EINVAL). flags:
 * BOARD_PARSE_MEM_OPTIONAL accepts a tree without /memory (the loader
 * reports RAM, e.g. the x86_64 e820 map). */
#define BOARD_PARSE_MEM_OPTIONAL 0x1
int board_parse_buf(const void *fdt, size_t bufsize, unsigned flags, struct board_info *bi,
		    char *msg, size_t msglen);

/* The parsed board (valid after kernel_main's board_parse). */
extern struct board_info board;
extern const void *board_fdt;

/* Probe every enabled DT node whose compatible matches a driver of class
 * cls (status "okay" or absent). Returns the number probed. */
int board_probe_class(int cls);

/* This machine's CPU description for /proc/cpuinfo ([proc(5)]): the HAL's text
 * (hal_cpu_describe) in buf, NUL-terminated, at most len bytes; returns its
 * length. The service API's way to it: services do not call the HAL (DESIGN §1). */
size_t board_cpu_describe(char *buf, size_t len);

#endif
