/* /proc/kevlar/: Kevlar's own files, not in Linux's /proc (proc(5)
 * knows none of them; programs written for Linux never look here).
 *
 * /proc/kevlar/syscalls, system call counts (kernel/syscall/dispatch.c):
 *   self <n>      calls made so far by the thread reading the file (the
 *                 open and read that produce this text included)
 *   total <n>     calls by every thread since boot
 *   <name> <n>    per system call, each one called at least once, by number
 * A test reads it before and after some work: an unchanged difference
 * (against two reads with nothing in between) proves the work made no
 * system call, e.g. clock_gettime served by the vDSO. */
#include <hal/hardening.h>
#include <kernel/acpi.h>
#include <kernel/hardening.h>
#include <kernel/service.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "procfs.h"

int proc_show_kevlar_syscalls(struct seqbuf *s, struct task *t)
{
	(void)t;
	seq_printf(s, "self %llu\n", (unsigned long long)(current ? current->nr_syscalls : 0));
	seq_printf(s, "total %llu\n", (unsigned long long)syscall_calls_total());
	for (unsigned long nr = 0; nr < syscall_nr_limit(); nr++) {
		uint64_t n = syscall_calls(nr);
		const char *name = syscall_name_of(nr);

		if (n && name)
			seq_printf(s, "%s %llu\n", name, (unsigned long long)n);
	}
	return 0;
}

/* /proc/kevlar/services: service containment counters (<kernel/service.h>),
 * one "name value" per line:
 *   containment      1 under Fortress/Balanced (faults contained), else 0
 *   contained        service calls that returned -EIO after a fault
 *   instances_failed service instances marked failed
 *   charged_bytes    live allocations charged to service instances
 *   reclaimed_bytes  freed by the core from failed instances at teardown
 *   cap_refused      capability tokens refused as forged or stale (Fortress) */
int proc_show_kevlar_services(struct seqbuf *s, struct task *t)
{
	struct svc_stats st;

	(void)t;
	svc_get_stats(&st);
#ifdef SVC_CONTAIN
	seq_printf(s, "containment 1\n");
#else
	seq_printf(s, "containment 0\n");
#endif
	seq_printf(s, "contained %lu\n", st.calls_contained);
	seq_printf(s, "instances_failed %lu\n", st.instances_failed);
	seq_printf(s, "charged_bytes %zu\n", st.bytes_charged);
	seq_printf(s, "reclaimed_bytes %lu\n", st.bytes_reclaimed);
	seq_printf(s, "cap_refused %lu\n", cap_refused_count());
	return 0;
}

/* /proc/kevlar/hardening: the CPU hardening in force (<kernel/hardening.h>),
 * one "name on|off" per line, e.g. on x86_64 under Balanced:
 *   smep on / smap on / wx on / stackprot on / zeroinit off
 * (arm64: pxn, pan or pan-ttbr0, wx, ...). Read live: "smap on" means CR4.SMAP
 * is set now, "pan on" that PSTATE.PAN is set in this very system call. */
int proc_show_kevlar_hardening(struct seqbuf *s, struct task *t)
{
	unsigned active = hardening_active();

	(void)t;
	for (unsigned i = 0; i < HARDEN_NR_ITEMS; i++) {
		const char *name;
		unsigned bit = hardening_item(i, &name);

		seq_printf(s, "%s %s\n", name, (active & bit) ? "on" : "off");
	}
	return 0;
}

/* /proc/kevlar/acpi: what the firmware's ACPI tables described and the
 * board tree now says (<kernel/acpi.h>, kernel/acpi/acpi_boot.c), one fact
 * per line, numbers as in the tables:
 *   acpi 0|1                         1 if the tables were used
 *   tables <used> <skipped>          tables accepted / reported and skipped
 *   cpu <apic-id> uid <uid> enabled|online-capable [x2apic]
 *   ioapic <id> <address> gsi <base>
 *   override <bus> <irq> <gsi> <inti-flags>
 *   nmi <uid|all> lint<n> <inti-flags>
 *   pm1a_cnt io|mem <address>        sci <isa-irq>   s5 <slp-typ>|none
 *   reset io|mem <address> <value>
 *   mcfg <ecam-base> segment <n> buses <first>-<last>
 * Only "acpi 0" on boards without ACPI or with acpi=off. */
static const char *space_name(const struct acpi_gas *g)
{
	return g->space == ACPI_GAS_IO ? "io" : "mem";
}

int proc_show_kevlar_acpi(struct seqbuf *s, struct task *t)
{
	const struct acpi_info *a = acpi_boot_info();

	(void)t;
	seq_printf(s, "acpi %d\n", a ? 1 : 0);
	if (!a)
		return 0;
	seq_printf(s, "tables %u %u\n", a->nr_tables, a->nr_bad);
	for (unsigned i = 0; i < a->nr_cpus; i++)
		seq_printf(s, "cpu %u uid %u %s%s\n", a->cpus[i].apic_id, a->cpus[i].uid,
			   a->cpus[i].enabled ? "enabled" : "online-capable",
			   a->cpus[i].x2apic ? " x2apic" : "");
	for (unsigned i = 0; i < a->nr_ioapics; i++)
		seq_printf(s, "ioapic %u %#x gsi %u\n", a->ioapics[i].id, a->ioapics[i].address,
			   a->ioapics[i].gsi_base);
	for (unsigned i = 0; i < a->nr_overrides; i++)
		seq_printf(s, "override %u %u %u %#x\n", a->overrides[i].bus,
			   a->overrides[i].source, a->overrides[i].gsi, a->overrides[i].flags);
	for (unsigned i = 0; i < a->nr_nmis; i++) {
		if (a->nmis[i].uid == ACPI_NMI_ALL_CPUS)
			seq_printf(s, "nmi all lint%u %#x\n", a->nmis[i].lint, a->nmis[i].flags);
		else
			seq_printf(s, "nmi %u lint%u %#x\n", a->nmis[i].uid, a->nmis[i].lint,
				   a->nmis[i].flags);
	}
	if (a->have_fadt) {
		seq_printf(s, "pm1a_cnt %s %#llx\n", space_name(&a->pm1a_cnt),
			   (unsigned long long)a->pm1a_cnt.address);
		seq_printf(s, "sci %u\n", a->sci_irq);
		if (a->have_s5)
			seq_printf(s, "s5 %u\n", a->s5_slp_typ);
		else
			seq_printf(s, "s5 none\n");
		if (a->have_reset)
			seq_printf(s, "reset %s %#llx %#x\n", space_name(&a->reset_reg),
				   (unsigned long long)a->reset_reg.address, a->reset_value);
	}
	for (unsigned i = 0; i < a->nr_mcfg; i++)
		seq_printf(s, "mcfg %#llx segment %u buses %u-%u\n",
			   (unsigned long long)a->mcfg[i].base, a->mcfg[i].segment,
			   a->mcfg[i].bus_start, a->mcfg[i].bus_end);
	return 0;
}

/* /proc/kevlar/smp: the CPUs (<kernel/smp.h>) and a live IPI check:
 *   possible <n> / online <n>
 *   cpu<i> hwid <id> online|offline [ipi ok|fail ... harden same|differs]
 * Reading it sends every other online CPU a reschedule IPI and runs a
 * function there (call-function IPI) that reports where it ran and the
 * CPU's hardening, which must equal the reading CPU's ("harden same"). */
int proc_show_kevlar_smp(struct seqbuf *s, struct task *t)
{
	unsigned self = hal_cpu_id(), self_harden = hal_hardening();

	(void)t;
	seq_printf(s, "possible %u\nonline %u\nsched %u\n", num_possible_cpus(), num_online_cpus(),
		   (unsigned)__builtin_popcountl(sched_active_mask()));
	for (unsigned cpu = 0; cpu < HAL_MAX_CPUS; cpu++) {
		struct smp_ping p;

		if (!(cpu_possible_mask() & (1UL << cpu)))
			continue;
		seq_printf(s, "cpu%u hwid %#llx %s", cpu, (unsigned long long)cpu_hwid(cpu),
			   cpu_online(cpu) ? "online" : "offline");
		if (cpu_online(cpu) && cpu != self && smp_ping(cpu, &p) == 0) {
			bool ok = !p.resched && !p.call && p.ran_on == cpu;
			seq_printf(s, " ipi %s resched %d/%lluus call %d/%lluus ran_on %u",
				   ok ? "ok" : "fail", p.resched,
				   (unsigned long long)(p.resched_ns / 1000), p.call,
				   (unsigned long long)(p.call_ns / 1000), p.ran_on);
			if (!p.call)
				seq_printf(s, " harden %s",
					   p.hardening == self_harden ? "same" : "differs");
		}
		seq_printf(s, "\n");
	}
	return 0;
}
