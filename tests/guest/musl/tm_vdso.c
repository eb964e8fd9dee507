/* tm_vdso.c - a static musl program (x86_64 only: musl-gcc from
 * musl-tools) finds the vDSO too: musl looks __vdso_clock_gettime@LINUX_2.6
 * up through DT_HASH (hence --hash-style=both), and its clock_gettime then
 * makes no system call. [vdso(7)] */
#include "ktest.h"

#include <sys/auxv.h>

/* "self N" of /proc/kevlar/syscalls with raw calls only, or -1. */
static long long syscalls_self(void)
{
    char buf[128];
    int fd = (int)syscall(SYS_open, "/proc/kevlar/syscalls", O_RDONLY);
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

int main(void)
{
    struct timespec ts;

    ktest_result("musl.vdso_auxv", getauxval(AT_SYSINFO_EHDR) != 0, "getauxval(AT_SYSINFO_EHDR) = 0");
    clock_gettime(CLOCK_MONOTONIC, &ts); /* musl resolves the vDSO symbol on first use */
    if (!ktest_is_guest()) {
        ktest_result("musl.vdso_no_syscall", 1, NULL);
        return ktest_nfail ? 1 : 0;
    }
    long long a = syscalls_self(), b = syscalls_self(), k = b - a;
    long long c = syscalls_self();
    for (int i = 0; i < 1000; i++)
        clock_gettime(CLOCK_MONOTONIC, &ts);
    long long d = syscalls_self();
    ktest_result("musl.vdso_no_syscall", a >= 0 && d - c == k,
                 "1000 clock_gettime: %lld syscalls counted, %lld expected", d - c, k);
    return ktest_nfail ? 1 : 0;
}
