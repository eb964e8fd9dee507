/* t_limits.c - process limits and control: RLIMIT_SIGPENDING (EAGAIN from
 * tgkill/sigqueue), RLIMIT_CPU (SIGXCPU, then SIGKILL), SCHED_FIFO/SCHED_RR
 * and sched_getattr/sched_setattr, PR_SET_CHILD_SUBREAPER, clone3(2) and
 * its argument checks, pidfds (pidfd_open, pidfd_send_signal, CLONE_PIDFD,
 * waitid(P_PIDFD)), and a handler on an unwritable alternate signal
 * stack. Expected values are Linux 6.1's. */
#include "ktest.h"

#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#define CLONE_CLEAR_SIGHAND_ 0x100000000ULL
#define SCHED_RESET_ON_FORK_ 0x40000000

#define BAD_PTR ((void *)0xffff000000001000ul)

struct clone_args_ {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};

struct sched_attr_ {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
};

static long clone3_(struct clone_args_ *a, size_t size)
{
    return syscall(SYS_clone3, a, size);
}

static int child_status(pid_t pid)
{
    int st = -1;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

/* ---- RLIMIT_SIGPENDING --------------------------------------------------------- */

static int sigpending_child(void *arg)
{
    (void)arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &s, NULL);
    struct rlimit rl = {8, 8};
    if (setrlimit(RLIMIT_SIGPENDING, &rl))
        return 10;
    int ok = 0;
    long r = 0;
    while (ok < 100 && (r = syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGRTMIN)) == 0)
        ok++;
    if (r != -1 || errno != EAGAIN || ok < 1 || ok > 8)
        return 11;
    union sigval v = {.sival_int = 1};
    if (sigqueue(getpid(), SIGRTMIN, v) != -1 || errno != EAGAIN)
        return 12;
    if (kill(getpid(), SIGRTMIN) != 0) /* kill(2) is never refused */
        return 13;
    return 0;
}

static void t_sigpending(void)
{
    int st = ktest_in_child(sigpending_child, NULL, 20);
    ktest_result("limits.sigpending_eagain", WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "child %s (11: no EAGAIN from tgkill within 8, 12: sigqueue, 13: kill)", ktest_wstr(st));
}

/* ---- RLIMIT_CPU -------------------------------------------------------------- */

static volatile int *xcpu_shared;

static void h_xcpu(int sig)
{
    (void)sig;
    struct rlimit rl;
    getrlimit(RLIMIT_CPU, &rl);
    if (xcpu_shared[0]++ == 0)
        xcpu_shared[1] = (int)rl.rlim_cur;
}

static void t_rlimit_cpu(void)
{
    xcpu_shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXCPU, h_xcpu);
        alarm(60);
        struct rlimit rl = {1, 2};
        setrlimit(RLIMIT_CPU, &rl);
        for (volatile unsigned long i = 0;; i++)
            ;
    }
    int st = child_status(pid);
    ktest_result("limits.rlimit_cpu_sigxcpu_then_sigkill",
                 WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && xcpu_shared[0] == 1 && xcpu_shared[1] == 2,
                 "child %s, SIGXCPU %d times, soft limit in the handler %d (want SIGKILL, 1, 2)", ktest_wstr(st),
                 xcpu_shared[0], xcpu_shared[1]);
    munmap((void *)xcpu_shared, 4096);
}

/* ---- scheduling policies ---------------------------------------------------------- */

static int sched_child(void *arg)
{
    (void)arg;
    struct sched_param sp = {.sched_priority = 10};
    if (sched_setscheduler(0, SCHED_FIFO, &sp))
        return 10;
    if (sched_getscheduler(0) != SCHED_FIFO)
        return 11;
    sp.sched_priority = 0;
    if (sched_getparam(0, &sp) || sp.sched_priority != 10)
        return 12;
    struct timespec ts = {1, 1};
    if (sched_rr_get_interval(0, &ts) || ts.tv_sec || ts.tv_nsec)
        return 13; /* FIFO: no time slice */
    sp.sched_priority = 20;
    if (sched_setparam(0, &sp) || sched_getparam(0, &sp) || sp.sched_priority != 20)
        return 14;
    sp.sched_priority = 5;
    if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK_, &sp) ||
        sched_getscheduler(0) != (SCHED_RR | SCHED_RESET_ON_FORK_))
        return 15;
    if (sched_rr_get_interval(0, &ts) || (ts.tv_sec == 0 && ts.tv_nsec == 0))
        return 16;
    pid_t c = fork();
    if (c == 0)
        _exit(sched_getscheduler(0) == SCHED_OTHER ? 0 : 1);
    int st = child_status(c);
    if (!WIFEXITED(st) || WEXITSTATUS(st))
        return 17; /* SCHED_RESET_ON_FORK: the child is SCHED_OTHER */
    sp.sched_priority = 0;
    if (sched_setscheduler(0, SCHED_OTHER, &sp) || sched_getscheduler(0) != SCHED_OTHER)
        return 18;

    /* sched_setattr / sched_getattr */
    struct sched_attr_ a;
    memset(&a, 0, sizeof a);
    a.size = 48;
    a.sched_policy = SCHED_FIFO;
    a.sched_priority = 7;
    if (syscall(SYS_sched_setattr, 0, &a, 0))
        return 20;
    memset(&a, 0xff, sizeof a);
    if (syscall(SYS_sched_getattr, 0, &a, sizeof a, 0) || a.size != 56 || a.sched_policy != SCHED_FIFO ||
        a.sched_priority != 7)
        return 21;
    memset(&a, 0, sizeof a);
    a.size = 48;
    a.sched_policy = SCHED_OTHER;
    a.sched_nice = 5;
    if (syscall(SYS_sched_setattr, 0, &a, 0) || getpriority(PRIO_PROCESS, 0) != 5)
        return 22;
    if (syscall(SYS_sched_getattr, 0, &a, 48, 0) || a.size != 48 || a.sched_policy != SCHED_OTHER ||
        a.sched_nice != 5)
        return 23;

    /* unprivileged */
    struct rlimit rl = {10, 10};
    setrlimit(RLIMIT_RTPRIO, &rl);
    if (setresuid(65534, 65534, 65534))
        return 30;
    sp.sched_priority = 5;
    if (sched_setscheduler(0, SCHED_FIFO, &sp))
        return 31; /* within RLIMIT_RTPRIO */
    sp.sched_priority = 20;
    if (sched_setscheduler(0, SCHED_FIFO, &sp) != -1 || errno != EPERM)
        return 32;
    rl.rlim_cur = rl.rlim_max = 0;
    setrlimit(RLIMIT_RTPRIO, &rl);
    sp.sched_priority = 0;
    if (sched_setscheduler(0, SCHED_OTHER, &sp))
        return 33;
    sp.sched_priority = 1;
    if (sched_setscheduler(0, SCHED_RR, &sp) != -1 || errno != EPERM)
        return 34;
    if (sched_setscheduler(1, SCHED_OTHER, &(struct sched_param){0}) != -1 || errno != EPERM)
        return 35; /* another user's task */
    return 0;
}

static void t_sched(void)
{
    int st = ktest_in_child(sched_child, NULL, 20);
    ktest_result("limits.sched_fifo_rr_root", WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "child %s (exit code = failing step)", ktest_wstr(st));
    ktest_result("limits.sched_priority_range",
                 sched_get_priority_min(SCHED_FIFO) == 1 && sched_get_priority_max(SCHED_FIFO) == 99 &&
                     sched_get_priority_min(SCHED_RR) == 1 && sched_get_priority_max(SCHED_RR) == 99 &&
                     sched_get_priority_max(SCHED_OTHER) == 0,
                 "min/max wrong");
    struct sched_param sp = {.sched_priority = 0};
    KTEST_ERRNO("limits.sched_fifo_prio0_einval", sched_setscheduler(0, SCHED_FIFO, &sp), EINVAL);
    sp.sched_priority = 100;
    KTEST_ERRNO("limits.sched_fifo_prio100_einval", sched_setscheduler(0, SCHED_FIFO, &sp), EINVAL);
    sp.sched_priority = 5;
    KTEST_ERRNO("limits.sched_other_prio5_einval", sched_setscheduler(0, SCHED_OTHER, &sp), EINVAL);
    sp.sched_priority = 0;
    KTEST_ERRNO("limits.sched_bad_policy_einval", sched_setscheduler(0, 42, &sp), EINVAL);
    KTEST_ERRNO("limits.sched_neg_pid_einval", sched_setscheduler(-1, SCHED_OTHER, &sp), EINVAL);
    KTEST_ERRNO("limits.sched_null_param_einval", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
    KTEST_ERRNO("limits.sched_bad_param_efault", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BAD_PTR), EFAULT);
    KTEST_ERRNO("limits.sched_no_pid_esrch", sched_setscheduler(INT_MAX, SCHED_OTHER, &sp), ESRCH);
    KTEST_ERRNO("limits.sched_get_priority_bad_einval", sched_get_priority_max(42), EINVAL);

    struct sched_attr_ a;
    memset(&a, 0, sizeof a);
    KTEST_ERRNO("limits.sched_getattr_small_einval", syscall(SYS_sched_getattr, 0, &a, 47, 0), EINVAL);
    KTEST_ERRNO("limits.sched_getattr_flags_einval", syscall(SYS_sched_getattr, 0, &a, sizeof a, 1), EINVAL);
    KTEST_ERRNO("limits.sched_getattr_efault", syscall(SYS_sched_getattr, 0, BAD_PTR, sizeof a, 0), EFAULT);
    a.size = 48;
    KTEST_ERRNO("limits.sched_setattr_flags_einval", syscall(SYS_sched_setattr, 0, &a, 1), EINVAL);
    a.size = 20;
    long r = syscall(SYS_sched_setattr, 0, &a, 0);
    int e = errno;
    ktest_result("limits.sched_setattr_small_e2big", r == -1 && e == E2BIG && a.size == 56,
                 "r=%ld errno=%d size written back %u (want E2BIG, 56)", r, e, a.size);
    static unsigned char big[128];
    memset(big, 0, sizeof big);
    ((struct sched_attr_ *)big)->size = sizeof big;
    big[100] = 1;
    KTEST_ERRNO("limits.sched_setattr_tail_e2big", syscall(SYS_sched_setattr, 0, big, 0), E2BIG);
    big[100] = 0;
    r = syscall(SYS_sched_setattr, 0, big, 0);
    ktest_result("limits.sched_setattr_zero_tail_ok", r == 0, "r=%ld errno=%d", r, errno);
}

/* ---- PR_SET_CHILD_SUBREAPER ---------------------------------------------------- */

static int subreaper_child(void *arg)
{
    (void)arg;
    int v = -1;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) || prctl(PR_GET_CHILD_SUBREAPER, &v) || v != 1)
        return 10;
    pid_t me = getpid();
    pid_t b = fork();
    if (b == 0) {
        pid_t c = fork();
        if (c == 0) {
            for (int i = 0; i < 500 && getppid() != me; i++)
                usleep(10000);
            _exit(getppid() == me ? 42 : 43);
        }
        _exit(0); /* orphans c */
    }
    int st = child_status(b);
    if (!WIFEXITED(st))
        return 11;
    pid_t w = waitpid(-1, &st, 0); /* c, adopted by us */
    if (w <= 0 || !WIFEXITED(st))
        return 12;
    return WEXITSTATUS(st) == 42 ? 0 : 13;
}

static void t_subreaper(void)
{
    int v = -1;
    int r = prctl(PR_GET_CHILD_SUBREAPER, &v);
    ktest_result("limits.subreaper_default_off", r == 0 && v == 0, "r=%d value=%d", r, v);
    KTEST_ERRNO("limits.subreaper_get_efault", prctl(PR_GET_CHILD_SUBREAPER, BAD_PTR), EFAULT);
    int st = ktest_in_child(subreaper_child, NULL, 20);
    ktest_result("limits.subreaper_adopts_orphans", WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "child %s (12: nothing to wait for, 13: orphan's parent was not the subreaper)", ktest_wstr(st));
}

/* ---- clone3 ---------------------------------------------------------------------- */

static void clone3_errno(const char *name, struct clone_args_ *a, size_t size, int want)
{
    errno = 0;
    long r = clone3_(a, size);
    if (r == 0)
        _exit(0); /* wrongly created: the child leaves at once */
    int e = errno;
    if (r > 0)
        child_status((pid_t)r);
    ktest_result(name, r == -1 && e == want, "returned %ld errno=%d (%s), want errno=%d (%s)", r, e, strerror(e),
                 want, strerror(want));
}

static void t_clone3(void)
{
    struct clone_args_ a;
    static unsigned char big[4200];

    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    clone3_errno("limits.clone3_size0_einval", &a, 0, EINVAL);
    clone3_errno("limits.clone3_size63_einval", &a, 63, EINVAL);
    memset(big, 0, sizeof big);
    ((struct clone_args_ *)big)->exit_signal = SIGCHLD;
    clone3_errno("limits.clone3_size_page_plus_e2big", (struct clone_args_ *)big, 4097, E2BIG);
    big[100] = 1;
    clone3_errno("limits.clone3_nonzero_tail_e2big", (struct clone_args_ *)big, 104, E2BIG);
    clone3_errno("limits.clone3_efault", BAD_PTR, 64, EFAULT);
    a.exit_signal = 65;
    clone3_errno("limits.clone3_exit_signal_65_einval", &a, 64, EINVAL);
    a.exit_signal = (1ull << 32) | SIGCHLD;
    clone3_errno("limits.clone3_exit_signal_high_einval", &a, 64, EINVAL);
    a.exit_signal = 0;
    a.flags = SIGCHLD; /* CSIGNAL bits belong to exit_signal */
    clone3_errno("limits.clone3_csignal_flags_einval", &a, 64, EINVAL);
    a.flags = 0x00400000; /* CLONE_DETACHED */
    clone3_errno("limits.clone3_detached_einval", &a, 64, EINVAL);
    a.flags = 1ull << 40;
    clone3_errno("limits.clone3_unknown_flag_einval", &a, 64, EINVAL);
    a.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
    a.exit_signal = SIGCHLD;
    clone3_errno("limits.clone3_thread_exit_signal_einval", &a, 64, EINVAL);
    a.flags = CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND_;
    a.exit_signal = SIGCHLD;
    clone3_errno("limits.clone3_sighand_clear_sighand_einval", &a, 64, EINVAL);
    a.flags = 0;
    a.stack = (uint64_t)(uintptr_t)big;
    a.stack_size = 0;
    clone3_errno("limits.clone3_stack_no_size_einval", &a, 64, EINVAL);
    a.stack = 0;
    a.stack_size = 4096;
    clone3_errno("limits.clone3_size_no_stack_einval", &a, 64, EINVAL);
    a.stack_size = 0;
    /* (CLONE_PIDFD | CLONE_THREAD is EINVAL on 6.1 but allowed since 6.9:
     * not tested, a thread sharing this stack would wreck it.) */

    /* fork-like, with the 88-byte struct and a larger one with a zero tail */
    memset(big, 0, sizeof big);
    ((struct clone_args_ *)big)->exit_signal = SIGCHLD;
    long pid = clone3_((struct clone_args_ *)big, 128);
    if (pid == 0)
        _exit(7);
    int st = pid > 0 ? child_status((pid_t)pid) : -1;
    ktest_result("limits.clone3_fork", pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7, "clone3=%ld errno=%d child %s",
                 pid, errno, ktest_wstr(st));

    /* CLONE_CLEAR_SIGHAND: handlers back to SIG_DFL, SIG_IGN kept */
    signal(SIGUSR1, (void (*)(int))h_xcpu);
    signal(SIGUSR2, SIG_IGN);
    memset(&a, 0, sizeof a);
    a.flags = CLONE_CLEAR_SIGHAND_;
    a.exit_signal = SIGCHLD;
    pid = clone3_(&a, 88);
    if (pid == 0) {
        struct sigaction s1, s2;
        sigaction(SIGUSR1, NULL, &s1);
        sigaction(SIGUSR2, NULL, &s2);
        _exit(s1.sa_handler == SIG_DFL && s2.sa_handler == SIG_IGN ? 0 : 1);
    }
    st = pid > 0 ? child_status((pid_t)pid) : -1;
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
    ktest_result("limits.clone3_clear_sighand", pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "clone3=%ld child %s",
                 pid, ktest_wstr(st));
}

/* ---- pidfds ----------------------------------------------------------------------- */

static void *idle_thread(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

static void t_pidfd(void)
{
    KTEST_ERRNO("limits.pidfd_open_flags_einval", syscall(SYS_pidfd_open, getpid(), 1), EINVAL);
    KTEST_ERRNO("limits.pidfd_open_pid0_einval", syscall(SYS_pidfd_open, 0, 0), EINVAL);
    KTEST_ERRNO("limits.pidfd_open_negative_einval", syscall(SYS_pidfd_open, -1, 0), EINVAL);
    KTEST_ERRNO("limits.pidfd_open_esrch", syscall(SYS_pidfd_open, INT_MAX, 0), ESRCH);
    pthread_t th;
    static volatile long ttid;
    pthread_create(&th, NULL, idle_thread, NULL);
    /* the thread's tid: the highest tid of our /proc/self/task */
    usleep(20000);
    for (long t = getpid() + 1; t < getpid() + 1000; t++)
        if (syscall(SYS_tgkill, getpid(), t, 0) == 0) {
            ttid = t;
            break;
        }
    KTEST_ERRNO("limits.pidfd_open_thread_einval", syscall(SYS_pidfd_open, ttid, 0), EINVAL);

    int self = (int)syscall(SYS_pidfd_open, getpid(), 0);
    struct pollfd p = {self, POLLIN, 0};
    int pr = poll(&p, 1, 0);
    ktest_result("limits.pidfd_open_self", self >= 0 && fcntl(self, F_GETFD) == FD_CLOEXEC && pr == 0,
                 "fd=%d cloexec=%d poll=%d", self, fcntl(self, F_GETFD), pr);
    KTEST_ERRNO("limits.pidfd_send_signal_flags_einval", syscall(SYS_pidfd_send_signal, self, 0, NULL, 0x100), EINVAL);
    KTEST_ERRNO("limits.pidfd_send_signal_bad_sig_einval", syscall(SYS_pidfd_send_signal, self, 65, NULL, 0), EINVAL);
    int nul = open("/dev/null", O_RDONLY);
    KTEST_ERRNO("limits.pidfd_send_signal_not_pidfd_ebadf", syscall(SYS_pidfd_send_signal, nul, 0, NULL, 0), EBADF);
    KTEST_ERRNO("limits.pidfd_send_signal_closed_ebadf", syscall(SYS_pidfd_send_signal, 999, 0, NULL, 0), EBADF);
    close(nul);
    long r = syscall(SYS_pidfd_send_signal, self, 0, NULL, 0);
    ktest_result("limits.pidfd_send_signal_zero", r == 0, "r=%ld errno=%d", r, errno);
    close(self);

    pid_t c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    int fd = (int)syscall(SYS_pidfd_open, c, 0);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    KTEST_ERRNO("limits.pidfd_send_signal_signo_mismatch_einval", syscall(SYS_pidfd_send_signal, fd, SIGTERM, &si, 0),
                EINVAL);
    si.si_code = SI_USER;
    KTEST_ERRNO("limits.pidfd_send_signal_si_user_eperm", syscall(SYS_pidfd_send_signal, fd, SIGUSR1, &si, 0), EPERM);
    KTEST_ERRNO("limits.pidfd_send_signal_info_efault", syscall(SYS_pidfd_send_signal, fd, SIGUSR1, BAD_PTR, 0),
                EFAULT);
    r = syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
    p.fd = fd;
    p.revents = 0;
    int pr2 = poll(&p, 1, 5000);
    int st = child_status(c);
    ktest_result("limits.pidfd_send_signal_kill", r == 0 && pr2 == 1 && (p.revents & POLLIN) && WIFSIGNALED(st) &&
                 WTERMSIG(st) == SIGKILL,
                 "send=%ld poll=%d revents=%#x child %s", r, pr2, p.revents, ktest_wstr(st));
    KTEST_ERRNO("limits.pidfd_send_signal_reaped_esrch", syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0), ESRCH);
    close(fd);

    /* CLONE_PIDFD through clone3: poll is readable when the child exits */
    struct clone_args_ a;
    memset(&a, 0, sizeof a);
    int pfd = -1;
    a.flags = CLONE_PIDFD;
    a.pidfd = (uint64_t)(uintptr_t)&pfd;
    a.exit_signal = SIGCHLD;
    long pid = clone3_(&a, 64);
    if (pid == 0) {
        usleep(200000);
        _exit(3);
    }
    p.fd = pfd;
    p.revents = 0;
    int before = poll(&p, 1, 0);
    p.revents = 0;
    int after = poll(&p, 1, 10000);
    short rev = p.revents;
    memset(&si, 0, sizeof si);
    int w = waitid(P_PIDFD, (id_t)pfd, &si, WEXITED);
    ktest_result("limits.clone3_pidfd_poll_waitid",
                 pid > 0 && pfd >= 0 && before == 0 && after == 1 && (rev & POLLIN) && w == 0 && si.si_pid == pid &&
                     si.si_status == 3,
                 "clone3=%ld pidfd=%d poll before=%d after=%d revents=%#x waitid=%d si_pid=%d status=%d", pid, pfd,
                 before, after, rev, w, si.si_pid, si.si_status);
    close(pfd);

    /* clone(2) CLONE_PIDFD: the fd goes to the parent-tid argument */
    pfd = -1;
    r = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pfd, 0, 0);
    if (r == 0)
        _exit(4);
    st = r > 0 ? child_status((pid_t)r) : -1;
    ktest_result("limits.clone_pidfd", r > 0 && pfd >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 4,
                 "clone=%ld pidfd=%d child %s", r, pfd, ktest_wstr(st));
    if (pfd >= 0)
        close(pfd);
    errno = 0;
    r = syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &pfd, 0, 0);
    if (r == 0)
        _exit(0);
    int e = errno;
    if (r > 0)
        child_status((pid_t)r);
    ktest_result("limits.clone_pidfd_parent_settid_einval", r == -1 && e == EINVAL, "r=%ld errno=%d", r, e);
    KTEST_ERRNO("limits.waitid_pidfd_ebadf", waitid(P_PIDFD, 0, &si, WEXITED), EBADF);
}

/* ---- a handler on an unwritable alternate stack ------------------------------------ */

static void h_nop(int sig)
{
    (void)sig;
}

static int ro_altstack_child(void *arg)
{
    (void)arg;
    void *stk = mmap(NULL, 65536, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    stack_t ss = {.ss_sp = stk, .ss_size = 65536, .ss_flags = 0};
    if (sigaltstack(&ss, NULL))
        return 10;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h_nop;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    return 0; /* not reached on Linux: the frame cannot be written */
}

static void t_ro_altstack(void)
{
    int st = ktest_in_child(ro_altstack_child, NULL, 20);
    ktest_result("limits.readonly_altstack_sigsegv", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
                 "child %s (want killed by SIGSEGV, as Linux force_sigsegv())", ktest_wstr(st));
}

int main(void)
{
    t_sigpending();
    t_sched();
    t_subreaper();
    t_clone3();
    t_pidfd();
    t_ro_altstack();
    t_rlimit_cpu();
    return 0;
}
