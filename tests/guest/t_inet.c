/* t_inet.c - AF_INET sockets over loopback [ip(7)], [tcp(7)], [udp(7)]:
 * socket() errors, bind/listen/accept/connect errno cases (ECONNREFUSED on a
 * closed local port, EADDRINUSE, EADDRNOTAVAIL, EISCONN, ENOTCONN, EPIPE),
 * a TCP echo across fork, non-blocking connect + epoll, SO_ERROR, a large
 * transfer with a checksum and half-close, RST on SO_LINGER 0, SIGPIPE and
 * MSG_NOSIGNAL, options, UDP datagrams (MSG_TRUNC, connect, EDESTADDRREQ),
 * poll readiness, /proc/net/udp and /proc/net/route, SIOCADDRT/SIOCDELRT
 * errors [route(8)]. Runs the same on Linux (tests/guest/run-in-linux-vm.sh). */
#include "ktest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <net/route.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>

static struct sockaddr_in lo_addr(unsigned short port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static unsigned short port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t l = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &l) != 0)
        return 0;
    return ntohs(a.sin_port);
}

/* A TCP listener on 127.0.0.1 with a kernel-chosen port. */
static int listener(unsigned short *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = lo_addr(0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0) {
        close(fd);
        return -1;
    }
    *port = port_of(fd);
    return fd;
}

static int connect_to(unsigned short port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = lo_addr(port);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = write(fd, (const char *)buf + done, n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        done += (size_t)r;
    }
    return 0;
}

static void t_create(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0), d = socket(AF_INET, SOCK_DGRAM, 0);
    KTEST_CHECK("inet.socket_stream", s >= 0);
    KTEST_CHECK("inet.socket_dgram", d >= 0);
    int t = -1;
    socklen_t l = sizeof t;
    KTEST_CHECK("inet.so_type", getsockopt(s, SOL_SOCKET, SO_TYPE, &t, &l) == 0 && t == SOCK_STREAM);
    l = sizeof t;
    KTEST_CHECK("inet.so_protocol", getsockopt(d, SOL_SOCKET, SO_PROTOCOL, &t, &l) == 0 && t == IPPROTO_UDP);
    KTEST_ERRNO("inet.stream_udp_eprotonosupport", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    KTEST_ERRNO("inet.seqpacket_esocktnosupport", socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
    struct sockaddr_in a;
    l = sizeof a;
    KTEST_CHECK("inet.getsockname_unbound",
                getsockname(s, (struct sockaddr *)&a, &l) == 0 && l == sizeof a &&
                    a.sin_family == AF_INET && a.sin_port == 0 && a.sin_addr.s_addr == 0);
    l = sizeof a;
    KTEST_ERRNO("inet.getpeername_enotconn", getpeername(s, (struct sockaddr *)&a, &l), ENOTCONN);
    char c;
    KTEST_ERRNO("inet.recv_unconnected_enotconn", recv(s, &c, 1, MSG_DONTWAIT), ENOTCONN);
    KTEST_ERRNO("inet.send_unconnected_epipe", send(s, "x", 1, MSG_NOSIGNAL), EPIPE);
    KTEST_ERRNO("inet.accept_not_listening_einval", accept(s, NULL, NULL), EINVAL);
    KTEST_ERRNO("inet.shutdown_enotconn", shutdown(s, SHUT_RDWR), ENOTCONN);
    struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT };
    KTEST_CHECK("inet.poll_fresh_hup", poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) && (p.revents & POLLOUT));
    close(s);
    close(d);
}

static void t_bind_errors(void)
{
    int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = lo_addr(0);
    KTEST_ERRNO("inet.bind_short_einval", bind(a, (struct sockaddr *)&sa, sizeof sa - 1), EINVAL);
    sa.sin_family = AF_UNIX;
    KTEST_ERRNO("inet.bind_family_eafnosupport", bind(a, (struct sockaddr *)&sa, sizeof sa), EAFNOSUPPORT);
    sa = lo_addr(0);
    sa.sin_addr.s_addr = inet_addr("192.0.2.1"); /* TEST-NET-1: never ours */
    KTEST_ERRNO("inet.bind_foreign_eaddrnotavail", bind(a, (struct sockaddr *)&sa, sizeof sa), EADDRNOTAVAIL);
    sa = lo_addr(0);
    KTEST_CHECK("inet.bind_ephemeral", bind(a, (struct sockaddr *)&sa, sizeof sa) == 0 && port_of(a) != 0);
    KTEST_ERRNO("inet.bind_twice_einval", bind(a, (struct sockaddr *)&sa, sizeof sa), EINVAL);
    KTEST_CHECK("inet.listen", listen(a, 4) == 0);
    sa = lo_addr(port_of(a));
    KTEST_ERRNO("inet.bind_in_use_eaddrinuse", bind(b, (struct sockaddr *)&sa, sizeof sa), EADDRINUSE);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    KTEST_ERRNO("inet.bind_any_in_use_eaddrinuse", bind(b, (struct sockaddr *)&sa, sizeof sa), EADDRINUSE);
    KTEST_ERRNO("inet.connect_listener_eisconn", connect(a, (struct sockaddr *)&sa, sizeof sa), EISCONN);
    KTEST_ERRNO("inet.connect_short_einval", connect(b, (struct sockaddr *)&sa, 4), EINVAL);
    KTEST_ERRNO("inet.bind_efault", bind(b, ktest_ptr(16), sizeof sa), EFAULT);
    close(a);
    close(b);

    /* a port nobody listens on: bind one, close it, connect there */
    int c = socket(AF_INET, SOCK_STREAM, 0), d = socket(AF_INET, SOCK_STREAM, 0);
    sa = lo_addr(0);
    bind(c, (struct sockaddr *)&sa, sizeof sa);
    sa = lo_addr(port_of(c));
    close(c);
    KTEST_ERRNO("inet.connect_closed_port_econnrefused", connect(d, (struct sockaddr *)&sa, sizeof sa), ECONNREFUSED);
    close(d);
}

static unsigned short echo_port;
static int echo_client(void *arg)
{
    (void)arg;
    int fd = connect_to(echo_port);
    char buf[6] = { 0 };
    if (fd < 0)
        return 10;
    if (write_full(fd, "hello", 5) != 0)
        return 11;
    if (read_full(fd, buf, 5) != 0)
        return 12;
    if (memcmp(buf, "hello", 5) != 0)
        return 13;
    if (read(fd, buf, 1) != 0) /* the server closed: EOF */
        return 14;
    close(fd);
    return 0;
}

static void t_echo(void)
{
    int l = listener(&echo_port);
    KTEST_CHECK("inet.listener", l >= 0 && echo_port != 0);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        _exit(echo_client(NULL));
    }
    struct sockaddr_in peer;
    socklen_t pl = sizeof peer;
    int c = accept(l, (struct sockaddr *)&peer, &pl);
    KTEST_CHECK("inet.accept", c >= 0);
    KTEST_CHECK("inet.accept_peer_addr", pl == sizeof peer && peer.sin_family == AF_INET &&
                                             peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && peer.sin_port != 0);
    struct sockaddr_in me;
    socklen_t ml = sizeof me;
    KTEST_CHECK("inet.accepted_sockname", getsockname(c, (struct sockaddr *)&me, &ml) == 0 &&
                                              ntohs(me.sin_port) == echo_port &&
                                              me.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    char buf[5];
    int ok = c >= 0 && read_full(c, buf, 5) == 0 && write_full(c, buf, 5) == 0;
    KTEST_CHECK("inet.echo_server_io", ok);
    close(c);
    int st = 0;
    waitpid(pid, &st, 0);
    ktest_result("inet.echo_client", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    close(l);
}

static void t_nonblock_epoll(void)
{
    unsigned short port;
    int l = listener(&port);
    int fl = fcntl(l, F_GETFL);
    fcntl(l, F_SETFL, fl | O_NONBLOCK);
    KTEST_ERRNO("inet.accept_nonblock_eagain", accept(l, NULL, NULL), EAGAIN);
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = lo_addr(port);
    errno = 0;
    int r = connect(s, (struct sockaddr *)&a, sizeof a);
    int ce = errno;
    ktest_result("inet.connect_nonblock_einprogress", r == 0 || ce == EINPROGRESS, "r=%d errno=%d", r, ce);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLOUT, .data.fd = s }, out[2];
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    int n = epoll_wait(ep, out, 2, 5000);
    KTEST_CHECK("inet.epoll_connected_pollout", n == 1 && (out[0].events & EPOLLOUT) && !(out[0].events & EPOLLERR));
    int e = -1;
    socklen_t el = sizeof e;
    KTEST_CHECK("inet.so_error_zero", getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == 0);
    /* [connect(2)]: the first connect() after completion reports it (0), as Linux */
    KTEST_CHECK("inet.connect_again_reports", connect(s, (struct sockaddr *)&a, sizeof a) == 0);
    KTEST_ERRNO("inet.connect_again_eisconn", connect(s, (struct sockaddr *)&a, sizeof a), EISCONN);
    struct epoll_event lev = { .events = EPOLLIN, .data.fd = l };
    epoll_ctl(ep, EPOLL_CTL_ADD, l, &lev);
    n = epoll_wait(ep, out, 2, 5000);
    int lready = 0;
    for (int i = 0; i < n; i++)
        if (out[i].data.fd == l && (out[i].events & EPOLLIN))
            lready = 1;
    KTEST_CHECK("inet.epoll_listener_pollin", lready);
    int c = accept4(l, NULL, NULL, SOCK_NONBLOCK);
    KTEST_CHECK("inet.accept4_nonblock", c >= 0 && (fcntl(c, F_GETFL) & O_NONBLOCK));
    char b;
    KTEST_ERRNO("inet.recv_empty_eagain", recv(c, &b, 1, 0), EAGAIN);
    /* data makes the accepted socket readable through epoll */
    struct epoll_event cev = { .events = EPOLLIN, .data.fd = c };
    epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL);
    epoll_ctl(ep, EPOLL_CTL_DEL, l, NULL);
    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
    KTEST_CHECK("inet.epoll_no_data_timeout", epoll_wait(ep, out, 2, 50) == 0);
    send(s, "z", 1, 0);
    n = epoll_wait(ep, out, 2, 5000);
    KTEST_CHECK("inet.epoll_data_pollin", n == 1 && out[0].data.fd == c && (out[0].events & EPOLLIN));
    KTEST_CHECK("inet.recv_after_epoll", recv(c, &b, 1, 0) == 1 && b == 'z');
    /* the peer's close: EPOLLIN|EPOLLRDHUP and EOF */
    close(s);
    cev.events = EPOLLIN | EPOLLRDHUP;
    epoll_ctl(ep, EPOLL_CTL_MOD, c, &cev);
    n = epoll_wait(ep, out, 2, 5000);
    KTEST_CHECK("inet.epoll_peer_close_rdhup", n == 1 && (out[0].events & EPOLLRDHUP));
    KTEST_CHECK("inet.recv_eof", recv(c, &b, 1, 0) == 0);
    close(c);

    /* non-blocking connect to a closed port: EPOLLERR and SO_ERROR = ECONNREFUSED */
    s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    a = lo_addr(port);
    close(l); /* the port is free now */
    errno = 0;
    r = connect(s, (struct sockaddr *)&a, sizeof a);
    int e0 = errno;
    if (r < 0 && e0 == EINPROGRESS) {
        ev.events = EPOLLOUT;
        ev.data.fd = s;
        epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
        n = epoll_wait(ep, out, 2, 5000);
        KTEST_CHECK("inet.epoll_refused_pollerr", n == 1 && (out[0].events & EPOLLERR));
        e = -1;
        el = sizeof e;
        getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &el);
        ktest_result("inet.so_error_econnrefused", e == ECONNREFUSED, "SO_ERROR %d", e);
        el = sizeof e;
        getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &el);
        ktest_result("inet.so_error_cleared", e == 0, "SO_ERROR %d", e);
    } else {
        ktest_result("inet.epoll_refused_pollerr", r < 0 && e0 == ECONNREFUSED, "r=%d errno=%d", r, e0);
        ktest_result("inet.so_error_econnrefused", r < 0 && e0 == ECONNREFUSED, "r=%d errno=%d", r, e0);
        ktest_result("inet.so_error_cleared", 1, NULL);
    }
    close(s);
    close(ep);
}

#define BIG (2u << 20)
static uint32_t fnv(const unsigned char *p, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static unsigned short big_port;
static int big_sender(void *arg)
{
    (void)arg;
    int fd = connect_to(big_port);
    if (fd < 0)
        return 20;
    unsigned char *buf = malloc(65536);
    uint32_t h = 2166136261u, x = 12345;
    for (size_t done = 0; done < BIG; done += 65536) {
        for (size_t i = 0; i < 65536; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (unsigned char)(x >> 16);
        }
        h = fnv(buf, 65536, h);
        if (write_full(fd, buf, 65536) != 0)
            return 21;
    }
    if (shutdown(fd, SHUT_WR) != 0) /* half-close: the receiver sees EOF, answers */
        return 22;
    uint32_t got = 0;
    if (read_full(fd, &got, sizeof got) != 0)
        return 23;
    close(fd);
    return got == h ? 0 : 24;
}

static void t_big(void)
{
    int l = listener(&big_port);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(120);
        _exit(big_sender(NULL));
    }
    int c = accept(l, NULL, NULL);
    unsigned char *buf = malloc(50000);
    uint32_t h = 2166136261u;
    size_t total = 0;
    for (;;) {
        ssize_t r = read(c, buf, 50000);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        h = fnv(buf, (size_t)r, h);
        total += (size_t)r;
    }
    ktest_result("inet.big_transfer_bytes", total == BIG, "got %zu of %u", total, BIG);
    KTEST_CHECK("inet.half_close_reply", write_full(c, &h, sizeof h) == 0);
    close(c);
    int st = 0;
    waitpid(pid, &st, 0);
    ktest_result("inet.big_transfer_checksum", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", ktest_wstr(st));
    free(buf);
    close(l);
}

static volatile sig_atomic_t got_pipe;
static void on_pipe(int sig)
{
    (void)sig;
    got_pipe = 1;
}

static void t_reset_and_pipe(void)
{
    unsigned short port;
    int l = listener(&port);
    int s = connect_to(port);
    int c = accept(l, NULL, NULL);
    KTEST_CHECK("inet.shutdown_wr", shutdown(s, SHUT_WR) == 0);
    KTEST_ERRNO("inet.send_after_shutdown_epipe", send(s, "x", 1, MSG_NOSIGNAL), EPIPE);
    signal(SIGPIPE, on_pipe);
    got_pipe = 0;
    errno = 0;
    ssize_t r = send(s, "x", 1, 0);
    ktest_result("inet.sigpipe", r == -1 && errno == EPIPE && got_pipe, "r=%zd errno=%d sig=%d", r, errno, (int)got_pipe);
    signal(SIGPIPE, SIG_DFL);
    char b;
    KTEST_CHECK("inet.peer_sees_eof", recv(c, &b, 1, 0) == 0);
    KTEST_CHECK("inet.half_closed_can_send", send(c, "y", 1, 0) == 1);
    KTEST_CHECK("inet.half_closed_can_recv", recv(s, &b, 1, 0) == 1 && b == 'y');
    close(s);
    close(c);

    /* SO_LINGER {1, 0}: close sends RST, the peer reads ECONNRESET */
    s = connect_to(port);
    c = accept(l, NULL, NULL);
    struct linger lg = { 1, 0 }, lg2 = { 0, 0 };
    socklen_t ll = sizeof lg2;
    KTEST_CHECK("inet.so_linger_set", setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
    KTEST_CHECK("inet.so_linger_get", getsockopt(c, SOL_SOCKET, SO_LINGER, &lg2, &ll) == 0 && lg2.l_onoff == 1 && lg2.l_linger == 0);
    close(c);
    struct pollfd p = { .fd = s, .events = POLLIN };
    poll(&p, 1, 5000);
    KTEST_CHECK("inet.rst_pollhup", (p.revents & (POLLHUP | POLLERR)) != 0);
    KTEST_ERRNO("inet.rst_econnreset", recv(s, &b, 1, 0), ECONNRESET);
    KTEST_CHECK("inet.after_rst_eof", recv(s, &b, 1, 0) == 0);
    close(s);
    close(l);
}

static int getint(int fd, int level, int opt)
{
    int v = -12345;
    socklen_t l = sizeof v;
    if (getsockopt(fd, level, opt, &v, &l) != 0)
        return -12345;
    return v;
}

static void t_options(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1, v = 4096;
    KTEST_CHECK("inet.reuseaddr_default_off", getint(s, SOL_SOCKET, SO_REUSEADDR) == 0);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    KTEST_CHECK("inet.reuseaddr_on", getint(s, SOL_SOCKET, SO_REUSEADDR) == 1);
    setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    KTEST_CHECK("inet.keepalive_on", getint(s, SOL_SOCKET, SO_KEEPALIVE) == 1);
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    KTEST_CHECK("inet.nodelay_on", getint(s, IPPROTO_TCP, TCP_NODELAY) == 1);
    KTEST_CHECK("inet.rcvbuf_set", setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v) == 0);
    KTEST_CHECK("inet.rcvbuf_doubled", getint(s, SOL_SOCKET, SO_RCVBUF) == 8192);
    KTEST_CHECK("inet.sndbuf_set", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0);
    KTEST_CHECK("inet.sndbuf_doubled", getint(s, SOL_SOCKET, SO_SNDBUF) == 8192);
    KTEST_ERRNO("inet.setsockopt_short_einval", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, 2), EINVAL);
    KTEST_ERRNO("inet.setsockopt_unknown_enoprotoopt", setsockopt(s, SOL_SOCKET, 9999, &one, sizeof one), ENOPROTOOPT);
    KTEST_CHECK("inet.acceptconn_0", getint(s, SOL_SOCKET, SO_ACCEPTCONN) == 0);
    KTEST_CHECK("inet.domain", getint(s, SOL_SOCKET, SO_DOMAIN) == AF_INET);
    close(s);

    /* SO_REUSEADDR lets a server rebind its port while the old connection
     * is in TIME_WAIT */
    unsigned short port;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = lo_addr(0);
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 4);
    port = port_of(l);
    int c = connect_to(port), d = accept(l, NULL, NULL);
    close(d); /* the server closes first: its side goes to TIME_WAIT */
    char b;
    recv(c, &b, 1, 0);
    close(c);
    close(l);
    l = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    a = lo_addr(port);
    KTEST_CHECK("inet.reuseaddr_rebind", bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 4) == 0);
    close(l);
}

/* [netdevice(7)] the requests BusyBox ifconfig makes, on lo */
static void t_ifaces(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    KTEST_CHECK("inet.siocgifflags_lo", ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) &&
                                            (ifr.ifr_flags & IFF_LOOPBACK) && (ifr.ifr_flags & IFF_RUNNING));
    struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
    KTEST_CHECK("inet.siocgifaddr_lo", ioctl(s, SIOCGIFADDR, &ifr) == 0 && sin->sin_family == AF_INET &&
                                           sin->sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    KTEST_CHECK("inet.siocgifnetmask_lo", ioctl(s, SIOCGIFNETMASK, &ifr) == 0 && sin->sin_addr.s_addr == htonl(0xff000000));
    KTEST_CHECK("inet.siocgifmtu_lo", ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == 65536);
    KTEST_CHECK("inet.siocgifindex_lo", ioctl(s, SIOCGIFINDEX, &ifr) == 0 && ifr.ifr_ifindex >= 1);
    int idx = ifr.ifr_ifindex;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_ifindex = idx;
    KTEST_CHECK("inet.siocgifname_lo", ioctl(s, SIOCGIFNAME, &ifr) == 0 && strcmp(ifr.ifr_name, "lo") == 0);
    KTEST_CHECK("inet.if_nametoindex", if_nametoindex("lo") == (unsigned)idx);
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "nosuch0");
    KTEST_ERRNO("inet.siocgifflags_enodev", ioctl(s, SIOCGIFFLAGS, &ifr), ENODEV);
    KTEST_ERRNO("inet.siocgifflags_efault", ioctl(s, SIOCGIFFLAGS, ktest_ptr(16)), EFAULT);
    struct ifreq reqs[8];
    struct ifconf ifc = { .ifc_len = sizeof reqs, .ifc_req = reqs };
    int found = 0;
    if (ioctl(s, SIOCGIFCONF, &ifc) == 0)
        for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); i++)
            if (!strcmp(reqs[i].ifr_name, "lo") &&
                ((struct sockaddr_in *)&reqs[i].ifr_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
                found = 1;
    KTEST_CHECK("inet.siocgifconf_lo", found);
    struct ifconf q = { .ifc_len = 0, .ifc_buf = NULL };
    KTEST_CHECK("inet.siocgifconf_len", ioctl(s, SIOCGIFCONF, &q) == 0 && q.ifc_len >= (int)sizeof(struct ifreq) &&
                                            q.ifc_len % (int)sizeof(struct ifreq) == 0);
    close(s);

    /* FIONREAD: bytes queued (TCP), the next datagram's size (UDP) */
    unsigned short port;
    int l = listener(&port), c = connect_to(port), a = accept(l, NULL, NULL), n = -1;
    send(c, "12345", 5, 0);
    struct pollfd p = { .fd = a, .events = POLLIN };
    poll(&p, 1, 5000);
    KTEST_CHECK("inet.fionread_tcp", ioctl(a, FIONREAD, &n) == 0 && n == 5);
    KTEST_ERRNO("inet.fionread_listener_einval", ioctl(l, FIONREAD, &n), EINVAL);
    close(a);
    close(c);
    close(l);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in ua = lo_addr(0);
    bind(u, (struct sockaddr *)&ua, sizeof ua);
    ua = lo_addr(port_of(u));
    sendto(u, "abc", 3, 0, (struct sockaddr *)&ua, sizeof ua);
    sendto(u, "defgh", 5, 0, (struct sockaddr *)&ua, sizeof ua);
    p.fd = u;
    poll(&p, 1, 5000);
    KTEST_CHECK("inet.fionread_udp_next_dgram", ioctl(u, FIONREAD, &n) == 0 && n == 3);
    close(u);
}

static void t_udp(void)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = lo_addr(0), from;
    socklen_t fl = sizeof from;
    bind(a, (struct sockaddr *)&sa, sizeof sa);
    bind(b, (struct sockaddr *)&sa, sizeof sa);
    struct sockaddr_in ta = lo_addr(port_of(a));
    KTEST_CHECK("inet.udp_sendto", sendto(b, "ping", 4, 0, (struct sockaddr *)&ta, sizeof ta) == 4);
    char buf[16] = { 0 };
    ssize_t r = recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    KTEST_CHECK("inet.udp_recvfrom", r == 4 && memcmp(buf, "ping", 4) == 0);
    KTEST_CHECK("inet.udp_from_addr", fl == sizeof from && ntohs(from.sin_port) == port_of(b) &&
                                          from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    /* boundaries are kept; a short read truncates and MSG_TRUNC tells the real size */
    sendto(b, "abcdef", 6, 0, (struct sockaddr *)&ta, sizeof ta);
    sendto(b, "gh", 2, 0, (struct sockaddr *)&ta, sizeof ta);
    KTEST_CHECK("inet.udp_peek", recv(a, buf, sizeof buf, MSG_PEEK) == 6);
    KTEST_CHECK("inet.udp_trunc_len", recv(a, buf, 3, MSG_TRUNC) == 6 && memcmp(buf, "abc", 3) == 0);
    KTEST_CHECK("inet.udp_next_dgram", recv(a, buf, sizeof buf, 0) == 2 && memcmp(buf, "gh", 2) == 0);
    KTEST_ERRNO("inet.udp_empty_eagain", recv(a, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    KTEST_ERRNO("inet.udp_send_unconnected_edestaddrreq", send(b, "x", 1, 0), EDESTADDRREQ);
    KTEST_CHECK("inet.udp_connect", connect(b, (struct sockaddr *)&ta, sizeof ta) == 0);
    KTEST_CHECK("inet.udp_send_connected", send(b, "conn", 4, 0) == 4);
    struct pollfd p = { .fd = a, .events = POLLIN };
    KTEST_CHECK("inet.udp_poll_in", poll(&p, 1, 5000) == 1 && (p.revents & POLLIN));
    KTEST_CHECK("inet.udp_recv_connected", recv(a, buf, sizeof buf, 0) == 4 && memcmp(buf, "conn", 4) == 0);
    struct sockaddr_in pa;
    socklen_t pl = sizeof pa;
    KTEST_CHECK("inet.udp_getpeername", getpeername(b, (struct sockaddr *)&pa, &pl) == 0 && pa.sin_port == ta.sin_port);
    struct sockaddr un = { .sa_family = AF_UNSPEC };
    KTEST_CHECK("inet.udp_disconnect", connect(b, &un, sizeof un) == 0);
    pl = sizeof pa;
    KTEST_ERRNO("inet.udp_disconnected_enotconn", getpeername(b, (struct sockaddr *)&pa, &pl), ENOTCONN);
    KTEST_ERRNO("inet.udp_too_big_emsgsize", sendto(b, buf, 70000, 0, (struct sockaddr *)&ta, sizeof ta), EMSGSIZE);
    KTEST_ERRNO("inet.udp_sendto_efault", sendto(b, ktest_ptr(4), 4, 0, (struct sockaddr *)&ta, sizeof ta), EFAULT);
    close(a);
    close(b);
}

static uint16_t icmp_sum(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons((uint16_t)~sum);
}

/* [raw(7)], [icmp(7)]: an echo request to 127.0.0.1 on a raw ICMP socket
 * (root) is answered; the socket receives whole IP packets. */
static void t_icmp(void)
{
    if (geteuid() != 0) {
        ktest_result("inet.icmp_raw_echo", 1, NULL);
        return;
    }
    int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    KTEST_CHECK("inet.icmp_raw_socket", s >= 0);
    KTEST_ERRNO("inet.raw_bad_proto_einval", socket(AF_INET, SOCK_RAW, 4242), EINVAL);
    unsigned char pkt[64] = { 0 };
    struct icmphdr *ic = (struct icmphdr *)pkt;
    ic->type = ICMP_ECHO;
    ic->un.echo.id = htons(0x4b56);
    ic->un.echo.sequence = htons(7);
    memcpy(pkt + sizeof *ic, "kevlar-ping", 11);
    ic->checksum = icmp_sum(pkt, sizeof pkt);
    struct sockaddr_in to = lo_addr(0);
    KTEST_CHECK("inet.icmp_sendto", sendto(s, pkt, sizeof pkt, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)sizeof pkt);
    int got = 0;
    for (int i = 0; i < 4 && !got; i++) {
        unsigned char buf[256];
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 3000) != 1)
            break;
        ssize_t n = recv(s, buf, sizeof buf, 0);
        struct iphdr *ip = (struct iphdr *)buf;
        if (n < (ssize_t)(sizeof *ip + sizeof *ic) || ip->protocol != IPPROTO_ICMP)
            continue;
        struct icmphdr *r = (struct icmphdr *)(buf + ip->ihl * 4);
        if (r->type == ICMP_ECHOREPLY && r->un.echo.id == htons(0x4b56) && r->un.echo.sequence == htons(7) &&
            n == (ssize_t)(ip->ihl * 4 + sizeof pkt) && !memcmp((char *)r + sizeof *ic, "kevlar-ping", 11))
            got = 1;
    }
    KTEST_CHECK("inet.icmp_raw_echo", got);
    close(s);
}

static int file_has(const char *path, const char *needle)
{
    static char buf[16384];
    int fd = open(path, O_RDONLY), n = 0, r;
    if (fd < 0)
        return 0;
    while (n < (int)sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += r;
    close(fd);
    buf[n] = 0;
    return strstr(buf, needle) != NULL;
}

static void set_sin(struct sockaddr *sa, const char *a)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)sa;
    memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    inet_pton(AF_INET, a, &sin->sin_addr);
}

/* [proc(5)] /proc/net/udp and /proc/net/route; [route(8)] the ioctls' errors
 * (Linux's ip_rt_ioctl()): eth0 and its routes are //tests:qemu_*_net's. */
static void t_routes(void)
{
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in ua = lo_addr(0);
    char want[64];
    bind(u, (struct sockaddr *)&ua, sizeof ua);
    snprintf(want, sizeof want, "0100007F:%04X 00000000:0000 07", port_of(u));
    KTEST_CHECK("inet.proc_net_udp", file_has("/proc/net/udp", want));
    KTEST_CHECK("inet.proc_net_udp_header", file_has("/proc/net/udp", "   sl  local_address rem_address   st tx_queue"));
    close(u);
    KTEST_CHECK("inet.proc_net_udp_closed", !file_has("/proc/net/udp", want));
    KTEST_CHECK("inet.proc_net_route_header", file_has("/proc/net/route", "Iface\tDestination\tGateway \tFlags"));

    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct rtentry rt;
    memset(&rt, 0, sizeof rt);
    set_sin(&rt.rt_dst, "10.99.0.0");
    set_sin(&rt.rt_genmask, "255.255.0.0");
    rt.rt_flags = RTF_UP;
    rt.rt_dev = (char *)ktest_ptr(16);
    KTEST_ERRNO("inet.siocaddrt_efault", ioctl(s, SIOCADDRT, ktest_ptr(16)), EFAULT);
    KTEST_ERRNO("inet.siocaddrt_dev_efault", ioctl(s, SIOCADDRT, &rt), EFAULT);
    rt.rt_dev = "nosuch0";
    KTEST_ERRNO("inet.siocaddrt_enodev", ioctl(s, SIOCADDRT, &rt), ENODEV);
    rt.rt_dev = "lo";
    KTEST_ERRNO("inet.siocdelrt_esrch", ioctl(s, SIOCDELRT, &rt), ESRCH);
    set_sin(&rt.rt_dst, "10.99.1.0");
    KTEST_ERRNO("inet.siocaddrt_bad_mask", ioctl(s, SIOCADDRT, &rt), EINVAL);
    set_sin(&rt.rt_dst, "10.99.0.0");
    rt.rt_dev = NULL;
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    set_sin(&rt.rt_gateway, "10.98.0.1");
    KTEST_ERRNO("inet.siocaddrt_gw_unreachable", ioctl(s, SIOCADDRT, &rt), ENETUNREACH);
    close(s);
}

/* Linux's lo stays down until configured (a bare initramfs has nobody to
 * do it); Kevlar's is up from boot. Bring it up as rc scripts do. */
static void lo_up(void)
{
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
}

int main(void)
{
    lo_up();
    t_create();
    t_bind_errors();
    t_echo();
    t_nonblock_epoll();
    t_big();
    t_reset_and_pipe();
    t_options();
    t_udp();
    t_ifaces();
    t_routes();
    t_icmp();
    return 0;
}
