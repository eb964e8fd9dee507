/* t_locks.c - advisory locks between processes: POSIX record locks
 * (F_SETLK/F_SETLKW/F_GETLK), open file description locks (F_OFD_*),
 * flock(2), leases (F_SETLEASE/F_GETLEASE) and F_SETOWN_EX/F_GETOWN_EX.
 * [fcntl(2)], [flock(2)]. Children report through their exit code. */
#include "ktest.h"

#include <stdint.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/time.h>

static const char *path = "lockfile";

static int lk(int fd, int cmd, short type, short whence, off_t start, off_t len)
{
    struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };
    return fcntl(fd, cmd, &fl);
}

/* F_GETLK / F_OFD_GETLK of [start, start+len): fills *out. */
static int getlk(int fd, int cmd, short type, off_t start, off_t len, struct flock *out)
{
    memset(out, 0, sizeof *out);
    out->l_type = type;
    out->l_whence = SEEK_SET;
    out->l_start = start;
    out->l_len = len;
    return fcntl(fd, cmd, out);
}

static int open_rw(void)
{
    return open(path, O_RDWR);
}

/* Run fn in a child; its exit code is the result (0 = as expected). */
static int child_code(int (*fn)(void *), void *arg)
{
    int st = ktest_in_child(fn, arg, 20);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* ---- record locks ---------------------------------------------------------- */

static int c_conflict(void *a)
{
    int fd = open_rw();
    if (lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 50, 10) != -1 || errno != EAGAIN)
        return 1;
    if (lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 100, 10) != 0)
        return 2; /* past the parent's range */
    if (lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 99, 1) != -1 || errno != EAGAIN)
        return 3; /* the last byte of the parent's range */
    return 0;
}

struct expect {
    short type;
    off_t start, len;
    off_t q_start, q_len;
    short q_type;
    pid_t pid; /* 0: do not check */
};

static int c_getlk(void *a)
{
    struct expect *e = a;
    struct flock fl;
    int fd = open_rw();
    if (getlk(fd, F_GETLK, e->q_type, e->q_start, e->q_len, &fl) != 0)
        return 1;
    if (fl.l_type != e->type)
        return 2;
    if (e->type == F_UNLCK)
        return 0;
    if (fl.l_whence != SEEK_SET || fl.l_start != e->start || fl.l_len != e->len)
        return 3;
    if (e->pid && fl.l_pid != e->pid)
        return 4;
    return 0;
}

static int expect_lock(const char *name, short q_type, off_t qs, off_t ql, short type, off_t s,
                       off_t l)
{
    struct expect e = { type, s, l, qs, ql, q_type, getpid() };
    int c = child_code(c_getlk, &e);
    ktest_result(name, c == 0, "child F_GETLK [%lld,+%lld) code %d (want type %d start %lld len %lld pid %d)",
                 (long long)qs, (long long)ql, c, type, (long long)s, (long long)l, (int)getpid());
    return c == 0;
}

static void t_record(void)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    char buf[200];
    struct flock fl;

    memset(buf, 'a', sizeof buf);
    write(fd, buf, sizeof buf);
    KTEST_CHECK("locks.setlk_wrlck", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100) == 0);
    int c = child_code(c_conflict, NULL);
    ktest_result("locks.setlk_conflict_between_processes", c == 0, "child code %d", c);
    expect_lock("locks.getlk_reports_holder", F_RDLCK, 10, 5, F_WRLCK, 0, 100);
    KTEST_CHECK("locks.getlk_own_lock_unlocked",
                getlk(fd, F_GETLK, F_WRLCK, 0, 10, &fl) == 0 && fl.l_type == F_UNLCK);

    /* Split: unlock the middle. */
    KTEST_CHECK("locks.unlock_middle", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 20) == 0);
    expect_lock("locks.split_hole_free", F_WRLCK, 40, 20, F_UNLCK, 0, 0);
    expect_lock("locks.split_low_part", F_WRLCK, 0, 1, F_WRLCK, 0, 40);
    expect_lock("locks.split_high_part", F_WRLCK, 99, 1, F_WRLCK, 60, 40);

    /* Downgrade the low part, merge read locks, upgrade a piece. */
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 10);
    lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 10, 10);
    expect_lock("locks.merge_adjacent", F_WRLCK, 0, 1, F_RDLCK, 0, 20);
    KTEST_CHECK("locks.upgrade_in_place", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, 5) == 0);
    expect_lock("locks.upgrade_reported", F_RDLCK, 0, 20, F_WRLCK, 5, 5);
    expect_lock("locks.upgrade_leaves_read_part", F_WRLCK, 12, 1, F_RDLCK, 10, 10);
    KTEST_CHECK("locks.downgrade", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, 5) == 0);
    expect_lock("locks.downgrade_merged", F_WRLCK, 0, 0, F_RDLCK, 0, 20);

    /* whence and negative lengths. */
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    lseek(fd, 50, SEEK_SET);
    KTEST_CHECK("locks.seek_cur_negative_len", lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, 0, -10) == 0);
    expect_lock("locks.negative_len_range", F_RDLCK, 0, 0, F_WRLCK, 40, 10);
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    KTEST_CHECK("locks.seek_end", lk(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 0) == 0);
    expect_lock("locks.seek_end_to_eof", F_RDLCK, 0, 0, F_WRLCK, 190, 0);
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);

    /* Bad input. */
    KTEST_ERRNO("locks.einval_whence", lk(fd, F_SETLK, F_WRLCK, 7, 0, 1), EINVAL);
    KTEST_ERRNO("locks.einval_type", lk(fd, F_SETLK, 9, SEEK_SET, 0, 1), EINVAL);
    KTEST_ERRNO("locks.einval_before_start", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -10), EINVAL);
    KTEST_ERRNO("locks.einval_negative_start", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1), EINVAL);
    KTEST_ERRNO("locks.eoverflow", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 2, INT64_MAX), EOVERFLOW);
    KTEST_ERRNO("locks.getlk_unlck_einval", getlk(fd, F_GETLK, F_UNLCK, 0, 1, &fl), EINVAL);
    KTEST_ERRNO("locks.efault", fcntl(fd, F_SETLK, ktest_ptr(16)), EFAULT);
    KTEST_ERRNO("locks.getlk_efault", fcntl(fd, F_GETLK, ktest_ptr(16)), EFAULT);
    KTEST_ERRNO("locks.ebadf_fd", lk(-1, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF);
    int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
    KTEST_ERRNO("locks.ebadf_wrlck_on_rdonly", lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
    KTEST_ERRNO("locks.ebadf_rdlck_on_wronly", lk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF);
    close(wo);

    /* Any close of the file by the process releases its record locks. */
    KTEST_CHECK("locks.relock", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0);
    close(ro);
    expect_lock("locks.released_on_any_close", F_WRLCK, 0, 10, F_UNLCK, 0, 0);
    close(fd);
}

static int c_hold_and_exit(void *a)
{
    int fd = open_rw();
    return lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0 ? 0 : 1;
}

static int c_lock_free(void *a)
{
    int fd = open_rw();
    return lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0 ? 0 : 1;
}

/* ---- blocking, EINTR, EDEADLK ---------------------------------------------- */

static int c_setlkw_waits(void *a)
{
    int fd = open_rw();
    double t0 = ktest_now(CLOCK_MONOTONIC);
    if (lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 10) != 0)
        return 1;
    return ktest_now(CLOCK_MONOTONIC) - t0 >= 0.15 ? 0 : 2;
}

static void on_alarm(int s) { (void)s; }

static int c_setlkw_eintr(void *a)
{
    int fd = open_rw();
    struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
    struct itimerval it = { .it_value = { 0, 200000 } };
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    int r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 10);
    return r == -1 && errno == EINTR ? 0 : 1;
}

static volatile sig_atomic_t alarms;
static void count_alarm(int s)
{
    (void)s;
    alarms++;
}

/* With SA_RESTART the wait resumes after the handler ([signal(7)]). */
static int c_setlkw_restart(void *a)
{
    int fd = open_rw();
    struct sigaction sa = { .sa_handler = count_alarm, .sa_flags = SA_RESTART };
    struct itimerval it = { .it_value = { 0, 150000 } };
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    int r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 10);
    return r == 0 && alarms == 1 ? 0 : 1;
}

static void t_blocking(void)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int c;

    c = child_code(c_hold_and_exit, NULL);
    c |= child_code(c_lock_free, NULL) << 1;
    ktest_result("locks.released_on_exit", c == 0, "codes %d", c);

    lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    c = child_code(c_setlkw_eintr, NULL);
    ktest_result("locks.setlkw_eintr", c == 0, "child code %d", c);

    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        _exit(c_setlkw_waits(NULL));
    }
    usleep(300000);
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    int st;
    waitpid(pid, &st, 0);
    ktest_result("locks.setlkw_waits_for_unlock", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
                 ktest_wstr(st));

    lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    pid = fork();
    if (pid == 0)
        _exit(c_setlkw_restart(NULL));
    usleep(500000);
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    waitpid(pid, &st, 0);
    ktest_result("locks.setlkw_sa_restart", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
                 ktest_wstr(st));

    /* EDEADLK: parent holds A=[0,1), child holds B=[1,2) and waits for A;
     * the parent then asking for B would wait forever. */
    int p2c[2], c2p[2];
    pipe(p2c);
    pipe(c2p);
    lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
    pid = fork();
    if (pid == 0) {
        int cfd = open_rw();
        char x;
        alarm(20);
        lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1);
        write(c2p[1], "r", 1);
        int r = lk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1); /* waits for the parent */
        read(p2c[0], &x, 1);
        _exit(r == 0 ? 0 : 1);
    }
    char x;
    read(c2p[0], &x, 1);
    usleep(200000); /* the child is now blocked */
    KTEST_ERRNO("locks.edeadlk", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1), EDEADLK);
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
    write(p2c[1], "g", 1);
    waitpid(pid, &st, 0);
    ktest_result("locks.edeadlk_other_side_gets_lock", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
                 ktest_wstr(st));
    close(p2c[0]);
    close(p2c[1]);
    close(c2p[0]);
    close(c2p[1]);
    close(fd);
}

/* ---- open file description locks ----------------------------------------- */

static int c_ofd_inherited(void *a)
{
    int fd = *(int *)a;
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
    return fcntl(fd, F_OFD_SETLK, &fl) == 0 ? 0 : 1; /* same description: same owner */
}

static void t_ofd(void)
{
    int fd1 = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int fd2 = open_rw();
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };

    KTEST_CHECK("locks.ofd_setlk", fcntl(fd1, F_OFD_SETLK, &fl) == 0);
    fl.l_type = F_RDLCK;
    KTEST_ERRNO("locks.ofd_conflict_same_process", fcntl(fd2, F_OFD_SETLK, &fl), EAGAIN);
    KTEST_ERRNO("locks.ofd_conflicts_with_posix", lk(fd2, F_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
    struct flock g;
    int r = getlk(fd2, F_OFD_GETLK, F_RDLCK, 0, 1, &g);
    ktest_result("locks.ofd_getlk_pid_minus_one",
                 r == 0 && g.l_type == F_WRLCK && g.l_pid == -1 && g.l_start == 0 && g.l_len == 10,
                 "r=%d type=%d pid=%d start=%lld len=%lld", r, g.l_type, g.l_pid,
                 (long long)g.l_start, (long long)g.l_len);
    r = getlk(fd2, F_GETLK, F_RDLCK, 0, 1, &g);
    ktest_result("locks.getlk_sees_ofd", r == 0 && g.l_type == F_WRLCK && g.l_pid == -1,
                 "r=%d type=%d pid=%d", r, g.l_type, g.l_pid);
    fl.l_pid = 1;
    KTEST_ERRNO("locks.ofd_l_pid_einval", fcntl(fd1, F_OFD_SETLK, &fl), EINVAL);
    KTEST_ERRNO("locks.ofd_getlk_l_pid_einval", fcntl(fd1, F_OFD_GETLK, &fl), EINVAL);
    int c = child_code(c_ofd_inherited, &fd1);
    ktest_result("locks.ofd_shared_by_fork", c == 0, "child code %d", c);

    /* Closing another description or a dup does not release it. */
    int d = dup(fd1);
    close(fd2);
    close(d);
    fd2 = open_rw();
    fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
    KTEST_ERRNO("locks.ofd_survives_other_close", fcntl(fd2, F_OFD_SETLK, &fl), EAGAIN);
    close(fd1);
    KTEST_CHECK("locks.ofd_released_at_last_close", fcntl(fd2, F_OFD_SETLK, &fl) == 0);

    /* F_OFD_SETLKW waits for another description. */
    fd1 = open_rw();
    fl.l_type = F_WRLCK;
    fcntl(fd1, F_OFD_SETLK, &fl); /* conflicts with fd2's read lock: EAGAIN */
    fl.l_type = F_UNLCK;
    fcntl(fd2, F_OFD_SETLK, &fl);
    fl.l_type = F_WRLCK;
    KTEST_CHECK("locks.ofd_after_unlock", fcntl(fd1, F_OFD_SETLKW, &fl) == 0);
    close(fd1);
    close(fd2);
}

/* ---- flock(2) -------------------------------------------------------------- */

static int c_flock(void *a)
{
    int op = *(int *)a;
    int fd = open_rw();
    if (flock(fd, op | LOCK_NB) == 0)
        return 0;
    return errno == EWOULDBLOCK ? 1 : 2;
}

static int flock_child(int op)
{
    return child_code(c_flock, &op);
}

static int c_flock_inherited(void *a)
{
    return flock(*(int *)a, LOCK_EX | LOCK_NB) == 0 ? 0 : 1;
}

static int c_fcntl_independent(void *a)
{
    int fd = open_rw();
    return lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0) == 0 ? 0 : 1;
}

static int c_flock_waits(void *a)
{
    int fd = open_rw();
    double t0 = ktest_now(CLOCK_MONOTONIC);
    if (flock(fd, LOCK_EX) != 0)
        return 1;
    return ktest_now(CLOCK_MONOTONIC) - t0 >= 0.15 ? 0 : 2;
}

static int c_flock_eintr(void *a)
{
    int fd = open_rw();
    struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
    struct itimerval it = { .it_value = { 0, 200000 } };
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    return flock(fd, LOCK_SH) == -1 && errno == EINTR ? 0 : 1;
}

static void t_flock(void)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int c;

    KTEST_CHECK("locks.flock_ex", flock(fd, LOCK_EX) == 0);
    c = flock_child(LOCK_EX);
    ktest_result("locks.flock_ex_excludes_ex", c == 1, "child code %d (1 = EWOULDBLOCK)", c);
    c = flock_child(LOCK_SH);
    ktest_result("locks.flock_ex_excludes_sh", c == 1, "child code %d", c);
    c = child_code(c_flock_inherited, &fd);
    ktest_result("locks.flock_same_description", c == 0, "child code %d", c);
    c = child_code(c_fcntl_independent, NULL);
    ktest_result("locks.flock_independent_of_fcntl", c == 0, "child code %d", c);
    KTEST_CHECK("locks.flock_downgrade", flock(fd, LOCK_SH) == 0);
    c = flock_child(LOCK_SH);
    ktest_result("locks.flock_shared", c == 0, "child code %d", c);
    c = flock_child(LOCK_EX);
    ktest_result("locks.flock_sh_excludes_ex", c == 1, "child code %d", c);
    KTEST_CHECK("locks.flock_upgrade", flock(fd, LOCK_EX | LOCK_NB) == 0);
    c = flock_child(LOCK_SH);
    ktest_result("locks.flock_upgraded_excludes", c == 1, "child code %d", c);
    c = child_code(c_flock_eintr, NULL);
    ktest_result("locks.flock_eintr", c == 0, "child code %d", c);

    int d = dup(fd);
    close(fd);
    c = flock_child(LOCK_SH);
    ktest_result("locks.flock_kept_while_dup_open", c == 1, "child code %d", c);
    close(d);
    c = flock_child(LOCK_EX);
    ktest_result("locks.flock_released_at_last_close", c == 0, "child code %d", c);

    fd = open_rw();
    flock(fd, LOCK_EX);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        _exit(c_flock_waits(NULL));
    }
    usleep(300000);
    KTEST_CHECK("locks.flock_unlock", flock(fd, LOCK_UN) == 0);
    int st;
    waitpid(pid, &st, 0);
    ktest_result("locks.flock_blocking_waits", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
                 ktest_wstr(st));

    KTEST_ERRNO("locks.flock_einval_zero", flock(fd, 0), EINVAL);
    KTEST_ERRNO("locks.flock_einval_sh_ex", flock(fd, LOCK_SH | LOCK_EX), EINVAL);
    KTEST_ERRNO("locks.flock_ebadf", flock(-1, LOCK_SH), EBADF);
    KTEST_ERRNO("locks.flock_einval_before_ebadf", flock(-1, 99 & ~32), EINVAL);
    close(fd);
}

/* ---- leases and file owners ----------------------------------------------- */

static volatile sig_atomic_t got_sigio;
static int lease_fd = -1;
static void on_sigio(int s)
{
    (void)s;
    got_sigio++;
    if (lease_fd >= 0)
        fcntl(lease_fd, F_SETLEASE, F_UNLCK);
}

static int c_open_nonblock(void *a)
{
    int fd = open(path, O_WRONLY | O_NONBLOCK);
    return fd < 0 && errno == EWOULDBLOCK ? 0 : 1;
}

static int c_open_blocking(void *a)
{
    int fd = open(path, O_WRONLY);
    return fd >= 0 ? 0 : 1;
}

static int c_lease_eacces(void *a)
{
    int fd = open(path, O_RDONLY);
    if (setuid(65534) != 0)
        return 2;
    return fcntl(fd, F_SETLEASE, F_RDLCK) == -1 && errno == EACCES ? 0 : 1;
}

static void t_lease(void)
{
    int w = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int fd = open(path, O_RDONLY);
    int p[2];
    struct sigaction sa = { .sa_handler = on_sigio };

    KTEST_ERRNO("locks.lease_rdlck_while_open_for_write", fcntl(fd, F_SETLEASE, F_RDLCK), EAGAIN);
    close(w);
    KTEST_CHECK("locks.lease_rdlck", fcntl(fd, F_SETLEASE, F_RDLCK) == 0);
    KTEST_CHECK("locks.getlease_rdlck", fcntl(fd, F_GETLEASE) == F_RDLCK);
    KTEST_CHECK("locks.lease_unlck", fcntl(fd, F_SETLEASE, F_UNLCK) == 0);
    KTEST_CHECK("locks.getlease_unlck", fcntl(fd, F_GETLEASE) == F_UNLCK);
    KTEST_ERRNO("locks.lease_unlck_without_lease", fcntl(fd, F_SETLEASE, F_UNLCK), EAGAIN);
    int other = open(path, O_RDONLY);
    KTEST_ERRNO("locks.lease_wrlck_other_open", fcntl(fd, F_SETLEASE, F_WRLCK), EAGAIN);
    close(other);
    KTEST_CHECK("locks.lease_wrlck_alone", fcntl(fd, F_SETLEASE, F_WRLCK) == 0);
    KTEST_CHECK("locks.getlease_wrlck", fcntl(fd, F_GETLEASE) == F_WRLCK);
    fcntl(fd, F_SETLEASE, F_UNLCK);
    KTEST_ERRNO("locks.lease_einval_arg", fcntl(fd, F_SETLEASE, 7), EINVAL);
    pipe(p);
    KTEST_ERRNO("locks.lease_einval_pipe", fcntl(p[0], F_SETLEASE, F_RDLCK), EINVAL);
    KTEST_CHECK("locks.getlease_pipe", fcntl(p[0], F_GETLEASE) == F_UNLCK);
    close(p[0]);
    close(p[1]);
    int c = child_code(c_lease_eacces, NULL);
    ktest_result("locks.lease_eacces_not_owner", c == 0, "child code %d", c);

    /* Breaking: an O_NONBLOCK writer gets EWOULDBLOCK and the holder SIGIO;
     * a blocking writer waits until the holder lets go. */
    sigaction(SIGIO, &sa, NULL);
    KTEST_CHECK("locks.lease_rdlck_again", fcntl(fd, F_SETLEASE, F_RDLCK) == 0);
    c = child_code(c_open_nonblock, NULL);
    usleep(100000);
    ktest_result("locks.lease_break_nonblock", c == 0 && got_sigio == 1, "child code %d sigio %d",
                 c, (int)got_sigio);
    KTEST_CHECK("locks.getlease_breaking", fcntl(fd, F_GETLEASE) == F_UNLCK);
    fcntl(fd, F_SETLEASE, F_UNLCK);
    fcntl(fd, F_SETLEASE, F_RDLCK);
    got_sigio = 0;
    lease_fd = fd;
    c = child_code(c_open_blocking, NULL);
    ktest_result("locks.lease_break_waits_for_holder", c == 0 && got_sigio >= 1,
                 "child code %d sigio %d", c, (int)got_sigio);
    lease_fd = -1;
    signal(SIGIO, SIG_DFL);
    close(fd);
}

/* In a group of its own (under Linux's init the suite may run in process
 * group 0, which F_SETOWN cannot name). */
static int c_owner_pgrp(void *a)
{
    int fd = *(int *)a;
    struct f_owner_ex o;

    if (setpgid(0, 0) != 0)
        return 1;
    if (fcntl(fd, F_SETOWN, -getpgrp()) != 0)
        return 2;
    if (fcntl(fd, F_GETOWN_EX, &o) != 0 || o.type != F_OWNER_PGRP || o.pid != getpgrp())
        return 3;
    if (fcntl(fd, F_GETOWN) != -getpgrp())
        return 4;
    o = (struct f_owner_ex){ F_OWNER_PGRP, getpgrp() };
    if (fcntl(fd, F_SETOWN_EX, &o) != 0 || fcntl(fd, F_GETOWN) != -getpgrp())
        return 5;
    return 0;
}

static void t_owner(void)
{
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    struct f_owner_ex o = { 0 };

    KTEST_CHECK("locks.getown_ex_default",
                fcntl(fd, F_GETOWN_EX, &o) == 0 && o.type == F_OWNER_TID && o.pid == 0);
    o = (struct f_owner_ex){ F_OWNER_PID, getpid() };
    KTEST_CHECK("locks.setown_ex_pid", fcntl(fd, F_SETOWN_EX, &o) == 0);
    memset(&o, 0, sizeof o);
    KTEST_CHECK("locks.getown_ex_pid",
                fcntl(fd, F_GETOWN_EX, &o) == 0 && o.type == F_OWNER_PID && o.pid == getpid());
    KTEST_CHECK("locks.getown_pid", fcntl(fd, F_GETOWN) == getpid());
    o = (struct f_owner_ex){ F_OWNER_TID, (pid_t)syscall(SYS_gettid) };
    KTEST_CHECK("locks.setown_ex_tid", fcntl(fd, F_SETOWN_EX, &o) == 0);
    KTEST_CHECK("locks.getown_ex_tid",
                fcntl(fd, F_GETOWN_EX, &o) == 0 && o.type == F_OWNER_TID && o.pid == getpid());
    int c = child_code(c_owner_pgrp, &fd);
    ktest_result("locks.setown_pgrp", c == 0, "child code %d", c);
    o = (struct f_owner_ex){ 5, getpid() };
    KTEST_ERRNO("locks.setown_ex_einval", fcntl(fd, F_SETOWN_EX, &o), EINVAL);
    o = (struct f_owner_ex){ F_OWNER_PID, 999999 };
    KTEST_ERRNO("locks.setown_ex_esrch", fcntl(fd, F_SETOWN_EX, &o), ESRCH);
    KTEST_ERRNO("locks.setown_ex_efault", fcntl(fd, F_SETOWN_EX, ktest_ptr(16)), EFAULT);
    KTEST_ERRNO("locks.getown_ex_efault", fcntl(fd, F_GETOWN_EX, ktest_ptr(16)), EFAULT);
    KTEST_CHECK("locks.setsig", fcntl(fd, F_SETSIG, SIGUSR1) == 0 && fcntl(fd, F_GETSIG) == SIGUSR1);
    KTEST_ERRNO("locks.setsig_einval", fcntl(fd, F_SETSIG, 1000), EINVAL);
    close(fd);
}

int main(void)
{
    if (ktest_enter_scratch("locks") != 0) {
        ktest_result("locks.scratch", 0, "cannot enter scratch dir: %s", strerror(errno));
        return 1;
    }
    t_record();
    t_blocking();
    t_ofd();
    t_flock();
    t_lease();
    t_owner();
    unlink(path);
    return ktest_nfail ? 1 : 0;
}
