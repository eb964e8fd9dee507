/* t_blk.c - block device nodes on the disks tests/blk/mkdisks.py makes, as
 * the QEMU tests attach them (tests/qemu_run.sh --vdisk; virtio-mmio on
 * arm64, virtio-pci on x86_64 q35 and pc and in
 * //tests:qemu_arm64_balanced_pci):
 *
 *   /dev/vda  mbr.img     partitions 1, 2, 3 (extended, 1 KiB) and 5; entry 4 lies
 *   /dev/vdb  gpt.img     partitions 1, 2 (from the backup header)
 *   /dev/vdc  ro.img      read-only, holds pattern()
 *   /dev/vdd  badgpt.img  both GPT headers broken: no partitions
 *
 * Checks the nodes, /proc/partitions, the ioctls of <linux/fs.h>, lseek,
 * read/write at aligned and unaligned offsets and across the block layer's
 * 64 KiB requests, writes through a partition, end-of-device behaviour, and
 * the read-only disk. What was written is checked again on the host after
 * the boot (tests/blk/check_disks.py). Without /dev/vda (a boot with no
 * disks, or Linux without them) every check is a SKIP. */
#include "ktest.h"

#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define MiB (1024 * 1024)

static const char *const CHECKS[] = {
    "blk.nodes",      "blk.no_lying_partition", "blk.proc_partitions", "blk.getsize64",
    "blk.getsize",    "blk.sszget",		"blk.lseek_end",       "blk.lseek_past_end",
    "blk.write_read", "blk.unaligned_neighbours", "blk.fsync",	      "blk.partition_write",
    "blk.read_eof",   "blk.write_enospc",	"blk.ro_read",	       "blk.ro_write_eperm",
    "blk.ro_roget",   "blk.flsbuf",		"blk.rrpart",	       "blk.rrpart_partition",
    "blk.badgpt",
};

/* Same function as tests/blk/mkdisks.py's pattern(). */
static unsigned char pattern(unsigned long a)
{
    return (unsigned char)((((a * 131 + 17) >> 3) ^ (a >> 9)) & 0xff);
}

static int is_blk(const char *path, unsigned maj, unsigned min)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISBLK(st.st_mode) && major(st.st_rdev) == maj &&
           minor(st.st_rdev) == min;
}

static unsigned long long size64(const char *path)
{
    unsigned long long sz = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    if (ioctl(fd, BLKGETSIZE64, &sz) != 0)
        sz = 0;
    close(fd);
    return sz;
}

/* The ranges written on /dev/vdb (tests/blk/check_disks.py knows them). */
static const struct {
    unsigned long off, len;
} RANGES[] = {
    { 0, 1000 },
    { 1636, 5000 },
    { MiB, 70000 },
    { 8 * MiB - 4096, 4096 },
};

static int check_range(int fd, unsigned long off, unsigned long len, int want_pattern)
{
    unsigned char *buf = malloc(len);
    int ok = buf && pread(fd, buf, len, (off_t)off) == (ssize_t)len;
    for (unsigned long i = 0; ok && i < len; i++)
        ok = buf[i] == (want_pattern ? pattern(off + i) : 0);
    free(buf);
    return ok;
}

static void t_disk_rw(void)
{
    int fd = open("/dev/vdb", O_RDWR);
    int ok = fd >= 0;

    for (unsigned i = 0; ok && i < sizeof(RANGES) / sizeof(RANGES[0]); i++) {
        unsigned long off = RANGES[i].off, len = RANGES[i].len;
        unsigned char *buf = malloc(len);
        for (unsigned long j = 0; j < len; j++)
            buf[j] = pattern(off + j);
        ok = lseek(fd, (off_t)off, SEEK_SET) == (off_t)off && write(fd, buf, len) == (ssize_t)len &&
             lseek(fd, 0, SEEK_CUR) == (off_t)(off + len);
        free(buf);
    }
    int wrote = ok;
    for (unsigned i = 0; ok && i < sizeof(RANGES) / sizeof(RANGES[0]); i++)
        ok = check_range(fd, RANGES[i].off, RANGES[i].len, 1);
    ktest_result("blk.write_read", ok, "wrote %d, read back %d", wrote, ok);
    /* Bytes in the same sectors as the ends of unaligned writes were zero
     * and must stay so (read-modify-write of partial sectors). [1000, 1300)
     * holds the GPT header's and entries' bytes: not zero. */
    ktest_result("blk.unaligned_neighbours",
                 fd >= 0 && check_range(fd, 1300, 336, 0) && check_range(fd, 6636, 512, 0) &&
                     check_range(fd, MiB + 70000, 1000, 0),
                 "bytes next to the written ranges changed");
    KTEST_CHECK("blk.fsync", fd >= 0 && fsync(fd) == 0 && fdatasync(fd) == 0);
    char c;
    ktest_result("blk.read_eof", fd >= 0 && pread(fd, &c, 1, 8 * MiB) == 0, "read at the end");
    KTEST_ERRNO("blk.write_enospc", pwrite(fd, "x", 1, 8 * MiB), ENOSPC);
    off_t end = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
    ktest_result("blk.lseek_end", end == 8 * MiB, "SEEK_END gave %lld", (long long)end);
    KTEST_ERRNO("blk.lseek_past_end", lseek(fd, 8 * MiB + 1, SEEK_SET), EINVAL);
    if (fd >= 0)
        close(fd);
}

/* 8 KiB through /dev/vda2 must land at sector 6144 of /dev/vda. */
static void t_partition_write(void)
{
    unsigned char buf[8192], back[8192];
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = pattern(i);
    int p = open("/dev/vda2", O_WRONLY), d = open("/dev/vda", O_RDONLY);
    int ok = p >= 0 && d >= 0 && write(p, buf, sizeof(buf)) == (ssize_t)sizeof(buf) &&
             fsync(p) == 0 && pread(d, back, sizeof(back), 6144 * 512) == (ssize_t)sizeof(back) &&
             memcmp(buf, back, sizeof(buf)) == 0;
    ktest_result("blk.partition_write", ok, "write through vda2, read at vda sector 6144");
    if (p >= 0)
        close(p);
    if (d >= 0)
        close(d);
}

static void t_readonly(void)
{
    unsigned char *buf = malloc(MiB);
    int fd = open("/dev/vdc", O_RDONLY), ok = fd >= 0 && read(fd, buf, MiB) == MiB;
    for (unsigned long i = 0; ok && i < MiB; i++)
        ok = buf[i] == pattern(i);
    ktest_result("blk.ro_read", ok, "1 MiB of pattern from the read-only disk");
    free(buf);
    if (fd >= 0)
        close(fd);
    /* Linux: open for writing works, write(2) fails with EPERM
     * [block/fops.c blkdev_write_iter()]. */
    fd = open("/dev/vdc", O_RDWR);
    KTEST_ERRNO("blk.ro_write_eperm", fd >= 0 ? write(fd, "x", 1) : -2, EPERM);
    int ro = -1;
    ktest_result("blk.ro_roget", fd >= 0 && ioctl(fd, BLKROGET, &ro) == 0 && ro == 1, "ro=%d",
                 ro);
    if (fd >= 0)
        close(fd);
}

static void t_ioctls(void)
{
    int fd = open("/dev/vda2", O_RDONLY);
    unsigned long secs = 0;
    int ssz = 0;
    ktest_result("blk.getsize64",
                 size64("/dev/vda") == 8 * MiB && size64("/dev/vda2") == 2 * MiB &&
                     size64("/dev/vda5") == MiB && size64("/dev/vdb2") == 2 * MiB &&
                     size64("/dev/vdc") == MiB,
                 "vda %llu vda2 %llu vda5 %llu vdb2 %llu vdc %llu", size64("/dev/vda"),
                 size64("/dev/vda2"), size64("/dev/vda5"), size64("/dev/vdb2"),
                 size64("/dev/vdc"));
    ktest_result("blk.getsize", fd >= 0 && ioctl(fd, BLKGETSIZE, &secs) == 0 && secs == 4096,
                 "BLKGETSIZE %lu", secs);
    ktest_result("blk.sszget", fd >= 0 && ioctl(fd, BLKSSZGET, &ssz) == 0 && ssz == 512,
                 "BLKSSZGET %d", ssz);
    KTEST_ERRNO("blk.rrpart_partition", fd >= 0 ? ioctl(fd, BLKRRPART) : -2, EINVAL);
    if (fd >= 0)
        close(fd);
    fd = open("/dev/vda", O_RDONLY);
    KTEST_CHECK("blk.flsbuf", fd >= 0 && ioctl(fd, BLKFLSBUF) == 0);
    KTEST_CHECK("blk.rrpart", fd >= 0 && ioctl(fd, BLKRRPART) == 0 && is_blk("/dev/vda5", 254, 5));
    if (fd >= 0)
        close(fd);
}

static int file_has(const char *path, const char *needle)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    return strstr(buf, needle) != NULL;
}

int main(void)
{
    if (access("/dev/vda", F_OK) != 0) {
        char line[160];
        for (unsigned i = 0; i < sizeof(CHECKS) / sizeof(CHECKS[0]); i++) {
            int n = snprintf(line, sizeof(line),
                             "KTEST SKIP %s no /dev/vda: no virtio-blk disk attached\n",
                             CHECKS[i]);
            ktest_emit(line, (size_t)n);
        }
        return 0;
    }
    ktest_result("blk.nodes",
                 is_blk("/dev/vda", 254, 0) && is_blk("/dev/vda1", 254, 1) &&
                     is_blk("/dev/vda2", 254, 2) && is_blk("/dev/vda3", 254, 3) &&
                     is_blk("/dev/vda5", 254, 5) && is_blk("/dev/vdb", 254, 16) &&
                     is_blk("/dev/vdb1", 254, 17) && is_blk("/dev/vdb2", 254, 18) &&
                     is_blk("/dev/vdc", 254, 32),
                 "a node is missing or has the wrong type or number");
    ktest_result("blk.no_lying_partition", access("/dev/vda4", F_OK) != 0,
                 "vda4 (past the end of the disk) exists");
    ktest_result("blk.proc_partitions",
                 file_has("/proc/partitions", " 254        5       1024 vda5\n") &&
                     file_has("/proc/partitions", " 254       18       2048 vdb2\n"),
                 "/proc/partitions lacks vda5 or vdb2");
    t_ioctls();
    t_disk_rw();
    t_partition_write();
    t_readonly();
    ktest_result("blk.badgpt", is_blk("/dev/vdd", 254, 48) && access("/dev/vdd1", F_OK) != 0,
                 "vdd should exist without partitions");
    return ktest_nfail ? 1 : 0;
}
