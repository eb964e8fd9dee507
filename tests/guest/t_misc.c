/* t_misc.c - system information and odds and ends: uname, sysinfo,
 * getrandom, rlimits, ENOSYS, credentials, umask, auxv, /proc/self/exe,
 * prctl, FPU. */
#include "ktest.h"

#include <limits.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#if defined(__x86_64__)
#define KT_MACHINE "x86_64"
#elif defined(__aarch64__)
#define KT_MACHINE "aarch64"
#else
#error "unsupported architecture"
#endif

static void t_uname(void)
{
    struct utsname u;
    memset(&u, 0, sizeof u);
    int r = uname(&u);
    ktest_result("misc.uname_sysname", r == 0 && !strcmp(u.sysname, "Linux"), "r=%d sysname='%s'", r, u.sysname);
    ktest_result("misc.uname_machine", r == 0 && !strcmp(u.machine, KT_MACHINE), "machine='%s' want '%s'", u.machine,
                 KT_MACHINE);
    ktest_result("misc.uname_release", r == 0 && u.release[0] >= '0' && u.release[0] <= '9' && strchr(u.release, '.'),
                 "release='%s'", u.release);
    char hn[HOST_NAME_MAX + 1] = {0};
    int h = gethostname(hn, sizeof hn);
    ktest_result("misc.gethostname_matches_uname", h == 0 && !strcmp(hn, u.nodename) && hn[0],
                 "gethostname='%s' nodename='%s'", hn, u.nodename);
}

static void t_sysinfo(void)
{
    struct sysinfo si;
    memset(&si, 0, sizeof si);
    int r = sysinfo(&si);
    ktest_result("misc.sysinfo", r == 0 && si.totalram > 0 && si.freeram <= si.totalram && si.mem_unit >= 1 &&
                                     si.procs >= 1,
                 "r=%d totalram=%lu freeram=%lu unit=%u procs=%u", r, si.totalram, si.freeram, si.mem_unit,
                 (unsigned)si.procs);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    int a = sched_getaffinity(0, sizeof set, &set);
    ktest_result("misc.cpus_online", n >= 1 && a == 0 && CPU_COUNT(&set) >= 1, "nprocs=%ld affinity=%d count=%d", n, a,
                 CPU_COUNT(&set));
    KTEST_CHECK("misc.sched_yield", sched_yield() == 0);
}

static void t_random(void)
{
    unsigned char a[32], b[32];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    ssize_t na = getrandom(a, sizeof a, 0);
    ssize_t nb = getrandom(b, sizeof b, GRND_NONBLOCK);
    int nz = 0;
    for (size_t i = 0; i < sizeof a; i++)
        nz |= a[i];
    ktest_result("misc.getrandom_32", na == 32 && nz, "getrandom=%zd", na);
    ktest_result("misc.getrandom_differs", nb == 32 && memcmp(a, b, 32) != 0, "second getrandom=%zd", nb);
    KTEST_ERRNO("misc.getrandom_bad_flags_einval", getrandom(a, 4, 0x4000), EINVAL);
}

static int fn_nofile(void *arg)
{
    (void)arg;
    struct rlimit rl = {16, 16};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1;
    int last = -1;
    for (int i = 0; i < 64; i++) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0)
            return errno == EMFILE && last >= 2 && last <= 15 ? 0 : 2;
        last = fd;
    }
    return 3;
}

static void t_rlimit(void)
{
    struct rlimit rl = {0, 0};
    long r = syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl);
    ktest_result("misc.prlimit64_nofile", r == 0 && rl.rlim_cur > 0 && rl.rlim_cur <= rl.rlim_max,
                 "prlimit64=%ld cur=%llu max=%llu", r, (unsigned long long)rl.rlim_cur,
                 (unsigned long long)rl.rlim_max);
    struct rlimit g;
    getrlimit(RLIMIT_NOFILE, &g);
    ktest_result("misc.getrlimit_matches", g.rlim_cur == rl.rlim_cur && g.rlim_max == rl.rlim_max,
                 "getrlimit %llu/%llu", (unsigned long long)g.rlim_cur, (unsigned long long)g.rlim_max);
    int st = ktest_in_child(fn_nofile, NULL, 20);
    ktest_result("misc.rlimit_nofile_enforced", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "%s (1:setrlimit 2:wrong errno or fd count 3:no limit)", ktest_wstr(st));
    struct rlimit stk;
    int s = getrlimit(RLIMIT_STACK, &stk);
    ktest_result("misc.rlimit_stack", s == 0 && stk.rlim_cur >= 1024 * 1024, "getrlimit=%d cur=%llu", s,
                 (unsigned long long)stk.rlim_cur);
}

static void t_ids(void)
{
    KTEST_ERRNO("misc.unknown_syscall_enosys", syscall(1000), ENOSYS);
    KTEST_ERRNO("misc.unknown_syscall_neg_enosys", syscall(-1L), ENOSYS);
    uid_t u = getuid(), eu = geteuid();
    gid_t gid = getgid(), eg = getegid();
    ktest_result("misc.ids_consistent", u == eu && gid == eg, "uid=%d euid=%d gid=%d egid=%d", (int)u, (int)eu,
                 (int)gid, (int)eg);
    if (ktest_is_guest())
        ktest_result("misc.guest_runs_as_root", u == 0 && gid == 0, "uid=%d gid=%d", (int)u, (int)gid);
    mode_t old = umask(027);
    mode_t back = umask(old);
    ktest_result("misc.umask", back == 027, "umask returned %o", back);
}

static void t_auxv(const char *argv0)
{
    unsigned long ps = getauxval(AT_PAGESZ);
    ktest_result("misc.auxv_pagesz", ps >= 4096 && (ps & (ps - 1)) == 0 && (long)ps == sysconf(_SC_PAGESIZE),
                 "AT_PAGESZ=%lu", ps);
    unsigned long rnd = getauxval(AT_RANDOM);
    ktest_result("misc.auxv_random", rnd != 0, "AT_RANDOM missing");
    unsigned long ph = getauxval(AT_PHDR), phn = getauxval(AT_PHNUM), ent = getauxval(AT_ENTRY);
    ktest_result("misc.auxv_phdr_entry", ph != 0 && phn > 0 && ent != 0, "AT_PHDR=%#lx AT_PHNUM=%lu AT_ENTRY=%#lx", ph,
                 phn, ent);
    unsigned long uid = getauxval(AT_UID);
    ktest_result("misc.auxv_uid", uid == getuid(), "AT_UID=%lu uid=%d", uid, (int)getuid());

    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    struct stat a, b;
    int ok = n > 0;
    if (ok) {
        exe[n] = 0;
        ok = exe[0] == '/' && stat(exe, &a) == 0 && stat(argv0, &b) == 0 && a.st_ino == b.st_ino &&
             a.st_dev == b.st_dev;
    }
    ktest_result("misc.proc_self_exe", ok, "readlink=%zd '%s' vs argv[0] '%s'", n, n > 0 ? exe : "", argv0);
    KTEST_CHECK("misc.env_path_set", getenv("PATH") != NULL);
}

static void t_prctl(void)
{
    char name[32] = {0};
    int r1 = prctl(PR_SET_NAME, "kt-renamed", 0, 0, 0);
    int r2 = prctl(PR_GET_NAME, name, 0, 0, 0);
    ktest_result("misc.prctl_name", r1 == 0 && r2 == 0 && !strcmp(name, "kt-renamed"), "set=%d get=%d name='%s'", r1,
                 r2, name);
    char comm[64] = {0};
    int fd = open("/proc/self/comm", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, comm, sizeof comm - 1) : -1;
    if (fd >= 0)
        close(fd);
    ktest_result("misc.proc_self_comm", n > 0 && !strcmp(comm, "kt-renamed\n"), "read=%zd comm='%s'", n, comm);
}

/* FPU: results are IEEE-754 exact, identical on x86_64 and arm64 */
static volatile double vd = 2.0;
static double hw_sqrt(double v)
{
    double r;
#if defined(__x86_64__)
    __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(v));
#else
    __asm__("fsqrt %d0, %d1" : "=w"(r) : "w"(v));
#endif
    return r;
}

static void t_fpu(void)
{
    double s = hw_sqrt(vd);
    ktest_result("misc.fpu_sqrt", s * s > 1.9999999999 && s * s < 2.0000000001 && s == 1.4142135623730951,
                 "sqrt(2)=%.17g", s);
    double sum = 0;
    for (int i = 1; i <= 100000; i++)
        sum += 1.0 / ((double)i * (double)i);
    char buf[64];
    snprintf(buf, sizeof buf, "%.9f", sum);
    ktest_result("misc.fpu_series", !strcmp(buf, "1.644924067"), "sum=%s", buf);

    /* FP state is per process: a child clobbering its registers does not
     * disturb the parent */
    volatile double keep = 3.25;
    double acc = 0;
    for (int i = 0; i < 5; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            volatile double x = 1e300;
            for (int j = 0; j < 1000; j++)
                x = x * 0.5 + 1.0 / (j + 1.0);
            _exit(0);
        }
        acc += keep * 2;
        waitpid(pid, NULL, 0);
        acc += keep;
    }
    ktest_result("misc.fpu_preserved_across_fork", acc == 5 * 3 * 3.25, "acc=%f want %f", acc, 5 * 3 * 3.25);
}

int main(int argc, char **argv)
{
    (void)argc;
    t_uname();
    t_sysinfo();
    t_random();
    t_rlimit();
    t_ids();
    t_auxv(argv[0]);
    t_prctl();
    t_fpu();
    return 0;
}
