/* t_heaplimits.c - the heap (brk) and its limits, ETXTBSY, RLIMIT_FSIZE.
 * [brk(2)], [mprotect(2)], [getrlimit(2)] RLIMIT_DATA/RLIMIT_FSIZE,
 * [open(2)]/[truncate(2)]/[execve(2)] ETXTBSY, [write(2)] EFBIG. */
#include "ktest.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define PG 4096UL
#define MIB (1024UL * 1024UL)

static uintptr_t page_up(uintptr_t a)
{
    return (a + PG - 1) & ~(PG - 1);
}

/* ---- brk ------------------------------------------------------------------- */

static void t_heap_mprotect(void)
{
    char *base = sbrk(0);
    char *p = (char *)page_up((uintptr_t)base);
    int ok = sbrk((intptr_t)(p - base) + 2 * PG) != (void *)-1;

    KTEST_CHECK("heap.sbrk_two_pages", ok);
    if (!ok)
        return;
    p[0] = 1;
    KTEST_CHECK("heap.mprotect_read", mprotect(p, PG, PROT_READ) == 0);
    KTEST_CHECK("heap.mprotect_write_again", mprotect(p, PG, PROT_READ | PROT_WRITE) == 0);
    p[1] = 2;
    KTEST_CHECK("heap.writable_after_mprotect", p[0] == 1 && p[1] == 2);
    KTEST_CHECK("heap.mprotect_rwx", mprotect(p, 2 * PG, PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
    mprotect(p, 2 * PG, PROT_READ | PROT_WRITE);
}

static int c_rlimit_data(void *a)
{
    struct rlimit rl = { 4 * MIB, 4 * MIB };
    if (setrlimit(RLIMIT_DATA, &rl) != 0)
        return 1;
    errno = 0;
    if (sbrk(8 * MIB) != (void *)-1 || errno != ENOMEM)
        return 2; /* past the limit */
    if (sbrk(64 * 1024) == (void *)-1)
        return 3; /* well within it */
    return 0;
}

/* RLIMIT_DATA bounds private writable mappings too (Linux may_expand_vm()):
 * not read-only, shared or stack ones; mprotect() to writable is charged. */
static int c_rlimit_data_mmap(void *a)
{
    struct rlimit rl = { 16 * MIB, 16 * MIB };
    if (setrlimit(RLIMIT_DATA, &rl) != 0)
        return 1;
    int anon = MAP_PRIVATE | MAP_ANONYMOUS;
    errno = 0;
    if (mmap(NULL, 32 * MIB, PROT_READ | PROT_WRITE, anon, -1, 0) != MAP_FAILED || errno != ENOMEM)
        return 2;
    void *ro = mmap(NULL, 32 * MIB, PROT_READ, anon, -1, 0);
    if (ro == MAP_FAILED)
        return 3; /* not data: not charged */
    if (mmap(NULL, 32 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
        return 4; /* shared: not charged */
    if (mmap(NULL, 32 * MIB, PROT_READ | PROT_WRITE, anon | MAP_GROWSDOWN, -1, 0) == MAP_FAILED)
        return 5; /* a stack: not charged */
    errno = 0;
    if (mprotect(ro, 32 * MIB, PROT_READ | PROT_WRITE) == 0 || errno != ENOMEM)
        return 6;
    if (mprotect(ro, MIB, PROT_READ | PROT_WRITE) != 0)
        return 7; /* a small part fits */
    if (mmap(NULL, MIB, PROT_READ | PROT_WRITE, anon, -1, 0) == MAP_FAILED)
        return 8;
    /* Replacing a data mapping in place (MAP_FIXED) is not growth. */
    if (mmap(ro, MIB, PROT_READ | PROT_WRITE, anon | MAP_FIXED, -1, 0) != ro)
        return 9;
    /* Valgrind's allowance: a soft limit of 0 lets the hard one apply. */
    struct rlimit zero = { 0, 16 * MIB };
    if (setrlimit(RLIMIT_DATA, &zero) != 0)
        return 10;
    if (mmap(NULL, 64 * 1024, PROT_READ | PROT_WRITE, anon, -1, 0) == MAP_FAILED)
        return 11;
    errno = 0;
    if (mmap(NULL, 32 * MIB, PROT_READ | PROT_WRITE, anon, -1, 0) != MAP_FAILED || errno != ENOMEM)
        return 12;
    return 0;
}

/* The heap stops a guard page short of the next mapping. */
static int c_no_overlap(void *a)
{
    uintptr_t base = page_up((uintptr_t)sbrk(0));
    void *m = mmap((void *)(base + MIB), PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                   -1, 0);
    if (m == MAP_FAILED)
        return errno == EEXIST ? 0 : 1; /* something already there: nothing to test */
    if (brk((void *)(base + MIB + PG)) == 0)
        return 2; /* over the mapping */
    if (brk((void *)(base + MIB - PG + 1)) == 0)
        return 3; /* into the guard page */
    if (brk((void *)(base + MIB - PG)) != 0)
        return 4; /* up to the guard page */
    return 0;
}

/* LTP sbrk02: ever larger steps until the kernel says no; it must say
 * ENOMEM soon (Linux: a step larger than RAM), not reserve the whole
 * address space. */
static int c_sbrk02(void *a)
{
    long inc = 16 * MIB;
    void *r = NULL;
    int steps = 0;

    while (r != (void *)-1 && inc > 0 && steps < 100000) {
        r = sbrk(inc);
        inc += 16 * MIB;
        steps++;
    }
    if (r != (void *)-1 || errno != ENOMEM)
        return 1;
    errno = 0;
    if (sbrk(inc) != (void *)-1 || errno != ENOMEM)
        return 2;
    return 0;
}

static void t_heap_limits(void)
{
    int st = ktest_in_child(c_rlimit_data, NULL, 30);
    ktest_result("heap.rlimit_data", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    st = ktest_in_child(c_rlimit_data_mmap, NULL, 30);
    ktest_result("heap.rlimit_data_mmap", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    st = ktest_in_child(c_no_overlap, NULL, 30);
    ktest_result("heap.guard_gap_below_mapping", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
                 ktest_wstr(st));
    double t0 = ktest_now(CLOCK_MONOTONIC);
    st = ktest_in_child(c_sbrk02, NULL, 60);
    double dt = ktest_now(CLOCK_MONOTONIC) - t0;
    ktest_result("heap.sbrk02_enomem_fast", WIFEXITED(st) && WEXITSTATUS(st) == 0 && dt < 30,
                 "%s after %.1f s", ktest_wstr(st), dt);
}

/* ---- ETXTBSY ---------------------------------------------------------------- */

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    char buf[65536];
    ssize_t n;
    int ok = in >= 0 && out >= 0;

    while (ok && (n = read(in, buf, sizeof buf)) > 0)
        ok = write(out, buf, (size_t)n) == n;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return ok ? 0 : -1;
}

static int c_exec_open_for_write(void *a)
{
    char *argv[] = { "copy", "sleeper", NULL };
    int fd = open("copy", O_WRONLY);
    if (fd < 0)
        return 1;
    execv("./copy", argv);
    return errno == ETXTBSY ? 0 : 2;
}

static void t_etxtbsy(void)
{
    int p[2], st;
    char x;

    if (copy_file("/proc/self/exe", "copy") != 0) {
        ktest_result("etxtbsy.copy", 0, "cannot copy /proc/self/exe: %s", strerror(errno));
        return;
    }
    st = ktest_in_child(c_exec_open_for_write, NULL, 20);
    ktest_result("etxtbsy.exec_file_open_for_write", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
                 ktest_wstr(st));

    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = { "copy", "sleeper", NULL };
        dup2(p[1], 1);
        execv("./copy", argv);
        _exit(127);
    }
    close(p[1]);
    int started = read(p[0], &x, 1) == 1; /* the copy runs */
    KTEST_CHECK("etxtbsy.running", started);
    KTEST_ERRNO("etxtbsy.open_wronly", open("copy", O_WRONLY), ETXTBSY);
    KTEST_ERRNO("etxtbsy.open_rdwr", open("copy", O_RDWR), ETXTBSY);
    KTEST_ERRNO("etxtbsy.open_trunc", open("copy", O_WRONLY | O_TRUNC), ETXTBSY);
    KTEST_ERRNO("etxtbsy.truncate", truncate("copy", 0), ETXTBSY);
    int fd = open("copy", O_RDONLY);
    KTEST_CHECK("etxtbsy.open_rdonly_ok", fd >= 0);
    close(fd);
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    close(p[0]);
    fd = open("copy", O_WRONLY);
    KTEST_CHECK("etxtbsy.writable_after_exit", fd >= 0);
    close(fd);
    unlink("copy");
}

/* ---- RLIMIT_FSIZE ------------------------------------------------------------ */

static volatile sig_atomic_t xfsz;
static void on_xfsz(int s)
{
    (void)s;
    xfsz++;
}

static int c_fsize(void *a)
{
    struct rlimit rl = { 1000, 1000 };
    char buf[600];
    int fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);

    memset(buf, 'x', sizeof buf);
    signal(SIGXFSZ, on_xfsz);
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
        return 1;
    if (write(fd, buf, 600) != 600)
        return 2;
    if (write(fd, buf, 600) != 400)
        return 3; /* cut at the limit */
    if (xfsz != 0)
        return 4;
    errno = 0;
    if (write(fd, buf, 1) != -1 || errno != EFBIG || xfsz != 1)
        return 5;
    if (write(fd, buf, 0) != 0)
        return 6; /* empty writes never fail */
    if (pwrite(fd, buf, 10, 5000) != -1 || errno != EFBIG || xfsz != 2)
        return 7;
    if (ftruncate(fd, 2000) != -1 || errno != EFBIG || xfsz != 3)
        return 8;
    if (ftruncate(fd, 500) != 0 || pwrite(fd, buf, 10, 100) != 10)
        return 9;
    return 0;
}

static int c_fsize_default(void *a)
{
    struct rlimit rl = { 10, 10 };
    int fd = open("big2", O_RDWR | O_CREAT | O_TRUNC, 0644);
    setrlimit(RLIMIT_FSIZE, &rl);
    write(fd, "0123456789abc", 13);
    write(fd, "x", 1); /* SIGXFSZ: the default action ends the process */
    return 0;
}

static void t_fsize(void)
{
    int st = ktest_in_child(c_fsize, NULL, 20);
    ktest_result("fsize.sigxfsz_efbig", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    st = ktest_in_child(c_fsize_default, NULL, 20);
    ktest_result("fsize.sigxfsz_kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGXFSZ, "%s",
                 ktest_wstr(st));
    unlink("big");
    unlink("big2");
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "sleeper")) {
        write(1, "r", 1);
        for (;;)
            pause();
    }
    if (ktest_enter_scratch("heaplimits") != 0) {
        ktest_result("heaplimits.scratch", 0, "cannot enter scratch dir: %s", strerror(errno));
        return 1;
    }
    t_heap_mprotect();
    t_heap_limits();
    t_etxtbsy();
    t_fsize();
    return ktest_nfail ? 1 : 0;
}
