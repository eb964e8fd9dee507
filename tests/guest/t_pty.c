/* t_pty.c - Unix 98 pseudo-terminals [pty(7)]: devpts at /dev/pts,
 * posix_openpt/grantpt/unlockpt/ptsname, TIOCGPTN/TIOCSPTLCK/TIOCGPTPEER,
 * the line discipline on the slave (echo, ONLCR, canonical editing, raw
 * mode), ^C to the slave's foreground group, SIGWINCH, SIGTTIN for a
 * background reader, and the hangup when the master closes. On Linux the
 * test mounts devpts itself when /dev/pts is not one. */
#include "ktest.h"

#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <dirent.h>
#include <termios.h>

#define DEVPTS_SUPER_MAGIC 0x1cd1

/* Read from fd until want appears in what was read or 10 s pass; returns
 * the bytes read (NUL-terminated in buf). */
static size_t read_until(int fd, char *buf, size_t cap, const char *want)
{
    size_t have = 0;
    buf[0] = 0;
    for (int tries = 0; tries < 1000 && !strstr(buf, want); tries++) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 10) <= 0)
            continue;
        ssize_t n = read(fd, buf + have, cap - 1 - have);
        if (n < 0 && errno == EIO) { /* no slave open yet: the child is opening it */
            usleep(10000);
            continue;
        }
        if (n <= 0)
            break;
        have += (size_t)n;
        buf[have] = 0;
    }
    return have;
}

/* Drain what the master has now (echo the test does not look at). */
static void drain(int fd)
{
    char buf[256];
    struct pollfd p = { .fd = fd, .events = POLLIN };
    while (poll(&p, 1, 50) > 0 && (p.revents & POLLIN) && read(fd, buf, sizeof buf) > 0)
        ;
}

static int open_pair(int *master, int *slave, int *index)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0)
        return -1;
    if (grantpt(m) || unlockpt(m) || ioctl(m, TIOCGPTN, index)) {
        close(m);
        return -1;
    }
    int s = open(ptsname(m), O_RDWR | O_NOCTTY);
    if (s < 0) {
        close(m);
        return -1;
    }
    *master = m;
    *slave = s;
    return 0;
}

static void t_devpts(void)
{
    struct statfs sfs;
    if (statfs("/dev/pts", &sfs) != 0 || sfs.f_type != DEVPTS_SUPER_MAGIC) {
        mkdir("/dev/pts", 0755);
        mount("devpts", "/dev/pts", "devpts", 0, "");
    }
    KTEST_CHECK("pty.devpts_magic", statfs("/dev/pts", &sfs) == 0 && sfs.f_type == DEVPTS_SUPER_MAGIC);
    struct stat st;
    KTEST_CHECK("pty.ptmx_node", stat("/dev/ptmx", &st) == 0 && S_ISCHR(st.st_mode) &&
                                     major(st.st_rdev) == 5 && minor(st.st_rdev) == 2);
    KTEST_CHECK("pty.devpts_ptmx_node", stat("/dev/pts/ptmx", &st) == 0 && S_ISCHR(st.st_mode) &&
                                            st.st_rdev == makedev(5, 2));
}

static void t_open(void)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    KTEST_CHECK("pty.posix_openpt", m >= 0);
    if (m < 0)
        return;
    int idx = -1;
    KTEST_CHECK("pty.tiocgptn", ioctl(m, TIOCGPTN, &idx) == 0 && idx >= 0);
    char want[32];
    snprintf(want, sizeof want, "/dev/pts/%d", idx);
    const char *name = ptsname(m);
    ktest_result("pty.ptsname", name && !strcmp(name, want), "ptsname %s, want %s", name ? name : "NULL",
                 want);
    KTEST_CHECK("pty.grantpt", grantpt(m) == 0);
    int locked = 0;
    KTEST_CHECK("pty.locked_at_open", ioctl(m, TIOCGPTLCK, &locked) == 0 && locked == 1);
    KTEST_ERRNO("pty.open_locked_eio", open(want, O_RDWR | O_NOCTTY), EIO);
    KTEST_CHECK("pty.unlockpt", unlockpt(m) == 0);
    KTEST_CHECK("pty.unlocked", ioctl(m, TIOCGPTLCK, &locked) == 0 && locked == 0);

    struct stat st;
    int r = stat(want, &st);
    ktest_result("pty.slave_node", r == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 136 &&
                                       (int)minor(st.st_rdev) == idx && st.st_uid == getuid(),
                 "r=%d mode=%o rdev=%u:%u uid=%u", r, st.st_mode, major(st.st_rdev), minor(st.st_rdev),
                 st.st_uid);
    int found = 0;
    DIR *d = opendir("/dev/pts");
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (!strcmp(de->d_name, want + 9))
            found = 1;
    if (d)
        closedir(d);
    KTEST_CHECK("pty.readdir_lists_slave", found);

    int s = open(want, O_RDWR | O_NOCTTY);
    KTEST_CHECK("pty.open_slave", s >= 0);
    KTEST_CHECK("pty.slave_isatty", isatty(s) == 1);
    KTEST_ERRNO("pty.tiocgptn_efault", ioctl(m, TIOCGPTN, ktest_ptr(16)), EFAULT);
    KTEST_ERRNO("pty.tiocsptlck_efault", ioctl(m, TIOCSPTLCK, ktest_ptr(16)), EFAULT);
    int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    ktest_result("pty.tiocgptpeer", peer >= 0 && fstat(peer, &st) == 0 && st.st_rdev == makedev(136, idx),
                 "peer=%d errno=%d", peer, errno);
    KTEST_ERRNO("pty.tiocgptpeer_on_slave_eio", ioctl(s, TIOCGPTPEER, O_RDWR | O_NOCTTY), EIO);
    KTEST_ERRNO("pty.tiocgptn_on_slave", ioctl(s, TIOCGPTN, &idx), ENOTTY);
    if (peer >= 0)
        close(peer);
    if (s >= 0)
        close(s);
    close(m);
    KTEST_ERRNO("pty.node_gone_after_close", stat(want, &st), ENOENT);
    KTEST_ERRNO("pty.no_such_slave", open("/dev/pts/255", O_RDWR | O_NOCTTY), ENOENT);
}

static void t_discipline(void)
{
    int m, s, idx;
    char buf[256];
    if (open_pair(&m, &s, &idx)) {
        ktest_result("pty.pair", 0, "open_pair: %s", strerror(errno));
        return;
    }
    KTEST_CHECK("pty.master_write", write(m, "hello\n", 6) == 6);
    memset(buf, 0, sizeof buf);
    ssize_t n = read(s, buf, sizeof buf);
    ktest_result("pty.slave_reads_line", n == 6 && !memcmp(buf, "hello\n", 6), "n=%zd '%s'", n, buf);
    read_until(m, buf, sizeof buf, "\r\n");
    ktest_result("pty.echo_onlcr", !strcmp(buf, "hello\r\n"), "master read '%s'", buf);

    KTEST_CHECK("pty.slave_write", write(s, "out\n", 4) == 4);
    read_until(m, buf, sizeof buf, "\r\n");
    ktest_result("pty.slave_output_onlcr", !strcmp(buf, "out\r\n"), "master read '%s'", buf);

    /* Canonical editing: the erase character removes 'b'. */
    write(m, "ab\x7f" "c\n", 5);
    memset(buf, 0, sizeof buf);
    n = read(s, buf, sizeof buf);
    ktest_result("pty.canon_erase", n == 3 && !memcmp(buf, "ac\n", 3), "n=%zd '%s'", n, buf);
    drain(m);

    /* Half a line is not readable yet. */
    write(m, "part", 4);
    int avail = -1;
    usleep(20000);
    ioctl(s, FIONREAD, &avail);
    KTEST_CHECK("pty.canon_partial_unreadable", avail == 0);
    write(m, "\n", 1);
    n = read(s, buf, sizeof buf);
    KTEST_CHECK("pty.canon_line_done", n == 5 && !memcmp(buf, "part\n", 5));
    drain(m);

    /* Raw mode: bytes at once, no echo. */
    struct termios t;
    tcgetattr(s, &t);
    cfmakeraw(&t);
    KTEST_CHECK("pty.tcsetattr_raw", tcsetattr(s, TCSANOW, &t) == 0);
    write(m, "xy", 2);
    n = read(s, buf, sizeof buf);
    KTEST_CHECK("pty.raw_read", n >= 1 && buf[0] == 'x');
    if (n == 1)
        read(s, buf, 1);
    fcntl(m, F_SETFL, O_NONBLOCK);
    KTEST_ERRNO("pty.raw_no_echo", read(m, buf, sizeof buf), EAGAIN);
    write(s, "a\nb", 3);
    usleep(20000);
    n = read(m, buf, sizeof buf);
    KTEST_CHECK("pty.raw_no_onlcr", n == 3 && !memcmp(buf, "a\nb", 3));
    fcntl(m, F_SETFL, 0);

    struct winsize ws = { .ws_row = 33, .ws_col = 101 }, got = { 0 };
    KTEST_CHECK("pty.tiocswinsz_master", ioctl(m, TIOCSWINSZ, &ws) == 0);
    KTEST_CHECK("pty.winsize_shared", ioctl(s, TIOCGWINSZ, &got) == 0 && got.ws_row == 33 && got.ws_col == 101);

    /* The slave closed: the master reads what is left, then EIO and POLLHUP. */
    write(s, "z", 1);
    close(s);
    n = read(m, buf, sizeof buf);
    KTEST_CHECK("pty.master_reads_rest", n == 1 && buf[0] == 'z');
    struct pollfd p = { .fd = m, .events = POLLIN };
    KTEST_CHECK("pty.master_pollhup", poll(&p, 1, 1000) == 1 && (p.revents & POLLHUP));
    KTEST_ERRNO("pty.master_read_eio", read(m, buf, sizeof buf), EIO);
    close(m);
}

static volatile sig_atomic_t got_winch, got_hup;
static void on_winch(int sig)
{
    (void)sig;
    got_winch = 1;
}
static void on_hup(int sig)
{
    (void)sig;
    got_hup = 1;
}

/* A new session whose controlling terminal is the slave: report the
 * session facts, wait for SIGWINCH, then for ^C. */
static int session_child(void *arg)
{
    const char *path = arg;
    if (setsid() < 0)
        return 10;
    int s = open(path, O_RDWR); /* no O_NOCTTY: becomes the controlling tty */
    if (s < 0)
        return 11;
    int tty = open("/dev/tty", O_RDWR);
    pid_t sid = -1;
    ioctl(s, TIOCGSID, &sid);
    /* SIGWINCH blocked until sigsuspend(), so it cannot come between the
     * test of got_winch and the wait. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGWINCH);
    sigprocmask(SIG_BLOCK, &block, &old);
    signal(SIGWINCH, on_winch);
    dprintf(s, "ctty=%d sid=%d fg=%d\n", tty >= 0, sid == getpid(), tcgetpgrp(s) == getpid());
    while (!got_winch)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    struct winsize ws;
    ioctl(s, TIOCGWINSZ, &ws);
    dprintf(s, "winch %d\n", ws.ws_row);
    for (;;)
        pause(); /* ^C ends it */
}

static void t_signals(void)
{
    int m, s, idx;
    char buf[256];
    if (open_pair(&m, &s, &idx)) {
        ktest_result("pty.pair2", 0, "open_pair: %s", strerror(errno));
        return;
    }
    close(s);
    char path[32];
    snprintf(path, sizeof path, "/dev/pts/%d", idx);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        _exit(session_child(path));
    }
    read_until(m, buf, sizeof buf, "\n");
    ktest_result("pty.ctty_acquired", strstr(buf, "ctty=1 sid=1 fg=1") != NULL, "child said '%s'", buf);
    struct winsize ws = { .ws_row = 42, .ws_col = 80 };
    ioctl(m, TIOCSWINSZ, &ws);
    read_until(m, buf, sizeof buf, "winch");
    read_until(m, buf + strlen(buf), sizeof buf - strlen(buf), "\n");
    ktest_result("pty.sigwinch", strstr(buf, "winch 42") != NULL, "child said '%s'", buf);
    write(m, "\x03", 1);
    int st = 0;
    waitpid(pid, &st, 0);
    ktest_result("pty.ctrl_c_sigint", WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "%s", ktest_wstr(st));
    read_until(m, buf, sizeof buf, "^C");
    ktest_result("pty.ctrl_c_echo", strstr(buf, "^C") != NULL, "master read '%s'", buf);
    close(m);
}

/* A background process group reading its terminal is stopped by SIGTTIN. */
static int ttin_child(void *arg)
{
    const char *path = arg;
    if (setsid() < 0)
        return 10;
    int s = open(path, O_RDWR);
    if (s < 0)
        return 11;
    pid_t g = fork();
    if (g == 0) {
        setpgid(0, 0);
        char c;
        read(s, &c, 1);
        _exit(3);
    }
    int st = 0;
    waitpid(g, &st, WUNTRACED);
    int ok = WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN;
    kill(g, SIGKILL);
    waitpid(g, NULL, 0);
    return ok ? 0 : 12;
}

static void t_ttin(void)
{
    int m, s, idx;
    if (open_pair(&m, &s, &idx)) {
        ktest_result("pty.pair3", 0, "open_pair: %s", strerror(errno));
        return;
    }
    close(s);
    char path[32];
    snprintf(path, sizeof path, "/dev/pts/%d", idx);
    int st = ktest_in_child(ttin_child, path, 20);
    ktest_result("pty.background_read_sigttin", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
                 ktest_wstr(st));
    close(m);
}

/* The master closes: the session leader gets SIGHUP, its reads end. */
static int hup_child(void *arg)
{
    const char *path = arg;
    if (setsid() < 0)
        return 10;
    int s = open(path, O_RDWR);
    if (s < 0)
        return 11;
    signal(SIGHUP, on_hup);
    write(s, "ready\n", 6);
    char c;
    ssize_t n = read(s, &c, 1); /* blocks until the hangup */
    int e = errno;
    while (!got_hup)
        pause();
    ssize_t n2 = read(s, &c, 1);
    int e2 = errno;
    ssize_t w = write(s, "x", 1);
    int ew = errno;
    int fd = open("/dev/tty", O_RDWR);
    /* Linux: the waiting read fails with EIO, later reads give 0 (end of
     * file), writes EIO, and the session has no terminal any more. */
    if (n != -1 || e != EIO)
        return 20;
    if (n2 != 0)
        return 21 + (e2 == EIO);
    if (w != -1 || ew != EIO)
        return 23;
    if (fd >= 0 || errno != ENXIO)
        return 24;
    return 0;
}

static void t_hangup(void)
{
    int m, s, idx;
    char buf[64];
    if (open_pair(&m, &s, &idx)) {
        ktest_result("pty.pair4", 0, "open_pair: %s", strerror(errno));
        return;
    }
    close(s);
    char path[32];
    snprintf(path, sizeof path, "/dev/pts/%d", idx);
    pid_t pid = fork();
    if (pid == 0) {
        close(m); /* else the master's last close is the child's */
        alarm(20);
        _exit(hup_child(path));
    }
    read_until(m, buf, sizeof buf, "ready");
    /* Close only once the child sleeps (in its read(): the write before it
     * does not block), so the reader sees the hangup while waiting. */
    char path_stat[64], st_buf[256];
    snprintf(path_stat, sizeof path_stat, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 1000; i++) {
        int sf = open(path_stat, O_RDONLY);
        ssize_t n = sf >= 0 ? read(sf, st_buf, sizeof st_buf - 1) : -1;
        if (sf >= 0)
            close(sf);
        st_buf[n > 0 ? n : 0] = 0;
        char *rp = strrchr(st_buf, ')');
        if (rp && rp[1] == ' ' && rp[2] == 'S')
            break;
        usleep(10000);
    }
    close(m);
    int st = 0;
    waitpid(pid, &st, 0);
    ktest_result("pty.hangup_sighup_eio", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
}

static void t_openpty(void)
{
    int m = -1, s = -1;
    char name[64];
    struct winsize ws = { .ws_row = 10, .ws_col = 20 }, got = { 0 };
    KTEST_CHECK("pty.openpty", openpty(&m, &s, name, NULL, &ws) == 0);
    KTEST_CHECK("pty.openpty_winsize", ioctl(s, TIOCGWINSZ, &got) == 0 && got.ws_row == 10 && got.ws_col == 20);
    KTEST_CHECK("pty.openpty_name", !strncmp(name, "/dev/pts/", 9));
    /* Many pairs at once, each with its own index. */
    int fds[16], n = 0, distinct = 1;
    for (; n < 16; n++) {
        fds[n] = posix_openpt(O_RDWR | O_NOCTTY);
        if (fds[n] < 0)
            break;
    }
    for (int i = 0; i < n; i++) {
        int a = -1;
        ioctl(fds[i], TIOCGPTN, &a);
        for (int j = 0; j < i; j++) {
            int b = -2;
            ioctl(fds[j], TIOCGPTN, &b);
            if (a == b)
                distinct = 0;
        }
    }
    KTEST_CHECK("pty.many_pairs", n == 16 && distinct);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    close(m);
    close(s);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    t_devpts();
    t_open();
    t_discipline();
    t_signals();
    t_ttin();
    t_hangup();
    t_openpty();
    return ktest_nfail ? 1 : 0;
}
