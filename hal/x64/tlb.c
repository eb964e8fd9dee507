/* TLB shootdown on x86_64: a CPU's TLB holds translations only of the
 * address space its CR3 loaded (no PCIDs: a CR3 load drops the others'
 * non-global entries [Intel SDM Vol. 3A §4.10.4.1]), so after changing
 * the page tables of as, the CPUs whose x64_current_as[] is as get an IPI
 * and flush; the caller waits for all of them [§4.10.5 "Propagation of
 * Paging-Structure Changes to Multiple Processors"]. One request is in
 * flight at a time (tlb_busy); a CPU that waits for anything with
 * interrupts masked answers requests from its spin loop (hal_cpu_relax()),
 * so two CPUs never wait on each other. */
#include <hal/cpu.h>
#include <hal/mmu.h>
#include "x64.h"

/* The request: written by the holder of tlb_busy before it sets
 * tlb_pending (release), read by the targets after they see their bit
 * (acquire), unchanged until tlb_pending is 0 again. */
static struct {
	struct hal_aspace *as;
	uintptr_t start, end;
} tlb_req;
static unsigned long tlb_pending; /* CPUs that have not flushed yet */
static int tlb_busy;		  /* 1 while a request is in flight */

void x64_tlb_service(void)
{
	unsigned long bit;
	unsigned cpu;

	if (!__atomic_load_n(&tlb_pending, __ATOMIC_ACQUIRE))
		return;
	cpu = hal_cpu_id();
	bit = 1UL << cpu;
	if (!(__atomic_load_n(&tlb_pending, __ATOMIC_ACQUIRE) & bit))
		return;
	if (x64_current_as[cpu] == tlb_req.as)
		x64_tlb_flush_local(tlb_req.as, tlb_req.start, tlb_req.end);
	__atomic_fetch_and(&tlb_pending, ~bit, __ATOMIC_RELEASE);
}

void x64_tlb_ipi(void *arg)
{
	(void)arg;
	x64_tlb_service();
}

void x64_tlb_shootdown(struct hal_aspace *as, uintptr_t start, uintptr_t end)
{
	unsigned self = hal_cpu_id();
	unsigned long targets = 0;
	irqflags_t f;

	/* Our page-table writes before we read the others' CR3 owners; the
	 * switch in hal_aspace_switch() fences the other way. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned c = 0; c < HAL_MAX_CPUS; c++)
		if (c != self && __atomic_load_n(&x64_current_as[c], __ATOMIC_RELAXED) == as)
			targets |= 1UL << c;
	if (!targets)
		return;
	f = hal_irq_save();
	while (__atomic_exchange_n(&tlb_busy, 1, __ATOMIC_ACQUIRE)) {
		x64_tlb_service();
		cpu_pause();
	}
	tlb_req.as = as;
	tlb_req.start = start;
	tlb_req.end = end;
	__atomic_store_n(&tlb_pending, targets, __ATOMIC_RELEASE);
	for (unsigned c = 0; c < HAL_MAX_CPUS; c++)
		if ((targets & (1UL << c)) && x64_ipi_send_vector(c, VEC_IPI_TLB))
			__atomic_fetch_and(&tlb_pending, ~(1UL << c), __ATOMIC_RELEASE);
	while (__atomic_load_n(&tlb_pending, __ATOMIC_ACQUIRE))
		cpu_pause();
	__atomic_store_n(&tlb_busy, 0, __ATOMIC_RELEASE);
	hal_irq_restore(f);
}
