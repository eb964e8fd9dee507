/* t_disk.c - disk-scale ext2 checks, selected by "ktest.disk=MODE" on the kernel
 * command line (without it, one SKIP: the other suites have no such disks):
 *
 *   stress    //tests:qemu_<arch>_disk_stress_<profile> (tests/ext2/mkdisk.py makes the
 *             disks, tests/ext2/check_disk.py checks them after QEMU ends):
 *             /dev/vda  an empty ext2 file system, written here:
 *               1000 files created, renamed, every odd one deleted; a 64 MiB file
 *               written, read back and checksummed; 40 nested directories; hard
 *               links; truncate down and up; a sparse file; then sync, unmount,
 *               mount again and every file read back; /MANIFEST.sha256 written
 *               (sha256 of each file as generated here, "HEX  /path" lines) for the
 *               host, which runs e2fsck -fn and compares every file (debugfs);
 *             /dev/vdb  an ext2 image the host filled (mke2fs -d: random files,
 *               /MANIFEST.sha256): every file's sha256 compared here (read-only).
 *             With "faultinject=1" under a containment profile (Fortress, Balanced),
 *             then faults injected into ext2: for each kind (panic, nullderef,
 *             leak) 100 times: /dev/vdb mounted, faultfs's blkfault armed for
 *             the next block read on vdb, calls on the mount until one fails
 *             with EIO, a later one fails with EIO at once, the vda mount
 *             keeps working, umount; then vdb mounts again (the core released
 *             the failed instance's device), the leaked memory came back
 *             (reclaimed_bytes, MemAvailable) and the host's files still
 *             match their checksums.
 *   powercut  //tests:disk_powercut_<arch> (tests/ext2/powercut.sh): /dev/vda empty
 *             ext2; 200 files written, sync(2), their sha256 printed
 *             ("KTEST-DISK synced /path HEX" lines) and the marker
 *             "KTEST-DISK sync done"; then writes go on (new files, appends,
 *             deletions) until the host kills QEMU (SIGKILL). The host repairs the
 *             copy with e2fsck -fy and checks every synced file.
 */
#include "ktest.h"

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define MiB (1024 * 1024)

/* ---- SHA-256 (FIPS 180-4), for checksums the host recomputes with hashlib ---- */
struct sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t n;
};

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(struct sha256 *s, const unsigned char *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, h;
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
    e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
                      K256[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
    s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

static void sha256_init(struct sha256 *s)
{
    static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    memcpy(s->h, h0, sizeof h0);
    s->len = 0;
    s->n = 0;
}

static void sha256_update(struct sha256 *s, const void *data, size_t len)
{
    const unsigned char *p = data;
    s->len += len;
    if (s->n) {
        size_t k = 64 - s->n < len ? 64 - s->n : len;
        memcpy(s->buf + s->n, p, k);
        s->n += k, p += k, len -= k;
        if (s->n < 64)
            return;
        sha256_block(s, s->buf);
        s->n = 0;
    }
    for (; len >= 64; p += 64, len -= 64)
        sha256_block(s, p);
    memcpy(s->buf, p, len);
    s->n = len;
}

/* Finish into hex (65 bytes with the NUL). */
static void sha256_hex(struct sha256 *s, char *hex)
{
    uint64_t bits = s->len * 8;
    unsigned char pad = 0x80, zero = 0, be[8];
    sha256_update(s, &pad, 1);
    while (s->n != 56)
        sha256_update(s, &zero, 1);
    for (int i = 0; i < 8; i++)
        be[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(s, be, 8);
    for (int i = 0; i < 8; i++)
        sprintf(hex + 8 * i, "%08x", s->h[i]);
}

/* ---- contents: a xorshift64 stream seeded by the name (any stream would do: the
 * host compares against the sha256 recorded here, never regenerates) ---- */
static uint64_t seed_of(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
    return h | 1;
}

static void fill(uint64_t *state, unsigned char *buf, size_t n)
{
    uint64_t x = *state;
    for (size_t i = 0; i < n; i += 8) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t k = n - i < 8 ? n - i : 8;
        memcpy(buf + i, &x, k);
    }
    *state = x;
}

static unsigned char iobuf[MiB], iobuf2[MiB];

/* Hash of a file's contents, or -1 with errno. */
static int file_sha(const char *path, char *hex, off_t *size)
{
    struct sha256 s;
    ssize_t n;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    sha256_init(&s);
    *size = 0;
    while ((n = read(fd, iobuf2, sizeof iobuf2)) > 0) {
        sha256_update(&s, iobuf2, (size_t)n);
        *size += n;
    }
    close(fd);
    if (n < 0)
        return -1;
    sha256_hex(&s, hex);
    return 0;
}

/* Write `size` bytes of name's stream to path; the sha256 into hex. 0 or -1. */
static int write_file(const char *path, const char *name, size_t size, char *hex)
{
    struct sha256 s;
    uint64_t st = seed_of(name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    sha256_init(&s);
    while (size) {
        size_t k = size < sizeof iobuf ? size : sizeof iobuf;
        fill(&st, iobuf, k);
        sha256_update(&s, iobuf, k);
        if (write(fd, iobuf, k) != (ssize_t)k) {
            close(fd);
            return -1;
        }
        size -= k;
    }
    sha256_hex(&s, hex);
    return close(fd);
}

/* ---- the manifest: what the guest wrote, for the host and the remount ---- */
#define MAXMAN 1200
static struct {
    char path[160];
    char hex[65];
    off_t size;
} man[MAXMAN];
static int nman;

static void man_add(const char *path, const char *hex, off_t size)
{
    if (nman < MAXMAN) {
        snprintf(man[nman].path, sizeof man[nman].path, "%s", path);
        memcpy(man[nman].hex, hex, 65);
        man[nman].size = size;
        nman++;
    }
}

static void man_drop(const char *path)
{
    for (int i = 0; i < nman; i++)
        if (!strcmp(man[i].path, path)) {
            man[i] = man[--nman];
            return;
        }
}

static void man_rename(const char *from, const char *to)
{
    for (int i = 0; i < nman; i++)
        if (!strcmp(man[i].path, from)) {
            snprintf(man[i].path, sizeof man[i].path, "%s", to);
            return;
        }
}

/* Every manifest file under mnt read back; 0 if all match, else the first mismatch. */
static int man_verify(const char *mnt, char *why, size_t whylen)
{
    char path[256], hex[65];
    off_t size;
    for (int i = 0; i < nman; i++) {
        snprintf(path, sizeof path, "%s%s", mnt, man[i].path);
        if (file_sha(path, hex, &size) < 0) {
            snprintf(why, whylen, "%s: %s", man[i].path, strerror(errno));
            return -1;
        }
        if (size != man[i].size || strcmp(hex, man[i].hex)) {
            snprintf(why, whylen, "%s: size %lld sha %.12s, want %lld %.12s", man[i].path,
                     (long long)size, hex, (long long)man[i].size, man[i].hex);
            return -1;
        }
    }
    return 0;
}

#define S "/mnt/disk"

static void stress_many(void)
{
    char path[128], to[128], hex[65];
    int ok = mkdir(S "/many", 0755) == 0, i;
    for (i = 0; ok && i < 1000; i++) {
        snprintf(path, sizeof path, S "/many/file_%04d", i);
        ok = write_file(path, path + sizeof S - 1, (size_t)(i * 37) % 3000, hex) == 0;
        if (ok)
            man_add(path + sizeof S - 1, hex, (off_t)((i * 37) % 3000));
    }
    for (i = 0; ok && i < 1000; i++) {
        snprintf(path, sizeof path, S "/many/file_%04d", i);
        snprintf(to, sizeof to, S "/many/renamed_%04d", i);
        ok = rename(path, to) == 0;
        if (ok)
            man_rename(path + sizeof S - 1, to + sizeof S - 1);
    }
    for (i = 1; ok && i < 1000; i += 2) {
        snprintf(path, sizeof path, S "/many/renamed_%04d", i);
        ok = unlink(path) == 0;
        man_drop(path + sizeof S - 1);
    }
    int n = 0, bad = 0;
    DIR *d = ok ? opendir(S "/many") : NULL;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        int k;
        if (de->d_name[0] == '.')
            continue;
        n++;
        if (sscanf(de->d_name, "renamed_%d", &k) != 1 || k % 2)
            bad++;
    }
    if (d)
        closedir(d);
    ktest_result("disk.many_files", ok && d && n == 500 && !bad,
                 "ok %d, %d names listed (want 500), %d unexpected, errno %d", ok, n, bad,
                 errno);
}

static void stress_big(void)
{
    char hex[65], back[65];
    off_t size = 0;
    int ok = write_file(S "/big", "/big", 64 * MiB, hex) == 0;
    ok = ok && file_sha(S "/big", back, &size) == 0;
    if (ok)
        man_add("/big", hex, 64 * MiB);
    ktest_result("disk.big_64mib", ok && size == 64 * MiB && !strcmp(hex, back),
                 "ok %d, read %lld bytes, sha %.16s, wrote %.16s (errno %d)", ok,
                 (long long)size, back, hex, errno);
}

static void stress_deep(void)
{
    char path[256] = S "/deep", hex[65];
    int ok = mkdir(path, 0755) == 0;
    for (int i = 0; ok && i < 40; i++) {
        strcat(path, "/d");
        ok = mkdir(path, 0755) == 0;
    }
    strcat(path, "/leaf");
    ok = ok && write_file(path, "leaf", 5000, hex) == 0;
    if (ok)
        man_add(path + sizeof S - 1, hex, 5000);
    ktest_result("disk.deep_dirs", ok, "at %s: errno %d", path, errno);
}

static void stress_links(void)
{
    char hex[65];
    struct stat st;
    int ok = write_file(S "/link_a", "link", 12345, hex) == 0 &&
             link(S "/link_a", S "/link_b") == 0 && link(S "/link_a", S "/link_c") == 0 &&
             stat(S "/link_c", &st) == 0 && st.st_nlink == 3 && unlink(S "/link_a") == 0 &&
             stat(S "/link_b", &st) == 0 && st.st_nlink == 2;
    if (ok) {
        man_add("/link_b", hex, 12345);
        man_add("/link_c", hex, 12345);
    }
    ktest_result("disk.hard_links", ok, "errno %d, nlink %lu", errno,
                 (unsigned long)st.st_nlink);
}

/* Truncate down to 5000 bytes, up to 3 MiB + 100 (zeros), and a tail written past
 * the hole; the expected hash computed from the same pieces. */
static void stress_truncate(void)
{
    char hex[65], back[65];
    struct sha256 s;
    uint64_t st = seed_of("trunc");
    off_t size = 0;
    int fd, ok;
    fill(&st, iobuf, 100000);
    fd = open(S "/trunc", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ok = fd >= 0 && write(fd, iobuf, 100000) == 100000 && ftruncate(fd, 5000) == 0 &&
         ftruncate(fd, 3 * MiB + 100) == 0 && pwrite(fd, "tail", 4, 3 * MiB + 100) == 4;
    if (fd >= 0)
        close(fd);
    sha256_init(&s);
    sha256_update(&s, iobuf, 5000);
    memset(iobuf2, 0, sizeof iobuf2);
    for (off_t left = 3 * MiB + 100 - 5000; left > 0;) {
        size_t k = left < (off_t)sizeof iobuf2 ? (size_t)left : sizeof iobuf2;
        sha256_update(&s, iobuf2, k);
        left -= (off_t)k;
    }
    sha256_update(&s, "tail", 4);
    sha256_hex(&s, hex);
    ok = ok && file_sha(S "/trunc", back, &size) == 0;
    if (ok)
        man_add("/trunc", hex, 3 * MiB + 104);
    ktest_result("disk.truncate", ok && size == 3 * MiB + 104 && !strcmp(hex, back),
                 "ok %d size %lld sha %.16s want %.16s errno %d", ok, (long long)size, back,
                 hex, errno);
}

/* One 4 KiB block at 300 MiB (ext2's double-indirect range with 4 KiB blocks and
 * 1 KiB ones): the hole reads as zeros and takes no blocks. */
static void stress_sparse(void)
{
    struct stat st = { 0 };
    int fd = open(S "/sparse", O_RDWR | O_CREAT | O_TRUNC, 0644), ok;
    char block[4096], z[4096];
    memset(block, 'S', sizeof block);
    memset(z, 1, sizeof z);
    ok = fd >= 0 && pwrite(fd, block, sizeof block, 300L * MiB) == (ssize_t)sizeof block &&
         pread(fd, z, sizeof z, 150L * MiB) == (ssize_t)sizeof z && fstat(fd, &st) == 0;
    if (fd >= 0)
        close(fd);
    int zero = 1;
    for (size_t i = 0; i < sizeof z; i++)
        zero &= z[i] == 0;
    ktest_result("disk.sparse", ok && zero && st.st_size == 300L * MiB + 4096 &&
                                    st.st_blocks < 64,
                 "ok %d zeros %d size %lld blocks %lld errno %d", ok, zero,
                 (long long)st.st_size, (long long)st.st_blocks, errno);
}

static void write_manifest(void)
{
    FILE *f = fopen(S "/MANIFEST.sha256", "w");
    int ok = f != NULL;
    for (int i = 0; ok && i < nman; i++)
        ok = fprintf(f, "%s  %s %lld\n", man[i].hex, man[i].path, (long long)man[i].size) > 0;
    ok = f && fclose(f) == 0 && ok;
    ktest_result("disk.manifest_written", ok && nman > 500, "%d entries, errno %d", nman,
                 errno);
}

/* The host's image (tests/ext2/mkdisk.py): "HEX  /path SIZE" lines. */
static void host_manifest(void)
{
    char line[512], hex[65], got[65], path[300], full[400], why[200] = "";
    long long size;
    off_t have;
    int n = 0, bad = 0;
    FILE *f;
    mkdir("/mnt/host", 0755);
    if (mount("/dev/vdb", "/mnt/host", "ext2", MS_RDONLY, NULL)) {
        ktest_result("disk.host_manifest", 0, "mount /dev/vdb: %s", strerror(errno));
        return;
    }
    f = fopen("/mnt/host/MANIFEST.sha256", "r");
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "%64s %299s %lld", hex, path, &size) != 3)
            continue;
        n++;
        snprintf(full, sizeof full, "/mnt/host%s", path);
        if (file_sha(full, got, &have) < 0 || have != size || strcmp(got, hex)) {
            if (!bad++)
                snprintf(why, sizeof why, "%s: size %lld sha %.12s, want %lld %.12s (%s)",
                         path, (long long)have, got, size, hex, strerror(errno));
        }
    }
    if (f)
        fclose(f);
    ktest_result("disk.host_manifest", f && n >= 100 && !bad,
                 "%d files, %d differ; first: %s", n, bad, why);
    ktest_result("disk.host_umount", umount("/mnt/host") == 0, "umount: %s", strerror(errno));
}

/* The kernel command line with a space in front (for " word" searches). */
static char cmdline[1024] = " ";

static long read_field(const char *path, const char *name)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    size_t len = strlen(name);
    for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, len) == 0 && (p[len] == ' ' || p[len] == ':'))
            return strtol(p + len + 1, NULL, 10);
    }
    return -1;
}

static int arm(const char *cmd)
{
    int fd = open("/mnt/ff/blkfault", O_WRONLY);
    ssize_t n = fd >= 0 ? write(fd, cmd, strlen(cmd)) : -1;
    if (fd >= 0)
        close(fd);
    return n == (ssize_t)strlen(cmd) ? 0 : -1;
}

/* Calls on the mount at /mnt/host that read blocks (lookups of fresh names,
 * a directory listing, file data): the index of the first that failed with
 * EIO, or -1. */
static int until_eio(void)
{
    static const char *const paths[] = { "/mnt/host/MANIFEST.sha256", "/mnt/host/dir0",
                                         "/mnt/host/dir1", "/mnt/host/dir2" };
    char buf[512];
    for (int i = 0; i < 4; i++) {
        struct stat st;
        if (stat(paths[i], &st) < 0)
            return errno == EIO ? i : -1;
        int fd = open(paths[i], O_RDONLY);
        if (fd < 0)
            return errno == EIO ? i : -1;
        ssize_t n = S_ISDIR(st.st_mode) ? syscall(SYS_getdents64, fd, buf, sizeof buf) : read(fd, buf, sizeof buf);
        int e = errno;
        close(fd);
        if (n < 0)
            return e == EIO ? i : -1;
    }
    return -1;
}

/* vda (mounted at S) still works: a file written, read back, removed. */
static int other_works(void)
{
    char buf[16] = "";
    int fd = open(S "/other", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int ok = fd >= 0 && write(fd, "still fine", 10) == 10 && pread(fd, buf, 10, 0) == 10 &&
             !memcmp(buf, "still fine", 10);
    if (fd >= 0)
        close(fd);
    return ok && unlink(S "/other") == 0;
}

#define FAULT_ITERATIONS 100
#define LEAK_BYTES (64 * 1024)

static void ext2_faults(void)
{
    static const char *const kinds[] = { "panic", "nullderef", "leak" };
    char cmd[64], why[200] = "";
    if (!strstr(cmdline, " faultinject=1") ||
        read_field("/proc/kevlar/services", "containment") != 1) {
        ktest_skip("disk.ext2_faults", "needs faultinject=1 and a containment profile");
        return;
    }
    mkdir("/mnt/ff", 0755);
    mkdir("/mnt/host", 0755);
    if (mount("none", "/mnt/ff", "faultfs", 0, NULL)) {
        ktest_result("disk.ext2_faults", 0, "mount faultfs: %s", strerror(errno));
        return;
    }
    long contained0 = read_field("/proc/kevlar/services", "contained");
    long reclaimed0 = read_field("/proc/kevlar/services", "reclaimed_bytes");
    long avail0 = read_field("/proc/meminfo", "MemAvailable");
    for (unsigned k = 0; k < 3; k++) {
        int bad = 0;
        for (int i = 0; i < FAULT_ITERATIONS && !bad; i++) {
            int at;
            DIR *d = NULL;
            if (mount("/dev/vdb", "/mnt/host", "ext2", MS_RDONLY, NULL)) {
                snprintf(why, sizeof why, "iteration %d: mount /dev/vdb: %s", i, strerror(errno));
                bad = 1;
                break;
            }
            snprintf(cmd, sizeof cmd, "vdb %s 1\n", kinds[k]);
            if (arm(cmd)) {
                snprintf(why, sizeof why, "arming blkfault: %s", strerror(errno));
                bad = 1;
            } else if ((at = until_eio()) < 0) {
                snprintf(why, sizeof why, "iteration %d: no call failed with EIO (errno %d)", i,
                         errno);
                bad = 1;
            } else if ((d = opendir("/mnt/host")) || errno != EIO) {
                snprintf(why, sizeof why, "iteration %d: the failed mount still answers (%s)", i,
                         strerror(errno));
                if (d)
                    closedir(d);
                bad = 1;
            } else if (!other_works()) {
                snprintf(why, sizeof why, "iteration %d: the vda mount broke: %s", i,
                         strerror(errno));
                bad = 1;
            }
            arm("off");
            if (umount("/mnt/host") && !bad) {
                snprintf(why, sizeof why, "iteration %d: umount: %s", i, strerror(errno));
                bad = 1;
            }
        }
        char name[64];
        snprintf(name, sizeof name, "disk.ext2_fault_%s", kinds[k]);
        ktest_result(name, !bad, "%s", why);
    }
    long contained1 = read_field("/proc/kevlar/services", "contained");
    long reclaimed1 = read_field("/proc/kevlar/services", "reclaimed_bytes");
    long avail1 = read_field("/proc/meminfo", "MemAvailable");
    ktest_result("disk.ext2_fault_contained", contained1 - contained0 >= 3 * FAULT_ITERATIONS,
                 "contained went %ld -> %ld, want +%d", contained0, contained1,
                 3 * FAULT_ITERATIONS);
    ktest_result("disk.ext2_fault_reclaimed",
                 reclaimed1 - reclaimed0 >= (long)FAULT_ITERATIONS * LEAK_BYTES,
                 "reclaimed_bytes went %ld -> %ld, want +%ld", reclaimed0, reclaimed1,
                 (long)FAULT_ITERATIONS * LEAK_BYTES);
    /* 100 leaks of 64 KiB would be 6400 kB; allow 1 MiB of noise. */
    ktest_result("disk.ext2_fault_memavailable", avail0 > 0 && avail1 > 0 && avail0 - avail1 < 1024,
                 "MemAvailable %ld kB -> %ld kB", avail0, avail1);
    umount("/mnt/ff");
}

static void stress(void)
{
    char why[300] = "";
    mkdir(S, 0755);
    if (mount("/dev/vda", S, "ext2", 0, NULL)) {
        ktest_result("disk.mount", 0, "mount /dev/vda: %s", strerror(errno));
        return;
    }
    ktest_result("disk.mount", 1, NULL);
    ext2_faults();
    host_manifest();
    stress_many();
    stress_big();
    stress_deep();
    stress_links();
    stress_truncate();
    stress_sparse();
    sync();
    int ok = umount(S) == 0 && mount("/dev/vda", S, "ext2", 0, NULL) == 0;
    ktest_result("disk.remount", ok, "errno %d", errno);
    ktest_result("disk.verify_after_remount", ok && man_verify(S, why, sizeof why) == 0, "%s",
                 why);
    write_manifest();
    sync();
    ktest_result("disk.umount", umount(S) == 0, "umount: %s", strerror(errno));
}

/* Never returns: writes until QEMU is killed. */
static void powercut(void)
{
    char path[128], hex[65];
    mkdir(S, 0755);
    if (mount("/dev/vda", S, "ext2", 0, NULL)) {
        printf("KTEST-DISK mount failed: %s\n", strerror(errno));
        exit(1);
    }
    mkdir(S "/synced", 0755);
    for (int i = 0; i < 200; i++) {
        snprintf(path, sizeof path, S "/synced/f_%03d", i);
        if (write_file(path, path, (size_t)(i * 331) % 70000, hex)) {
            printf("KTEST-DISK write %s failed: %s\n", path, strerror(errno));
            exit(1);
        }
        man_add(path + sizeof S - 1, hex, (off_t)((i * 331) % 70000));
    }
    sync();
    for (int i = 0; i < nman; i++)
        printf("KTEST-DISK synced %s %s %lld\n", man[i].path, man[i].hex, (long long)man[i].size);
    printf("KTEST-DISK sync done\n");
    fflush(stdout);
    mkdir(S "/churn", 0755);
    for (unsigned i = 0;; i++) {
        snprintf(path, sizeof path, S "/churn/c_%u", i % 300);
        write_file(path, path, (i * 7919) % 200000, hex);
        if (i % 3 == 0) {
            snprintf(path, sizeof path, S "/churn/c_%u", (i / 3) % 300);
            unlink(path);
        }
        if (i % 50 == 0)
            printf("KTEST-DISK churn %u\n", i);
    }
}

int main(void)
{
    char *cmd = cmdline + 1, *mode;
    int fd = open("/proc/cmdline", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, cmd, sizeof cmdline - 2) : -1;
    if (fd >= 0)
        close(fd);
    cmd[n > 0 ? n : 0] = 0;
    mode = strstr(cmd, "ktest.disk=");
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!mode) {
        ktest_skip("disk.all", "no ktest.disk= on the command line (no test disks)");
        return 0;
    }
    mode += strlen("ktest.disk=");
    if (!strncmp(mode, "stress", 6))
        stress();
    else if (!strncmp(mode, "powercut", 8))
        powercut();
    else
        ktest_result("disk.mode", 0, "unknown ktest.disk=%.20s", mode);
    return ktest_nfail ? 1 : 0;
}
