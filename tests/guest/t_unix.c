/* t_unix.c - AF_UNIX sockets [unix(7)] and the socket calls around them:
 * socket/socketpair errors, stream/seqpacket/dgram data, path and abstract
 * names, autobind, listen/accept/connect errors, SCM_RIGHTS (fds survive
 * the sender's close, MSG_CMSG_CLOEXEC, MSG_CTRUNC, in-flight limit),
 * SCM_CREDENTIALS with SO_PASSCRED, SO_PEERCRED, shutdown (EPIPE, SIGPIPE,
 * EOF), non-blocking mode, MSG_PEEK/DONTWAIT/TRUNC/WAITALL, buffer sizes and
 * back-pressure, options, poll, FIONREAD, sendmmsg/recvmmsg, EFAULT paths,
 * fstat and /proc/self/fd. Must behave the same on Linux. */
#include "ktest.h"

#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

static socklen_t mkaddr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strncpy(a->sun_path, path, sizeof a->sun_path - 1);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static socklen_t mkabstract(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    a->sun_path[0] = 0;
    memcpy(a->sun_path + 1, name, strlen(name));
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static int getint(int fd, int opt)
{
    int v = -12345;
    socklen_t l = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, opt, &v, &l) != 0)
        return -12345;
    return v;
}

static void t_create(void)
{
    /* AF_INET is served by services/net (lwIP) on Kevlar, as on Linux. */
    errno = 0;
    int inet = socket(AF_INET, SOCK_STREAM, 0);
    int inet_errno = errno;
    ktest_result("unix.inet_served", inet >= 0, "errno=%d", inet_errno);
    if (inet >= 0)
        close(inet);
    KTEST_ERRNO("unix.bad_family_eafnosupport", socket(4242, SOCK_STREAM, 0), EAFNOSUPPORT);
    KTEST_ERRNO("unix.bad_type_einval", socket(AF_UNIX, 42, 0), EINVAL);
    KTEST_ERRNO("unix.bad_flags_einval", socket(AF_UNIX, SOCK_STREAM | 0x100000, 0), EINVAL);
    KTEST_ERRNO("unix.rdm_esocktnosupport", socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
    KTEST_ERRNO("unix.proto_eprotonosupport", socket(AF_UNIX, SOCK_STREAM, 6), EPROTONOSUPPORT);
    KTEST_ERRNO("unix.socketpair_netlink", socketpair(AF_PACKET + 100, SOCK_STREAM, 0, (int[2]){ 0, 0 }), EAFNOSUPPORT);
    KTEST_ERRNO("unix.socketpair_efault", socketpair(AF_UNIX, SOCK_STREAM, 0, ktest_ptr(16)), EFAULT);

    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    KTEST_CHECK("unix.socket_flags", s >= 0 && (fcntl(s, F_GETFD) & FD_CLOEXEC) && (fcntl(s, F_GETFL) & O_NONBLOCK));
    struct stat st;
    KTEST_CHECK("unix.fstat_sock", fstat(s, &st) == 0 && S_ISSOCK(st.st_mode));
    char link[64], want[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", s);
    ssize_t n = readlink(link, want, sizeof want - 1);
    if (n >= 0)
        want[n] = 0;
    char expect[64];
    snprintf(expect, sizeof expect, "socket:[%lu]", (unsigned long)st.st_ino);
    ktest_result("unix.proc_fd_link", n > 0 && !strcmp(want, expect), "'%s' want '%s'", n > 0 ? want : "", expect);
    KTEST_ERRNO("unix.lseek_espipe", lseek(s, 0, SEEK_SET), ESPIPE);
    KTEST_CHECK("unix.so_type", getint(s, SO_TYPE) == SOCK_STREAM);
    KTEST_CHECK("unix.so_domain", getint(s, SO_DOMAIN) == AF_UNIX);
    KTEST_CHECK("unix.so_protocol", getint(s, SO_PROTOCOL) == 0);
    KTEST_CHECK("unix.so_acceptconn0", getint(s, SO_ACCEPTCONN) == 0);
    close(s);
    int r = socket(AF_UNIX, SOCK_RAW, 0);
    KTEST_CHECK("unix.raw_is_dgram", r >= 0 && getint(r, SO_TYPE) == SOCK_DGRAM);
    close(r);
    KTEST_ERRNO("unix.notsock", bind(0 + open("/dev/null", O_RDONLY), (struct sockaddr *)&(struct sockaddr_un){ AF_UNIX, "x" }, 4), ENOTSOCK);
    KTEST_ERRNO("unix.ebadf", listen(-1, 1), EBADF);
}

static void t_pair_stream(void)
{
    int sv[2];
    char buf[64];
    KTEST_CHECK("unix.socketpair_stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    KTEST_CHECK("unix.pair_write", write(sv[0], "hello", 5) == 5);
    KTEST_CHECK("unix.pair_write2", send(sv[0], " world", 6, 0) == 6);
    int q = -1;
    KTEST_CHECK("unix.fionread", ioctl(sv[1], FIONREAD, &q) == 0 && q == 11);
    memset(buf, 0, sizeof buf);
    KTEST_CHECK("unix.peek", recv(sv[1], buf, 5, MSG_PEEK) == 5 && !memcmp(buf, "hello", 5));
    memset(buf, 0, sizeof buf);
    KTEST_CHECK("unix.stream_merges", read(sv[1], buf, sizeof buf) == 11 && !strcmp(buf, "hello world"));
    KTEST_ERRNO("unix.dontwait_eagain", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    KTEST_ERRNO("unix.recv_efault", (write(sv[0], "x", 1), recv(sv[1], ktest_ptr(16), 1, 0)), EFAULT);
    KTEST_CHECK("unix.data_kept_after_efault", recv(sv[1], buf, 1, 0) == 1 && buf[0] == 'x');
    KTEST_ERRNO("unix.send_efault", send(sv[0], ktest_ptr(16), 4, 0), EFAULT);

    struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
    KTEST_CHECK("unix.writev", writev(sv[0], iov, 3) == 5);
    char a[2], b[10];
    struct iovec riov[2] = { { a, 2 }, { b, sizeof b } };
    ssize_t n = readv(sv[1], riov, 2);
    KTEST_CHECK("unix.readv", n == 5 && !memcmp(a, "ab", 2) && !memcmp(b, "cde", 3));

    /* MSG_WAITALL: a child writes in pieces. */
    pid_t p = fork();
    if (p == 0) {
        for (int i = 0; i < 4; i++) {
            usleep(20000);
            write(sv[0], "wxyz", 4);
        }
        _exit(0);
    }
    memset(buf, 0, sizeof buf);
    n = recv(sv[1], buf, 16, MSG_WAITALL);
    waitpid(p, NULL, 0);
    ktest_result("unix.waitall", n == 16 && !memcmp(buf, "wxyzwxyzwxyzwxyz", 16), "n=%zd", n);

    struct sockaddr_un sa;
    socklen_t sl = sizeof sa;
    KTEST_CHECK("unix.pair_getsockname", getsockname(sv[0], (struct sockaddr *)&sa, &sl) == 0 && sl == 2 &&
                                             sa.sun_family == AF_UNIX);
    sl = sizeof sa;
    KTEST_CHECK("unix.pair_getpeername", getpeername(sv[0], (struct sockaddr *)&sa, &sl) == 0 && sl == 2);
    sl = sizeof sa;
    KTEST_ERRNO("unix.getsockname_efault", getsockname(sv[0], ktest_ptr(16), &sl), EFAULT);
    KTEST_ERRNO("unix.getsockname_len_efault", getsockname(sv[0], (struct sockaddr *)&sa, ktest_ptr(16)), EFAULT);
    int neg = -1;
    KTEST_ERRNO("unix.getsockname_neglen", getsockname(sv[0], (struct sockaddr *)&sa, (socklen_t *)&neg), EINVAL);

    struct ucred cr;
    socklen_t cl = sizeof cr;
    KTEST_CHECK("unix.peercred_pair", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 && cl == sizeof cr &&
                                          cr.pid == getpid() && cr.uid == geteuid() && cr.gid == getegid());

    /* shutdown: SHUT_WR gives the peer EOF; the writer gets EPIPE (+SIGPIPE). */
    KTEST_ERRNO("unix.shutdown_einval", shutdown(sv[0], 7), EINVAL);
    KTEST_CHECK("unix.shutdown_wr", shutdown(sv[0], SHUT_WR) == 0);
    KTEST_CHECK("unix.eof_after_shutdown", read(sv[1], buf, sizeof buf) == 0);
    struct pollfd pfd = { sv[1], POLLIN | POLLRDHUP, 0 };
    KTEST_CHECK("unix.poll_rdhup", poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLRDHUP) && (pfd.revents & POLLIN));
    signal(SIGPIPE, SIG_IGN);
    KTEST_ERRNO("unix.epipe_nosignal", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    KTEST_ERRNO("unix.epipe_write", write(sv[0], "x", 1), EPIPE);
    signal(SIGPIPE, SIG_DFL);
    p = fork();
    if (p == 0) {
        write(sv[0], "x", 1);
        _exit(0);
    }
    int st = 0;
    waitpid(p, &st, 0);
    ktest_result("unix.sigpipe", WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "%s", ktest_wstr(st));
    p = fork();
    if (p == 0) {
        send(sv[0], "x", 1, MSG_NOSIGNAL);
        _exit(7);
    }
    waitpid(p, &st, 0);
    ktest_result("unix.nosignal_no_sigpipe", WIFEXITED(st) && WEXITSTATUS(st) == 7, "%s", ktest_wstr(st));
    close(sv[0]);
    close(sv[1]);

    /* Close with unread data: the peer's reads end (ECONNRESET for unread data). */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[0], "abc", 3);
    close(sv[0]);
    KTEST_CHECK("unix.data_after_peer_close", read(sv[1], buf, sizeof buf) == 3);
    KTEST_CHECK("unix.eof_after_peer_close", read(sv[1], buf, sizeof buf) == 0);
    pfd = (struct pollfd){ sv[1], POLLIN | POLLOUT, 0 };
    KTEST_CHECK("unix.poll_hup", poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP));
    close(sv[1]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[0], "unread", 6);
    close(sv[1]);
    KTEST_ERRNO("unix.econnreset", read(sv[0], buf, sizeof buf), ECONNRESET);
    KTEST_CHECK("unix.eof_after_reset", read(sv[0], buf, sizeof buf) == 0);
    close(sv[0]);
}

static void t_backpressure(void)
{
    int sv[2];
    char big[65536];
    memset(big, 'b', sizeof big);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    KTEST_CHECK("unix.sndbuf_default", getint(sv[0], SO_SNDBUF) == 212992);
    KTEST_CHECK("unix.rcvbuf_default", getint(sv[0], SO_RCVBUF) == 212992);
    int v = 16384;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    KTEST_CHECK("unix.sndbuf_doubled", getint(sv[0], SO_SNDBUF) == 32768);
    v = 1 << 30;
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    KTEST_CHECK("unix.rcvbuf_capped", getint(sv[1], SO_RCVBUF) == 425984);
    KTEST_ERRNO("unix.setsockopt_short", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL);
    KTEST_ERRNO("unix.setsockopt_efault", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, ktest_ptr(16), 4), EFAULT);
    KTEST_ERRNO("unix.setsockopt_unknown", setsockopt(sv[0], SOL_SOCKET, 9999, &v, sizeof v), ENOPROTOOPT);
    KTEST_ERRNO("unix.getsockopt_unknown", getsockopt(sv[0], SOL_SOCKET, 9999, &v, &(socklen_t){ 4 }), ENOPROTOOPT);
    KTEST_ERRNO("unix.getsockopt_neglen", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &(socklen_t){ (socklen_t)-1 }), EINVAL);
    KTEST_ERRNO("unix.getsockopt_efault", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, ktest_ptr(16)), EFAULT);
    v = 1;
    KTEST_CHECK("unix.reuseaddr", setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof v) == 0 &&
                                     getint(sv[0], SO_REUSEADDR) == 1);
    KTEST_ERRNO("unix.sol_ip_eopnotsupp", setsockopt(sv[0], 0 /* SOL_IP */, 1, &v, sizeof v), EOPNOTSUPP);
    size_t total = 0;
    ssize_t n;
    while ((n = send(sv[0], big, 4096, 0)) > 0 && total < (8u << 20))
        total += (size_t)n;
    int e = errno;
    ktest_result("unix.backpressure_eagain", n < 0 && e == EAGAIN && total > 4096 && total < (1u << 20),
                 "n=%zd errno=%d total=%zu", n, e, total);
    struct pollfd pfd = { sv[0], POLLOUT, 0 };
    KTEST_CHECK("unix.poll_not_writable_full", poll(&pfd, 1, 0) == 0);
    size_t got = 0;
    while ((n = recv(sv[1], big, sizeof big, 0)) > 0)
        got += (size_t)n;
    KTEST_CHECK("unix.backpressure_all_received", got == total);
    KTEST_CHECK("unix.poll_writable_again", poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT));
    close(sv[0]);
    close(sv[1]);

    /* A blocked writer goes on once the reader drains. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t p = fork();
    if (p == 0) {
        size_t left = 1 << 20;
        while (left) {
            ssize_t w = write(sv[0], big, left < sizeof big ? left : sizeof big);
            if (w <= 0)
                _exit(1);
            left -= (size_t)w;
        }
        _exit(0);
    }
    got = 0;
    while (got < (1u << 20) && (n = read(sv[1], big, sizeof big)) > 0)
        got += (size_t)n;
    int st;
    waitpid(p, &st, 0);
    ktest_result("unix.blocking_1mib", got == (1u << 20) && WIFEXITED(st) && WEXITSTATUS(st) == 0, "got=%zu %s", got,
                 ktest_wstr(st));
    close(sv[0]);
    close(sv[1]);
}

static void t_dgram(void)
{
    int sv[2];
    char buf[64];
    KTEST_CHECK("unix.socketpair_dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
    send(sv[0], "one", 3, 0);
    send(sv[0], "second", 6, 0);
    int q = -1;
    KTEST_CHECK("unix.dgram_fionread_first", ioctl(sv[1], FIONREAD, &q) == 0 && q == 3);
    KTEST_CHECK("unix.dgram_boundaries", recv(sv[1], buf, sizeof buf, 0) == 3);
    struct msghdr mh = { 0 };
    struct iovec iov = { buf, 2 };
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t n = recvmsg(sv[1], &mh, 0);
    KTEST_CHECK("unix.dgram_trunc_flag", n == 2 && (mh.msg_flags & MSG_TRUNC));
    send(sv[0], "truncated", 9, 0);
    KTEST_CHECK("unix.dgram_msg_trunc_len", recv(sv[1], buf, 3, MSG_TRUNC) == 9);
    KTEST_CHECK("unix.dgram_zero_len", send(sv[0], "", 0, 0) == 0 && recv(sv[1], buf, sizeof buf, 0) == 0);
    int v = 4096;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    static char huge[16384];
    KTEST_ERRNO("unix.dgram_emsgsize", send(sv[0], huge, sizeof huge, 0), EMSGSIZE);
    KTEST_ERRNO("unix.dgram_oob_eopnotsupp", send(sv[0], "x", 1, MSG_OOB), EOPNOTSUPP);
    close(sv[0]);
    close(sv[1]);

    /* Named datagram sockets: sendto, recvfrom's address, connect rules. */
    int a = socket(AF_UNIX, SOCK_DGRAM, 0), b = socket(AF_UNIX, SOCK_DGRAM, 0), c = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un sa, sb, from;
    socklen_t la = mkaddr(&sa, "dga"), lb = mkaddr(&sb, "dgb");
    KTEST_CHECK("unix.dgram_bind", bind(a, (struct sockaddr *)&sa, la) == 0 && bind(b, (struct sockaddr *)&sb, lb) == 0);
    KTEST_CHECK("unix.sendto", sendto(a, "to-b", 4, 0, (struct sockaddr *)&sb, lb) == 4);
    socklen_t fl = sizeof from;
    memset(&from, 0, sizeof from);
    n = recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    ktest_result("unix.recvfrom_addr", n == 4 && fl == la && !strcmp(from.sun_path, "dga"), "n=%zd fl=%u '%s'", n, fl,
                 from.sun_path);
    KTEST_ERRNO("unix.dgram_send_unconnected", send(c, "x", 1, 0), ENOTCONN);
    struct sockaddr_un miss;
    socklen_t lm = mkaddr(&miss, "nonexistent");
    KTEST_ERRNO("unix.sendto_enoent", sendto(c, "x", 1, 0, (struct sockaddr *)&miss, lm), ENOENT);
    KTEST_CHECK("unix.dgram_connect", connect(b, (struct sockaddr *)&sa, la) == 0);
    KTEST_ERRNO("unix.dgram_eperm_other_peer", sendto(c, "x", 1, 0, (struct sockaddr *)&sb, lb), EPERM);
    struct sockaddr unspec = { AF_UNSPEC };
    KTEST_CHECK("unix.dgram_disconnect", connect(b, &unspec, sizeof unspec) == 0 &&
                                             sendto(c, "x", 1, 0, (struct sockaddr *)&sb, lb) == 1);
    /* An unconnected receiver queues at most max_dgram_qlen messages from strangers. */
    int d = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int sent = 0;
    while (sent < 1000 && sendto(d, "q", 1, 0, (struct sockaddr *)&sa, la) == 1)
        sent++;
    int e = errno;
    ktest_result("unix.dgram_qlen_eagain", sent >= 10 && sent < 1000 && e == EAGAIN, "sent=%d errno=%d", sent, e);
    /* A blocked sender to that full queue goes on once the receiver reads. */
    pid_t p = fork();
    if (p == 0) {
        int e2 = socket(AF_UNIX, SOCK_DGRAM, 0);
        for (int i = 0; i < 5; i++)
            if (sendto(e2, "w", 1, 0, (struct sockaddr *)&sa, la) != 1)
                _exit(1);
        _exit(0);
    }
    usleep(100000);
    int got = 0;
    alarm(30);
    while (got < sent + 5 && recv(a, buf, sizeof buf, 0) == 1)
        got++;
    alarm(0);
    int wst = 0;
    waitpid(p, &wst, 0);
    ktest_result("unix.dgram_blocked_sender_wakes", got == sent + 5 && WIFEXITED(wst) && WEXITSTATUS(wst) == 0,
                 "got=%d sent=%d %s", got, sent, ktest_wstr(wst));
    close(a);
    KTEST_ERRNO("unix.dgram_closed_peer_refused", sendto(d, "q", 1, 0, (struct sockaddr *)&sa, la), ECONNREFUSED);
    struct sockaddr_un sc;
    socklen_t lc = mkaddr(&sc, "dgc");
    bind(c, (struct sockaddr *)&sc, lc);
    KTEST_ERRNO("unix.dgram_type_mismatch", ({
                    int s = socket(AF_UNIX, SOCK_STREAM, 0);
                    int r = connect(s, (struct sockaddr *)&sc, lc);
                    int er = errno;
                    close(s);
                    errno = er;
                    r;
                }),
                EPROTOTYPE);
    close(b);
    close(c);
    close(d);
    unlink("dga");
    unlink("dgb");
    unlink("dgc");
}

static void t_seqpacket(void)
{
    int sv[2];
    char buf[64];
    KTEST_CHECK("unix.socketpair_seqpacket", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
    send(sv[0], "rec1", 4, 0);
    send(sv[0], "record2", 7, 0);
    KTEST_CHECK("unix.seqpacket_boundary", recv(sv[1], buf, sizeof buf, 0) == 4);
    struct msghdr mh = { 0 };
    struct iovec iov = { buf, 3 };
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    KTEST_CHECK("unix.seqpacket_trunc", recvmsg(sv[1], &mh, 0) == 3 && (mh.msg_flags & MSG_TRUNC));
    close(sv[0]);
    KTEST_CHECK("unix.seqpacket_eof", recv(sv[1], buf, sizeof buf, 0) == 0);
    close(sv[1]);
    int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    KTEST_ERRNO("unix.seqpacket_send_enotconn", send(s, "x", 1, 0), ENOTCONN);
    KTEST_ERRNO("unix.seqpacket_recv_enotconn", recv(s, buf, 1, MSG_DONTWAIT), ENOTCONN);
    close(s);
}

static int t_listen_child(void *arg)
{
    struct sockaddr_un *sa = arg;
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
    if (connect(c, (struct sockaddr *)sa, len) != 0)
        return 1;
    if (write(c, "from child", 10) != 10)
        return 2;
    char b[8];
    return read(c, b, sizeof b) == 2 && !memcmp(b, "ok", 2) ? 0 : 3;
}

static void t_listen(void)
{
    struct sockaddr_un sa, got;
    socklen_t la = mkaddr(&sa, "srv.sock");
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    KTEST_ERRNO("unix.listen_unbound_einval", listen(l, 5), EINVAL);
    struct sockaddr_un inet_fam = sa;
    inet_fam.sun_family = AF_INET;
    KTEST_ERRNO("unix.bind_bad_family", bind(l, (struct sockaddr *)&inet_fam, la), EINVAL);
    KTEST_ERRNO("unix.bind_too_long", bind(l, (struct sockaddr *)&sa, sizeof sa + 1), EINVAL);
    KTEST_ERRNO("unix.bind_efault", bind(l, ktest_ptr(16), la), EFAULT);
    KTEST_CHECK("unix.bind_path", bind(l, (struct sockaddr *)&sa, la) == 0);
    struct stat st;
    KTEST_CHECK("unix.bind_made_socket_node", stat("srv.sock", &st) == 0 && S_ISSOCK(st.st_mode));
    KTEST_ERRNO("unix.bind_same_path_eaddrinuse", bind(l, (struct sockaddr *)&sa, la), EADDRINUSE);
    struct sockaddr_un other;
    socklen_t lo = mkaddr(&other, "other.sock");
    KTEST_ERRNO("unix.bind_twice_einval", bind(l, (struct sockaddr *)&other, lo), EINVAL);
    int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
    KTEST_ERRNO("unix.bind_eaddrinuse", bind(l2, (struct sockaddr *)&sa, la), EADDRINUSE);
    KTEST_ERRNO("unix.open_socket_enxio", open("srv.sock", O_RDWR), ENXIO);
    socklen_t gl = sizeof got;
    KTEST_CHECK("unix.getsockname_path", getsockname(l, (struct sockaddr *)&got, &gl) == 0 && gl == la &&
                                             !strcmp(got.sun_path, "srv.sock"));
    KTEST_ERRNO("unix.connect_not_listening", connect(l2, (struct sockaddr *)&sa, la), ECONNREFUSED);
    KTEST_CHECK("unix.listen", listen(l, 1) == 0 && getint(l, SO_ACCEPTCONN) == 1);
    {
        /* A bad address length pointer: EFAULT (on a listener of its own,
         * with a connection queued, since accept() may wait first). */
        struct sockaddr_un ea;
        socklen_t lea = mkabstract(&ea, "kevlar-efault");
        int l3 = socket(AF_UNIX, SOCK_STREAM, 0), c0 = socket(AF_UNIX, SOCK_STREAM, 0);
        bind(l3, (struct sockaddr *)&ea, lea);
        listen(l3, 1);
        connect(c0, (struct sockaddr *)&ea, lea);
        KTEST_ERRNO("unix.accept_efault", accept(l3, (struct sockaddr *)&got, ktest_ptr(16)), EFAULT);
        close(c0);
        close(l3);
    }
    fcntl(l, F_SETFL, O_NONBLOCK);
    KTEST_ERRNO("unix.accept_nonblock_eagain", accept(l, NULL, NULL), EAGAIN);
    fcntl(l, F_SETFL, 0);
    KTEST_ERRNO("unix.accept4_bad_flags", accept4(l, NULL, NULL, 0x1), EINVAL);
    KTEST_ERRNO("unix.accept_not_listening", accept(l2, NULL, NULL), EINVAL);
    KTEST_ERRNO("unix.dgram_listen_eopnotsupp", ({
                    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
                    int r = listen(d, 1);
                    int er = errno;
                    close(d);
                    errno = er;
                    r;
                }),
                EOPNOTSUPP);

    pid_t p = fork();
    if (p == 0)
        _exit(t_listen_child(&sa));
    struct sockaddr_un peer;
    socklen_t pl = sizeof peer;
    int a = accept4(l, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
    KTEST_CHECK("unix.accept", a >= 0 && pl == 2 && (fcntl(a, F_GETFD) & FD_CLOEXEC));
    char buf[32] = { 0 };
    KTEST_CHECK("unix.accept_read", read(a, buf, sizeof buf) == 10 && !strcmp(buf, "from child"));
    struct ucred cr;
    socklen_t cl = sizeof cr;
    KTEST_CHECK("unix.peercred_accepted", getsockopt(a, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 && cr.pid == p);
    gl = sizeof got;
    KTEST_CHECK("unix.accepted_sockname", getsockname(a, (struct sockaddr *)&got, &gl) == 0 && gl == la);
    write(a, "ok", 2);
    int wst;
    waitpid(p, &wst, 0);
    ktest_result("unix.connect_child", WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "%s", ktest_wstr(wst));
    close(a);

    /* The client's SO_PEERCRED is the listener's; getpeername the server's path. */
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    KTEST_CHECK("unix.connect", connect(c, (struct sockaddr *)&sa, la) == 0);
    KTEST_ERRNO("unix.connect_eisconn", connect(c, (struct sockaddr *)&sa, la), EISCONN);
    cl = sizeof cr;
    KTEST_CHECK("unix.peercred_client", getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 && cr.pid == getpid());
    gl = sizeof got;
    KTEST_CHECK("unix.getpeername_path", getpeername(c, (struct sockaddr *)&got, &gl) == 0 && gl == la &&
                                             !strcmp(got.sun_path, "srv.sock"));
    /* Backlog 1: Linux queues backlog + 1 connections, then EAGAIN (non-blocking). */
    int cs[4], ok = 0;
    for (int i = 0; i < 4; i++) {
        cs[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (connect(cs[i], (struct sockaddr *)&sa, la) == 0)
            ok++;
        else if (errno != EAGAIN)
            ok = -100;
    }
    ktest_result("unix.backlog_full_eagain", ok == 1, "ok=%d", ok);
    /* Closing the listener resets queued connections. */
    close(l);
    char b;
    KTEST_CHECK("unix.listener_closed_reset", read(c, &b, 1) < 0 && errno == ECONNRESET);
    for (int i = 0; i < 4; i++)
        close(cs[i]);
    close(c);
    KTEST_ERRNO("unix.connect_nobody_refused", connect(l2, (struct sockaddr *)&sa, la), ECONNREFUSED);
    unlink("srv.sock");
    KTEST_ERRNO("unix.connect_enoent", connect(l2, (struct sockaddr *)&sa, la), ENOENT);
    close(open("plain", O_CREAT | O_RDWR, 0644));
    struct sockaddr_un pa;
    socklen_t pal = mkaddr(&pa, "plain");
    KTEST_ERRNO("unix.connect_not_socket", connect(l2, (struct sockaddr *)&pa, pal), ECONNREFUSED);
    KTEST_ERRNO("unix.connect_efault", connect(l2, ktest_ptr(16), pal), EFAULT);
    KTEST_ERRNO("unix.connect_bad_len", connect(l2, (struct sockaddr *)&pa, 200), EINVAL);
    KTEST_ERRNO("unix.bind_enoent_dir", bind(l2, (struct sockaddr *)&pa, mkaddr(&pa, "nodir/x")), ENOENT);
    close(l2);
}

static void t_abstract(void)
{
    struct sockaddr_un sa, got;
    socklen_t la = mkabstract(&sa, "kevlar-test-abstract");
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    KTEST_CHECK("unix.bind_abstract", bind(l, (struct sockaddr *)&sa, la) == 0 && listen(l, 4) == 0);
    int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
    KTEST_ERRNO("unix.abstract_eaddrinuse", bind(l2, (struct sockaddr *)&sa, la), EADDRINUSE);
    close(l2);
    socklen_t gl = sizeof got;
    KTEST_CHECK("unix.abstract_getsockname", getsockname(l, (struct sockaddr *)&got, &gl) == 0 && gl == la &&
                                                 got.sun_path[0] == 0 && !memcmp(got.sun_path + 1, "kevlar-test-abstract", 20));
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    KTEST_CHECK("unix.connect_abstract", connect(c, (struct sockaddr *)&sa, la) == 0);
    {
        /* /proc/net/unix lists the listener with __SO_ACCEPTCON and its name. */
        char pn[8192] = { 0 };
        int pfd = open("/proc/net/unix", O_RDONLY);
        ssize_t pr = pfd >= 0 ? read(pfd, pn, sizeof pn - 1) : -1;
        if (pfd >= 0)
            close(pfd);
        ktest_result("unix.proc_net_unix", pr > 0 && !strncmp(pn, "Num       RefCount Protocol Flags    Type St Inode Path", 55) &&
                                               strstr(pn, "00010000 0001 01") && strstr(pn, "@kevlar-test-abstract"),
                     "read %zd", pr);
    }
    int a = accept(l, NULL, NULL);
    KTEST_CHECK("unix.abstract_data", a >= 0 && write(c, "z", 1) == 1 && read(a, &(char){ 0 }, 1) == 1);
    close(a);
    close(c);
    close(l);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    KTEST_ERRNO("unix.abstract_gone_refused", connect(c, (struct sockaddr *)&sa, la), ECONNREFUSED);
    /* Autobind: a bare family gets a 5-hex-digit abstract name. */
    struct sockaddr_un fam;
    memset(&fam, 0, sizeof fam);
    fam.sun_family = AF_UNIX;
    KTEST_CHECK("unix.autobind", bind(c, (struct sockaddr *)&fam, sizeof(sa_family_t)) == 0);
    gl = sizeof got;
    KTEST_CHECK("unix.autobind_name", getsockname(c, (struct sockaddr *)&got, &gl) == 0 && gl == 8 &&
                                          got.sun_path[0] == 0);
    close(c);
}

static int send_fds(int s, const int *fds, int n, int flags)
{
    char ctl[CMSG_SPACE(sizeof(int) * 8)];
    struct msghdr mh = { 0 };
    struct iovec iov = { "F", 1 };
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl;
    mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
    memset(ctl, 0, sizeof ctl);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
    return (int)sendmsg(s, &mh, flags);
}

/* Receive; returns the number of fds got, fills fds; *mflags msg_flags. */
static int recv_fds(int s, int *fds, size_t ctlspace, int flags, int *mflags)
{
    char ctl[256];
    char c;
    struct msghdr mh = { 0 };
    struct iovec iov = { &c, 1 };
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctlspace ? ctl : NULL;
    mh.msg_controllen = ctlspace;
    if (recvmsg(s, &mh, flags) < 0)
        return -1;
    *mflags = mh.msg_flags;
    int n = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
            int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            memcpy(fds + n, CMSG_DATA(cm), sizeof(int) * k);
            n += k;
        }
    }
    return n;
}

static int t_inflight_child(void *arg)
{
    (void)arg;
    int sv[2];
    if (setgid(65534) || setuid(65534))
        return 10;
    struct rlimit rl = { 8, 8 };
    setrlimit(RLIMIT_NOFILE, &rl);
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
        return 11;
    int fd = sv[0], sent = 0, err = 0;
    for (int i = 0; i < 64; i++) {
        if (send_fds(sv[0], &fd, 1, MSG_DONTWAIT) < 0) {
            err = errno;
            break;
        }
        sent++;
    }
    ktest_result("unix.inflight_limit", err == ETOOMANYREFS && sent > 4 && sent <= 10, "sent=%d errno=%d", sent, err);
    return 0;
}

static void t_scm_rights(void)
{
    int sv[2], fds[8], mf = 0;
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int p[2];
    pipe(p);
    KTEST_CHECK("unix.scm_send", send_fds(sv[0], p, 2, 0) == 1);
    close(p[0]);
    close(p[1]); /* in flight: the message holds the files */
    int n = recv_fds(sv[1], fds, 256, MSG_CMSG_CLOEXEC, &mf);
    KTEST_CHECK("unix.scm_recv", n == 2 && !(mf & MSG_CTRUNC));
    KTEST_CHECK("unix.scm_cloexec", n == 2 && (fcntl(fds[0], F_GETFD) & FD_CLOEXEC) && (fcntl(fds[1], F_GETFD) & FD_CLOEXEC));
    char b[8] = { 0 };
    KTEST_CHECK("unix.scm_files_work", n == 2 && write(fds[1], "pp", 2) == 2 && read(fds[0], b, 2) == 2 && !strcmp(b, "pp"));
    if (n == 2) {
        close(fds[0]);
        close(fds[1]);
    }
    /* Without room: MSG_CTRUNC and the files are closed. */
    int devnull = open("/dev/null", O_RDONLY);
    send_fds(sv[0], &devnull, 1, 0);
    n = recv_fds(sv[1], fds, 0, 0, &mf);
    KTEST_CHECK("unix.scm_ctrunc", n == 0 && (mf & MSG_CTRUNC));
    int three[3] = { devnull, devnull, devnull };
    send_fds(sv[0], three, 3, 0);
    n = recv_fds(sv[1], fds, CMSG_LEN(sizeof(int)), 0, &mf);
    ktest_result("unix.scm_ctrunc_partial", n == 1 && (mf & MSG_CTRUNC) && !(fcntl(fds[0], F_GETFD) & FD_CLOEXEC), "n=%d flags=%#x", n, mf);
    if (n == 1)
        close(fds[0]);
    int bad = 999;
    KTEST_ERRNO("unix.scm_ebadf", send_fds(sv[0], &bad, 1, 0), EBADF);
    /* Malformed control data. */
    struct msghdr mh = { 0 };
    struct iovec iov = { "x", 1 };
    char ctl[CMSG_SPACE(4)] = { 0 };
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof ctl;
    struct cmsghdr *cm = (struct cmsghdr *)ctl;
    cm->cmsg_len = 1000;
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    KTEST_ERRNO("unix.scm_bad_len", sendmsg(sv[0], &mh, 0), EINVAL);
    cm->cmsg_len = CMSG_LEN(4);
    cm->cmsg_type = 77;
    KTEST_ERRNO("unix.scm_bad_type", sendmsg(sv[0], &mh, 0), EINVAL);
    mh.msg_control = ktest_ptr(16);
    KTEST_ERRNO("unix.sendmsg_ctl_efault", sendmsg(sv[0], &mh, 0), EFAULT);
    KTEST_ERRNO("unix.sendmsg_efault", sendmsg(sv[0], ktest_ptr(16), 0), EFAULT);
    KTEST_ERRNO("unix.recvmsg_efault", recvmsg(sv[1], ktest_ptr(16), 0), EFAULT);
    mh.msg_control = NULL;
    mh.msg_controllen = 0;
    mh.msg_iov = ktest_ptr(16);
    KTEST_ERRNO("unix.sendmsg_iov_efault", sendmsg(sv[0], &mh, 0), EFAULT);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 5000;
    KTEST_ERRNO("unix.sendmsg_iovlen_emsgsize", sendmsg(sv[0], &mh, 0), EMSGSIZE);
    /* A socket passed over itself and the receiver closing before reading. */
    send_fds(sv[0], &devnull, 1, 0);
    close(devnull);
    close(sv[0]);
    close(sv[1]);
    KTEST_CHECK("unix.scm_unread_dropped", 1);

    int st = ktest_in_child_relay(t_inflight_child, NULL, 60);
    ktest_result("unix.inflight_child", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
}

static void t_creds(void)
{
    int sv[2], on = 1;
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    KTEST_CHECK("unix.passcred_set", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == 0 &&
                                         getint(sv[1], SO_PASSCRED) == 1);
    send(sv[0], "c", 1, 0);
    char ctl[256], c;
    struct msghdr mh = { 0 };
    struct iovec iov = { &c, 1 };
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof ctl;
    struct ucred got = { 0, 0, 0 };
    int found = 0;
    ssize_t rr = recvmsg(sv[1], &mh, 0);
    if (rr == 1) {
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS) {
                memcpy(&got, CMSG_DATA(cm), sizeof got);
                found = 1;
            }
    }
    ktest_result("unix.scm_credentials_auto", found && got.pid == getpid() && got.uid == geteuid() && got.gid == getegid(),
                 "rr=%zd found=%d pid=%d uid=%u gid=%u controllen=%zu flags=%#x", rr, found, (int)got.pid, got.uid, got.gid,
                 (size_t)mh.msg_controllen, mh.msg_flags);
    /* Sending explicit credentials: our own pass; root may claim others. */
    char sctl[CMSG_SPACE(sizeof(struct ucred))] = { 0 };
    struct msghdr sm = { 0 };
    struct iovec siov = { "d", 1 };
    sm.msg_iov = &siov;
    sm.msg_iovlen = 1;
    sm.msg_control = sctl;
    sm.msg_controllen = sizeof sctl;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&sm);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_CREDENTIALS;
    cm->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    struct ucred mine = { getpid(), geteuid(), getegid() };
    memcpy(CMSG_DATA(cm), &mine, sizeof mine);
    KTEST_CHECK("unix.scm_credentials_send", sendmsg(sv[0], &sm, 0) == 1);
    recv(sv[1], &c, 1, 0);
    cm->cmsg_len = CMSG_LEN(sizeof(struct ucred)) - 1;
    KTEST_ERRNO("unix.scm_credentials_bad_len", sendmsg(sv[0], &sm, 0), EINVAL);
    if (geteuid() != 0) {
        cm->cmsg_len = CMSG_LEN(sizeof(struct ucred));
        mine.pid = 1;
        memcpy(CMSG_DATA(cm), &mine, sizeof mine);
        KTEST_ERRNO("unix.scm_credentials_eperm", sendmsg(sv[0], &sm, 0), EPERM);
    }
    close(sv[0]);
    close(sv[1]);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct ucred cr;
    socklen_t cl = sizeof cr;
    KTEST_CHECK("unix.peercred_unconnected", getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 && cr.pid == 0);
    close(s);
}

static void t_mmsg_and_poll(void)
{
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    struct mmsghdr mm[3];
    struct iovec iov[3];
    char data[3][8] = { "m0", "m11", "m222" };
    memset(mm, 0, sizeof mm);
    for (int i = 0; i < 3; i++) {
        iov[i].iov_base = data[i];
        iov[i].iov_len = strlen(data[i]);
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    KTEST_CHECK("unix.sendmmsg", sendmmsg(sv[0], mm, 3, 0) == 3 && mm[2].msg_len == 4);
    char rb[3][8];
    memset(mm, 0, sizeof mm);
    for (int i = 0; i < 3; i++) {
        iov[i].iov_base = rb[i];
        iov[i].iov_len = 8;
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(sv[1], mm, 3, MSG_WAITFORONE, NULL);
    KTEST_CHECK("unix.recvmmsg", n == 3 && mm[0].msg_len == 2 && mm[1].msg_len == 3 && mm[2].msg_len == 4 &&
                                     !memcmp(rb[2], "m222", 4));
    KTEST_ERRNO("unix.recvmmsg_dontwait_empty", recvmmsg(sv[1], mm, 3, MSG_DONTWAIT, NULL), EAGAIN);
    KTEST_ERRNO("unix.sendmmsg_efault", sendmmsg(sv[0], ktest_ptr(16), 2, 0), EFAULT);

    struct pollfd pfd = { sv[1], POLLIN, 0 };
    KTEST_CHECK("unix.poll_empty", poll(&pfd, 1, 0) == 0);
    pid_t p = fork();
    if (p == 0) {
        usleep(50000);
        send(sv[0], "wake", 4, 0);
        _exit(0);
    }
    int r = poll(&pfd, 1, 5000);
    KTEST_CHECK("unix.poll_wakes", r == 1 && (pfd.revents & POLLIN));
    waitpid(p, NULL, 0);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(sv[1], &rs);
    struct timeval tv = { 0, 0 };
    KTEST_CHECK("unix.select_readable", select(sv[1] + 1, &rs, NULL, NULL, &tv) == 1);
    /* SO_RCVTIMEO: a blocking recv gives EAGAIN after the timeout. */
    char b[8];
    recv(sv[1], b, sizeof b, 0);
    struct timeval to = { 0, 100000 };
    setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &to, sizeof to);
    double t0 = ktest_now(CLOCK_MONOTONIC);
    KTEST_ERRNO("unix.rcvtimeo_eagain", recv(sv[1], b, sizeof b, 0), EAGAIN);
    double dt = ktest_now(CLOCK_MONOTONIC) - t0;
    ktest_result("unix.rcvtimeo_waited", dt > 0.05 && dt < 5, "dt=%.3f", dt);
    /* O_NONBLOCK through fcntl. */
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    KTEST_ERRNO("unix.fcntl_nonblock", read(sv[1], b, sizeof b), EAGAIN);
    close(sv[0]);
    close(sv[1]);
}

/* epoll on sockets goes through the same poll hook as poll(2). */
static void t_epoll(void)
{
    int sv[2];
    char b[4];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = sv[1] }, out;
    KTEST_CHECK("unix.epoll_add", ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev) == 0);
    KTEST_CHECK("unix.epoll_empty", epoll_wait(ep, &out, 1, 0) == 0);
    pid_t p = fork();
    if (p == 0) {
        usleep(50000);
        write(sv[0], "e", 1);
        _exit(0);
    }
    int n = epoll_wait(ep, &out, 1, 5000);
    KTEST_CHECK("unix.epoll_wakes", n == 1 && out.data.fd == sv[1] && (out.events & EPOLLIN));
    waitpid(p, NULL, 0);
    read(sv[1], b, sizeof b);
    shutdown(sv[0], SHUT_WR);
    n = epoll_wait(ep, &out, 1, 0);
    KTEST_CHECK("unix.epoll_rdhup", n == 1 && (out.events & EPOLLRDHUP) && (out.events & EPOLLIN));
    close(ep);
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    if (ktest_enter_scratch("unix") != 0) {
        ktest_result("unix.scratch", 0, "cannot enter scratch dir");
        return 1;
    }
    t_create();
    t_pair_stream();
    t_backpressure();
    t_dgram();
    t_seqpacket();
    t_listen();
    t_abstract();
    t_scm_rights();
    t_creds();
    t_mmsg_and_poll();
    t_epoll();
    return 0;
}
