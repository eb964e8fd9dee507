/* ktest.h - tiny helpers for Kevlar guest test programs.
 *
 * Every check prints exactly one line on stdout:
 *   KTEST PASS <name>
 *   KTEST FAIL <name> <reason>
 * and, when the environment variable KTEST_TALLY names a file, appends the
 * same line to that file (the guest /init counts PASS/FAIL lines there).
 *
 * Lines are written with a single write(2) each (no stdio buffering), so
 * output from forked children never gets duplicated or interleaved.
 * These programs are built with `gcc -static` (x86_64) and
 * `aarch64-linux-gnu-gcc -static` (arm64) and must behave identically on
 * Linux and on Kevlar.
 */
#ifndef KTEST_H
#define KTEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int ktest_nfail __attribute__((unused));

static inline void ktest_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

/* Emit one already formatted line (must end with '\n'). */
static inline void ktest_emit(const char *line, size_t len)
{
    int saved = errno;
    ktest_write_all(1, line, len);
    const char *tally = getenv("KTEST_TALLY");
    if (tally && *tally) {
        int fd = open(tally, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ktest_write_all(fd, line, len);
            close(fd);
        }
    }
    errno = saved;
}

/* Report a result; on failure the reason is printf-formatted. */
static inline void ktest_result(const char *name, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void ktest_result(const char *name, int ok, const char *fmt, ...)
{
    char line[512];
    int n;
    if (ok) {
        n = snprintf(line, sizeof line, "KTEST PASS %s\n", name);
    } else {
        char reason[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof reason, fmt ? fmt : "failed", ap);
        va_end(ap);
        for (char *p = reason; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        n = snprintf(line, sizeof line, "KTEST FAIL %s %s\n", name, reason);
        ktest_nfail++;
    }
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) {
        n = sizeof line - 1;
        line[n - 1] = '\n';
    }
    ktest_emit(line, (size_t)n);
}

/* KTEST_CHECK(name, cond): errno is cleared before cond is evaluated and
 * reported (with its text) when cond is false. */
#define KTEST_CHECK(name, cond)                                              \
    do {                                                                     \
        errno = 0;                                                           \
        int ktest_ok_ = !!(cond);                                            \
        int ktest_e_ = errno;                                                \
        ktest_result((name), ktest_ok_, "%s (errno=%d %s)", #cond, ktest_e_, \
                     strerror(ktest_e_));                                    \
    } while (0)

/* Expect a syscall-style call to fail (-1) with a given errno. */
#define KTEST_ERRNO(name, call, want)                                         \
    do {                                                                      \
        errno = 0;                                                            \
        long ktest_r_ = (long)(call);                                         \
        int ktest_e_ = errno;                                                 \
        ktest_result((name), ktest_r_ == -1 && ktest_e_ == (want),            \
                     "%s returned %ld errno=%d (%s), want -1 errno=%d (%s)",  \
                     #call, ktest_r_, ktest_e_, strerror(ktest_e_), (want),   \
                     strerror(want));                                         \
    } while (0)

/* Describe a wait status, for failure reasons. */
static inline const char *ktest_wstr(int st)
{
    static char buf[64];
    if (WIFEXITED(st))
        snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(st));
    else if (WIFSTOPPED(st))
        snprintf(buf, sizeof buf, "stopped by signal %d", WSTOPSIG(st));
    else
        snprintf(buf, sizeof buf, "status 0x%x", st);
    return buf;
}

/* Run fn(arg) in a forked child with a watchdog alarm; returns the wait
 * status (or -1 if fork/wait failed). The child's exit code is fn's return
 * value. A child that hangs is killed by SIGALRM after `secs` seconds. */
static inline int ktest_in_child(int (*fn)(void *), void *arg, unsigned secs)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL);
        alarm(secs);
        _exit(fn(arg) & 0xff);
    }
    int st = 0;
    pid_t w;
    do
        w = waitpid(pid, &st, 0);
    while (w < 0 && errno == EINTR);
    return w == pid ? st : -1;
}

/* ktest_in_child() for a child that may lose the right to write the tally
 * file (it drops root): its result lines go through a pipe to the parent,
 * which reports them. Returns the wait status as ktest_in_child does. */
static inline int ktest_in_child_relay(int (*fn)(void *), void *arg, unsigned secs)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], 1);
        close(p[1]);
        unsetenv("KTEST_TALLY");
        signal(SIGALRM, SIG_DFL);
        alarm(secs);
        _exit(fn(arg) & 0xff);
    }
    close(p[1]);
    char buf[4096];
    size_t have = 0;
    for (;;) {
        ssize_t n = read(p[0], buf + have, sizeof buf - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
        char *nl;
        while ((nl = memchr(buf, '\n', have)) != NULL) {
            size_t len = (size_t)(nl - buf) + 1;
            if (!strncmp(buf, "KTEST FAIL ", 11))
                ktest_nfail++;
            ktest_emit(buf, len);
            memmove(buf, buf + len, have - len);
            have -= len;
        }
        if (have == sizeof buf - 1)
            have = 0; /* an overlong line: drop it */
    }
    close(p[0]);
    int st = 0;
    pid_t w;
    do
        w = waitpid(pid, &st, 0);
    while (w < 0 && errno == EINTR);
    return w == pid ? st : -1;
}

static inline double ktest_now(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An arbitrary (bad) user pointer, hidden from the compiler's checks. */
static inline void *ktest_ptr(unsigned long v)
{
    void *volatile p = (void *)v;
    return p;
}

static inline int ktest_is_guest(void)
{
    const char *g = getenv("KTEST_GUEST");
    return g && strcmp(g, "1") == 0;
}

/* A check that does not apply here (e.g. one that reads Kevlar's own
 * /proc/kevlar files, run on Linux): "KTEST SKIP <name> <reason>". It counts
 * in the total, never as a pass (README "Protocol"). */
static inline void ktest_skip(const char *name, const char *reason)
{
    char line[512];
    int n = snprintf(line, sizeof line, "KTEST SKIP %s %s\n", name, reason);
    if (n > 0 && (size_t)n < sizeof line)
        ktest_emit(line, (size_t)n);
}

/* Is the running kernel Kevlar (uname -r ends in "-kevlar")? */
static inline int ktest_is_kevlar(void)
{
    char buf[128];
    int fd = open("/proc/sys/kernel/osrelease", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    return strstr(buf, "kevlar") != NULL;
}

/* Scratch directory: $KTEST_TMP (default /tmp) / kt.<prog>.<pid>; the
 * program chdir()s into it. Returns 0 on success. */
static char ktest_scratch[256] __attribute__((unused));
static inline int ktest_enter_scratch(const char *prog)
{
    const char *base = getenv("KTEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    snprintf(ktest_scratch, sizeof ktest_scratch, "%s/kt.%s.%d", base, prog,
             (int)getpid());
    if (mkdir(ktest_scratch, 0755) != 0 && errno != EEXIST)
        return -1;
    return chdir(ktest_scratch);
}

#endif /* KTEST_H */
