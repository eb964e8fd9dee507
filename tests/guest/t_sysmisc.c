/* t_sysmisc.c - membarrier(2), rseq(2) (registration checks, cpu_id, the
 * abort of an interrupted critical section), capget(2)/capset(2) and
 * sysinfo(2). Expected values are Linux 6.1's. */
#include "ktest.h"

#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdint.h>
#include <sys/rseq.h>
#include <sys/sysinfo.h>
#include <sys/time.h>

#define BAD_PTR ((void *)0xffff000000001000ul)

/* ---- membarrier -------------------------------------------------------------- */

static long mb(int cmd, unsigned flags, int cpu)
{
    return syscall(SYS_membarrier, cmd, flags, cpu);
}

static int membarrier_child(void *arg)
{
    (void)arg;
    if (mb(8, 0, 0) != -1 || errno != EPERM) /* PRIVATE_EXPEDITED before registering */
        return 10;
    if (mb(16, 0, 0) || mb(8, 0, 0))
        return 11;
    if (mb(32, 0, 0) != -1 || errno != EPERM)
        return 12;
    if (mb(64, 0, 0) || mb(32, 0, 0))
        return 13;
    if (mb(128, 0, 0) != -1 || errno != EPERM)
        return 14;
    if (mb(256, 0, 0) || mb(128, 0, 0) || mb(128, 1, 0))
        return 15;
    return 0;
}

static void t_membarrier(void)
{
    long q = mb(0, 0, 0);
    ktest_result("sysmisc.membarrier_query", q == 0x1ff, "QUERY=%#lx want 0x1ff", q);
    ktest_result("sysmisc.membarrier_global", mb(1, 0, 0) == 0 && mb(2, 0, 0) == 0 && mb(4, 0, 0) == 0,
                 "GLOBAL / GLOBAL_EXPEDITED / REGISTER_GLOBAL_EXPEDITED failed errno=%d", errno);
    int st = ktest_in_child(membarrier_child, NULL, 10);
    ktest_result("sysmisc.membarrier_private_registration", WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "child %s (exit code = failing step)", ktest_wstr(st));
    KTEST_ERRNO("sysmisc.membarrier_bad_cmd_einval", mb(3, 0, 0), EINVAL);
    KTEST_ERRNO("sysmisc.membarrier_bad_cmd2_einval", mb(1024, 0, 0), EINVAL);
    KTEST_ERRNO("sysmisc.membarrier_flags_einval", mb(0, 1, 0), EINVAL);
    KTEST_ERRNO("sysmisc.membarrier_rseq_flags_einval", mb(128, 2, 0), EINVAL);
}

/* ---- rseq ---------------------------------------------------------------------- */

static struct rseq own_rseq __attribute__((aligned(32)));
static struct rseq_cs cs_desc __attribute__((aligned(32)));

void rseq_spin(void);
extern char rseq_cs_start[], rseq_cs_end[], rseq_cs_abort[];
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl rseq_spin, rseq_cs_start, rseq_cs_end, rseq_cs_abort\n"
        "rseq_spin:\n"
        "rseq_cs_start: jmp rseq_cs_start\n"
        "rseq_cs_end:\n"
        ".long 0x53053053\n" /* RSEQ_SIG, just before the abort handler */
        "rseq_cs_abort: ret\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl rseq_spin, rseq_cs_start, rseq_cs_end, rseq_cs_abort\n"
        "rseq_spin:\n"
        "rseq_cs_start: b rseq_cs_start\n"
        "rseq_cs_end:\n"
        ".long 0xd428bc00\n" /* RSEQ_SIG */
        "rseq_cs_abort: ret\n");
#endif

static long rseq_(void *area, uint32_t len, int flags, uint32_t sig)
{
    return syscall(SYS_rseq, area, len, flags, sig);
}

static void h_alarm(int sig)
{
    (void)sig;
}

/* Spin inside a critical section until a signal or a preemption makes the
 * kernel move us to the abort handler. */
static int rseq_abort_child(void *arg)
{
    struct rseq *rs = arg;
    signal(SIGALRM, h_alarm);
    struct itimerval it = {{0, 20000}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    cs_desc.version = 0;
    cs_desc.flags = 0;
    cs_desc.start_ip = (uintptr_t)rseq_cs_start;
    cs_desc.post_commit_offset = (uintptr_t)rseq_cs_end - (uintptr_t)rseq_cs_start;
    cs_desc.abort_ip = (uintptr_t)rseq_cs_abort;
    __atomic_store_n(&rs->rseq_cs, (uint64_t)(uintptr_t)&cs_desc, __ATOMIC_RELAXED);
    rseq_spin(); /* returns only through the abort handler */
    return __atomic_load_n(&rs->rseq_cs, __ATOMIC_RELAXED) == 0 ? 0 : 2;
}

static void t_rseq(void)
{
    struct rseq *rs = (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
    /* glibc 2.36 registers a 32-byte area and reports the 20 bytes it uses */
    ktest_result("sysmisc.rseq_glibc_registered", __rseq_size > 0,
                 "__rseq_size=%u (glibc registers when the kernel has rseq)", __rseq_size);
    if (__rseq_size == 0)
        return;
    int cpu = sched_getcpu();
    ktest_result("sysmisc.rseq_cpu_id", (int)rs->cpu_id == cpu && rs->cpu_id_start == rs->cpu_id,
                 "cpu_id=%d cpu_id_start=%u sched_getcpu=%d", (int)rs->cpu_id, rs->cpu_id_start, cpu);
    KTEST_ERRNO("sysmisc.rseq_again_ebusy", rseq_(rs, 32, 0, RSEQ_SIG), EBUSY);
    KTEST_ERRNO("sysmisc.rseq_again_other_sig_eperm", rseq_(rs, 32, 0, RSEQ_SIG + 1), EPERM);
    KTEST_ERRNO("sysmisc.rseq_again_other_area_einval", rseq_(&own_rseq, 32, 0, RSEQ_SIG), EINVAL);
    KTEST_ERRNO("sysmisc.rseq_again_other_len_einval", rseq_(rs, 64, 0, RSEQ_SIG), EINVAL);
    KTEST_ERRNO("sysmisc.rseq_flags_einval", rseq_(rs, 32, 2, RSEQ_SIG), EINVAL);
    KTEST_ERRNO("sysmisc.rseq_unreg_other_sig_eperm", rseq_(rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG + 1), EPERM);
    KTEST_ERRNO("sysmisc.rseq_unreg_other_area_einval", rseq_(&own_rseq, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG), EINVAL);
    KTEST_ERRNO("sysmisc.rseq_unreg_len_einval", rseq_(rs, 31, RSEQ_FLAG_UNREGISTER, RSEQ_SIG), EINVAL);

    int st = ktest_in_child(rseq_abort_child, rs, 10);
    ktest_result("sysmisc.rseq_critical_section_abort", WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "child %s (killed by SIGALRM: never aborted; exit 2: rseq_cs not cleared)", ktest_wstr(st));

    long r = rseq_(rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
    ktest_result("sysmisc.rseq_unregister", r == 0 && rs->cpu_id == (uint32_t)-1, "r=%ld errno=%d cpu_id=%d", r, errno,
                 (int)rs->cpu_id);
    KTEST_ERRNO("sysmisc.rseq_unreg_twice_einval", rseq_(rs, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG), EINVAL);
    KTEST_ERRNO("sysmisc.rseq_misaligned_einval", rseq_((char *)&own_rseq + 4, 32, 0, RSEQ_SIG), EINVAL);
    KTEST_ERRNO("sysmisc.rseq_len_einval", rseq_(&own_rseq, 31, 0, RSEQ_SIG), EINVAL);
    KTEST_ERRNO("sysmisc.rseq_efault", rseq_(BAD_PTR, 32, 0, RSEQ_SIG), EFAULT);
    own_rseq.cpu_id = (uint32_t)-1;
    r = rseq_(&own_rseq, 32, 0, 0x12345678);
    int ok = r == 0 && (int)own_rseq.cpu_id >= 0 && own_rseq.cpu_id_start == own_rseq.cpu_id;
    long u = rseq_(&own_rseq, 32, RSEQ_FLAG_UNREGISTER, 0x12345678);
    ktest_result("sysmisc.rseq_register_own", ok && u == 0, "register=%ld cpu_id=%d start=%u unregister=%ld", r,
                 (int)own_rseq.cpu_id, own_rseq.cpu_id_start, u);
    r = rseq_(rs, 32, 0, RSEQ_SIG); /* give glibc its area back */
    ktest_result("sysmisc.rseq_reregister", r == 0, "r=%ld errno=%d", r, errno);
}

/* ---- capabilities ---------------------------------------------------------------- */

static long capget_(struct __user_cap_header_struct *h, struct __user_cap_data_struct *d)
{
    return syscall(SYS_capget, h, d);
}

static long capset_(struct __user_cap_header_struct *h, struct __user_cap_data_struct *d)
{
    return syscall(SYS_capset, h, d);
}

static int caps_child(void *arg)
{
    (void)arg;
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    capget_(&h, d);
    d[0].effective &= ~(1u << CAP_NET_RAW);
    if (capset_(&h, d))
        return 10;
    memset(d, 0, sizeof d);
    if (capget_(&h, d) || (d[0].effective & (1u << CAP_NET_RAW)) || !(d[0].permitted & (1u << CAP_NET_RAW)))
        return 11;
    d[0].effective |= 1u << CAP_NET_RAW; /* still permitted: may come back */
    if (capset_(&h, d))
        return 12;
    d[0].permitted &= ~(1u << CAP_NET_RAW);
    if (capset_(&h, d) != -1 || errno != EPERM) /* effective not within permitted */
        return 13;
    d[0].effective &= ~(1u << CAP_NET_RAW);
    if (capset_(&h, d))
        return 14;
    d[0].permitted |= 1u << CAP_NET_RAW;
    if (capset_(&h, d) != -1 || errno != EPERM) /* permitted cannot grow */
        return 15;
    h.pid = getppid();
    if (capset_(&h, d) != -1 || errno != EPERM)
        return 16;
    h.pid = 0;
    if (setresuid(65534, 65534, 65534))
        return 17;
    if (capget_(&h, d) || d[0].effective || d[0].permitted || d[1].effective || d[1].permitted)
        return 18;
    return 0;
}

static void t_caps(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[3];
    memset(d, 0xab, sizeof d);
    long r = capget_(&h, d);
    ktest_result("sysmisc.capget_root_full",
                 r == 0 && d[0].effective == 0xffffffffu && d[0].permitted == 0xffffffffu && d[1].effective == 0x1ff &&
                     d[1].permitted == 0x1ff && d[0].inheritable == 0 && d[2].effective == 0xabababab,
                 "r=%ld eff=%#x:%#x perm=%#x:%#x inh=%#x", r, d[1].effective, d[0].effective, d[1].permitted,
                 d[0].permitted, d[0].inheritable);
    h.version = _LINUX_CAPABILITY_VERSION_1;
    memset(d, 0xab, sizeof d);
    r = capget_(&h, d);
    ktest_result("sysmisc.capget_v1_one_word", r == 0 && d[0].effective == 0xffffffffu && d[1].effective == 0xabababab,
                 "r=%ld second word %#x", r, d[1].effective);
    h.version = 0x12345;
    r = capget_(&h, NULL);
    ktest_result("sysmisc.capget_probe_version", r == 0 && h.version == _LINUX_CAPABILITY_VERSION_3,
                 "r=%ld version written back %#x", r, h.version);
    h.version = 0x12345;
    errno = 0;
    r = capget_(&h, d);
    ktest_result("sysmisc.capget_bad_version_einval", r == -1 && errno == EINVAL && h.version == _LINUX_CAPABILITY_VERSION_3,
                 "r=%ld errno=%d version=%#x", r, errno, h.version);
    h.version = _LINUX_CAPABILITY_VERSION_3;
    h.pid = -1;
    KTEST_ERRNO("sysmisc.capget_neg_pid_einval", capget_(&h, d), EINVAL);
    h.pid = INT_MAX;
    KTEST_ERRNO("sysmisc.capget_no_pid_esrch", capget_(&h, d), ESRCH);
    h.pid = 1;
    r = capget_(&h, d);
    ktest_result("sysmisc.capget_pid1", r == 0 && d[0].permitted == 0xffffffffu, "r=%ld errno=%d", r, errno);
    h.pid = 0;
    KTEST_ERRNO("sysmisc.capget_data_efault", capget_(&h, BAD_PTR), EFAULT);
    KTEST_ERRNO("sysmisc.capget_header_efault", capget_(BAD_PTR, d), EFAULT);
    KTEST_ERRNO("sysmisc.capset_header_efault", capset_(BAD_PTR, d), EFAULT);
    int st = ktest_in_child(caps_child, NULL, 10);
    ktest_result("sysmisc.capset_rules", WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %s (exit code = failing step)",
                 ktest_wstr(st));
}

/* ---- sysinfo --------------------------------------------------------------------- */

static void t_sysinfo(void)
{
    struct sysinfo si;
    memset(&si, 0, sizeof si);
    int r = sysinfo(&si);
    unsigned long memtotal_kb = 0;
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        if (fscanf(f, "MemTotal: %lu kB", &memtotal_kb) != 1)
            memtotal_kb = 0;
        fclose(f);
    }
    unsigned long long total = (unsigned long long)si.totalram * si.mem_unit;
    ktest_result("sysinfo.figures",
                 r == 0 && si.mem_unit >= 1 && total == memtotal_kb * 1024ull && si.freeram > 0 &&
                     si.freeram <= si.totalram && si.procs >= 2 && si.uptime >= 1,
                 "r=%d totalram=%llu (MemTotal %lu kB) freeram=%lu procs=%u uptime=%ld unit=%u", r, total, memtotal_kb,
                 si.freeram, si.procs, si.uptime, si.mem_unit);
    KTEST_ERRNO("sysinfo.efault", syscall(SYS_sysinfo, BAD_PTR), EFAULT);
}

int main(void)
{
    t_membarrier();
    t_rseq();
    t_caps();
    t_sysinfo();
    return 0;
}
