/* t_inotify.c - inotify(7): IN_CREATE, IN_DELETE, IN_MODIFY, IN_CLOSE_WRITE,
 * IN_MOVED_FROM/TO (one cookie), IN_ATTRIB, IN_IGNORED, IN_ONESHOT, the
 * record layout, poll, and the error paths. */
#include "ktest.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

static char buf[4096] __attribute__((aligned(8)));

/* Read what is queued (non-blocking fd); returns the byte count. */
static ssize_t drain(int fd)
{
    ssize_t n = read(fd, buf, sizeof buf);
    return n < 0 ? 0 : n;
}

/* Find the n-th event (0-based) matching mask bits and name in buf[0..len). */
static const struct inotify_event *find(ssize_t len, uint32_t mask, const char *name)
{
    for (ssize_t off = 0; off < len;) {
        const struct inotify_event *e = (const void *)(buf + off);
        if ((e->mask & mask) == mask && (!name || (e->len && !strcmp(e->name, name))))
            return e;
        off += (ssize_t)sizeof *e + e->len;
    }
    return NULL;
}

/* The event with this mask bit for watch wd, or NULL. */
static const struct inotify_event *find_wd(ssize_t len, uint32_t mask, int wd)
{
    for (ssize_t off = 0; off < len;) {
        const struct inotify_event *e = (const void *)(buf + off);
        if ((e->mask & mask) == mask && e->wd == wd)
            return e;
        off += (ssize_t)sizeof *e + e->len;
    }
    return NULL;
}

int main(void)
{
    char dir[] = "/tmp/inotify_XXXXXX", path[96], path2[96];
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), wd, wf, fd;
    ssize_t n;

    KTEST_CHECK("inotify.init", in >= 0 && (fcntl(in, F_GETFD) & FD_CLOEXEC) &&
                                    (fcntl(in, F_GETFL) & O_NONBLOCK));
    mkdtemp(dir);
    wd = inotify_add_watch(in, dir, IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE |
                                        IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB);
    KTEST_CHECK("inotify.add_dir", wd > 0);
    KTEST_ERRNO("inotify.empty", read(in, buf, sizeof buf), EAGAIN);

    snprintf(path, sizeof path, "%s/f", dir);
    fd = open(path, O_CREAT | O_WRONLY, 0644);
    write(fd, "x", 1);
    close(fd);
    n = drain(in);
    const struct inotify_event *e = find(n, IN_CREATE, "f");
    KTEST_CHECK("inotify.create", e && e->wd == wd && e->len >= 2 && e->len % 16 == 0);
    KTEST_CHECK("inotify.modify", find(n, IN_MODIFY, "f") != NULL);
    KTEST_CHECK("inotify.close_write", find(n, IN_CLOSE_WRITE, "f") != NULL);

    wf = inotify_add_watch(in, path, IN_ATTRIB | IN_MODIFY);
    KTEST_CHECK("inotify.add_file", wf > 0 && wf != wd);
    KTEST_CHECK("inotify.add_same", inotify_add_watch(in, path, IN_ATTRIB | IN_MODIFY) == wf);
    chmod(path, 0600);
    n = drain(in);
    e = find_wd(n, IN_ATTRIB, wf);
    KTEST_CHECK("inotify.attrib", e && e->len == 0);
    fd = open(path, O_WRONLY);
    write(fd, "y", 1);
    close(fd);
    n = drain(in);
    e = find_wd(n, IN_MODIFY, wf);
    KTEST_CHECK("inotify.modify_file_watch", e && e->len == 0 && find(n, IN_MODIFY, "f"));

    snprintf(path2, sizeof path2, "%s/g", dir);
    rename(path, path2);
    n = drain(in);
    const struct inotify_event *from = find(n, IN_MOVED_FROM, "f"), *to = find(n, IN_MOVED_TO, "g");
    KTEST_CHECK("inotify.move", from && to && from->cookie && from->cookie == to->cookie);

    mkdir(path, 0755);
    n = drain(in);
    KTEST_CHECK("inotify.create_dir", find(n, IN_CREATE | IN_ISDIR, "f") != NULL);
    rmdir(path);
    unlink(path2);
    n = drain(in);
    KTEST_CHECK("inotify.delete_dir", find(n, IN_DELETE | IN_ISDIR, "f") != NULL);
    KTEST_CHECK("inotify.delete", find(n, IN_DELETE, "g") != NULL);

    /* A buffer too small for the next event. */
    fd = open(path, O_CREAT | O_WRONLY, 0644);
    close(fd);
    KTEST_ERRNO("inotify.read_small", read(in, buf, sizeof(struct inotify_event)), EINVAL);
    struct pollfd pfd = { .fd = in, .events = POLLIN };
    KTEST_CHECK("inotify.poll", poll(&pfd, 1, 0) == 1);
    int avail = 0;
    KTEST_CHECK("inotify.fionread", ioctl(in, FIONREAD, &avail) == 0 && avail > 0);
    drain(in);
    unlink(path);
    drain(in);

    KTEST_CHECK("inotify.rm_watch", inotify_rm_watch(in, wd) == 0);
    n = drain(in);
    e = find(n, IN_IGNORED, NULL);
    KTEST_CHECK("inotify.ignored", e && e->wd == wd);
    KTEST_ERRNO("inotify.rm_twice", inotify_rm_watch(in, wd), EINVAL);

    /* IN_ONESHOT: one event, then IN_IGNORED. */
    wd = inotify_add_watch(in, dir, IN_CREATE | IN_ONESHOT);
    fd = open(path, O_CREAT | O_WRONLY, 0644);
    close(fd);
    unlink(path);
    fd = open(path, O_CREAT | O_WRONLY, 0644);
    close(fd);
    n = drain(in);
    int creates = 0;
    for (ssize_t off = 0; off < n;) {
        const struct inotify_event *x = (const void *)(buf + off);
        if (x->mask & IN_CREATE)
            creates++;
        off += (ssize_t)sizeof *x + x->len;
    }
    KTEST_CHECK("inotify.oneshot", creates == 1 && find(n, IN_IGNORED, NULL));
    unlink(path);

    /* Errors. */
    KTEST_ERRNO("inotify.init_badflags", inotify_init1(1), EINVAL);
    KTEST_ERRNO("inotify.add_nomask", inotify_add_watch(in, dir, 0), EINVAL);
    KTEST_ERRNO("inotify.add_enoent", inotify_add_watch(in, "/nonexistent/x", IN_CREATE), ENOENT);
    KTEST_ERRNO("inotify.add_ebadf", inotify_add_watch(-1, dir, IN_CREATE), EBADF);
    KTEST_ERRNO("inotify.add_notinotify", inotify_add_watch(1, dir, IN_CREATE), EINVAL);
    KTEST_ERRNO("inotify.add_onlydir", inotify_add_watch(in, "/proc/self/exe", IN_CREATE | IN_ONLYDIR),
                ENOTDIR);
    KTEST_ERRNO("inotify.add_efault", syscall(SYS_inotify_add_watch, in, (void *)8, IN_CREATE),
                EFAULT);
    KTEST_ERRNO("inotify.rm_ebadf", inotify_rm_watch(-1, 1), EBADF);
    KTEST_ERRNO("inotify.rm_notinotify", inotify_rm_watch(1, 1), EINVAL);
    close(in);
    rmdir(dir);
    return ktest_nfail ? 1 : 0;
}
