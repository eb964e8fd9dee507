/* t_ns.c - the UTS namespace: unshare(2) with CLONE_NEWUTS (and the
 * sharing flags it undoes), /proc/<pid>/ns/uts, setns(2), and their errors. */
#include "ktest.h"

#include <pthread.h>
#include <sched.h>

static int ns_link(pid_t pid, char *buf, size_t len)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/uts", (int)pid);
    ssize_t n = readlink(path, buf, len - 1);
    if (n < 0)
        return -1;
    buf[n] = 0;
    return 0;
}

static int fn_unshare(void *arg)
{
    (void)arg;
    char before[64], after[64], hn[64];
    if (ns_link(getpid(), before, sizeof before))
        return 10;
    if (unshare(CLONE_NEWUTS) != 0)
        return 1;
    if (sethostname("kt-ns-child", 11) != 0)
        return 2;
    if (gethostname(hn, sizeof hn) != 0 || strcmp(hn, "kt-ns-child") != 0)
        return 3;
    if (ns_link(getpid(), after, sizeof after) || !strcmp(before, after) || strncmp(after, "uts:[", 5) != 0)
        return 4;
    return 0;
}

static void *sleeper(void *arg)
{
    int *fd = arg;
    char c;
    read(*fd, &c, 1);
    return NULL;
}

static int fn_threads(void *arg)
{
    (void)arg;
    int p[2];
    pthread_t th;
    if (pipe(p) || pthread_create(&th, NULL, sleeper, &p[0]))
        return 1;
    int r = unshare(CLONE_VM);
    int e = errno;
    write(p[1], "x", 1);
    pthread_join(th, NULL);
    return r == -1 && e == EINVAL ? 0 : 2;
}

static int fn_user(void *arg)
{
    (void)arg;
    int fd = open("/proc/self/ns/uts", O_RDONLY);
    if (setgid(65534) != 0 || setuid(65534) != 0)
        return 1;
    KTEST_ERRNO("ns.user_unshare_uts_eperm", unshare(CLONE_NEWUTS), EPERM);
    KTEST_ERRNO("ns.user_setns_eperm", setns(fd, CLONE_NEWUTS), EPERM);
    return 0;
}

static void t_unshare(void)
{
    char hn[64], again[64];
    gethostname(hn, sizeof hn);
    int st = ktest_in_child(fn_unshare, NULL, 30);
    ktest_result("ns.unshare_uts_child", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    gethostname(again, sizeof again);
    ktest_result("ns.unshare_uts_parent_unchanged", !strcmp(hn, again), "'%s' -> '%s'", hn, again);
    KTEST_ERRNO("ns.unshare_bad_flags_einval", unshare(0x1), EINVAL);
    KTEST_CHECK("ns.unshare_none", unshare(0) == 0);
    int fd = dup(1);
    KTEST_CHECK("ns.unshare_files", unshare(CLONE_FILES) == 0 && fcntl(fd, F_GETFD) >= 0);
    close(fd);
    KTEST_CHECK("ns.unshare_fs", unshare(CLONE_FS) == 0);
    KTEST_CHECK("ns.unshare_vm_single_thread", unshare(CLONE_VM | CLONE_SIGHAND) == 0);
    st = ktest_in_child(fn_threads, NULL, 30);
    ktest_result("ns.unshare_vm_threads_einval", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
                 ktest_wstr(st));
    char link[64];
    ktest_result("ns.proc_ns_uts_link", ns_link(getpid(), link, sizeof link) == 0 && !strncmp(link, "uts:[", 5),
                 "link='%s'", link);
}

/* A child in a namespace of its own; another joins it with setns. */
static void t_setns(void)
{
    int go[2], ready[2];
    char c;
    if (pipe(go) || pipe(ready))
        return;
    pid_t a = fork();
    if (a == 0) {
        close(go[1]);
        close(ready[0]);
        if (unshare(CLONE_NEWUTS) != 0 || sethostname("kt-ns-a", 7) != 0)
            _exit(1);
        write(ready[1], "r", 1);
        read(go[0], &c, 1);
        _exit(0);
    }
    close(go[0]);
    close(ready[1]);
    int ok = read(ready[0], &c, 1) == 1;
    ktest_result("ns.setns_target_ready", ok, "child a did not unshare");
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/uts", (int)a);
    int fd = open(path, O_RDONLY);
    KTEST_CHECK("ns.open_proc_ns_uts", fd >= 0);
    pid_t b = fork();
    if (b == 0) {
        char hn[64] = "";
        if (setns(fd, CLONE_NEWUTS) != 0)
            _exit(1);
        gethostname(hn, sizeof hn);
        _exit(strcmp(hn, "kt-ns-a") == 0 ? 0 : 2);
    }
    int st = 0;
    waitpid(b, &st, 0);
    ktest_result("ns.setns_joins", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    b = fork();
    if (b == 0)
        _exit(setns(fd, 0) == 0 ? 0 : 1);
    waitpid(b, &st, 0);
    ktest_result("ns.setns_nstype_0", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    KTEST_ERRNO("ns.setns_wrong_type_einval", setns(fd, CLONE_NEWNET), EINVAL);
    KTEST_ERRNO("ns.setns_not_ns_einval", setns(0, CLONE_NEWUTS), EINVAL);
    KTEST_ERRNO("ns.setns_ebadf", setns(-1, CLONE_NEWUTS), EBADF);
    write(go[1], "g", 1);
    waitpid(a, &st, 0);
    /* The namespace outlives its last task while the file is open. */
    b = fork();
    if (b == 0) {
        char hn[64] = "";
        if (setns(fd, CLONE_NEWUTS) != 0)
            _exit(1);
        gethostname(hn, sizeof hn);
        _exit(strcmp(hn, "kt-ns-a") == 0 ? 0 : 2);
    }
    waitpid(b, &st, 0);
    ktest_result("ns.setns_after_owner_exit", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    st = ktest_in_child_relay(fn_user, NULL, 30);
    ktest_result("ns.user_child", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    close(fd);
    close(go[1]);
    close(ready[0]);
}

int main(void)
{
    t_unshare();
    t_setns();
    return ktest_nfail ? 1 : 0;
}
