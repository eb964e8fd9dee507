/* t_fuzzfind.c - minimised regression tests for what the syscall fuzzer
 * (tests/fuzz/sysfuzz.c, docs/reliability.md) found.
 *
 * 1. A long write to the tty could not be interrupted and held the CPU: a
 *    sendfile(2) of 1 GiB to the console went on until the whole buffer was
 *    out, at the UART's pace, with no preemption point, so on one CPU not
 *    even the task sending SIGKILL ran (the fuzzer's run timed out). Linux
 *    stops between chunks when a signal is pending and calls cond_resched()
 *    (drivers/tty/tty_io.c iterate_tty_write; [signal(7)] "Interruption of
 *    system calls": a call that has transferred data returns the count).
 *    The same for sendfile's own page loop (it passed before the fix: the
 *    /dev/zero -> /dev/null copy ends fast enough, kept as a guard). Each
 *    case starts the copy in a child, sends SIGKILL after 200 ms and wants
 *    the child reaped within 5 s; a signal with a handler must end the copy
 *    early with a short count ([sendfile(2)] and [write(2)]: bytes so far).
 * 2. The fuzzer "hung": each new worker opened a FIFO its predecessor had
 *    left where a regular file was expected and blocked there before its
 *    first call, forever (a fuzzer bug; Linux blocks the same way). Kept:
 *    [fifo(7)] an O_RDONLY open with no writer blocks, a signal ends it with
 *    EINTR (no SA_RESTART), and O_NONBLOCK does not block. */
#include "ktest.h"

#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

/* Start `what` in a child, kill it after 200 ms; 1 if it was reaped within 5 s. */
static int dies_quickly(void (*what)(void), double *took)
{
    pid_t c = fork();
    if (c < 0)
        return 0;
    if (c == 0) {
        what();
        _exit(0);
    }
    usleep(200 * 1000);
    kill(c, SIGKILL);
    double t0 = ktest_now(CLOCK_MONOTONIC);
    int st;
    for (;;) {
        pid_t w = waitpid(c, &st, WNOHANG);
        *took = ktest_now(CLOCK_MONOTONIC) - t0;
        if (w == c)
            return 1;
        if (*took > 5) {
            /* leave it: it dies when the copy ends; the check has failed */
            return 0;
        }
        usleep(20 * 1000);
    }
}

static void zero_to_null(void)
{
    int z = open("/dev/zero", O_RDONLY), n = open("/dev/null", O_WRONLY);
    for (;;) /* Linux ends each at 0x7ffff000 bytes: loop so it never ends alone */
        if (sendfile(n, z, NULL, 0x7ffff000) <= 0)
            return;
}

static void zero_to_tty(void)
{
    /* NUL bytes: invisible in the log */
    int z = open("/dev/zero", O_RDONLY);
    for (;;)
        if (sendfile(1, z, NULL, 1 << 30) <= 0)
            return;
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* sendfile(2) of 64 MiB from a sparse file to /dev/null with SIGALRM (a handler, no SA_RESTART)
 * every ms: each copy must end early with a positive short count. */
static void sendfile_short_on_signal(void)
{
    /* A sparse 64 MiB file (Linux cannot sendfile from /dev/zero: EINVAL). */
    int z = open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0600), n = open("/dev/null", O_WRONLY);
    if (z < 0 || ftruncate(z, 64 << 20)) {
        ktest_result("fuzzfind.sendfile_short_on_signal", 0, "sparse file: errno=%d", errno);
        return;
    }
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_interval = {0, 1000}, .it_value = {0, 1000}};
    ssize_t total = 0, r = 0;
    int calls = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    /* Each call sees SIGALRM within a ms: none may copy all it was asked for. */
    for (calls = 0; calls < 5; calls++) {
        off_t off = 0;
        r = sendfile(n, z, &off, 64 << 20);
        if (r < 0 || r == 64 << 20)
            break;
        total += r;
    }
    struct itimerval off = {0};
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
    ktest_result("fuzzfind.sendfile_short_on_signal", calls == 5 && alarms > 0,
                 "%d calls, last returned %zd (errno %d), %zd bytes, %d alarms", calls, r, errno, total, (int)alarms);
    close(z);
    close(n);
    unlink("sparse");
}

static void fifo_open(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/fifo", ktest_scratch);
    if (mkfifo(path, 0600)) {
        ktest_result("fuzzfind.fifo_open_eintr", 0, "mkfifo errno=%d", errno);
        return;
    }
    struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_value = {0, 100 * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
    double t0 = ktest_now(CLOCK_MONOTONIC);
    int fd = open(path, O_RDONLY);
    int e = errno;
    double took = ktest_now(CLOCK_MONOTONIC) - t0;
    ktest_result("fuzzfind.fifo_open_eintr", fd == -1 && e == EINTR && took >= 0.05,
                 "open returned %d errno=%d after %.2f s", fd, e, took);
    if (fd >= 0)
        close(fd);
    signal(SIGALRM, SIG_DFL);
    fd = open(path, O_RDONLY | O_NONBLOCK);
    ktest_result("fuzzfind.fifo_open_nonblock", fd >= 0, "errno=%d", errno);
    if (fd >= 0)
        close(fd);
    unlink(path);
}

int main(void)
{
    if (ktest_enter_scratch("fuzzfind"))
        return 1;
    fifo_open();
    sendfile_short_on_signal();
    double took = 0;
    int ok = dies_quickly(zero_to_null, &took);
    ktest_result("fuzzfind.sendfile_killable", ok, "sendfile /dev/zero -> /dev/null: reaped %.2f s after SIGKILL", took);
    if (!isatty(1)) {
        ktest_skip("fuzzfind.tty_write_killable", "stdout is not a tty");
    } else {
        ok = dies_quickly(zero_to_tty, &took);
        if (write(1, "\n", 1) != 1) { /* the NUL bytes have no line end */
        }
        ktest_result("fuzzfind.tty_write_killable", ok, "sendfile /dev/zero -> tty: reaped %.2f s after SIGKILL", took);
    }
    return ktest_nfail ? 1 : 0;
}
