/* t_ext2.c - ext2 on the disks tests/ext2/mkimages.py makes with e2fsprogs, as
 * //tests:qemu_{arm64,x64}_ext2_* attach them:
 *
 *   /dev/vda  rw.img   partition 1: ext2, 1 KiB blocks, the tree and /MANIFEST
 *   /dev/vdb  ro.img   ext2, 4 KiB blocks, the same tree; a read-only disk
 *   /dev/vdc  bad.img  four damaged ext2 partitions (see mkimages.py)
 *
 * Checks every file of both images against /MANIFEST (type, size, links, FNV-1a
 * of the contents, symlink targets, device numbers) and that readdir lists
 * exactly those names; statfs; then a write stress on vda1 (files created,
 * renamed, deleted; a 4 MiB file; deep directories; hard links; truncate up and
 * down; a sparse file in the triple-indirect range; symlinks, nodes), a remount
 * that must see it all, and the damaged images: mounts refused or calls failing
 * with EUCLEAN/EIO, the kernel going on. What stays on vda1 is checked on the
 * host afterwards (tests/ext2/check_ext2.py: e2fsck -fn, debugfs). Without an
 * ext2 disk at /dev/vda1 (the other QEMU tests) every check is a SKIP. */
#include "ktest.h"

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#define MiB (1024 * 1024)

static const char *const CHECKS[] = {
    "ext2.ro_mount",	  "ext2.ro_manifest",	"ext2.ro_readdir",     "ext2.ro_statfs",
    "ext2.ro_erofs",	  "ext2.ro_rw_eacces",	"ext2.ro_umount",      "ext2.mount_enotblk",
    "ext2.mount_enoent",  "ext2.rw_mount",	"ext2.rw_busy",	       "ext2.rw_manifest",
    "ext2.rw_readdir",	  "ext2.rw_statfs",	"ext2.many_files",     "ext2.big_file",
    "ext2.deep_dirs",	  "ext2.hard_links",	"ext2.truncate",       "ext2.sparse",
    "ext2.symlinks",	  "ext2.nodes",		"ext2.rmdir_notempty", "ext2.rename_dir",
    "ext2.statfs_change", "ext2.fsync",		"ext2.remount",	       "ext2.rw_umount",
    "ext2.bad_super",	  "ext2.bad_dir",	"ext2.bad_indirect",   "ext2.bad_root",
    "ext2.after_bad",
};

static uint64_t fnv64(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
#define FNV0 0xcbf29ce484222325ULL

/* mkimages.py's content(name, size). */
static void gen(const char *name, unsigned char *buf, size_t size)
{
    uint32_t x = (uint32_t)(fnv64(FNV0, (const unsigned char *)name, strlen(name)) & 0x7fffffff);
    if (!x)
        x = 1;
    for (size_t i = 0; i < size; i++) {
        x = (x * 1103515245u + 12345u) & 0x7fffffff;
        buf[i] = (unsigned char)(x >> 16);
    }
}

static int file_hash(const char *path, uint64_t *h, long long *size)
{
    static unsigned char buf[65536];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    *h = FNV0;
    *size = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        *h = fnv64(*h, buf, (size_t)n);
        *size += n;
    }
    close(fd);
    return 0;
}

static int write_file(const char *path, const unsigned char *buf, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    return close(fd);
}

/* Check every MANIFEST line under root; 0 or the number of mismatches (the
 * first one described in why). Counts the objects in *count. */
static int check_manifest(const char *root, char *why, size_t whylen, int *count)
{
    char path[1024], line[1200];
    snprintf(path, sizeof path, "%s/MANIFEST", root);
    FILE *f = fopen(path, "r");
    int bad = 0;
    *count = 0;
    if (!f) {
        snprintf(why, whylen, "no MANIFEST: %s", strerror(errno));
        return 1;
    }
    while (fgets(line, sizeof line, f)) {
        char type, rel[600], extra[600] = "";
        long long size;
        char hash[40];
        unsigned nlink;
        struct stat st;
        const char *err = NULL;
        line[strcspn(line, "\n")] = 0;
        if (sscanf(line, "%c %lld %39s %u %599s %599s", &type, &size, hash, &nlink, rel, extra) <
            5)
            continue;
        (*count)++;
        snprintf(path, sizeof path, "%s/%s", root, rel);
        if (lstat(path, &st) != 0) {
            err = "lstat failed";
        } else if (st.st_nlink != nlink) {
            err = "link count";
        } else if (type == 'f') {
            uint64_t h;
            long long got;
            char want[40];
            if (!S_ISREG(st.st_mode) || st.st_size != size)
                err = "type or size";
            else if (file_hash(path, &h, &got) != 0)
                err = "read failed";
            else if (snprintf(want, sizeof want, "%016llx", (unsigned long long)h),
                     strcmp(want, hash) != 0 || got != size)
                err = "contents";
        } else if (type == 'd') {
            if (!S_ISDIR(st.st_mode))
                err = "not a directory";
        } else if (type == 'l') {
            char t[600];
            ssize_t n = readlink(path, t, sizeof t - 1);
            if (!S_ISLNK(st.st_mode) || n != size)
                err = "symlink type or size";
            else if (t[n] = 0, strcmp(t, extra) != 0)
                err = "symlink target";
        } else if (type == 'c') {
            unsigned ma, mi;
            sscanf(extra, "%u:%u", &ma, &mi);
            if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != ma || minor(st.st_rdev) != mi)
                err = "character device";
        } else if (type == 'p') {
            if (!S_ISFIFO(st.st_mode))
                err = "fifo";
        }
        if (err) {
            if (!bad)
                snprintf(why, whylen, "%s: %s (errno %d)", rel, err, errno);
            bad++;
        }
    }
    fclose(f);
    return bad;
}

/* Names below dir (recursively, lost+found's contents not counted), without
 * "." and ".."; -1 on an error. */
static int count_names(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d))) {
        char p[1024];
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        n++;
        if (e->d_type == DT_DIR && strcmp(e->d_name, "lost+found")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            int k = count_names(p);
            if (k < 0) {
                closedir(d);
                return -1;
            }
            n += k;
        }
    }
    closedir(d);
    return n;
}

static void check_tree(const char *tag, const char *root)
{
    char why[800] = "", name[64];
    int count = 0;
    int bad = check_manifest(root, why, sizeof why, &count);
    snprintf(name, sizeof name, "ext2.%s_manifest", tag);
    ktest_result(name, bad == 0 && count > 300, "%d bad of %d: %s", bad, count, why);
    /* Every object, MANIFEST and lost+found: nothing more, nothing less. */
    int names = count_names(root);
    snprintf(name, sizeof name, "ext2.%s_readdir", tag);
    ktest_result(name, names == count + 2, "readdir found %d names, manifest %d + 2", names,
                 count);
}

static int is_ext2(const char *dev)
{
    unsigned char m[2] = { 0, 0 };
    int fd = open(dev, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = pread(fd, m, 2, 1080);
    close(fd);
    return n == 2 && m[0] == 0x53 && m[1] == 0xef;
}

static unsigned char bigbuf[4 * MiB], rdbuf[4 * MiB];

static void write_stress(void)
{
    char p[512], q[512];
    int ok;
    struct statfs before, after;

    statfs("/mnt/a", &before);
    /* 300 files created, 150 renamed, 100 deleted. */
    mkdir("/mnt/a/keep", 0755);
    mkdir("/mnt/a/stress", 0755);
    ok = 1;
    for (int i = 0; i < 300 && ok; i++) {
        unsigned char b[700];
        snprintf(p, sizeof p, "/mnt/a/stress/s%03d", i);
        gen(p + 7, b, (size_t)(i * 7 % 700));
        ok = write_file(p, b, (size_t)(i * 7 % 700)) == 0;
    }
    for (int i = 0; i < 300 && ok; i += 2) {
        snprintf(p, sizeof p, "/mnt/a/stress/s%03d", i);
        snprintf(q, sizeof q, "/mnt/a/stress/renamed_%03d", i);
        ok = rename(p, q) == 0;
    }
    for (int i = 1; i < 200 && ok; i += 2) {
        snprintf(p, sizeof p, "/mnt/a/stress/s%03d", i);
        ok = unlink(p) == 0;
    }
    for (int i = 0; i < 300 && ok; i++) {
        struct stat st;
        int exists;
        if (i % 2 == 0)
            snprintf(p, sizeof p, "/mnt/a/stress/renamed_%03d", i);
        else
            snprintf(p, sizeof p, "/mnt/a/stress/s%03d", i);
        exists = lstat(p, &st) == 0;
        if (i % 2 == 1 && i < 200)
            ok = !exists && errno == ENOENT;
        else
            ok = exists && st.st_size == i * 7 % 700;
    }
    ktest_result("ext2.many_files", ok && count_names("/mnt/a/stress") == 200,
                 "at %s: %s, %d names", p, strerror(errno), count_names("/mnt/a/stress"));

    /* A 4 MiB file (double-indirect with 1 KiB blocks), read back. */
    gen("keep/big", bigbuf, sizeof bigbuf);
    ok = write_file("/mnt/a/keep/big", bigbuf, sizeof bigbuf) == 0;
    int fd = open("/mnt/a/keep/big", O_RDONLY);
    ssize_t got = 0;
    if (fd >= 0) {
        for (ssize_t n; (n = read(fd, rdbuf + got, sizeof rdbuf - (size_t)got)) > 0;)
            got += n;
        close(fd);
    }
    ktest_result("ext2.big_file",
                 ok && got == (ssize_t)sizeof bigbuf && !memcmp(bigbuf, rdbuf, sizeof bigbuf),
                 "write ok=%d read %zd bytes, %s", ok, got, strerror(errno));

    /* 30 nested directories and a file at the bottom. */
    strcpy(p, "/mnt/a/keep/deep");
    ok = mkdir(p, 0755) == 0;
    for (int i = 0; i < 30 && ok; i++) {
        strcat(p, "/x");
        ok = mkdir(p, 0755) == 0;
    }
    strcat(p, "/bottom");
    ok = ok && write_file(p, (const unsigned char *)"bottom\n", 7) == 0;
    struct stat st;
    ktest_result("ext2.deep_dirs", ok && stat(p, &st) == 0 && st.st_size == 7, "%s",
                 strerror(errno));

    /* Hard links: link, count, unlink one, the data stays. */
    ok = write_file("/mnt/a/keep/link1", (const unsigned char *)"linked\n", 7) == 0 &&
         link("/mnt/a/keep/link1", "/mnt/a/keep/link2") == 0 &&
         link("/mnt/a/keep/link1", "/mnt/a/stress/link3") == 0 &&
         stat("/mnt/a/keep/link1", &st) == 0 && st.st_nlink == 3 &&
         unlink("/mnt/a/stress/link3") == 0 && stat("/mnt/a/keep/link2", &st) == 0 &&
         st.st_nlink == 2 && st.st_size == 7;
    ktest_result("ext2.hard_links", ok, "nlink %lu: %s", (unsigned long)st.st_nlink,
                 strerror(errno));

    /* Truncate down then up: the tail reads as zeros. */
    {
        unsigned char b[5000], r[5000], z[5000] = { 0 };
        gen("keep/trunc", b, sizeof b);
        ok = write_file("/mnt/a/keep/trunc", b, sizeof b) == 0 &&
             truncate("/mnt/a/keep/trunc", 1500) == 0 &&
             truncate("/mnt/a/keep/trunc", 4000) == 0;
        fd = open("/mnt/a/keep/trunc", O_RDONLY);
        ok = ok && fd >= 0 && read(fd, r, sizeof r) == 4000 && !memcmp(r, b, 1500) &&
             !memcmp(r + 1500, z, 2500);
        if (fd >= 0)
            close(fd);
        ktest_result("ext2.truncate", ok, "%s", strerror(errno));
    }

    /* Sparse: one block at 66 MiB (triple indirect with 1 KiB blocks). */
    {
        unsigned char b[3000], r[3000], z[3000] = { 0 };
        gen("keep/sparse", b, sizeof b);
        fd = open("/mnt/a/keep/sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
        ok = fd >= 0 && pwrite(fd, b, sizeof b, 66LL * MiB) == (ssize_t)sizeof b &&
             pread(fd, r, sizeof r, 66LL * MiB) == (ssize_t)sizeof r && !memcmp(r, b, sizeof b) &&
             pread(fd, r, sizeof r, 33LL * MiB) == (ssize_t)sizeof r && !memcmp(r, z, sizeof z) &&
             fstat(fd, &st) == 0 && st.st_size == 66LL * MiB + 3000 &&
             st.st_blocks < 64; /* 3-4 data blocks + 3 indirect, in 512-byte units */
        if (fd >= 0)
            close(fd);
        ktest_result("ext2.sparse", ok, "size %lld blocks %lld: %s", (long long)st.st_size,
                     (long long)st.st_blocks, strerror(errno));
    }

    /* Fast and slow symlinks. */
    {
        char t[300], slow[200];
        memset(slow, 'y', 150);
        slow[150] = 0;
        ok = symlink("big", "/mnt/a/keep/sym_fast") == 0 &&
             symlink(slow, "/mnt/a/keep/sym_slow") == 0 &&
             readlink("/mnt/a/keep/sym_fast", t, sizeof t) == 3 && !memcmp(t, "big", 3) &&
             readlink("/mnt/a/keep/sym_slow", t, sizeof t) == 150 && !memcmp(t, slow, 150) &&
             stat("/mnt/a/keep/sym_fast", &st) == 0 && st.st_size == 4 * MiB;
        ktest_result("ext2.symlinks", ok, "%s", strerror(errno));
    }
    ok = mknod("/mnt/a/keep/node_c", S_IFCHR | 0600, makedev(4, 64)) == 0 &&
         mkfifo("/mnt/a/keep/node_p", 0600) == 0 && stat("/mnt/a/keep/node_c", &st) == 0 &&
         S_ISCHR(st.st_mode) && major(st.st_rdev) == 4 && minor(st.st_rdev) == 64 &&
         stat("/mnt/a/keep/node_p", &st) == 0 && S_ISFIFO(st.st_mode);
    ktest_result("ext2.nodes", ok, "%s", strerror(errno));
    KTEST_ERRNO("ext2.rmdir_notempty", rmdir("/mnt/a/keep/deep"), ENOTEMPTY);

    /* A directory moved to another parent: link counts and "..". */
    {
        struct stat a0, b0, a1, b1, m;
        ok = mkdir("/mnt/a/keep/pa", 0755) == 0 && mkdir("/mnt/a/keep/pb", 0755) == 0 &&
             mkdir("/mnt/a/keep/pa/moved", 0755) == 0 && stat("/mnt/a/keep/pa", &a0) == 0 &&
             stat("/mnt/a/keep/pb", &b0) == 0 &&
             rename("/mnt/a/keep/pa/moved", "/mnt/a/keep/pb/moved") == 0 &&
             stat("/mnt/a/keep/pa", &a1) == 0 && stat("/mnt/a/keep/pb", &b1) == 0 &&
             stat("/mnt/a/keep/pb/moved/..", &m) == 0;
        ktest_result("ext2.rename_dir",
                     ok && a1.st_nlink == a0.st_nlink - 1 && b1.st_nlink == b0.st_nlink + 1 &&
                         m.st_ino == b1.st_ino,
                     "ok=%d nlink %lu->%lu %lu->%lu: %s", ok, (unsigned long)a0.st_nlink,
                     (unsigned long)a1.st_nlink, (unsigned long)b0.st_nlink,
                     (unsigned long)b1.st_nlink, strerror(errno));
    }
    statfs("/mnt/a", &after);
    ktest_result("ext2.statfs_change", after.f_bfree + 4096 < before.f_bfree &&
                                           after.f_ffree + 200 < before.f_ffree,
                 "bfree %llu -> %llu, ffree %llu -> %llu", (unsigned long long)before.f_bfree,
                 (unsigned long long)after.f_bfree, (unsigned long long)before.f_ffree,
                 (unsigned long long)after.f_ffree);
    fd = open("/mnt/a/keep/big", O_RDONLY);
    KTEST_CHECK("ext2.fsync", fd >= 0 && fsync(fd) == 0 && syncfs(fd) == 0);
    if (fd >= 0)
        close(fd);
    /* Leave the removal of half the stress files to the host check. */
    for (int i = 200; i < 300; i++) {
        if (i % 2 == 1) {
            snprintf(p, sizeof p, "/mnt/a/stress/s%03d", i);
            unlink(p);
        }
    }
}

static void remount_check(void)
{
    uint64_t h;
    long long size;
    struct stat st;
    int ok = umount("/mnt/a") == 0 && mount("/dev/vda1", "/mnt/a", "ext2", 0, NULL) == 0 &&
             file_hash("/mnt/a/keep/big", &h, &size) == 0 && size == 4 * MiB &&
             h == fnv64(FNV0, bigbuf, sizeof bigbuf) && stat("/mnt/a/keep/link2", &st) == 0 &&
             st.st_nlink == 2 && count_names("/mnt/a/stress") == 150;
    ktest_result("ext2.remount", ok, "%s", strerror(errno));
}

static void bad_images(void)
{
    char buf[4096];
    mkdir("/mnt/bad", 0755);
    KTEST_ERRNO("ext2.bad_super", mount("/dev/vdc1", "/mnt/bad", "ext2", MS_RDONLY, NULL),
                EINVAL);
    KTEST_ERRNO("ext2.bad_root", mount("/dev/vdc4", "/mnt/bad", "ext2", MS_RDONLY, NULL),
                EINVAL);
    /* A bad directory record: listing that directory fails, the rest works. */
    {
        int ok = mount("/dev/vdc2", "/mnt/bad", "ext2", 0, NULL) == 0;
        DIR *d = ok ? opendir("/mnt/bad/bad") : NULL;
        int e = 0;
        if (d) {
            errno = 0;
            while (readdir(d))
                ;
            e = errno;
            closedir(d);
        }
        uint64_t h;
        long long size;
        int rest = ok && file_hash("/mnt/bad/ok", &h, &size) == 0 && size == 15;
        ktest_result("ext2.bad_dir", ok && e == EUCLEAN && rest, "mount %d errno %d rest %d", ok,
                     e, rest);
        if (ok)
            umount("/mnt/bad");
    }
    /* A bad indirect block number, a data block that is metadata. */
    {
        int ok = mount("/dev/vdc3", "/mnt/bad", "ext2", MS_RDONLY, NULL) == 0;
        int fd = open("/mnt/bad/big", O_RDONLY);
        ssize_t first = fd >= 0 ? pread(fd, buf, 1024, 0) : -2;
        ssize_t ind = fd >= 0 ? pread(fd, buf, 1024, 100 * 1024) : -2;
        int e1 = errno;
        if (fd >= 0)
            close(fd);
        fd = open("/mnt/bad/meta", O_RDONLY);
        ssize_t meta = fd >= 0 ? read(fd, buf, sizeof buf) : -2;
        int e2 = errno;
        if (fd >= 0)
            close(fd);
        ktest_result("ext2.bad_indirect",
                     ok && first == 1024 && ind == -1 && e1 == EUCLEAN && meta == -1 &&
                         e2 == EUCLEAN,
                     "mount %d first %zd ind %zd errno %d meta %zd errno %d", ok, first, ind, e1,
                     meta, e2);
        if (ok)
            umount("/mnt/bad");
    }
    /* The good file system is still there. */
    uint64_t h;
    long long size;
    KTEST_CHECK("ext2.after_bad", file_hash("/mnt/a/keep/big", &h, &size) == 0 &&
                                      h == fnv64(FNV0, bigbuf, sizeof bigbuf));
}

int main(void)
{
    if (!is_ext2("/dev/vda1") || !is_ext2("/dev/vdb")) {
        for (size_t i = 0; i < sizeof CHECKS / sizeof CHECKS[0]; i++)
            ktest_skip(CHECKS[i], "no ext2 disks attached (//tests:qemu_*_ext2_* only)");
        return 0;
    }
    mkdir("/mnt", 0755);
    mkdir("/mnt/a", 0755);
    mkdir("/mnt/b", 0755);

    /* The read-only disk. */
    KTEST_CHECK("ext2.ro_mount", mount("/dev/vdb", "/mnt/b", "ext2", MS_RDONLY, NULL) == 0);
    check_tree("ro", "/mnt/b");
    struct statfs sf;
    KTEST_CHECK("ext2.ro_statfs", statfs("/mnt/b", &sf) == 0 && sf.f_type == 0xEF53 &&
                                      sf.f_bsize == 4096 && sf.f_blocks == 4096 &&
                                      sf.f_files == 4096 && sf.f_bfree > 0 &&
                                      sf.f_bfree < sf.f_blocks && sf.f_namelen == 255);
    KTEST_ERRNO("ext2.ro_erofs", open("/mnt/b/newfile", O_WRONLY | O_CREAT, 0644), EROFS);
    KTEST_CHECK("ext2.ro_umount", umount("/mnt/b") == 0);
    KTEST_ERRNO("ext2.ro_rw_eacces", mount("/dev/vdb", "/mnt/b", "ext2", 0, NULL), EACCES);
    KTEST_ERRNO("ext2.mount_enotblk", mount("/dev/null", "/mnt/b", "ext2", 0, NULL), ENOTBLK);
    KTEST_ERRNO("ext2.mount_enoent", mount("/dev/nonexistent", "/mnt/b", "ext2", 0, NULL),
                ENOENT);

    /* The read-write partition. */
    KTEST_CHECK("ext2.rw_mount", mount("/dev/vda1", "/mnt/a", "ext2", 0, NULL) == 0);
    KTEST_ERRNO("ext2.rw_busy", mount("/dev/vda1", "/mnt/b", "ext2", 0, NULL), EBUSY);
    check_tree("rw", "/mnt/a");
    KTEST_CHECK("ext2.rw_statfs", statfs("/mnt/a", &sf) == 0 && sf.f_type == 0xEF53 &&
                                      sf.f_bsize == 1024 && sf.f_blocks == 32768);
    write_stress();
    remount_check();
    bad_images();
    KTEST_CHECK("ext2.rw_umount", umount("/mnt/a") == 0);
    sync();
    return 0;
}
