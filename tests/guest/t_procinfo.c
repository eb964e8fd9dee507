/* t_procinfo.c - what programs read about processes and the system from
 * /proc [proc(5)], and the credentials calls around it: environ, cwd, root,
 * task/, mountinfo, /proc/sys/kernel/{random,hostname,...}, supplementary
 * groups [getgroups(2)], and the errno of calls on a pid that cannot exist.
 * Must pass unchanged on Linux (run-in-linux-vm.sh). */
#include "ktest.h"

#include <dirent.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/utsname.h>

extern char **environ;

/* Read a whole (small) file into buf with NUL; returns its length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0;

    if (fd < 0)
        return -1;
    for (;;) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == cap - 1)
            break;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

/* Is name=value one of the NUL-separated strings in buf[0..len)? */
static int has_string(const char *buf, size_t len, const char *want)
{
    for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
        if (strcmp(buf + i, want) == 0)
            return 1;
    return 0;
}

static void t_environ(void)
{
    static char buf[65536];
    char path[64];

    /* Nothing here calls setenv() before this: libc's environ still
     * points at the strings execve put on the stack, which is what the
     * file shows, byte for byte. */
    static char want[65536];
    size_t wlen = 0;
    for (char **e = environ; *e && wlen + strlen(*e) + 1 < sizeof want; e++) {
        memcpy(want + wlen, *e, strlen(*e) + 1);
        wlen += strlen(*e) + 1;
    }
    ssize_t n = slurp("/proc/self/environ", buf, sizeof buf);
    ktest_result("procinfo.environ_self", n == (ssize_t)wlen && memcmp(buf, want, wlen) == 0,
                 "read %zd bytes, environ has %zu", n, wlen);

    /* A child execs env with a known environment; the parent reads the
     * child's environ while it sleeps. */
    int pfd[2];
    if (pipe(pfd)) {
        ktest_result("procinfo.environ_child", 0, "pipe errno=%d", errno);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = { "sleep", "5", NULL };
        char *envp[] = { "KTEST_A=alpha", "KTEST_B=beta", NULL };
        close(pfd[0]);
        close(pfd[1]); /* EOF tells the parent exec is under way */
        execve("/bin/sleep", argv, envp);
        _exit(127);
    }
    close(pfd[1]);
    char c;
    while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
        ;
    close(pfd[0]);
    int ok = 0;
    for (int tries = 0; tries < 200 && !ok; tries++) {
        snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
        n = slurp(path, buf, sizeof buf);
        ok = n > 0 && has_string(buf, (size_t)n, "KTEST_A=alpha") &&
             has_string(buf, (size_t)n, "KTEST_B=beta");
        if (!ok)
            usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    ktest_result("procinfo.environ_child", ok, "last read %zd bytes", n);
}

static int fn_environ_other_uid(void *arg)
{
    char path[64];
    int fd;

    snprintf(path, sizeof path, "/proc/%d/environ", *(int *)arg);
    if (setgid(65534) || setuid(65534))
        return 2;
    fd = open(path, O_RDONLY);
    if (fd >= 0) {
        char b[16];
        /* Linux checks at open(); a read may also refuse. */
        if (read(fd, b, sizeof b) >= 0)
            return 3;
    }
    return errno == EACCES ? 0 : 4;
}

static void t_environ_perm(void)
{
    int me = getpid();
    int st = ktest_in_child(fn_environ_other_uid, &me, 20);
    ktest_result("procinfo.environ_other_uid_eacces",
                 st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "%s (2 setuid failed, 3 read succeeded, 4 other errno)", ktest_wstr(st));
}

static void t_cwd_root(void)
{
    char link[4096], cwd[4096];
    ssize_t n;

    mkdir("/tmp/procinfo_cwd", 0755);
    if (chdir("/tmp/procinfo_cwd") != 0 || !getcwd(cwd, sizeof cwd)) {
        ktest_result("procinfo.cwd_link", 0, "chdir/getcwd errno=%d", errno);
        return;
    }
    n = readlink("/proc/self/cwd", link, sizeof link - 1);
    if (n >= 0)
        link[n] = '\0';
    ktest_result("procinfo.cwd_link", n > 0 && strcmp(link, cwd) == 0, "readlink=%zd '%s' cwd '%s'",
                 n, n > 0 ? link : "", cwd);
    /* The link is followed like a magic link: a file made through it. */
    int fd = open("/proc/self/cwd/through_link", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd >= 0)
        close(fd);
    struct stat st;
    ktest_result("procinfo.cwd_follow", fd >= 0 && stat("/tmp/procinfo_cwd/through_link", &st) == 0,
                 "open fd=%d errno=%d", fd, errno);
    unlink("/tmp/procinfo_cwd/through_link");
    n = readlink("/proc/self/root", link, sizeof link - 1);
    if (n >= 0)
        link[n] = '\0';
    ktest_result("procinfo.root_link", n == 1 && link[0] == '/', "readlink=%zd '%s'", n,
                 n > 0 ? link : "");
    chdir("/");
    rmdir("/tmp/procinfo_cwd");
}

static void *thread_sleep(void *arg)
{
    int *tid = arg;

    *tid = (int)syscall(SYS_gettid);
    for (int i = 0; i < 500 && *(volatile int *)tid != 0; i++)
        usleep(10000);
    return NULL;
}

static void t_task_dir(void)
{
    pthread_t th;
    volatile int tid = -1;
    char path[96], buf[512];

    if (pthread_create(&th, NULL, thread_sleep, (void *)&tid)) {
        ktest_result("procinfo.task_dir_lists_threads", 0, "pthread_create failed");
        return;
    }
    while (tid == -1)
        usleep(1000);
    int mytid = (int)syscall(SYS_gettid), seen_me = 0, seen_it = 0, other = 0;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        int t = atoi(e->d_name);
        if (t == mytid)
            seen_me = 1;
        else if (t == tid)
            seen_it = 1;
        else
            other = 1;
    }
    if (d)
        closedir(d);
    ktest_result("procinfo.task_dir_lists_threads", seen_me && seen_it && !other,
                 "opendir=%s main=%d thread=%d other=%d", d ? "ok" : "failed", seen_me, seen_it,
                 other);
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    ssize_t n = slurp(path, buf, sizeof buf);
    ktest_result("procinfo.task_tid_stat", n > 0 && atoi(buf) == tid, "%s: %zd '%.40s'", path, n,
                 n > 0 ? buf : "");
    snprintf(path, sizeof path, "/proc/self/task/%d/task", (int)tid);
    struct stat st;
    ktest_result("procinfo.task_tid_has_no_task", stat(path, &st) != 0 && errno == ENOENT,
                 "stat %s errno=%d", path, errno);
    snprintf(path, sizeof path, "/proc/self/task/%d", getpid() + 100000);
    ktest_result("procinfo.task_foreign_enoent", stat(path, &st) != 0 && errno == ENOENT,
                 "errno=%d", errno);
    tid = 0;
    pthread_join(th, NULL);
}

static void t_mountinfo(void)
{
    static char buf[16384];
    ssize_t n = slurp("/proc/self/mountinfo", buf, sizeof buf);
    int ok = n > 0, root = 0;

    /* "id parent maj:min root mountpoint opts [optional...] - type source superopts" */
    for (char *line = buf, *next; ok && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        int id, parent;
        unsigned ma, mi;
        char rootp[256], mp[256];
        if (sscanf(line, "%d %d %u:%u %255s %255s", &id, &parent, &ma, &mi, rootp, mp) != 6 ||
            !strstr(line, " - "))
            ok = 0;
        else if (strcmp(mp, "/") == 0)
            root = 1;
    }
    ktest_result("procinfo.mountinfo_format", ok && root, "%zd bytes, parsed=%d root=%d", n, ok,
                 root);
}

static int is_uuid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!strchr("0123456789abcdef", s[i])) {
            return 0;
        }
    }
    return s[36] == '\n' && s[14] == '4';
}

static void t_sys_kernel(void)
{
    char a[80], b[80], c[80];

    ssize_t na = slurp("/proc/sys/kernel/random/boot_id", a, sizeof a);
    ssize_t nb = slurp("/proc/sys/kernel/random/boot_id", b, sizeof b);
    ktest_result("procinfo.boot_id_stable", na == 37 && is_uuid(a) && strcmp(a, b) == 0,
                 "'%s' then '%s'", a, b);
    na = slurp("/proc/sys/kernel/random/uuid", a, sizeof a);
    nb = slurp("/proc/sys/kernel/random/uuid", b, sizeof b);
    ktest_result("procinfo.uuid_fresh", na == 37 && nb == 37 && is_uuid(a) && is_uuid(b) &&
                                            strcmp(a, b) != 0,
                 "'%s' then '%s'", a, b);
    na = slurp("/proc/sys/kernel/random/entropy_avail", a, sizeof a);
    ktest_result("procinfo.entropy_avail", na > 0 && atoi(a) > 0, "'%s'", a);

    struct utsname u;
    uname(&u);
    na = slurp("/proc/sys/kernel/hostname", a, sizeof a);
    snprintf(c, sizeof c, "%s\n", u.nodename);
    ktest_result("procinfo.hostname_matches_uname", na > 0 && strcmp(a, c) == 0,
                 "'%s' vs uname '%s'", a, u.nodename);
    /* Writing sets it (root), as sethostname does. */
    int fd = open("/proc/sys/kernel/hostname", O_WRONLY);
    ssize_t w = fd >= 0 ? write(fd, "procinfo-host\n", 14) : -1;
    if (fd >= 0)
        close(fd);
    uname(&u);
    ktest_result("procinfo.hostname_write", w == 14 && strcmp(u.nodename, "procinfo-host") == 0,
                 "write=%zd errno=%d nodename '%s'", w, errno, u.nodename);
    sethostname(c, strlen(c) - 1); /* restore */

    na = slurp("/proc/sys/kernel/ngroups_max", a, sizeof a);
    ktest_result("procinfo.ngroups_max", na > 0 && atoi(a) == 65536, "'%s'", a);
}

static int fn_groups(void *arg)
{
    (void)arg;
    gid_t set[] = { 300, 100, 200 }, got[8];
    char buf[2048];

    if (setgroups(3, set) != 0)
        return 2;
    int n = getgroups(0, NULL);
    if (n != 3)
        return 3;
    if (getgroups(2, got) != -1 || errno != EINVAL)
        return 4;
    if (getgroups(8, got) != 3)
        return 5;
    int seen = 0;
    for (int i = 0; i < 3; i++)
        seen |= got[i] == 100 ? 1 : got[i] == 200 ? 2 : got[i] == 300 ? 4 : 8;
    if (seen != 7)
        return 6;
    if (slurp("/proc/self/status", buf, sizeof buf) <= 0)
        return 7;
    char *g = strstr(buf, "\nGroups:\t");
    if (!g || !strstr(g, "100") || !strstr(g, "200") || !strstr(g, "300"))
        return 8;
    /* Group access through a supplementary group: a file of group 200
     * mode 0060, read by uid 65534 that has 200 as a supplementary group. */
    int fd = open("/tmp/procinfo_grp", O_CREAT | O_WRONLY | O_TRUNC, 0060);
    if (fd < 0 || write(fd, "x", 1) != 1 || fchown(fd, 0, 200) != 0 || fchmod(fd, 0060) != 0)
        return 9;
    close(fd);
    if (setgid(65534) || setuid(65534))
        return 10;
    fd = open("/tmp/procinfo_grp", O_RDONLY);
    if (fd < 0)
        return 11;
    close(fd);
    /* And an unprivileged setgroups is refused. */
    if (setgroups(1, set) != -1 || errno != EPERM)
        return 12;
    return 0;
}

static void t_groups(void)
{
    int st = ktest_in_child(fn_groups, NULL, 20);
    ktest_result("procinfo.supplementary_groups", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "%s (see fn_groups for the step)", ktest_wstr(st));
    unlink("/tmp/procinfo_grp");
    KTEST_ERRNO("procinfo.setgroups_efault", syscall(SYS_setgroups, 2, (void *)8), EFAULT);
    KTEST_ERRNO("procinfo.setgroups_einval", syscall(SYS_setgroups, 65537, NULL), EINVAL);
}

static void t_bad_pids(void)
{
    cpu_set_t set;
    struct rlimit rl;

    KTEST_ERRNO("procinfo.sched_getaffinity_neg_esrch", sched_getaffinity(-1, sizeof set, &set),
                ESRCH);
    KTEST_ERRNO("procinfo.prlimit_neg_esrch", prlimit(-1, RLIMIT_NOFILE, NULL, &rl), ESRCH);
    KTEST_ERRNO("procinfo.prlimit_efault_before_esrch",
                syscall(SYS_prlimit64, -1, RLIMIT_NOFILE, (void *)8, NULL), EFAULT);
}

int main(void)
{
    t_environ();
    t_environ_perm();
    t_cwd_root();
    t_task_dir();
    t_mountinfo();
    t_sys_kernel();
    t_groups();
    t_bad_pids();
    return 0;
}
