/* bench.c - Kevlar's syscall benchmark (issue: vDSO and a benchmark suite).
 *
 * One static program, the same binary for our kernel and for Linux in the
 * same QEMU. Each benchmark runs a fixed number of iterations (scaled by
 * the first argument, a positive decimal, default 1; at least one iteration)
 * and prints one line
 *
 *   BENCH <name> iters=<N> ns_per_op=<X>
 *
 * timed with clock_gettime(CLOCK_MONOTONIC) around the whole loop, then
 * "BENCH END". These are benchmarks, not tests: under TCG on shared cores a
 * single figure means little; compare medians of interleaved runs, as
 * ratios (docs/bench/). Errors of a benchmark's setup print
 * "BENCH <name> error=<errno>" and the run goes on.
 *
 * Each measured loop is also bracketed by marker instructions (BENCH_MARK) that
 * are no-ops to the CPU and to every kernel but that the instruction-counting
 * QEMU plugin (bench/plugin/insncount.c) sees: it prints one "INSNS" line per
 * BENCH line, in the same order, with the instructions the whole machine ran
 * in the loop (bench/compare.sh --insns).
 *
 * Invoked as "bench --exit" it exits at once (the execve benchmark's
 * child). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mark.h"

static double scale = 1; /* iterations x scale; below 1 for quick checks */
static const char *self = "/bench/bench"; /* this program, for stat and execve */

/* n iterations scaled, at least 1. */
static long scaled(long n)
{
    long r = (long)(n * scale);
    return r > 0 ? r : 1;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void report(const char *name, long iters, double t0, double t1)
{
    printf("BENCH %s iters=%ld ns_per_op=%.1f\n", name, iters, (t1 - t0) / iters);
    fflush(stdout);
}

static void fail(const char *name)
{
    printf("BENCH %s error=%d\n", name, errno);
    fflush(stdout);
}


#define LOOP(name, n, body)                               \
    do {                                                  \
        long n_ = scaled(n);                              \
        double t0_ = now_ns();                            \
        REGION_OPEN(0);                                   \
        for (long i_ = 0; i_ < n_; i_++) {                \
            body;                                         \
        }                                                 \
        REGION_CLOSE(0);                                  \
        report(name, n_, t0_, now_ns());                  \
        REGION_EMIT(0);                                   \
    } while (0)

static volatile sig_atomic_t got_signal;
static void on_usr1(int sig)
{
    (void)sig;
    got_signal++;
}

static void bench_fd_ops(void)
{
    char c = 0;
    int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
    if (zero < 0 || null < 0) {
        fail("read_devzero_1");
        return;
    }
    LOOP("read_devzero_1", 20000, read(zero, &c, 1));
    LOOP("write_devnull_1", 20000, write(null, &c, 1));
    close(zero);
    close(null);
    struct stat st;
    LOOP("stat", 10000, stat(self, &st));
    LOOP("open_close", 5000, close(open(self, O_RDONLY)));
}

static void bench_pipe_pingpong(void)
{
    int ab[2], ba[2];
    char c = 'x';
    if (pipe(ab) || pipe(ba)) {
        fail("pipe_pingpong");
        return;
    }
    long n = scaled(2000);
    pid_t pid = fork();
    if (pid < 0) {
        fail("pipe_pingpong");
        return;
    }
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    double t0 = now_ns();
    REGION_OPEN(0);
    for (long i = 0; i < n; i++) {
        if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
            break;
    }
    REGION_CLOSE(0);
    double t1 = now_ns();
    waitpid(pid, NULL, 0);
    report("pipe_pingpong", n, t0, t1);
    REGION_EMIT(0);
    close(ab[0]); close(ab[1]); close(ba[0]); close(ba[1]);
}

/* epoll_wait wake-up latency through an eventfd: two processes, each
 * sleeping in epoll_wait on its own eventfd; one round trip is two
 * wake-ups (write, epoll_wait returns, read, write the other). Also
 * epoll_wait on an eventfd that is already ready (no sleep). */
static int wait_eventfd(int ep, int efd)
{
    struct epoll_event ev;
    uint64_t v;
    if (epoll_wait(ep, &ev, 1, -1) != 1)
        return -1;
    return read(efd, &v, sizeof v) == sizeof v ? 0 : -1;
}

static void bench_epoll_eventfd(void)
{
    int a = eventfd(0, 0), b = eventfd(0, 0), epa = epoll_create1(0), epb = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN };
    uint64_t one = 1;
    if (a < 0 || b < 0 || epa < 0 || epb < 0 || epoll_ctl(epa, EPOLL_CTL_ADD, a, &ev) ||
        epoll_ctl(epb, EPOLL_CTL_ADD, b, &ev)) {
        fail("epoll_eventfd_pingpong");
        return;
    }
    long n = scaled(2000);
    pid_t pid = fork();
    if (pid < 0) {
        fail("epoll_eventfd_pingpong");
        return;
    }
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            if (wait_eventfd(epa, a) || write(b, &one, sizeof one) != sizeof one)
                _exit(1);
        }
        _exit(0);
    }
    double t0 = now_ns();
    REGION_OPEN(0);
    for (long i = 0; i < n; i++) {
        if (write(a, &one, sizeof one) != sizeof one || wait_eventfd(epb, b))
            break;
    }
    REGION_CLOSE(0);
    double t1 = now_ns();
    waitpid(pid, NULL, 0);
    report("epoll_eventfd_pingpong", n, t0, t1);
    REGION_EMIT(0);
    write(a, &one, sizeof one);
    LOOP("epoll_wait_ready", 10000, epoll_wait(epa, &ev, 1, 0));
    close(a); close(b); close(epa); close(epb);
}

static void bench_processes(void)
{
    LOOP("fork_exit_wait", 100, {
        pid_t p = fork();
        if (p == 0)
            _exit(0);
        waitpid(p, NULL, 0);
    });
    LOOP("execve_static", 50, {
        pid_t p = fork();
        if (p == 0) {
            execl(self, self, "--exit", (char *)NULL);
            _exit(127);
        }
        waitpid(p, NULL, 0);
    });
}

static void bench_memory(void)
{
    long page = sysconf(_SC_PAGESIZE), pages = 1024;
    long rounds = scaled(4);
    double fault_ns = 0, unmap_ns = 0;
    for (long r = 0; r < rounds; r++) {
        char *m = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            fail("mmap_fault_page");
            return;
        }
        double t0 = now_ns();
        REGION_OPEN(0);
        for (long i = 0; i < pages; i++)
            m[i * page] = 1;
        REGION_CLOSE(0);
        double t1 = now_ns();
        REGION_OPEN(1);
        munmap(m, pages * page);
        REGION_CLOSE(1);
        double t2 = now_ns();
        fault_ns += t1 - t0;
        unmap_ns += t2 - t1;
    }
    printf("BENCH mmap_fault_page iters=%ld ns_per_op=%.1f\n", rounds * pages, fault_ns / (rounds * pages));
    fflush(stdout);
    REGION_EMIT(0);
    printf("BENCH munmap_4MiB iters=%ld ns_per_op=%.1f\n", rounds, unmap_ns / rounds);
    fflush(stdout);
    REGION_EMIT(1);
}

static void bench_signal(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pid_t me = getpid();
    LOOP("signal_roundtrip", 5000, kill(me, SIGUSR1));
    signal(SIGUSR1, SIG_DFL);
}

static void bench_tmpfs_read(void)
{
    const char *path = "/tmp/bench.dat";
    size_t len = 1 << 20;
    char *buf = malloc(len);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!buf || fd < 0) {
        fail("read_tmpfs_1MiB");
        free(buf);
        return;
    }
    memset(buf, 'k', len);
    if (write(fd, buf, len) != (ssize_t)len) {
        fail("read_tmpfs_1MiB");
    } else {
        LOOP("read_tmpfs_1MiB", 50, pread(fd, buf, len, 0));
    }
    close(fd);
    unlink(path);
    free(buf);
}

/* AF_UNIX [unix(7)]: one byte there and back over a stream socketpair (as
 * pipe_pingpong), and a stream's throughput in 64 KiB writes. */
static void bench_unix(void)
{
    int sv[2];
    char c = 'x';
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
        fail("unix_pingpong");
        fail("unix_stream_64KiB");
        return;
    }
    long n = scaled(2000);
    pid_t pid = fork();
    if (pid < 0) {
        fail("unix_pingpong");
        return;
    }
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            if (read(sv[1], &c, 1) != 1 || write(sv[1], &c, 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    double t0 = now_ns();
    REGION_OPEN(0);
    for (long i = 0; i < n; i++) {
        if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
            break;
    }
    REGION_CLOSE(0);
    double t1 = now_ns();
    waitpid(pid, NULL, 0);
    report("unix_pingpong", n, t0, t1);
    REGION_EMIT(0);

    /* Throughput: the child drains, the parent writes n chunks of 64 KiB. */
    static char buf[65536];
    n = scaled(256);
    pid = fork();
    if (pid < 0) {
        fail("unix_stream_64KiB");
        return;
    }
    if (pid == 0) {
        long want = n * (long)sizeof buf;
        while (want > 0) {
            ssize_t r = read(sv[1], buf, sizeof buf);
            if (r <= 0)
                _exit(1);
            want -= r;
        }
        _exit(0);
    }
    t0 = now_ns();
    REGION_OPEN(0);
    for (long i = 0; i < n; i++) {
        size_t off = 0;
        while (off < sizeof buf) {
            ssize_t w = write(sv[0], buf + off, sizeof buf - off);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
    }
    waitpid(pid, NULL, 0);
    REGION_CLOSE(0);
    t1 = now_ns();
    report("unix_stream_64KiB", n, t0, t1);
    REGION_EMIT(0);
    close(sv[0]);
    close(sv[1]);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--exit"))
        return 0;
    if (argc > 1)
        scale = atof(argv[1]) > 0 ? atof(argv[1]) : 1;
    static char exe[256];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        self = exe;
    } else if (argv[0][0] == '/') {
        self = argv[0];
    }
    struct timespec ts;
    LOOP("getpid", 20000, syscall(SYS_getpid));
    LOOP("clock_gettime_libc", 20000, clock_gettime(CLOCK_MONOTONIC, &ts));
    LOOP("clock_gettime_syscall", 20000, syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts));
    LOOP("sched_yield", 10000, sched_yield());
    bench_fd_ops();
    bench_pipe_pingpong();
    bench_epoll_eventfd();
    bench_unix();
    bench_processes();
    bench_memory();
    bench_signal();
    bench_tmpfs_read();
    printf("BENCH END\n");
    return 0;
}
