/* scale.c - how throughput grows with CPUs (issue 11, "Every CPU in use").
 *
 * The same static program under our kernel (smp_sched=1) and Debian's Linux,
 * booted at -smp 1, 2 and 4 by bench/scaling.sh. N = the CPUs in the
 * caller's affinity mask (sched_getaffinity(2): every CPU that takes tasks).
 * Each workload starts N workers, worker i pinned to CPU i, released at once
 * (they block on a pipe the parent then closes), and measures the wall time
 * until every worker has been reaped:
 *
 *   getpid     each worker: syscall(SYS_getpid) K times
 *   pipe       each worker: a parent/child pair on its CPU, 1-byte ping-pong
 *              over two pipes, K round trips
 *   fork       each worker: fork + _exit + waitpid, K times
 *   gzip       BusyBox "xargs -P N -n 1 gzip -k -f" over F files of
 *              compressible text in tmpfs (the shell pipeline, as a user would)
 *
 * and prints one line per workload
 *
 *   SCALE <name> cpus=<N> ops=<total> ns=<wall> ops_per_s=<total / wall>
 *
 * then "SCALE END". The first argument scales K and F (a positive decimal,
 * default 1). Each measured phase is bracketed by the BENCH_MARK markers
 * (bench/mark.h), so the instruction-counting plugin prints one INSNS line
 * per SCALE line (bench/scaling.sh counts at -smp 1: the plugin is
 * single-vCPU). Benchmarks, not tests: compare medians and ratios only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mark.h"

#define MAX_WORKERS 64
#define GZIP_FILE_BYTES (128 * 1024)

static double scale = 1;
static cpu_set_t all_cpus;
static int ncpus;
static int cpu_of[MAX_WORKERS];

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

static void pin(int cpu)
{
    cpu_set_t one;

    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    sched_setaffinity(0, sizeof one, &one);
}

static void report(const char *name, long ops, double ns)
{
    printf("SCALE %s cpus=%d ops=%ld ns=%.0f ops_per_s=%.1f\n", name, ncpus, ops, ns,
           ns > 0 ? ops * 1e9 / ns : 0.0);
    fflush(stdout);
}

/* ---- the workloads, run by each worker ----------------------------------- */

static void work_getpid(long k)
{
    for (long i = 0; i < k; i++)
        syscall(SYS_getpid);
}

static void work_pipe(long k)
{
    int ab[2], ba[2];
    char c = 0;

    if (pipe(ab) || pipe(ba))
        _exit(2);
    pid_t pid = fork(); /* inherits the worker's CPU */
    if (pid < 0)
        _exit(2);
    if (pid == 0) {
        for (long i = 0; i < k; i++)
            if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
                _exit(3);
        _exit(0);
    }
    for (long i = 0; i < k; i++)
        if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
            _exit(3);
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st))
        _exit(3);
}

static void work_fork(long k)
{
    for (long i = 0; i < k; i++) {
        pid_t pid = fork();
        if (pid < 0)
            _exit(2);
        if (pid == 0)
            _exit(0);
        waitpid(pid, NULL, 0);
    }
}

/* N workers run fn(k) each, released together; the wall time from the
 * release to the last reap, or -1 if a worker failed. */
static double run_workers(void (*fn)(long), long k)
{
    int ready[2], go[2];
    pid_t pids[MAX_WORKERS];
    int n = ncpus < MAX_WORKERS ? ncpus : MAX_WORKERS, bad = 0;
    char c;

    if (pipe(ready) || pipe(go))
        return -1;
    for (int i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] < 0)
            return -1;
        if (pids[i] == 0) {
            pin(cpu_of[i]);
            close(ready[0]);
            close(go[1]);
            if (write(ready[1], "r", 1) != 1)
                _exit(2);
            while (read(go[0], &c, 1) < 0 && errno == EINTR)
                ; /* EOF: released */
            fn(k);
            _exit(0);
        }
    }
    close(ready[1]);
    close(go[0]);
    for (int i = 0; i < n; i++)
        if (read(ready[0], &c, 1) != 1)
            bad = 1;
    double t0 = now_ns();
    REGION_OPEN(0);
    close(go[1]);
    for (int i = 0; i < n; i++) {
        int st;
        if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st))
            bad = 1;
    }
    REGION_CLOSE(0);
    double t1 = now_ns();
    close(ready[0]);
    return bad ? -1 : t1 - t0;
}

static void bench_workers(const char *name, void (*fn)(long), long k)
{
    double ns = run_workers(fn, k);
    if (ns < 0)
        printf("SCALE %s error=1\n", name);
    else
        report(name, k * (ncpus < MAX_WORKERS ? ncpus : MAX_WORKERS), ns);
    REGION_EMIT(0);
}

/* ---- gzip through xargs -P ------------------------------------------------- */

/* Compressible text: words from a small vocabulary in an LCG's order. */
static int make_file(const char *path, unsigned seed)
{
    static const char *const words[] = { "kernel ", "task ", "inode ", "page ", "cpu ",
                                         "lock ", "queue ", "signal ", "vm_area ", "frame\n" };
    char buf[4096];
    size_t len = 0, total = 0;
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

    if (fd < 0)
        return -1;
    while (total < GZIP_FILE_BYTES) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % 10];
        size_t wl = strlen(w);
        if (len + wl > sizeof buf) {
            if (write(fd, buf, len) != (ssize_t)len)
                break;
            total += len;
            len = 0;
        }
        memcpy(buf + len, w, wl);
        len += wl;
    }
    close(fd);
    return total >= GZIP_FILE_BYTES ? 0 : -1;
}

static void bench_gzip(void)
{
    long files = scaled(16);
    char path[64], cmd[256];

    if (mkdir("/tmp/scale-gz", 0755) && errno != EEXIST) {
        printf("SCALE gzip error=%d\n", errno);
        return;
    }
    for (long i = 0; i < files; i++) {
        snprintf(path, sizeof path, "/tmp/scale-gz/f%ld", i);
        if (make_file(path, (unsigned)i)) {
            printf("SCALE gzip error=%d\n", errno);
            return;
        }
    }
    snprintf(cmd, sizeof cmd,
             "cd /tmp/scale-gz && ls f* | grep -v gz | xargs -P %d -n 1 gzip -k -f", ncpus);
    double t0 = now_ns();
    REGION_OPEN(0);
    int st = system(cmd);
    REGION_CLOSE(0);
    double t1 = now_ns();
    if (st != 0)
        printf("SCALE gzip error=status%d\n", st);
    else
        report("gzip", files, t1 - t0);
    REGION_EMIT(0);
    system("rm -rf /tmp/scale-gz");
}

int main(int argc, char **argv)
{
    if (argc > 1 && atof(argv[1]) > 0)
        scale = atof(argv[1]);
    if (sched_getaffinity(0, sizeof all_cpus, &all_cpus)) {
        printf("SCALE error=getaffinity\n");
        return 1;
    }
    ncpus = 0;
    for (int c = 0; c < CPU_SETSIZE && ncpus < MAX_WORKERS; c++)
        if (CPU_ISSET(c, &all_cpus))
            cpu_of[ncpus++] = c;
    printf("SCALEINFO cpus=%d\n", ncpus);
    bench_workers("getpid", work_getpid, scaled(100000));
    bench_workers("pipe", work_pipe, scaled(5000));
    bench_workers("fork", work_fork, scaled(300));
    bench_gzip();
    printf("SCALE END\n");
    return 0;
}
