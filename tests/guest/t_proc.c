/* t_proc.c - processes: fork/vfork/clone/execve/wait/exit, pids, threads. */
#include "ktest.h"

#include <elf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>

static volatile int g_var = 1;

/* Fork a child that runs fn and _exit()s with its value; return status. */
static int child_status(int (*fn)(void *), void *arg)
{
    return ktest_in_child(fn, arg, 20);
}

static int wait_child(pid_t pid)
{
    int st = -1;
    pid_t w;
    do
        w = waitpid(pid, &st, 0);
    while (w < 0 && errno == EINTR);
    return w == pid ? st : -1;
}

/* ---- fork / exit status ---------------------------------------------- */

static void t_fork_exit(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(42);
    int st = -1;
    struct rusage ru;
    pid_t w = wait4(pid, &st, 0, &ru);
    ktest_result("proc.fork_exit_status",
                 pid > 0 && w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42,
                 "fork=%d wait4=%d %s", (int)pid, (int)w, ktest_wstr(st));
}

static int fn_mod_global(void *a)
{
    (void)a;
    g_var = 2;
    return g_var + 10;
}

static void t_fork_memory(void)
{
    g_var = 1;
    int st = child_status(fn_mod_global, NULL);
    ktest_result("proc.fork_memory_isolated",
                 st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 12 && g_var == 1,
                 "child %s, parent g_var=%d", ktest_wstr(st), g_var);
}

static void t_fork_shared_offset(void)
{
    int fd = open("offset.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    pid_t pid = fork();
    if (pid == 0) {
        _exit(write(fd, "abc", 3) == 3 ? 0 : 1);
    }
    int st = wait_child(pid);
    ssize_t w = write(fd, "def", 3);
    char buf[16] = {0};
    ssize_t r = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    ktest_result("proc.fork_shared_file_offset",
                 fd >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && w == 3 &&
                     r == 6 && strcmp(buf, "abcdef") == 0,
                 "child %s, file='%s' (r=%zd)", ktest_wstr(st), buf, r);
}

static void t_pids(void)
{
    int p[2];
    if (pipe(p) != 0) {
        ktest_result("proc.getpid_getppid", 0, "pipe failed errno=%d", errno);
        return;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        pid_t v[2] = {getpid(), getppid()};
        _exit(write(p[1], v, sizeof v) == sizeof v ? 0 : 1);
    }
    pid_t v[2] = {0, 0};
    ssize_t r = read(p[0], v, sizeof v);
    int st = wait_child(pid);
    close(p[0]);
    close(p[1]);
    ktest_result("proc.getpid_getppid",
                 r == sizeof v && v[0] == pid && v[1] == parent && pid != parent &&
                     WIFEXITED(st),
                 "fork=%d child saw pid=%d ppid=%d, parent=%d", (int)pid,
                 (int)v[0], (int)v[1], (int)parent);

    long tid = syscall(SYS_gettid);
    ktest_result("proc.gettid_main_eq_pid", tid == getpid(), "gettid=%ld getpid=%d",
                 tid, (int)getpid());

    int dummy = 0;
    long r2 = syscall(SYS_set_tid_address, &dummy);
    ktest_result("proc.set_tid_address", r2 == tid, "set_tid_address=%ld gettid=%ld",
                 r2, tid);
}

/* ---- vfork / clone ---------------------------------------------------- */

static void t_vfork(void)
{
    pid_t pid = vfork();
    if (pid == 0)
        _exit(7);
    int st = wait_child(pid);
    ktest_result("proc.vfork_exit_status",
                 pid > 0 && st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7,
                 "vfork=%d %s", (int)pid, ktest_wstr(st));

    char *argv[] = {"true", NULL};
    char *envp[] = {NULL};
    pid = vfork();
    if (pid == 0) {
        execve("/bin/true", argv, envp);
        _exit(127);
    }
    st = wait_child(pid);
    ktest_result("proc.vfork_execve",
                 pid > 0 && st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "vfork=%d %s", (int)pid, ktest_wstr(st));
}

static void t_clone_raw(void)
{
    /* clone(SIGCHLD) with no other flags behaves like fork. The argument
     * order differs between x86_64 and arm64 only in the last two (tls,
     * ctid), which are zero here. */
    g_var = 1;
    long r = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    if (r == 0) {
        g_var = 5;
        syscall(SYS_exit_group, 33);
    }
    int st = r > 0 ? wait_child((pid_t)r) : -1;
    ktest_result("proc.clone_fork_semantics",
                 r > 0 && st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 33 && g_var == 1,
                 "clone=%ld errno=%d %s g_var=%d", r, errno, ktest_wstr(st), g_var);
}

/* ---- execve ------------------------------------------------------------ */

struct exec_args {
    const char *path;
    char **argv;
    char **envp;
    int quiet;
};

/* Child: execve; if it returns, exit with errno (so the parent can check). */
static int fn_exec(void *a)
{
    struct exec_args *e = a;
    if (e->quiet) {
        int n = open("/dev/null", O_WRONLY);
        if (n >= 0) {
            dup2(n, 1);
            dup2(n, 2);
        }
    }
    execve(e->path, e->argv, e->envp);
    return errno; /* errno values checked here are all < 128 */
}

static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, data, len);
    close(fd);
    if (chmod(path, mode) != 0)
        return -1;
    return w == (ssize_t)len ? 0 : -1;
}

static void t_execve(void)
{
    char *argv_true[] = {"true", NULL};
    char *envp0[] = {NULL};
    struct exec_args e = {"/bin/true", argv_true, envp0, 0};
    int st = child_status(fn_exec, &e);
    ktest_result("proc.execve_bin_true", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "/bin/true: %s", ktest_wstr(st));

    char *argv_sh[] = {"sh", "-c",
                       "[ \"$KT\" = hello ] && [ \"$0\" = zero ] && [ \"$1\" = one ] && exit 7; exit 1",
                       "zero", "one", NULL};
    char *envp_sh[] = {"KT=hello", "PATH=/bin:/usr/bin", NULL};
    struct exec_args e2 = {"/bin/sh", argv_sh, envp_sh, 0};
    st = child_status(fn_exec, &e2);
    ktest_result("proc.execve_argv_envp", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7,
                 "/bin/sh -c ...: %s (want exit 7)", ktest_wstr(st));

    /* Error paths, each in a child (in case execve wrongly succeeds). */
    struct exec_args e3 = {"/nonexistent_kt/prog", argv_true, envp0, 1};
    st = child_status(fn_exec, &e3);
    ktest_result("proc.execve_enoent", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == ENOENT,
                 "%s (want exit %d = ENOENT)", ktest_wstr(st), ENOENT);

    const char text[] = "this is not an executable\njust text\n";
    write_file("notelf", text, sizeof text - 1, 0755);
    struct exec_args e4 = {"notelf", argv_true, envp0, 1};
    st = child_status(fn_exec, &e4);
    ktest_result("proc.execve_enoexec_text",
                 st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == ENOEXEC,
                 "%s (want exit %d = ENOEXEC)", ktest_wstr(st), ENOEXEC);

    /* A 100-byte file holding a valid ELF header whose program headers lie
     * beyond the end of the file: Linux fails with EIO (short read). */
    unsigned char buf[100];
    memset(buf, 0, sizeof buf);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
#if defined(__x86_64__)
    eh->e_machine = EM_X86_64;
#elif defined(__aarch64__)
    eh->e_machine = EM_AARCH64;
#endif
    eh->e_version = EV_CURRENT;
    eh->e_entry = 0x400000;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = 4;
    write_file("truncelf", buf, sizeof buf, 0755);
    struct exec_args e5 = {"truncelf", argv_true, envp0, 1};
    st = child_status(fn_exec, &e5);
    ktest_result("proc.execve_truncated_elf",
                 st >= 0 && WIFEXITED(st) &&
                     (WEXITSTATUS(st) == EIO || WEXITSTATUS(st) == ENOEXEC),
                 "%s (want exit %d = EIO or %d = ENOEXEC)", ktest_wstr(st), EIO, ENOEXEC);

    write_file("noexec", "#!/bin/sh\nexit 0\n", 17, 0644);
    struct exec_args e6 = {"noexec", argv_true, envp0, 1};
    st = child_status(fn_exec, &e6);
    ktest_result("proc.execve_eacces_mode",
                 st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == EACCES,
                 "%s (want exit %d = EACCES)", ktest_wstr(st), EACCES);

    struct exec_args e7 = {".", argv_true, envp0, 1};
    st = child_status(fn_exec, &e7);
    ktest_result("proc.execve_eacces_dir",
                 st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == EACCES,
                 "%s (want exit %d = EACCES)", ktest_wstr(st), EACCES);

    write_file("script.sh", "#!/bin/sh\nexit 9\n", 17, 0755);
    struct exec_args e8 = {"./script.sh", argv_true, envp0, 0};
    st = child_status(fn_exec, &e8);
    ktest_result("proc.execve_shebang", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 9,
                 "%s (want exit 9)", ktest_wstr(st));
}

static int fn_exec_cloexec(void *a)
{
    (void)a;
    int fd1 = open("/dev/null", O_RDONLY);
    int fd2 = open("/dev/null", O_RDONLY);
    if (fd1 < 0 || fd2 < 0 || dup2(fd1, 7) != 7 || dup2(fd2, 8) != 8)
        return 100;
    if (fcntl(8, F_SETFD, FD_CLOEXEC) != 0)
        return 101;
    int n = open("/dev/null", O_WRONLY);
    dup2(n, 2);
    /* exit 0 if fd 7 is open and fd 8 is closed in the new image */
    char *argv[] = {"sh", "-c", "true <&7 || exit 3; true <&8 && exit 4; exit 0", NULL};
    char *envp[] = {NULL};
    execve("/bin/sh", argv, envp);
    return 102;
}

static void t_exec_cloexec(void)
{
    int st = child_status(fn_exec_cloexec, NULL);
    ktest_result("proc.execve_cloexec", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "%s (3: inherited fd closed, 4: cloexec fd still open)", ktest_wstr(st));
}

/* ---- wait / kill / signals killing children -------------------------- */

static void t_wait_misc(void)
{
    /* WNOHANG on a running child returns 0; child blocks on a pipe. */
    int p[2];
    if (pipe(p) != 0) {
        ktest_result("proc.waitpid_wnohang", 0, "pipe errno=%d", errno);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        alarm(20);
        _exit(read(p[0], &c, 1) == 0 ? 3 : 4);
    }
    close(p[0]);
    int st = 0;
    pid_t w = waitpid(pid, &st, WNOHANG);
    close(p[1]); /* child sees EOF and exits 3 */
    int st2 = wait_child(pid);
    ktest_result("proc.waitpid_wnohang",
                 w == 0 && WIFEXITED(st2) && WEXITSTATUS(st2) == 3,
                 "WNOHANG returned %d, final %s", (int)w, ktest_wstr(st2));

    /* waitid reports CLD_EXITED with the status. */
    pid = fork();
    if (pid == 0)
        _exit(21);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, pid, &si, WEXITED);
    ktest_result("proc.waitid_cld_exited",
                 r == 0 && si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 21 &&
                     si.si_signo == SIGCHLD,
                 "r=%d si_pid=%d si_code=%d si_status=%d", r, (int)si.si_pid, si.si_code,
                 si.si_status);

    /* No children left: ECHILD. */
    KTEST_ERRNO("proc.wait4_echild", wait4(-1, &st, 0, NULL), ECHILD);

    /* kill of a pid that was just reaped: ESRCH. */
    pid = fork();
    if (pid == 0)
        _exit(0);
    wait_child(pid);
    KTEST_ERRNO("proc.kill_reaped_esrch", kill(pid, 0), ESRCH);
    KTEST_CHECK("proc.kill_self_sig0", kill(getpid(), 0) == 0);
}

static void t_child_signals(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        for (;;)
            pause();
    }
    usleep(10000);
    kill(pid, SIGTERM);
    int st = wait_child(pid);
    ktest_result("proc.sigterm_default_kills",
                 st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "%s (want SIGTERM=%d)",
                 ktest_wstr(st), SIGTERM);

    pid = fork();
    if (pid == 0) {
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, NULL); /* cannot block SIGKILL */
        alarm(20);
        for (;;)
            pause();
    }
    usleep(10000);
    kill(pid, SIGKILL);
    st = wait_child(pid);
    ktest_result("proc.sigkill_unblockable",
                 st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s (want SIGKILL=%d)",
                 ktest_wstr(st), SIGKILL);

    pid = fork();
    if (pid == 0) {
        alarm(20);
        *(volatile int *)0 = 1;
        _exit(0);
    }
    st = wait_child(pid);
    ktest_result("proc.null_deref_sigsegv",
                 st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "%s (want SIGSEGV=%d)",
                 ktest_wstr(st), SIGSEGV);

    pid = fork();
    if (pid == 0) {
        alarm(20);
        abort();
    }
    st = wait_child(pid);
    ktest_result("proc.abort_sigabrt", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
                 "%s (want SIGABRT=%d)", ktest_wstr(st), SIGABRT);
}

static int fn_session(void *a)
{
    (void)a;
    if (setpgid(0, 0) != 0)
        return 1;
    if (getpgrp() != getpid())
        return 2;
    /* a process group leader may not setsid */
    if (setsid() != -1 || errno != EPERM)
        return 3;
    pid_t pid = fork();
    if (pid == 0) {
        pid_t s = setsid();
        if (s != getpid())
            _exit(4);
        if (getsid(0) != getpid() || getpgrp() != getpid())
            _exit(5);
        _exit(0);
    }
    int st = wait_child(pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 6;
}

static void t_session(void)
{
    int st = child_status(fn_session, NULL);
    ktest_result("proc.setpgid_setsid", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "%s (1:setpgid 2:getpgrp 3:setsid-on-leader 4:setsid 5:getsid)",
                 ktest_wstr(st));
}

/* A process group lives until its last member is reaped: a zombie leader still
 * holds it, so a sibling may join it (setpgid(2), as a shell does for the later
 * commands of a pipeline whose first command already exited). */
static void t_pgrp_zombie_leader(void)
{
    pid_t a = fork();
    if (a == 0) {
        setpgid(0, 0);
        _exit(0);
    }
    if (a < 0) {
        ktest_result("proc.setpgid_zombie_leader", 0, "fork: %s", strerror(errno));
        return;
    }
    setpgid(a, a); /* as the shell does too; the child may be gone already (EACCES/ESRCH) */
    siginfo_t si;
    /* wait until a is a zombie, without reaping it */
    int w = waitid(P_PID, a, &si, WEXITED | WNOWAIT);
    pid_t b = fork();
    if (b == 0) {
        _exit(setpgid(0, a) == 0 && getpgrp() == a ? 0 : 1);
    }
    int st = wait_child(b);
    int sta = wait_child(a);
    ktest_result("proc.setpgid_zombie_leader",
                 w == 0 && st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && sta >= 0,
                 "waitid %d, joiner %s", w, ktest_wstr(st));
}

/* ---- threads ------------------------------------------------------------ */

static atomic_int g_counter;
static __thread int t_tls = -1;

struct thr {
    int id;
    long tid;
    int tls_ok;
};

static void *thr_main(void *a)
{
    struct thr *t = a;
    t->tid = syscall(SYS_gettid);
    t_tls = t->id;
    for (int i = 0; i < 1000; i++) {
        atomic_fetch_add(&g_counter, 1);
        if (i % 100 == 0)
            sched_yield();
    }
    t->tls_ok = (t_tls == t->id);
    return (void *)(long)(t->id + 100);
}

static void t_threads(void)
{
    enum { N = 4 };
    pthread_t th[N];
    struct thr t[N];
    int created = 0;
    atomic_store(&g_counter, 0);
    t_tls = 99;
    for (int i = 0; i < N; i++) {
        t[i].id = i;
        t[i].tid = 0;
        t[i].tls_ok = 0;
        if (pthread_create(&th[i], NULL, thr_main, &t[i]) == 0)
            created++;
    }
    int joined_ok = 1;
    for (int i = 0; i < created; i++) {
        void *ret = NULL;
        if (pthread_join(th[i], &ret) != 0 || (long)ret != i + 100)
            joined_ok = 0;
    }
    ktest_result("proc.pthread_create_join",
                 created == N && joined_ok && atomic_load(&g_counter) == N * 1000,
                 "created=%d joined_ok=%d counter=%d", created, joined_ok,
                 atomic_load(&g_counter));
    int distinct = 1, tls_ok = t_tls == 99;
    long me = syscall(SYS_gettid);
    for (int i = 0; i < created; i++) {
        tls_ok &= t[i].tls_ok;
        if (t[i].tid <= 0 || t[i].tid == me)
            distinct = 0;
        for (int j = 0; j < i; j++)
            if (t[i].tid == t[j].tid)
                distinct = 0;
    }
    ktest_result("proc.thread_tids_distinct", created == N && distinct, "tids not distinct");
    ktest_result("proc.thread_tls", created == N && tls_ok, "__thread variables shared");
}

/* producer/consumer through a mutex + condition variable (futex) */
static pthread_mutex_t pc_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pc_cv = PTHREAD_COND_INITIALIZER;
static int pc_slot = -1, pc_done;
enum { PC_N = 500 };

static void *producer(void *a)
{
    (void)a;
    for (int i = 0; i < PC_N; i++) {
        pthread_mutex_lock(&pc_mu);
        while (pc_slot != -1)
            pthread_cond_wait(&pc_cv, &pc_mu);
        pc_slot = i;
        pthread_cond_broadcast(&pc_cv);
        pthread_mutex_unlock(&pc_mu);
    }
    return NULL;
}

static void t_condvar(void)
{
    pthread_t th;
    long sum = 0;
    int ok = pthread_create(&th, NULL, producer, NULL) == 0;
    if (ok) {
        for (int i = 0; i < PC_N; i++) {
            pthread_mutex_lock(&pc_mu);
            while (pc_slot == -1)
                pthread_cond_wait(&pc_cv, &pc_mu);
            sum += pc_slot;
            pc_slot = -1;
            pthread_cond_broadcast(&pc_cv);
            pthread_mutex_unlock(&pc_mu);
        }
        pthread_join(th, NULL);
        pc_done = 1;
    }
    ktest_result("proc.futex_condvar_handoff", ok && sum == (long)PC_N * (PC_N - 1) / 2,
                 "created=%d sum=%ld want %ld", ok, sum, (long)PC_N * (PC_N - 1) / 2);
}

static void *thr_exit_group(void *a)
{
    (void)a;
    usleep(20000);
    _exit(5); /* exit_group: takes the whole process down */
}

static int fn_thread_exit_group(void *a)
{
    (void)a;
    pthread_t th;
    if (pthread_create(&th, NULL, thr_exit_group, NULL) != 0)
        return 1;
    for (;;)
        pause();
}

static void t_thread_exit_group(void)
{
    int st = child_status(fn_thread_exit_group, NULL);
    ktest_result("proc.thread_exit_group", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 5,
                 "%s (want exit 5)", ktest_wstr(st));
}

static int fn_many_forks(void *a)
{
    (void)a;
    for (int i = 0; i < 100; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0)
            _exit(i & 0x7f);
        int st = wait_child(pid);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != (i & 0x7f))
            return 2;
    }
    return 0;
}

static void t_many_forks(void)
{
    int st = ktest_in_child(fn_many_forks, NULL, 60);
    ktest_result("proc.fork_100_sequential", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
                 "%s", ktest_wstr(st));
}

int main(void)
{
    umask(022);
    if (ktest_enter_scratch("t_proc") != 0)
        ktest_result("proc.scratch_dir", 0, "cannot enter scratch dir errno=%d", errno);
    t_fork_exit();
    t_fork_memory();
    t_fork_shared_offset();
    t_pids();
    t_vfork();
    t_clone_raw();
    t_execve();
    t_exec_cloexec();
    t_wait_misc();
    t_child_signals();
    t_session();
    t_pgrp_zombie_leader();
    t_threads();
    t_condvar();
    t_thread_exit_group();
    t_many_forks();
    return 0;
}
