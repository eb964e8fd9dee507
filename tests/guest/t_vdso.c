/* t_vdso.c - the vDSO: announced in the auxiliary vector, a well-formed
 * ELF with Linux's versioned symbols, used by libc's clocks without a
 * system call, agreeing with the system calls, following settimeofday,
 * surviving fork, and (arm64) the return path of signal handlers.
 * [vdso(7)], [getauxval(3)], [clock_gettime(2)], [gettimeofday(2)].
 *
 * The "no system call" checks read /proc/kevlar/syscalls: on another
 * kernel they are SKIPs. The clock-setting checks change the wall clock:
 * they run in a guest only (KTEST_GUEST=1). */
#include "ktest.h"

#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/time.h>

#ifdef __aarch64__
#define VDSO_VERSION "LINUX_2.6.39"
static const char *const want_syms[] = {"__kernel_clock_gettime", "__kernel_gettimeofday",
                                        "__kernel_clock_getres", "__kernel_rt_sigreturn"};
#define SYM_CLOCK_GETTIME "__kernel_clock_gettime"
#else
#define VDSO_VERSION "LINUX_2.6"
static const char *const want_syms[] = {"__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time",
                                        "__vdso_clock_getres", "__vdso_getcpu"};
#define SYM_CLOCK_GETTIME "__vdso_clock_gettime"
#endif

/* ---- a minimal dynamic-symbol lookup in the mapped vDSO ------------------- */

struct vdso_info {
    uintptr_t load_offset; /* add to the image's addresses */
    const ElfW(Sym) *symtab;
    const char *strtab;
    const ElfW(Versym) *versym;
    const ElfW(Verdef) *verdef;
    uint32_t nsyms;
};

static int vdso_parse(uintptr_t base, struct vdso_info *vi)
{
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)base;
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(base + eh->e_phoff);
    const ElfW(Dyn) *dyn = NULL;
    int have_load = 0;

    memset(vi, 0, sizeof *vi);
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_type != ET_DYN)
        return -1;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !have_load) {
            vi->load_offset = base + ph[i].p_offset - ph[i].p_vaddr;
            have_load = 1;
        } else if (ph[i].p_type == PT_DYNAMIC) {
            dyn = (const ElfW(Dyn) *)(base + ph[i].p_offset);
        }
    }
    if (!have_load || !dyn)
        return -2;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t p = vi->load_offset + dyn->d_un.d_ptr;
        switch (dyn->d_tag) {
        case DT_SYMTAB: vi->symtab = (const ElfW(Sym) *)p; break;
        case DT_STRTAB: vi->strtab = (const char *)p; break;
        case DT_HASH: vi->nsyms = ((const uint32_t *)p)[1]; break;
        case DT_VERSYM: vi->versym = (const ElfW(Versym) *)p; break;
        case DT_VERDEF: vi->verdef = (const ElfW(Verdef) *)p; break;
        }
    }
    return vi->symtab && vi->strtab && vi->nsyms && vi->versym && vi->verdef ? 0 : -3;
}

/* Name of version index ndx, or NULL. */
static const char *vdso_version_name(const struct vdso_info *vi, unsigned ndx)
{
    const ElfW(Verdef) *d = vi->verdef;
    for (;;) {
        if (d->vd_ndx == ndx && !(d->vd_flags & VER_FLG_BASE)) {
            const ElfW(Verdaux) *a = (const ElfW(Verdaux) *)((const char *)d + d->vd_aux);
            return vi->strtab + a->vda_name;
        }
        if (!d->vd_next)
            return NULL;
        d = (const ElfW(Verdef) *)((const char *)d + d->vd_next);
    }
}

/* Address of defined function name@version, or NULL. */
static void *vdso_sym(const struct vdso_info *vi, const char *name, const char *version)
{
    for (uint32_t i = 1; i < vi->nsyms; i++) {
        const ElfW(Sym) *s = &vi->symtab[i];
        const char *v;
        if (s->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(s->st_info) != STT_FUNC)
            continue;
        if (strcmp(vi->strtab + s->st_name, name))
            continue;
        v = vdso_version_name(vi, vi->versym[i] & 0x7fff);
        if (v && !strcmp(v, version))
            return (void *)(vi->load_offset + s->st_value);
    }
    return NULL;
}

/* ---- the syscall counter (Kevlar: /proc/kevlar/syscalls) ------------------- */

/* "self N" of /proc/kevlar/syscalls, with raw calls only (same number
 * of system calls every time), or -1. */
static long long syscalls_self(void)
{
    char buf[128];
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/kevlar/syscalls", O_RDONLY);
    long n;
    long long v = -1;

    if (fd < 0)
        return -1;
    n = syscall(SYS_read, fd, buf, sizeof buf - 1);
    syscall(SYS_close, fd);
    if (n > 0) {
        buf[n] = 0;
        if (sscanf(buf, "self %lld", &v) != 1)
            v = -1;
    }
    return v;
}

/* System calls one syscalls_self() costs, seen by the next one. */
static long long syscalls_overhead(void)
{
    long long a = syscalls_self(), b = syscalls_self();
    return a < 0 || b < 0 ? -1 : b - a;
}

static int64_t ts_ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static int64_t now_ns(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return ts_ns(&t);
}

static int64_t sys_now_ns(clockid_t c)
{
    struct timespec t;
    syscall(SYS_clock_gettime, c, &t);
    return ts_ns(&t);
}

static struct vdso_info vi;
static int vi_ok;

static void t_auxv_and_symbols(void)
{
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);

    ktest_result("vdso.auxv_sysinfo_ehdr", base != 0, "getauxval(AT_SYSINFO_EHDR) = 0");
    if (!base)
        return;
    int r = vdso_parse(base, &vi);
    vi_ok = r == 0;
    ktest_result("vdso.elf_dynamic", vi_ok, "vDSO at %#lx does not parse (%d)", (unsigned long)base, r);
    if (!vi_ok)
        return;
    for (unsigned i = 0; i < sizeof want_syms / sizeof want_syms[0]; i++) {
        char name[96];
        snprintf(name, sizeof name, "vdso.sym.%s", want_syms[i]);
        ktest_result(name, vdso_sym(&vi, want_syms[i], VDSO_VERSION) != NULL, "%s@%s missing",
                     want_syms[i], VDSO_VERSION);
    }
#ifndef __aarch64__
    ktest_result("vdso.sym.weak_alias_clock_gettime",
                 vdso_sym(&vi, "clock_gettime", VDSO_VERSION) == vdso_sym(&vi, "__vdso_clock_gettime", VDSO_VERSION),
                 "clock_gettime is not an alias of __vdso_clock_gettime");
#endif

    /* /proc/self/maps names both areas; [vdso] starts at AT_SYSINFO_EHDR. */
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long vdso_start = 0, vvar_start = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long s, e;
        if (sscanf(line, "%lx-%lx", &s, &e) != 2)
            continue;
        if (strstr(line, "[vdso]") && !vdso_start)
            vdso_start = s;
        if (strstr(line, "[vvar]") && !vvar_start)
            vvar_start = s;
    }
    if (f)
        fclose(f);
    ktest_result("vdso.maps", vdso_start == base && vvar_start && vvar_start < vdso_start,
                 "[vdso] at %#lx (auxv %#lx), [vvar] at %#lx", vdso_start, (unsigned long)base, vvar_start);
}

/* Calling the vDSO's clock_gettime directly, valid and bad clock. */
static void t_direct_call(void)
{
    typedef long (*cgt_fn)(long, struct timespec *);
    cgt_fn f = vi_ok ? (cgt_fn)vdso_sym(&vi, SYM_CLOCK_GETTIME, VDSO_VERSION) : NULL;
    struct timespec a = {0, 0}, b;

    if (!f) {
        ktest_result("vdso.direct_call", 0, "no %s", SYM_CLOCK_GETTIME);
        return;
    }
    long r = f(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_MONOTONIC, &b);
    ktest_result("vdso.direct_call", r == 0 && a.tv_nsec >= 0 && a.tv_nsec < 1000000000 && ts_ns(&a) <= ts_ns(&b),
                 "r=%ld %lld.%09ld then libc %lld.%09ld", r, (long long)a.tv_sec, a.tv_nsec, (long long)b.tv_sec,
                 b.tv_nsec);
    r = f(12345, &a);
    ktest_result("vdso.direct_bad_clock_einval", r == -EINVAL, "returned %ld, want %d", r, -EINVAL);
}

static void t_no_syscall(void)
{
    if (!ktest_is_kevlar()) {
        /* The syscall counter is Kevlar's own /proc/kevlar/syscalls. */
        ktest_skip("vdso.no_syscall_monotonic", "not Kevlar: no /proc/kevlar/syscalls");
        ktest_skip("vdso.no_syscall_other_clocks", "not Kevlar: no /proc/kevlar/syscalls");
        ktest_skip("vdso.bad_clock_makes_syscall", "not Kevlar: no /proc/kevlar/syscalls");
        return;
    }
    long long k = syscalls_overhead();
    struct timespec ts;
    struct timeval tv;
    volatile long sink = 0;

    long long a = syscalls_self();
    for (int i = 0; i < 1000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        sink += ts.tv_nsec;
    }
    long long b = syscalls_self();
    ktest_result("vdso.no_syscall_monotonic", k >= 0 && a >= 0 && b - a == k,
                 "1000 clock_gettime(MONOTONIC): %lld syscalls counted, %lld expected", b - a, k);

    a = syscalls_self();
    for (int i = 0; i < 200; i++) {
        clock_gettime(CLOCK_REALTIME, &ts);
        clock_gettime(CLOCK_BOOTTIME, &ts);
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
        clock_gettime(CLOCK_REALTIME_COARSE, &ts);
        clock_getres(CLOCK_MONOTONIC, &ts);
        gettimeofday(&tv, NULL);
        sink += time(NULL);
    }
    b = syscalls_self();
    ktest_result("vdso.no_syscall_other_clocks", k >= 0 && a >= 0 && b - a == k,
                 "REALTIME/BOOTTIME/COARSE/getres/gettimeofday/time: %lld syscalls counted, %lld expected", b - a, k);

    /* An unknown clock goes through the fallback: exactly one syscall. */
    a = syscalls_self();
    errno = 0;
    int r = clock_gettime((clockid_t)12345, &ts);
    int e = errno;
    b = syscalls_self();
    ktest_result("vdso.bad_clock_makes_syscall", r == -1 && e == EINVAL && b - a == k + 1,
                 "r=%d errno=%d, %lld syscalls (want %lld)", r, e, b - a, k + 1);
}

static void t_agree(void)
{
    int bad = 0, iters = 3000;
    int64_t a = 0, s = 0, c = 0;
    clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME};

    for (unsigned k = 0; k < 3 && !bad; k++)
        for (int i = 0; i < iters && !bad; i++) {
            a = now_ns(clocks[k]);
            s = sys_now_ns(clocks[k]);
            c = now_ns(clocks[k]);
            if (!(a <= s && s <= c)) {
                bad = (int)k + 1;
            }
        }
    ktest_result("vdso.agrees_with_syscall", !bad, "clock %d: vdso %lld, syscall %lld, vdso %lld", bad - 1,
                 (long long)a, (long long)s, (long long)c);

    int back = 0;
    int64_t prev = now_ns(CLOCK_MONOTONIC), cur = prev;
    for (int i = 0; i < 200000 && !back; i++) {
        cur = now_ns(CLOCK_MONOTONIC);
        if (cur < prev)
            back = 1;
        else
            prev = cur;
    }
    ktest_result("vdso.monotonic_never_backwards", !back, "%lld after %lld", (long long)cur, (long long)prev);

    /* COARSE: the last tick's value, not ahead of the precise clock and
     * behind it by about a tick (loose under TCG). */
    int64_t m0 = now_ns(CLOCK_MONOTONIC), co = now_ns(CLOCK_MONOTONIC_COARSE), m1 = now_ns(CLOCK_MONOTONIC);
    struct timespec res = {0, 0};
    clock_getres(CLOCK_MONOTONIC_COARSE, &res);
    ktest_result("vdso.coarse", co <= m1 && m0 - co < 1000000000LL && res.tv_sec == 0 && res.tv_nsec > 0,
                 "mono %lld coarse %lld mono %lld res %ld", (long long)m0, (long long)co, (long long)m1, res.tv_nsec);
    int64_t r0 = now_ns(CLOCK_REALTIME), rc = now_ns(CLOCK_REALTIME_COARSE);
    ktest_result("vdso.realtime_coarse", rc <= now_ns(CLOCK_REALTIME) && r0 - rc < 1000000000LL,
                 "realtime %lld coarse %lld", (long long)r0, (long long)rc);

    res.tv_nsec = 0;
    int r = clock_getres(CLOCK_MONOTONIC, &res);
    ktest_result("vdso.getres_monotonic", r == 0 && res.tv_sec == 0 && res.tv_nsec == 1, "r=%d res=%ld", r,
                 res.tv_nsec);
    KTEST_ERRNO("vdso.getres_bad_clock_einval", clock_getres((clockid_t)12345, &res), EINVAL);
    KTEST_ERRNO("vdso.gettime_bad_clock_einval", clock_gettime((clockid_t)12345, &res), EINVAL);

    struct timeval tv;
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    int g = gettimeofday(&tv, NULL);
    int64_t d = (int64_t)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL - ts_ns(&rt);
    ktest_result("vdso.gettimeofday", g == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000 && d >= -1000 && d < 1000000000LL,
                 "g=%d usec=%ld diff %lld ns", g, (long)tv.tv_usec, (long long)d);
    time_t t = time(NULL);
    ktest_result("vdso.time", t >= rt.tv_sec - 1 && t <= rt.tv_sec + 2, "time()=%lld realtime %lld", (long long)t,
                 (long long)rt.tv_sec);
}

/* The wall clock moves as set, in the vDSO too; then it is put back. */
static void t_settime(void)
{
    if (!ktest_is_guest()) {
        /* Setting the host's wall clock is not a test's business. */
        ktest_skip("vdso.settimeofday_seen", "host run: the wall clock is not ours to set");
        ktest_skip("vdso.clock_settime_seen", "host run: the wall clock is not ours to set");
        ktest_skip("vdso.settime_eperm", "host run: the wall clock is not ours to set");
        return;
    }
    const int64_t shift = 1000000LL * 1000000000LL; /* +1e6 s */
    int64_t mono0 = now_ns(CLOCK_MONOTONIC), real0 = now_ns(CLOCK_REALTIME);
    int64_t target = real0 + shift;
    struct timeval tv = {(time_t)(target / 1000000000LL), (suseconds_t)(target % 1000000000LL / 1000)};
    int r = settimeofday(&tv, NULL);
    target = (int64_t)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL; /* what was set: whole us */
    int64_t seen = now_ns(CLOCK_REALTIME), seen_c = now_ns(CLOCK_REALTIME_COARSE);
    time_t t = time(NULL);
    struct timeval g;
    gettimeofday(&g, NULL);
    ktest_result("vdso.settimeofday_seen",
                 r == 0 && seen >= target && seen - target < 2000000000LL && seen_c >= target &&
                     seen_c - target < 2000000000LL && t >= target / 1000000000LL &&
                     g.tv_sec >= target / 1000000000LL && g.tv_sec - target / 1000000000LL < 3,
                 "r=%d target %lld realtime %lld coarse %lld time %lld gettimeofday %lld", r, (long long)target,
                 (long long)seen, (long long)seen_c, (long long)t, (long long)g.tv_sec);

    target = real0 + 2 * shift;
    struct timespec ts = {(time_t)(target / 1000000000LL), (long)(target % 1000000000LL)};
    r = clock_settime(CLOCK_REALTIME, &ts);
    seen = now_ns(CLOCK_REALTIME);
    ktest_result("vdso.clock_settime_seen", r == 0 && seen >= target && seen - target < 2000000000LL,
                 "r=%d target %lld realtime %lld", r, (long long)target, (long long)seen);

    /* Restore: the old wall clock plus the time that passed. */
    int64_t back = real0 + (now_ns(CLOCK_MONOTONIC) - mono0);
    ts.tv_sec = (time_t)(back / 1000000000LL);
    ts.tv_nsec = (long)(back % 1000000000LL);
    clock_settime(CLOCK_REALTIME, &ts);

    /* Not root: EPERM for both, and the clock does not move. */
    pid_t pid = fork();
    if (pid == 0) {
        struct timeval tv2 = {1, 0};
        struct timespec ts2 = {1, 0};
        int ok = setuid(65534) == 0;
        ok = ok && settimeofday(&tv2, NULL) == -1 && errno == EPERM;
        ok = ok && clock_settime(CLOCK_REALTIME, &ts2) == -1 && errno == EPERM;
        ok = ok && time(NULL) > 1000;
        _exit(ok ? 0 : 1);
    }
    int st = -1;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    ktest_result("vdso.settime_eperm", st == 0, "child status %#x", st);
}

/* A forked child has the same mapping and still needs no syscall. */
static void t_fork(void)
{
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec a, b;
        int ok = memcmp((void *)base, ELFMAG, SELFMAG) == 0;
        if (ktest_is_kevlar()) {
            long long k = syscalls_overhead(), x = syscalls_self();
            for (int i = 0; i < 100; i++)
                clock_gettime(CLOCK_MONOTONIC, &a);
            ok = ok && k >= 0 && syscalls_self() - x == k;
        }
        clock_gettime(CLOCK_MONOTONIC, &a);
        syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
        ok = ok && ts_ns(&a) <= ts_ns(&b);
        _exit(ok ? 0 : 1);
    }
    int st = -1;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    ktest_result("vdso.fork_inherits", st == 0, "child status %#x", st);
}

static volatile sig_atomic_t got_sig;
static void *volatile handler_ret;

static void h_usr1(int sig)
{
    (void)sig;
    got_sig = 1;
    handler_ret = __builtin_return_address(0);
}

/* Handlers return through rt_sigreturn; on arm64 libc passes no
 * SA_RESTORER and the kernel returns them to __kernel_rt_sigreturn. */
static void t_signal_return(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h_usr1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    volatile int canary = 0x5a5a;
    got_sig = 0;
    kill(getpid(), SIGUSR1);
    ktest_result("vdso.signal_handler_returns", got_sig == 1 && canary == 0x5a5a, "got_sig=%d", (int)got_sig);
#ifdef __aarch64__
    void *tramp = vi_ok ? vdso_sym(&vi, "__kernel_rt_sigreturn", VDSO_VERSION) : NULL;
    ktest_result("vdso.arm64_sigreturn_trampoline", tramp && handler_ret == tramp,
                 "handler returns to %p, __kernel_rt_sigreturn at %p", handler_ret, tramp);
#endif
    signal(SIGUSR1, SIG_DFL);
}

/* ns per call, median of batches: the vDSO and the raw system call. */
static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void bench(void)
{
    enum { BATCHES = 15 };
    double v[BATCHES], s[BATCHES];
    struct timespec ts;

    for (int b = 0; b < BATCHES; b++) {
        int64_t t0 = sys_now_ns(CLOCK_MONOTONIC);
        for (int i = 0; i < 2000; i++)
            clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t t1 = sys_now_ns(CLOCK_MONOTONIC);
        for (int i = 0; i < 200; i++)
            syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
        int64_t t2 = sys_now_ns(CLOCK_MONOTONIC);
        v[b] = (double)(t1 - t0) / 2000;
        s[b] = (double)(t2 - t1) / 200;
    }
    qsort(v, BATCHES, sizeof v[0], cmp_d);
    qsort(s, BATCHES, sizeof s[0], cmp_d);
    char line[160];
    int n = snprintf(line, sizeof line, "vdso.bench clock_gettime(MONOTONIC) median ns/call: vdso %.0f, syscall %.0f\n",
                     v[BATCHES / 2], s[BATCHES / 2]);
    ktest_write_all(1, line, (size_t)n);
}

int main(void)
{
    t_auxv_and_symbols();
    t_direct_call();
    t_no_syscall();
    t_agree();
    t_settime();
    t_fork();
    t_signal_return();
    bench();
    return ktest_nfail ? 1 : 0;
}
