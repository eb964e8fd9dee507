/* Host test of the ext2 service (services/ext2) and the buffer cache
 * (kernel/block/bcache.c) under ASan/UBSan: the real VFS (kernel/vfs) with a
 * tmpfs root, ext2 mounted from an in-memory disk (stand-ins below for the
 * rest of the block layer), driven through the sys_* handlers.
 *
 *   ext2_test CORPUS_DIR
 *
 * 1. The good images of tests/ext2/mkimages.py (1, 2 and 4 KiB blocks): every
 *    file read and checked, then written to (files, a directory tree, a file
 *    through the double-indirect range, renames, unlinks, truncates, a
 *    symlink), unmounted, mounted again and checked, and e2fsck -fn (e2fsprogs,
 *    when present) must find the result clean.
 * 2. The damaged partitions bad1..4.img: refused, or errors on the damaged
 *    objects only.
 * 3. Every recipe of corpus.txt (damaged copies of the good images): mount;
 *    if it mounts, walk and read everything, write a little, unmount. Any
 *    result is fine except a crash, a sanitizer report or a hang.
 */
#include "services/ext2/super.c" /* for the static ext2_init() */
#include "services/tmpfs/super.c" /* for the static tmpfs_init() */
#include <kernel/fdtable.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/block/block_internal.h"
#include "kernel/vfs/abi.h"
#include "kernel/vfs/internal.h"

#define U(p) ((unsigned long)(uintptr_t)(p))
#define SYS(name, ...) ({ unsigned long __a[6] = { __VA_ARGS__ }; sys_##name(__a); })
long sys_openat(const unsigned long *);
long sys_read(const unsigned long *);
long sys_write(const unsigned long *);
long sys_close(const unsigned long *);
long sys_mkdirat(const unsigned long *);
long sys_symlinkat(const unsigned long *);
long sys_newfstatat(const unsigned long *);
long sys_unlinkat(const unsigned long *);
long sys_renameat2(const unsigned long *);
long sys_getdents64(const unsigned long *);
long sys_umount2(const unsigned long *);
long sys_readlinkat(const unsigned long *);
long sys_ftruncate(const unsigned long *);
long sys_linkat(const unsigned long *);
long sys_fsync(const unsigned long *);
long sys_sync(const unsigned long *);
long sys_pwrite64(const unsigned long *);
long sys_pread64(const unsigned long *);

static int fails, passes;
#define CHECK(expr, want)                                                                    \
	do {                                                                                 \
		long __r = (long)(expr);                                                     \
		long __w = (long)(want);                                                     \
		if (__r != __w) {                                                            \
			printf("FAIL %s:%d: %s = %ld, want %ld\n", __FILE__, __LINE__, #expr, \
			       __r, __w);                                                    \
			fails++;                                                             \
		} else                                                                       \
			passes++;                                                            \
	} while (0)
#define FD ((unsigned long)(long)AT_FDCWD)

/* ---- the block layer's other half: one in-memory disk ------------------- */

struct mem_disk {
	struct block_device b;
	uint8_t *data;
	size_t size;
};
static struct mem_disk *disk;

ssize_t bdev_transfer(struct block_device *b, bool write, struct uio *u, uint64_t pos)
{
	struct mem_disk *d = (struct mem_disk *)b;
	size_t n = u->len;
	int r;

	if (b->gone)
		return -ENXIO;
	if (pos >= d->size)
		return write ? -ENOSPC : 0;
	if (n > d->size - pos)
		n = d->size - pos;
	r = write ? uio_copy_in(u, d->data + pos, n) : uio_copy_out(u, d->data + pos, n);
	return r ? r : (ssize_t)n;
}
int bdev_flush(struct block_device *b) { return b->gone ? -ENXIO : 0; }
uint64_t blkdev_size(const struct block_device *b) { return b->gone ? 0 : ((struct mem_disk *)b)->size & ~511ULL; }
unsigned bdev_logical_block_size(const struct block_device *b) { return 512; }
const char *bdev_name(const struct block_device *b) { return b->name; }
dev_t bdev_devt(const struct block_device *b) { return b->dev; }
int blkdev_get_by_path(cap_block_t cap, const char *path, bool write, struct block_device **out)
{
	if (!disk || disk->b.gone)
		return -ENXIO;
	if (disk->b.claimed)
		return -EBUSY;
	disk->b.claimed = true;
	*out = &disk->b;
	return 0;
}
void blkdev_put(struct block_device *b) { b->claimed = false; }
#ifdef SVC_CONTAIN
void svc_uncharge(void *p) {}
#endif

static void attach(const uint8_t *img, size_t size)
{
	static unsigned n;

	if (disk) {
		disk->b.gone = true; /* the cache drops what it still holds of it */
		free(disk->data);
		disk->data = NULL;
	}
	disk = calloc(1, sizeof(*disk)); /* never freed: the cache may still name it */
	disk->data = malloc(size ? size : 1);
	memcpy(disk->data, img, size);
	disk->size = size;
	snprintf(disk->b.name, sizeof disk->b.name, "mem%u", n++);
	disk->b.dev = MKDEV(254, n);
	disk->b.nr_sectors = size / 512;
}

/* ---- helpers ------------------------------------------------------------ */

static uint8_t *load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc(*size);
	if (fread(p, 1, *size, f) != *size) {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

static uint64_t fnv64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* mkimages.py's content(name, size). */
static void gen(const char *name, uint8_t *buf, size_t size)
{
	uint32_t x = (uint32_t)(fnv64((const uint8_t *)name, strlen(name)) & 0x7fffffff);
	if (!x)
		x = 1;
	for (size_t i = 0; i < size; i++) {
		x = (x * 1103515245u + 12345u) & 0x7fffffff;
		buf[i] = (uint8_t)(x >> 16);
	}
}

static long OPEN(const char *p, unsigned fl, unsigned mode) { return SYS(openat, FD, U(p), fl, mode); }
static long CLOSE(long fd) { return SYS(close, (unsigned long)fd); }

/* Read a whole file: its length (at most cap) or -errno. */
static long slurp(const char *path, uint8_t *buf, size_t cap)
{
	long fd = OPEN(path, O_RDONLY, 0), n, got = 0;
	if (fd < 0)
		return fd;
	while ((size_t)got < cap && (n = SYS(read, (unsigned long)fd, U(buf + got), cap - (size_t)got)) > 0)
		got += n;
	CLOSE(fd);
	return n < 0 ? n : got;
}

static long put(const char *path, const uint8_t *buf, size_t len)
{
	long fd = OPEN(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), w;
	if (fd < 0)
		return fd;
	w = SYS(write, (unsigned long)fd, U(buf), len);
	CLOSE(fd);
	return w;
}

/* Walk everything under path (depth-limited: a damaged image may loop),
 * reading every file and symlink. Counts objects; errors are fine. */
static unsigned walk(const char *path, int depth)
{
	static uint8_t buf[1 << 16];
	char dbuf[4096], child[4096];
	unsigned n = 0;
	long fd, r;

	if (depth > 24)
		return 0;
	fd = OPEN(path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return 0;
	while ((r = SYS(getdents64, (unsigned long)fd, U(dbuf), sizeof dbuf)) > 0) {
		for (long off = 0; off < r;) {
			uint16_t rl;
			const char *name = dbuf + off + 19;
			unsigned char type = (unsigned char)dbuf[off + 18];
			struct linux_stat st;

			memcpy(&rl, dbuf + off + 16, 2);
			off += rl;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			n++;
			snprintf(child, sizeof child, "%s/%s", path, name);
			if (SYS(newfstatat, FD, U(child), U(&st), AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			if (S_ISDIR(st.st_mode) && type == DT_DIR)
				n += walk(child, depth + 1);
			else if (S_ISREG(st.st_mode)) {
				long f = OPEN(child, O_RDONLY, 0);
				if (f >= 0) {
					while (SYS(read, (unsigned long)f, U(buf), sizeof buf) > 0)
						;
					CLOSE(f);
				}
			} else if (S_ISLNK(st.st_mode)) {
				SYS(readlinkat, FD, U(child), U(buf), 4096);
			}
		}
	}
	CLOSE(fd);
	return n;
}

/* A few writes; any result but a crash is fine on a damaged image. */
static void scribble(const char *root)
{
	static uint8_t buf[40000];
	char p[256], q[256];

	gen("scribble", buf, sizeof buf);
	snprintf(p, sizeof p, "%s/new", root);
	put(p, buf, sizeof buf);
	snprintf(p, sizeof p, "%s/newdir", root);
	SYS(mkdirat, FD, U(p), 0755);
	snprintf(p, sizeof p, "%s/newdir/f", root);
	put(p, buf, 3000);
	snprintf(q, sizeof q, "%s/moved", root);
	SYS(renameat2, FD, U(p), FD, U(q), 0);
	snprintf(p, sizeof p, "%s/big", root);
	long fd = OPEN(p, O_RDWR, 0);
	if (fd >= 0) {
		SYS(ftruncate, (unsigned long)fd, 5000);
		SYS(pwrite64, (unsigned long)fd, U(buf), 1000, 300000);
		CLOSE(fd);
	}
	snprintf(p, sizeof p, "%s/ok", root);
	SYS(unlinkat, FD, U(p), 0);
	snprintf(p, sizeof p, "%s/bad/n03", root);
	SYS(unlinkat, FD, U(p), 0);
	snprintf(p, sizeof p, "%s/bad", root);
	SYS(unlinkat, FD, U(p), AT_REMOVEDIR);
	SYS(sync);
}

static long mount_ext2(unsigned long flags) { return vfs_mount("/dev/mem", "/mnt", "ext2", flags, NULL); }
static long umount_mnt(void) { return SYS(umount2, U("/mnt"), 0); }

/* ---- 1. good images ------------------------------------------------------- */

static void good_image(const char *dir, unsigned bs)
{
	static uint8_t buf[600 * 1024], want[600 * 1024];
	char path[512];
	size_t size;
	struct linux_stat st;
	uint8_t *img;

	snprintf(path, sizeof path, "%s/good_%u.img", dir, bs);
	img = load(path, &size);
	if (!img) {
		printf("FAIL cannot read %s\n", path);
		fails++;
		return;
	}
	attach(img, size);
	free(img);
	CHECK(mount_ext2(0), 0);
	CHECK(slurp("/mnt/ok", buf, sizeof buf), 15);
	CHECK(memcmp(buf, "still readable\n", 15), 0);
	gen("big", want, 200 * 1024);
	CHECK(slurp("/mnt/big", buf, sizeof buf), 200 * 1024);
	CHECK(memcmp(buf, want, 200 * 1024), 0);
	CHECK(SYS(readlinkat, FD, U("/mnt/lnk"), U(buf), 100), 2);
	CHECK(walk("/mnt", 0), 26); /* lost+found, bad + 20, big, meta, ok, lnk */
	CHECK(mount_ext2(0), -EBUSY);

	/* Writes: a tree, a file through the double-indirect range (with 1 KiB
	 * blocks), renames, links, unlinks, truncates, a slow symlink. */
	CHECK(SYS(mkdirat, FD, U("/mnt/w"), 0755), 0);
	CHECK(SYS(mkdirat, FD, U("/mnt/w/sub"), 0755), 0);
	gen("w/large", want, sizeof want);
	CHECK(put("/mnt/w/large", want, sizeof want), sizeof want);
	for (int i = 0; i < 60; i++) {
		snprintf(path, sizeof path, "/mnt/w/sub/file_with_a_longer_name_%03d", i);
		CHECK(put(path, want + i, (size_t)i * 13), i * 13);
	}
	for (int i = 0; i < 60; i += 3) {
		char to[512];
		snprintf(path, sizeof path, "/mnt/w/sub/file_with_a_longer_name_%03d", i);
		snprintf(to, sizeof to, "/mnt/w/r%03d", i);
		CHECK(SYS(renameat2, FD, U(path), FD, U(to), 0), 0);
	}
	for (int i = 1; i < 60; i += 3) {
		snprintf(path, sizeof path, "/mnt/w/sub/file_with_a_longer_name_%03d", i);
		CHECK(SYS(unlinkat, FD, U(path), 0), 0);
	}
	CHECK(SYS(linkat, FD, U("/mnt/ok"), FD, U("/mnt/w/ok2"), 0), 0);
	CHECK(SYS(unlinkat, FD, U("/mnt/bad/n05"), 0), 0);
	CHECK(SYS(unlinkat, FD, U("/mnt/bad"), AT_REMOVEDIR), -ENOTEMPTY);
	CHECK(SYS(renameat2, FD, U("/mnt/bad"), FD, U("/mnt/w/sub/bad"), 0), 0);
	long fd = OPEN("/mnt/big", O_RDWR, 0);
	CHECK(SYS(ftruncate, (unsigned long)fd, 1000), 0);
	CHECK(SYS(ftruncate, (unsigned long)fd, 9000), 0);
	CHECK(SYS(pread64, (unsigned long)fd, U(buf), 9000, 0), 9000);
	gen("big", want, 1000);
	CHECK(memcmp(buf, want, 1000), 0);
	memset(want, 0, 8000);
	CHECK(memcmp(buf + 1000, want, 8000), 0);
	CHECK(SYS(fsync, (unsigned long)fd), 0);
	CLOSE(fd);
	memset(path, 'z', 300);
	path[300] = 0;
	CHECK(SYS(symlinkat, U(path), FD, U("/mnt/w/slow")), 0);
	CHECK(SYS(unlinkat, FD, U("/mnt/meta"), 0), 0);
	CHECK(umount_mnt(), 0);

	/* Again: everything still there. */
	CHECK(mount_ext2(MS_RDONLY), 0);
	gen("w/large", want, sizeof want);
	CHECK(slurp("/mnt/w/large", buf, sizeof buf), sizeof want);
	CHECK(memcmp(buf, want, sizeof want), 0);
	CHECK(SYS(newfstatat, FD, U("/mnt/ok"), U(&st), 0), 0);
	CHECK(st.st_nlink, 2);
	CHECK(SYS(newfstatat, FD, U("/mnt/meta"), U(&st), 0), -ENOENT);
	CHECK(SYS(newfstatat, FD, U("/mnt/w/sub/bad/n04"), U(&st), 0), 0);
	CHECK(SYS(readlinkat, FD, U("/mnt/w/slow"), U(buf), 4096), 300);
	CHECK(SYS(newfstatat, FD, U("/mnt/big"), U(&st), 0), 0);
	CHECK(st.st_size, 9000);
	/* / 5, /w 24 (sub, large, 20 renamed, ok2, slow), /w/sub 21, /w/sub/bad 19 */
	CHECK(walk("/mnt", 0), 69);
	CHECK(OPEN("/mnt/x", O_CREAT | O_WRONLY, 0644), -EROFS);
	CHECK(umount_mnt(), 0);

	/* e2fsprogs' opinion of what we wrote. */
	const char *e2fsck = access("/sbin/e2fsck", X_OK) == 0 ? "/sbin/e2fsck" : "/usr/sbin/e2fsck";
	if (access(e2fsck, X_OK) == 0) {
		const char *tmp = getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp";
		char out[512], cmd[1200];
		snprintf(out, sizeof out, "%s/ext2_written_%u.img", tmp, bs);
		FILE *f = fopen(out, "wb");
		fwrite(disk->data, 1, disk->size, f);
		fclose(f);
		snprintf(cmd, sizeof cmd, "%s -fn %s", e2fsck, out);
		int rc = system(cmd);
		printf("e2fsck -fn of the %u-byte-block image: %d\n", bs, rc);
		CHECK(rc, 0);
	} else {
		printf("no e2fsck on this machine: the written image is not checked\n");
	}
}

/* ---- 2. the damaged partitions --------------------------------------------- */

static void bad_images(const char *dir)
{
	static uint8_t buf[300 * 1024];
	char path[512];
	size_t size;
	uint8_t *img;
	long fd;

	for (int k = 1; k <= 4; k++) {
		snprintf(path, sizeof path, "%s/bad%d.img", dir, k);
		img = load(path, &size);
		if (!img) {
			printf("FAIL cannot read %s\n", path);
			fails++;
			continue;
		}
		attach(img, size);
		free(img);
		switch (k) {
		case 1:
		case 4: CHECK(mount_ext2(0), -EINVAL); break;
		case 2:
			CHECK(mount_ext2(0), 0);
			fd = OPEN("/mnt/bad", O_RDONLY | O_DIRECTORY, 0);
			CHECK(fd >= 0, 1);
			/* "." and ".." come from the VFS, then the damaged block. */
			CHECK(SYS(getdents64, (unsigned long)fd, U(buf), 4096), 48);
			CHECK(SYS(getdents64, (unsigned long)fd, U(buf), 4096), -EUCLEAN);
			CLOSE(fd);
			CHECK(slurp("/mnt/ok", buf, sizeof buf), 15);
			CHECK(OPEN("/mnt/bad/n01", O_RDONLY, 0), -EUCLEAN);
			CHECK(umount_mnt(), 0);
			break;
		case 3:
			CHECK(mount_ext2(0), 0);
			CHECK(slurp("/mnt/big", buf, sizeof buf), -EUCLEAN);
			fd = OPEN("/mnt/big", O_RDONLY, 0);
			CHECK(SYS(pread64, (unsigned long)fd, U(buf), 4096, 0), 4096);
			CLOSE(fd);
			CHECK(slurp("/mnt/meta", buf, sizeof buf), -EUCLEAN);
			/* Deleting it must not free the damaged block numbers. */
			CHECK(SYS(unlinkat, FD, U("/mnt/big"), 0), 0);
			CHECK(SYS(unlinkat, FD, U("/mnt/meta"), 0), 0);
			CHECK(slurp("/mnt/ok", buf, sizeof buf), 15);
			CHECK(umount_mnt(), 0);
			break;
		}
	}
}

/* ---- 3. the corpus ----------------------------------------------------------- */

static int hexval(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

static void corpus(const char *dir)
{
	char path[512], *line = NULL;
	size_t cap = 0, nimg[3] = { 0 };
	uint8_t *base[3] = { NULL };
	unsigned bss[3] = { 1024, 2048, 4096 };
	unsigned total = 0, mounted = 0;
	FILE *f;

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/good_%u.img", dir, bss[i]);
		base[i] = load(path, &nimg[i]);
		if (!base[i]) {
			printf("FAIL cannot read %s\n", path);
			fails++;
			return;
		}
	}
	snprintf(path, sizeof path, "%s/corpus.txt", dir);
	f = fopen(path, "r");
	if (!f) {
		printf("FAIL cannot read %s\n", path);
		fails++;
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		char id[128], image[64], *rest;
		int b, used;
		if (sscanf(line, "%127s %63s %n", id, image, &used) < 2)
			continue;
		rest = line + used;
		b = strstr(image, "1024") ? 0 : strstr(image, "2048") ? 1 : 2;
		uint8_t *img = malloc(nimg[b]);
		size_t size = nimg[b];
		memcpy(img, base[b], size);
		if (!strncmp(rest, "trunc ", 6)) {
			size = strtoul(rest + 6, NULL, 10);
		} else {
			while (*rest && *rest != '\n') {
				size_t off = strtoul(rest, &rest, 10);
				if (*rest++ != ':')
					break;
				while (rest[0] && rest[1] && rest[0] != ',' && rest[0] != '\n') {
					if (off < size)
						img[off] = (uint8_t)(hexval(rest[0]) << 4 | hexval(rest[1]));
					off++;
					rest += 2;
				}
				if (*rest == ',')
					rest++;
			}
		}
		attach(img, size);
		free(img);
		total++;
		/* Alternate read-write and read-only mounts. */
		if (mount_ext2(total % 2 ? 0 : MS_RDONLY) == 0) {
			mounted++;
			walk("/mnt", 0);
			if (total % 2)
				scribble("/mnt");
			walk("/mnt", 0);
			if (umount_mnt() != 0) {
				printf("FAIL %s: umount failed\n", id);
				fails++;
			}
		}
	}
	free(line);
	fclose(f);
	for (int i = 0; i < 3; i++)
		free(base[i]);
	printf("corpus: %u damaged images, %u mounted, %u refused, no crash\n", total, mounted,
	       total - mounted);
	CHECK(total > 1000, 1);
}

int main(int argc, char **argv)
{
	static struct task init;
	const char *dir = argc > 1 ? argv[1] : "tests/ext2/corpus";

	this_cpu()->curr = &init;
	init.umask = 022;
	for (int i = 0; i < RLIM_NLIMITS; i++)
		init.rlim[i].rlim_cur = init.rlim[i].rlim_max = RLIM_INFINITY;
	tmpfs_init();
	ext2_init();
	vfs_init();
	CHECK(vfs_mount_root("tmpfs"), 0);
	init.fs = fs_create_root();
	init.files = files_create();
	CHECK(SYS(mkdirat, FD, U("/mnt"), 0755), 0);

	for (unsigned bs = 1024; bs <= 4096; bs *= 2)
		good_image(dir, bs);
	bad_images(dir);
	corpus(dir);
	printf("ext2_test: %d passed, %d failed\n", passes, fails);
	return fails ? 1 : 0;
}
