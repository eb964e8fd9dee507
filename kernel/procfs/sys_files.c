/* System-wide /proc files: cpuinfo, meminfo, uptime, version, loadavg,
 * stat, filesystems, cmdline and /proc/sys/kernel/{ostype,osrelease,
 * pid_max}. Formats from [proc(5)] and Linux fs/proc/. */
#include <kernel/board.h>
#include <kernel/kmalloc.h>
#include <kernel/mm.h>
#include <kernel/net.h>
#include <kernel/sock_core.h>
#include <kernel/ns.h>
#include <kernel/printk.h>
#include <kernel/random.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/vfs.h>
#include <kevlar/profile.h>
#include <string.h>

#include "procfs.h"

#define NS_PER_TICK (1000000000ULL / SCHED_HZ)
/* Load averages are fixed point with 11 fractional bits (Linux FSHIFT). */
#define FSHIFT 11
#define FIXED_1 (1UL << FSHIFT)
#define LOAD_INT(x) ((x) >> FSHIFT)
#define LOAD_FRAC(x) LOAD_INT(((x) & (FIXED_1 - 1)) * 100)

/* The CPU description ([proc(5)] /proc/cpuinfo), from the core (board.h):
 * one block per online CPU, numbered in its "processor" line (the CPUs of
 * a board are alike; the HAL describes the one reading). */
int proc_show_cpuinfo(struct seqbuf *s, struct task *t)
{
	static const char key[] = "processor\t: 0";

	for (unsigned c = 0; c < KEVLAR_MAX_CPUS && !s->overflow; c++) {
		size_t at = s->len;

		if (!cpu_online(c))
			continue;
		seq_fill(s, board_cpu_describe);
		if (!s->overflow && s->len - at >= sizeof key - 1 &&
		    !memcmp(s->buf + at, key, sizeof key - 1) && c < 10)
			s->buf[at + sizeof key - 2] = (char)('0' + c);
	}
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
	/* One line per online CPU (glibc's get_nprocs() counts them when
	 * there is no sysfs): the ticks its timer found it in user mode, in
	 * the kernel and idle. */
	for (unsigned c = 0; c < KEVLAR_MAX_CPUS; c++) {
		struct cpu_stats *st = &percpu_of(c)->stats;

		if (!cpu_online(c))
			continue;
		seq_printf(s, "cpu%u %llu 0 %llu %llu 0 0 0 0 0 0\n", c,
			   (unsigned long long)__atomic_load_n(&st->user_ticks, __ATOMIC_RELAXED),
			   (unsigned long long)__atomic_load_n(&st->sys_ticks, __ATOMIC_RELAXED),
			   (unsigned long long)__atomic_load_n(&st->idle_ticks, __ATOMIC_RELAXED));
	}
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

/* ---- /proc/sys/kernel/random [random(4)] ---------------------------------- */

/* A random version-4 UUID, as Linux's generate_random_uuid(). */
static void uuid_v4(char out[37])
{
	uint8_t b[16];

	get_random_bytes(b, sizeof b);
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

/* Written once under boot_id_lock, on the first read; the same for the
 * whole boot after that. */
static char boot_id[37];
static DEFINE_SPINLOCK(boot_id_lock);

/* random.boot_id: one UUID per boot. */
int proc_show_boot_id(struct seqbuf *s, struct task *t)
{
	char id[37];
	irqflags_t f;

	uuid_v4(id);
	f = spin_lock_irqsave(&boot_id_lock);
	if (!boot_id[0])
		memcpy(boot_id, id, sizeof id);
	memcpy(id, boot_id, sizeof id);
	spin_unlock_irqrestore(&boot_id_lock, f);
	seq_printf(s, "%s\n", id);
	return 0;
}

/* random.uuid: a new UUID on every read. */
int proc_show_uuid(struct seqbuf *s, struct task *t)
{
	char id[37];

	uuid_v4(id);
	seq_printf(s, "%s\n", id);
	return 0;
}

/* The pool is a ChaCha20 CSPRNG seeded at boot: always full, as Linux 5.18+
 * reports it (256 bits). */
int proc_show_entropy_avail(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "256\n");
	return 0;
}

int proc_show_poolsize(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "256\n");
	return 0;
}

/* ---- /proc/sys/kernel: names and limits [proc(5)] --------------------------- */

static int show_uts(struct seqbuf *s, bool domain)
{
	char name[65];

	uts_ns_name(current, domain, name, sizeof name);
	seq_printf(s, "%s\n", name);
	return 0;
}

int proc_show_hostname(struct seqbuf *s, struct task *t)
{
	return show_uts(s, false);
}

int proc_show_domainname(struct seqbuf *s, struct task *t)
{
	return show_uts(s, true);
}

/* Writing kernel.hostname / kernel.domainname sets the caller's UTS
 * namespace's name, as sethostname(2)/setdomainname(2) do. */
ssize_t proc_write_hostname(struct task *t, const char *buf, size_t len)
{
	int r = uts_ns_set_name(false, buf, len);

	return r ? r : (ssize_t)len;
}

ssize_t proc_write_domainname(struct task *t, const char *buf, size_t len)
{
	int r = uts_ns_set_name(true, buf, len);

	return r ? r : (ssize_t)len;
}

/* fs.pipe-max-size ([pipe(7)] "/proc files"): the largest F_SETPIPE_SZ of
 * a caller other than root. */
int proc_show_pipe_max_size(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "%lu\n", pipe_max_size_get());
	return 0;
}

/* A decimal number, blanks around it allowed (Linux's proc_douintvec):
 * -EINVAL for anything else or above 2^31 (the value is rounded up to a
 * power of two of pages, as Linux's proc_dopipe_max_size()). */
ssize_t proc_write_pipe_max_size(struct task *t, const char *buf, size_t len)
{
	unsigned long v = 0;
	size_t i = 0, digits = 0;
	int r;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n'))
		i++;
	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++, digits++) {
		v = v * 10 + (unsigned long)(buf[i] - '0');
		if (v > 0xffffffffUL)
			return -EINVAL;
	}
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n'))
		i++;
	if (!digits || i != len)
		return -EINVAL;
	r = pipe_max_size_set(v);
	return r ? r : (ssize_t)len;
}

/* NGROUPS_MAX of Linux (include/uapi/linux/limits.h). */
int proc_show_ngroups_max(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "65536\n");
	return 0;
}

/* The highest capability number Linux 6.1 knows (CAP_CHECKPOINT_RESTORE). */
int proc_show_cap_last_cap(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "40\n");
	return 0;
}

/* [proc(5)] /proc/net/unix: the AF_UNIX sockets (kernel/net/af_unix.c). */
int proc_show_net_unix(struct seqbuf *s, struct task *t)
{
	return seq_fill(s, unix_proc_show);
}

/* [proc(5)] /proc/net/dev: per-interface counters under Linux's two header
 * lines; the interfaces are the network service's (services/net). */
int proc_show_net_dev(struct seqbuf *s, struct task *t)
{
	seq_printf(s,
		   "Inter-|   Receive                                                |  Transmit\n"
		   " face |bytes    packets errs drop fifo frame compressed multicast|bytes    "
		   "packets errs drop fifo colls carrier compressed\n");
	return seq_fill(s, sock_netdev_show);
}

/* [proc(5)] /proc/net/tcp: the TCP sockets of the network service, under
 * Linux's header line. */
int proc_show_net_tcp(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
		      "   uid  timeout inode\n");
	return seq_fill(s, sock_net_tcp_show);
}

/* [proc(5)] /proc/net/udp: the UDP sockets, under Linux's header line
 * (udp4_seq_show(): padded to 127 columns). */
int proc_show_net_udp(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "%-127s\n",
		   "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
		   "retrnsmt   uid  timeout inode ref pointer drops");
	return seq_fill(s, sock_net_udp_show);
}

/* [proc(5)] /proc/net/route: the IPv4 routes of the main table, under
 * Linux's header line (fib_route_seq_show(): padded to 127 columns), as
 * route(8) reads them. */
int proc_show_net_route(struct seqbuf *s, struct task *t)
{
	seq_printf(s, "%-127s\n",
		   "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU"
		   "\tWindow\tIRTT");
	return seq_fill(s, sock_net_route_show);
}
