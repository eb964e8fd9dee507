/* t_mlock.c - residency and locking of memory: mincore(2), mlock(2),
 * mlock2(2), munlock(2), mlockall(2), munlockall(2) with VmLck and
 * RLIMIT_MEMLOCK, and process_vm_readv(2)/process_vm_writev(2). */
#include "ktest.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif

static long pagesz;

/* VmLck of this process in kB, -1 if missing. */
static long vmlck_kb(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *p = strstr(buf, "VmLck:");
    return p ? strtol(p + 6, NULL, 10) : -1;
}

static void t_mincore(void)
{
    unsigned char vec[8];
    char *p = mmap(NULL, 4 * pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(vec, 0xff, sizeof vec);
    int r = mincore(p, 4 * pagesz, vec);
    ktest_result("mincore.untouched", r == 0 && !(vec[0] & 1) && !(vec[3] & 1), "r=%d vec=%x %x", r, vec[0], vec[3]);
    p[0] = 1;
    p[2 * pagesz] = 1;
    r = mincore(p, 4 * pagesz, vec);
    ktest_result("mincore.touched", r == 0 && (vec[0] & 1) && !(vec[1] & 1) && (vec[2] & 1) && !(vec[3] & 1),
                 "r=%d vec=%x %x %x %x", r, vec[0], vec[1], vec[2], vec[3]);
    KTEST_CHECK("mincore.partial_len_rounds_up", mincore(p, pagesz + 1, vec) == 0 && (vec[0] & 1));
    KTEST_ERRNO("mincore.unaligned_einval", mincore(p + 1, pagesz, vec), EINVAL);
    KTEST_ERRNO("mincore.bad_vec_efault", mincore(p, pagesz, ktest_ptr(16)), EFAULT);
    KTEST_ERRNO("mincore.kernel_vec_efault", mincore(p, pagesz, ktest_ptr(0xffff800000000000UL)), EFAULT);
    munmap(p + pagesz, pagesz);
    KTEST_ERRNO("mincore.hole_enomem", mincore(p, 4 * pagesz, vec), ENOMEM);
    KTEST_ERRNO("mincore.kernel_range_enomem", mincore(ktest_ptr(0xffff800000000000UL), pagesz, vec), ENOMEM);
    munmap(p, 4 * pagesz);
}

static void t_mlock_root(void)
{
    long base = vmlck_kb();
    char *p = mmap(NULL, 4 * pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char vec[4];

    KTEST_CHECK("mlock.vmlck_present", base >= 0);
    KTEST_CHECK("mlock.lock", mlock(p + pagesz, 2 * pagesz) == 0);
    ktest_result("mlock.vmlck_counts", vmlck_kb() - base == 2 * pagesz / 1024, "VmLck %ld -> %ld", base, vmlck_kb());
    int r = mincore(p, 4 * pagesz, vec);
    ktest_result("mlock.faults_in", r == 0 && (vec[1] & 1) && (vec[2] & 1) && !(vec[0] & 1), "vec=%x %x %x", vec[0],
                 vec[1], vec[2]);
    KTEST_CHECK("mlock.unaligned_rounds", mlock(p + pagesz + 10, 10) == 0 && vmlck_kb() - base == 2 * pagesz / 1024);
    KTEST_CHECK("mlock.munlock", munlock(p, 4 * pagesz) == 0 && vmlck_kb() == base);
    KTEST_CHECK("mlock.mlock2_onfault", mlock2(p, pagesz, MLOCK_ONFAULT) == 0 && vmlck_kb() - base == pagesz / 1024);
    KTEST_ERRNO("mlock.mlock2_bad_flags_einval", mlock2(p, pagesz, 2), EINVAL);
    munlock(p, pagesz);
    munmap(p + 3 * pagesz, pagesz);
    KTEST_ERRNO("mlock.hole_enomem", mlock(p, 4 * pagesz), ENOMEM);
    KTEST_ERRNO("mlock.munlock_hole_enomem", munlock(p, 4 * pagesz), ENOMEM);
    KTEST_CHECK("mlock.len0", mlock(p, 0) == 0);
    munmap(p, 3 * pagesz);

    KTEST_ERRNO("mlockall.zero_einval", mlockall(0), EINVAL);
    KTEST_ERRNO("mlockall.onfault_alone_einval", mlockall(MCL_ONFAULT), EINVAL);
    KTEST_ERRNO("mlockall.bad_flags_einval", mlockall(0x100), EINVAL);
    KTEST_CHECK("mlockall.future", mlockall(MCL_FUTURE) == 0);
    char *q = mmap(NULL, 2 * pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r = mincore(q, 2 * pagesz, vec);
    ktest_result("mlockall.future_locks_new", q != MAP_FAILED && r == 0 && (vec[0] & 1) && (vec[1] & 1) &&
                                                  vmlck_kb() - base >= 2 * pagesz / 1024,
                 "r=%d vec=%x %x VmLck %ld", r, vec[0], vec[1], vmlck_kb());
    KTEST_CHECK("mlockall.munlockall", munlockall() == 0 && vmlck_kb() == 0);
    munmap(q, 2 * pagesz);
    KTEST_CHECK("mlockall.current", mlockall(MCL_CURRENT) == 0 && vmlck_kb() > 0);
    munlockall();
}

static int fn_fork_not_inherited(void *arg)
{
    (void)arg;
    return vmlck_kb() == 0 ? 0 : 1;
}

static int fn_limits(void *arg)
{
    (void)arg;
    char *p = mmap(NULL, 4 * pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct rlimit rl = {2 * pagesz, 2 * pagesz};
    if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
        return 1;
    KTEST_CHECK("mlock.user_within_limit", mlock(p, 2 * pagesz) == 0);
    KTEST_ERRNO("mlock.user_over_limit_enomem", mlock(p, 3 * pagesz), ENOMEM);
    KTEST_ERRNO("mlockall.user_current_over_limit_enomem", mlockall(MCL_CURRENT), ENOMEM);
    munlock(p, 4 * pagesz);
    struct rlimit zero = {0, 0};
    setrlimit(RLIMIT_MEMLOCK, &zero);
    KTEST_ERRNO("mlock.user_zero_limit_eperm", mlock(p, pagesz), EPERM);
    KTEST_ERRNO("mlockall.user_zero_limit_eperm", mlockall(MCL_FUTURE), EPERM);
    KTEST_CHECK("mlock.user_munlock_ok", munlock(p, pagesz) == 0);
    return 0;
}

static char target_buf[64] = "remote memory of the child";

static void t_process_vm(void)
{
    int go[2], done[2];
    char buf[64];
    if (pipe(go) || pipe(done))
        return;
    pid_t pid = fork();
    if (pid == 0) {
        /* The child waits, then reports what the parent wrote into it. */
        char c;
        close(go[1]);
        close(done[0]);
        if (read(go[0], &c, 1) != 1)
            _exit(2);
        _exit(strcmp(target_buf, "written by parent") == 0 ? 0 : 1);
    }
    close(go[0]);
    close(done[1]);
    strcpy(target_buf, "changed in the parent only");

    struct iovec local = {buf, sizeof buf}, remote = {target_buf, sizeof target_buf};
    memset(buf, 0, sizeof buf);
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    ktest_result("process_vm.readv", n == (ssize_t)sizeof buf && !strcmp(buf, "remote memory of the child"),
                 "n=%zd buf='%s'", n, buf);
    /* Two local pieces gathered from one remote one. */
    char a[8], b[8];
    struct iovec two[2] = {{a, 6}, {b, 7}};
    struct iovec r13 = {target_buf, 13};
    n = process_vm_readv(pid, two, 2, &r13, 1, 0);
    ktest_result("process_vm.readv_scatter", n == 13 && !memcmp(a, "remote", 6) && !memcmp(b, " memory", 7),
                 "n=%zd", n);
    char msg[64] = "written by parent";
    struct iovec lw = {msg, sizeof msg}, rw = {target_buf, sizeof target_buf};
    n = process_vm_writev(pid, &lw, 1, &rw, 1, 0);
    KTEST_CHECK("process_vm.writev", n == (ssize_t)sizeof msg);
    KTEST_ERRNO("process_vm.bad_flags_einval", process_vm_readv(pid, &local, 1, &remote, 1, 1), EINVAL);
    KTEST_ERRNO("process_vm.too_many_iov_einval", process_vm_readv(pid, &local, 1025, &remote, 1, 0), EINVAL);
    KTEST_ERRNO("process_vm.bad_iov_efault", process_vm_readv(pid, ktest_ptr(16), 1, &remote, 1, 0), EFAULT);
    struct iovec bad_remote = {ktest_ptr(16), 8};
    KTEST_ERRNO("process_vm.bad_remote_efault", process_vm_readv(pid, &local, 1, &bad_remote, 1, 0), EFAULT);
    struct iovec bad_local = {ktest_ptr(16), 8};
    KTEST_ERRNO("process_vm.bad_local_efault", process_vm_readv(pid, &bad_local, 1, &remote, 1, 0), EFAULT);
    KTEST_CHECK("process_vm.zero_iov", process_vm_readv(pid, &local, 0, &remote, 1, 0) == 0);
    if (write(go[1], "x", 1) != 1)
        return;
    int st = 0;
    waitpid(pid, &st, 0);
    ktest_result("process_vm.child_saw_write", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    KTEST_ERRNO("process_vm.reaped_esrch", process_vm_readv(pid, &local, 1, &remote, 1, 0), ESRCH);
    close(go[1]);
    close(done[0]);
}

/* A user may not read a process of another user. */
static int fn_pvm_user(void *arg)
{
    pid_t target = *(pid_t *)arg;
    char buf[8];
    struct iovec l = {buf, sizeof buf}, r = {target_buf, sizeof buf};
    if (setgid(65534) != 0 || setuid(65534) != 0)
        return 1;
    KTEST_ERRNO("process_vm.other_user_eperm", process_vm_readv(target, &l, 1, &r, 1, 0), EPERM);
    KTEST_CHECK("process_vm.self_user", process_vm_readv(getpid(), &l, 1, &r, 1, 0) == sizeof buf);
    return 0;
}

int main(void)
{
    pagesz = sysconf(_SC_PAGESIZE);
    t_mincore();
    t_mlock_root();
    mlockall(MCL_CURRENT);
    int st = ktest_in_child(fn_fork_not_inherited, NULL, 30);
    munlockall();
    ktest_result("mlock.not_inherited_by_fork", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
                 ktest_wstr(st));
    st = ktest_in_child_relay(fn_limits, NULL, 30);
    ktest_result("mlock.user_child", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    t_process_vm();
    pid_t me = getpid();
    st = ktest_in_child_relay(fn_pvm_user, &me, 30);
    ktest_result("process_vm.user_child", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    return ktest_nfail ? 1 : 0;
}
