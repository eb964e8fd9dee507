/* t_splice.c - splice(2), tee(2), vmsplice(2): pipe <-> file and pipe <->
 * pipe, offsets, SPLICE_F_NONBLOCK, and the errors for bad ends and flags. */
#include "ktest.h"

#include <sys/uio.h>

static int write_file(const char *path, const char *s)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (fd < 0)
        return -1;
    if (write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
        close(fd);
        return -1;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

static void t_file_pipe(void)
{
    int p[2];
    char buf[64];
    if (pipe(p))
        return;
    int fd = write_file("in", "0123456789abcdef");

    ssize_t n = splice(fd, NULL, p[1], NULL, 10, 0);
    ktest_result("splice.file_to_pipe", n == 10 && lseek(fd, 0, SEEK_CUR) == 10, "n=%zd", n);
    memset(buf, 0, sizeof buf);
    KTEST_CHECK("splice.file_to_pipe_data", read(p[0], buf, sizeof buf) == 10 && !memcmp(buf, "0123456789", 10));

    loff_t off = 4;
    n = splice(fd, &off, p[1], NULL, 3, 0);
    ktest_result("splice.file_offset", n == 3 && off == 7 && lseek(fd, 0, SEEK_CUR) == 10, "n=%zd off=%lld", n,
                 (long long)off);
    KTEST_CHECK("splice.file_offset_data", read(p[0], buf, sizeof buf) == 3 && !memcmp(buf, "456", 3));
    off = 100;
    KTEST_CHECK("splice.file_eof_zero", splice(fd, &off, p[1], NULL, 3, 0) == 0);

    int out = open("out", O_CREAT | O_TRUNC | O_RDWR, 0644);
    KTEST_CHECK("splice.pipe_fill", write(p[1], "hello pipe", 10) == 10);
    n = splice(p[0], NULL, out, NULL, 64, 0);
    ktest_result("splice.pipe_to_file", n == 10 && lseek(out, 0, SEEK_CUR) == 10, "n=%zd", n);
    write(p[1], "XY", 2);
    off = 2;
    n = splice(p[0], NULL, out, &off, 2, 0);
    memset(buf, 0, sizeof buf);
    pread(out, buf, sizeof buf, 0);
    ktest_result("splice.pipe_to_file_offset", n == 2 && off == 4 && !strcmp(buf, "heXYo pipe"), "n=%zd buf='%s'",
                 n, buf);

    KTEST_ERRNO("splice.nonblock_empty_eagain", splice(p[0], NULL, out, NULL, 4, SPLICE_F_NONBLOCK), EAGAIN);
    KTEST_ERRNO("splice.no_pipe_einval", splice(fd, NULL, out, NULL, 4, 0), EINVAL);
    KTEST_ERRNO("splice.bad_flags_einval", splice(p[0], NULL, out, NULL, 4, 0x100), EINVAL);
    KTEST_ERRNO("splice.pipe_offset_espipe", splice(p[0], &off, out, NULL, 4, 0), ESPIPE);
    KTEST_ERRNO("splice.ebadf", splice(-1, NULL, p[1], NULL, 4, 0), EBADF);
    KTEST_ERRNO("splice.wrong_end_ebadf", splice(p[1], NULL, out, NULL, 4, 0), EBADF);
    KTEST_ERRNO("splice.bad_offset_efault", splice(fd, ktest_ptr(16), p[1], NULL, 4, 0), EFAULT);
    off = -1;
    KTEST_ERRNO("splice.negative_offset_einval", splice(fd, &off, p[1], NULL, 4, 0), EINVAL);
    KTEST_CHECK("splice.len0", splice(fd, NULL, out, NULL, 0, 0) == 0);
    int app = open("out", O_WRONLY | O_APPEND);
    write(p[1], "z", 1);
    KTEST_ERRNO("splice.append_einval", splice(p[0], NULL, app, NULL, 1, 0), EINVAL);
    read(p[0], buf, 1);
    close(app);
    close(p[1]);
    KTEST_CHECK("splice.no_writer_eof", splice(p[0], NULL, out, NULL, 4, 0) == 0);
    close(p[0]);
    close(fd);
    close(out);
}

static void t_pipe_pipe(void)
{
    int a[2], b[2];
    char buf[64];
    if (pipe(a) || pipe(b))
        return;
    write(a[1], "abcdef", 6);
    ssize_t n = tee(a[0], b[1], 4, 0);
    memset(buf, 0, sizeof buf);
    ktest_result("tee.copies", n == 4 && read(b[0], buf, sizeof buf) == 4 && !memcmp(buf, "abcd", 4), "n=%zd", n);
    n = splice(a[0], NULL, b[1], NULL, 64, 0);
    memset(buf, 0, sizeof buf);
    ktest_result("splice.pipe_to_pipe_after_tee", n == 6 && read(b[0], buf, sizeof buf) == 6 &&
                                                      !memcmp(buf, "abcdef", 6),
                 "n=%zd buf='%s'", n, buf);
    KTEST_ERRNO("tee.nonblock_empty_eagain", tee(a[0], b[1], 4, SPLICE_F_NONBLOCK), EAGAIN);
    KTEST_ERRNO("splice.same_pipe_einval", splice(a[0], NULL, a[1], NULL, 4, 0), EINVAL);
    KTEST_ERRNO("tee.same_pipe_einval", tee(a[0], a[1], 4, 0), EINVAL);
    int fd = write_file("t", "x");
    KTEST_ERRNO("tee.file_einval", tee(fd, b[1], 4, 0), EINVAL);
    KTEST_ERRNO("tee.bad_flags_einval", tee(a[0], b[1], 4, 0x100), EINVAL);
    KTEST_ERRNO("tee.ebadf", tee(-1, b[1], 4, 0), EBADF);
    close(fd);
    /* A full pipe: nonblocking splice into it fails with EAGAIN. */
    fcntl(b[1], F_SETFL, O_NONBLOCK);
    while (write(b[1], buf, sizeof buf) > 0)
        ;
    fcntl(b[1], F_SETFL, 0);
    write(a[1], "q", 1);
    KTEST_ERRNO("splice.full_pipe_nonblock_eagain", splice(a[0], NULL, b[1], NULL, 1, SPLICE_F_NONBLOCK), EAGAIN);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
}

static void t_vmsplice(void)
{
    int p[2];
    char buf[64];
    if (pipe(p))
        return;
    char x[] = "vm", y[] = "splice";
    struct iovec in[2] = {{x, 2}, {y, 6}};
    ssize_t n = vmsplice(p[1], in, 2, 0);
    memset(buf, 0, sizeof buf);
    ktest_result("vmsplice.to_pipe", n == 8 && read(p[0], buf, sizeof buf) == 8 && !memcmp(buf, "vmsplice", 8),
                 "n=%zd buf='%s'", n, buf);
    write(p[1], "back", 4);
    struct iovec outv = {buf, sizeof buf};
    memset(buf, 0, sizeof buf);
    n = vmsplice(p[0], &outv, 1, 0);
    ktest_result("vmsplice.to_user", n == 4 && !memcmp(buf, "back", 4), "n=%zd", n);
    KTEST_ERRNO("vmsplice.nonblock_empty_eagain", vmsplice(p[0], &outv, 1, SPLICE_F_NONBLOCK), EAGAIN);
    KTEST_ERRNO("vmsplice.bad_flags_einval", vmsplice(p[1], in, 2, 0x100), EINVAL);
    KTEST_ERRNO("vmsplice.too_many_einval", vmsplice(p[1], in, 1025, 0), EINVAL);
    KTEST_ERRNO("vmsplice.bad_iov_efault", vmsplice(p[1], ktest_ptr(16), 1, 0), EFAULT);
    int fd = write_file("v", "x");
    KTEST_ERRNO("vmsplice.not_pipe_ebadf", vmsplice(fd, in, 1, 0), EBADF);
    close(fd);
    KTEST_CHECK("vmsplice.zero_segs", vmsplice(p[1], in, 0, 0) == 0);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    if (ktest_enter_scratch("splice") != 0) {
        ktest_result("splice.scratch", 0, "cannot enter scratch dir: %s", strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    t_file_pipe();
    t_pipe_pipe();
    t_vmsplice();
    return ktest_nfail ? 1 : 0;
}
