/* System-wide /proc files: cpuinfo, meminfo, uptime, version, loadavg,
 * stat, filesystems, cmdline and /proc/sys/kernel/{ostype,osrelease,
 * pid_max}. Formats from [proc(5)] and Linux fs/proc/. */
#include <kernel/board.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kevlar/profile.h>

#include "procfs.h"

#define NS_PER_TICK (1000000000ULL / SCHED_HZ)
/* Load averages are fixed point with 11 fractional bits (Linux FSHIFT). */
#define FSHIFT 11
#define FIXED_1 (1UL << FSHIFT)
#define LOAD_INT(x) ((x) >> FSHIFT)
#define LOAD_FRAC(x) LOAD_INT(((x) & (FIXED_1 - 1)) * 100)

/* The CPU description ([proc(5)] /proc/cpuinfo), from the core (board.h). */
int proc_show_cpuinfo(struct seqbuf *s, struct task *t)
{
	size_t room = s->cap - s->len;
	size_t n = board_cpu_describe(s->buf + s->len, room);

	if (n + 1 >= room) {
		s->overflow = true;
		s->len = s->cap;
		return 0;
	}
	s->len += n;
	return 0;
}

static void kb_line(struct seqbuf *s, const char *name, uint64_t kb)
{
	seq_printf(s, "%-16s%8llu kB\n", name, (unsigned long long)kb);
}

/* [proc(5)] /proc/meminfo, in kB. No page cache or swap here. */
int proc_show_meminfo(struct seqbuf *s, struct task *t)
{
	uint64_t total = frame_total_bytes() / 1024;
	uint64_t free = frame_free_bytes() / 1024;

	kb_line(s, "MemTotal:", total);
	kb_line(s, "MemFree:", free);
	kb_line(s, "MemAvailable:", free);
	kb_line(s, "Buffers:", 0);
	kb_line(s, "Cached:", 0);
	kb_line(s, "SwapCached:", 0);
	kb_line(s, "Active:", 0);
	kb_line(s, "Inactive:", 0);
	kb_line(s, "SwapTotal:", 0);
	kb_line(s, "SwapFree:", 0);
	kb_line(s, "Dirty:", 0);
	kb_line(s, "AnonPages:", 0);
	kb_line(s, "Mapped:", 0);
	kb_line(s, "Shmem:", 0);
	kb_line(s, "Slab:", kmalloc_bytes_in_use() / 1024);
	kb_line(s, "CommitLimit:", total);
	kb_line(s, "VmallocTotal:", 0);
	return 0;
}

/* Seconds since boot and idle seconds, with hundredths. */
int proc_show_uptime(struct seqbuf *s, struct task *t)
{
	uint64_t ns = time_monotonic_ns();
	uint64_t idle = sched_idle_ticks();

	seq_printf(s, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(ns / 1000000000ULL),
		   (unsigned long long)(ns / 10000000ULL % 100),
		   (unsigned long long)(idle / SCHED_HZ),
		   (unsigned long long)(idle % SCHED_HZ * 100 / SCHED_HZ));
	return 0;
}

int proc_show_version(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "Linux version " PROC_OSRELEASE " (kevlar@build) (clang 14) #1 SMP %s\n",
		   KEVLAR_PROFILE_NAME);
	return 0;
}

static unsigned count_tasks(int *last_pid)
{
	struct task *o;
	unsigned n = 0;

	*last_pid = 0;
	list_for_each_entry(o, &task_list, all_list) {
		if (o->tid <= 0)
			continue; /* the idle task */
		n++;
		if (o->tid > *last_pid)
			*last_pid = o->tid;
	}
	return n;
}

/* "1m 5m 15m running/total last_pid". last_pid is the highest pid in use
 * (the allocator's cursor is private to the core). */
int proc_show_loadavg(struct seqbuf *s, struct task *t)
{
	unsigned long avg[3];
	int last;
	unsigned total = count_tasks(&last);

	sched_loadavg(avg);
	for (int i = 0; i < 3; i++)
		avg[i] += FIXED_1 / 200; /* round to hundredths as Linux does */
	seq_printf(s, "%lu.%02lu %lu.%02lu %lu.%02lu %u/%u %d\n", LOAD_INT(avg[0]),
		   LOAD_FRAC(avg[0]), LOAD_INT(avg[1]), LOAD_FRAC(avg[1]), LOAD_INT(avg[2]),
		   LOAD_FRAC(avg[2]), sched_nr_running(), total, last);
	return 0;
}

/* [proc(5)] /proc/stat: CPU time in ticks (live tasks plus what their
 * reaped children used), boot time, process counts. */
int proc_show_stat(struct seqbuf *s, struct task *t)
{
	struct task *o;
	unsigned long long user = 0, sys = 0;
	unsigned long long idle = sched_idle_ticks();
	int last;
	unsigned total = count_tasks(&last);
	int64_t boot_ns = time_realtime_ns() - (int64_t)time_monotonic_ns();

	list_for_each_entry(o, &task_list, all_list) {
		user += o->utime_ticks + o->cutime_ticks;
		sys += o->stime_ticks + o->cstime_ticks;
	}
	seq_printf(s, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", user, sys, idle);
	seq_printf(s, "cpu0 %llu 0 %llu %llu 0 0 0 0 0 0\n", user, sys, idle);
	seq_printf(s,
		   "intr 0\nctxt 0\nbtime %lld\nprocesses %d\nprocs_running %u\n"
		   "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		   (long long)(boot_ns > 0 ? boot_ns / 1000000000LL : 0), last,
		   sched_nr_running() ? sched_nr_running() : 1);
	(void)total;
	return 0;
}

/* The file systems the services of this kernel register. */
int proc_show_filesystems(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "nodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\n");
	return 0;
}

/* The kernel command line. */
int proc_show_cmdline(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "%s\n", board.cmdline);
	return 0;
}

int proc_show_ostype(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "Linux\n");
	return 0;
}

int proc_show_osrelease(struct seqbuf *s, struct task *t)
{
	seq_printf(s, PROC_OSRELEASE "\n");
	return 0;
}

/* PID_MAX of the core is 32767: pids stay below pid_max. */
int proc_show_pid_max(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "32768\n");
	return 0;
}

/* kernel.dmesg_restrict: 0, everyone may read the log (kernel/syslog.c). */
int proc_show_dmesg_restrict(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "0\n");
	return 0;
}
