/* t_mqueue.c - POSIX message queues [mq_overview(7)]: mq_open/mq_unlink
 * errors, attributes, priority order, full and empty queues (EAGAIN,
 * ETIMEDOUT), EMSGSIZE, mq_notify with SIGEV_SIGNAL (si_code SI_MESGQ,
 * the value, EBUSY for a second process), mq_setattr, poll, a blocked
 * receiver woken by a sender, and bad descriptors and pointers. */
#include "ktest.h"

#include <mqueue.h>
#include <poll.h>
#include <time.h>

#define QN "/kt_mq"

static volatile sig_atomic_t got_sig, got_code;
static volatile long got_val;
static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    got_sig = sig;
    got_code = si->si_code;
    got_val = (long)si->si_value.sival_ptr;
}

static struct timespec in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    return ts;
}

static int child_busy(void *arg)
{
    mqd_t q = *(mqd_t *)arg;
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
    errno = 0;
    return mq_notify(q, &ev) == -1 && errno == EBUSY ? 0 : 1;
}

static int child_receive(void *arg)
{
    mqd_t q = mq_open(QN, O_RDONLY);
    char buf[64];
    unsigned prio = 0;
    (void)arg;
    ssize_t n = mq_receive(q, buf, sizeof buf, &prio); /* blocks until the parent sends */
    return n == 4 && !memcmp(buf, "wake", 4) && prio == 9 ? 0 : 1;
}

int main(void)
{
    struct mq_attr at = { .mq_maxmsg = 4, .mq_msgsize = 64 }, got;
    char buf[128];
    unsigned prio;

    mq_unlink(QN);
    mqd_t q = mq_open(QN, O_RDWR | O_CREAT | O_EXCL, 0600, &at);
    KTEST_CHECK("mq.open_create", q != (mqd_t)-1);
    KTEST_CHECK("mq.getattr", mq_getattr(q, &got) == 0 && got.mq_maxmsg == 4 && got.mq_msgsize == 64 &&
                                  got.mq_curmsgs == 0 && got.mq_flags == 0);
    KTEST_ERRNO("mq.open_excl_eexist", mq_open(QN, O_RDWR | O_CREAT | O_EXCL, 0600, &at), EEXIST);
    KTEST_ERRNO("mq.open_missing_enoent", mq_open("/kt_mq_none", O_RDWR), ENOENT);
    KTEST_ERRNO("mq.open_slash_eacces", mq_open("/kt/mq", O_RDWR | O_CREAT, 0600, NULL), EACCES);
    struct mq_attr bad = { .mq_maxmsg = 0, .mq_msgsize = 64 };
    KTEST_ERRNO("mq.open_bad_attr_einval", mq_open("/kt_mq_bad", O_RDWR | O_CREAT, 0600, &bad), EINVAL);
    bad.mq_maxmsg = 65537;
    KTEST_ERRNO("mq.open_too_many_msgs_einval", mq_open("/kt_mq_bad", O_RDWR | O_CREAT, 0600, &bad), EINVAL);
    char longname[300] = "/";
    memset(longname + 1, 'n', 280);
    KTEST_ERRNO("mq.open_long_name", mq_open(longname, O_RDWR | O_CREAT, 0600, NULL), ENAMETOOLONG);

    mq_send(q, "a", 1, 1);
    mq_send(q, "b", 1, 5);
    mq_send(q, "c", 1, 1);
    mq_send(q, "d", 1, 5);
    char order[5] = { 0 };
    unsigned prios[4] = { 0 };
    for (int i = 0; i < 4; i++)
        if (mq_receive(q, buf, sizeof buf, &prios[i]) == 1)
            order[i] = buf[0];
    ktest_result("mq.priority_order", !strcmp(order, "bdac") && prios[0] == 5 && prios[3] == 1, "order %s", order);

    KTEST_ERRNO("mq.receive_small_buffer", mq_receive(q, buf, 63, &prio), EMSGSIZE);
    KTEST_ERRNO("mq.send_too_long", mq_send(q, buf, 65, 0), EMSGSIZE);
    KTEST_ERRNO("mq.send_bad_prio", mq_send(q, "x", 1, 32768), EINVAL);
    struct timespec t = in_ms(50);
    KTEST_ERRNO("mq.receive_timeout", mq_timedreceive(q, buf, sizeof buf, &prio, &t), ETIMEDOUT);
    struct timespec badts = { .tv_sec = 0, .tv_nsec = 2000000000L };
    KTEST_ERRNO("mq.receive_bad_timespec", mq_timedreceive(q, buf, sizeof buf, &prio, &badts), EINVAL);
    KTEST_ERRNO("mq.send_efault", mq_send(q, ktest_ptr(16), 8, 0), EFAULT);

    for (int i = 0; i < 4; i++)
        mq_send(q, "f", 1, 0);
    t = in_ms(50);
    KTEST_ERRNO("mq.send_full_timeout", mq_timedsend(q, "f", 1, 0, &t), ETIMEDOUT);
    struct mq_attr nb = { .mq_flags = O_NONBLOCK };
    KTEST_CHECK("mq.setattr_nonblock", mq_setattr(q, &nb, NULL) == 0 && mq_getattr(q, &got) == 0 &&
                                           (got.mq_flags & O_NONBLOCK) && got.mq_curmsgs == 4);
    KTEST_ERRNO("mq.send_full_eagain", mq_send(q, "f", 1, 0), EAGAIN);
    struct pollfd p = { .fd = q, .events = POLLIN | POLLOUT };
    KTEST_CHECK("mq.poll_full", poll(&p, 1, 0) == 1 && (p.revents & POLLIN) && !(p.revents & POLLOUT));
    for (int i = 0; i < 4; i++)
        mq_receive(q, buf, sizeof buf, &prio);
    KTEST_ERRNO("mq.receive_empty_eagain", mq_receive(q, buf, sizeof buf, &prio), EAGAIN);
    nb.mq_flags = 0x1000;
    KTEST_ERRNO("mq.setattr_bad_flags", mq_setattr(q, &nb, NULL), EINVAL);
    nb.mq_flags = 0;
    mq_setattr(q, &nb, NULL);

    /* Notification: a message on an empty queue sends the signal once. */
    struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
    sigaction(SIGUSR1, &sa, NULL);
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
    ev.sigev_value.sival_ptr = (void *)0x5a5aL;
    KTEST_CHECK("mq.notify", mq_notify(q, &ev) == 0);
    int st = ktest_in_child(child_busy, &q, 10);
    ktest_result("mq.notify_busy_other_process", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    mq_send(q, "n", 1, 0);
    for (int i = 0; i < 100 && !got_sig; i++)
        usleep(1000);
    ktest_result("mq.notify_signal", got_sig == SIGUSR1 && got_code == SI_MESGQ && got_val == 0x5a5a,
                 "sig %d code %d value %lx", (int)got_sig, (int)got_code, got_val);
    int fd = q;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    ktest_result("mq.read_status", n > 0 && !strncmp(buf, "QSIZE:", 6) && strstr(buf, "NOTIFY_PID:"), "'%s'", buf);
    mq_receive(q, buf, sizeof buf, &prio);
    KTEST_CHECK("mq.notify_again", mq_notify(q, &ev) == 0 && mq_notify(q, NULL) == 0);

    /* A receiver asleep in another process wakes for the message. */
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10);
        _exit(child_receive(NULL));
    }
    usleep(100000);
    mq_send(q, "wake", 4, 9);
    waitpid(pid, &st, 0);
    ktest_result("mq.blocked_receiver_woken", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));

    int pfd[2];
    pipe(pfd);
    KTEST_ERRNO("mq.send_not_mq_ebadf", mq_send(pfd[1], "x", 1, 0), EBADF);
    mqd_t wo = mq_open(QN, O_WRONLY);
    KTEST_ERRNO("mq.receive_write_only_ebadf", mq_receive(wo, buf, sizeof buf, &prio), EBADF);
    mq_close(wo);
    KTEST_CHECK("mq.unlink", mq_unlink(QN) == 0);
    KTEST_ERRNO("mq.open_after_unlink", mq_open(QN, O_RDWR), ENOENT);
    KTEST_CHECK("mq.descriptor_outlives_name", mq_send(q, "z", 1, 0) == 0 &&
                                                   mq_receive(q, buf, sizeof buf, &prio) == 1 && buf[0] == 'z');
    KTEST_ERRNO("mq.unlink_missing", mq_unlink(QN), ENOENT);
    mq_close(q);
    return ktest_nfail ? 1 : 0;
}
