/* The differences CPython's regression tests found (docs/conformance.md),
 * each checked as Linux 6.1 behaves (run on it with
 * tests/guest/run-in-linux-vm.sh):
 * - pipe capacity: F_GETPIPE_SZ / F_SETPIPE_SZ ([fcntl(2)] "Changing the
 *   capacity of a pipe", [pipe(7)] "Pipe capacity", /proc/sys/fs/
 *   pipe-max-size): rounding, the data kept, -EBUSY, -EPERM, -EINVAL;
 * - dnotify: F_NOTIFY ([fcntl(2)] "File and directory change
 *   notification"): the signal per event, one-shot and DN_MULTISHOT, the
 *   end of a request on close, -ENOTDIR, a lone DN_MULTISHOT (CPython's
 *   test_fcntl_64_bit);
 * - pidfd_send_signal() on an open /proc/<pid> directory;
 * - closing every descriptor while reading /proc/self/fd with getdents64
 *   (CPython's _close_open_fds_safe(), test_subprocess's pass_fds): no
 *   entry is skipped when the directory shrinks under the reader. */
#include "ktest.h"

#include <dirent.h>
#include <grp.h>

#define DIR_ "/tmp/t_conform"
#define NOBODY 65534

static long page;

static long pipesz(int fd)
{
    return fcntl(fd, F_GETPIPE_SZ);
}

/* Write len bytes of the pattern starting at *seq; the bytes written. */
static ssize_t put(int fd, size_t len, unsigned *seq)
{
    static unsigned char buf[1 << 17];
    size_t n = len > sizeof buf ? sizeof buf : len;
    ssize_t w;

    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(*seq + i) * 7u + 3u;
    w = write(fd, buf, n);
    if (w > 0)
        *seq += (unsigned)w;
    return w;
}

/* Read len bytes and check they continue the pattern at *seq. */
static int get(int fd, size_t len, unsigned *seq)
{
    static unsigned char buf[1 << 17];

    while (len) {
        ssize_t r = read(fd, buf, len > sizeof buf ? sizeof buf : len);

        if (r <= 0)
            return -1;
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != (unsigned char)((unsigned char)(*seq + i) * 7u + 3u))
                return -2;
        *seq += (unsigned)r;
        len -= (size_t)r;
    }
    return 0;
}

static long read_long(const char *path)
{
    char b[64] = { 0 };
    int fd = open(path, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, b, sizeof b - 1);
    close(fd);
    return n > 0 ? strtol(b, NULL, 10) : -1;
}

static int write_str(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = write(fd, s, strlen(s));
    close(fd);
    return n == (ssize_t)strlen(s) ? 0 : -1;
}

static void t_pipe_size(void)
{
    int p[2], f;
    unsigned wseq = 0, rseq = 0;
    ssize_t total = 0, w;

    if (pipe2(p, O_NONBLOCK)) {
        ktest_result("conform.pipe", 0, "pipe2 errno=%d", errno);
        return;
    }
    KTEST_CHECK("conform.pipe_default_size", pipesz(p[0]) == 16 * page);
    KTEST_CHECK("conform.pipe_size_both_ends", pipesz(p[1]) == 16 * page);
    /* Rounded up to a power of two of pages. */
    KTEST_CHECK("conform.pipe_set_rounds_up", fcntl(p[1], F_SETPIPE_SZ, 2 * page + 1) == 4 * page);
    KTEST_CHECK("conform.pipe_get_after_set", pipesz(p[0]) == 4 * page);
    KTEST_CHECK("conform.pipe_set_zero_is_a_page", fcntl(p[0], F_SETPIPE_SZ, 0) == page);
    /* One page of room: a nonblocking write stops there. */
    w = put(p[1], 3 * page, &wseq);
    KTEST_CHECK("conform.pipe_capacity_one_page", w == page);
    KTEST_ERRNO("conform.pipe_full_eagain", put(p[1], 1, &wseq), EAGAIN);
    /* Shrinking below what is held: EBUSY; growing keeps the data. Writes
     * of whole pages: Linux counts room in pages (a write may leave the
     * rest of a page unused), Kevlar in bytes. */
    KTEST_CHECK("conform.pipe_grow_with_data", fcntl(p[1], F_SETPIPE_SZ, 16 * page) == 16 * page);
    while ((w = put(p[1], page, &wseq)) > 0)
        total += w;
    KTEST_CHECK("conform.pipe_capacity_after_grow", total + page == 16 * page);
    KTEST_ERRNO("conform.pipe_shrink_ebusy", fcntl(p[1], F_SETPIPE_SZ, page), EBUSY);
    /* Move the ring's start, wrap it, then resize: the order survives. */
    KTEST_CHECK("conform.pipe_read_partial", get(p[0], 10 * page + 123, &rseq) == 0);
    total = 0;
    while ((w = put(p[1], page, &wseq)) > 0)
        total += w;
    KTEST_CHECK("conform.pipe_refill_wraps", total == 10 * page);
    KTEST_CHECK("conform.pipe_grow_wrapped", fcntl(p[0], F_SETPIPE_SZ, 32 * page) == 32 * page);
    KTEST_CHECK("conform.pipe_data_kept_in_order", get(p[0], wseq - rseq, &rseq) == 0);
    KTEST_ERRNO("conform.pipe_then_empty", read(p[0], &f, 1), EAGAIN);
    KTEST_CHECK("conform.pipe_shrink_empty", fcntl(p[0], F_SETPIPE_SZ, page) == page);
    KTEST_CHECK("conform.pipe_after_shrink", put(p[1], page, &wseq) == page &&
                                                 get(p[0], page, &rseq) == 0);
    KTEST_ERRNO("conform.pipe_set_above_2g_einval",
                syscall(SYS_fcntl, p[0], F_SETPIPE_SZ, (1UL << 31) + 1), EINVAL);
    close(p[0]);
    close(p[1]);

    f = open("/proc/self/exe", O_RDONLY);
    KTEST_ERRNO("conform.pipe_get_regular_ebadf", fcntl(f, F_GETPIPE_SZ), EBADF);
    KTEST_ERRNO("conform.pipe_set_regular_ebadf", fcntl(f, F_SETPIPE_SZ, page), EBADF);
    close(f);
}

static int pipe_nobody(void *arg)
{
    long max = *(long *)arg;
    int p[2], bad = 0;

    if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
        return 1;
    if (pipe(p))
        return 2;
    if (fcntl(p[0], F_SETPIPE_SZ, max) != max)
        bad |= 4; /* up to the limit is allowed */
    if (fcntl(p[0], F_SETPIPE_SZ, 2 * max) != -1 || errno != EPERM)
        bad |= 8;
    if (open("/proc/sys/fs/pipe-max-size", O_WRONLY) != -1 || errno != EACCES)
        bad |= 16;
    return bad;
}

static void t_pipe_max_size(void)
{
    const char *pms = "/proc/sys/fs/pipe-max-size";
    long def = read_long(pms), max;
    int st, p[2];

    KTEST_CHECK("conform.pipe_max_size_default", def == 1048576);
    /* Written values are rounded as F_SETPIPE_SZ rounds. */
    KTEST_CHECK("conform.pipe_max_size_write", write_str(pms, "65537\n") == 0);
    max = read_long(pms);
    KTEST_CHECK("conform.pipe_max_size_rounded", max == 131072);
    KTEST_CHECK("conform.pipe_max_size_bad_value", write_str(pms, "lots\n") == -1 && errno == EINVAL);
    st = ktest_in_child(pipe_nobody, &max, 20);
    ktest_result("conform.pipe_max_size_nobody", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "%s (bits: 4 set max, 8 EPERM above, 16 EACCES on the file)", ktest_wstr(st));
    /* root may go above it */
    if (pipe(p) == 0) {
        KTEST_CHECK("conform.pipe_root_above_max", fcntl(p[0], F_SETPIPE_SZ, 2 * max) == 2 * max);
        close(p[0]);
        close(p[1]);
    }
    write_str(pms, "1048576");
    KTEST_CHECK("conform.pipe_max_size_restored", read_long(pms) == 1048576);
}

/* Wait up to ms for sig (blocked); 1 if it came. */
static int got_sig(int sig, int ms)
{
    sigset_t s;
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    sigemptyset(&s);
    sigaddset(&s, sig);
    return sigtimedwait(&s, NULL, &ts) == sig;
}

static void t_dnotify(void)
{
    sigset_t s;
    int d, f, d2;

    mkdir(DIR_, 0755);
    sigemptyset(&s);
    sigaddset(&s, SIGIO);
    sigaddset(&s, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    d = open(DIR_, O_RDONLY | O_DIRECTORY);
    f = open(DIR_ "/a", O_RDWR | O_CREAT, 0644);

    KTEST_ERRNO("conform.dnotify_file_enotdir", fcntl(f, F_NOTIFY, DN_CREATE), ENOTDIR);
    /* CPython's test_fcntl_64_bit: a mask that is only DN_MULTISHOT
     * removes nothing and succeeds, on any file. */
    KTEST_CHECK("conform.dnotify_multishot_only",
                syscall(SYS_fcntl, d, F_NOTIFY, (unsigned long)DN_MULTISHOT) == 0);
    KTEST_CHECK("conform.dnotify_multishot_only_file",
                syscall(SYS_fcntl, f, F_NOTIFY, (unsigned long)DN_MULTISHOT) == 0);

    /* One shot: the first creation signals (SIGIO), the second not. */
    KTEST_CHECK("conform.dnotify_create_set", fcntl(d, F_NOTIFY, DN_CREATE) == 0);
    KTEST_CHECK("conform.dnotify_owner_is_caller", fcntl(d, F_GETOWN) == getpid());
    close(open(DIR_ "/b", O_WRONLY | O_CREAT, 0644));
    KTEST_CHECK("conform.dnotify_create_signal", got_sig(SIGIO, 2000));
    close(open(DIR_ "/c", O_WRONLY | O_CREAT, 0644));
    KTEST_CHECK("conform.dnotify_oneshot_ends", !got_sig(SIGIO, 200));

    /* Multishot, F_SETSIG's signal, several kinds of event. */
    KTEST_CHECK("conform.dnotify_setsig", fcntl(d, F_SETSIG, SIGRTMIN + 1) == 0);
    KTEST_CHECK("conform.dnotify_multi_set",
                fcntl(d, F_NOTIFY, DN_DELETE | DN_MODIFY | DN_ATTRIB | DN_RENAME | DN_MULTISHOT) ==
                    0);
    KTEST_CHECK("conform.dnotify_no_event_no_signal", !got_sig(SIGRTMIN + 1, 100));
    unlink(DIR_ "/b");
    KTEST_CHECK("conform.dnotify_delete_signal", got_sig(SIGRTMIN + 1, 2000));
    KTEST_CHECK("conform.dnotify_modify_signal",
                write(f, "x", 1) == 1 && got_sig(SIGRTMIN + 1, 2000));
    /* (the directory's own attributes: Kevlar's VFS does not report a
     * child's attribute changes to its directory yet) */
    KTEST_CHECK("conform.dnotify_attrib_signal",
                fchmod(d, 0750) == 0 && got_sig(SIGRTMIN + 1, 2000));
    /* A rename is two events for dnotify (FS_RENAME, then FS_MOVED_FROM
     * for DN_DELETE): two queued real-time signals. */
    KTEST_CHECK("conform.dnotify_rename_signal",
                rename(DIR_ "/c", DIR_ "/c2") == 0 && got_sig(SIGRTMIN + 1, 2000));
    KTEST_CHECK("conform.dnotify_rename_second_signal", got_sig(SIGRTMIN + 1, 2000));
    KTEST_CHECK("conform.dnotify_multishot_stays",
                write(f, "y", 1) == 1 && got_sig(SIGRTMIN + 1, 2000));
    /* The one-shot DN_CREATE request ended with its signal: this request
     * has no DN_CREATE, so a creation is silent. */
    close(open(DIR_ "/e", O_WRONLY | O_CREAT, 0644));
    KTEST_CHECK("conform.dnotify_mask_kept", !got_sig(SIGRTMIN + 1, 200));
    /* A mask of 0 removes the request. */
    KTEST_CHECK("conform.dnotify_remove", fcntl(d, F_NOTIFY, 0) == 0);
    unlink(DIR_ "/e");
    KTEST_CHECK("conform.dnotify_removed_silent", !got_sig(SIGRTMIN + 1, 200));

    /* Closing a descriptor of the file ends the request. */
    d2 = open(DIR_, O_RDONLY | O_DIRECTORY);
    KTEST_CHECK("conform.dnotify_close_set", fcntl(d2, F_NOTIFY, DN_CREATE | DN_MULTISHOT) == 0);
    close(d2);
    close(open(DIR_ "/g", O_WRONLY | O_CREAT, 0644));
    KTEST_CHECK("conform.dnotify_close_ends", !got_sig(SIGIO, 200));

    close(f);
    close(d);
    unlink(DIR_ "/a");
    unlink(DIR_ "/c2");
    unlink(DIR_ "/g");
    rmdir(DIR_);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* CPython's _close_open_fds_safe(): read /proc/self/fd in small chunks and
 * close each fd as it is listed; every fd must be gone at the end. */
static int close_all_fds(void *arg)
{
    char buf[96]; /* a few entries per call */
    int dfd, left = 0;
    long n;

    (void)arg;
    for (int i = 0; i < 200; i++)
        if (dup2(0, 3 + 2 * i + (i % 3)) < 0)
            return 1;
    dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return 2;
    while ((n = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct linux_dirent64 *e = (void *)(buf + off);
            int fd = atoi(e->d_name);

            if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd > 2 && fd != dfd)
                close(fd);
            off += e->d_reclen;
        }
    }
    if (n < 0)
        return 3;
    close(dfd);
    for (int fd = 3; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            left++;
    return left ? 10 + (left > 100 ? 100 : left) : 0;
}

/* [pidfd_send_signal(2)] takes a /proc/<pid> directory as a pidfd
 * (CPython's test_signal.test_pidfd_send_signal). */
static void t_proc_pidfd(void)
{
    char path[64];
    sigset_t s;
    int d, t, o;

    snprintf(path, sizeof path, "/proc/%d", getpid());
    d = open(path, O_RDONLY | O_DIRECTORY);
    snprintf(path, sizeof path, "/proc/%d/task/%d", getpid(), getpid());
    t = open(path, O_RDONLY | O_DIRECTORY);
    o = open("/tmp", O_RDONLY | O_DIRECTORY);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    KTEST_CHECK("conform.pidfd_proc_dir_sig0", syscall(SYS_pidfd_send_signal, d, 0, NULL, 0) == 0);
    KTEST_CHECK("conform.pidfd_proc_dir_signal",
                syscall(SYS_pidfd_send_signal, d, SIGUSR1, NULL, 0) == 0 && got_sig(SIGUSR1, 2000));
    KTEST_ERRNO("conform.pidfd_proc_dir_bad_flags",
                syscall(SYS_pidfd_send_signal, d, SIGUSR1, NULL, 1), EINVAL);
    KTEST_ERRNO("conform.pidfd_proc_task_dir_ebadf",
                syscall(SYS_pidfd_send_signal, t, 0, NULL, 0), EBADF);
    KTEST_ERRNO("conform.pidfd_other_dir_ebadf", syscall(SYS_pidfd_send_signal, o, 0, NULL, 0),
                EBADF);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    close(d);
    close(t);
    close(o);
}

int main(void)
{
    int st;

    page = sysconf(_SC_PAGESIZE);
    t_pipe_size();
    if (getuid() == 0)
        t_pipe_max_size();
    t_dnotify();
    t_proc_pidfd();
    st = ktest_in_child(close_all_fds, NULL, 30);
    ktest_result("conform.proc_fd_close_while_reading",
                 st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "%s (>= 10: 10 + the fds left open)", ktest_wstr(st));
    return ktest_nfail ? 1 : 0;
}
