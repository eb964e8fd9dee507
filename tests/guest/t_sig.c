/* t_sig.c - signals: sigaction, masks, delivery, siginfo, SIGCHLD, tgkill,
 * EINTR/SA_RESTART, sigsuspend, sigtimedwait, RT queueing, altstack,
 * stop/continue. */
#include "ktest.h"

#include <pthread.h>
#include <sys/time.h>

static volatile sig_atomic_t got_usr1, got_usr2, got_chld, got_alrm, got_rt;
static volatile int info_signo, info_code, info_pid, info_value;
static volatile int usr1_blocked_in_handler;
static volatile long handler_tid;
static void *volatile handler_stack_addr;

static void h_usr1(int sig)
{
    (void)sig;
    got_usr1++;
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    usr1_blocked_in_handler = sigismember(&cur, SIGUSR1);
    handler_stack_addr = __builtin_frame_address(0);
}

static void h_usr2(int sig)
{
    (void)sig;
    got_usr2++;
    handler_tid = syscall(SYS_gettid);
}

static void h_info(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    info_signo = sig;
    info_code = si->si_code;
    info_pid = si->si_pid;
    info_value = si->si_value.sival_int;
    got_rt++;
}

static void h_chld(int sig)
{
    (void)sig;
    got_chld++;
}

static void h_alrm(int sig)
{
    (void)sig;
    got_alrm++;
}

static int set_handler(int sig, void (*h)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL);
}

static void unblock_all(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigprocmask(SIG_SETMASK, &s, NULL);
}

static void t_basic(void)
{
    got_usr1 = 0;
    int r = set_handler(SIGUSR1, h_usr1, 0);
    int k = kill(getpid(), SIGUSR1);
    ktest_result("sig.sigaction_kill_self", r == 0 && k == 0 && got_usr1 == 1,
                 "sigaction=%d kill=%d handler runs=%d", r, k, (int)got_usr1);
    ktest_result("sig.signal_masked_during_handler", usr1_blocked_in_handler == 1,
                 "SIGUSR1 not blocked while its handler ran");
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    ktest_result("sig.mask_restored_after_handler", !sigismember(&cur, SIGUSR1), "SIGUSR1 still blocked after sigreturn");

    struct sigaction old;
    memset(&old, 0, sizeof old);
    r = sigaction(SIGUSR1, NULL, &old);
    ktest_result("sig.sigaction_query_old", r == 0 && old.sa_handler == h_usr1, "r=%d handler mismatch", r);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h_info;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    info_signo = info_code = info_pid = 0;
    kill(getpid(), SIGUSR2);
    ktest_result("sig.siginfo_kill", info_signo == SIGUSR2 && info_code == SI_USER && info_pid == getpid(),
                 "si_signo=%d si_code=%d si_pid=%d (pid %d)", info_signo, info_code, info_pid, (int)getpid());

    /* rt_sigqueueinfo carries a value */
    union sigval v = {.sival_int = 1234};
    info_value = 0;
    r = sigqueue(getpid(), SIGUSR2, v);
    ktest_result("sig.sigqueue_value", r == 0 && info_value == 1234 && info_code == SI_QUEUE,
                 "sigqueue=%d value=%d code=%d", r, info_value, info_code);

    KTEST_ERRNO("sig.sigaction_sigkill_einval", ({
                    struct sigaction s2;
                    memset(&s2, 0, sizeof s2);
                    s2.sa_handler = h_usr1;
                    sigaction(SIGKILL, &s2, NULL);
                }),
                EINVAL);
    KTEST_ERRNO("sig.kill_bad_signal_einval", kill(getpid(), 1000), EINVAL);

    /* SIG_IGN: the signal is discarded */
    signal(SIGUSR1, SIG_IGN);
    k = kill(getpid(), SIGUSR1);
    ktest_result("sig.sig_ign", k == 0, "kill=%d", k);
    /* default-ignored signals do not kill */
    signal(SIGURG, SIG_DFL);
    k = kill(getpid(), SIGURG);
    ktest_result("sig.default_ignore_sigurg", k == 0, "kill=%d", k);

    /* SA_RESETHAND: one-shot */
    got_usr1 = 0;
    set_handler(SIGUSR1, h_usr1, SA_RESETHAND);
    kill(getpid(), SIGUSR1);
    sigaction(SIGUSR1, NULL, &old);
    ktest_result("sig.sa_resethand", got_usr1 == 1 && old.sa_handler == SIG_DFL, "runs=%d reset=%d",
                 (int)got_usr1, old.sa_handler == SIG_DFL);
    set_handler(SIGUSR1, h_usr1, 0);
}

static void t_mask(void)
{
    got_usr1 = 0;
    set_handler(SIGUSR1, h_usr1, 0);
    sigset_t s, old, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    int r = sigprocmask(SIG_BLOCK, &s, &old);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    sigemptyset(&pend);
    sigpending(&pend);
    ktest_result("sig.sigprocmask_blocks", r == 0 && got_usr1 == 0 && sigismember(&pend, SIGUSR1),
                 "rt_sigprocmask=%d handler runs=%d pending=%d", r, (int)got_usr1, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    ktest_result("sig.unblock_delivers_once", got_usr1 == 1,
                 "handler ran %d times (standard signals coalesce: want 1)", (int)got_usr1);

    /* real-time signals queue */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h_info;
    sa.sa_flags = SA_SIGINFO;
    int rt = SIGRTMIN + 1;
    sigaction(rt, &sa, NULL);
    sigemptyset(&s);
    sigaddset(&s, rt);
    sigprocmask(SIG_BLOCK, &s, NULL);
    got_rt = 0;
    for (int i = 0; i < 3; i++) {
        union sigval v = {.sival_int = i};
        sigqueue(getpid(), rt, v);
    }
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    ktest_result("sig.rt_signals_queue", got_rt == 3 && info_value == 2, "handler ran %d times (want 3), last value %d",
                 (int)got_rt, info_value);

    /* sigtimedwait picks a blocked pending signal synchronously */
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    kill(getpid(), SIGUSR2);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    struct timespec ts = {1, 0};
    int w = sigtimedwait(&s, &si, &ts);
    ktest_result("sig.sigtimedwait", w == SIGUSR2 && si.si_signo == SIGUSR2 && si.si_pid == getpid(),
                 "sigtimedwait=%d si_signo=%d si_pid=%d", w, si.si_signo, (int)si.si_pid);
    struct timespec t20 = {0, 20 * 1000 * 1000};
    KTEST_ERRNO("sig.sigtimedwait_timeout_eagain", sigtimedwait(&s, &si, &t20), EAGAIN);
    unblock_all();
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void t_chld(void)
{
    got_chld = 0;
    set_handler(SIGCHLD, h_chld, SA_RESTART);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    int st;
    waitpid(pid, &st, 0);
    for (int i = 0; i < 100 && !got_chld; i++)
        usleep(10000);
    ktest_result("sig.sigchld_on_child_exit", got_chld >= 1, "SIGCHLD handler runs=%d", (int)got_chld);
    signal(SIGCHLD, SIG_DFL);

    /* sigsuspend: atomically unblock and wait; the child signals the parent */
    sigset_t s, old, empty;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, &old);
    got_usr1 = 0;
    set_handler(SIGUSR1, h_usr1, 0);
    pid_t parent = getpid();
    pid = fork();
    if (pid == 0) {
        usleep(20000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    sigemptyset(&empty);
    alarm(10);
    int r = sigsuspend(&empty);
    int e = errno;
    alarm(0);
    waitpid(pid, &st, 0);
    ktest_result("sig.sigsuspend", r == -1 && e == EINTR && got_usr1 == 1, "sigsuspend=%d errno=%d runs=%d", r, e,
                 (int)got_usr1);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void *thr_wait(void *a)
{
    volatile int *flag = a;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL); /* the creator blocked it */
    *flag = (int)syscall(SYS_gettid);
    for (int i = 0; i < 500 && !got_usr2; i++)
        usleep(10000);
    return NULL;
}

static void t_tgkill(void)
{
    got_usr2 = 0;
    handler_tid = 0;
    set_handler(SIGUSR2, h_usr2, 0);
    long tid = syscall(SYS_gettid);
    long r = syscall(SYS_tgkill, getpid(), tid, SIGUSR2);
    ktest_result("sig.tgkill_self", r == 0 && got_usr2 == 1 && handler_tid == tid, "tgkill=%ld runs=%d", r,
                 (int)got_usr2);
    KTEST_ERRNO("sig.tgkill_wrong_tgid_esrch", syscall(SYS_tgkill, getpid() + 100000, tid, SIGUSR2), ESRCH);

    /* a signal directed at another thread runs on that thread */
    got_usr2 = 0;
    handler_tid = 0;
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, &old); /* main thread won't take it */
    volatile int ttid = 0;
    pthread_t th;
    int c = pthread_create(&th, NULL, thr_wait, (void *)&ttid);
    for (int i = 0; i < 500 && !ttid; i++)
        usleep(1000);
    r = c == 0 ? syscall(SYS_tgkill, getpid(), (long)ttid, SIGUSR2) : -1;
    if (c == 0)
        pthread_join(th, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    ktest_result("sig.tgkill_other_thread", c == 0 && r == 0 && got_usr2 == 1 && handler_tid == ttid && ttid != tid,
                 "create=%d tgkill=%ld runs=%d handler_tid=%ld target=%d", c, r, (int)got_usr2, (long)handler_tid,
                 ttid);
}

static int notify_fd = -1;
static void h_alrm_notify(int sig)
{
    (void)sig;
    got_alrm++;
    if (notify_fd >= 0)
        write(notify_fd, "!", 1);
}

static void t_eintr(void)
{
    int p[2];
    pipe(p);
    got_alrm = 0;
    set_handler(SIGALRM, h_alrm, 0); /* no SA_RESTART */
    /* periodic, so a tick that lands before read() starts cannot hang us */
    struct itimerval it = {{0, 50000}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    char c;
    double t0 = ktest_now(CLOCK_MONOTONIC);
    ssize_t n = read(p[0], &c, 1);
    int e = errno;
    double el = ktest_now(CLOCK_MONOTONIC) - t0;
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    ktest_result("sig.setitimer_interrupts_read_eintr", n == -1 && e == EINTR && got_alrm >= 1,
                 "read=%zd errno=%d alarms=%d elapsed=%.3f", n, e, (int)got_alrm, el);

    /* With SA_RESTART the interrupted read is restarted and gets the data
     * that a child writes only after the alarm handler has run. */
    int nt[2];
    pipe(nt);
    notify_fd = nt[1];
    got_alrm = 0;
    set_handler(SIGALRM, h_alrm_notify, SA_RESTART);
    pid_t pid = fork();
    if (pid == 0) {
        char x;
        alarm(20);
        if (read(nt[0], &x, 1) != 1)
            _exit(1);
        usleep(20000);
        write(p[1], "R", 1);
        _exit(0);
    }
    struct itimerval it2 = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it2, NULL);
    c = 0;
    errno = 0;
    n = read(p[0], &c, 1);
    e = errno;
    int st = -1;
    waitpid(pid, &st, 0);
    notify_fd = -1;
    ktest_result("sig.sa_restart_read", n == 1 && c == 'R' && got_alrm == 1, "read=%zd c=%c alarms=%d errno=%d child %s",
                 n, c ? c : '?', (int)got_alrm, e, ktest_wstr(st));
    signal(SIGALRM, SIG_DFL);
    close(nt[0]);
    close(nt[1]);
    close(p[0]);
    close(p[1]);
}

static void t_altstack(void)
{
    static char altbuf[64 * 1024];
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = altbuf;
    ss.ss_size = sizeof altbuf;
    int r = sigaltstack(&ss, NULL);
    set_handler(SIGUSR1, h_usr1, SA_ONSTACK);
    got_usr1 = 0;
    handler_stack_addr = NULL;
    kill(getpid(), SIGUSR1);
    char *a = (char *)handler_stack_addr;
    ktest_result("sig.sigaltstack", r == 0 && got_usr1 == 1 && a >= altbuf && a < altbuf + sizeof altbuf,
                 "sigaltstack=%d runs=%d handler frame=%p alt=[%p,%p)", r, (int)got_usr1, (void *)a, (void *)altbuf,
                 (void *)(altbuf + sizeof altbuf));
    stack_t cur;
    sigaltstack(NULL, &cur);
    ktest_result("sig.sigaltstack_query", cur.ss_sp == altbuf && cur.ss_size == sizeof altbuf && !(cur.ss_flags & SS_ONSTACK),
                 "ss_sp=%p size=%zu flags=%d", cur.ss_sp, cur.ss_size, cur.ss_flags);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    set_handler(SIGUSR1, h_usr1, 0);
}

/* The interrupted context (integer and FP registers) survives a handler. */
static volatile double fp_sink;
static void h_fp(int sig)
{
    (void)sig;
    double x = 1.0;
    for (int i = 0; i < 1000; i++)
        x = x * 1.0001 + 0.5;
    fp_sink = x;
}

static void t_context(void)
{
    set_handler(SIGUSR1, h_fp, 0);
    double a = 1.5, b = 2.25;
    long ia = 12345, ib = 67890;
    double acc = 0;
    long iacc = 0;
    for (int i = 0; i < 50; i++) {
        acc += a * b;
        iacc += ia ^ ib;
        if (i % 10 == 0)
            kill(getpid(), SIGUSR1);
    }
    ktest_result("sig.context_preserved", acc == 50 * 3.375 && iacc == 50L * (12345 ^ 67890),
                 "acc=%f iacc=%ld", acc, iacc);
    set_handler(SIGUSR1, h_usr1, 0);
}

static void t_stop_cont(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        for (;;)
            pause();
    }
    usleep(10000);
    kill(pid, SIGSTOP);
    int st = 0;
    pid_t w = waitpid(pid, &st, WUNTRACED);
    int stopped = w == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP;
    kill(pid, SIGCONT);
    int st2 = 0;
    w = waitpid(pid, &st2, WCONTINUED);
    int cont = w == pid && WIFCONTINUED(st2);
    kill(pid, SIGTERM);
    int st3 = 0;
    waitpid(pid, &st3, 0);
    ktest_result("sig.sigstop_wuntraced", stopped, "waitpid(WUNTRACED) status %s", ktest_wstr(st));
    ktest_result("sig.sigcont_wcontinued", cont, "waitpid(WCONTINUED) status %#x", st2);
    ktest_result("sig.term_after_cont", WIFSIGNALED(st3) && WTERMSIG(st3) == SIGTERM, "%s", ktest_wstr(st3));
}

int main(void)
{
    t_basic();
    t_mask();
    t_chld();
    t_tgkill();
    t_eintr();
    t_altstack();
    t_context();
    t_stop_cont();
    return 0;
}
