/* t_ptimer.c - POSIX timers, timer_create(2) & co.: SIGEV_SIGNAL with its
 * siginfo, SIGEV_NONE, SIGEV_THREAD_ID, periodic timers and overruns,
 * gettime, delete, and the error paths. Uses raw syscalls (librt's
 * SIGEV_THREAD would hide what the kernel does). */
#include "ktest.h"

#include <pthread.h>

static volatile int got;
static volatile int got_code, got_value, first_overrun = -1, first_getoverrun = -1;
static int cur_id;

static void on_sig(int s, siginfo_t *si, void *uc)
{
    (void)uc;
    if (got++ == 0) {
        first_overrun = si->si_overrun;
        first_getoverrun = (int)syscall(SYS_timer_getoverrun, cur_id);
    }
    got_code = si->si_code;
    got_value = si->si_value.sival_int;
}

static int tcreate(clockid_t clk, struct sigevent *ev, int *id)
{
    return (int)syscall(SYS_timer_create, clk, ev, id);
}

static int tset(int id, int flags, const struct itimerspec *n, struct itimerspec *o)
{
    return (int)syscall(SYS_timer_settime, id, flags, n, o);
}

static int tget(int id, struct itimerspec *c)
{
    return (int)syscall(SYS_timer_gettime, id, c);
}

static int tdel(int id)
{
    return (int)syscall(SYS_timer_delete, id);
}

static void test_signal(void)
{
    struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
    struct itimerspec its = { .it_value = { 0, 30000000 } }, cur;
    int id = -1;

    sigaction(SIGUSR1, &sa, NULL);
    ev.sigev_value.sival_int = 777;
    KTEST_CHECK("ptimer.create", tcreate(CLOCK_MONOTONIC, &ev, &id) == 0 && id >= 0);
    /* Armed for 10 s first: a starved guest (QEMU under TCG on a loaded host) can lose more
     * than 30 ms between settime and gettime, and an expired timer reads 0. */
    struct itimerspec its_long = { .it_value = { 10, 0 } };
    KTEST_CHECK("ptimer.gettime_armed",
                tset(id, 0, &its_long, NULL) == 0 && tget(id, &cur) == 0 &&
                    (cur.it_value.tv_sec > 0 || cur.it_value.tv_nsec > 0) &&
                    cur.it_value.tv_sec <= 10 && cur.it_interval.tv_sec == 0);
    KTEST_CHECK("ptimer.settime", tset(id, 0, &its, NULL) == 0);
    for (int i = 0; i < 300 && !got; i++)
        usleep(10000);
    KTEST_CHECK("ptimer.signal", got == 1 && got_code == SI_TIMER && got_value == 777);
    KTEST_CHECK("ptimer.gettime_expired",
                tget(id, &cur) == 0 && cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);

    /* Periodic while the signal is blocked: one signal, overruns counted. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    got = 0;
    cur_id = id;
    its.it_value.tv_nsec = 10000000;
    its.it_interval.tv_nsec = 10000000;
    tset(id, 0, &its, NULL);
    usleep(120000);
    sigprocmask(SIG_SETMASK, &old, NULL); /* the pending one is delivered now */
    its.it_value.tv_nsec = 0;
    its.it_interval.tv_nsec = 0;
    tset(id, 0, &its, NULL);
    ktest_result("ptimer.overrun", got >= 1 && first_overrun >= 3 && first_getoverrun >= 3,
                 "got=%d si_overrun=%d timer_getoverrun=%d", got, first_overrun, first_getoverrun);
    KTEST_CHECK("ptimer.delete", tdel(id) == 0);
    KTEST_ERRNO("ptimer.delete_again", tdel(id), EINVAL);
    KTEST_ERRNO("ptimer.gettime_deleted", tget(id, &cur), EINVAL);
    KTEST_ERRNO("ptimer.getoverrun_bad", syscall(SYS_timer_getoverrun, 9999), EINVAL);
    signal(SIGUSR1, SIG_DFL);
}

static void test_default_and_none(void)
{
    struct sigevent ev = { .sigev_notify = SIGEV_NONE };
    struct itimerspec its = { .it_value = { 5, 0 }, .it_interval = { 1, 0 } }, cur;
    int id = -1;

    KTEST_CHECK("ptimer.none_create", tcreate(CLOCK_REALTIME, &ev, &id) == 0);
    tset(id, 0, &its, NULL);
    KTEST_CHECK("ptimer.none_gettime", tget(id, &cur) == 0 && cur.it_value.tv_sec >= 4 &&
                                           cur.it_value.tv_sec <= 5 && cur.it_interval.tv_sec == 1);
    struct itimerspec old;
    its.it_value.tv_sec = 0;
    KTEST_CHECK("ptimer.disarm_old",
                tset(id, 0, &its, &old) == 0 && old.it_interval.tv_sec == 1);
    tdel(id);
    /* sevp NULL: SIGALRM (blocked here, so we see it pending). */
    sigset_t set, old_mask, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, &old_mask);
    KTEST_CHECK("ptimer.null_sevp", tcreate(CLOCK_MONOTONIC, NULL, &id) == 0);
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 20000000;
    its.it_interval.tv_sec = 0;
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 20000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_nsec -= 1000000000;
        abs.tv_sec++;
    }
    its.it_value = abs;
    tset(id, TIMER_ABSTIME, &its, NULL);
    siginfo_t si;
    struct timespec to = { 3, 0 };
    int s = sigtimedwait(&set, &si, &to);
    KTEST_CHECK("ptimer.abstime_sigalrm",
                s == SIGALRM && si.si_code == SI_TIMER && si.si_value.sival_int == id);
    sigpending(&pend);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    tdel(id);
}

static volatile pid_t hit_tid;

static void on_tid(int s, siginfo_t *si, void *uc)
{
    (void)s;
    (void)si;
    (void)uc;
    hit_tid = (pid_t)syscall(SYS_gettid);
}

static volatile pid_t worker_tid;

static void *worker(void *arg)
{
    (void)arg;
    worker_tid = (pid_t)syscall(SYS_gettid);
    for (int i = 0; i < 300 && !hit_tid; i++)
        usleep(10000);
    return NULL;
}

static void test_thread_id(void)
{
    struct sigaction sa = { .sa_sigaction = on_tid, .sa_flags = SA_SIGINFO };
    struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR2 };
    struct itimerspec its = { .it_value = { 0, 20000000 } };
    pthread_t th;
    int id;

    sigaction(SIGUSR2, &sa, NULL);
    pthread_create(&th, NULL, worker, NULL);
    while (!worker_tid)
        usleep(1000);
    ev._sigev_un._tid = worker_tid;
    KTEST_CHECK("ptimer.thread_id_create", tcreate(CLOCK_MONOTONIC, &ev, &id) == 0);
    tset(id, 0, &its, NULL);
    pthread_join(th, NULL);
    KTEST_CHECK("ptimer.thread_id", hit_tid == worker_tid);
    tdel(id);
    ev._sigev_un._tid = 1; /* init: another process */
    KTEST_ERRNO("ptimer.thread_id_foreign", tcreate(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    signal(SIGUSR2, SIG_DFL);
}

static void test_errors(void)
{
    struct sigevent ev = { .sigev_notify = 42, .sigev_signo = SIGUSR1 };
    struct itimerspec bad = { .it_value = { 0, -1 } };
    int id;

    KTEST_ERRNO("ptimer.bad_notify", tcreate(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = 0;
    KTEST_ERRNO("ptimer.bad_signo", tcreate(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    ev.sigev_signo = 65;
    KTEST_ERRNO("ptimer.bad_signo65", tcreate(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    KTEST_ERRNO("ptimer.bad_clock", tcreate(77, NULL, &id), EINVAL);
    KTEST_ERRNO("ptimer.efault_sevp", tcreate(CLOCK_MONOTONIC, (void *)8, &id), EFAULT);
    KTEST_ERRNO("ptimer.efault_id", tcreate(CLOCK_MONOTONIC, NULL, (void *)8), EFAULT);
    tcreate(CLOCK_MONOTONIC, NULL, &id);
    KTEST_ERRNO("ptimer.settime_badts", tset(id, 0, &bad, NULL), EINVAL);
    KTEST_ERRNO("ptimer.settime_efault", tset(id, 0, (void *)8, NULL), EFAULT);
    KTEST_ERRNO("ptimer.settime_badid", tset(12345, 0, &bad, NULL), EINVAL);
    tdel(id);
}

int main(void)
{
    test_signal();
    test_default_and_none();
    test_thread_id();
    test_errors();
    return ktest_nfail ? 1 : 0;
}
