/* The vDSO: a small shared object (hal/<arch>/vdso/) that the core maps
 * into every process, with one read-only data page (Linux's "vvar") just
 * below it, so that user space reads the clocks without a system call.
 * [vdso(7)], [getauxval(3)] AT_SYSINFO_EHDR.
 *
 * User layout the core builds (kernel/mm), one page = PAGE_SIZE bytes:
 *
 *   [vvar]  base - PAGE_SIZE   r--   hal_vdso_data_page()
 *   [vdso]  base ...           r-x   hal_vdso_text_page(0 .. n-1)
 *
 * base is what AT_SYSINFO_EHDR announces: the vDSO's ELF header. The vDSO
 * finds its data page at base - PAGE_SIZE, so the two must be mapped
 * exactly that way. The frames are the HAL's, shared by every process:
 * never free them, and copy the mappings by reference on fork.
 *
 * The data page is written only through hal_vdso_publish(), under a
 * sequence count (seqlock): the vDSO retries a read that overlapped an
 * update. What the vDSO cannot answer (other clock ids, a clocksource
 * user mode cannot read) it passes to the real system call.
 */
#ifndef HAL_VDSO_H
#define HAL_VDSO_H
#include <hal/types.h>

/* Build the vDSO frames from the image embedded in the kernel: one zeroed
 * data frame plus the image copied into fresh frames. Call once, from
 * process context, after the timer driver probed and before the first
 * exec. 0, -ENOMEM, or -ENOEXEC (the embedded image is not a valid ELF).
 * Until it succeeds hal_vdso_text_pages() is 0 (no vDSO: exec must not
 * map one nor announce AT_SYSINFO_EHDR). */
int hal_vdso_init(void);

/* Number of pages of the vDSO image (text, read+exec); 0 without a vDSO. */
unsigned hal_vdso_text_pages(void);
/* Frame of image page idx (< hal_vdso_text_pages()), or 0. */
paddr_t hal_vdso_text_page(unsigned idx);
/* Frame of the data page (map it read-only, one page below the image),
 * or 0 without a vDSO. */
paddr_t hal_vdso_data_page(void);

/* Byte offset from the image start of the vDSO's rt_sigreturn trampoline
 * (arm64 __kernel_rt_sigreturn), the return address of signal handlers
 * installed without SA_RESTORER; -ENOENT if this arch's vDSO has none
 * (x86_64: libc always passes SA_RESTORER there) or there is no vDSO. */
long hal_vdso_sigreturn_offset(void);

/* The core's part of the time the vDSO reads. The HAL adds the
 * clocksource itself (counter base, mult, shift: the exact conversion
 * hal_timer_now_ns() uses), so that a vDSO read and a system call agree
 * to the nanosecond. */
struct hal_vdso_time {
	int64_t realtime_offset_ns; /* CLOCK_REALTIME = CLOCK_MONOTONIC + this, ns */
	uint64_t coarse_mono_ns;    /* CLOCK_MONOTONIC at the last tick, ns
				      * (the *_COARSE clocks read this) */
	uint32_t coarse_res_ns;	    /* resolution of the *_COARSE clocks: one tick, ns */
};

/* Publish t to the data page (seqlock write: sequence odd, fields,
 * sequence even; release ordering, so a reader on another CPU never
 * mixes old and new fields). Any context, IRQ included; interrupts are
 * masked inside. No-op before hal_vdso_init(). Called by the core at
 * every tick and whenever the wall clock is set (settimeofday(2),
 * clock_settime(2)). */
void hal_vdso_publish(const struct hal_vdso_time *t);

#endif
