/* t_cpuclock.c - CPU-time clocks [clock_gettime(2)], [clock_getcpuclockid(3)],
 * [pthread_getcpuclockid(3)]: the process clock sums every thread, also
 * those that exited (and so does getrusage RUSAGE_SELF); per-thread clocks;
 * another process's clock; the encoded ids Linux refuses. */
#include "ktest.h"

#include <pthread.h>
#include <sys/resource.h>
#include <time.h>

static int64_t ns_of(clockid_t c)
{
    struct timespec ts;
    if (clock_gettime(c, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Spin until clock c has advanced by at least ns (or 10 s of wall time). */
static void burn(clockid_t c, int64_t ns)
{
    int64_t start = ns_of(c), wall = ns_of(CLOCK_MONOTONIC);
    volatile unsigned x = 0;
    while (ns_of(c) - start < ns && ns_of(CLOCK_MONOTONIC) - wall < 10000000000LL)
        for (int i = 0; i < 10000; i++)
            x += (unsigned)i;
}

static int64_t thread_cpu_at_exit;
static void *spinner(void *arg)
{
    (void)arg;
    burn(CLOCK_THREAD_CPUTIME_ID, 150000000);
    thread_cpu_at_exit = ns_of(CLOCK_THREAD_CPUTIME_ID);
    return NULL;
}

static volatile int stop_spin;
static void *spin_until_told(void *arg)
{
    (void)arg;
    volatile unsigned x = 0;
    while (!stop_spin)
        x++;
    return NULL;
}

static void t_threads(void)
{
    int64_t before = ns_of(CLOCK_PROCESS_CPUTIME_ID);
    int64_t main_before = ns_of(CLOCK_THREAD_CPUTIME_ID);
    pthread_t th;
    KTEST_CHECK("cpuclock.thread_create", pthread_create(&th, NULL, spinner, NULL) == 0);
    pthread_join(th, NULL);
    int64_t after = ns_of(CLOCK_PROCESS_CPUTIME_ID);
    int64_t main_after = ns_of(CLOCK_THREAD_CPUTIME_ID);
    ktest_result("cpuclock.process_sums_exited_thread",
                 thread_cpu_at_exit >= 150000000 && after - before >= thread_cpu_at_exit - 20000000,
                 "thread %lld ns, process grew %lld ns", (long long)thread_cpu_at_exit,
                 (long long)(after - before));
    ktest_result("cpuclock.thread_clock_own", main_after - main_before < thread_cpu_at_exit,
                 "main thread grew %lld ns while the other ran %lld", (long long)(main_after - main_before),
                 (long long)thread_cpu_at_exit);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    int64_t ru_ns = ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
                    ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
    ktest_result("cpuclock.rusage_self_sums_threads", ru_ns >= thread_cpu_at_exit - 20000000,
                 "rusage %lld ns, thread %lld ns", (long long)ru_ns, (long long)thread_cpu_at_exit);

    /* pthread_getcpuclockid of a running thread advances. */
    stop_spin = 0;
    pthread_create(&th, NULL, spin_until_told, NULL);
    clockid_t tc;
    KTEST_CHECK("cpuclock.pthread_getcpuclockid", pthread_getcpuclockid(th, &tc) == 0);
    int64_t t0 = ns_of(tc);
    int64_t wall = ns_of(CLOCK_MONOTONIC);
    while (ns_of(tc) - t0 < 50000000 && ns_of(CLOCK_MONOTONIC) - wall < 10000000000LL)
        usleep(10000);
    ktest_result("cpuclock.other_thread_advances", t0 >= 0 && ns_of(tc) - t0 >= 50000000, "t0 %lld now %lld",
                 (long long)t0, (long long)ns_of(tc));
    stop_spin = 1;
    pthread_join(th, NULL);
}

static void t_process(void)
{
    clockid_t c;
    KTEST_CHECK("cpuclock.getcpuclockid_self", clock_getcpuclockid(0, &c) == 0 && ns_of(c) >= 0);
    KTEST_CHECK("cpuclock.getcpuclockid_pid", clock_getcpuclockid(getpid(), &c) == 0 && ns_of(c) >= 0);
    ktest_result("cpuclock.getcpuclockid_esrch", clock_getcpuclockid(999999, &c) == ESRCH, "not ESRCH");

    int p[2];
    if (pipe(p))
        return;
    pid_t pid = fork();
    if (pid == 0) {
        burn(CLOCK_PROCESS_CPUTIME_ID, 100000000);
        write(p[1], "x", 1);
        pause();
        _exit(0);
    }
    char ch;
    read(p[0], &ch, 1);
    int r = clock_getcpuclockid(pid, &c);
    int64_t v = r == 0 ? ns_of(c) : -1;
    ktest_result("cpuclock.child_process_clock", r == 0 && v >= 100000000, "r=%d value %lld ns", r, (long long)v);
    /* A thread clock of another process's thread: EINVAL. */
    clockid_t tid_clock = (clockid_t)((~(unsigned)pid << 3) | 6);
    struct timespec ts;
    KTEST_ERRNO("cpuclock.foreign_thread_einval", clock_gettime(tid_clock, &ts), EINVAL);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(p[0]);
    close(p[1]);

    KTEST_ERRNO("cpuclock.bad_which_einval", clock_gettime((clockid_t)((~0u << 3) | 3), &ts), EINVAL);
    KTEST_ERRNO("cpuclock.gone_pid_einval", clock_gettime((clockid_t)((~(unsigned)pid << 3) | 2), &ts), EINVAL);
    KTEST_CHECK("cpuclock.getres", clock_getres(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0 && ts.tv_sec == 0 &&
                                       ts.tv_nsec > 0 && ts.tv_nsec <= 10000000);
    KTEST_CHECK("cpuclock.getres_thread_clock", clock_getres((clockid_t)((~0u << 3) | 6), &ts) == 0);
    KTEST_ERRNO("cpuclock.gettime_efault", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, ktest_ptr(16)), EFAULT);
}

int main(void)
{
    t_threads();
    t_process();
    return ktest_nfail ? 1 : 0;
}
