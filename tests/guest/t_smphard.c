/* t_smphard.c - what holds on one CPU holds on every CPU (issue 11):
 *  - smphard.getcpu_each: pinned with sched_setaffinity(2) to each CPU the
 *    caller may use in turn, getcpu(2), glibc's sched_getcpu(3), the rseq
 *    area's cpu_id (glibc registers it; [rseq(2)]) and, on x86_64, the
 *    vDSO's __vdso_getcpu called directly (RDPID/RDTSCP of TSC_AUX; arm64
 *    Linux has no vDSO getcpu [vdso(7)]) all name that CPU.
 *  - smphard.harden_each_cpu: under a containment profile with
 *    faultinject=1 (Fortress, Balanced), pinned to each CPU in turn, faultfs's
 *    "userptr" (a kernel store through a user pointer outside copy_to_user:
 *    SMAP/PAN) and "textwrite" (a store to kernel text: W^X) are caught and
 *    contained there (EIO), as t_fault checks on one CPU. No profile
 *    promises W^X for user mappings (docs/safety-profiles.md): Linux allows
 *    mprotect(PROT_WRITE|PROT_EXEC), so that is not checked here.
 *  - smphard.fault_parallel_*: four threads, thread i pinned to CPU i (modulo
 *    the CPUs there are), each injecting 100 faults of rotating kinds (25 when
 *    one CPU takes tasks: t_fault has the 100-per-kind run there)
 *    on a faultfs mount of its own, all at once: every one EIO, no thread
 *    stuck (a watchdog), and tmpfs still works afterwards.
 *  - smphard.monotonic_*: one thread per CPU reads CLOCK_MONOTONIC (through
 *    the vDSO, then through the system call) and publishes its reading in a
 *    shared maximum; a reading taken after loading that maximum must not be
 *    smaller ([clock_gettime(2)]: "monotonic"), across CPUs.
 *
 * With one CPU the per-CPU checks run on that one and the cross-CPU ones
 * still run (all threads on CPU 0). Linux (no /proc/kevlar, no faultfs):
 * the faultfs checks are SKIPs, the rest runs as here.
 *
 * As PID 1 (//tests:qemu_<arch>_smphard_<profile>: this program alone in
 * the initramfs, -smp 4 smp_sched=1) it mounts /proc and /tmp itself, ends
 * with "KTEST END total=N" and powers off. */
#include "ktest.h"

#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/reboot.h>

#if __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#define HAVE_RSEQ_ABI 1
#endif

#define FAULT_THREADS 4
#define FAULT_ITERS 100     /* per thread, when several CPUs take tasks */
#define FAULT_ITERS_ONE 25  /* per thread on one CPU (t_fault already does 100 per kind) */
#define FAULT_WATCHDOG_S 150
#define CLOCK_READS 5000

static cpu_set_t all_cpus;
static int ncpus;

static __attribute__((noreturn)) void pid1_finish(void);

static int read_text(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

    if (fd >= 0)
        close(fd);
    if (n < 0)
        return -1;
    buf[n] = 0;
    return 0;
}

static int file_has(const char *path, const char *needle)
{
    char buf[4096];

    return read_text(path, buf, sizeof buf) == 0 && strstr(buf, needle) != NULL;
}

/* The n-th CPU (0-based, modulo the count) of the caller's starting mask. */
static int nth_cpu(int n)
{
    n %= ncpus;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &all_cpus) && n-- == 0)
            return c;
    return 0;
}

/* Pin the calling thread to cpu and give the scheduler a chance to move it. */
static int pin(int cpu)
{
    cpu_set_t one;

    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one))
        return -errno;
    sched_yield();
    return 0;
}

/* ---- getcpu through every path ---------------------------------------------- */

#ifdef __x86_64__
typedef long (*vgetcpu_fn)(unsigned *, unsigned *, void *);

/* __vdso_getcpu in the mapped vDSO (DT_HASH symbol table), or NULL. */
static vgetcpu_fn vdso_getcpu(void)
{
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)base;
    const ElfW(Phdr) *ph;
    const ElfW(Dyn) *dyn = NULL;
    const ElfW(Sym) *sym = NULL;
    const char *str = NULL;
    uintptr_t off = 0;
    uint32_t nsyms = 0;
    int have_load = 0;

    if (!base || memcmp(eh->e_ident, ELFMAG, SELFMAG))
        return NULL;
    ph = (const ElfW(Phdr) *)(base + eh->e_phoff);
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !have_load) {
            off = base + ph[i].p_offset - ph[i].p_vaddr;
            have_load = 1;
        } else if (ph[i].p_type == PT_DYNAMIC) {
            dyn = (const ElfW(Dyn) *)(base + ph[i].p_offset);
        }
    }
    if (!have_load || !dyn)
        return NULL;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        if (dyn->d_tag == DT_SYMTAB)
            sym = (const ElfW(Sym) *)(off + dyn->d_un.d_ptr);
        else if (dyn->d_tag == DT_STRTAB)
            str = (const char *)(off + dyn->d_un.d_ptr);
        else if (dyn->d_tag == DT_HASH)
            nsyms = ((const uint32_t *)(off + dyn->d_un.d_ptr))[1];
    }
    for (uint32_t i = 1; sym && str && i < nsyms; i++)
        if (sym[i].st_shndx != SHN_UNDEF && !strcmp(str + sym[i].st_name, "__vdso_getcpu"))
            return (vgetcpu_fn)(off + sym[i].st_value);
    return NULL;
}
#endif

/* cpu_id of this thread's rseq area, -1 if glibc registered none. */
static int rseq_cpu(void)
{
#ifdef HAVE_RSEQ_ABI
    if (__rseq_size == 0)
        return -1;
    const struct rseq *rs = (const struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
    return (int)__atomic_load_n(&rs->cpu_id, __ATOMIC_RELAXED);
#else
    return -1;
#endif
}

static void test_getcpu_each(void)
{
    char why[256] = "";
    int bad = 0, rseq_seen = 0;
#ifdef __x86_64__
    vgetcpu_fn vg = vdso_getcpu();

    ktest_result("smphard.vdso_getcpu_found", vg != NULL, "no __vdso_getcpu in the vDSO");
#endif
    for (int i = 0; i < ncpus; i++) {
        int c = nth_cpu(i), r = pin(c), rs;
        unsigned sys = ~0u, node = ~0u, vd = ~0u, vnode = ~0u;

        if (r) {
            snprintf(why, sizeof why, "setaffinity(cpu %d): %s", c, strerror(-r));
            bad++;
            continue;
        }
        syscall(SYS_getcpu, &sys, &node, NULL);
#ifdef __x86_64__
        if (vg)
            vg(&vd, &vnode, NULL);
#else
        vd = (unsigned)c; /* no vDSO getcpu on arm64 (vdso(7)) */
        vnode = 0;
#endif
        rs = rseq_cpu();
        rseq_seen += rs >= 0;
        if (sys != (unsigned)c || node != 0 || vd != (unsigned)c || vnode != 0 ||
            sched_getcpu() != c || (rs >= 0 && rs != c)) {
            snprintf(why, sizeof why,
                     "pinned to %d: getcpu %d node %d, vdso %d node %d, sched_getcpu %d, rseq %d",
                     c, (int)sys, (int)node, (int)vd, (int)vnode, sched_getcpu(), rs);
            bad++;
        }
    }
    ktest_result("smphard.getcpu_each", !bad, "%s", why);
    if (rseq_seen)
        ktest_result("smphard.rseq_registered", rseq_seen == ncpus, "%d of %d", rseq_seen, ncpus);
    else
        ktest_skip("smphard.rseq_registered", "libc registered no rseq area");
    sched_setaffinity(0, sizeof all_cpus, &all_cpus);
}

/* ---- hardening on every CPU -------------------------------------------------- */

/* read(2) of one byte of dir/name: 0 if it failed with EIO, else what it did. */
static int inject(const char *dir, const char *name)
{
    char path[256], c = 'x';
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int leak = strcmp(name, "leak") == 0;
    int fd = open(path, leak ? O_WRONLY : O_RDONLY);
    if (fd < 0)
        return -1000 - errno;
    ssize_t r = leak ? write(fd, &c, 1) : read(fd, &c, 1);
    int e = errno;
    close(fd);
    return r == -1 && e == EIO ? 0 : r < 0 ? -e : (int)r + 2000;
}

/* Can faultfs inject here (Kevlar, faultinject=1, a containment profile)?
 * If not, why (for the SKIP lines). */
static const char *faultfs_unavailable(void)
{
    if (!ktest_is_kevlar())
        return "not Kevlar (no faultfs)";
    if (!file_has("/proc/cmdline", "faultinject=1"))
        return "no faultinject=1";
    if (!file_has("/proc/kevlar/services", "containment 1"))
        return "no containment in this profile (faults panic)";
    return NULL;
}

static void test_harden_each(const char *no_faultfs)
{
    static const char *const probes[] = { "userptr", "textwrite" };
    char why[256] = "", dir[64];
    int bad = 0;

    if (no_faultfs) {
        ktest_skip("smphard.harden_each_cpu", no_faultfs);
        return;
    }
    for (int i = 0; i < ncpus; i++) {
        int c = nth_cpu(i);
        if (pin(c)) {
            snprintf(why, sizeof why, "setaffinity(cpu %d): errno %d", c, errno);
            bad++;
            continue;
        }
        snprintf(dir, sizeof dir, "h%d", c);
        mkdir(dir, 0755);
        for (unsigned k = 0; k < 2; k++) {
            if (mount("none", dir, "faultfs", 0, NULL)) {
                snprintf(why, sizeof why, "cpu %d: mount faultfs: %s", c, strerror(errno));
                bad++;
                continue;
            }
            int r = inject(dir, probes[k]);
            int where = sched_getcpu();
            if (r != 0 || where != c) {
                snprintf(why, sizeof why, "cpu %d (ran on %d): %s gave %d, want EIO", c, where,
                         probes[k], r);
                bad++;
            }
            umount(dir);
        }
    }
    sched_setaffinity(0, sizeof all_cpus, &all_cpus);
    ktest_result("smphard.harden_each_cpu", !bad, "%s", why);
}

/* ---- faults from several CPUs at once --------------------------------------- */

static const char *const fault_kinds[] = { "panic", "nullderef", "wildptr", "leak", "userptr",
                                           "textwrite", "assert", "undef" };

struct fault_thread {
    int idx, cpu, eio, mounts, umounts, wrong_cpu, first_err;
    volatile int done;
};

static int fault_iters;

static void *fault_worker(void *arg)
{
    struct fault_thread *t = arg;
    char dir[64];

    snprintf(dir, sizeof dir, "p%d", t->idx);
    if (pin(t->cpu))
        t->wrong_cpu++;
    for (int i = 0; i < fault_iters; i++) {
        if (mount("none", dir, "faultfs", 0, NULL)) {
            if (!t->first_err)
                t->first_err = errno;
            continue;
        }
        t->mounts++;
        int r = inject(dir, fault_kinds[(i + t->idx) % (sizeof fault_kinds / sizeof *fault_kinds)]);
        if (r == 0)
            t->eio++;
        else if (!t->first_err)
            t->first_err = r;
        if (sched_getcpu() != t->cpu)
            t->wrong_cpu++;
        if (umount(dir) == 0)
            t->umounts++;
    }
    __atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_fault_parallel(const char *no_faultfs)
{
    struct fault_thread t[FAULT_THREADS];
    pthread_t th[FAULT_THREADS];
    int started = 0, eio = 0, wrong = 0, first_err = 0, stuck = 0;
    char buf[16] = "";

    if (no_faultfs) {
        ktest_skip("smphard.fault_parallel_eio", no_faultfs);
        ktest_skip("smphard.fault_parallel_no_deadlock", no_faultfs);
        ktest_skip("smphard.fault_parallel_tmpfs_ok", no_faultfs);
        return;
    }
    memset(t, 0, sizeof t);
    fault_iters = ncpus > 1 ? FAULT_ITERS : FAULT_ITERS_ONE;
    for (int i = 0; i < FAULT_THREADS; i++) {
        char dir[64];
        snprintf(dir, sizeof dir, "p%d", i);
        mkdir(dir, 0755);
        t[i].idx = i;
        t[i].cpu = nth_cpu(i);
    }
    for (int i = 0; i < FAULT_THREADS; i++)
        if (pthread_create(&th[i], NULL, fault_worker, &t[i]) == 0)
            started++;
        else
            break;
    /* The watchdog: a thread stuck on a lock a contained fault left held
     * would never finish; report it rather than hang the suite. */
    for (int s = 0; s < FAULT_WATCHDOG_S * 10; s++) {
        int done = 0;
        for (int i = 0; i < started; i++)
            done += __atomic_load_n(&t[i].done, __ATOMIC_ACQUIRE);
        if (done == started)
            break;
        usleep(100000);
    }
    for (int i = 0; i < started; i++) {
        if (!__atomic_load_n(&t[i].done, __ATOMIC_ACQUIRE)) {
            stuck++;
            continue;
        }
        pthread_join(th[i], NULL);
        eio += t[i].eio;
        wrong += t[i].wrong_cpu;
        if (!first_err)
            first_err = t[i].first_err;
    }
    ktest_result("smphard.fault_parallel_no_deadlock", started == FAULT_THREADS && !stuck,
                 "%d threads started, %d still running after %d s", started, stuck,
                 FAULT_WATCHDOG_S);
    ktest_result("smphard.fault_parallel_eio",
                 !stuck && eio == FAULT_THREADS * fault_iters && !wrong,
                 "%d of %d injections returned EIO, %d off their CPU, first error %d", eio,
                 FAULT_THREADS * fault_iters, wrong, first_err);
    int fd = open("after", O_CREAT | O_RDWR | O_TRUNC, 0644);
    int ok = fd >= 0 && write(fd, "still here", 10) == 10 && pread(fd, buf, sizeof buf, 0) == 10 &&
             memcmp(buf, "still here", 10) == 0;
    if (fd >= 0)
        close(fd);
    unlink("after");
    ktest_result("smphard.fault_parallel_tmpfs_ok", ok, "tmpfs write/read after the faults failed");
    if (stuck) {
        /* Threads still hold the mounts: leave them, and say why. */
        printf("t_smphard: %d fault threads stuck; not waiting for them\n", stuck);
        fflush(stdout);
        if (getpid() == 1)
            pid1_finish();
        _exit(1);
    }
}

/* ---- a monotonic clock across CPUs ------------------------------------------ */

static uint64_t clock_max;   /* the largest reading published so far, ns */
static int clock_syscall;    /* 1: read through syscall(2), 0: libc (vDSO) */
static int clock_go;

struct clock_thread {
    int cpu;
    long backwards, reads;
    uint64_t worst; /* largest step back seen, ns */
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    if (clock_syscall)
        syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    else
        clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *clock_worker(void *arg)
{
    struct clock_thread *t = arg;
    int n = clock_syscall ? CLOCK_READS / 10 : CLOCK_READS;

    pin(t->cpu);
    while (!__atomic_load_n(&clock_go, __ATOMIC_ACQUIRE))
        sched_yield();
    for (int i = 0; i < n; i++) {
        /* Load the maximum first, then read the clock: the reading is
         * taken after whoever published that maximum took theirs. */
        uint64_t seen = __atomic_load_n(&clock_max, __ATOMIC_ACQUIRE);
        uint64_t now = now_ns();
        t->reads++;
        if (now < seen) {
            t->backwards++;
            if (seen - now > t->worst)
                t->worst = seen - now;
        }
        while (now > seen && !__atomic_compare_exchange_n(&clock_max, &seen, now, 1,
                                                          __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            ;
        if ((i & 255) == 0)
            sched_yield(); /* let the other threads of this CPU interleave */
    }
    return NULL;
}

static void test_monotonic(int use_syscall, const char *name)
{
    int n = ncpus < 2 ? 2 : ncpus > 8 ? 8 : ncpus, started = 0;
    struct clock_thread t[8];
    pthread_t th[8];
    long back = 0, reads = 0;
    uint64_t worst = 0;

    memset(t, 0, sizeof t);
    clock_max = 0;
    clock_syscall = use_syscall;
    __atomic_store_n(&clock_go, 0, __ATOMIC_RELEASE);
    for (int i = 0; i < n; i++) {
        t[i].cpu = nth_cpu(i);
        if (pthread_create(&th[i], NULL, clock_worker, &t[i]))
            break;
        started++;
    }
    __atomic_store_n(&clock_go, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        back += t[i].backwards;
        reads += t[i].reads;
        if (t[i].worst > worst)
            worst = t[i].worst;
    }
    ktest_result(name, started == n && back == 0 && reads > 0,
                 "%d threads on %d CPUs, %ld of %ld readings went back (worst %llu ns)", started,
                 ncpus, back, reads, (unsigned long long)worst);
}

/* PID 1: what /init would have set up (the kernel mounts devtmpfs). */
static void pid1_setup(void)
{
    mkdir("/proc", 0555);
    mount("proc", "/proc", "proc", 0, NULL);
    mkdir("/tmp", 01777);
    mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
    setenv("KTEST_TALLY", "/tmp/ktest.tally", 1);
}

/* PID 1: count the result lines, say so, power off. */
static __attribute__((noreturn)) void pid1_finish(void)
{
    char buf[8192];
    int total = 0, fd = open("/tmp/ktest.tally", O_RDONLY);
    ssize_t n;

    while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++)
            total += buf[i] == '\n';
    printf("KTEST END total=%d\n", total);
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

int main(void)
{
    const char *no_faultfs;
    int pid1 = getpid() == 1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (pid1)
        pid1_setup();
    if (sched_getaffinity(0, sizeof all_cpus, &all_cpus)) {
        ktest_result("smphard.getaffinity", 0, "errno %d", errno);
        return 1;
    }
    ncpus = CPU_COUNT(&all_cpus);
    if (ktest_enter_scratch("t_smphard") != 0) {
        ktest_result("smphard.scratch", 0, "cannot enter scratch dir: %s", strerror(errno));
        return 1;
    }
    printf("t_smphard: %d CPUs in the affinity mask\n", ncpus);
    no_faultfs = faultfs_unavailable();
    test_getcpu_each();
    test_harden_each(no_faultfs);
    test_fault_parallel(no_faultfs);
    test_monotonic(0, "smphard.monotonic_vdso");
    test_monotonic(1, "smphard.monotonic_syscall");
    if (pid1)
        pid1_finish();
    return ktest_nfail != 0;
}
