/* Secondary CPU bring-up (<kernel/smp.h>): the board's /cpus, Linux's
 * nosmp / maxcpus= / nr_cpus=, the possible and online masks, the entry
 * secondary_start() the HAL calls on each new CPU, and IPIs.
 *
 * [DT spec v0.4 §3.7-3.8 (/cpus, cpu nodes, status), Linux
 *  Documentation/admin-guide/kernel-parameters.txt (nosmp, maxcpus=,
 *  nr_cpus=), Documentation/core-api/cpu_hotplug.rst (possible/online)] */
#include <hal/cpu.h>
#include <hal/hardening.h>
#include <hal/timer.h>
#include <hal/upcall.h>
#include <kernel/board.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(HAL_MAX_CPUS <= BOARD_MAX_CPUS, "per-CPU arrays are indexed by board CPU");
_Static_assert(HAL_MAX_CPUS <= 8 * sizeof(unsigned long), "a CPU mask is one word");

/* Written by the boot CPU in smp_init() before any secondary runs, then
 * read-only: the logical -> hardware map and the possible mask. */
static uint64_t logical_hwid[HAL_MAX_CPUS] = { [0 ... HAL_MAX_CPUS - 1] = ~0ULL };
static unsigned long possible_mask = 1;
/* Set bit by bit, each by its own CPU (atomic or, release); read anywhere. */
static unsigned long online_mask = 1;

/* One "call function" slot per target CPU. call_lock[cpu] serialises the
 * callers of smp_call_function_single(cpu, ...) and protects fn/arg while a
 * caller owns the slot; the target reads them after seeing pending (acquire)
 * and clears pending (release) once fn returned. */
struct call_slot {
	spinlock_t lock;
	void (*fn)(void *);
	void *arg;
	int pending; /* 1: queued, 0: done (atomics only) */
};
static struct call_slot call_slots[HAL_MAX_CPUS];

/* IPIs taken, per CPU and kind: each counter written only by its CPU. */
static unsigned long ipi_counts[HAL_MAX_CPUS][HAL_IPI_NR];

/* smp_sched's value without the parameter. */
#define SMP_SCHED_DEFAULT 0

unsigned long cpu_possible_mask(void)
{
	return possible_mask;
}

unsigned long cpu_online_mask(void)
{
	return __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
}

bool cpu_online(unsigned cpu)
{
	return cpu < HAL_MAX_CPUS && (cpu_online_mask() & (1UL << cpu));
}

unsigned num_online_cpus(void)
{
	return (unsigned)__builtin_popcountl(cpu_online_mask());
}

unsigned num_possible_cpus(void)
{
	return (unsigned)__builtin_popcountl(possible_mask);
}

uint64_t cpu_hwid(unsigned cpu)
{
	return cpu < HAL_MAX_CPUS ? logical_hwid[cpu] : ~0ULL;
}

unsigned long smp_ipi_count(unsigned cpu, unsigned kind)
{
	if (cpu >= HAL_MAX_CPUS || kind >= HAL_IPI_NR)
		return 0;
	return __atomic_load_n(&ipi_counts[cpu][kind], __ATOMIC_RELAXED);
}

/* A numeric parameter, or def if absent or not a number. */
static unsigned param_uint(const char *key, unsigned def)
{
	const char *v = cmdline_get(key);
	char *end;
	unsigned long n;

	if (!v || !v[0])
		return def;
	n = strtoul(v, &end, 0);
	if (*end)
		return def;
	return n > HAL_MAX_CPUS ? HAL_MAX_CPUS : (unsigned)n;
}

/* Secondary CPU entry from the HAL: mark this CPU online, then run tasks
 * (smp_sched=1: sched_ap_run()) or park it, answering interrupts (IPIs,
 * the per-CPU timer) only. */
__noreturn void secondary_start(unsigned cpu)
{
	int err = percpu_init_secondary(cpu); /* `current`: this CPU's idle task */

	if (err) {
		printk("smp: CPU %u: no per-CPU state (%d), parked\n", cpu, err);
		for (;;)
			hal_cpu_halt();
	}
	__atomic_fetch_or(&online_mask, 1UL << cpu, __ATOMIC_RELEASE);
	if (sched_smp)
		sched_ap_run();
	hal_irq_enable();
	for (;;)
		hal_cpu_idle();
}

void kernel_ipi(unsigned kind)
{
	unsigned cpu = hal_cpu_id();

	if (cpu >= HAL_MAX_CPUS || kind >= HAL_IPI_NR)
		return;
	__atomic_store_n(&ipi_counts[cpu][kind], ipi_counts[cpu][kind] + 1, __ATOMIC_RELAXED);
	if (kind == HAL_IPI_CALL_FUNC) {
		struct call_slot *s = &call_slots[cpu];
		if (__atomic_load_n(&s->pending, __ATOMIC_ACQUIRE)) {
			s->fn(s->arg);
			__atomic_store_n(&s->pending, 0, __ATOMIC_RELEASE);
		}
	}
	/* "Look at your run queue": schedule() on the way out of the
	 * interrupt (to user mode) or in the idle loop. */
	if (kind == HAL_IPI_RESCHEDULE && this_cpu())
		this_cpu()->resched = true;
	if (kind == HAL_IPI_STOP)
		smp_stop_self();
}

int smp_call_function_single(unsigned cpu, void (*fn)(void *), void *arg, uint64_t timeout_ns)
{
	struct call_slot *s;
	irqflags_t flags;
	int err = 0;

	if (!cpu_online(cpu) || !fn)
		return -EINVAL;
	if (cpu == hal_cpu_id()) {
		flags = hal_irq_save();
		fn(arg);
		hal_irq_restore(flags);
		return 0;
	}
	s = &call_slots[cpu];
	flags = spin_lock_irqsave(&s->lock);
	if (__atomic_load_n(&s->pending, __ATOMIC_ACQUIRE)) {
		spin_unlock_irqrestore(&s->lock, flags);
		return -EBUSY;
	}
	s->fn = fn;
	s->arg = arg;
	__atomic_store_n(&s->pending, 1, __ATOMIC_RELEASE);
	err = hal_ipi_send(cpu, HAL_IPI_CALL_FUNC);
	if (!err) {
		uint64_t end = hal_timer_now_ns() + timeout_ns;
		while (__atomic_load_n(&s->pending, __ATOMIC_ACQUIRE)) {
			if (hal_timer_now_ns() > end) {
				err = -ETIMEDOUT;
				break;
			}
			hal_cpu_relax();
		}
	} else {
		__atomic_store_n(&s->pending, 0, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return err;
}

static void ping_fn(void *arg)
{
	struct smp_ping *p = arg;

	p->ran_on = hal_cpu_id();
	p->hardening = hal_hardening();
}

int smp_ping(unsigned cpu, struct smp_ping *out)
{
	uint64_t t0, end;
	unsigned long before;

	memset(out, 0, sizeof(*out));
	if (!cpu_online(cpu) || cpu == hal_cpu_id())
		return -EINVAL;
	before = smp_ipi_count(cpu, HAL_IPI_RESCHEDULE);
	t0 = hal_timer_now_ns();
	end = t0 + 1000000000ULL;
	out->resched = hal_ipi_send(cpu, HAL_IPI_RESCHEDULE);
	while (!out->resched && smp_ipi_count(cpu, HAL_IPI_RESCHEDULE) == before) {
		if (hal_timer_now_ns() > end)
			out->resched = -ETIMEDOUT;
		hal_cpu_relax();
	}
	out->resched_ns = hal_timer_now_ns() - t0;
	out->ran_on = ~0u;
	t0 = hal_timer_now_ns();
	out->call = smp_call_function_single(cpu, ping_fn, out, 1000000000ULL);
	out->call_ns = hal_timer_now_ns() - t0;
	return 0;
}

/* Wait for cpu to come online, at most SMP_BOOT_TIMEOUT_MS. */
static bool wait_online(unsigned cpu)
{
	uint64_t end = hal_timer_now_ns() + SMP_BOOT_TIMEOUT_MS * 1000000ULL;

	while (!cpu_online(cpu)) {
		if (hal_timer_now_ns() > end)
			return false;
		hal_cpu_relax();
	}
	return true;
}

/* The board's CPUs in logical order: the boot CPU first, then the others
 * in tree order; disabled ones skipped, at most limit. Returns how many. */
static unsigned map_cpus(const struct board_cpu **order, unsigned limit)
{
	uint64_t self = hal_cpu_hwid();
	unsigned n = 1;

	order[0] = NULL; /* the boot CPU, even if the tree does not list it */
	for (unsigned i = 0; i < board.nr_cpus; i++) {
		const struct board_cpu *c = &board.cpus[i];
		if (c->hwid == self) {
			order[0] = c;
			continue;
		}
		if (c->status == BOARD_CPU_FAIL || n >= limit)
			continue;
		order[n++] = c;
	}
	return n;
}

void smp_init(void)
{
	const struct board_cpu *order[HAL_MAX_CPUS];
	unsigned nr_cpus = param_uint("nr_cpus", HAL_MAX_CPUS);
	unsigned maxcpus = param_uint("maxcpus", HAL_MAX_CPUS);
	unsigned listed, up = 1;

	for (unsigned cpu = 0; cpu < HAL_MAX_CPUS; cpu++)
		spin_lock_init(&call_slots[cpu].lock, "call_slots[cpu].lock");
	if (nr_cpus == 0)
		nr_cpus = 1;
	if (cmdline_get("nosmp"))
		maxcpus = 0;
	/* smp_sched=1: the secondaries run tasks (off by default until every
	 * guest suite passes with it, docs/architecture.md "Scheduler"). */
	sched_smp = param_uint("smp_sched", SMP_SCHED_DEFAULT) != 0;
	if (sched_smp && !hal_smp_tasks_ok()) {
		printk("smp: this CPU's user-mode state is not per-CPU in the HAL (emulated PAN): "
		       "tasks stay on CPU0\n");
		sched_smp = false;
	}
	listed = map_cpus(order, nr_cpus);
	logical_hwid[0] = hal_cpu_hwid();
	if (!order[0] && board.nr_cpus)
		printk("smp: the boot CPU (hwid %#llx) is not in the tree's /cpus\n",
		       (unsigned long long)logical_hwid[0]);
	for (unsigned cpu = 1; cpu < listed; cpu++) {
		logical_hwid[cpu] = order[cpu]->hwid;
		possible_mask |= 1UL << cpu;
	}
	for (unsigned cpu = 1; cpu < listed; cpu++) {
		const struct board_cpu *c = order[cpu];
		struct hal_cpu_boot b = { c->hwid, c->enable_method, c->release_addr };
		int err;

		if (cpu >= maxcpus || c->status == BOARD_CPU_DISABLED) {
			printk("smp: CPU%u (hwid %#llx) left offline (%s)\n", cpu,
			       (unsigned long long)c->hwid,
			       c->status == BOARD_CPU_DISABLED ? "status \"disabled\"" :
			       cmdline_get("nosmp")	       ? "nosmp" :
								 "maxcpus=");
			continue;
		}
		err = hal_cpu_start(cpu, &b);
		if (err) {
			printk("smp: CPU%u (hwid %#llx, %s) cannot be started (%d)\n", cpu,
			       (unsigned long long)c->hwid,
			       c->enable_method[0] ? c->enable_method : "default method", err);
			continue;
		}
		if (!wait_online(cpu)) {
			printk("smp: CPU%u (hwid %#llx) did not come up within %u ms; going on "
			       "without it\n",
			       cpu, (unsigned long long)c->hwid, SMP_BOOT_TIMEOUT_MS);
			continue;
		}
		printk("smp: CPU%u (hwid %#llx) online\n", cpu, (unsigned long long)c->hwid);
		up++;
	}
	printk("smp: brought up %u of %u CPUs\n", up, listed);
}

/* CPUs parked by smp_stop_self() (atomics only). */
static unsigned long stopped_mask;

__noreturn void smp_stop_self(void)
{
	unsigned long bit = 1UL << hal_cpu_id();

	hal_irq_disable();
	__atomic_fetch_and(&online_mask, ~bit, __ATOMIC_RELEASE);
	__atomic_fetch_or(&stopped_mask, bit, __ATOMIC_RELEASE);
	hal_cpu_halt();
}

unsigned smp_send_stop(uint64_t timeout_ns, unsigned *total_out)
{
	unsigned long self = 1UL << hal_cpu_id();
	unsigned long others = cpu_online_mask() & ~self;
	unsigned total = (unsigned)__builtin_popcountl(others), stopped;
	uint64_t start = hal_timer_now_ns();

	*total_out = total;
	if (!others)
		return 0;
	for (unsigned cpu = 0; cpu < HAL_MAX_CPUS; cpu++)
		if (others & (1UL << cpu))
			hal_ipi_send(cpu, HAL_IPI_STOP);
	while ((__atomic_load_n(&stopped_mask, __ATOMIC_ACQUIRE) & others) != others &&
	       hal_timer_now_ns() - start < timeout_ns)
		hal_cpu_relax();
	stopped = (unsigned)__builtin_popcountl(__atomic_load_n(&stopped_mask, __ATOMIC_ACQUIRE) &
						others);
	return stopped;
}
