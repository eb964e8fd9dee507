/* t_memfd.c - memfd_create(2) and file sealing (fcntl(2) F_ADD_SEALS,
 * F_GET_SEALS): each seal enforced on write, truncate and shared writable
 * mmap, and the error paths. */
#include "ktest.h"

#include <sys/mman.h>

static int mfd(const char *name, unsigned flags)
{
    return (int)syscall(SYS_memfd_create, name, flags);
}

/* mmap MAP_SHARED|PROT_WRITE of fd: 0, or -1 with errno. */
static long map_shared_rw(int fd)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return -1;
    munmap(p, 4096);
    return 0;
}

static void test_basic(void)
{
    int fd = mfd("kt", MFD_CLOEXEC);
    struct stat st;
    char buf[8] = { 0 };

    KTEST_CHECK("memfd.create", fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
    KTEST_CHECK("memfd.regular", fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
                                     st.st_nlink == 0);
    KTEST_CHECK("memfd.rw", write(fd, "hello", 5) == 5 && pread(fd, buf, 5, 0) == 5 &&
                                !memcmp(buf, "hello", 5));
    KTEST_CHECK("memfd.ftruncate", ftruncate(fd, 8192) == 0 && fstat(fd, &st) == 0 &&
                                       st.st_size == 8192);
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    KTEST_CHECK("memfd.mmap_shared", p != MAP_FAILED);
    if (p != MAP_FAILED) {
        p[4096] = 'Z';
        KTEST_CHECK("memfd.mmap_coherent", pread(fd, buf, 1, 4096) == 1 && buf[0] == 'Z');
        munmap(p, 8192);
    }
    KTEST_CHECK("memfd.no_sealing", fcntl(fd, F_GET_SEALS) == F_SEAL_SEAL);
    KTEST_ERRNO("memfd.no_sealing_add", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
    close(fd);

    KTEST_ERRNO("memfd.badflags", mfd("x", 0x100), EINVAL);
    KTEST_ERRNO("memfd.efault", syscall(SYS_memfd_create, (void *)8, 0), EFAULT);
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    KTEST_ERRNO("memfd.name_too_long", mfd(longname, 0), EINVAL);
    longname[249] = 0;
    fd = mfd(longname, 0);
    KTEST_CHECK("memfd.name_249", fd >= 0);
    close(fd);
    int p2[2];
    pipe(p2);
    KTEST_ERRNO("memfd.seals_on_pipe", fcntl(p2[0], F_GET_SEALS), EINVAL);
    KTEST_ERRNO("memfd.add_seals_on_pipe", fcntl(p2[1], F_ADD_SEALS, F_SEAL_SEAL), EINVAL);
    close(p2[0]);
    close(p2[1]);
}

static void test_seals(void)
{
    int fd = mfd("sealed", MFD_ALLOW_SEALING);
    char buf[4096] = { 0 };

    KTEST_CHECK("memfd.sealing_none", fcntl(fd, F_GET_SEALS) == 0);
    write(fd, buf, sizeof buf);
    KTEST_ERRNO("memfd.seal_unknown", fcntl(fd, F_ADD_SEALS, 0x100), EINVAL);

    KTEST_CHECK("memfd.seal_shrink", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0);
    KTEST_ERRNO("memfd.shrink_denied", ftruncate(fd, 100), EPERM);
    KTEST_CHECK("memfd.grow_allowed", ftruncate(fd, 8192) == 0);

    KTEST_CHECK("memfd.seal_grow", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) == 0);
    KTEST_ERRNO("memfd.grow_denied", ftruncate(fd, 16384), EPERM);
    KTEST_ERRNO("memfd.write_past_end", pwrite(fd, "x", 1, 8192), EPERM);
    KTEST_CHECK("memfd.write_inside", pwrite(fd, "x", 1, 100) == 1);
    KTEST_CHECK("memfd.same_size_ok", ftruncate(fd, 8192) == 0);

    KTEST_CHECK("memfd.seal_write", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == 0);
    KTEST_ERRNO("memfd.write_denied", pwrite(fd, "x", 1, 0), EPERM);
    KTEST_CHECK("memfd.write_empty_ok", write(fd, "", 0) == 0);
    KTEST_ERRNO("memfd.mmap_write_denied", map_shared_rw(fd), EPERM);
    void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    KTEST_CHECK("memfd.mmap_read_ok", p != MAP_FAILED);
    if (p != MAP_FAILED)
        munmap(p, 4096);
    p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    KTEST_CHECK("memfd.mmap_private_ok", p != MAP_FAILED);
    if (p != MAP_FAILED)
        munmap(p, 4096);
    KTEST_CHECK("memfd.read_ok", pread(fd, buf, 1, 100) == 1 && buf[0] == 'x');

    KTEST_CHECK("memfd.seal_seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL) == 0);
    KTEST_CHECK("memfd.get_seals", fcntl(fd, F_GET_SEALS) == (F_SEAL_SEAL | F_SEAL_SHRINK |
                                                              F_SEAL_GROW | F_SEAL_WRITE));
    KTEST_ERRNO("memfd.sealed_seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), EPERM);
    close(fd);

    /* F_SEAL_FUTURE_WRITE: no new writes or writable shared mappings. */
    fd = mfd("future", MFD_ALLOW_SEALING);
    ftruncate(fd, 4096);
    KTEST_CHECK("memfd.seal_future_write", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE) == 0);
    KTEST_ERRNO("memfd.future_write_denied", write(fd, "x", 1), EPERM);
    KTEST_ERRNO("memfd.future_mmap_denied", map_shared_rw(fd), EPERM);
    close(fd);

    /* Seals need a writable descriptor (reopened read-only via /proc). */
    fd = mfd("ro", MFD_ALLOW_SEALING);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int ro = open(path, O_RDONLY);
    KTEST_CHECK("memfd.reopen_ro", ro >= 0);
    if (ro >= 0) {
        KTEST_ERRNO("memfd.seal_readonly_fd", fcntl(ro, F_ADD_SEALS, F_SEAL_GROW), EPERM);
        KTEST_CHECK("memfd.get_seals_ro", fcntl(ro, F_GET_SEALS) == 0);
        close(ro);
    }
    close(fd);
}

int main(void)
{
    test_basic();
    test_seals();
    return ktest_nfail ? 1 : 0;
}
