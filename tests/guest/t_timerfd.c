/* t_timerfd.c - timerfd_create(2) and signalfd(2): one-shot and periodic
 * timers on each clock, absolute times, gettime, blocking reads, epoll on
 * them, TFD_TIMER_CANCEL_ON_SET, signalfd records, masks and error paths. */
#include "ktest.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

static long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_timerfd_errors(void)
{
    struct itimerspec its = { 0 }, bad = { .it_value = { 0, 1000000000L } };
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), p[2];
    uint64_t v;

    KTEST_CHECK("timerfd.flags", fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) &&
                                      (fcntl(fd, F_GETFD) & FD_CLOEXEC));
    KTEST_ERRNO("timerfd.bad_clock", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    KTEST_ERRNO("timerfd.bad_clock2", timerfd_create(42, 0), EINVAL);
    KTEST_ERRNO("timerfd.bad_flags", timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
    KTEST_ERRNO("timerfd.settime_badflags", timerfd_settime(fd, 4, &its, NULL), EINVAL);
    KTEST_ERRNO("timerfd.settime_badts", timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    KTEST_ERRNO("timerfd.settime_efault", syscall(SYS_timerfd_settime, fd, 0, (void *)8, NULL),
                EFAULT);
    KTEST_ERRNO("timerfd.settime_ebadf", timerfd_settime(-1, 0, &its, NULL), EBADF);
    pipe(p);
    KTEST_ERRNO("timerfd.settime_notfd", timerfd_settime(p[0], 0, &its, NULL), EINVAL);
    KTEST_ERRNO("timerfd.gettime_notfd", timerfd_gettime(p[0], &its), EINVAL);
    KTEST_ERRNO("timerfd.gettime_efault", syscall(SYS_timerfd_gettime, fd, (void *)8), EFAULT);
    close(p[0]);
    close(p[1]);
    KTEST_ERRNO("timerfd.read_disarmed", read(fd, &v, 8), EAGAIN);
    KTEST_ERRNO("timerfd.read_short", read(fd, &v, 4), EINVAL);
    close(fd);
}

static void test_timerfd_oneshot(void)
{
    int clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME };
    const char *names[] = { "monotonic", "realtime", "boottime" };
    char name[64];

    for (int i = 0; i < 3; i++) {
        int fd = timerfd_create(clocks[i], 0);
        struct itimerspec its = { .it_value = { 0, 50000000 } }, cur;
        struct timespec t0;
        uint64_t v = 0;

        /* gettime on a 10 s timer: a starved guest (TCG on a loaded host) can lose more than
         * 50 ms between settime and gettime, and an expired timer reads 0. */
        struct itimerspec its_long = { .it_value = { 10, 0 } };
        timerfd_settime(fd, 0, &its_long, NULL);
        timerfd_gettime(fd, &cur);
        snprintf(name, sizeof name, "timerfd.%s_gettime", names[i]);
        KTEST_CHECK(name, (cur.it_value.tv_sec > 0 || cur.it_value.tv_nsec > 0) &&
                              cur.it_value.tv_sec <= 10 && cur.it_interval.tv_sec == 0 &&
                              cur.it_interval.tv_nsec == 0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        timerfd_settime(fd, 0, &its, NULL);
        snprintf(name, sizeof name, "timerfd.%s_oneshot", names[i]);
        ssize_t n = read(fd, &v, 8);
        long ms = ms_since(&t0);
        KTEST_CHECK(name, n == 8 && v == 1 && ms >= 45 && ms < 10000);
        timerfd_gettime(fd, &cur);
        snprintf(name, sizeof name, "timerfd.%s_expired", names[i]);
        KTEST_CHECK(name, cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
        close(fd);
    }
}

static void test_timerfd_periodic(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec its = { .it_value = { 0, 20000000 }, .it_interval = { 0, 20000000 } },
                      old, cur;
    uint64_t v = 0;

    /* The count follows the time that really passed (a loaded machine
     * oversleeps usleep): at least the whole periods between arming and
     * the read, less one for the tick-driven timer's granularity, at most
     * the whole periods from before arming to after the read. */
    struct timespec t0, ta;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    timerfd_settime(fd, 0, &its, NULL);
    clock_gettime(CLOCK_MONOTONIC, &ta);
    usleep(130000);
    long lo = ms_since(&ta) / 20 - 1;
    ssize_t n = read(fd, &v, 8);
    long hi = ms_since(&t0) / 20;
    ktest_result("timerfd.periodic_count", n == 8 && (long)v >= lo && (long)v <= hi && v >= 4,
                 "read=%zd count=%llu, want %ld..%ld", n, (unsigned long long)v, lo, hi);
    timerfd_gettime(fd, &cur);
    KTEST_CHECK("timerfd.periodic_interval",
                cur.it_interval.tv_nsec == 20000000 && cur.it_value.tv_nsec <= 20000000);
    its.it_value.tv_nsec = 0;
    its.it_interval.tv_nsec = 0;
    KTEST_CHECK("timerfd.disarm_old", timerfd_settime(fd, 0, &its, &old) == 0 &&
                                           old.it_interval.tv_nsec == 20000000);
    usleep(50000);
    KTEST_ERRNO("timerfd.disarmed", read(fd, &v, 8), EAGAIN);
    close(fd);
}

static void test_timerfd_abs_epoll(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, 0), ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 9 }, out[1];
    struct itimerspec its = { 0 };
    struct timespec now, t0;
    uint64_t v;

    clock_gettime(CLOCK_MONOTONIC, &now);
    its.it_value = now;
    its.it_value.tv_nsec += 60000000;
    if (its.it_value.tv_nsec >= 1000000000) {
        its.it_value.tv_nsec -= 1000000000;
        its.it_value.tv_sec++;
    }
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
    int n = epoll_wait(ep, out, 1, 5000);
    long ms = ms_since(&t0);
    KTEST_CHECK("timerfd.abs_epoll", n == 1 && out[0].data.u32 == 9 && ms >= 50 && ms < 4000);
    KTEST_CHECK("timerfd.abs_read", read(fd, &v, 8) == 8 && v == 1);
    KTEST_CHECK("timerfd.epoll_after_read", epoll_wait(ep, out, 1, 0) == 0);
    /* An absolute time in the past fires at once. */
    its.it_value.tv_sec = 1;
    its.it_value.tv_nsec = 0;
    timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    KTEST_CHECK("timerfd.abs_past", poll(&pfd, 1, 1000) == 1 && read(fd, &v, 8) == 8 && v == 1);
    close(ep);
    close(fd);
}

/* Setting the wall clock cancels a CANCEL_ON_SET timer: read gives ECANCELED. */
static void test_timerfd_cancel_on_set(void)
{
    int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
    struct itimerspec its = { 0 };
    struct timespec now;
    uint64_t v;

    clock_gettime(CLOCK_REALTIME, &now);
    its.it_value.tv_sec = now.tv_sec + 3600;
    KTEST_CHECK("timerfd.cancel_on_set_arm",
                timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL) == 0);
    KTEST_ERRNO("timerfd.cancel_on_set_idle", read(fd, &v, 8), EAGAIN);
    if (clock_settime(CLOCK_REALTIME, &now) != 0) {
        ktest_result("timerfd.cancel_on_set", 0, "clock_settime: %s", strerror(errno));
    } else {
        KTEST_ERRNO("timerfd.cancel_on_set", read(fd, &v, 8), ECANCELED);
        KTEST_ERRNO("timerfd.cancel_on_set_once", read(fd, &v, 8), EAGAIN);
    }
    close(fd);
}

static void test_signalfd(void)
{
    sigset_t set, old;
    struct signalfd_siginfo si[2];
    int fd, p[2];

    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, &old);
    fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    KTEST_CHECK("signalfd.create", fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
    KTEST_ERRNO("signalfd.empty", read(fd, si, sizeof si), EAGAIN);
    KTEST_ERRNO("signalfd.short", read(fd, si, 100), EINVAL);
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    KTEST_CHECK("signalfd.poll_idle", poll(&pfd, 1, 0) == 0);
    kill(getpid(), SIGUSR1);
    KTEST_CHECK("signalfd.poll_ready", poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN);
    ssize_t n = read(fd, si, sizeof si);
    KTEST_CHECK("signalfd.read_kill", n == 128 && si[0].ssi_signo == SIGUSR1 &&
                                          si[0].ssi_code == SI_USER &&
                                          si[0].ssi_pid == (uint32_t)getpid() &&
                                          si[0].ssi_uid == getuid());
    union sigval sv = { .sival_int = 4242 };
    sigqueue(getpid(), SIGUSR2, sv);
    kill(getpid(), SIGUSR1);
    n = read(fd, si, sizeof si);
    KTEST_CHECK("signalfd.read_two", n == 256 && si[0].ssi_signo == SIGUSR1 &&
                                         si[1].ssi_signo == SIGUSR2 && si[1].ssi_code == SI_QUEUE &&
                                         si[1].ssi_int == 4242);
    /* Changing the mask of an existing fd. */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    KTEST_CHECK("signalfd.remask", signalfd(fd, &set, 0) == fd);
    kill(getpid(), SIGUSR1);
    KTEST_ERRNO("signalfd.masked_out", read(fd, si, sizeof si), EAGAIN);
    sigset_t pend;
    sigpending(&pend);
    KTEST_CHECK("signalfd.still_pending", sigismember(&pend, SIGUSR1));
    /* The epoll wake-up path. */
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN }, out[1];
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    KTEST_CHECK("signalfd.epoll_idle", epoll_wait(ep, out, 1, 0) == 0);
    kill(getpid(), SIGUSR2);
    KTEST_CHECK("signalfd.epoll_ready", epoll_wait(ep, out, 1, 1000) == 1);
    read(fd, si, sizeof si);
    close(ep);
    /* Errors. */
    KTEST_ERRNO("signalfd.badflags", signalfd(-1, &set, 1), EINVAL);
    KTEST_ERRNO("signalfd.sizemask", syscall(SYS_signalfd4, -1, &set, 4, 0), EINVAL);
    KTEST_ERRNO("signalfd.efault", syscall(SYS_signalfd4, -1, (void *)8, 8, 0), EFAULT);
    KTEST_ERRNO("signalfd.ebadf", signalfd(999, &set, 0), EBADF);
    pipe(p);
    KTEST_ERRNO("signalfd.notsfd", signalfd(p[0], &set, 0), EINVAL);
    close(p[0]);
    close(p[1]);
    close(fd);
    /* Drop the SIGUSR1 still pending, then restore the mask. */
    signal(SIGUSR1, SIG_IGN);
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGUSR1, SIG_DFL);
}

/* A blocking signalfd read is woken by a signal from another process. */
static void test_signalfd_block(void)
{
    sigset_t set, old;
    struct signalfd_siginfo si;
    pid_t parent = getpid(), pid;
    int fd;

    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, &old);
    fd = signalfd(-1, &set, 0);
    pid = fork();
    if (pid == 0) {
        usleep(50000);
        kill(parent, SIGUSR2);
        _exit(0);
    }
    ssize_t n = read(fd, &si, sizeof si);
    KTEST_CHECK("signalfd.block_read", n == 128 && si.ssi_signo == SIGUSR2 &&
                                           si.ssi_pid == (uint32_t)pid);
    waitpid(pid, NULL, 0);
    close(fd);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(void)
{
    test_timerfd_errors();
    test_timerfd_oneshot();
    test_timerfd_periodic();
    test_timerfd_abs_epoll();
    test_timerfd_cancel_on_set();
    test_signalfd();
    test_signalfd_block();
    return ktest_nfail ? 1 : 0;
}
