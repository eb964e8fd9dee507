/* Host harness for the VFS (kernel/vfs/) over the real tmpfs service:
 * path resolution, the dentry cache, mounts, rename/link/unlink rules,
 * pipes, poll/select and fd tables, driven through the sys_* handlers with
 * host pointers standing in for user addresses. Not wired into Bazel (the
 * kernel's host libraries do not build kernel/vfs/); run by hand:
 *
 *   sh tests/host/vfs/run.sh        (from the repository root)
 */
#include "services/tmpfs/super.c" /* for the static tmpfs_init() */
void blk_sync_all(void) {} /* no disks here (the ext2 harness links the buffer cache) */
#include <kernel/signal.h>
#include <kernel/task.h>
#include <stdio.h>
#include <kernel/syscall.h>
#include <kernel/fdtable.h>
#include "kernel/vfs/internal.h"
#include "kernel/vfs/abi.h"

#define U(p) ((unsigned long)(uintptr_t)(p))
#define SYS(name, ...) ({ unsigned long __a[6] = { __VA_ARGS__ }; sys_##name(__a); })
long sys_openat(const unsigned long *); long sys_read(const unsigned long *); long sys_write(const unsigned long *);
long sys_close(const unsigned long *); long sys_mkdirat(const unsigned long *); long sys_symlinkat(const unsigned long *);
long sys_newfstatat(const unsigned long *); long sys_chdir(const unsigned long *); long sys_getcwd(const unsigned long *);
long sys_unlinkat(const unsigned long *); long sys_renameat2(const unsigned long *); long sys_getdents64(const unsigned long *);
long sys_mount(const unsigned long *); long sys_umount2(const unsigned long *); long sys_linkat(const unsigned long *);
long sys_pipe2(const unsigned long *); long sys_readlinkat(const unsigned long *); long sys_dup2(const unsigned long *);
long sys_fcntl(const unsigned long *); long sys_lseek(const unsigned long *); long sys_fstat(const unsigned long *);
long sys_mknodat(const unsigned long *); long sys_faccessat(const unsigned long *); long sys_ftruncate(const unsigned long *);
long sys_utimensat(const unsigned long *); long sys_fchdir(const unsigned long *); long sys_writev(const unsigned long *);
long sys_readv(const unsigned long *); long sys_statx(const unsigned long *); long sys_poll(const unsigned long *);
long sys_select(const unsigned long *); long sys_chroot(const unsigned long *); long sys_fchmodat(const unsigned long *);
long sys_setxattr(const unsigned long *); long sys_getxattr(const unsigned long *); long sys_listxattr(const unsigned long *);
long sys_removexattr(const unsigned long *); long sys_splice(const unsigned long *); long sys_tee(const unsigned long *);
long sys_flock(const unsigned long *);

extern int last_signal;
static int fails, passes;
#define CHECK(expr, want) do { long __r = (long)(expr); long __w = (long)(want); \
	if (__r != __w) { printf("FAIL %s:%d: %s = %ld, want %ld\n", __FILE__, __LINE__, #expr, __r, __w); fails++; } else passes++; } while (0)
#define FD AT_FDCWD
static long OPEN(const char *p, unsigned fl, unsigned mode) { return SYS(openat, (unsigned long)(long)FD, U(p), fl, mode); }
static long MKDIR(const char *p) { return SYS(mkdirat, (unsigned long)(long)FD, U(p), 0755); }
static long SYMLINK(const char *t, const char *p) { return SYS(symlinkat, U(t), (unsigned long)(long)FD, U(p)); }
static long UNLINK(const char *p) { return SYS(unlinkat, (unsigned long)(long)FD, U(p), 0); }
static long RMDIR(const char *p) { return SYS(unlinkat, (unsigned long)(long)FD, U(p), AT_REMOVEDIR); }
static long STAT(const char *p, struct linux_stat *st, int fl) { return SYS(newfstatat, (unsigned long)(long)FD, U(p), U(st), fl); }
static long RENAME(const char *a, const char *b, unsigned fl) { return SYS(renameat2, (unsigned long)(long)FD, U(a), (unsigned long)(long)FD, U(b), fl); }
static long WRITE(int fd, const char *s) { return SYS(write, fd, U(s), strlen(s)); }
static long CLOSE(int fd) { return SYS(close, fd); }

/* struct flock (64-bit Linux) and one F_OFD_* call on it. */
struct hflock { int16_t type, whence; int32_t pad; int64_t start, len; int32_t pid, pad2; };
static long OFD(int fd, int cmd, int type, int64_t start, int64_t len, struct hflock *out)
{
	struct hflock fl = { .type = (int16_t)type, .whence = 0, .start = start, .len = len };
	long r = SYS(fcntl, fd, cmd, U(&fl));
	if (out)
		*out = fl;
	return r;
}
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37

/* Record/OFD lock bookkeeping (kernel/vfs/locks.c) with two descriptions
 * of one file: conflicts, splitting, merging, up/downgrade, release at
 * last close. One task: nothing may sleep (the stub sched_sleep gives
 * EINTR). */
static void locks_checks(void)
{
	struct hflock g;
	long a = OPEN("/lk", O_CREAT | O_RDWR, 0644), b = OPEN("/lk", O_RDWR, 0);

	CHECK(OFD(a, F_OFD_SETLK, 1, 0, 100, NULL), 0);
	CHECK(OFD(b, F_OFD_SETLK, 0, 50, 1, NULL), -EAGAIN);
	CHECK(OFD(b, F_OFD_SETLK, 0, 100, 1, NULL), 0);
	CHECK(OFD(a, F_OFD_SETLK, 2, 40, 20, NULL), 0);               /* split */
	CHECK((OFD(b, F_OFD_GETLK, 1, 40, 20, &g), g.type), 2);
	CHECK((OFD(b, F_OFD_GETLK, 1, 99, 1, &g), g.start * 1000 + g.len), 60 * 1000 + 40);
	CHECK((OFD(b, F_OFD_GETLK, 1, 0, 1, &g), g.start * 1000 + g.len), 0 * 1000 + 40);
	CHECK(g.pid, -1);
	CHECK(OFD(a, F_OFD_SETLK, 1, 40, 20, NULL), 0);               /* merge back */
	CHECK((OFD(b, F_OFD_GETLK, 0, 0, 0, &g), g.start * 1000 + g.len), 100);
	CHECK(OFD(a, F_OFD_SETLK, 0, 10, 10, NULL), 0);               /* downgrade a piece */
	CHECK(OFD(b, F_OFD_SETLK, 0, 12, 3, NULL), 0);
	CHECK(OFD(b, F_OFD_SETLK, 1, 12, 3, NULL), -EAGAIN);          /* upgrade blocked by a */
	CHECK((OFD(b, F_OFD_GETLK, 1, 0, 0, &g), g.type * 1000 + g.len), 1000 + 10);
	CHECK(OFD(a, F_OFD_SETLK, 1, 0, 0, NULL), -EAGAIN);           /* b reads [12,15) */
	CHECK(OFD(b, F_OFD_SETLK, 2, 0, 0, NULL), 0);
	CHECK(OFD(a, F_OFD_SETLK, 1, 0, 0, NULL), 0);                 /* whole file, merged */
	CHECK((OFD(b, F_OFD_GETLK, 0, 500, 1, &g), g.start * 1000 + g.len), 0);
	CHECK(OFD(a, F_OFD_SETLK, 1, -1, 1, NULL), -EINVAL);
	CHECK(OFD(a, F_OFD_SETLK, 1, 2, INT64_MAX, NULL), -EOVERFLOW);
	CHECK(OFD(a, F_OFD_GETLK, 2, 0, 1, NULL), -EINVAL);
	CHECK(SYS(fcntl, a, F_OFD_SETLK, 0), -EFAULT);
	CLOSE(a);                                                     /* last close releases */
	CHECK(OFD(b, F_OFD_SETLK, 1, 0, 0, NULL), 0);
	CHECK(SYS(flock, b, 2), 0);
	CLOSE(b);
	CHECK(UNLINK("/lk"), 0);
}

static void ls(const char *path, char *out)
{
	char buf[4096];
	long fd = OPEN(path, O_RDONLY | O_DIRECTORY, 0), n;
	out[0] = 0;
	if (fd < 0) { sprintf(out, "ERR%ld", fd); return; }
	while ((n = SYS(getdents64, fd, U(buf), sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			uint16_t rl; memcpy(&rl, buf + off + 16, 2);
			strcat(out, buf + off + 19); strcat(out, " ");
			off += rl;
		}
	}
	CLOSE(fd);
}

int main(void)
{
	static struct task init;
	struct linux_stat st;
	char buf[4096], out[4096];
	long fd, fd2, r;

	this_cpu()->curr = &init;
	init.umask = 022;
	for (int i = 0; i < RLIM_NLIMITS; i++)
		init.rlim[i].rlim_cur = init.rlim[i].rlim_max = RLIM_INFINITY;
	tmpfs_init();
	vfs_init();
	CHECK(vfs_mount_root("tmpfs"), 0);
	init.fs = fs_create_root();
	init.files = files_create();

	CHECK(MKDIR("/a"), 0);
	CHECK(MKDIR("/a/b"), 0);
	CHECK(MKDIR("/a/b"), -EEXIST);
	CHECK(MKDIR("/a/c/"), 0);
	CHECK(MKDIR("/nonexist/x"), -ENOENT);
	fd = OPEN("/a/b/f", O_CREAT | O_RDWR, 0666);
	CHECK(fd, 0);
	CHECK(WRITE(fd, "hello"), 5);
	CHECK(SYS(lseek, fd, 0, SEEK_SET), 0);
	memset(buf, 0, sizeof buf);
	CHECK(SYS(read, fd, U(buf), 100), 5);
	CHECK(strcmp(buf, "hello"), 0);
	CHECK(SYS(fstat, fd, U(&st)), 0);
	CHECK(st.st_size, 5);
	CHECK(st.st_mode, S_IFREG | 0644);
	CHECK(SYS(lseek, fd, -10, SEEK_SET), -EINVAL);
	CHECK(SYS(lseek, fd, 2, SEEK_END), 7);
	CHECK(CLOSE(fd), 0);
	CHECK(CLOSE(fd), -EBADF);

	/* trailing slashes */
	CHECK(OPEN("/a/b/f/", O_RDONLY, 0), -ENOTDIR);
	CHECK(OPEN("/a/b/g/", O_RDONLY | O_CREAT, 0644), -EISDIR);
	CHECK(UNLINK("/a/b/f/"), -ENOTDIR);
	CHECK(STAT("/a/b/f/x", &st, 0), -ENOTDIR);
	CHECK(STAT("/a/b/", &st, 0), 0);
	CHECK(OPEN("/a", O_WRONLY, 0), -EISDIR);
	CHECK(OPEN("/a/b/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	CHECK(OPEN("", O_RDONLY, 0), -ENOENT);

	/* symlinks */
	CHECK(SYMLINK("/a/b", "/l"), 0);
	CHECK(SYMLINK("b/f", "/a/rel"), 0);
	CHECK(STAT("/l", &st, AT_SYMLINK_NOFOLLOW), 0);
	CHECK(S_ISLNK(st.st_mode), 1);
	CHECK(st.st_size, 4);
	CHECK(STAT("/l", &st, 0), 0);
	CHECK(S_ISDIR(st.st_mode), 1);
	CHECK(STAT("/l/f", &st, 0), 0);
	CHECK(st.st_size, 5);
	CHECK(STAT("/a/rel", &st, 0), 0);
	CHECK(st.st_size, 5);
	CHECK(STAT("/l/", &st, AT_SYMLINK_NOFOLLOW), 0);
	CHECK(S_ISDIR(st.st_mode), 1);
	CHECK(SYMLINK("/y", "/x"), 0);
	CHECK(SYMLINK("/x", "/y"), 0);
	CHECK(STAT("/x", &st, 0), -ELOOP);
	CHECK(STAT("/x/z", &st, 0), -ELOOP);
	CHECK(OPEN("/l", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	fd = OPEN("/l", O_PATH | O_NOFOLLOW, 0);
	CHECK(fd >= 0, 1);
	CHECK(SYS(readlinkat, fd, U(""), U(buf), 100), 4);
	CHECK(SYS(read, fd, U(buf), 1), -EBADF);
	CLOSE(fd);
	CHECK(OPEN("/l", O_CREAT | O_EXCL | O_RDWR, 0644), -EEXIST);
	CHECK(SYMLINK("/a/dangle", "/dl"), 0);
	fd = OPEN("/dl", O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0, 1);
	CLOSE(fd);
	CHECK(STAT("/a/dangle", &st, 0), 0);
	CHECK(SYS(readlinkat, (unsigned long)(long)FD, U("/a/rel"), U(buf), 3), 3);
	CHECK(memcmp(buf, "b/f", 3), 0);
	CHECK(SYS(readlinkat, (unsigned long)(long)FD, U("/a"), U(buf), 3), -EINVAL);
	CHECK(SYMLINK("", "/empty"), -ENOENT);
	/* a chain of 40 links is fine, 41 is not */
	CHECK(SYMLINK("/a", "/c0"), 0);
	for (int i = 1; i <= 41; i++) {
		char t[16], p[16];
		sprintf(t, "/c%d", i - 1); sprintf(p, "/c%d", i);
		CHECK(SYMLINK(t, p), 0);
	}
	CHECK(STAT("/c39", &st, 0), 0);
	CHECK(STAT("/c40", &st, 0), -ELOOP);

	/* names */
	memset(buf, 'n', 300); buf[0] = '/'; buf[300] = 0;
	CHECK(STAT(buf, &st, 0), -ENAMETOOLONG);
	buf[257] = 0;
	CHECK(STAT(buf, &st, 0), -ENAMETOOLONG);
	buf[256] = 0;
	CHECK(STAT(buf, &st, 0), -ENOENT);
	{
		static char big[5000];
		memset(big, '/', 4999);
		CHECK(STAT(big, &st, 0), -ENAMETOOLONG);
		big[4095] = 0;
		CHECK(STAT(big, &st, 0), 0);
	}

	/* cwd, "..", getcwd */
	CHECK(SYS(chdir, U("/a/b")), 0);
	CHECK(SYS(getcwd, U(buf), 100), 5);
	CHECK(strcmp(buf, "/a/b"), 0);
	CHECK(SYS(getcwd, U(buf), 4), -ERANGE);
	CHECK(STAT("f", &st, 0), 0);
	CHECK(STAT("../../a/b/./f", &st, 0), 0);
	CHECK(STAT("../../../../a", &st, 0), 0);
	CHECK(SYS(chdir, U("/l")), 0);
	CHECK(SYS(getcwd, U(buf), 100), 5);
	CHECK(strcmp(buf, "/a/b"), 0);
	CHECK(SYS(chdir, U("/a/b/f")), -ENOTDIR);
	CHECK(SYS(chdir, U("/")), 0);

	/* dirfd */
	fd = OPEN("/a", O_RDONLY | O_DIRECTORY, 0);
	CHECK(SYS(newfstatat, fd, U("b/f"), U(&st), 0), 0);
	CHECK(SYS(newfstatat, fd, U(""), U(&st), AT_EMPTY_PATH), 0);
	CHECK(S_ISDIR(st.st_mode), 1);
	CHECK(SYS(newfstatat, fd, U(""), U(&st), 0), -ENOENT);
	CHECK(SYS(newfstatat, 77, U("b"), U(&st), 0), -EBADF);
	CHECK(SYS(newfstatat, 77, U("/a"), U(&st), 0), 0);
	fd2 = OPEN("/a/b/f", O_RDONLY, 0);
	CHECK(SYS(newfstatat, fd2, U("x"), U(&st), 0), -ENOTDIR);
	CLOSE(fd2);
	CLOSE(fd);

	/* getdents */
	ls("/a", out);
	printf("ls /a: %s\n", out);
	CHECK(strcmp(out, ". .. b c rel dangle "), 0);
	fd = OPEN("/a", O_RDONLY | O_DIRECTORY, 0);
	CHECK(SYS(getdents64, fd, U(buf), 10), -EINVAL);
	CHECK(SYS(getdents64, fd, U(buf), 24), 24);
	CHECK(SYS(getdents64, fd, U(buf), 24), 24);
	CHECK(strcmp(buf + 19, ".."), 0);
	CHECK(SYS(getdents64, fd, U(buf), 24), 24);
	CHECK(strcmp(buf + 19, "b"), 0);
	CLOSE(fd);

	/* rename */
	CHECK(MKDIR("/r"), 0);
	CHECK(MKDIR("/r/d1"), 0);
	CHECK(MKDIR("/r/d1/sub"), 0);
	CHECK(MKDIR("/r/d2"), 0);
	CHECK(MKDIR("/r/d3"), 0);
	CHECK(OPEN("/r/d3/x", O_CREAT | O_WRONLY, 0644) >= 0, 1);
	CHECK(OPEN("/r/f1", O_CREAT | O_WRONLY, 0644) >= 0, 1);
	CHECK(OPEN("/r/f2", O_CREAT | O_WRONLY, 0644) >= 0, 1);
	CHECK(RENAME("/r/d1", "/r/d1/sub/new", 0), -EINVAL);
	CHECK(RENAME("/r/d1", "/r/d3", 0), -ENOTEMPTY);
	CHECK(RENAME("/r/d1", "/r/f1", 0), -ENOTDIR);
	CHECK(RENAME("/r/f1", "/r/d2", 0), -EISDIR);
	CHECK(RENAME("/r/f1", "/r/f2", 1), -EEXIST);
	CHECK(RENAME("/r/f1", "/r/f1", 0), 0);
	CHECK(RENAME("/r/f1/", "/r/f9", 0), -ENOTDIR);
	CHECK(RENAME("/r/nope", "/r/f9", 0), -ENOENT);
	CHECK(RENAME("/r/.", "/r/f9", 0), -EBUSY);
	CHECK(RENAME("/r/d1", "/r/d2", 0), 0);
	CHECK(STAT("/r/d2/sub", &st, 0), 0);
	CHECK(STAT("/r/d1", &st, 0), -ENOENT);
	CHECK(SYS(chdir, U("/r/d2/sub")), 0);
	CHECK(RENAME("/r/d2", "/r/moved", 0), 0);
	CHECK(SYS(getcwd, U(buf), 100), 13);
	CHECK(strcmp(buf, "/r/moved/sub"), 0);
	CHECK(SYS(chdir, U("/")), 0);
	CHECK(RENAME("/r/f1", "/r/f2", 0), 0);
	CHECK(STAT("/r/f1", &st, 0), -ENOENT);
	CHECK(RENAME("/r/f2", "/r/moved", 2), 0);
	CHECK(STAT("/r/f2/sub", &st, 0), 0);
	CHECK(S_ISREG((STAT("/r/moved", &st, 0), st.st_mode)), 1);
	ls("/r", out);
	printf("ls /r: %s\n", out);

	/* unlink / rmdir */
	CHECK(RMDIR("/r/f2"), -ENOTEMPTY);
	CHECK(RMDIR("/r/."), -EINVAL);
	CHECK(RMDIR("/r/.."), -ENOTEMPTY);
	CHECK(RMDIR("/"), -EBUSY);
	CHECK(UNLINK("/r/f2"), -EISDIR);
	CHECK(RMDIR("/r/moved"), -ENOTDIR);
	CHECK(RMDIR("/r/f2/sub"), 0);
	CHECK(RMDIR("/r/f2/"), 0);
	fd = OPEN("/r/moved", O_RDWR, 0);
	CHECK(WRITE(fd, "data"), 4);
	CHECK(UNLINK("/r/moved"), 0);
	CHECK(STAT("/r/moved", &st, 0), -ENOENT);
	CHECK(SYS(lseek, fd, 0, SEEK_SET), 0);
	CHECK(SYS(read, fd, U(buf), 10), 4);
	CHECK(SYS(fstat, fd, U(&st)), 0);
	CHECK(st.st_nlink, 0);
	CLOSE(fd);
	/* rmdir the cwd */
	CHECK(MKDIR("/r/gone"), 0);
	CHECK(SYS(chdir, U("/r/gone")), 0);
	CHECK(RMDIR("/r/gone"), 0);
	CHECK(SYS(getcwd, U(buf), 100), -ENOENT);
	CHECK(OPEN("newfile", O_CREAT | O_RDWR, 0644) < 0, 1);
	CHECK(SYS(chdir, U("/")), 0);

	/* links */
	CHECK(SYS(linkat, (unsigned long)(long)FD, U("/a/b/f"), (unsigned long)(long)FD, U("/a/hard"), 0), 0);
	CHECK(STAT("/a/hard", &st, 0), 0);
	CHECK(st.st_nlink, 2);
	CHECK(SYS(linkat, (unsigned long)(long)FD, U("/a"), (unsigned long)(long)FD, U("/a2"), 0), -EPERM);
	CHECK(SYS(linkat, (unsigned long)(long)FD, U("/a/b/f"), (unsigned long)(long)FD, U("/a/hard"), 0), -EEXIST);
	CHECK(RENAME("/a/hard", "/a/b/f", 0), 0);
	CHECK(STAT("/a/hard", &st, 0), 0);

	/* mounts */
	CHECK(MKDIR("/mnt"), 0);
	CHECK(SYS(mount, U("none"), U("/mnt"), U("tmpfs"), 0, 0), 0);
	CHECK(SYS(mount, U("none"), U("/mnt"), U("nofs"), 0, 0), -ENODEV);
	fd = OPEN("/mnt/in", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0, 1);
	CHECK(SYS(linkat, (unsigned long)(long)FD, U("/mnt/in"), (unsigned long)(long)FD, U("/a/x"), 0), -EXDEV);
	CHECK(RENAME("/mnt/in", "/a/x", 0), -EXDEV);
	CHECK(SYS(chdir, U("/mnt")), 0);
	CHECK(SYS(getcwd, U(buf), 100), 5);
	CHECK(STAT("../a/b/f", &st, 0), 0);
	CHECK(SYS(umount2, U("/mnt"), 0), -EBUSY);
	CHECK(SYS(chdir, U("/")), 0);
	CHECK(RMDIR("/mnt"), -EBUSY);
	vfs_mounts_show(out, sizeof out);
	printf("mounts:\n%s", out);
	CHECK(SYS(umount2, U("/a"), 0), -EINVAL);
	CHECK(SYS(umount2, U("/"), 0), -EBUSY);
	CHECK(SYS(umount2, U("/mnt"), 0), -EBUSY);
	CLOSE(fd);
	CHECK(SYS(umount2, U("/mnt"), 0), 0);
	CHECK(STAT("/mnt/in", &st, 0), -ENOENT);

	/* pipes */
	{
		int p[2];
		CHECK(SYS(pipe2, U(p), 04000 /* O_NONBLOCK */), 0);
		CHECK(SYS(read, p[0], U(buf), 10), -EAGAIN);
		CHECK(WRITE(p[1], "abc"), 3);
		CHECK(SYS(fstat, p[0], U(&st)), 0);
		CHECK(S_ISFIFO(st.st_mode), 1);
		CHECK(SYS(newfstatat, p[0], U(""), U(&st), AT_EMPTY_PATH), 0);
		CHECK(SYS(lseek, p[0], 0, SEEK_CUR), -ESPIPE);
		CHECK(SYS(read, p[1], U(buf), 10), -EBADF);
		CHECK(SYS(read, p[0], U(buf), 2), 2);
		CHECK(SYS(read, p[0], U(buf), 10), 1);
		CHECK(SYS(fcntl, p[0], 3 /* F_GETFL */), 04000);
		struct { int fd; short ev, rev; } pf[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
		CHECK(SYS(poll, U(pf), 2, 0), 1);
		CHECK(pf[1].rev, POLLOUT);
		static char big[70000];
		CHECK(SYS(write, p[1], U(big), sizeof big), 65536);
		CHECK(SYS(write, p[1], U(big), 1), -EAGAIN);
		CHECK(SYS(read, p[0], U(big), sizeof big), 65536);
		CLOSE(p[1]);
		CHECK(SYS(read, p[0], U(buf), 10), 0);
		pf[0].fd = p[0];
		CHECK(SYS(poll, U(pf), 1, 0), 1);
		CHECK(pf[0].rev, POLLHUP);
		CLOSE(p[0]);
		CHECK(SYS(pipe2, U(p), 0), 0);
		CLOSE(p[0]);
		last_signal = 0;
		CHECK(WRITE(p[1], "x"), -EPIPE);
		CHECK(last_signal, SIGPIPE);
		CLOSE(p[1]);
		CHECK(SYS(pipe2, U(p), 1), -EINVAL);
		/* FIFO */
		CHECK(SYS(mknodat, (unsigned long)(long)FD, U("/fifo"), S_IFIFO | 0644, 0), 0);
		CHECK(OPEN("/fifo", O_WRONLY | O_NONBLOCK, 0), -ENXIO);
		fd = OPEN("/fifo", O_RDONLY | O_NONBLOCK, 0);
		CHECK(fd >= 0, 1);
		fd2 = OPEN("/fifo", O_WRONLY | O_NONBLOCK, 0);
		CHECK(fd2 >= 0, 1);
		CHECK(WRITE(fd2, "fifo"), 4);
		CHECK(SYS(read, fd, U(buf), 10), 4);
		CLOSE(fd); CLOSE(fd2);
	}

	/* fds */
	fd = OPEN("/a/b/f", O_RDONLY, 0);
	CHECK(SYS(dup2, fd, 100), 100);
	CHECK(SYS(dup2, fd, fd), fd);
	CHECK(SYS(fcntl, 100, 1), 0);
	CHECK(SYS(fcntl, 100, 2, 1), 0);
	CHECK(SYS(fcntl, 100, 1), 1);
	CHECK(SYS(fcntl, fd, 1030, 200), 200);
	CHECK(SYS(fcntl, 200, 1), 1);
	CHECK(SYS(fcntl, fd, 0, 5000), -EINVAL);
	files_close_on_exec(init.files);
	CHECK(SYS(fcntl, 100, 1), -EBADF);
	CHECK(SYS(fcntl, 200, 1), -EBADF);
	CHECK(SYS(write, fd, U("x"), 1), -EBADF);
	CLOSE(fd);

	/* access, chmod, truncate, utimensat, readv/writev */
	CHECK(SYS(faccessat, (unsigned long)(long)FD, U("/a/b/f"), 1), -EACCES);
	CHECK(SYS(faccessat, (unsigned long)(long)FD, U("/a/b/f"), 6), 0);
	CHECK(SYS(fchmodat, (unsigned long)(long)FD, U("/a/b/f"), 0755), 0);
	CHECK(SYS(faccessat, (unsigned long)(long)FD, U("/a/b/f"), 1), 0);
	CHECK(SYS(faccessat, (unsigned long)(long)FD, U("/a/b/f"), 8), -EINVAL);
	fd = OPEN("/a/b/f", O_RDWR | O_TRUNC, 0);
	CHECK(SYS(fstat, fd, U(&st)), 0);
	CHECK(st.st_size, 0);
	{
		struct { uint64_t b, l; } iov[3] = { { U("ab"), 2 }, { U("cde"), 3 }, { U("f"), 1 } };
		CHECK(SYS(writev, fd, U(iov), 3), 6);
		char x[4] = {0}, y[4] = {0};
		struct { uint64_t b, l; } riov[2] = { { U(x), 2 }, { U(y), 3 } };
		CHECK(SYS(lseek, fd, 0, SEEK_SET), 0);
		CHECK(SYS(readv, fd, U(riov), 2), 5);
		CHECK(strcmp(x, "ab"), 0);
		CHECK(strcmp(y, "cde"), 0);
	}
	CHECK(SYS(ftruncate, fd, 2), 0);
	CHECK(SYS(fstat, fd, U(&st)), 0);
	CHECK(st.st_size, 2);
	{
		struct timespec64 ts[2] = { { 100, 0 }, { 200, (1L << 30) - 2 } };
		CHECK(SYS(utimensat, fd, 0, U(ts), 0), 0);
		CHECK(SYS(fstat, fd, U(&st)), 0);
		CHECK(st.st_atime_sec, 100);
		ts[0].tv_nsec = 2000000000;
		CHECK(SYS(utimensat, (unsigned long)(long)FD, U("/a/b/f"), U(ts), 0), -EINVAL);
	}
	CLOSE(fd);
	CHECK(SYS(mknodat, (unsigned long)(long)FD, U("/dir2"), S_IFDIR | 0755, 0), -EPERM);
	CHECK(SYS(mknodat, (unsigned long)(long)FD, U("/nod"), 0755, 0), 0);
	CHECK(SYS(mknodat, (unsigned long)(long)FD, U("/chr"), S_IFCHR | 0644, 0x0103), 0);
	CHECK(OPEN("/chr", O_RDONLY, 0), -ENXIO);
	/* statx */
	{
		unsigned char sx[256];
		CHECK(SYS(statx, (unsigned long)(long)FD, U("/chr"), 0, 0x7ff, U(sx)), 0);
		uint32_t maj, min; memcpy(&maj, sx + 128, 4); memcpy(&min, sx + 132, 4);
		CHECK(maj, 1); CHECK(min, 3);
	}

	/* more: stacking mounts, lazy umount, replaced open files, append, sendfile, select */
	CHECK(SYS(mount, U("t1"), U("/mnt"), U("tmpfs"), 0, 0), 0);
	CHECK(MKDIR("/mnt/one"), 0);
	CHECK(SYS(mount, U("t2"), U("/mnt"), U("tmpfs"), 0, 0), 0);
	CHECK(STAT("/mnt/one", &st, 0), -ENOENT);
	CHECK(MKDIR("/mnt/two"), 0);
	CHECK(SYS(mount, U("t3"), U("/mnt/two"), U("tmpfs"), 0, 0), 0);
	CHECK(SYS(chdir, U("/mnt/two")), 0);
	CHECK(STAT("..", &st, 0), 0);
	CHECK(STAT("../two", &st, 0), 0);
	CHECK(STAT("../../a/b/f", &st, 0), 0);
	CHECK(SYS(getcwd, U(buf), 100), 9);
	CHECK(SYS(chdir, U("/")), 0);
	vfs_mounts_show(out, sizeof out);
	printf("mounts:\n%s", out);
	CHECK(SYS(umount2, U("/mnt"), 0), -EBUSY);
	CHECK(SYS(umount2, U("/mnt/two"), 0), 0);
	CHECK(SYS(umount2, U("/mnt"), 0), 0);
	CHECK(STAT("/mnt/one", &st, 0), 0);
	fd = OPEN("/mnt/one/f", O_CREAT | O_RDWR, 0644);
	CHECK(WRITE(fd, "lazy"), 4);
	CHECK(SYS(umount2, U("/mnt"), 2), 0);
	CHECK(STAT("/mnt/one", &st, 0), -ENOENT);
	CHECK(SYS(lseek, fd, 0, SEEK_SET), 0);
	CHECK(SYS(read, fd, U(buf), 10), 4);
	CLOSE(fd);

	fd = OPEN("/r/old", O_CREAT | O_RDWR | O_APPEND, 0644);
	CHECK(WRITE(fd, "12"), 2);
	CHECK(SYS(lseek, fd, 0, SEEK_SET), 0);
	CHECK(WRITE(fd, "34"), 2);
	CHECK(SYS(fstat, fd, U(&st)), 0);
	CHECK(st.st_size, 4);
	fd2 = OPEN("/r/new", O_CREAT | O_RDWR, 0644);
	CHECK(WRITE(fd2, "new"), 3);
	CLOSE(fd2);
	CHECK(RENAME("/r/new", "/r/old", 0), 0);
	CHECK(SYS(lseek, fd, 0, SEEK_SET), 0);
	memset(buf, 0, 10);
	CHECK(SYS(read, fd, U(buf), 10), 4);
	CHECK(strcmp(buf, "1234"), 0);
	CLOSE(fd);
	fd = OPEN("/r/old", O_RDONLY, 0);
	fd2 = OPEN("/r/copy", O_CREAT | O_WRONLY, 0644);
	{
		long sys_sendfile(const unsigned long *);
		int64_t off = 1;
		CHECK(SYS(sendfile, fd2, fd, U(&off), 100), 2);
		CHECK(off, 3);
		CHECK(SYS(sendfile, fd2, fd, 0, 100), 3);
	}
	CLOSE(fd); CLOSE(fd2);
	CHECK(STAT("/r/copy", &st, 0), 0);
	CHECK(st.st_size, 5);
	{
		uint64_t rs[16] = { 0 }, ws[16] = { 0 };
		int p[2];
		struct timeval64 { int64_t s, us; } tv = { 0, 0 };
		CHECK(SYS(pipe2, U(p), 0), 0);
		rs[0] = 1ULL << p[0];
		ws[0] = 1ULL << p[1];
		CHECK(SYS(select, p[1] + 1, U(rs), U(ws), 0, U(&tv)), 1);
		CHECK(rs[0], 0);
		CHECK(ws[0], 1ULL << p[1]);
		rs[0] = 1ULL << 60;
		CHECK(SYS(select, 61, U(rs), 0, 0, U(&tv)), -EBADF);
		CLOSE(p[0]); CLOSE(p[1]);
	}
	/* exchange a dir and a file, keep the cache right */
	CHECK(MKDIR("/ex"), 0);
	CHECK(MKDIR("/ex/d"), 0);
	CHECK(OPEN("/ex/d/in", O_CREAT | O_RDWR, 0644) >= 0, 1);
	CHECK(OPEN("/ex/f", O_CREAT | O_RDWR, 0644) >= 0, 1);
	fd = OPEN("/ex/d", O_RDONLY | O_DIRECTORY, 0);
	CHECK(RENAME("/ex/d", "/ex/f", 2), 0);
	CHECK(STAT("/ex/f/in", &st, 0), 0);
	CHECK(S_ISREG((STAT("/ex/d", &st, 0), st.st_mode)), 1);
	CHECK(SYS(fchdir, fd), 0);
	CHECK(SYS(getcwd, U(buf), 100), 6);
	CHECK(strcmp(buf, "/ex/f"), 0);
	CHECK(SYS(chdir, U("/")), 0);
	CLOSE(fd);
	locks_checks();
	/* chroot */
	CHECK(SYS(chroot, U("/a")), 0);
	CHECK(STAT("/b/f", &st, 0), 0);
	CHECK(STAT("/../../b/f", &st, 0), 0);
	CHECK(SYS(chdir, U("/b")), 0);
	CHECK(SYS(getcwd, U(buf), 100), 3);
	CHECK(strcmp(buf, "/b"), 0);

	/* extended attributes: kernel/vfs/xattr.c over services/tmpfs/xattr.c */
	CHECK(SYS(setxattr, U("/b/f"), U("user.a"), U("v1"), 2, 0), 0);
	CHECK(SYS(setxattr, U("/b/f"), U("user.a"), U("v1"), 2, XATTR_CREATE), -EEXIST);
	CHECK(SYS(setxattr, U("/b/f"), U("user.b"), U("long value"), 10, 0), 0);
	CHECK(SYS(setxattr, U("/b/f"), U("user.a"), U("replaced!"), 9, XATTR_REPLACE), 0);
	CHECK(SYS(getxattr, U("/b/f"), U("user.a"), U(buf), sizeof buf), 9);
	CHECK(memcmp(buf, "replaced!", 9), 0);
	CHECK(SYS(getxattr, U("/b/f"), U("user.a"), U(buf), 3), -ERANGE);
	CHECK(SYS(listxattr, U("/b/f"), 0, 0), 14);
	CHECK(SYS(listxattr, U("/b/f"), U(buf), sizeof buf), 14);
	CHECK(strcmp(buf, "user.a"), 0); /* a replace keeps the entry's place */
	CHECK(SYS(listxattr, U("/b/f"), U(buf), 10), -ERANGE);
	CHECK(SYS(removexattr, U("/b/f"), U("user.a")), 0);
	CHECK(SYS(removexattr, U("/b/f"), U("user.a")), -ENODATA);
	CHECK(SYS(listxattr, U("/b/f"), U(buf), sizeof buf), 7);
	CHECK(SYS(setxattr, U("/b/f"), U("bogus.a"), U("x"), 1, 0), -EOPNOTSUPP);
	CHECK(SYS(setxattr, U("/b/f"), U("user."), U("x"), 1, 0), -EINVAL);
	CHECK(SYS(setxattr, U("/b/f"), U(""), U("x"), 1, 0), -ERANGE);
	/* splice and tee through a pipe */
	{
		int pp[2], qq[2];

		CHECK(SYS(pipe2, U(pp), 0), 0);
		CHECK(SYS(pipe2, U(qq), 0), 0);
		CHECK(WRITE(pp[1], "spliced"), 7);
		CHECK(SYS(tee, pp[0], qq[1], 100, 0), 7);
		fd = OPEN("/b/sp", O_CREAT | O_RDWR, 0644);
		CHECK(SYS(splice, pp[0], 0, fd, 0, 100, 0), 7);
		CHECK(SYS(splice, fd, 0, pp[1], 0, 100, 0), 0); /* at end of file */
		CHECK(SYS(lseek, fd, 0, 0), 0);
		CHECK(SYS(splice, fd, 0, pp[1], 0, 3, 0), 3);
		CHECK(SYS(read, pp[0], U(buf), sizeof buf), 3);
		CHECK(memcmp(buf, "spl", 3), 0);
		CHECK(SYS(read, qq[0], U(buf), sizeof buf), 7);
		CHECK(SYS(splice, fd, 0, fd, 0, 3, 0), -EINVAL);
		CHECK(SYS(splice, pp[0], 0, pp[1], 0, 3, 0), -EINVAL);
		CLOSE(fd);
		CLOSE(pp[0]); CLOSE(pp[1]); CLOSE(qq[0]); CLOSE(qq[1]);
	}
	CHECK(UNLINK("/b/f"), 0); /* evict frees the attributes */

	printf("%d passed, %d failed\n", passes, fails);
	return fails != 0;
}
