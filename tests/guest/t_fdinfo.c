/* t_fdinfo.c - /proc/<pid>/fdinfo/<fd> [proc(5)]: pos, flags (with
 * O_CLOEXEC), mnt_id (as in mountinfo), ino; eventfd-count; epoll's tfd
 * lines; the directory lists the open descriptors and only them. */
#include "ktest.h"

#include <dirent.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

/* The kernel's O_LARGEFILE, which 64-bit opens get (uapi asm/fcntl.h). */
#ifdef __aarch64__
#define KERNEL_O_LARGEFILE 0400000
#else
#define KERNEL_O_LARGEFILE 0100000
#endif

static int read_info(int fd, char *buf, size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    int f = open(path, O_RDONLY);
    if (f < 0)
        return -1;
    ssize_t n = read(f, buf, cap - 1);
    close(f);
    if (n < 0)
        return -1;
    buf[n] = 0;
    return 0;
}

/* The mnt_id of the mount holding path, from /proc/self/mountinfo's
 * longest matching mount point. */
static int mnt_id_of(const char *path)
{
    FILE *m = fopen("/proc/self/mountinfo", "r");
    char line[512], mp[256];
    int id, best = -1;
    size_t bestlen = 0;
    while (m && fgets(line, sizeof line, m)) {
        if (sscanf(line, "%d %*d %*s %*s %255s", &id, mp) != 2)
            continue;
        size_t l = strlen(mp);
        if (!strncmp(path, mp, l) && (path[l] == '/' || path[l] == 0 || l == 1) && l >= bestlen) {
            best = id;
            bestlen = l;
        }
    }
    if (m)
        fclose(m);
    return best;
}

int main(void)
{
    char buf[1024], want[256];
    if (ktest_enter_scratch("fdinfo") != 0) {
        ktest_result("fdinfo.scratch", 0, "cannot enter scratch dir: %s", strerror(errno));
        return 1;
    }
    char cwd[256];
    getcwd(cwd, sizeof cwd);
    int fd = open("f", O_CREAT | O_RDWR | O_APPEND | O_CLOEXEC, 0644);
    write(fd, "hello", 5);
    lseek(fd, 3, SEEK_SET);
    struct stat st;
    fstat(fd, &st);
    int r = read_info(fd, buf, sizeof buf);
    snprintf(want, sizeof want, "pos:\t3\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n",
             O_RDWR | O_APPEND | O_CLOEXEC | KERNEL_O_LARGEFILE, mnt_id_of(cwd),
             (unsigned long long)st.st_ino);
    ktest_result("fdinfo.regular_file", r == 0 && !strcmp(buf, want), "got '%s' want '%s'", buf, want);

    int efd = eventfd(7, EFD_NONBLOCK);
    r = read_info(efd, buf, sizeof buf);
    ktest_result("fdinfo.eventfd_count", r == 0 && strstr(buf, "eventfd-count:                7\n") &&
                                             strstr(buf, "flags:\t04002") && strstr(buf, "eventfd-id: "),
                 "got '%s'", buf);

    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1234 };
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    fstat(efd, &st);
    r = read_info(ep, buf, sizeof buf);
    snprintf(want, sizeof want, "tfd: %8d events: %8x data: %16llx  pos:0 ino:%llx sdev:", efd,
             EPOLLIN | EPOLLERR | EPOLLHUP, 0x1234ULL, (unsigned long long)st.st_ino);
    ktest_result("fdinfo.epoll_tfd", r == 0 && strstr(buf, want), "got '%s' want '%s'", buf, want);

    int found = 0, bad = 0;
    DIR *d = opendir("/proc/self/fdinfo");
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        int n = atoi(de->d_name);
        if (n == ep)
            found = 1;
        if (fcntl(n, F_GETFD) < 0 && n != dirfd(d))
            bad = 1;
    }
    if (d)
        closedir(d);
    KTEST_CHECK("fdinfo.readdir", found && !bad);
    close(ep);
    KTEST_ERRNO("fdinfo.closed_fd_enoent", open("/proc/self/fdinfo/999", O_RDONLY), ENOENT);
    close(efd);
    close(fd);
    return ktest_nfail ? 1 : 0;
}
