/* t_file.c - filesystem syscalls: open/read/write/seek, stat family,
 * directories, links, renames, permissions, timestamps, error paths. */
#include "ktest.h"

#include <dirent.h>
#include <limits.h>
#include <sys/uio.h>

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static void t_basic_io(void)
{
    int fd = openat(AT_FDCWD, "f1", O_CREAT | O_EXCL | O_RDWR, 0644);
    KTEST_CHECK("file.openat_create_excl", fd >= 0);
    ssize_t w = write(fd, "hello world", 11);
    off_t o = lseek(fd, 0, SEEK_SET);
    char buf[64] = {0};
    ssize_t r = read(fd, buf, sizeof buf);
    ktest_result("file.write_lseek_read", w == 11 && o == 0 && r == 11 && !memcmp(buf, "hello world", 11),
                 "write=%zd lseek=%lld read=%zd buf='%s'", w, (long long)o, r, buf);

    r = read(fd, buf, sizeof buf);
    ktest_result("file.read_at_eof", r == 0, "read at EOF returned %zd", r);

    off_t end = lseek(fd, 0, SEEK_END);
    off_t cur = lseek(fd, -5, SEEK_CUR);
    ktest_result("file.lseek_end_cur", end == 11 && cur == 6, "SEEK_END=%lld SEEK_CUR-5=%lld",
                 (long long)end, (long long)cur);

    memset(buf, 0, sizeof buf);
    r = pread(fd, buf, 5, 6);
    off_t after = lseek(fd, 0, SEEK_CUR);
    ktest_result("file.pread64", r == 5 && !memcmp(buf, "world", 5) && after == 6,
                 "pread=%zd buf='%s' offset after=%lld (want 6)", r, buf, (long long)after);

    w = pwrite(fd, "HELLO", 5, 0);
    after = lseek(fd, 0, SEEK_CUR);
    memset(buf, 0, sizeof buf);
    r = pread(fd, buf, 11, 0);
    ktest_result("file.pwrite64", w == 5 && after == 6 && r == 11 && !memcmp(buf, "HELLO world", 11),
                 "pwrite=%zd offset=%lld content='%s'", w, (long long)after, buf);

    /* writing past EOF leaves a zero-filled gap */
    o = lseek(fd, 100, SEEK_SET);
    w = write(fd, "Z", 1);
    struct stat st;
    int fs = fstat(fd, &st);
    char gap[89];
    memset(gap, 'x', sizeof gap);
    r = pread(fd, gap, sizeof gap, 11);
    int zeros = 1;
    for (size_t i = 0; i < sizeof gap; i++)
        if (gap[i] != 0)
            zeros = 0;
    ktest_result("file.write_past_eof_gap", o == 100 && w == 1 && fs == 0 && st.st_size == 101 &&
                                                r == (ssize_t)sizeof gap && zeros,
                 "size=%lld gap read=%zd zeros=%d", (long long)st.st_size, r, zeros);

    KTEST_ERRNO("file.lseek_negative_einval", lseek(fd, -1, SEEK_SET), EINVAL);
    close(fd);

    /* writev / readv */
    fd = open("f2", O_CREAT | O_TRUNC | O_RDWR, 0644);
    struct iovec wv[3] = {{"abc", 3}, {"", 0}, {"defgh", 5}};
    w = writev(fd, wv, 3);
    lseek(fd, 0, SEEK_SET);
    char a[2] = {0}, b[8] = {0};
    struct iovec rv[2] = {{a, 2}, {b, sizeof b}};
    r = readv(fd, rv, 2);
    ktest_result("file.writev_readv", w == 8 && r == 8 && !memcmp(a, "ab", 2) && !memcmp(b, "cdefgh", 6),
                 "writev=%zd readv=%zd a='%.2s' b='%.8s'", w, r, a, b);
    close(fd);

    /* O_APPEND always writes at the end */
    fd = open("f2", O_WRONLY | O_APPEND);
    lseek(fd, 0, SEEK_SET);
    w = write(fd, "XY", 2);
    close(fd);
    fd = open("f2", O_RDONLY);
    memset(buf, 0, sizeof buf);
    r = read(fd, buf, sizeof buf);
    close(fd);
    ktest_result("file.o_append", w == 2 && r == 10 && !memcmp(buf, "abcdefghXY", 10),
                 "content='%s' (want abcdefghXY)", buf);

    fd = open("f2", O_WRONLY | O_TRUNC);
    fs = fstat(fd, &st);
    close(fd);
    ktest_result("file.o_trunc", fd >= 0 && fs == 0 && st.st_size == 0, "size after O_TRUNC=%lld",
                 (long long)st.st_size);

    KTEST_ERRNO("file.o_excl_eexist", open("f2", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);

    /* the lowest free descriptor is reused */
    int f1 = open("f2", O_RDONLY);
    close(f1);
    int f2 = open("f2", O_RDONLY);
    ktest_result("file.lowest_fd_reused", f1 >= 0 && f1 == f2, "first=%d second=%d", f1, f2);
    close(f2);
}

static void t_stat(void)
{
    int fd = open("s1", O_CREAT | O_TRUNC | O_RDWR, 0640);
    write(fd, "0123456789", 10);
    struct stat st;
    memset(&st, 0, sizeof st);
    int r = fstat(fd, &st);
    ktest_result("file.fstat", r == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640 &&
                                   st.st_size == 10 && st.st_nlink == 1,
                 "r=%d mode=%o size=%lld nlink=%lu", r, st.st_mode, (long long)st.st_size,
                 (unsigned long)st.st_nlink);

    struct stat st2;
    memset(&st2, 0, sizeof st2);
    r = fstatat(AT_FDCWD, "s1", &st2, 0);
    ktest_result("file.newfstatat", r == 0 && st2.st_ino == st.st_ino && st2.st_size == 10 &&
                                        st2.st_dev == st.st_dev,
                 "r=%d ino=%llu/%llu size=%lld", r, (unsigned long long)st2.st_ino,
                 (unsigned long long)st.st_ino, (long long)st2.st_size);

    struct statx sx;
    memset(&sx, 0, sizeof sx);
    r = statx(AT_FDCWD, "s1", 0, STATX_BASIC_STATS, &sx);
    ktest_result("file.statx", r == 0 && sx.stx_size == 10 && S_ISREG(sx.stx_mode) &&
                                   (sx.stx_mode & 07777) == 0640 && sx.stx_ino == st.st_ino &&
                                   (sx.stx_mask & STATX_SIZE),
                 "r=%d errno=%d size=%llu mode=%o mask=%x", r, errno,
                 (unsigned long long)sx.stx_size, sx.stx_mode, sx.stx_mask);

    memset(&sx, 0, sizeof sx);
    r = statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx);
    ktest_result("file.statx_empty_path_fd", r == 0 && sx.stx_size == 10,
                 "r=%d errno=%d size=%llu", r, errno, (unsigned long long)sx.stx_size);
    close(fd);

    KTEST_CHECK("file.symlinkat", symlinkat("s1", AT_FDCWD, "s1.lnk") == 0);
    memset(&st2, 0, sizeof st2);
    r = fstatat(AT_FDCWD, "s1.lnk", &st2, AT_SYMLINK_NOFOLLOW);
    int lnk_ok = r == 0 && S_ISLNK(st2.st_mode) && st2.st_size == 2;
    memset(&st2, 0, sizeof st2);
    r = fstatat(AT_FDCWD, "s1.lnk", &st2, 0);
    ktest_result("file.lstat_vs_stat", lnk_ok && r == 0 && S_ISREG(st2.st_mode) && st2.st_ino == st.st_ino,
                 "nofollow gave symlink=%d, follow r=%d mode=%o", lnk_ok, r, st2.st_mode);

    char lb[32];
    memset(lb, '#', sizeof lb);
    ssize_t n = readlinkat(AT_FDCWD, "s1.lnk", lb, sizeof lb);
    ktest_result("file.readlinkat", n == 2 && !memcmp(lb, "s1", 2) && lb[2] == '#',
                 "readlinkat=%zd buf='%.4s' (must not NUL-terminate)", n, lb);
    KTEST_ERRNO("file.readlink_not_link_einval", readlinkat(AT_FDCWD, "s1", lb, sizeof lb), EINVAL);

    fd = open("s1.lnk", O_RDONLY);
    char buf[16] = {0};
    n = read(fd, buf, sizeof buf);
    close(fd);
    ktest_result("file.open_through_symlink", n == 10 && !memcmp(buf, "0123456789", 10),
                 "read=%zd", n);

    symlinkat("loop.b", AT_FDCWD, "loop.a");
    symlinkat("loop.a", AT_FDCWD, "loop.b");
    KTEST_ERRNO("file.symlink_loop_eloop", open("loop.a", O_RDONLY), ELOOP);
    symlinkat("missing.target", AT_FDCWD, "dangling");
    KTEST_ERRNO("file.dangling_symlink_enoent", open("dangling", O_RDONLY), ENOENT);
    KTEST_ERRNO("file.o_nofollow_eloop", open("s1.lnk", O_RDONLY | O_NOFOLLOW), ELOOP);

    KTEST_CHECK("file.faccessat_f_ok", faccessat(AT_FDCWD, "s1", F_OK, 0) == 0);
    KTEST_ERRNO("file.faccessat_enoent", faccessat(AT_FDCWD, "nope", F_OK, 0), ENOENT);
    /* even root needs at least one execute bit for X_OK */
    KTEST_ERRNO("file.faccessat_x_ok_eacces", faccessat(AT_FDCWD, "s1", X_OK, 0), EACCES);

    KTEST_CHECK("file.fchmodat", fchmodat(AT_FDCWD, "s1", 0751, 0) == 0 &&
                                     stat("s1", &st2) == 0 && (st2.st_mode & 07777) == 0751);
    KTEST_CHECK("file.faccessat_x_ok_after_chmod", faccessat(AT_FDCWD, "s1", X_OK, 0) == 0);
    fd = open("s1", O_RDONLY);
    KTEST_CHECK("file.fchmod", fchmod(fd, 0600) == 0 && fstat(fd, &st2) == 0 &&
                                   (st2.st_mode & 07777) == 0600);
    close(fd);

    fd = open("s1", O_RDWR);
    int t1 = ftruncate(fd, 4);
    fstat(fd, &st2);
    off_t s_small = st2.st_size;
    int t2 = ftruncate(fd, 8192);
    fstat(fd, &st2);
    char tail[8192 - 4];
    memset(tail, 'x', sizeof tail);
    n = pread(fd, tail, sizeof tail, 4);
    int zeros = 1;
    for (size_t i = 0; i < sizeof tail; i++)
        if (tail[i])
            zeros = 0;
    close(fd);
    ktest_result("file.ftruncate", t1 == 0 && t2 == 0 && s_small == 4 && st2.st_size == 8192 &&
                                       n == (ssize_t)sizeof tail && zeros,
                 "shrink size=%lld grow size=%lld zeros=%d", (long long)s_small,
                 (long long)st2.st_size, zeros);
    KTEST_CHECK("file.truncate_path", truncate("s1", 3) == 0 && stat("s1", &st2) == 0 &&
                                          st2.st_size == 3);

    struct timespec ts[2] = {{1000000000, 123456789}, {1234567890, 987654321}};
    r = utimensat(AT_FDCWD, "s1", ts, 0);
    memset(&st2, 0, sizeof st2);
    stat("s1", &st2);
    ktest_result("file.utimensat", r == 0 && st2.st_atim.tv_sec == 1000000000 &&
                                       st2.st_atim.tv_nsec == 123456789 &&
                                       st2.st_mtim.tv_sec == 1234567890 &&
                                       st2.st_mtim.tv_nsec == 987654321,
                 "r=%d atime=%lld.%09ld mtime=%lld.%09ld", r, (long long)st2.st_atim.tv_sec,
                 st2.st_atim.tv_nsec, (long long)st2.st_mtim.tv_sec, st2.st_mtim.tv_nsec);

    struct timespec ts2[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    r = utimensat(AT_FDCWD, "s1", ts2, 0);
    stat("s1", &st2);
    long long dm = (long long)st2.st_mtim.tv_sec - (long long)now.tv_sec;
    ktest_result("file.utimensat_now_omit", r == 0 && st2.st_atim.tv_sec == 1000000000 &&
                                                dm >= -2 && dm <= 5,
                 "r=%d atime=%lld (want kept) mtime-now=%lld s", r,
                 (long long)st2.st_atim.tv_sec, dm);

    /* a write updates mtime */
    fd = open("s1", O_WRONLY);
    utimensat(AT_FDCWD, "s1", ts, 0);
    write(fd, "q", 1);
    fstat(fd, &st2);
    close(fd);
    ktest_result("file.write_updates_mtime", st2.st_mtim.tv_sec > 1234567890,
                 "mtime still %lld after write", (long long)st2.st_mtim.tv_sec);
}

static int count_dents(const char *dir, size_t bufsz, int *n_dot, int *n_dotdot,
                       unsigned char *types, char names[][16], int max)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    char *buf = malloc(bufsz);
    int count = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, bufsz);
        if (n < 0) {
            count = -1;
            break;
        }
        if (n == 0)
            break;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            if (!strcmp(d->d_name, "."))
                (*n_dot)++;
            else if (!strcmp(d->d_name, ".."))
                (*n_dotdot)++;
            else {
                if (count < max) {
                    snprintf(names[count], 16, "%s", d->d_name);
                    types[count] = d->d_type;
                }
                count++;
            }
            if (d->d_reclen == 0) {
                count = -2;
                break;
            }
            off += d->d_reclen;
        }
        if (count < 0)
            break;
    }
    free(buf);
    close(fd);
    return count;
}

static void t_dirs(void)
{
    int r = mkdirat(AT_FDCWD, "d", 0777);
    struct stat st;
    memset(&st, 0, sizeof st);
    stat("d", &st);
    ktest_result("file.mkdirat_mode_umask", r == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755,
                 "r=%d mode=%o (umask 022)", r, st.st_mode);
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    int cf = openat(dfd, "reg", O_CREAT | O_WRONLY, 0644);
    close(cf);
    int mk = mkdirat(dfd, "sub", 0755);
    int sl = symlinkat("reg", dfd, "lnk");
    ktest_result("file.at_relative_to_dirfd", dfd >= 0 && cf >= 0 && mk == 0 && sl == 0 &&
                                                  access("d/reg", F_OK) == 0 &&
                                                  access("d/sub", F_OK) == 0,
                 "dfd=%d create=%d mkdirat=%d symlinkat=%d", dfd, cf, mk, sl);

    int nd = 0, ndd = 0;
    unsigned char types[8];
    char names[8][16];
    int c = count_dents("d", 4096, &nd, &ndd, types, names, 8);
    int seen_reg = 0, seen_sub = 0, seen_lnk = 0;
    for (int i = 0; i < c && i < 8; i++) {
        if (!strcmp(names[i], "reg") && types[i] == DT_REG)
            seen_reg++;
        if (!strcmp(names[i], "sub") && types[i] == DT_DIR)
            seen_sub++;
        if (!strcmp(names[i], "lnk") && types[i] == DT_LNK)
            seen_lnk++;
    }
    ktest_result("file.getdents64_entries_types",
                 c == 3 && nd == 1 && ndd == 1 && seen_reg == 1 && seen_sub == 1 && seen_lnk == 1,
                 "entries=%d dot=%d dotdot=%d reg=%d sub=%d lnk=%d", c, nd, ndd, seen_reg,
                 seen_sub, seen_lnk);

    /* many entries, small buffer: each exactly once */
    mkdir("many", 0755);
    enum { NF = 150 };
    for (int i = 0; i < NF; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "many/file_%03d", i);
        close(open(nm, O_CREAT | O_WRONLY, 0644));
    }
    static char mnames[NF + 8][16];
    static unsigned char mtypes[NF + 8];
    nd = ndd = 0;
    c = count_dents("many", 256, &nd, &ndd, mtypes, mnames, NF + 8);
    int seen[NF];
    memset(seen, 0, sizeof seen);
    int bad = 0;
    for (int i = 0; i < c && i < NF + 8; i++) {
        int k;
        if (sscanf(mnames[i], "file_%d", &k) == 1 && k >= 0 && k < NF)
            seen[k]++;
        else
            bad++;
    }
    int all_once = 1;
    for (int i = 0; i < NF; i++)
        if (seen[i] != 1)
            all_once = 0;
    ktest_result("file.getdents64_many_small_buffer", c == NF && nd == 1 && ndd == 1 && all_once && !bad,
                 "entries=%d (want %d) all_once=%d bad=%d", c, NF, all_once, bad);

    /* readdir after unlink of some entries */
    for (int i = 0; i < NF; i += 2) {
        char nm[32];
        snprintf(nm, sizeof nm, "many/file_%03d", i);
        unlink(nm);
    }
    nd = ndd = 0;
    c = count_dents("many", 1024, &nd, &ndd, mtypes, mnames, NF + 8);
    ktest_result("file.getdents64_after_unlink", c == NF / 2, "entries=%d want %d", c, NF / 2);

    KTEST_ERRNO("file.getdents64_on_file_enotdir",
                ({
                    int ffd = open("d/reg", O_RDONLY);
                    char b[256];
                    long rr = syscall(SYS_getdents64, ffd, b, sizeof b);
                    int e = errno;
                    close(ffd);
                    errno = e;
                    rr;
                }),
                ENOTDIR);

    /* unlinkat with AT_REMOVEDIR */
    r = unlinkat(dfd, "sub", AT_REMOVEDIR);
    ktest_result("file.unlinkat_removedir", r == 0 && access("d/sub", F_OK) != 0 && errno == ENOENT,
                 "r=%d errno=%d", r, errno);
    KTEST_ERRNO("file.unlinkat_dir_without_flag_eisdir",
                ({ mkdirat(dfd, "sub2", 0755); unlinkat(dfd, "sub2", 0); }), EISDIR);
    KTEST_ERRNO("file.unlinkat_removedir_on_file_enotdir", unlinkat(dfd, "reg", AT_REMOVEDIR), ENOTDIR);

    /* chdir / getcwd / fchdir */
    char before[PATH_MAX], after[PATH_MAX], raw[PATH_MAX];
    getcwd(before, sizeof before);
    r = chdir("d");
    char *g = getcwd(after, sizeof after);
    size_t bl = strlen(before);
    ktest_result("file.chdir_getcwd", r == 0 && g && !strncmp(after, before, bl) && !strcmp(after + bl, "/d"),
                 "before='%s' after='%s'", before, g ? after : "(null)");
    long rl = syscall(SYS_getcwd, raw, sizeof raw);
    ktest_result("file.getcwd_syscall_len", rl == (long)strlen(after) + 1 && !strcmp(raw, after),
                 "SYS_getcwd=%ld raw='%s'", rl, raw);
    KTEST_ERRNO("file.getcwd_erange", syscall(SYS_getcwd, raw, (size_t)2), ERANGE);
    int cwdfd = open(before, O_RDONLY | O_DIRECTORY);
    r = fchdir(cwdfd);
    g = getcwd(after, sizeof after);
    ktest_result("file.fchdir", r == 0 && g && !strcmp(after, before), "after fchdir cwd='%s'", after);
    close(cwdfd);
    r = chdir("d/../d/./");
    g = getcwd(after, sizeof after);
    ktest_result("file.chdir_dotdot_path", r == 0 && g && !strcmp(after + bl, "/d"), "cwd='%s'", after);
    chdir(before);
    close(dfd);
}

static void t_links_renames(void)
{
    int fd = open("l1", O_CREAT | O_TRUNC | O_RDWR, 0644);
    write(fd, "link", 4);
    int r = linkat(AT_FDCWD, "l1", AT_FDCWD, "l2", 0);
    struct stat a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    stat("l1", &a);
    stat("l2", &b);
    ktest_result("file.linkat", r == 0 && a.st_ino == b.st_ino && a.st_nlink == 2 && b.st_nlink == 2,
                 "r=%d ino %llu/%llu nlink=%lu", r, (unsigned long long)a.st_ino,
                 (unsigned long long)b.st_ino, (unsigned long)a.st_nlink);
    KTEST_ERRNO("file.linkat_exists_eexist", linkat(AT_FDCWD, "l1", AT_FDCWD, "l2", 0), EEXIST);
    /* Linux looks the new name up before it refuses a directory (nolibc-test). */
    KTEST_ERRNO("file.link_root_root_eexist", linkat(AT_FDCWD, "/", AT_FDCWD, "/", 0), EEXIST);
    mkdir("ldir", 0755);
    KTEST_ERRNO("file.link_dir_eperm", link("ldir", "ldir2"), EPERM);

    r = unlink("l1");
    char buf[8] = {0};
    int fd2 = open("l2", O_RDONLY);
    ssize_t n = read(fd2, buf, sizeof buf);
    close(fd2);
    stat("l2", &b);
    ktest_result("file.unlink_one_link", r == 0 && n == 4 && !memcmp(buf, "link", 4) && b.st_nlink == 1,
                 "r=%d read=%zd nlink=%lu", r, n, (unsigned long)b.st_nlink);

    /* the open file stays usable after its last name is removed */
    r = unlink("l2");
    struct stat f;
    fstat(fd, &f);
    ssize_t w = pwrite(fd, "LINK", 4, 0);
    memset(buf, 0, sizeof buf);
    n = pread(fd, buf, 4, 0);
    ktest_result("file.unlinked_open_file_usable", r == 0 && f.st_nlink == 0 && w == 4 && n == 4 &&
                                                       !memcmp(buf, "LINK", 4),
                 "r=%d nlink=%lu pwrite=%zd pread=%zd", r, (unsigned long)f.st_nlink, w, n);
    close(fd);

    close(open("r1", O_CREAT | O_WRONLY, 0644));
    fd = open("r2", O_CREAT | O_WRONLY, 0644);
    write(fd, "two", 3);
    close(fd);
    r = renameat2(AT_FDCWD, "r2", AT_FDCWD, "r3", 0);
    ktest_result("file.renameat2", r == 0 && access("r2", F_OK) != 0 && access("r3", F_OK) == 0,
                 "r=%d errno=%d", r, errno);
    KTEST_ERRNO("file.renameat2_noreplace_eexist",
                renameat2(AT_FDCWD, "r1", AT_FDCWD, "r3", RENAME_NOREPLACE), EEXIST);
    struct stat s3;
    stat("r3", &s3);
    r = renameat(AT_FDCWD, "r1", AT_FDCWD, "r3");
    struct stat s3b;
    memset(&s3b, 0, sizeof s3b);
    stat("r3", &s3b);
    ktest_result("file.rename_replaces", r == 0 && s3b.st_size == 0 && access("r1", F_OK) != 0,
                 "r=%d size=%lld (want 0, replaced)", r, (long long)s3b.st_size);
    mkdir("rd", 0755);
    mkdir("rd/in", 0755);
    KTEST_ERRNO("file.rename_dir_into_itself_einval", rename("rd", "rd/in/x"), EINVAL);
    KTEST_ERRNO("file.rename_dir_over_file_enotdir", rename("rd", "r3"), ENOTDIR);
    KTEST_ERRNO("file.rename_file_over_dir_eisdir", rename("r3", "rd"), EISDIR);
    r = rename("rd", "rd.moved");
    ktest_result("file.rename_dir", r == 0 && access("rd.moved/in", F_OK) == 0, "r=%d", r);
}

static void t_errors(void)
{
    mkdir("e", 0755);
    close(open("e/file", O_CREAT | O_WRONLY, 0644));
    KTEST_ERRNO("file.open_nonexistent_enoent", open("/nonexistent_kt_file", O_RDONLY), ENOENT);
    KTEST_ERRNO("file.open_missing_dir_enoent", open("nodir/x", O_CREAT | O_WRONLY, 0644), ENOENT);
    KTEST_ERRNO("file.mkdir_existing_eexist", mkdir("e", 0755), EEXIST);
    KTEST_ERRNO("file.rmdir_nonempty_enotempty", rmdir("e"), ENOTEMPTY);
    KTEST_ERRNO("file.open_o_directory_on_file_enotdir", open("e/file", O_RDONLY | O_DIRECTORY), ENOTDIR);
    KTEST_ERRNO("file.path_through_file_enotdir", open("e/file/x", O_RDONLY), ENOTDIR);
    KTEST_ERRNO("file.unlink_dir_eisdir", unlink("e"), EISDIR);
    KTEST_ERRNO("file.open_dir_for_write_eisdir", open("e", O_WRONLY), EISDIR);
    KTEST_ERRNO("file.rmdir_file_enotdir", rmdir("e/file"), ENOTDIR);
    KTEST_ERRNO("file.rmdir_dot_einval", rmdir("e/."), EINVAL);
    char longname[300];
    memset(longname, 'n', 256);
    longname[256] = 0;
    KTEST_ERRNO("file.name_too_long", open(longname, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
    memset(longname, 'm', 255);
    longname[255] = 0;
    int fd = open(longname, O_CREAT | O_WRONLY, 0644);
    KTEST_CHECK("file.name_255_ok", fd >= 0 && access(longname, F_OK) == 0);
    close(fd);
    unlink(longname);
    KTEST_ERRNO("file.open_empty_path_enoent", open("", O_RDONLY), ENOENT);
    KTEST_ERRNO("file.open_bad_path_ptr_efault",
                syscall(SYS_openat, AT_FDCWD, (const char *)1, O_RDONLY, 0), EFAULT);
    KTEST_ERRNO("file.openat_bad_dirfd_ebadf", openat(999, "x", O_RDONLY), EBADF);
    fd = open("e/file", O_RDONLY);
    KTEST_ERRNO("file.openat_file_dirfd_enotdir", openat(fd, "x", O_RDONLY), ENOTDIR);
    close(fd);
}

int main(void)
{
    umask(022);
    if (ktest_enter_scratch("t_file") != 0)
        ktest_result("file.scratch_dir", 0, "cannot enter scratch dir errno=%d", errno);
    t_basic_io();
    t_stat();
    t_dirs();
    t_links_renames();
    t_errors();
    return 0;
}
