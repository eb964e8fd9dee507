/* The boundary between the core and the file-system services: every call
 * into an inode, file or super-block operation goes through one of these.
 * A super block marked failed (its service faulted; see <kernel/service.h>)
 * answers -EIO to everything; a missing operation gets the errno Linux
 * gives for it (fs/namei.c: -EPERM for missing directory operations). */
#include <kernel/eventpoll.h>
#include <kernel/service.h>

#include "internal.h"

/* svc_call() into the file system behind sb (sb_svc(), internal.h). */
#define FS_CALL(sb, expr) svc_call(sb_svc(sb), expr)
/* A directory operation: FS_CALL under sb->s_dir_mutex (taken outside the
 * service call, so a contained fault returns -EIO and the VFS still
 * releases it). */
#define FS_DIR_CALL(sb, expr)                     \
	({                                        \
		struct super_block *__sb = (sb);  \
		long __r;                         \
		mutex_lock(&__sb->s_dir_mutex);   \
		__r = (long)FS_CALL(__sb, expr);  \
		mutex_unlock(&__sb->s_dir_mutex); \
		__r;                              \
	})

/* The service behind an open file has failed (struct file.svc). */
static inline bool file_failed(const struct file *f)
{
	return f->svc && f->svc->failed;
}

static inline bool sb_failed(const struct super_block *sb)
{
	return sb && sb->svc.failed;
}

#define DIR_OP(dir, op, ...)                                                 \
	do {                                                                 \
		if (sb_failed((dir)->sb))                                    \
			return -EIO;                                         \
		if (!(dir)->i_op || !(dir)->i_op->op)                        \
			return -EPERM;                                       \
		return FS_DIR_CALL((dir)->sb, (dir)->i_op->op(__VA_ARGS__)); \
	} while (0)

/* [path_resolution(7)]: a directory without lookup holds no names. */
int fs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	if (sb_failed(dir->sb))
		return -EIO;
	if (!dir->i_op || !dir->i_op->lookup)
		return -ENOENT;
	return FS_DIR_CALL(dir->sb, dir->i_op->lookup(dir, name, len, out));
}

static int do_fs_create(struct inode *dir, const char *name, size_t len, mode_t mode,
			struct inode **out)
{
	if (sb_failed(dir->sb))
		return -EIO;
	if (dir->i_op && dir->i_op->create)
		return FS_DIR_CALL(dir->sb, dir->i_op->create(dir, name, len, mode, out));
	if (dir->i_op && dir->i_op->mknod)
		return FS_DIR_CALL(dir->sb, dir->i_op->mknod(dir, name, len, mode, 0, out));
	return -EACCES; /* fs/namei.c vfs_create() */
}

static int do_fs_mkdir(struct inode *dir, const char *name, size_t len, mode_t mode,
		       struct inode **out)
{
	DIR_OP(dir, mkdir, dir, name, len, mode, out);
}

static int do_fs_mknod(struct inode *dir, const char *name, size_t len, mode_t mode, dev_t rdev,
		       struct inode **out)
{
	if (S_ISREG(mode) && dir->i_op && !dir->i_op->mknod && dir->i_op->create)
		return do_fs_create(dir, name, len, mode, out);
	DIR_OP(dir, mknod, dir, name, len, mode, rdev, out);
}

static int do_fs_symlink(struct inode *dir, const char *name, size_t len, const char *target,
			 struct inode **out)
{
	DIR_OP(dir, symlink, dir, name, len, target, out);
}

static int do_fs_link(struct inode *dir, const char *name, size_t len, struct inode *inode)
{
	DIR_OP(dir, link, dir, name, len, inode);
}

static int do_fs_unlink(struct inode *dir, const char *name, size_t len)
{
	DIR_OP(dir, unlink, dir, name, len);
}

static int do_fs_rmdir(struct inode *dir, const char *name, size_t len)
{
	DIR_OP(dir, rmdir, dir, name, len);
}

static int do_fs_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
			const char *nname, size_t nlen, unsigned flags)
{
	DIR_OP(odir, rename, odir, oname, olen, ndir, nname, nlen, flags);
}

/* The directory operations, each telling inotify about a name that
 * changed ([inotify(7)] IN_CREATE, IN_DELETE, IN_MOVED_FROM/TO). */
static int notify_name(int err, struct inode *dir, uint32_t mask, const char *name, size_t len)
{
	if (!err)
		fsnotify_name(dir, mask, name, len, 0);
	return err;
}

int fs_create(struct inode *dir, const char *name, size_t len, mode_t mode, struct inode **out)
{
	return notify_name(do_fs_create(dir, name, len, mode, out), dir, IN_CREATE, name, len);
}

int fs_mkdir(struct inode *dir, const char *name, size_t len, mode_t mode, struct inode **out)
{
	return notify_name(do_fs_mkdir(dir, name, len, mode, out), dir, IN_CREATE | IN_ISDIR, name,
			   len);
}

int fs_mknod(struct inode *dir, const char *name, size_t len, mode_t mode, dev_t rdev,
	     struct inode **out)
{
	return notify_name(do_fs_mknod(dir, name, len, mode, rdev, out), dir, IN_CREATE, name, len);
}

int fs_symlink(struct inode *dir, const char *name, size_t len, const char *target,
	       struct inode **out)
{
	return notify_name(do_fs_symlink(dir, name, len, target, out), dir, IN_CREATE, name, len);
}

int fs_link(struct inode *dir, const char *name, size_t len, struct inode *inode)
{
	return notify_name(do_fs_link(dir, name, len, inode), dir, IN_CREATE, name, len);
}

int fs_unlink(struct inode *dir, const char *name, size_t len)
{
	return notify_name(do_fs_unlink(dir, name, len), dir, IN_DELETE, name, len);
}

int fs_rmdir(struct inode *dir, const char *name, size_t len)
{
	return notify_name(do_fs_rmdir(dir, name, len), dir, IN_DELETE | IN_ISDIR, name, len);
}

int fs_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
	      const char *nname, size_t nlen, unsigned flags)
{
	int err = do_fs_rename(odir, oname, olen, ndir, nname, nlen, flags);

	if (!err) {
		uint32_t cookie = fsnotify_cookie();

		fsnotify_name(odir, IN_MOVED_FROM, oname, olen, cookie);
		fsnotify_name(ndir, IN_MOVED_TO, nname, nlen, cookie);
	}
	return err;
}

ssize_t fs_readlink(struct inode *inode, char *buf, size_t len)
{
	if (sb_failed(inode->sb))
		return -EIO;
	if (!inode->i_op || !inode->i_op->readlink)
		return -EINVAL;
	return FS_CALL(inode->sb, inode->i_op->readlink(inode, buf, len));
}

int fs_get_link_file(struct inode *inode, struct file **out)
{
	if (sb_failed(inode->sb))
		return -EIO;
	if (!inode->i_op || !inode->i_op->get_link_file)
		return -EINVAL;
	return FS_CALL(inode->sb, inode->i_op->get_link_file(inode, out));
}

static int do_fs_setattr(struct inode *inode, const struct iattr *attr)
{
	if (sb_failed(inode->sb))
		return -EIO;
	if (inode->i_op && inode->i_op->setattr)
		return FS_CALL(inode->sb, inode->i_op->setattr(inode, attr));
	/* A file system without setattr keeps attributes in the inode only. */
	if (attr->valid & ATTR_SIZE)
		return -EPERM;
	setattr_copy(inode, attr);
	return 0;
}

/* inotify: a size change is IN_MODIFY, anything else IN_ATTRIB. */
int fs_setattr(struct inode *inode, const struct iattr *attr)
{
	int err = do_fs_setattr(inode, attr);

	if (!err)
		fsnotify_inode(inode, NULL, NULL, 0,
			       (attr->valid & ATTR_SIZE) ? IN_MODIFY : IN_ATTRIB);
	return err;
}

void setattr_copy(struct inode *inode, const struct iattr *attr)
{
	if (attr->valid & ATTR_MODE)
		inode->mode = (inode->mode & S_IFMT) | (attr->mode & 07777);
	if (attr->valid & ATTR_UID)
		inode->uid = attr->uid;
	if (attr->valid & ATTR_GID)
		inode->gid = attr->gid;
	if (attr->valid & ATTR_ATIME)
		inode->atime = attr->atime;
	if (attr->valid & ATTR_MTIME)
		inode->mtime = attr->mtime;
	if (attr->valid & ATTR_CTIME)
		inode->ctime = attr->ctime;
}

/* [xattr(7)]: a file system without extended attributes supports no
 * namespace (-EOPNOTSUPP) and lists none (fs/xattr.c vfs_listxattr() falls
 * back to the security module's list, empty without one). */
ssize_t fs_getxattr(struct inode *inode, const char *name, void *buf, size_t size)
{
	if (sb_failed(inode->sb))
		return -EIO;
	if (!inode->i_op || !inode->i_op->getxattr)
		return -EOPNOTSUPP;
	return FS_CALL(inode->sb, inode->i_op->getxattr(inode, name, buf, size));
}

int fs_setxattr(struct inode *inode, const char *name, const void *value, size_t size, int flags)
{
	if (sb_failed(inode->sb))
		return -EIO;
	if (!inode->i_op || !inode->i_op->setxattr)
		return -EOPNOTSUPP;
	return FS_CALL(inode->sb, inode->i_op->setxattr(inode, name, value, size, flags));
}

ssize_t fs_listxattr(struct inode *inode, char *buf, size_t size, bool with_trusted)
{
	if (sb_failed(inode->sb))
		return -EIO;
	if (!inode->i_op || !inode->i_op->listxattr)
		return 0;
	return FS_CALL(inode->sb, inode->i_op->listxattr(inode, buf, size, with_trusted));
}

int fs_removexattr(struct inode *inode, const char *name)
{
	if (sb_failed(inode->sb))
		return -EIO;
	if (!inode->i_op || !inode->i_op->removexattr)
		return -EOPNOTSUPP;
	return FS_CALL(inode->sb, inode->i_op->removexattr(inode, name));
}

int fs_sync(struct super_block *sb)
{
	if (!sb || sb_failed(sb))
		return sb ? -EIO : 0;
	if (!sb->s_op || !sb->s_op->sync_fs)
		return 0;
	return FS_CALL(sb, sb->s_op->sync_fs(sb));
}

int fs_kstatfs(struct super_block *sb, struct kstatfs *st)
{
	if (sb_failed(sb))
		return -EIO;
	if (!sb->s_op || !sb->s_op->kstatfs_op)
		return -ENOSYS;
	return FS_CALL(sb, sb->s_op->kstatfs_op(sb, st));
}

int fs_statfs(struct super_block *sb, uint64_t *blocks, uint64_t *bfree, uint64_t *files)
{
	*blocks = *bfree = *files = 0;
	if (sb_failed(sb))
		return -EIO;
	if (!sb->s_op || !sb->s_op->statfs)
		return 0;
	return FS_CALL(sb, sb->s_op->statfs(sb, blocks, bfree, files));
}

int file_op_open(struct file *f)
{
	if (file_failed(f))
		return -EIO;
	if (!f->f_op || !f->f_op->open)
		return 0;
	return svc_call(f->svc, f->f_op->open(f->inode, f));
}

void file_op_release(struct file *f)
{
	if (!f->f_op || !f->f_op->release || file_failed(f))
		return;
	svc_call_void(f->svc, f->f_op->release(f));
}

/* [read(2)]: EINVAL "fd is attached to an object which is unsuitable for
 * reading". */
ssize_t file_op_read(struct file *f, struct uio *u, off_t *pos)
{
	if (file_failed(f))
		return -EIO;
	if (!f->f_op || !f->f_op->read)
		return (f->inode && S_ISDIR(f->inode->mode)) ? -EISDIR : -EINVAL;
	return svc_call(f->svc, f->f_op->read(f, u, pos));
}

ssize_t file_op_write(struct file *f, struct uio *u, off_t *pos)
{
	if (file_failed(f))
		return -EIO;
	if (!f->f_op || !f->f_op->write)
		return -EINVAL;
	return svc_call(f->svc, f->f_op->write(f, u, pos));
}

int file_op_readdir(struct file *f, off_t *pos, filldir_t fill, void *ctx)
{
	if (file_failed(f))
		return -EIO;
	if (!f->f_op || !f->f_op->readdir)
		return -ENOTDIR;
	if (f->inode && f->inode->sb) {
		struct super_block *sb = f->inode->sb;
		int r;

		mutex_lock(&sb->s_dir_mutex);
		r = svc_call(f->svc, f->f_op->readdir(f, pos, fill, ctx));
		mutex_unlock(&sb->s_dir_mutex);
		return r;
	}
	return svc_call(f->svc, f->f_op->readdir(f, pos, fill, ctx));
}

long file_op_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	if (file_failed(f))
		return -EIO;
	if (!f->f_op || !f->f_op->ioctl)
		return -ENOTTY;
	return svc_call(f->svc, f->f_op->ioctl(f, cmd, arg));
}

/* DEFAULT_POLLMASK (fs/select.c) for files without poll. */
unsigned file_op_poll(struct file *f, struct wait_queue **wq)
{
	*wq = NULL;
	if (file_failed(f))
		return POLLERR;
	if (!f->f_op || !f->f_op->poll)
		return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
	return svc_call_or(f->svc, f->f_op->poll(f, wq), POLLERR);
}

/* f_op->llseek if the file has one; -ENOSYS tells the caller to use the
 * generic position arithmetic. */
off_t file_op_llseek(struct file *f, off_t off, int whence)
{
	if (file_failed(f))
		return -EIO;
	if (!f->f_op || !f->f_op->llseek)
		return -ENOSYS;
	return svc_call(f->svc, f->f_op->llseek(f, off, whence));
}

/* f_op->fsync, or 0 for files without one. */
int file_op_fsync(struct file *f)
{
	if (file_failed(f))
		return -EIO;
	if (!f->f_op || !f->f_op->fsync)
		return 0;
	return svc_call(f->svc, f->f_op->fsync(f));
}

/* f_op->get_page for a MAP_SHARED fault (kernel/mm/fault.c): 0 and a
 * referenced frame in *pa, the file system's -errno, or -EIO if the service
 * failed. The caller checked that the file has get_page. */
int file_op_get_page(struct file *f, uint64_t idx, paddr_t *pa)
{
	if (file_failed(f))
		return -EIO;
	if (!f->f_op || !f->f_op->get_page)
		return -ENODEV;
	return svc_call(f->svc, f->f_op->get_page(f, idx, pa));
}
