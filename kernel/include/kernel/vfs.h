/* The virtual file system: the service API file systems implement
 * (struct fs_type, super_block, inode and file operations) and what the
 * core uses to reach them. Linux semantics and errno throughout
 * ([path_resolution(7)], [open(2)], [stat(2)], [getdents64(2)], ...).
 *
 * Ownership: inodes and dentries are reference counted (iget/iput,
 * dget/dput). A file system allocates its inodes with inode_alloc() and
 * fills mode, ino, ops and i_private. Directory entries are cached in the
 * dentry tree by the core; a file system is only asked (lookup) about
 * names not in the cache. Service operations are called through the
 * wrappers in kernel/vfs/fsops.c, each a svc_call() (<kernel/service.h>):
 * an op returning -errno fails that call only; under Fortress and Balanced a
 * fault inside one fails the file system instance (-EIO until remounted).
 */
#ifndef KERNEL_VFS_H
#define KERNEL_VFS_H
#include <hal/types.h>
#include <kernel/list.h>
#include <kernel/mutex.h>
#include <kernel/service.h>
#include <kernel/wait.h>

typedef uint32_t mode_t;
typedef uint64_t dev_t;

/* st_mode bits ([inode(7)]) */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISCHR(m) (((m)&S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m)&S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)
#define S_ISLNK(m) (((m)&S_IFMT) == S_IFLNK)
#define S_ISSOCK(m) (((m)&S_IFMT) == S_IFSOCK)

/* open flags (asm-generic/fcntl.h; same on x86_64 and arm64 except the
 * O_DIRECTORY/O_NOFOLLOW values, which arm64 moves: see
 * <hal/arch/abi.h> HAL_O_DIRECTORY etc. — the syscall layer converts
 * them to these kernel-internal values). */
#define O_ACCMODE 0003
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DSYNC 010000
#define O_DIRECT 040000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_PATH 010000000

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4
struct file;
/* [lseek(2)] for a file of size bytes whose position may not pass max
 * (Linux's generic_file_llseek_size()): SEEK_SET/CUR/END, SEEK_DATA and
 * SEEK_HOLE with the whole file as data. The new position, -EINVAL (bad
 * whence, negative or past max) or -ENXIO (DATA/HOLE at or past the end). */
off_t llseek_size(struct file *f, off_t off, int whence, off_t size, off_t max);

/* poll(2) events */
#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100

#define NAME_MAX 255
#define PATH_MAX 4096

struct timespec64 {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct inode;
struct dentry;
struct file_lock_context;
struct file;
struct super_block;
struct uio;

/* A transfer buffer: user memory (is_user) or kernel memory. Offsets
 * advance as data moves. */
struct uio {
	uintptr_t uaddr; /* if is_user */
	void *kaddr;	 /* if !is_user */
	size_t len;	 /* bytes remaining */
	bool is_user;
};
/* Copy n bytes from src into the buffer (a read) / out of the buffer into
 * dst (a write), advancing it. 0 or -EFAULT. n <= u->len. */
int uio_copy_out(struct uio *u, const void *src, size_t n);
int uio_copy_in(struct uio *u, void *dst, size_t n);
int uio_zero(struct uio *u, size_t n);
/* uio_copy_out() of n bytes at offset off of the frame at pa (off + n <=
 * PAGE_SIZE): the page cache read path of a file system that keeps its data
 * in frames, straight from the frame into the buffer (no bounce buffer;
 * the file system never sees a pointer to the frame, as with frame_read()).
 * 0, -EFAULT or -EINVAL (n > u->len or past the frame). */
int uio_copy_out_frame(struct uio *u, paddr_t pa, size_t off, size_t n);

/* Attributes for setattr(): mask of what to change. */
#define ATTR_MODE 0x1
#define ATTR_UID 0x2
#define ATTR_GID 0x4
#define ATTR_SIZE 0x8
#define ATTR_ATIME 0x10
#define ATTR_MTIME 0x20
#define ATTR_CTIME 0x40
struct iattr {
	unsigned valid;
	mode_t mode;
	uint32_t uid, gid;
	uint64_t size;
	struct timespec64 atime, mtime, ctime;
};

/* Apply attr's mode, uid, gid and times to the inode (not ATTR_SIZE, which
 * is the file system's job, nor permission checks, which are the VFS's):
 * what a setattr() does once it has handled the size, and what the VFS does
 * for a file system without setattr() (Linux's setattr_copy()). */
void setattr_copy(struct inode *inode, const struct iattr *attr);

/* One directory entry for readdir: return non-zero from the callback to
 * stop (buffer full). type is DT_* (d_type). */
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
typedef int (*filldir_t)(void *ctx, const char *name, size_t namelen, uint64_t ino, unsigned type,
			 int64_t next_pos);

struct inode_operations {
	/* Find name in dir: 0 and a referenced *out, or -ENOENT. */
	int (*lookup)(struct inode *dir, const char *name, size_t len, struct inode **out);
	/* Create a regular file / directory / node / symlink named name in
	 * dir; 0 and a referenced *out, or -EEXIST/-ENOSPC/-ENOMEM... */
	int (*create)(struct inode *dir, const char *name, size_t len, mode_t mode,
		      struct inode **out);
	int (*mkdir)(struct inode *dir, const char *name, size_t len, mode_t mode,
		     struct inode **out);
	int (*mknod)(struct inode *dir, const char *name, size_t len, mode_t mode, dev_t rdev,
		     struct inode **out);
	int (*symlink)(struct inode *dir, const char *name, size_t len, const char *target,
		       struct inode **out);
	/* Add a hard link name -> inode (not a directory). */
	int (*link)(struct inode *dir, const char *name, size_t len, struct inode *inode);
	/* Remove name (a non-directory) / an empty directory (-ENOTEMPTY). */
	int (*unlink)(struct inode *dir, const char *name, size_t len);
	int (*rmdir)(struct inode *dir, const char *name, size_t len);
	/* Move; the core already checked types/emptiness for replacement
	 * and loops. flags: RENAME_NOREPLACE/RENAME_EXCHANGE handled by core
	 * (file systems may return -EINVAL for EXCHANGE). */
	int (*rename)(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		      const char *nname, size_t nlen, unsigned flags);
	/* Copy the symlink target into buf (no NUL); return its length. */
	ssize_t (*readlink)(struct inode *inode, char *buf, size_t len);
	/* Optional, for "magic" links such as /proc/<pid>/fd/<n> [proc(5)]:
	 * the open file the link stands for, referenced (fget), in *out.
	 * Opening the link then opens that file's dentry, or, for a file
	 * without one (a pipe), that file's inode, instead of resolving the
	 * text readlink gives (Linux nd_jump_link()). 0, -ENOENT (the
	 * process or descriptor is gone). */
	int (*get_link_file)(struct inode *inode, struct file **out);
	int (*setattr)(struct inode *inode, const struct iattr *attr);
	/* Extended attributes [xattr(7)], all optional (without them: -EOPNOTSUPP,
	 * and an empty list). The VFS (kernel/vfs/xattr.c) already checked
	 * the name (a known namespace prefix and a non-empty suffix, at most
	 * XATTR_NAME_MAX bytes, NUL-terminated), the value size (at most
	 * XATTR_SIZE_MAX) and the caller's rights.
	 * getxattr: copy the value into buf unless size is 0 (then only
	 * measure); its length, -ENODATA (absent), -ERANGE (buf too small),
	 * -EOPNOTSUPP (this file system keeps no such namespace).
	 * setxattr: flags XATTR_CREATE (-EEXIST if present) and XATTR_REPLACE
	 * (-ENODATA if absent); 0, -ENOSPC, -ENOMEM, -EOPNOTSUPP.
	 * listxattr: every name with its NUL into buf unless size is 0, the
	 * "trusted." ones only if with_trusted; the total length or -ERANGE.
	 * removexattr: 0, -ENODATA, -EOPNOTSUPP. */
	ssize_t (*getxattr)(struct inode *inode, const char *name, void *buf, size_t size);
	int (*setxattr)(struct inode *inode, const char *name, const void *value, size_t size,
			int flags);
	ssize_t (*listxattr)(struct inode *inode, char *buf, size_t size, bool with_trusted);
	int (*removexattr)(struct inode *inode, const char *name);
};

/* Extended attributes, as <linux/xattr.h> and <linux/limits.h> define them. */
#define XATTR_CREATE 0x1
#define XATTR_REPLACE 0x2
#define XATTR_NAME_MAX 255   /* bytes of a name, without the NUL */
#define XATTR_SIZE_MAX 65536 /* bytes of one value */
#define XATTR_LIST_MAX 65536 /* bytes of a name list */

struct file_operations {
	int (*open)(struct inode *inode, struct file *f); /* optional */
	void (*release)(struct file *f);		  /* optional, last close */
	/* Read/write at *pos, advancing it; return bytes moved or -errno.
	 * May sleep (pipes, ttys) unless f->flags has O_NONBLOCK (-EAGAIN). */
	ssize_t (*read)(struct file *f, struct uio *u, off_t *pos);
	ssize_t (*write)(struct file *f, struct uio *u, off_t *pos);
	/* Directory listing from position *pos (>= 2: the VFS emits "." and
	 * ".." at 0 and 1 itself); calls fill per entry. */
	int (*readdir)(struct file *f, off_t *pos, filldir_t fill, void *ctx);
	long (*ioctl)(struct file *f, unsigned cmd, unsigned long arg);
	/* Return the POLL* mask ready now; if wq_out is non-NULL, store the
	 * wait queue that will be woken when it changes. */
	unsigned (*poll)(struct file *f, struct wait_queue **wq_out);
	/* Optional: override lseek. Default handles SEEK_SET/CUR/END by size. */
	off_t (*llseek)(struct file *f, off_t off, int whence);
	/* Optional, for MAP_SHARED mappings of regular files [mmap(2)]: the
	 * frame that holds page idx (file offset idx * PAGE_SIZE) of the file,
	 * allocated zero-filled if that page is a hole, in *pa with a
	 * reference taken for the caller (dropped with frame_free(*pa, 0)).
	 * Writes through the mapping then change the file directly, so
	 * msync(2) has nothing to write back (as for Linux's shmem).
	 * 0, -ENXIO (page at or past end of file), -ENOSPC, -ENOMEM. File
	 * systems without it get read-only private snapshots for
	 * MAP_SHARED, and -ENODEV for a writable MAP_SHARED mapping. */
	int (*get_page)(struct file *f, uint64_t idx, paddr_t *pa);
	/* Optional: [fsync(2)]/fdatasync: write the file's data to its
	 * device and commit the device's cache. 0, -EIO. Without it fsync
	 * succeeds at once (nothing is cached). */
	int (*fsync)(struct file *f);
	/* Optional: the lines this kind of file adds to /proc/<pid>/fdinfo/<fd>
	 * ([proc(5)], Linux's show_fdinfo) into buf[room] with a NUL, as
	 * snprintf: the length it needed (room or more: called again with a
	 * bigger buffer). */
	size_t (*show_fdinfo)(struct file *f, char *buf, size_t room);
};

/* [statfs(2)] figures a file system on a disk reports (kstatfs_op). */
struct kstatfs {
	uint64_t bsize;			/* block size, bytes (f_bsize, f_frsize) */
	uint64_t blocks, bfree, bavail; /* in bsize units; bavail: for non-root */
	uint64_t files, ffree;		/* inodes: total, free */
	uint32_t namelen;
};

struct super_operations {
	void (*evict)(struct inode *inode);	   /* last iput of an unlinked inode / unmount */
	void (*put_super)(struct super_block *sb); /* umount */
	/* Memory file systems: 4 KiB blocks; files = inodes in use. */
	int (*statfs)(struct super_block *sb, uint64_t *blocks, uint64_t *bfree, uint64_t *files);
	/* Optional, preferred over statfs: the whole struct [statfs(2)]. */
	int (*kstatfs_op)(struct super_block *sb, struct kstatfs *st);
	/* Optional: write everything of sb to its device and commit the
	 * device's cache ([sync(2)], syncfs, before umount and reboot). 0 or
	 * -EIO. */
	int (*sync_fs)(struct super_block *sb);
};

struct inode {
	uint64_t ino;
	mode_t mode;
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;	 /* bytes */
	uint64_t blocks; /* 512-byte blocks */
	dev_t rdev;	 /* device number for S_IFCHR/S_IFBLK */
	struct timespec64 atime, mtime, ctime;
	struct super_block *sb;
	const struct inode_operations *i_op;
	const struct file_operations *i_fop;
	void *i_private; /* the file system's */
	unsigned refcount;
	/* The core's, not the file system's: */
	/* Opens for writing (> 0), or executions denying them (< 0): Linux's
	 * i_writecount, for ETXTBSY [open(2)], [execve(2)], [truncate(2)]. */
	int i_writecount;
	int i_readcount; /* opens for reading only (leases, [fcntl(2)]) */
	/* Record locks, flock locks and leases on this inode (kernel/vfs/locks.c),
	 * NULL while there are none; guarded by file_lock_mutex. */
	struct file_lock_context *i_flctx;
	/* [memfd_create(2)] seals (F_SEAL_*), with I_SEALS_MEMFD set only on
	 * memfds (kernel/vfs/memfd.c); 0 on every other inode. */
	unsigned i_seals;
};
#define I_SEALS_MEMFD 0x80000000u

struct file_system_type {
	const char *name; /* "tmpfs", "proc", "devtmpfs", ... */
	/* Fill sb (root inode, ops); data is the mount(2) data string. */
	int (*mount)(struct super_block *sb, const char *source, unsigned long flags,
		     const char *data);
	struct list_head list;
};

struct super_block {
	struct file_system_type *type;
	const struct super_operations *s_op;
	struct inode *root;
	dev_t dev; /* st_dev */
	void *fs_private;
	struct svc_instance svc; /* the file system as a service instance (do_mount());
				  * name NULL for the core's own pseudo file systems */
	unsigned long flags;	 /* MS_RDONLY, ... */
	/* The core's: held around every directory operation of this file
	 * system (lookup, create, mkdir, mknod, symlink, link, unlink, rmdir,
	 * rename, readdir), so a file system's directories are changed and
	 * read by one CPU at a time (Linux's i_rwsem, per super block here).
	 * File data calls (read, write, get_page) do not take it. */
	struct mutex s_dir_mutex;
};

struct file {
	struct inode *inode;
	struct dentry *dentry; /* NULL for pipes and anonymous files */
	const struct file_operations *f_op;
	off_t pos;
	unsigned flags; /* O_* status flags (O_ACCMODE, O_APPEND, O_NONBLOCK...) */
	unsigned refcount;
	void *private_data;
	/* The service instance behind f_op, called through svc_call(): the
	 * file system (sb->svc) or, for a device node, the character device's
	 * driver (chrdev->svc); NULL for the core's own files (pipes, ttys). */
	struct svc_instance *svc;
	/* [fcntl(2)] F_SETOWN/F_SETOWN_EX/F_SETSIG: who gets SIGIO (and lease
	 * breaks): pid with owner_type F_OWNER_TID/PID/PGRP; 0 = nobody. */
	int owner_pid;
	int owner_type;
	int owner_sig;	    /* F_SETSIG: 0 = SIGIO */
	bool counted_write; /* holds an i_writecount reference */
	bool counted_read;  /* holds an i_readcount reference */
	bool denied_write;  /* deny_write_access() holds i_writecount down */
	/* epoll registrations watching this file (struct epitem.f_link, see
	 * kernel/events/eventpoll.c); emptied by the last fput(). Guarded by
	 * ep_files_lock. */
	struct list_head f_ep;
};

/* A file's status flags as the user's ABI spells them (arm64 moves
 * O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE): what F_GETFL returns. */
unsigned long oflags_to_user(unsigned kflags);

/* The mnt_id (/proc/<pid>/mountinfo's first field) of the mount f was
 * opened on; 0 for a file without a name (pipes, anonymous files). */
int file_mnt_id(const struct file *f);

/* Register a file system type for mount(2) (called from the service's
 * init, see SERVICE_INIT in <kernel/service.h>). */
void register_filesystem(struct file_system_type *fs);

/* Inodes. inode_alloc() returns a zeroed inode with refcount 1, sb set and
 * a fresh ino (unique in sb) and the current time; NULL on -ENOMEM. */
struct inode *inode_alloc(struct super_block *sb);
/* Owner and mode of a new inode created in dir (NULL: a root): the calling
 * task's fsuid and fsgid, except that a setgid dir gives its group, and to a
 * new directory its setgid bit [inode(7) "The set-group-ID bit"]. Sets
 * inode->mode to mode (plus S_ISGID where inherited). */
void inode_init_owner(struct inode *inode, const struct inode *dir, mode_t mode);
void iget(struct inode *inode);
void iput(struct inode *inode);
/* The current wall-clock time for timestamps. */
struct timespec64 current_time(void);
/* Fill the POLL mask helper for always-ready regular files. */
unsigned generic_poll_ready(struct file *f, struct wait_queue **wq_out);

/* Files. */
struct file *file_alloc(struct inode *inode, const struct file_operations *fop, unsigned flags);
void fget(struct file *f);
void fput(struct file *f);
/* execve(2): refuse writers of the file f executes while f lives (or until
 * allow_write_access()): 0, or -ETXTBSY if it is open for writing now. */
int deny_write_access(struct file *f);
void allow_write_access(struct file *f);

/* Kernel-internal path API (used by exec, the initramfs unpacker, the
 * boot code). Paths relative to the current task's cwd (or / at boot). */
struct file *vfs_open(const char *path, unsigned flags, mode_t mode, int *err);
ssize_t vfs_read(struct file *f, void *buf, size_t len, off_t *pos);
ssize_t vfs_write(struct file *f, const void *buf, size_t len, off_t *pos);
int vfs_mkdir(const char *path, mode_t mode);
int vfs_mknod(const char *path, mode_t mode, dev_t rdev);
int vfs_symlink(const char *target, const char *path);
int vfs_link(const char *oldpath, const char *newpath);
int vfs_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
	      const char *data);
int vfs_chown(const char *path, uint32_t uid, uint32_t gid);
int vfs_utime(const char *path, int64_t mtime_sec);
/* Core only: make path the calling task's root and cwd (booting from root=). */
int vfs_chroot(const char *path);
/* Core only: [sync(2)]: every mounted file system's sync_fs, then the
 * buffer cache of every disk (also before reboot and power-off). */
void ksys_sync(void);
/* Initialise the VFS (kernel/main.c, before services_init()). */
void vfs_init(void);
/* Set up the root: mount fstype at "/" (boot only). */
int vfs_mount_root(const char *fstype);
/* Write the mount table in /proc/mounts format ("dev dir type opts 0 0\n"
 * per mount) into buf; returns the length (truncated to len). */
size_t vfs_mounts_show(char *buf, size_t len);
/* The same in /proc/<pid>/mountinfo format [proc(5)]. */
size_t vfs_mountinfo_show(char *buf, size_t len);

/* Device numbers (Linux encoding for st_rdev on 64-bit). */
#define MKDEV(ma, mi) \
	((dev_t)(((uint64_t)(ma) << 8) | ((mi)&0xff) | (((uint64_t)(mi) & ~0xffULL) << 12)))
#define MAJOR(d) ((unsigned)(((d) >> 8) & 0xfff))
#define MINOR(d) ((unsigned)(((d)&0xff) | (((d) >> 12) & 0xfff00)))

/* Character devices: devfs and the open path find the driver by rdev. */
struct chrdev {
	dev_t dev;
	const char *name; /* node name in /dev, e.g. "null" */
	mode_t mode;	  /* permission bits for the node */
	const struct file_operations *fops;
	void *priv; /* file->private_data default */
	/* A block device node (S_IFBLK; kernel/block/): block and character
	 * device numbers are separate spaces, as in Linux. */
	bool block;
	/* Minors served from dev on (dev .. dev + minors - 1; 0 means 1), for a
	 * range such as the pty slaves 136:N (Linux's register_chrdev_region()).
	 * A range has no node of its own in devtmpfs (name NULL). */
	unsigned minors;
	struct list_head list;
	struct svc_instance svc; /* the driver as a service instance (register_chrdev) */
};
/* Register cd (its memory stays the caller's). A ring-2 driver uses
 * register_chrdev(): its file operations are then called through
 * svc_call() as service instance cd->name (contained under Fortress and
 * Balanced). The core's own devices (ttys) use register_chrdev_core():
 * called directly. 0, -EBUSY if the number is taken, -EINVAL without fops. */
int register_chrdev(struct chrdev *cd);
int register_chrdev_core(struct chrdev *cd);

/* The page-fault path's call into a file's get_page (through svc_call):
 * 0 and a referenced frame in *pa, or -errno (-EIO: the service failed). */
int file_op_get_page(struct file *f, uint64_t idx, paddr_t *pa);
/* [mmap(2)] of a memfd: -EPERM for a writable shared mapping when
 * F_SEAL_WRITE or F_SEAL_FUTURE_WRITE is set ([fcntl(2)] "File Sealing");
 * 0 otherwise and for every other inode (kernel/vfs/memfd.c). */
int memfd_mmap_check(struct inode *inode, bool shared_write);
struct chrdev *chrdev_lookup(dev_t dev);
/* /proc/sys/fs/pipe-max-size ([pipe(7)] "/proc files"): bytes, a power of
 * two of pages. The setter rounds size as F_SETPIPE_SZ does (at least a
 * page, then up to a power of two): 0, or -EINVAL above 2^31
 * (kernel/vfs/pipe.c). */
unsigned long pipe_max_size_get(void);
/* A /proc/<pid> directory opened as a pidfd ([pidfd_send_signal(2)]: "a
 * PID file descriptor obtained by opening a /proc/pid directory"): 0 and
 * its process in *out, referenced (put_task() it); -EBADF for any other
 * file, -ESRCH if the process is gone (kernel/procfs/super.c). */
struct task;
int proc_pid_dir_task(struct file *f, struct task **out);
int pipe_max_size_set(unsigned long size);
/* The character (block false) or block device registered as dev, or NULL. */
struct chrdev *devnode_lookup(dev_t dev, bool block);
/* Iterate the registered devices (devfs). */
extern struct list_head chrdev_list;

#endif
