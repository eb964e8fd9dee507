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
 *    the child reaped within 5 s. */
#include "ktest.h"

#include <sys/sendfile.h>
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

int main(void)
{
    double took = 0;
    int ok = dies_quickly(zero_to_null, &took);
    ktest_result("fuzzfind.sendfile_killable", ok, "sendfile /dev/zero -> /dev/null: reaped %.2f s after SIGKILL", took);
    if (!isatty(1)) {
        ktest_skip("fuzzfind.tty_write_killable", "stdout is not a tty");
    } else {
        ok = dies_quickly(zero_to_tty, &took);
        ktest_result("fuzzfind.tty_write_killable", ok, "sendfile /dev/zero -> tty: reaped %.2f s after SIGKILL", took);
    }
    return ktest_nfail ? 1 : 0;
}
