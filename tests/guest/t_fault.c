/* t_fault: service containment under fault injection (DESIGN §5,
 * docs/safety-profiles.md, services/faultfs/faultfs.c).
 *
 * Three modes, chosen by the kernel command line and the environment:
 *  - no "faultinject=1" (and on Linux): faultfs must be inert, mount(2)
 *    gives ENODEV.
 *  - "faultinject=1" under a containment profile (/proc/kevlar/services says
 *    "containment 1": Fortress, Balanced): every fault kind is injected
 *    ITERATIONS times, each on a fresh mount. Each faulting call must return
 *    EIO; a later call on the same mount must return EIO at once (the mount is
 *    failed, no lock left held); a second faultfs mount's "lock" file must be
 *    readable (the shared mutex was released); another file system keeps
 *    working; the 64 KiB the "leak" file allocates per call must come back
 *    (/proc/kevlar/services reclaimed_bytes, MemAvailable).
 *  - KTEST_FAULT=<kind> in the environment (a kernel command-line word given
 *    to init): run as PID 1 under Performance/Ludicrous, inject that one fault;
 *    the kernel must panic naming faultfs (the QEMU test expects the panic
 *    line, so reaching the end of this program is the failure).
 *  - KTEST_PROBE=<profile> (Performance, Ludicrous; PID 1, faultinject=1):
 *    the hardening probes that must NOT fault there. "userptr" (the kernel
 *    storing through a user pointer outside usercopy) works, since those
 *    profiles have no SMAP/PAN; under Ludicrous "textwrite" (a store to
 *    kernel text) works too, since it has no W^X. Under Performance
 *    textwrite panics (//tests:fault_panic_<arch>_performance_textwrite).
 *    Prints the KTEST lines and "KTEST END", then powers off.
 * Under Fortress and Balanced userptr and textwrite are two more kinds that
 * must be contained (EIO), like the others.
 */
#include "ktest.h"

#include <sys/mount.h>
#include <sys/reboot.h>

#define ITERATIONS 100
#define LEAK_BYTES (64 * 1024)

static const char *const kinds[] = { "panic", "assert", "nullderef", "wildptr", "undef", "leak",
                                     /* CPU hardening: SMAP/PAN, W^X */
                                     "userptr", "textwrite" };
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static int file_contains(const char *path, const char *needle)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    return strstr(buf, needle) != NULL;
}

/* "name value" from /proc/kevlar/services or "Name: value kB" from
 * /proc/meminfo; -1 if absent. */
static long read_field(const char *path, const char *name)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    size_t len = strlen(name);
    for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, len) == 0 && (p[len] == ' ' || p[len] == ':'))
            return strtol(p + len + 1, NULL, 10);
    }
    return -1;
}

/* Inject kind on the mount at dir: 0 if the call failed with EIO. */
static int inject(const char *dir, const char *kind)
{
    char path[256];
    char c = 'x';
    int leak = strcmp(kind, "leak") == 0;
    snprintf(path, sizeof path, "%s/%s", dir, kind);
    int fd = open(path, leak ? O_WRONLY : O_RDONLY);
    if (fd < 0)
        return -2;
    ssize_t r = leak ? write(fd, &c, 1) : read(fd, &c, 1);
    int e = errno;
    close(fd);
    return r == -1 && e == EIO ? 0 : -1;
}

static volatile sig_atomic_t alarmed;
static void on_alarm(int sig)
{
    (void)sig;
    alarmed = 1;
}

/* Read dir/lock with a watchdog: 1 if it said "unlocked", 0 if it failed
 * with EIO, -1 otherwise (-2 if it hung: a lock stayed held). */
static int read_lock(const char *dir)
{
    char path[256], buf[32] = { 0 };
    snprintf(path, sizeof path, "%s/lock", dir);
    alarmed = 0;
    alarm(10);
    int fd = open(path, O_RDONLY);
    ssize_t n = -1;
    int e = errno;
    if (fd >= 0) {
        n = read(fd, buf, sizeof buf - 1);
        e = errno;
        close(fd);
    }
    alarm(0);
    if (alarmed)
        return -2;
    if (n > 0 && strcmp(buf, "unlocked\n") == 0)
        return 1;
    return (n < 0 && e == EIO) ? 0 : -1;
}

static int other_fs_works(void)
{
    char buf[64] = { 0 };
    int fd = open("other_fs_probe", O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (fd < 0)
        return 0;
    int ok = write(fd, "still here", 10) == 10 && pread(fd, buf, sizeof buf, 0) == 10 &&
             memcmp(buf, "still here", 10) == 0;
    close(fd);
    unlink("other_fs_probe");
    return ok;
}

static void run_contained(void)
{
    struct sigaction sa = { .sa_handler = on_alarm };
    sigaction(SIGALRM, &sa, NULL);
    mkdir("a", 0755);
    mkdir("b", 0755);

    long contained0 = read_field("/proc/kevlar/services", "contained");
    long reclaimed0 = read_field("/proc/kevlar/services", "reclaimed_bytes");
    long avail0 = read_field("/proc/meminfo", "MemAvailable");

    for (size_t k = 0; k < NKINDS; k++) {
        const char *kind = kinds[k];
        int eio = 0, after_eio = 0, umounted = 0, first_err = 0;
        char name[96];

        for (int i = 0; i < ITERATIONS; i++) {
            if (mount("none", "a", "faultfs", 0, NULL) != 0) {
                if (!first_err)
                    first_err = errno;
                continue;
            }
            if (inject("a", kind) == 0)
                eio++;
            if (read_lock("a") == 0)
                after_eio++;
            if (umount("a") == 0)
                umounted++;
            else if (!first_err)
                first_err = errno;
        }
        snprintf(name, sizeof name, "fault.%s_x%d_eio", kind, ITERATIONS);
        ktest_result(name, eio == ITERATIONS, "%d of %d injections returned EIO (mount errno %d)",
                     eio, ITERATIONS, first_err);
        snprintf(name, sizeof name, "fault.%s_mount_then_failed", kind);
        ktest_result(name, after_eio == ITERATIONS,
                     "%d of %d later calls on the failed mount returned EIO promptly", after_eio,
                     ITERATIONS);
        snprintf(name, sizeof name, "fault.%s_umount", kind);
        ktest_result(name, umounted == ITERATIONS, "%d of %d umounts succeeded (errno %d)",
                     umounted, ITERATIONS, first_err);

        /* A fresh instance works, and the mutex shared by all faultfs
         * instances is free (the "leak" file faults holding it). */
        int lock = -1;
        if (mount("none", "b", "faultfs", 0, NULL) == 0) {
            lock = read_lock("b");
            umount("b");
        }
        snprintf(name, sizeof name, "fault.%s_lock_released", kind);
        ktest_result(name, lock == 1, "read of a fresh mount's lock file: %d (-2: hung)", lock);
        snprintf(name, sizeof name, "fault.%s_other_fs_ok", kind);
        ktest_result(name, other_fs_works(), "tmpfs read/write after the faults failed");
    }

    long contained1 = read_field("/proc/kevlar/services", "contained");
    long reclaimed1 = read_field("/proc/kevlar/services", "reclaimed_bytes");
    long avail1 = read_field("/proc/meminfo", "MemAvailable");
    long want = (long)(NKINDS * ITERATIONS);
    ktest_result("fault.contained_count", contained1 - contained0 >= want,
                 "contained went %ld -> %ld, want +%ld", contained0, contained1, want);
    ktest_result("fault.leak_reclaimed", reclaimed1 - reclaimed0 >= (long)ITERATIONS * LEAK_BYTES,
                 "reclaimed_bytes went %ld -> %ld, want +%ld", reclaimed0, reclaimed1,
                 (long)ITERATIONS * LEAK_BYTES);
    /* 100 leaks of 64 KiB would be 6400 kB; allow 1 MiB of noise. */
    ktest_result("fault.memavailable_stable", avail0 > 0 && avail1 > 0 && avail0 - avail1 < 1024,
                 "MemAvailable %ld kB -> %ld kB", avail0, avail1);
}

/* read(2) of dir/name: 0 at EOF, else -errno (or 1 if it returned data). */
static int read_result(const char *dir, const char *name)
{
    char path[256], c;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, &c, 1);
    int e = errno;
    close(fd);
    return n < 0 ? -e : n > 0 ? 1 : 0;
}

/* Capability tokens (<kernel/cap.h>): a service's own token buys a page; a
 * forged one, or one of an instance already torn down, is refused with EPERM
 * under Fortress (run-time tokens) and counted in cap_refused. Under Balanced
 * a token carries no value, so there is nothing to forge (EOPNOTSUPP); its
 * typing is proven at compile time (//tests:cap_wrong_kind_profiles). */
static void run_caps(void)
{
    int fortress = file_contains("/proc/version", " fortress");
    long refused0 = read_field("/proc/kevlar/services", "cap_refused");
    int good = -1, forged = -1, stale = -1;

    if (mount("none", "a", "faultfs", 0, NULL) == 0)
        umount("a"); /* an instance whose token is now stale */
    if (mount("none", "b", "faultfs", 0, NULL) == 0) {
        good = read_result("b", "goodcap");
        forged = read_result("b", "forgecap");
        stale = read_result("b", "stalecap");
        umount("b");
    }
    long refused1 = read_field("/proc/kevlar/services", "cap_refused");
    int want = fortress ? -EPERM : -EOPNOTSUPP;
    ktest_result("cap.own_token_accepted", good == 0, "goodcap read: %d", good);
    ktest_result("cap.forged_token_refused", forged == want, "forgecap read: %d, want %d (%s)",
                 forged, want, fortress ? "fortress" : "no run-time tokens");
    ktest_result("cap.stale_token_refused", stale == want, "stalecap read: %d, want %d", stale,
                 want);
    ktest_result("cap.refusals_counted", refused1 - refused0 == (fortress ? 2 : 0),
                 "cap_refused %ld -> %ld", refused0, refused1);

    /* The block token (cap_block_t): reading sector 0 of /dev/vda through
     * the block layer (<kernel/blkdev.h>) as faultfs. */
    int have_disk = access("/dev/vda", F_OK) == 0;
    good = forged = stale = -1;
    if (mount("none", "a", "faultfs", 0, NULL) == 0)
        umount("a");
    if (mount("none", "b", "faultfs", 0, NULL) == 0) {
        good = read_result("b", "goodblk");
        forged = read_result("b", "forgeblk");
        stale = read_result("b", "staleblk");
        umount("b");
    }
    long refused2 = read_field("/proc/kevlar/services", "cap_refused");
    ktest_result("cap.block_own_token_accepted", good == (have_disk ? 0 : -ENODEV),
                 "goodblk read: %d (disk %s)", good, have_disk ? "vda" : "none");
    ktest_result("cap.block_forged_token_refused", forged == want,
                 "forgeblk read: %d, want %d", forged, want);
    ktest_result("cap.block_stale_token_refused", stale == want, "staleblk read: %d, want %d",
                 stale, want);
    ktest_result("cap.block_refusals_counted", refused2 - refused1 == (fortress ? 2 : 0),
                 "cap_refused %ld -> %ld", refused1, refused2);
}

/* PID 1 under Performance/Ludicrous: the first fault must panic the kernel. */
static int run_expect_panic(const char *kind)
{
    printf("t_fault: injecting '%s' into faultfs; the kernel must panic now\n", kind);
    fflush(stdout);
    if (mount("none", "/mnt", "faultfs", 0, NULL) != 0) {
        printf("KTEST FAIL fault.%s_panics mount faultfs: %s\n", kind, strerror(errno));
        return 1;
    }
    int r = inject("/mnt", kind);
    printf("KTEST FAIL fault.%s_panics the kernel survived (inject %d, errno %s)\n", kind, r,
           strerror(errno));
    return 1;
}

/* Read 1 byte of dir/name into a buffer the caller just wrote (so its page
 * is present and private): the byte read, or -errno. */
static int probe(const char *dir, const char *name)
{
    char path[256];
    volatile char c = 'x';
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -errno;
    c = 'x';
    ssize_t r = read(fd, (char *)&c, 1);
    int e = errno;
    close(fd);
    if (r != 1)
        return r < 0 ? -e : -1000 - (int)r;
    return c;
}

/* PID 1 under Performance/Ludicrous: the probes that must not fault. */
static int run_probes(const char *profile)
{
    int ludicrous = strcmp(profile, "ludicrous") == 0;
    int n = 0;

    mkdir("/mnt", 0755);
    if (mount("none", "/mnt", "faultfs", 0, NULL) != 0) {
        ktest_result("fault.probe_mount", 0, "mount faultfs: %s", strerror(errno));
        n++;
    } else {
        int r = probe("/mnt", "userptr");
        ktest_result("fault.userptr_no_smap_pan", r == 'u',
                     "a kernel store through a user pointer gave %d, want 'u' (no SMAP/PAN in %s)",
                     r, profile);
        n++;
        if (ludicrous) {
            r = probe("/mnt", "textwrite");
            ktest_result("fault.textwrite_no_wx", r == 'w',
                         "a kernel store to its text gave %d, want 'w' (no W^X in ludicrous)", r);
            n++;
        }
    }
    printf("KTEST END total=%d\n", n);
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    return 1;
}

int main(void)
{
    const char *kind = getenv("KTEST_FAULT");
    if (kind && *kind)
        return run_expect_panic(kind);
    const char *probe_profile = getenv("KTEST_PROBE");
    if (probe_profile && *probe_profile)
        return run_probes(probe_profile);

    if (ktest_enter_scratch("t_fault") != 0) {
        ktest_result("fault.scratch", 0, "cannot enter scratch dir: %s", strerror(errno));
        return 1;
    }
    int armed = file_contains("/proc/cmdline", "faultinject=1");
    if (!armed) {
        mkdir("m", 0755);
        KTEST_ERRNO("fault.faultfs_inert_without_faultinject", mount("none", "m", "faultfs", 0, NULL),
                    ENODEV);
        return ktest_nfail != 0;
    }
    if (!file_contains("/proc/kevlar/services", "containment 1")) {
        /* Performance/Ludicrous with faultinject=1: every fault panics; the
         * panic tests (//tests:fault_panic_*) and the probes
         * (//tests:hardening_probe_*) cover it. */
        printf("t_fault: no containment in this profile; not injecting\n");
        return 0;
    }
    run_contained();
    run_caps();
    return ktest_nfail != 0;
}
