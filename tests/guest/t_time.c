/* t_time.c - clocks and sleeping. Timing bounds are loose (>= the requested
 * time, < 5 s) because QEMU TCG is slow and noisy. */
#include "ktest.h"

#include <sys/time.h>

static double ts_d(const struct timespec *t)
{
    return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

static int ts_le(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

static void t_clocks(void)
{
    struct timespec prev, cur;
    int r = clock_gettime(CLOCK_MONOTONIC, &prev);
    int ok = r == 0, valid = 1;
    for (int i = 0; i < 2000 && ok; i++) {
        if (clock_gettime(CLOCK_MONOTONIC, &cur) != 0)
            ok = 0;
        if (cur.tv_nsec < 0 || cur.tv_nsec >= 1000000000)
            valid = 0;
        if (!ts_le(&prev, &cur))
            ok = 0;
        prev = cur;
    }
    ktest_result("time.monotonic_nondecreasing", ok && valid, "went backwards or bad tv_nsec (valid=%d)", valid);

    /* the raw syscall (not the vDSO) agrees with libc */
    struct timespec raw, lib;
    long rr = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &raw);
    clock_gettime(CLOCK_MONOTONIC, &lib);
    double d = ts_d(&lib) - ts_d(&raw);
    ktest_result("time.clock_gettime_syscall", rr == 0 && d >= 0 && d < 1.0, "syscall=%ld libc-raw=%.6f", rr, d);

    struct timespec rt;
    struct timeval tv;
    r = clock_gettime(CLOCK_REALTIME, &rt);
    int g = gettimeofday(&tv, NULL);
    double diff = ((double)tv.tv_sec + tv.tv_usec / 1e6) - ts_d(&rt);
    ktest_result("time.realtime_positive", r == 0 && rt.tv_sec > 0, "CLOCK_REALTIME=%lld", (long long)rt.tv_sec);
    ktest_result("time.gettimeofday", g == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000 && diff > -1.0 && diff < 2.0,
                 "gettimeofday=%d usec=%ld diff to realtime=%.3f", g, (long)tv.tv_usec, diff);
    /* glibc's time() reads CLOCK_REALTIME_COARSE where the vDSO has no
     * time() (arm64): up to a tick behind, so one second less is right
     * when rt was read just after a second boundary (Linux does the same). */
    time_t t = time(NULL);
    ktest_result("time.time", t >= rt.tv_sec - 1 && t <= rt.tv_sec + 2, "time()=%lld realtime=%lld", (long long)t,
                 (long long)rt.tv_sec);

    struct timespec bt, mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    r = clock_gettime(CLOCK_BOOTTIME, &bt);
    ktest_result("time.boottime_ge_monotonic", r == 0 && ts_d(&bt) + 0.001 >= ts_d(&mono), "r=%d boot=%.3f mono=%.3f",
                 r, ts_d(&bt), ts_d(&mono));

    struct timespec res = {0, 0};
    r = clock_getres(CLOCK_MONOTONIC, &res);
    ktest_result("time.clock_getres", r == 0 && res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000,
                 "r=%d res=%lld.%09ld", r, (long long)res.tv_sec, res.tv_nsec);
    KTEST_ERRNO("time.clock_gettime_bad_clock_einval", syscall(SYS_clock_gettime, 12345, &res), EINVAL);

    /* CPU time advances while we spin */
    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    double start = ktest_now(CLOCK_MONOTONIC);
    volatile unsigned long spin = 0;
    while (ktest_now(CLOCK_MONOTONIC) - start < 0.2)
        spin++;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    ktest_result("time.process_cputime_advances", ts_d(&c1) > ts_d(&c0), "cputime %.6f -> %.6f", ts_d(&c0), ts_d(&c1));
}

static void t_sleeps(void)
{
    struct timespec req = {0, 50 * 1000 * 1000};
    double t0 = ktest_now(CLOCK_MONOTONIC);
    int r = nanosleep(&req, NULL);
    double el = ktest_now(CLOCK_MONOTONIC) - t0;
    ktest_result("time.nanosleep_50ms", r == 0 && el >= 0.050 && el < 5.0, "nanosleep=%d elapsed=%.4f s", r, el);

    struct timespec req2 = {0, 20 * 1000 * 1000};
    t0 = ktest_now(CLOCK_MONOTONIC);
    r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req2, NULL);
    el = ktest_now(CLOCK_MONOTONIC) - t0;
    ktest_result("time.clock_nanosleep_relative", r == 0 && el >= 0.020 && el < 5.0, "r=%d elapsed=%.4f s", r, el);

    struct timespec target;
    clock_gettime(CLOCK_MONOTONIC, &target);
    target.tv_nsec += 30 * 1000 * 1000;
    if (target.tv_nsec >= 1000000000) {
        target.tv_nsec -= 1000000000;
        target.tv_sec++;
    }
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    ktest_result("time.clock_nanosleep_abstime", r == 0 && ts_le(&target, &now) && ts_d(&now) - ts_d(&target) < 5.0,
                 "r=%d now-target=%.4f s", r, ts_d(&now) - ts_d(&target));

    /* an absolute time in the past returns at once */
    struct timespec past = {0, 1};
    t0 = ktest_now(CLOCK_MONOTONIC);
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL);
    el = ktest_now(CLOCK_MONOTONIC) - t0;
    ktest_result("time.clock_nanosleep_past", r == 0 && el < 1.0, "r=%d elapsed=%.4f", r, el);

    struct timespec bad = {0, 1000000000};
    KTEST_ERRNO("time.nanosleep_bad_nsec_einval", nanosleep(&bad, NULL), EINVAL);

    /* realtime advances with sleeping too */
    struct timespec r0, r1;
    clock_gettime(CLOCK_REALTIME, &r0);
    usleep(100000);
    clock_gettime(CLOCK_REALTIME, &r1);
    double rd = ts_d(&r1) - ts_d(&r0);
    ktest_result("time.realtime_advances", rd >= 0.09 && rd < 5.0, "realtime advanced %.4f s over a 100 ms sleep", rd);
}

int main(void)
{
    t_clocks();
    t_sleeps();
    return 0;
}
