/* t_fd.c - descriptors: pipes, dup/fcntl, poll/select, bad fds and
 * pointers, character devices, and the console TTY. */
#include "ktest.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <termios.h>

static void t_pipes(void)
{
    int p[2] = {-1, -1};
    int r = pipe2(p, 0);
    ssize_t w = write(p[1], "hello", 5);
    char buf[16] = {0};
    ssize_t n = read(p[0], buf, sizeof buf);
    ktest_result("fd.pipe2_write_read", r == 0 && w == 5 && n == 5 && !memcmp(buf, "hello", 5),
                 "pipe2=%d write=%zd read=%zd", r, w, n);

    int avail = -1;
    write(p[1], "1234567", 7);
    r = ioctl(p[0], FIONREAD, &avail);
    ktest_result("fd.pipe_fionread", r == 0 && avail == 7, "ioctl=%d avail=%d", r, avail);
    read(p[0], buf, sizeof buf);

    /* F_GETFL / F_SETFL O_NONBLOCK */
    int fl = fcntl(p[0], F_GETFL);
    int acc_ok = fl >= 0 && (fl & O_ACCMODE) == O_RDONLY && !(fl & O_NONBLOCK);
    int wfl = fcntl(p[1], F_GETFL);
    acc_ok = acc_ok && wfl >= 0 && (wfl & O_ACCMODE) == O_WRONLY;
    ktest_result("fd.fcntl_getfl_pipe", acc_ok, "read end flags=%#x write end flags=%#x", fl, wfl);
    r = fcntl(p[0], F_SETFL, fl | O_NONBLOCK);
    int fl2 = fcntl(p[0], F_GETFL);
    ktest_result("fd.fcntl_setfl_nonblock", r == 0 && (fl2 & O_NONBLOCK), "setfl=%d flags=%#x", r, fl2);
    KTEST_ERRNO("fd.nonblock_empty_pipe_eagain", read(p[0], buf, sizeof buf), EAGAIN);
    fcntl(p[0], F_SETFL, fl);

    /* FD_CLOEXEC */
    int g0 = fcntl(p[0], F_GETFD);
    int s = fcntl(p[0], F_SETFD, FD_CLOEXEC);
    int g1 = fcntl(p[0], F_GETFD);
    fcntl(p[0], F_SETFD, 0);
    int g2 = fcntl(p[0], F_GETFD);
    ktest_result("fd.fcntl_getfd_setfd", g0 == 0 && s == 0 && g1 == FD_CLOEXEC && g2 == 0,
                 "before=%d set=%d after=%d cleared=%d", g0, s, g1, g2);

    int d = fcntl(p[1], F_DUPFD, 50);
    int dc = fcntl(p[1], F_DUPFD_CLOEXEC, 50);
    w = write(d, "x", 1);
    n = read(p[0], buf, 1);
    ktest_result("fd.fcntl_dupfd", d >= 50 && dc > d && fcntl(d, F_GETFD) == 0 &&
                                       fcntl(dc, F_GETFD) == FD_CLOEXEC && w == 1 && n == 1,
                 "F_DUPFD=%d F_DUPFD_CLOEXEC=%d", d, dc);
    close(d);
    close(dc);

    int d3 = dup3(p[1], 60, O_CLOEXEC);
    w = write(60, "y", 1);
    n = read(p[0], buf, 1);
    ktest_result("fd.dup3_cloexec", d3 == 60 && fcntl(60, F_GETFD) == FD_CLOEXEC && w == 1 && n == 1 &&
                                        buf[0] == 'y',
                 "dup3=%d getfd=%d", d3, fcntl(60, F_GETFD));
    KTEST_ERRNO("fd.dup3_same_fd_einval", dup3(60, 60, 0), EINVAL);
    close(60);

    /* dup returns the lowest free descriptor */
    int lo = dup(p[0]);
    close(lo);
    int lo2 = dup(p[1]);
    ktest_result("fd.dup_lowest", lo >= 0 && lo2 == lo, "dup=%d then %d", lo, lo2);
    close(lo2);

    /* EOF once every write end is closed */
    close(p[1]);
    n = read(p[0], buf, sizeof buf);
    ktest_result("fd.pipe_eof", n == 0, "read after writer closed returned %zd", n);
    close(p[0]);

    /* EPIPE when no reader (SIGPIPE ignored) */
    pipe(p);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    KTEST_ERRNO("fd.pipe_epipe", write(p[1], "z", 1), EPIPE);
    signal(SIGPIPE, SIG_DFL);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10);
        write(p[1], "z", 1);
        _exit(0);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    ktest_result("fd.pipe_sigpipe_kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "child %s",
                 ktest_wstr(st));
    close(p[1]);

    /* bulk transfer larger than the pipe buffer: writer blocks, reader drains */
    pipe(p);
    enum { TOTAL = 512 * 1024 };
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        alarm(30);
        unsigned char chunk[3000];
        size_t sent = 0;
        while (sent < TOTAL) {
            size_t len = TOTAL - sent < sizeof chunk ? TOTAL - sent : sizeof chunk;
            for (size_t i = 0; i < len; i++)
                chunk[i] = (unsigned char)((sent + i) * 7 + 3);
            ssize_t k = write(p[1], chunk, len);
            if (k <= 0)
                _exit(1);
            sent += (size_t)k;
        }
        _exit(0);
    }
    close(p[1]);
    size_t got = 0;
    int mismatch = 0;
    unsigned char rb[4096];
    for (;;) {
        ssize_t k = read(p[0], rb, sizeof rb);
        if (k <= 0)
            break;
        for (ssize_t i = 0; i < k; i++)
            if (rb[i] != (unsigned char)((got + (size_t)i) * 7 + 3))
                mismatch++;
        got += (size_t)k;
    }
    close(p[0]);
    waitpid(pid, &st, 0);
    ktest_result("fd.pipe_bulk_512k", got == TOTAL && !mismatch && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "got=%zu mismatches=%d writer %s", got, mismatch, ktest_wstr(st));

    int q[2];
    r = pipe2(q, O_CLOEXEC | O_NONBLOCK);
    ktest_result("fd.pipe2_flags", r == 0 && fcntl(q[0], F_GETFD) == FD_CLOEXEC &&
                                       fcntl(q[1], F_GETFD) == FD_CLOEXEC &&
                                       (fcntl(q[0], F_GETFL) & O_NONBLOCK),
                 "pipe2(O_CLOEXEC|O_NONBLOCK)=%d", r);
    close(q[0]);
    close(q[1]);
}

static void t_poll(void)
{
    int p[2];
    pipe(p);
    struct pollfd pf = {p[0], POLLIN, 0};
    int r = poll(&pf, 1, 0);
    ktest_result("fd.poll_empty_timeout0", r == 0 && pf.revents == 0, "poll=%d revents=%#x", r, pf.revents);

    double t0 = ktest_now(CLOCK_MONOTONIC);
    r = poll(&pf, 1, 50);
    double el = ktest_now(CLOCK_MONOTONIC) - t0;
    ktest_result("fd.poll_timeout_50ms", r == 0 && el >= 0.045 && el < 5.0, "poll=%d elapsed=%.3fs", r, el);

    struct pollfd pw = {p[1], POLLOUT, 0};
    r = poll(&pw, 1, 0);
    ktest_result("fd.poll_pipe_writable", r == 1 && (pw.revents & POLLOUT), "poll=%d revents=%#x", r, pw.revents);

    write(p[1], "a", 1);
    pf.revents = 0;
    r = poll(&pf, 1, 1000);
    ktest_result("fd.poll_readable", r == 1 && (pf.revents & POLLIN), "poll=%d revents=%#x", r, pf.revents);

    struct timespec ts0 = {0, 0};
    pf.revents = 0;
    r = ppoll(&pf, 1, &ts0, NULL);
    ktest_result("fd.ppoll_readable", r == 1 && (pf.revents & POLLIN), "ppoll=%d revents=%#x", r, pf.revents);
    char c;
    read(p[0], &c, 1);
    pf.revents = 0;
    struct timespec ts20 = {0, 20 * 1000 * 1000};
    t0 = ktest_now(CLOCK_MONOTONIC);
    r = ppoll(&pf, 1, &ts20, NULL);
    el = ktest_now(CLOCK_MONOTONIC) - t0;
    ktest_result("fd.ppoll_timeout", r == 0 && el >= 0.018 && el < 5.0, "ppoll=%d elapsed=%.3fs", r, el);

    /* pselect6 (raw: 6th argument is {sigset*, size}) */
    fd_set rf;
    FD_ZERO(&rf);
    FD_SET(p[0], &rf);
    struct timespec tz = {0, 0};
    long sr = syscall(SYS_pselect6, p[0] + 1, &rf, NULL, NULL, &tz, NULL);
    ktest_result("fd.pselect6_empty", sr == 0 && !FD_ISSET(p[0], &rf), "pselect6=%ld", sr);
    write(p[1], "b", 1);
    FD_ZERO(&rf);
    FD_SET(p[0], &rf);
    tz.tv_sec = 1;
    tz.tv_nsec = 0;
    sr = syscall(SYS_pselect6, p[0] + 1, &rf, NULL, NULL, &tz, NULL);
    ktest_result("fd.pselect6_readable", sr == 1 && FD_ISSET(p[0], &rf), "pselect6=%ld", sr);
    read(p[0], &c, 1);
    FD_ZERO(&rf);
    FD_SET(p[0], &rf);
    struct timespec t30 = {0, 30 * 1000 * 1000};
    t0 = ktest_now(CLOCK_MONOTONIC);
    sr = syscall(SYS_pselect6, p[0] + 1, &rf, NULL, NULL, &t30, NULL);
    el = ktest_now(CLOCK_MONOTONIC) - t0;
    ktest_result("fd.pselect6_timeout", sr == 0 && el >= 0.027 && el < 5.0, "pselect6=%ld elapsed=%.3fs", sr, el);

    /* POLLHUP once the writer is gone */
    close(p[1]);
    pf.revents = 0;
    r = poll(&pf, 1, 1000);
    ktest_result("fd.poll_hup", r == 1 && (pf.revents & POLLHUP), "poll=%d revents=%#x", r, pf.revents);
    close(p[0]);

    /* a blocked poll is woken by a write from another process */
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(50000);
        write(p[1], "w", 1);
        _exit(0);
    }
    pf.fd = p[0];
    pf.revents = 0;
    r = poll(&pf, 1, 10000);
    waitpid(pid, NULL, 0);
    ktest_result("fd.poll_wakeup_by_writer", r == 1 && (pf.revents & POLLIN), "poll=%d revents=%#x", r, pf.revents);
    close(p[0]);
    close(p[1]);

    struct pollfd bad = {999, POLLIN, 0};
    r = poll(&bad, 1, 0);
    ktest_result("fd.poll_bad_fd_pollnval", r == 1 && (bad.revents & POLLNVAL), "poll=%d revents=%#x", r, bad.revents);
}

static void t_errors(void)
{
    KTEST_ERRNO("fd.close_ebadf", close(999), EBADF);
    char buf[16];
    KTEST_ERRNO("fd.read_ebadf", read(999, buf, 1), EBADF);
    KTEST_ERRNO("fd.write_negative_fd_ebadf", write(-1, "x", 1), EBADF);
    KTEST_ERRNO("fd.dup_ebadf", dup(999), EBADF);
    KTEST_ERRNO("fd.fcntl_ebadf", fcntl(999, F_GETFD), EBADF);

    int fd = open("ro.txt", O_CREAT | O_TRUNC | O_WRONLY, 0644);
    write(fd, "data", 4);
    KTEST_ERRNO("fd.read_on_wronly_ebadf", read(fd, buf, 1), EBADF);
    close(fd);
    fd = open("ro.txt", O_RDONLY);
    KTEST_ERRNO("fd.write_on_rdonly_ebadf", write(fd, "x", 1), EBADF);
    KTEST_ERRNO("fd.read_bad_ptr_efault", read(fd, ktest_ptr(1), 4), EFAULT);
    KTEST_ERRNO("fd.ioctl_tcgets_on_file_enotty", ({
                    struct termios t;
                    tcgetattr(fd, &t);
                }),
                ENOTTY);
    close(fd);

    int p[2];
    pipe(p);
    KTEST_ERRNO("fd.write_bad_ptr_efault", write(p[1], ktest_ptr(1), 4), EFAULT);
    KTEST_ERRNO("fd.write_kernel_ptr_efault", write(p[1], ktest_ptr(0xffff800000000000UL), 4), EFAULT);
    write(p[1], "abcd", 4);
    KTEST_ERRNO("fd.read_kernel_ptr_efault", read(p[0], ktest_ptr(0xffff800000000000UL), 4), EFAULT);
    close(p[0]);
    close(p[1]);

    fd = open("rw.txt", O_CREAT | O_TRUNC | O_RDWR, 0644);
    KTEST_ERRNO("fd.pwrite_negative_offset_einval", pwrite(fd, "x", 1, -1), EINVAL);
    KTEST_ERRNO("fd.lseek_on_pipe_espipe", ({
                    int pp[2];
                    pipe(pp);
                    off_t o = lseek(pp[0], 0, SEEK_SET);
                    int e = errno;
                    close(pp[0]);
                    close(pp[1]);
                    errno = e;
                    o;
                }),
                ESPIPE);
    close(fd);
}

static void t_devices(void)
{
    char buf[4096];
    int fd = open("/dev/null", O_RDWR);
    ssize_t w = write(fd, "discard", 7);
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    ktest_result("fd.dev_null", fd >= 0 && w == 7 && n == 0, "open=%d write=%zd read=%zd", fd, w, n);

    fd = open("/dev/zero", O_RDONLY);
    memset(buf, 0xAA, sizeof buf);
    n = read(fd, buf, sizeof buf);
    int zeros = 1;
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i])
            zeros = 0;
    close(fd);
    ktest_result("fd.dev_zero", fd >= 0 && n == (ssize_t)sizeof buf && zeros, "open=%d read=%zd zeros=%d", fd, n, zeros);

    fd = open("/dev/full", O_WRONLY);
    KTEST_ERRNO("fd.dev_full_enospc", write(fd, "x", 1), ENOSPC);
    close(fd);

    fd = open("/dev/urandom", O_RDONLY);
    unsigned char a[32], b[32];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    ssize_t na = read(fd, a, sizeof a), nb = read(fd, b, sizeof b);
    close(fd);
    int nz = 0;
    for (size_t i = 0; i < sizeof a; i++)
        nz |= a[i];
    ktest_result("fd.dev_urandom", fd >= 0 && na == 32 && nb == 32 && nz && memcmp(a, b, 32) != 0,
                 "open=%d reads=%zd,%zd", fd, na, nb);

    struct stat st;
    int r = stat("/dev/null", &st);
    ktest_result("fd.dev_null_is_chr", r == 0 && S_ISCHR(st.st_mode), "stat=%d mode=%o", r, st.st_mode);
}

static void t_tty(void)
{
    int guest = ktest_is_guest();
    if (guest)
        ktest_result("tty.isatty", isatty(0) && isatty(1),
                     "console is not a tty: isatty(0)=%d isatty(1)=%d", isatty(0), isatty(1));
    if (!isatty(0))
        return;
    struct termios t;
    int r = ioctl(0, TCGETS, &t);
    ktest_result("tty.tcgets", r == 0, "ioctl(0, TCGETS)=%d errno=%d", r, errno);
    struct winsize ws;
    r = ioctl(0, TIOCGWINSZ, &ws);
    ktest_result("tty.tiocgwinsz", r == 0, "ioctl(0, TIOCGWINSZ)=%d errno=%d", r, errno);
    r = ioctl(0, TCSETS, &t);
    ktest_result("tty.tcsets_same", r == 0, "ioctl(0, TCSETS)=%d errno=%d", r, errno);

    /* Process groups: a new session has no controlling terminal (TIOCGPGRP
     * fails with ENOTTY); after TIOCSCTTY the tty's foreground group is the
     * session's. TIOCSCTTY(force=1) may steal the tty, so only do this in
     * the guest (or a throwaway pty: KTEST_PTY=1). */
    const char *pty = getenv("KTEST_PTY");
    if (!guest && !(pty && !strcmp(pty, "1")))
        return;
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10);
        if (setsid() < 0)
            _exit(1);
        pid_t pg = -1;
        if (ioctl(0, TIOCGPGRP, &pg) != -1 || errno != ENOTTY)
            _exit(2);
        if (ioctl(0, TIOCSCTTY, 1) != 0)
            _exit(3);
        pg = -1;
        if (ioctl(0, TIOCGPGRP, &pg) != 0 || pg != getpid())
            _exit(4);
        pid_t sid = -1;
        if (ioctl(0, TIOCGSID, &sid) != 0 || sid != getpid())
            _exit(5);
        /* give the tty up again; ignore the SIGHUP that may come with it */
        signal(SIGHUP, SIG_IGN);
        ioctl(0, TIOCNOTTY);
        _exit(0);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    ktest_result("tty.tiocgpgrp_session", WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "%s (1:setsid 2:TIOCGPGRP without ctty not ENOTTY 3:TIOCSCTTY 4:TIOCGPGRP 5:TIOCGSID)",
                 ktest_wstr(st));
}

/* [proc(5)] /proc/self/fd/<n> opens what the descriptor refers to: the same
 * pipe (a new end of it, as bash's process substitution uses through /dev/fd),
 * and a file even after it was unlinked. */
static void t_proc_fd_reopen(void)
{
    char path[64], buf[16] = { 0 };
    int p[2], r, w, fd, fd2;

    if (pipe(p) != 0) {
        ktest_result("fd.proc_fd_pipe_read", 0, "pipe errno=%d", errno);
        return;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    r = open(path, O_RDONLY);
    KTEST_CHECK("fd.proc_fd_pipe_read", r >= 0 && write(p[1], "ab", 2) == 2 &&
                                            read(r, buf, sizeof buf) == 2 && !memcmp(buf, "ab", 2));
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    w = open(path, O_WRONLY);
    close(p[1]);
    KTEST_CHECK("fd.proc_fd_pipe_write", w >= 0 && write(w, "cd", 2) == 2 &&
                                             read(p[0], buf, sizeof buf) == 2 && !memcmp(buf, "cd", 2));
    close(w);
    KTEST_CHECK("fd.proc_fd_pipe_eof", read(p[0], buf, sizeof buf) == 0);
    close(p[0]);
    if (r >= 0)
        close(r);

    fd = open("proc_fd_unlinked", O_RDWR | O_CREAT | O_TRUNC, 0600);
    KTEST_CHECK("fd.proc_fd_unlinked_setup", fd >= 0 && write(fd, "xyz", 3) == 3 &&
                                                 unlink("proc_fd_unlinked") == 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    fd2 = open(path, O_RDONLY);
    memset(buf, 0, sizeof buf);
    KTEST_CHECK("fd.proc_fd_unlinked_reopen", fd2 >= 0 && read(fd2, buf, sizeof buf) == 3 &&
                                                  !memcmp(buf, "xyz", 3));
    KTEST_ERRNO("fd.proc_fd_bad", open("/proc/self/fd/999", O_RDONLY), ENOENT);
    if (fd2 >= 0)
        close(fd2);
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    umask(022);
    if (ktest_enter_scratch("t_fd") != 0)
        ktest_result("fd.scratch_dir", 0, "cannot enter scratch dir errno=%d", errno);
    t_pipes();
    t_poll();
    t_errors();
    t_devices();
    t_tty();
    t_proc_fd_reopen();
    return 0;
}
