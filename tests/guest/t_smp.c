/* t_smp.c - tasks on several CPUs: threads adding to shared counters with
 * atomics, with a futex mutex and with pthread mutexes (exact totals);
 * sched_setaffinity(2) pins the caller and getcpu(2), sched_getcpu(3) and
 * /proc/self/stat field 39 ("processor", proc(5)) name that CPU; the
 * affinity calls' errors; sysconf(_SC_NPROCESSORS_ONLN); a fork storm from
 * every CPU; a thread touching a page another thread munmap()s gets
 * SIGSEGV once munmap has returned (TLB shootdown).
 *
 * ktest.cpus=N on the command line is QEMU's -smp: the CPUs online. The
 * CPUs that run tasks are all of them on Linux; on Kevlar all of them with
 * smp_sched=1 and CPU 0 alone otherwise (the default, docs/architecture.md
 * "Scheduler"). Without ktest.cpus only the consistency checks apply. */
#include "ktest.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>

#define KEVLAR_SMP_SCHED_DEFAULT 0 /* kernel/smp/smp.c SMP_SCHED_DEFAULT */
#define MAX_THREADS 16

static int cmdline_int(const char *key, int def)
{
    char buf[1024], *p;
    size_t klen = strlen(key);
    int fd = open("/proc/cmdline", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    int val = def;

    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return def;
    buf[n] = '\0';
    for (p = buf; (p = strstr(p, key)) != NULL; p += klen) {
        if ((p == buf || p[-1] == ' ') && p[klen] == '=')
            val = atoi(p + klen + 1); /* the last one wins, as the kernel's */
    }
    return val;
}

static int is_kevlar(void)
{
    return access("/proc/kevlar", F_OK) == 0;
}

/* CPUs that should run tasks, or -1 if the runner did not say. */
static int task_cpus_expected(void)
{
    int online = cmdline_int("ktest.cpus", -1);

    if (online < 0)
        return -1;
    if (is_kevlar() && cmdline_int("smp_sched", KEVLAR_SMP_SCHED_DEFAULT) == 0)
        return 1;
    return online;
}

static int nthreads(int cpus)
{
    int n = cpus * 2;
    return n < 4 ? 4 : n > MAX_THREADS ? MAX_THREADS : n;
}

static int run_threads(int n, void *(*fn)(void *))
{
    pthread_t th[MAX_THREADS];
    int started = 0;

    for (int i = 0; i < n; i++) {
        if (pthread_create(&th[i], NULL, fn, (void *)(intptr_t)i))
            break;
        started++;
    }
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    return started;
}

/* ---- shared counters ------------------------------------------------------- */

#define ATOMIC_ITERS 100000
#define MUTEX_ITERS 20000

static long atomic_counter;

static void *atomic_adder(void *arg)
{
    (void)arg;
    for (int i = 0; i < ATOMIC_ITERS; i++)
        __atomic_fetch_add(&atomic_counter, 1, __ATOMIC_RELAXED);
    return NULL;
}

/* A futex mutex (Drepper, "Futexes Are Tricky", mutex 2): 0 free, 1
 * locked, 2 locked with waiters. */
static uint32_t fmutex;
static volatile long fcounter;

static void fmutex_lock(uint32_t *m)
{
    uint32_t c = 0;

    if (__atomic_compare_exchange_n(m, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    if (c != 2)
        c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        syscall(SYS_futex, m, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
        c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE);
    }
}

static void fmutex_unlock(uint32_t *m)
{
    if (__atomic_fetch_sub(m, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(m, 0, __ATOMIC_RELEASE);
        syscall(SYS_futex, m, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
}

static void *futex_adder(void *arg)
{
    (void)arg;
    for (int i = 0; i < MUTEX_ITERS; i++) {
        fmutex_lock(&fmutex);
        fcounter = fcounter + 1; /* not atomic: the mutex must make it exact */
        fmutex_unlock(&fmutex);
    }
    return NULL;
}

static pthread_mutex_t pmutex = PTHREAD_MUTEX_INITIALIZER;
static volatile long pcounter;

static void *pthread_adder(void *arg)
{
    (void)arg;
    for (int i = 0; i < MUTEX_ITERS; i++) {
        pthread_mutex_lock(&pmutex);
        pcounter = pcounter + 1;
        pthread_mutex_unlock(&pmutex);
    }
    return NULL;
}

static void test_counters(int cpus)
{
    int n = nthreads(cpus), got;

    got = run_threads(n, atomic_adder);
    ktest_result("smp.atomic_counter", got == n && atomic_counter == (long)n * ATOMIC_ITERS,
                 "%d threads, total %ld, want %ld", got, atomic_counter, (long)n * ATOMIC_ITERS);
    got = run_threads(n, futex_adder);
    ktest_result("smp.futex_mutex_counter", got == n && fcounter == (long)n * MUTEX_ITERS,
                 "%d threads, total %ld, want %ld", got, fcounter, (long)n * MUTEX_ITERS);
    got = run_threads(n, pthread_adder);
    ktest_result("smp.pthread_mutex_counter", got == n && pcounter == (long)n * MUTEX_ITERS,
                 "%d threads, total %ld, want %ld", got, pcounter, (long)n * MUTEX_ITERS);
}

/* ---- where the caller runs ----------------------------------------------------- */

/* Field 39 of /proc/self/stat, or -1. Field 2 (comm) may hold spaces: count
 * from the last ')'. */
static int stat_processor(void)
{
    char buf[1024], *p;
    int fd = open("/proc/self/stat", O_RDONLY), field = 2;
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    p = strrchr(buf, ')');
    if (!p)
        return -1;
    while (*p && field < 39) {
        if (*p == ' ')
            field++;
        p++;
    }
    return field == 39 ? atoi(p) : -1;
}

static unsigned getcpu_syscall(void)
{
    unsigned cpu = ~0u, node = ~0u;

    if (syscall(SYS_getcpu, &cpu, &node, NULL))
        return ~0u;
    return cpu;
}

static void spin(void)
{
    for (volatile long i = 0; i < 200000; i++)
        ;
}

static void test_pin(int want_cpus)
{
    cpu_set_t all, one;
    int count, bad = 0, tried = 0;
    char why[256] = "";

    if (sched_getaffinity(0, sizeof all, &all)) {
        ktest_result("smp.getaffinity", 0, "errno %d", errno);
        return;
    }
    count = CPU_COUNT(&all);
    if (want_cpus > 0)
        ktest_result("smp.getaffinity", count == want_cpus, "%d CPUs in the mask, want %d",
                     count, want_cpus);
    else
        ktest_result("smp.getaffinity", count >= 1, "%d CPUs in the mask", count);
    for (int c = 0; c < CPU_SETSIZE && tried < count; c++) {
        unsigned sys, lib;
        int st;

        if (!CPU_ISSET(c, &all))
            continue;
        tried++;
        CPU_ZERO(&one);
        CPU_SET(c, &one);
        if (sched_setaffinity(0, sizeof one, &one)) {
            snprintf(why, sizeof why, "setaffinity(cpu %d): errno %d", c, errno);
            bad++;
            continue;
        }
        spin();
        usleep(2000); /* the wake-up must honour the mask too */
        sys = getcpu_syscall();
        lib = (unsigned)sched_getcpu();
        st = stat_processor();
        if (sys != (unsigned)c || lib != (unsigned)c || st != c) {
            snprintf(why, sizeof why, "pinned to %d: getcpu %d, sched_getcpu %d, stat %d", c,
                     (int)sys, (int)lib, st);
            bad++;
        }
    }
    ktest_result("smp.pin_getcpu_stat", tried == count && !bad, "%s", why);
    ktest_result("smp.affinity_restore", sched_setaffinity(0, sizeof all, &all) == 0,
                 "errno %d", errno);
}

/* [sched_setaffinity(2)] errors, the same on Linux. */
static void test_affinity_errors(void)
{
    unsigned long mask[16] = { 0 };

    mask[0] = 1UL << 63; /* no such CPU (QEMU runs use few) */
    KTEST_ERRNO("smp.setaffinity_no_cpu",
                syscall(SYS_sched_setaffinity, 0, sizeof(unsigned long), mask), EINVAL);
    KTEST_ERRNO("smp.setaffinity_efault",
                syscall(SYS_sched_setaffinity, 0, sizeof(unsigned long), (void *)8), EFAULT);
    KTEST_ERRNO("smp.getaffinity_len", syscall(SYS_sched_getaffinity, 0, 1, mask), EINVAL);
    KTEST_ERRNO("smp.getaffinity_efault",
                syscall(SYS_sched_getaffinity, 0, sizeof mask, (void *)8), EFAULT);
    KTEST_ERRNO("smp.setaffinity_esrch",
                syscall(SYS_sched_setaffinity, 999999, sizeof(unsigned long), mask), ESRCH);
}

static void test_nprocs(void)
{
    int online = cmdline_int("ktest.cpus", -1);
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (online < 0)
        ktest_result("smp.nprocessors_onln", n >= 1, "sysconf says %ld", n);
    else
        ktest_result("smp.nprocessors_onln", n == online, "sysconf says %ld, want %d", n,
                     online);
}

/* Threads that spin at the same time must run on more than one CPU. */
static int seen_cpus;

static void *spinner(void *arg)
{
    (void)arg;
    for (int i = 0; i < 40; i++) {
        unsigned c = getcpu_syscall();
        if (c < 32)
            __atomic_fetch_or(&seen_cpus, 1 << c, __ATOMIC_RELAXED);
        spin();
    }
    return NULL;
}

static void test_spread(int want_cpus)
{
    if (want_cpus < 2) {
        ktest_result("smp.threads_spread", 1, "-");
        return;
    }
    run_threads(want_cpus * 2 > MAX_THREADS ? MAX_THREADS : want_cpus * 2, spinner);
    ktest_result("smp.threads_spread", __builtin_popcount(seen_cpus) >= 2,
                 "the spinning threads ran on CPUs %#x only", seen_cpus);
}

/* ---- fork storm from every CPU ----------------------------------------------- */

#define STORM_CHILDREN 48

static void test_fork_storm(void)
{
    cpu_set_t all, one;
    int bad = 0, total = 0, tried = 0;
    char why[200] = "";

    if (sched_getaffinity(0, sizeof all, &all))
        CPU_ZERO(&all);
    for (int c = 0; c < 32; c++) {
        pid_t kids[STORM_CHILDREN];
        int n = 0;

        if (!CPU_ISSET(c, &all))
            continue;
        tried++;
        CPU_ZERO(&one);
        CPU_SET(c, &one);
        sched_setaffinity(0, sizeof one, &one);
        for (int i = 0; i < STORM_CHILDREN; i++) {
            pid_t p = fork();
            if (p == 0) {
                /* The child inherits the mask [sched_setaffinity(2)]. */
                _exit(getcpu_syscall() == (unsigned)c ? 40 + i % 50 : 1);
            }
            if (p < 0)
                break;
            kids[n++] = p;
        }
        for (int i = 0; i < n; i++) {
            int st = 0;
            if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) ||
                WEXITSTATUS(st) != 40 + i % 50) {
                if (!bad)
                    snprintf(why, sizeof why, "cpu %d child %d: %s", c, i, ktest_wstr(st));
                bad++;
            }
            total++;
        }
    }
    sched_setaffinity(0, sizeof all, &all);
    ktest_result("smp.fork_storm", tried > 0 && !bad && total == tried * STORM_CHILDREN,
                 "%d of %d children wrong (%s)", bad, tried * STORM_CHILDREN, why);
}

/* ---- munmap while another thread reads the page ------------------------------ */

static volatile char *shared_page;
static int unmapped;   /* set by main once munmap() returned */
static int stale_read; /* a read that succeeded after that */
static int reader_ready;
static __thread sigjmp_buf reader_jmp;
static int got_segv;

static void segv_handler(int sig)
{
    (void)sig;
    __atomic_store_n(&got_segv, 1, __ATOMIC_SEQ_CST);
    siglongjmp(reader_jmp, 1);
}

static void *page_reader(void *arg)
{
    (void)arg;
    if (sigsetjmp(reader_jmp, 1))
        return NULL;
    for (;;) {
        /* Read the flag first: if it says "unmapped", munmap() had
         * returned before this read of the page, which must fault. */
        int u = __atomic_load_n(&unmapped, __ATOMIC_ACQUIRE);
        char v = shared_page[0];

        __atomic_store_n(&reader_ready, 1, __ATOMIC_RELEASE);
        if (u) {
            __atomic_store_n(&stale_read, 1, __ATOMIC_SEQ_CST);
            (void)v;
            return NULL;
        }
    }
}

static void test_munmap_shootdown(void)
{
    struct sigaction sa = { 0 }, old;
    pthread_t th;
    int rounds = 0, bad = 0, nosegv = 0;

    sa.sa_handler = segv_handler;
    sigaction(SIGSEGV, &sa, &old);
    for (int r = 0; r < 10; r++) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        ((char *)p)[0] = 1;
        shared_page = p;
        unmapped = stale_read = reader_ready = got_segv = 0;
        if (pthread_create(&th, NULL, page_reader, NULL)) {
            munmap(p, 4096);
            break;
        }
        while (!__atomic_load_n(&reader_ready, __ATOMIC_ACQUIRE))
            sched_yield();
        usleep(1000);
        munmap(p, 4096);
        __atomic_store_n(&unmapped, 1, __ATOMIC_RELEASE);
        pthread_join(th, NULL);
        rounds++;
        bad += stale_read;
        nosegv += !got_segv;
    }
    sigaction(SIGSEGV, &old, NULL);
    ktest_result("smp.munmap_then_segv", rounds == 10 && !bad && !nosegv,
                 "%d rounds, %d reads after munmap returned, %d without SIGSEGV", rounds, bad,
                 nosegv);
}

int main(void)
{
    int want = task_cpus_expected();
    int cpus = want > 0 ? want : 1;

    test_counters(cpus);
    test_pin(want);
    test_affinity_errors();
    test_nprocs();
    test_spread(want);
    test_fork_storm();
    test_munmap_shootdown();
    return ktest_nfail ? 1 : 0;
}
