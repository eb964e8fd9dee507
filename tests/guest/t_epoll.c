/* t_epoll.c - epoll(7) and eventfd(2): level/edge triggering, EPOLLONESHOT,
 * EPOLLEXCLUSIVE rules, nesting and its loop checks, wake-ups from pipes,
 * eventfds and other threads, removal on close, and the error paths. */
#include "ktest.h"

#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

static int ev_wait(int ep, struct epoll_event *ev, int max, int ms)
{
    int n;
    do
        n = epoll_wait(ep, ev, max, ms);
    while (n < 0 && errno == EINTR);
    return n;
}

static void test_errors(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC), p[2], fd;
    struct epoll_event ev = { .events = EPOLLIN };
    char path[] = "/tmp/epoll_reg_XXXXXX";

    KTEST_CHECK("epoll.create1_cloexec", ep >= 0 && (fcntl(ep, F_GETFD) & FD_CLOEXEC));
    KTEST_ERRNO("epoll.create1_badflags", epoll_create1(1), EINVAL);
    KTEST_ERRNO("epoll.create_zero", epoll_create(0), EINVAL);
    fd = epoll_create(1);
    KTEST_CHECK("epoll.create_size", fd >= 0 && !(fcntl(fd, F_GETFD) & FD_CLOEXEC));
    close(fd);
    pipe(p);
    KTEST_ERRNO("epoll.ctl_badepfd", epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &ev), EBADF);
    KTEST_ERRNO("epoll.ctl_badfd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
    KTEST_ERRNO("epoll.ctl_notepoll", epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL);
    KTEST_ERRNO("epoll.ctl_self", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    KTEST_ERRNO("epoll.ctl_badop", epoll_ctl(ep, 42, p[0], &ev), EINVAL);
    KTEST_ERRNO("epoll.ctl_efault",
                syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], (void *)8), EFAULT);
    KTEST_ERRNO("epoll.ctl_mod_enoent", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
    KTEST_ERRNO("epoll.ctl_del_enoent", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
    KTEST_CHECK("epoll.ctl_add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
    KTEST_ERRNO("epoll.ctl_eexist", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    KTEST_CHECK("epoll.ctl_del_null", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == 0);
    fd = mkstemp(path);
    KTEST_ERRNO("epoll.ctl_regular_eperm", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), EPERM);
    close(fd);
    unlink(path);
    fd = open("/", O_RDONLY | O_DIRECTORY);
    KTEST_ERRNO("epoll.ctl_dir_eperm", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), EPERM);
    close(fd);
    /* EPOLLEXCLUSIVE: not with MOD, not on an epoll, only some bits. */
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    KTEST_ERRNO("epoll.excl_oneshot", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    KTEST_ERRNO("epoll.excl_mod", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
    fd = epoll_create1(0);
    KTEST_ERRNO("epoll.excl_epoll", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), EINVAL);
    close(fd);
    KTEST_CHECK("epoll.excl_add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
    ev.events = EPOLLIN;
    KTEST_ERRNO("epoll.excl_then_mod", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
    struct epoll_event out[2];
    KTEST_ERRNO("epoll.wait_maxevents0", epoll_wait(ep, out, 0, 0), EINVAL);
    KTEST_ERRNO("epoll.wait_maxevents_neg", syscall(SYS_epoll_pwait, ep, out, -1, 0, NULL, 8), EINVAL);
    KTEST_ERRNO("epoll.wait_badfd", epoll_wait(-1, out, 2, 0), EBADF);
    KTEST_ERRNO("epoll.wait_notepoll", epoll_wait(p[0], out, 2, 0), EINVAL);
    KTEST_ERRNO("epoll.wait_efault_kernel", syscall(SYS_epoll_pwait, ep, (void *)-4096L, 2, 0, NULL, 8), EFAULT);
    write(p[1], "x", 1);
    KTEST_ERRNO("epoll.wait_efault_ready", syscall(SYS_epoll_pwait, ep, (void *)8, 2, 0, NULL, 8), EFAULT);
    KTEST_CHECK("epoll.excl_wakes", ev_wait(ep, out, 2, 0) == 1 && out[0].events == EPOLLIN);
    struct timespec bad = { .tv_sec = 0, .tv_nsec = 2000000000L };
    KTEST_ERRNO("epoll.pwait2_badts",
                syscall(SYS_epoll_pwait2, ep, out, 2, &bad, NULL, 8), EINVAL);
    struct timespec zero = { 0 };
    KTEST_CHECK("epoll.pwait2",
                syscall(SYS_epoll_pwait2, ep, out, 2, &zero, NULL, 8) == 1);
    sigset_t ss;
    sigemptyset(&ss);
    KTEST_ERRNO("epoll.pwait_sigsetsize", syscall(SYS_epoll_pwait, ep, out, 2, 0, &ss, 4),
                EINVAL);
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void test_triggering(void)
{
    int ep = epoll_create1(0), p[2];
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1122334455667788ULL }, out[4];
    char c[8];

    pipe(p);
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    KTEST_CHECK("epoll.lt_empty", ev_wait(ep, out, 4, 0) == 0);
    write(p[1], "ab", 2);
    KTEST_CHECK("epoll.lt_ready", ev_wait(ep, out, 4, 0) == 1 && out[0].events == EPOLLIN &&
                                      out[0].data.u64 == 0x1122334455667788ULL);
    KTEST_CHECK("epoll.lt_again", ev_wait(ep, out, 4, 0) == 1);
    read(p[0], c, 2);
    KTEST_CHECK("epoll.lt_drained", ev_wait(ep, out, 4, 0) == 0);

    ev.events = EPOLLIN | EPOLLET;
    KTEST_CHECK("epoll.mod_et", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
    write(p[1], "a", 1);
    KTEST_CHECK("epoll.et_once", ev_wait(ep, out, 4, 0) == 1);
    KTEST_CHECK("epoll.et_not_again", ev_wait(ep, out, 4, 0) == 0);
    write(p[1], "b", 1);
    KTEST_CHECK("epoll.et_new_data", ev_wait(ep, out, 4, 0) == 1);
    read(p[0], c, 2);

    ev.events = EPOLLIN | EPOLLONESHOT;
    epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
    write(p[1], "a", 1);
    KTEST_CHECK("epoll.oneshot_once", ev_wait(ep, out, 4, 0) == 1);
    write(p[1], "b", 1);
    KTEST_CHECK("epoll.oneshot_disabled", ev_wait(ep, out, 4, 0) == 0);
    epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
    KTEST_CHECK("epoll.oneshot_rearm", ev_wait(ep, out, 4, 0) == 1);
    read(p[0], c, 2);

    /* POLLOUT on the write end, HUP when the other end closes. */
    ev.events = EPOLLOUT;
    ev.data.fd = p[1];
    epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
    KTEST_CHECK("epoll.pipe_out", ev_wait(ep, out, 4, 0) == 1 && out[0].data.fd == p[1] &&
                                      out[0].events == EPOLLOUT);
    epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = p[0];
    epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
    close(p[1]);
    KTEST_CHECK("epoll.pipe_hup",
                ev_wait(ep, out, 4, 0) == 1 && (out[0].events & EPOLLHUP) && out[0].data.fd == p[0]);
    close(p[0]);
    /* The last close removed the registration: the set is empty. */
    KTEST_CHECK("epoll.close_removes", ev_wait(ep, out, 4, 0) == 0);
    close(ep);
}

/* A dup keeps the description alive: the registration stays (epoll(7) Q6). */
static void test_close_semantics(void)
{
    int ep = epoll_create1(0), p[2], d;
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 }, out[2];

    pipe(p);
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    d = dup(p[0]);
    close(p[0]);
    write(p[1], "z", 1);
    KTEST_CHECK("epoll.dup_keeps", ev_wait(ep, out, 2, 0) == 1 && out[0].data.u32 == 7);
    KTEST_ERRNO("epoll.closed_fd_del", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
    close(d);
    KTEST_CHECK("epoll.dup_closed", ev_wait(ep, out, 2, 0) == 0);
    close(p[1]);
    /* Closing the epoll with items in it frees them; the pipes still work. */
    int ep2 = epoll_create1(0);
    pipe(p);
    epoll_ctl(ep2, EPOLL_CTL_ADD, p[0], &ev);
    close(ep2);
    KTEST_CHECK("epoll.close_ep_first", write(p[1], "a", 1) == 1);
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void test_nesting(void)
{
    int outer = epoll_create1(0), inner = epoll_create1(0), efd = eventfd(0, 0), e[12];
    struct epoll_event ev = { .events = EPOLLIN }, out[2];
    struct pollfd pfd = { .fd = inner, .events = POLLIN };
    uint64_t one = 1;

    epoll_ctl(inner, EPOLL_CTL_ADD, efd, &ev);
    ev.data.fd = inner;
    KTEST_CHECK("epoll.nest_add", epoll_ctl(outer, EPOLL_CTL_ADD, inner, &ev) == 0);
    KTEST_CHECK("epoll.nest_idle", ev_wait(outer, out, 2, 0) == 0 && poll(&pfd, 1, 0) == 0);
    write(efd, &one, 8);
    KTEST_CHECK("epoll.nest_ready", ev_wait(outer, out, 2, 0) == 1 && out[0].data.fd == inner);
    KTEST_CHECK("epoll.poll_epollfd", poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN);
    KTEST_ERRNO("epoll.nest_loop", epoll_ctl(inner, EPOLL_CTL_ADD, outer, &ev), ELOOP);
    close(outer);
    close(inner);
    close(efd);
    /* A chain e[0] <- e[1] <- ...: Linux refuses it once it gets too deep. */
    int depth_err = 0, i;
    for (i = 0; i < 12; i++)
        e[i] = epoll_create1(0);
    for (i = 1; i < 12; i++) {
        ev.data.fd = e[i - 1];
        if (epoll_ctl(e[i], EPOLL_CTL_ADD, e[i - 1], &ev) < 0) {
            depth_err = errno;
            break;
        }
    }
    KTEST_ERRNO("epoll.nest_depth", depth_err ? (errno = depth_err, -1) : 0, ELOOP);
    KTEST_CHECK("epoll.nest_depth_level", i >= 5 && i <= 9);
    for (i = 0; i < 12; i++)
        close(e[i]);
}

static void test_eventfd(void)
{
    int fd = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
    uint64_t v = 0;

    KTEST_CHECK("eventfd.flags", fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) &&
                                      (fcntl(fd, F_GETFD) & FD_CLOEXEC));
    KTEST_CHECK("eventfd.read", read(fd, &v, 8) == 8 && v == 3);
    KTEST_ERRNO("eventfd.read_empty", read(fd, &v, 8), EAGAIN);
    KTEST_ERRNO("eventfd.read_short", read(fd, &v, 4), EINVAL);
    KTEST_ERRNO("eventfd.write_short", write(fd, &v, 4), EINVAL);
    v = ~0ULL;
    KTEST_ERRNO("eventfd.write_max", write(fd, &v, 8), EINVAL);
    v = 0xfffffffffffffffeULL;
    KTEST_CHECK("eventfd.write_full", write(fd, &v, 8) == 8);
    v = 1;
    KTEST_ERRNO("eventfd.write_overflow", write(fd, &v, 8), EAGAIN);
    struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
    KTEST_CHECK("eventfd.poll_full", poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN);
    KTEST_ERRNO("eventfd.read_efault", syscall(SYS_read, fd, (void *)8, 8), EFAULT);
    read(fd, &v, 8);
    KTEST_ERRNO("eventfd.badflags", eventfd(0, 0x10), EINVAL);
    close(fd);

    fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    KTEST_CHECK("eventfd.sem1", read(fd, &v, 8) == 8 && v == 1);
    KTEST_CHECK("eventfd.sem2", read(fd, &v, 8) == 8 && v == 1);
    KTEST_ERRNO("eventfd.sem_empty", read(fd, &v, 8), EAGAIN);
    char link[64] = "", path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    KTEST_CHECK("eventfd.proc_link", n > 0 && !strcmp(link, "anon_inode:[eventfd]"));
    close(fd);
}

struct waker {
    int fd;
    int delay_ms;
};

static void *waker_thread(void *arg)
{
    struct waker *w = arg;
    uint64_t one = 1;

    usleep(w->delay_ms * 1000);
    write(w->fd, &one, 8);
    return NULL;
}

/* epoll_wait sleeps and another thread's eventfd write wakes it. */
static void test_wakeup(void)
{
    int ep = epoll_create1(0), efd = eventfd(0, 0);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 5 }, out[2];
    struct waker w = { efd, 50 };
    struct timespec t0, t1;
    pthread_t th;

    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_create(&th, NULL, waker_thread, &w);
    int n = ev_wait(ep, out, 2, 5000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(th, NULL);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    KTEST_CHECK("epoll.thread_wakeup", n == 1 && out[0].data.u32 == 5 && ms < 4000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    n = ev_wait(ep, out, 2, 100);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    KTEST_CHECK("epoll.timeout", n == 0 && ms >= 90);

    close(efd);
    close(ep);
}

/* Sockets and the console get epoll through their poll hooks. */
static void test_socket_tty(void)
{
    int ep = epoll_create1(0), sv[2];
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u32 = 1 }, out[2];
    char c;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        ktest_result("epoll.socketpair", 0, "socketpair: %s", strerror(errno));
    } else {
        epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
        KTEST_CHECK("epoll.sock_idle", ev_wait(ep, out, 2, 0) == 0);
        write(sv[1], "a", 1);
        KTEST_CHECK("epoll.sock_in", ev_wait(ep, out, 2, 1000) == 1 && out[0].events == EPOLLIN);
        read(sv[0], &c, 1);
        shutdown(sv[1], SHUT_WR);
        KTEST_CHECK("epoll.sock_rdhup", ev_wait(ep, out, 2, 1000) == 1 &&
                                            (out[0].events & (EPOLLIN | EPOLLRDHUP)) ==
                                                (EPOLLIN | EPOLLRDHUP));
        close(sv[0]);
        close(sv[1]);
    }
    if (isatty(1)) {
        ev.events = EPOLLOUT;
        ev.data.u32 = 2;
        int d = dup(1);
        KTEST_CHECK("epoll.tty_out", epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev) == 0 &&
                                         ev_wait(ep, out, 2, 0) == 1 && out[0].data.u32 == 2 &&
                                         out[0].events == EPOLLOUT);
        close(d);
    } else {
        ktest_skip("epoll.tty_out", "stdout is not a terminal");
    }
    close(ep);
}

static void on_usr1(int s)
{
    (void)s;
}

static void test_eintr(void)
{
    int ep = epoll_create1(0);
    struct epoll_event out[1];
    struct sigaction sa = { .sa_handler = on_usr1 };
    pid_t parent = getpid(), pid;

    sigaction(SIGUSR1, &sa, NULL);
    pid = fork();
    if (pid == 0) {
        usleep(100000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    errno = 0;
    int n = epoll_wait(ep, out, 1, 5000), e = errno;
    KTEST_CHECK("epoll.eintr", n == -1 && e == EINTR);
    waitpid(pid, NULL, 0);
    close(ep);
}

int main(void)
{
    test_errors();
    test_triggering();
    test_close_semantics();
    test_nesting();
    test_eventfd();
    test_wakeup();
    test_socket_tty();
    test_eintr();
    return ktest_nfail ? 1 : 0;
}
