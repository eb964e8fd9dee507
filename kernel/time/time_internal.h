/* kernel/time private: clock ids and the clock reader shared by the
 * clock and sleep syscalls. */
#ifndef KERNEL_TIME_INTERNAL_H
#define KERNEL_TIME_INTERNAL_H
#include <kernel/time.h>

/* Clock ids (Linux include/uapi/linux/time.h). */
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_TAI 11

#define TIMER_ABSTIME 1

/* The current value of clock clk in ns: 0 or -EINVAL (unknown clock). */
int clock_read_ns(int clk, int64_t *ns);
/* cpu_clock.c: is clk a CPU-time clock (the two fixed ids or an encoded
 * negative one)? Its value in ns: 0 or -EINVAL (malformed, no such
 * process or thread, a thread of another process). */
bool clock_is_cpu(int clk);
int cpu_clock_read_ns(int clk, int64_t *ns);

#endif
