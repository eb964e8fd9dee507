/* Private to kernel/vfs/: dentries, mounts, the fd table and fs_struct
 * layouts, path walking, and the wrappers through which every call into a
 * file system goes (failed-instance check + svc_call). Nothing outside
 * kernel/vfs/ includes this; the rest of the kernel uses <kernel/vfs.h>
 * and <kernel/fdtable.h>.
 *
 * The dentry cache holds the dentries in use (by open files, cwd/root,
 * mount points and walks in progress) and, through the parent links, all
 * their ancestors. A dentry whose last reference goes is freed at once, so
 * a name that nobody holds is looked up in the file system again: the
 * cache never goes stale for file systems whose names come and go
 * (procfs), and create/unlink/rename only have to fix the live entries.
 *
 * Mounts: every super block is mounted exactly once (no bind mounts), so a
 * dentry knows its mount (d->mnt) and a path is just a dentry.
 */
#ifndef KERNEL_VFS_INTERNAL_H
#define KERNEL_VFS_INTERNAL_H
#include <hal/types.h>
#include <kernel/current.h>
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/list.h>
#include <kernel/mutex.h>
#include <kernel/spinlock.h>
#include <kernel/vfs.h>

/* AT_* flags and constants of the *at() syscalls (include/uapi/linux/fcntl.h). */
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EACCESS 0x200
#define AT_REMOVEDIR 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000
#define AT_STATX_SYNC_TYPE 0x6000

/* mount(2) flags (include/uapi/linux/mount.h). */
#define MS_RDONLY 1UL
#define MS_NOSUID 2UL
#define MS_NODEV 4UL
#define MS_NOEXEC 8UL
#define MS_SYNCHRONOUS 16UL
#define MS_REMOUNT 32UL
#define MS_MANDLOCK 64UL
#define MS_DIRSYNC 128UL
#define MS_NOATIME 1024UL
#define MS_NODIRATIME 2048UL
#define MS_BIND 4096UL
#define MS_MOVE 8192UL
#define MS_REC 16384UL
#define MS_SILENT 32768UL
#define MS_UNBINDABLE (1UL << 17)
#define MS_PRIVATE (1UL << 18)
#define MS_SLAVE (1UL << 19)
#define MS_SHARED (1UL << 20)
#define MS_RELATIME (1UL << 21)
#define MS_STRICTATIME (1UL << 24)
#define MS_LAZYTIME (1UL << 25)

#define MAXSYMLINKS 40 /* [path_resolution(7)] */
#define PIPE_BUF 4096  /* atomic pipe write size, [pipe(7)] */

/* ---- dentries (dentry.c) ------------------------------------------------ */

struct mount;

struct dentry {
	struct dentry *parent;	   /* referenced; NULL only for a super block root */
	struct inode *inode;	   /* referenced; NULL: negative (name absent) */
	struct mount *mnt;	   /* the mount this dentry lives in */
	struct mount *mounted;	   /* the mount covering this dentry, or NULL */
	struct list_head children; /* hashed children (struct dentry.child) */
	struct list_head child;	   /* entry in parent->children while hashed */
	unsigned refcount;	   /* atomic; 0 -> 1 only under dcache_lock */
	bool hashed;		   /* reachable by name from the parent */
	size_t namelen;
	char *name; /* NUL-terminated, kmalloc'd ("/" for roots) */
};

/* The dentry tree's lock (dentry.c says what it guards). */
extern spinlock_t dcache_lock;

/* A root dentry for inode (takes over the caller's inode reference); NULL
 * on -ENOMEM. */
struct dentry *d_alloc_root(struct inode *inode, struct mount *mnt);
/* A hashed child of parent named name[0..len) for inode (NULL: negative);
 * takes over the inode reference; returned referenced. If that name was
 * hashed meanwhile (a lookup on another CPU), that dentry is returned and
 * inode's reference dropped. NULL = -ENOMEM (inode still the caller's). */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len, struct inode *inode);
struct dentry *dget(struct dentry *d);
void dput(struct dentry *d);
/* The hashed child of parent with that name, referenced, or NULL. */
struct dentry *d_lookup(struct dentry *parent, const char *name, size_t len);
/* Make a negative dentry positive (takes over the inode reference). */
void d_instantiate(struct dentry *d, struct inode *inode);
/* The name was removed from the file system: unhash d so that no lookup
 * finds it again (holders keep it until their dput). */
void d_delete(struct dentry *d);
/* Rename: move d under new_parent with a new name. 0 or -ENOMEM. */
int d_move(struct dentry *d, struct dentry *new_parent, const char *name, size_t len);
/* Swap the names and parents of two dentries (RENAME_EXCHANGE). */
void d_exchange(struct dentry *a, struct dentry *b);
/* Was d removed from the tree (unlinked, rmdir'ed) while in use? */
static inline bool d_unlinked(const struct dentry *d)
{
	return d->parent && !d->hashed;
}
/* Is d equal to or below anc (in the same super block)? */
bool d_is_descendant(const struct dentry *d, const struct dentry *anc);
/* Absolute path of d as seen from root (chroot) into buf[len], NUL
 * terminated. Returns the length without NUL, or -ENAMETOOLONG. Unhashed
 * (deleted) dentries get " (deleted)" appended when deleted_suffix. */
int d_path(const struct dentry *d, const struct dentry *root, char *buf, size_t len,
	   bool deleted_suffix);
/* A mount root whose parent is reached through its mountpoint: the
 * dentry ".." names from d, referenced. root is the walk's root. */
struct dentry *d_dotdot(struct dentry *d, const struct dentry *root);
/* Replace *d (referenced) by the root of the mounts stacked on it. */
void d_follow_mounts(struct dentry **d);

/* ---- mounts (mount.c) ---------------------------------------------------- */

struct mount {
	struct super_block *sb;
	struct dentry *root;	   /* referenced: the sb's root dentry */
	struct dentry *mountpoint; /* referenced; NULL for the root mount */
	struct mount *parent;	   /* NULL for the root mount (or detached) */
	char *source;		   /* as given to mount(2) */
	unsigned long flags;	   /* MS_* */
	struct list_head list;	   /* mount_list, in mount order */
	bool attached;
	int mnt_id; /* unique per mount, /proc/<pid>/mountinfo field 1 */
};

/* mount_mutex (mount.c): held by mount(2) and umount(2) for the whole
 * change and by readers of mount_list; the mounted/mountpoint links in
 * dentries also change under dcache_lock. Order: mount_mutex -> the
 * file system's own locks -> dcache_lock. */
extern struct mutex mount_mutex;
extern struct list_head mount_list;
extern struct mount *root_mount;
/* Find a registered file system type; NULL if none (-ENODEV). */
struct file_system_type *get_fs_type(const char *name);
/* Mount fstype on mountpoint (a directory dentry, already moved to the
 * top of its mount stack); NULL mountpoint makes the root mount.
 * 0, -ENODEV, -ENOMEM, -EBUSY, or the file system's error. */
int do_mount(const char *source, struct dentry *mountpoint, const char *fstype, unsigned long flags,
	     const char *data);
/* Unmount the mount whose root is root; consumes the caller's reference.
 * 0, -EINVAL (not a mount root), -EBUSY. MNT_DETACH-style lazy detach when
 * lazy. */
int do_umount(struct dentry *root, bool lazy);

/* ---- the fs_struct and current-task context (fs_struct.c) -------------- */

/* A task's root and cwd, shared by CLONE_FS threads: lock (a spinlock,
 * Linux's fs_struct.lock) guards the two pointers, so a chdir(2) on one
 * CPU and a path walk or /proc/<pid>/cwd on another see the old or the new
 * directory, each with a reference taken under it. refcount is atomic. */
struct fs_struct {
	spinlock_t lock;
	struct dentry *root; /* referenced */
	struct dentry *cwd;  /* referenced */
	unsigned refcount;
};

/* The root / cwd for walks of the current task: its fs_struct's, or the
 * root mount's at boot. Referenced; NULL if no root file system yet. */
struct dentry *current_root(void);
struct dentry *current_cwd(void);
/* Replace current's cwd / root (takes over the reference to d). */
void set_current_cwd(struct dentry *d);
void set_current_root(struct dentry *d);
/* current->files, or NULL before the first task. */
struct files *current_files(void);
/* current_umask(): <kernel/current.h>. */
/* Is the current task privileged (euid 0, or no task yet)? */
bool current_is_root(void);

/* ---- the fd table (fdtable.c) -------------------------------------------- */

/* Number of fds current may use: RLIMIT_NOFILE, at most NR_OPEN_DEFAULT. */
int fd_limit(void);
/* Put f at fd (closing what was there); takes over the caller's
 * reference. Returns fd or -EBADF (out of range). */
int fd_install_at(struct files *tab, int fd, struct file *f, bool cloexec);
/* Remove fd and drop its reference: 0 or -EBADF. */
int fd_close(struct files *tab, int fd);
/* Close-on-exec flag of an open fd: 0/1, or -EBADF. */
int fd_get_cloexec(struct files *tab, int fd);
int fd_set_cloexec(struct files *tab, int fd, bool on);
/* fd_get() on current's table. */
struct file *fget_current(int fd);

/* ---- path walking (namei.c) ---------------------------------------------- */

#define LOOKUP_FOLLOW 0x1    /* follow a symlink in the final component */
#define LOOKUP_DIRECTORY 0x2 /* the result must be a directory */
#define LOOKUP_EMPTY 0x4     /* an empty path names the start (AT_EMPTY_PATH) */

enum last_type { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT, LAST_EMPTY };

/* One path resolution in progress. nd_init() copies the path; then
 * nd_walk_parent() resolves every component but the last, leaving dir
 * (referenced) and last/last_len/last_type. nd_follow_link() replaces the
 * remaining path by a symlink's target for another nd_walk_parent(). */
struct nameidata {
	char *buf;	     /* the remaining path (kmalloc'd) */
	char *spare;	     /* second buffer for symlink splicing */
	struct dentry *root; /* referenced: "/" of this walk */
	struct dentry *dir;  /* referenced: the start, then the last's parent */
	const char *last;    /* in buf, not NUL-terminated */
	size_t last_len;
	enum last_type last_type;
	bool trailing_slash; /* the path ended in '/' */
	unsigned nlinks;     /* symlinks followed so far (<= MAXSYMLINKS) */
	unsigned flags;	     /* LOOKUP_* */
};

/* Start a walk of the kernel string path from dirfd (AT_FDCWD or an fd of
 * a directory). 0, -ENOENT (empty path without LOOKUP_EMPTY),
 * -ENAMETOOLONG, -EBADF, -ENOTDIR, -ENOMEM. Call nd_release() after any
 * result. */
int nd_init(struct nameidata *nd, int dirfd, const char *path, unsigned flags);
/* Same, from a user path (strncpy_from_user, PATH_MAX). */
int nd_init_user(struct nameidata *nd, int dirfd, uintptr_t upath, unsigned flags);
void nd_release(struct nameidata *nd);
/* Resolve all components but the last. 0, -ENOENT, -ENOTDIR, -ELOOP,
 * -ENAMETOOLONG, -EIO, -ENOMEM. */
int nd_walk_parent(struct nameidata *nd);
/* The dentry the last component names in nd->dir, mounts followed,
 * referenced, possibly negative. LAST_EMPTY/LAST_ROOT/LAST_DOT give dir. */
int nd_lookup_last(struct nameidata *nd, struct dentry **out);
/* Continue the walk through the symlink link (whose parent is nd->dir):
 * the remaining path becomes its target (+ "/" if the path had a trailing
 * slash). 0, -ELOOP (more than MAXSYMLINKS), -ENOENT (empty target),
 * -ENAMETOOLONG, -EIO. */
int nd_follow_link(struct nameidata *nd, struct dentry *link);

/* Full resolution: 0 and a referenced positive dentry. flags LOOKUP_*. */
int path_lookup_kernel(int dirfd, const char *path, unsigned flags, struct dentry **out);
int path_lookup_user(int dirfd, uintptr_t upath, unsigned flags, struct dentry **out);
/* Resolve to the parent and a hashed child dentry (possibly negative) of
 * a LAST_NORM final component, for create/remove operations. The final
 * component is never followed. -EEXIST-free: callers check. Errors for
 * "/", "." and ".." finals: err_special. */
int path_parent_child(struct nameidata *nd, struct dentry **child, int err_special);
/* The lookup step of path_parent_child() after nd_walk_parent() gave a
 * LAST_NORM final component. */
int nd_child(struct nameidata *nd, struct dentry **child);

/* ---- creating and removing names (dir_ops.c) ----------------------------- */

/* Negative dentry for a new name (see dir_ops.c). */
int namei_create(struct nameidata *nd, struct dentry **child, bool allow_slash);
/* The cores of mkdir/mknod/unlink/rmdir on an initialised walk; modes
 * are final (the syscalls apply the umask, the kernel API does not). */
int do_mkdir_nd(struct nameidata *nd, mode_t mode);
int do_mknod_nd(struct nameidata *nd, mode_t mode, dev_t rdev);
int do_mknod_nd_inode(struct nameidata *nd, mode_t mode, dev_t rdev, struct inode **out);
int do_unlink_nd(struct nameidata *nd);
int do_rmdir_nd(struct nameidata *nd);
/* attr.c: chmod/chown on an inode (rdonly: its mount is read-only). */
int do_chmod(struct inode *inode, bool rdonly, mode_t mode);
/* kill_suid: clear S_ISUID/S_ISGID of a non-directory whose owner changes
 * (chown(2)); the kernel API keeps them. */
int do_chown(struct inode *inode, bool rdonly, uint32_t uid, uint32_t gid, bool kill_suid);
/* utimes.c: set atime/mtime; times NULL = now; tv_nsec may be UTIME_NOW
 * or UTIME_OMIT. */
int do_utimes(struct inode *inode, bool rdonly, const struct timespec64 *times);
/* link.c: hard link old (positive) as nd's final component; symlink. */
int do_link_nd(struct dentry *old, struct nameidata *nd);
int do_symlink_nd(const char *target, struct nameidata *nd);

/* The object an *at() call names: with empty_ok (AT_EMPTY_PATH) an empty
 * path names dirfd itself, which may be any open file (a pipe too): then
 * file is set and dentry may be NULL. Otherwise dentry (positive). */
struct path_target {
	struct dentry *dentry; /* referenced or NULL */
	struct file *file;     /* referenced or NULL */
	struct inode *inode;   /* the object (held by dentry or file) */
	bool empty;	       /* named by an empty path (AT_EMPTY_PATH) */
};
int at_target_get(int dirfd, uintptr_t upath, bool empty_ok, unsigned lookup_flags,
		  struct path_target *t);
void at_target_put(struct path_target *t);

/* Read a symlink's target into a kmalloc'd NUL-terminated string. */
int read_link(struct inode *inode, char **out);

/* ---- calls into file systems (fsops.c) ----------------------------------- */
/* The service instance of the file system behind sb, for svc_call(). A NULL
 * sb, or one whose instance do_mount() never set up (svc.name NULL: the core's
 * own pseudo file systems such as pipefs), is core code: NULL. */
static inline struct svc_instance *sb_svc(struct super_block *sb)
{
	return sb && sb->svc.name ? &sb->svc : NULL;
}

/* Each checks sb->svc.failed (-EIO), a missing op (the Linux errno for it) and
 * goes through svc_call(). */
int fs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out);
int fs_create(struct inode *dir, const char *name, size_t len, mode_t mode, struct inode **out);
int fs_mkdir(struct inode *dir, const char *name, size_t len, mode_t mode, struct inode **out);
int fs_mknod(struct inode *dir, const char *name, size_t len, mode_t mode, dev_t rdev,
	     struct inode **out);
int fs_symlink(struct inode *dir, const char *name, size_t len, const char *target,
	       struct inode **out);
int fs_link(struct inode *dir, const char *name, size_t len, struct inode *inode);
int fs_unlink(struct inode *dir, const char *name, size_t len);
int fs_rmdir(struct inode *dir, const char *name, size_t len);
int fs_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
	      const char *nname, size_t nlen, unsigned flags);
ssize_t fs_readlink(struct inode *inode, char *buf, size_t len);
/* i_op->get_link_file through the service boundary; -EINVAL if the link
 * is an ordinary one (resolve its text). */
int fs_get_link_file(struct inode *inode, struct file **out);
/* setattr, or (no op) apply mode/uid/gid/times to the inode directly;
 * ATTR_SIZE without an op is -EPERM. */
int fs_setattr(struct inode *inode, const struct iattr *attr);
ssize_t fs_getxattr(struct inode *inode, const char *name, void *buf, size_t size);
int fs_setxattr(struct inode *inode, const char *name, const void *value, size_t size, int flags);
ssize_t fs_listxattr(struct inode *inode, char *buf, size_t size, bool with_trusted);
int fs_removexattr(struct inode *inode, const char *name);
int fs_statfs(struct super_block *sb, uint64_t *blocks, uint64_t *bfree, uint64_t *files);
/* sb's sync_fs (0 without one, -EIO for a failed instance). */
int fs_sync(struct super_block *sb);
/* sb's kstatfs_op: 0, -errno, -ENOSYS without one. */
int fs_kstatfs(struct super_block *sb, struct kstatfs *st);

int file_op_open(struct file *f);
void file_op_release(struct file *f);
ssize_t file_op_read(struct file *f, struct uio *u, off_t *pos);
ssize_t file_op_write(struct file *f, struct uio *u, off_t *pos);
int file_op_readdir(struct file *f, off_t *pos, filldir_t fill, void *ctx);
long file_op_ioctl(struct file *f, unsigned cmd, unsigned long arg);
int file_op_fsync(struct file *f);
/* f_op->llseek, or -ENOSYS when the file has none (generic lseek). */
off_t file_op_llseek(struct file *f, off_t off, int whence);
/* The ready mask (all ready when the file has no poll op). */
unsigned file_op_poll(struct file *f, struct wait_queue **wq);

/* ---- files (file.c, open.c, read_write.c) -------------------------------- */

/* Open the object d names (char devices, FIFOs, O_PATH included) with
 * kernel O_* flags; 0 and *out, or -errno. Does not truncate. */
int dentry_open(struct dentry *d, unsigned flags, struct file **out);
/* The whole open(2) path for kernel callers: resolve, create (mode as
 * given, no umask), open, truncate. */
int do_filp_open(int dirfd, const char *path, unsigned flags, mode_t mode, struct file **out);
/* An open for writing: -ETXTBSY while the file is executed (file.c). */
int file_get_write_access(struct file *f);
/* Free a file whose open failed: drops dentry/inode without release. */
void file_abort(struct file *f);
/* Arch O_* values (open/fcntl/pipe2 arguments) <-> kernel O_* values. */
unsigned oflags_from_user(unsigned long uflags);
unsigned long oflags_to_user(unsigned kflags);
static inline bool file_readable(const struct file *f)
{
	unsigned acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}
static inline bool file_writable(const struct file *f)
{
	unsigned acc = f->flags & O_ACCMODE;
	return !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}
/* Seekable object? (not a pipe, FIFO or socket) */
bool file_is_stream(const struct file *f);
/* read/write on a kernel or user buffer with O_APPEND and access checks;
 * pos NULL means f->pos. */
ssize_t do_read(struct file *f, struct uio *u, off_t *pos);
ssize_t do_write(struct file *f, struct uio *u, off_t *pos);
/* RLIMIT_FSIZE for a write of *len bytes at pos (cut to the limit):
 * 0, or -EFBIG after sending SIGXFSZ (read_write.c). */
int file_size_limit(struct inode *inode, uint64_t pos, size_t *len);
/* Truncate inode to length (regular files only). */
int do_truncate(struct inode *inode, off_t length);
/* Is the directory empty (only "." and "..")? 1, 0 or -errno. */
int dir_is_empty(struct inode *dir);
/* Permission check for the current task ([path_resolution(7)] "Permissions"):
 * mask of 4 (read), 2 (write), 1 (exec). real: use uid/gid (access(2)). */
/* ---- permission.c: discretionary access control ------------------------- */
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4
/* [path_resolution(7)] "Permissions": mask of MAY_* against the owner,
 * group (incl. supplementary) or other bits of inode, with the caller's
 * fsuid/fsgid (real ids if real, or during access(2)); root passes except
 * MAY_EXEC on a non-directory without any x bit. 0 or -EACCES. */
int inode_permission(const struct inode *inode, int mask, bool real);
/* Search (x) permission on a directory the walk passes: 0 or -EACCES. */
int may_lookup(const struct inode *dir);
/* Adding a name to dir: write and search permission. 0 or -EACCES. */
int may_create(const struct inode *dir);
/* Removing (or renaming away) victim's name from dir: may_create() and,
 * in a sticky directory, owning the file or the directory (-EPERM). */
int may_delete(const struct inode *dir, const struct inode *victim);
/* Is the caller the inode's owner, or root (Linux's
 * inode_owner_or_capable(): CAP_FOWNER)? */
bool inode_owner_or_capable(const struct inode *inode);
/* The mode of a new inode of group gid in a set-group-ID directory, with
 * S_ISGID dropped for a group-executable non-directory whose group the
 * creator is not in (Linux's inode_init_owner()). */
mode_t new_inode_sgid_fixup(mode_t mode, uint32_t gid);

/* ---- pipes (pipe.c) ------------------------------------------------------ */

/* open() of a FIFO inode: attach f to the inode's pipe; may sleep for the
 * other end. 0, -ENXIO (O_NONBLOCK write, no reader), -ERESTARTSYS, -ENOMEM. */
int fifo_open(struct inode *inode, struct file *f);
/* pipe2(): a new anonymous pipe: files for both ends (flags: O_NONBLOCK). */
int pipe_create(struct file **rd, struct file **wr, unsigned flags);

/* ---- memfd seals (memfd.c), [fcntl(2)] "File Sealing" --------------------- */
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#define F_SEAL_FUTURE_WRITE 0x0010
#define F_SEAL_ALL (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)
/* -EPERM if the seals of inode forbid writing len bytes at pos / setting
 * the size to length / a writable shared mapping; 0 otherwise (and for
 * every inode that is not a memfd). */
int memfd_write_check(struct inode *inode, uint64_t pos, size_t len);
int memfd_truncate_check(struct inode *inode, uint64_t length);
/* fcntl F_ADD_SEALS / F_GET_SEALS. */
long memfd_add_seals(struct file *f, unsigned long seals);
long memfd_get_seals(struct file *f);
/* An instance of fstype for the kernel's own use (Linux kern_mount()):
 * attached nowhere, not in /proc/mounts; its super block in *out. 0 or
 * -errno of the mount. */
int kern_mount(const char *fstype, struct super_block **out);
/* inotify for an event on an open file (file.c): its inode's watchers and
 * its parent directory's, with its name. */
void fsnotify_file(struct file *f, uint32_t mask);
bool file_is_pipe(const struct file *f);
/* For splice(2) & co. (splice.c), f a pipe end (file_is_pipe):
 * pipe_same(): both ends belong to one pipe.
 * pipe_wait_data(): sleep until the pipe holds data; the bytes buffered,
 * 0 if it is empty with no writer left, -EAGAIN (nonblock), -ERESTARTSYS.
 * pipe_wait_space(): sleep until it has room; the free bytes, -EPIPE (and
 * SIGPIPE) with no reader, -EAGAIN (nonblock), -ERESTARTSYS.
 * pipe_peek(): copy up to len buffered bytes without consuming them. */
bool pipe_same(const struct file *a, const struct file *b);
ssize_t pipe_wait_data(struct file *f, bool nonblock);
ssize_t pipe_wait_space(struct file *f, bool nonblock);
size_t pipe_peek(struct file *f, void *buf, size_t len);
/* F_GETPIPE_SZ: the pipe's capacity in bytes, -EBADF for other files. */
long pipe_fcntl_size(struct file *f);
/* F_SETPIPE_SZ: resize to arg bytes rounded up to a power of two of pages;
 * the new size, or -EINVAL, -EPERM, -EBUSY, -ENOMEM, -EBADF ([fcntl(2)]). */
long pipe_set_size(struct file *f, unsigned long arg);

/* ---- waiting for files (poll.c) ------------------------------------------ */

/* Wait until one of files[0..n) (NULL entries skipped) has a bit of
 * events[i] ready (stored in revents[i]), the deadline (hal_timer_now_ns,
 * 0 = none) passes, or a signal is pending. base_ready counts entries the
 * caller already found ready (poll's POLLNVAL). nowait: scan once.
 * Returns the number of ready entries, 0 on timeout, -EINTR. */
int poll_files(struct file **files, const unsigned *events, unsigned *revents, unsigned n,
	       unsigned base_ready, uint64_t deadline, bool nowait);
/* A relative timeout to a deadline: -EINVAL for negative or nsec out of
 * range; nowait for a zero timeout; deadline 0 if it is too far away. */
int timeout_to_deadline(int64_t sec, int64_t nsec, uint64_t *deadline, bool *nowait);
uint64_t deadline_remaining(uint64_t deadline);
/* ppoll/pselect6 signal masks: install the user's mask (size must be 8),
 * then restore it now, or after the handler when interrupted. */
int poll_set_sigmask(uintptr_t umask, size_t size, uint64_t *saved, bool *swapped);
void poll_restore_sigmask(uint64_t saved, bool swapped, bool interrupted);

#endif
