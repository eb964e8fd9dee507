/* t_mem.c - memory: brk, anonymous/file mmap, munmap, mprotect, COW,
 * shared mappings, fault signals, stack growth. */
#include "ktest.h"

#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>

static long page;

/* Run fn in a child; return the signal that killed it (0 if it exited). */
static int child_signal(int (*fn)(void *), void *arg, int *exit_code)
{
    int st = ktest_in_child(fn, arg, 20);
    if (exit_code)
        *exit_code = (st >= 0 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
    return (st >= 0 && WIFSIGNALED(st)) ? WTERMSIG(st) : 0;
}

static int fn_write(void *a)
{
    *(volatile char *)a = 1;
    return 0;
}

static int fn_read(void *a)
{
    return *(volatile char *)a == 99 ? 1 : 0;
}

static void t_brk(void)
{
    /* raw brk: the kernel returns the new break (or the old one on failure) */
    uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
    uintptr_t want = cur + 64 * 1024;
    uintptr_t got = (uintptr_t)syscall(SYS_brk, want);
    int ok = cur != 0 && got == want;
    int zero = 1;
    if (ok) {
        volatile unsigned char *p = (unsigned char *)cur;
        for (size_t i = 0; i < 64 * 1024; i += 512)
            if (p[i] != 0)
                zero = 0;
        for (size_t i = 0; i < 64 * 1024; i++)
            p[i] = (unsigned char)i;
        for (size_t i = 0; i < 64 * 1024; i++)
            if (p[i] != (unsigned char)i)
                ok = 0;
    }
    ktest_result("mem.brk_grow", ok, "brk(0)=%#lx brk(+64K)=%#lx", (unsigned long)cur, (unsigned long)got);
    ktest_result("mem.brk_new_memory_zeroed", ok && zero, "new brk memory not zero-filled");
    uintptr_t back = (uintptr_t)syscall(SYS_brk, cur);
    ktest_result("mem.brk_shrink", back == cur, "brk(orig)=%#lx want %#lx", (unsigned long)back,
                 (unsigned long)cur);
}

static void t_anon(void)
{
    size_t len = 64 * (size_t)page;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    KTEST_CHECK("mem.mmap_anon", p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    int zero = 1;
    for (size_t i = 0; i < len; i += 64)
        if (p[i])
            zero = 0;
    ktest_result("mem.mmap_anon_zeroed", zero, "fresh anonymous memory not zero");
    for (size_t pg = 0; pg < 64; pg++)
        for (size_t i = 0; i < (size_t)page; i += 8)
            *(uint64_t *)(p + pg * page + i) = pg * 1000003u + i;
    int ok = 1;
    for (size_t pg = 0; pg < 64; pg++)
        for (size_t i = 0; i < (size_t)page; i += 8)
            if (*(uint64_t *)(p + pg * page + i) != pg * 1000003u + i)
                ok = 0;
    ktest_result("mem.mmap_anon_64_pages_rw", ok, "pattern mismatch");

    ktest_result("mem.mmap_page_aligned", ((uintptr_t)p & (page - 1)) == 0, "addr=%p", (void *)p);

    /* munmap, then touching the range in a child must SIGSEGV */
    int r = munmap(p, len);
    int sig = child_signal(fn_write, p + 5 * page, NULL);
    ktest_result("mem.munmap_then_access_sigsegv", r == 0 && sig == SIGSEGV, "munmap=%d child signal=%d", r, sig);

    /* partial munmap: the hole faults, its neighbours do not */
    p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r = munmap(p + page, page);
    p[0] = 1;
    p[2 * page] = 2;
    sig = child_signal(fn_write, p + page + 10, NULL);
    ktest_result("mem.munmap_middle_page", r == 0 && sig == SIGSEGV && p[0] == 1 && p[2 * page] == 2,
                 "munmap=%d hole access signal=%d", r, sig);
    munmap(p, page);
    munmap(p + 2 * page, page);

    KTEST_ERRNO("mem.mmap_len0_einval", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0, EINVAL);
    KTEST_ERRNO("mem.mmap_bad_fd_ebadf", mmap(NULL, page, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED ? -1 : 0, EBADF);

    /* MAP_FIXED replaces part of an existing mapping */
    p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 0x11, 4 * page);
    unsigned char *q = mmap(p + page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    ktest_result("mem.mmap_fixed_replaces", q == p + page && q[0] == 0 && q[page - 1] == 0 && p[0] == 0x11 &&
                                                p[2 * page] == 0x11,
                 "MAP_FIXED returned %p want %p, new page byte=%d", (void *)q, (void *)(p + page),
                 q != MAP_FAILED ? q[0] : -1);
    munmap(p, 4 * page);

    /* mremap grow keeps contents */
    p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 0x5a, 2 * page);
    q = mremap(p, 2 * page, 32 * page, MREMAP_MAYMOVE);
    ok = q != MAP_FAILED;
    for (size_t i = 0; ok && i < 2 * (size_t)page; i++)
        if (q[i] != 0x5a)
            ok = 0;
    if (ok) {
        q[32 * page - 1] = 7;
        ok = q[32 * page - 1] == 7 && q[2 * page] == 0;
    }
    ktest_result("mem.mremap_grow", ok, "mremap=%p errno=%d", (void *)q, errno);
    if (q != MAP_FAILED)
        munmap(q, 32 * page);

    /* madvise(MADV_DONTNEED) on private anonymous memory drops the data */
    p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 0x77, 2 * page);
    r = madvise(p, 2 * page, MADV_DONTNEED);
    ktest_result("mem.madvise_dontneed_zeroes", r == 0 && p[0] == 0 && p[2 * page - 1] == 0,
                 "madvise=%d byte=%d", r, p[0]);
    munmap(p, 2 * page);

    /* big malloc (mmap-backed) and many small ones */
    size_t big = 16u << 20;
    unsigned char *m = malloc(big);
    ok = m != NULL;
    if (ok) {
        memset(m, 0xcd, big);
        ok = m[0] == 0xcd && m[big / 2] == 0xcd && m[big - 1] == 0xcd;
        free(m);
    }
    void *small[2000];
    int sok = 1;
    for (int i = 0; i < 2000; i++) {
        small[i] = malloc(16 + (size_t)(i % 200));
        if (!small[i])
            sok = 0;
        else
            memset(small[i], i & 0xff, 16);
    }
    for (int i = 0; i < 2000; i++)
        if (small[i] && ((unsigned char *)small[i])[15] != (i & 0xff))
            sok = 0;
    for (int i = 0; i < 2000; i++)
        free(small[i]);
    ktest_result("mem.malloc_16mib_and_small", ok && sok, "big=%d small=%d", ok, sok);
}

static void t_protect(void)
{
    unsigned char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = 99;
    p[page] = 99;
    int r = mprotect(p, page, PROT_READ);
    int code = -1;
    int sig = child_signal(fn_write, p, NULL);
    int sig_read = child_signal(fn_read, p, &code);
    ktest_result("mem.mprotect_readonly_write_sigsegv", r == 0 && sig == SIGSEGV, "mprotect=%d child signal=%d", r, sig);
    ktest_result("mem.mprotect_readonly_read_ok", sig_read == 0 && code == 1, "read child signal=%d exit=%d", sig_read, code);
    sig = child_signal(fn_write, p + page, NULL);
    ktest_result("mem.mprotect_only_affects_range", sig == 0, "write to next page got signal %d", sig);
    r = mprotect(p, page, PROT_NONE);
    sig = child_signal(fn_read, p, NULL);
    ktest_result("mem.mprotect_none_read_sigsegv", r == 0 && sig == SIGSEGV, "mprotect=%d child signal=%d", r, sig);
    r = mprotect(p, page, PROT_READ | PROT_WRITE);
    p[1] = 5;
    ktest_result("mem.mprotect_restore_rw", r == 0 && p[0] == 99 && p[1] == 5, "mprotect=%d", r);
    munmap(p, 2 * page);
    KTEST_ERRNO("mem.mprotect_unaligned_einval", mprotect((char *)p + 1, page, PROT_READ), EINVAL);
}

static void t_file_maps(void)
{
    int fd = open("mapped.bin", O_CREAT | O_TRUNC | O_RDWR, 0644);
    size_t len = 2 * (size_t)page;
    unsigned char *data = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (unsigned char)(i * 13 + 1);
    write(fd, data, len);

    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    int ok = m != MAP_FAILED && memcmp(m, data, len) == 0;
    ktest_result("mem.mmap_file_private_contents", ok, "mmap=%p", (void *)m);
    if (m != MAP_FAILED) {
        m[0] = 0xEE;
        m[page + 3] = 0xEE;
        unsigned char b[2] = {0, 0};
        pread(fd, &b[0], 1, 0);
        pread(fd, &b[1], 1, page + 3);
        ktest_result("mem.mmap_file_private_write_not_in_file", b[0] == data[0] && b[1] == data[page + 3] && m[0] == 0xEE,
                     "file bytes %#x %#x changed by MAP_PRIVATE write", b[0], b[1]);
        munmap(m, len);
    }

    /* offset mapping */
    m = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, page);
    ktest_result("mem.mmap_file_offset", m != MAP_FAILED && memcmp(m, data + page, page) == 0, "mmap=%p", (void *)m);
    if (m != MAP_FAILED)
        munmap(m, page);

    m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m != MAP_FAILED) {
        memcpy(m + 100, "shared!", 7);
        int r = msync(m, len, MS_SYNC);
        char b[8] = {0};
        pread(fd, b, 7, 100);
        ktest_result("mem.mmap_file_shared_write_visible", r == 0 && !memcmp(b, "shared!", 7), "msync=%d file='%s'", r, b);
        /* a write through the fd is visible in the shared mapping */
        pwrite(fd, "FDWRITE", 7, 200);
        ktest_result("mem.mmap_file_shared_sees_write", !memcmp(m + 200, "FDWRITE", 7), "mapping not updated");
        munmap(m, len);
    } else {
        ktest_result("mem.mmap_file_shared_write_visible", 0, "mmap shared errno=%d", errno);
    }

    /* touching a page wholly beyond EOF raises SIGBUS */
    ftruncate(fd, page);
    m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    int sig = m != MAP_FAILED ? child_signal(fn_read, m + page + 1, NULL) : -1;
    ktest_result("mem.mmap_beyond_eof_sigbus", sig == SIGBUS, "child signal=%d (want SIGBUS=%d)", sig, SIGBUS);
    if (m != MAP_FAILED)
        munmap(m, len);

    int ro = open("mapped.bin", O_RDONLY);
    KTEST_ERRNO("mem.mmap_shared_write_on_rdonly_eacces",
                mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED ? -1 : 0, EACCES);
    close(ro);
    close(fd);
    free(data);
}

static void t_fork_maps(void)
{
    volatile unsigned char *sh = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile unsigned char *pv = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sh[0] = 1;
    pv[0] = 1;
    pid_t pid = fork();
    if (pid == 0) {
        sh[0] = 42;
        pv[0] = 42;
        _exit(pv[0] == 42 ? 0 : 1);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    ktest_result("mem.shared_anon_across_fork", sh[0] == 42, "parent sees %d want 42", sh[0]);
    ktest_result("mem.private_anon_cow_fork", pv[0] == 1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "parent sees %d want 1; child %s", pv[0], ktest_wstr(st));

    /* COW of the heap/data after fork in the other direction */
    static volatile int data_var = 10;
    pid = fork();
    if (pid == 0) {
        usleep(50000);
        _exit(data_var);
    }
    data_var = 20;
    waitpid(pid, &st, 0);
    ktest_result("mem.cow_parent_write_invisible_to_child", WIFEXITED(st) && WEXITSTATUS(st) == 10,
                 "child saw %s (want exit 10)", ktest_wstr(st));
    munmap((void *)sh, page);
    munmap((void *)pv, page);
}

/* MemFree from /proc/meminfo, KiB (-1 if unreadable). */
static long mem_free_kib(void)
{
    char buf[4096];
    int fd = open("/proc/meminfo", O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *m = strstr(buf, "MemFree:");
    return m ? strtol(m + 8, NULL, 10) : -1;
}

static void t_shared(void)
{
    /* pages never touched before fork are still shared afterwards */
    size_t len = 4 * (size_t)page;
    volatile unsigned char *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t pid = fork();
    if (pid == 0) {
        a[2 * page] = 77;
        _exit(0);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    ktest_result("mem.shared_anon_untouched_before_fork", a[2 * page] == 77, "parent sees %d want 77", a[2 * page]);

    /* a hole punched in the middle leaves both halves shared */
    munmap((void *)(a + page), page);
    pid = fork();
    if (pid == 0) {
        a[0] = 5;
        a[3 * page] = 6;
        _exit(0);
    }
    waitpid(pid, &st, 0);
    ktest_result("mem.shared_anon_split_keeps_sharing", a[0] == 5 && a[3 * page] == 6,
                 "parent sees %d %d want 5 6", a[0], a[3 * page]);
    munmap((void *)a, len);

    /* a child's store through a shared file mapping lands in the file */
    int fd = open("shared.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char zero[8192] = {0};
    write(fd, zero, sizeof zero);
    volatile char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m != MAP_FAILED) {
        pid = fork();
        if (pid == 0) {
            memcpy((char *)m + page + 10, "child", 5);
            _exit(0);
        }
        waitpid(pid, &st, 0);
        char b[6] = {0};
        pread(fd, b, 5, page + 10);
        ktest_result("mem.shared_file_child_store_in_file", !memcmp(b, "child", 5), "file has '%s'", b);
        /* the mapping outlives the name and the descriptor */
        close(fd);
        unlink("shared.bin");
        m[0] = 'x';
        ktest_result("mem.shared_file_outlives_unlink", m[0] == 'x' && m[page + 10] == 'c', "mapping lost");
        munmap((void *)m, 2 * page);
    } else {
        ktest_result("mem.shared_file_child_store_in_file", 0, "mmap errno=%d", errno);
        close(fd);
    }

    /* PROT_WRITE cannot be added to a shared mapping of a read-only file */
    fd = open("ro.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, zero, 16);
    close(fd);
    fd = open("ro.bin", O_RDONLY);
    void *r = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
    KTEST_ERRNO("mem.mprotect_write_shared_rdonly_eacces", r == MAP_FAILED ? -2 : mprotect(r, page, PROT_READ | PROT_WRITE), EACCES);
    if (r != MAP_FAILED)
        munmap(r, page);
    close(fd);
    unlink("ro.bin");

    /* no frame is lost: map, touch, truncate and unlink under mappings,
     * many times; MemFree must come back (a leak would be 12.8 MiB) */
    long before = mem_free_kib();
    int ok = 1;
    for (int i = 0; i < 200 && ok; i++) {
        fd = open("leak.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
        ok = fd >= 0 && ftruncate(fd, 8 * page) == 0;
        char *m1 = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        char *m2 = mmap(NULL, 8 * page, PROT_READ, MAP_SHARED, fd, 0);
        char *an = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (m1 == MAP_FAILED || m2 == MAP_FAILED || an == MAP_FAILED) {
            ok = 0;
            break;
        }
        for (int k = 0; k < 8; k++) {
            m1[k * page] = (char)k;
            an[k * page] = (char)(m2[k * page] + 1);
        }
        ok = ok && m2[7 * page] == 7 && an[7 * page] == 8;
        ftruncate(fd, 0);
        close(fd);
        unlink("leak.bin");
        munmap(m1, 8 * page);
        munmap(m2, 8 * page);
        munmap(an, 8 * page);
    }
    long after = mem_free_kib();
    ktest_result("mem.shared_maps_no_frame_leak", ok && before > 0 && after > before - 3072,
                 "ok=%d MemFree %ld -> %ld KiB", ok, before, after);
}

static sigjmp_buf jb;
static void *volatile fault_addr;
static volatile int fault_signo, fault_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    fault_signo = sig;
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    siglongjmp(jb, 1);
}

static int recurse(int depth, volatile char *prev)
{
    volatile char buf[1024];
    buf[0] = (char)depth;
    buf[1023] = prev ? prev[0] : 0;
    if (depth == 0)
        return buf[0] + buf[1023];
    return recurse(depth - 1, buf) + buf[0];
}

static int fn_stack(void *a)
{
    (void)a;
    /* ~2 MiB of stack: well inside the default 8 MiB limit */
    return recurse(2048, NULL) >= 0 ? 0 : 0;
}

static void t_faults(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    unsigned char *p = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    volatile unsigned char *target = p + 123;
    fault_signo = 0;
    if (sigsetjmp(jb, 1) == 0) {
        *target = 1;
    }
    ktest_result("mem.sigsegv_handler_si_addr",
                 fault_signo == SIGSEGV && fault_addr == (void *)target && fault_code == SEGV_ACCERR,
                 "signo=%d si_addr=%p want %p si_code=%d want SEGV_ACCERR=%d", fault_signo,
                 (void *)fault_addr, (void *)target, fault_code, SEGV_ACCERR);
    munmap(p, page);
    fault_signo = 0;
    if (sigsetjmp(jb, 1) == 0) {
        *(volatile unsigned char *)target = 2;
    }
    ktest_result("mem.sigsegv_unmapped_maperr", fault_signo == SIGSEGV && fault_code == SEGV_MAPERR,
                 "signo=%d si_code=%d want SEGV_MAPERR=%d", fault_signo, fault_code, SEGV_MAPERR);
    signal(SIGSEGV, SIG_DFL);

    int code = -1;
    int sig = child_signal(fn_stack, NULL, &code);
    ktest_result("mem.stack_growth_2mib", sig == 0 && code == 0, "child signal=%d exit=%d", sig, code);
}

/* A read(2) whose (page-aligned, large) buffer runs into a PROT_NONE page
 * returns the bytes that fit before it, as on Linux: the copy to user faults
 * in the middle of one large aligned transfer (x86_64 REP MOVSQ, arm64 the
 * 8-byte STTR loop) and the partial count must be exact. Same for write(2)
 * from such a buffer into a pipe. */
static void t_partial_copy(void)
{
    size_t len = 4 * (size_t)page;
    unsigned char *data = malloc(len);
    unsigned char *buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t i = 0; i < len; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    memset(buf, 0, 2 * page);
    mprotect(buf + page, page, PROT_NONE);

    int fd = open("partial.bin", O_CREAT | O_TRUNC | O_RDWR, 0644);
    write(fd, data, len);
    ssize_t r = pread(fd, buf, 2 * page, 0);
    ktest_result("mem.read_into_half_protnone_partial", r == page && memcmp(buf, data, page) == 0,
                 "pread of 2 pages into [rw | none] = %zd, want %ld", r, page);
    close(fd);
    unlink("partial.bin");

    int p[2];
    pipe(p);
    write(p[1], data, 2 * page);
    memset(buf, 0, page);
    r = read(p[0], buf, 2 * page);
    ktest_result("mem.pipe_read_into_half_protnone_partial", r == page && memcmp(buf, data, page) == 0,
                 "pipe read of 2 pages into [rw | none] = %zd, want %ld", r, page);
    close(p[0]);
    close(p[1]);

    pipe(p);
    memcpy(buf, data, page);
    r = write(p[1], buf, 2 * page);
    ktest_result("mem.pipe_write_from_half_protnone_partial", r == page,
                 "pipe write of 2 pages from [rw | none] = %zd, want %ld", r, page);
    close(p[0]);
    close(p[1]);
    munmap(buf, 2 * page);
    free(data);
}

int main(void)
{
    umask(022);
    page = sysconf(_SC_PAGESIZE);
    t_brk();
    if (ktest_enter_scratch("t_mem") != 0)
        ktest_result("mem.scratch_dir", 0, "cannot enter scratch dir errno=%d", errno);
    t_anon();
    t_protect();
    t_file_maps();
    t_fork_maps();
    t_shared();
    t_faults();
    t_partial_copy();
    return 0;
}
