/* Opening files: [open(2)] openat/open/creat, close, close_range, and the
 * pieces shared with the kernel API (vfs_open). */
#include "abi.h"
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "internal.h"
#include "locks.h"

#define O_TMPFILE_BIT 020000000 /* __O_TMPFILE, same on x86_64 and arm64 */
/* The four open-flag bits whose meaning differs per arch (asm-generic vs
 * arm64 fcntl.h); as a set they are the same bits on both. */
#define O_ARCH_BITS (O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW)
_Static_assert((HAL_O_DIRECT | HAL_O_LARGEFILE | HAL_O_DIRECTORY | HAL_O_NOFOLLOW) == O_ARCH_BITS,
	       "arch open flags permute the generic bits");

/* Flags kept in struct file ([fcntl(2)] F_GETFL): the open-time-only ones
 * are dropped. */
#define O_OPEN_ONLY (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)

unsigned oflags_from_user(unsigned long uflags)
{
	unsigned k = (unsigned)uflags & ~O_ARCH_BITS;

	if (uflags & HAL_O_DIRECT)
		k |= O_DIRECT;
	if (uflags & HAL_O_LARGEFILE)
		k |= O_LARGEFILE;
	if (uflags & HAL_O_DIRECTORY)
		k |= O_DIRECTORY;
	if (uflags & HAL_O_NOFOLLOW)
		k |= O_NOFOLLOW;
	return k;
}

unsigned long oflags_to_user(unsigned kflags)
{
	unsigned long u = kflags & ~O_ARCH_BITS;

	if (kflags & O_DIRECT)
		u |= HAL_O_DIRECT;
	if (kflags & O_LARGEFILE)
		u |= HAL_O_LARGEFILE;
	if (kflags & O_DIRECTORY)
		u |= HAL_O_DIRECTORY;
	if (kflags & O_NOFOLLOW)
		u |= HAL_O_NOFOLLOW;
	return u;
}

/* Truncate a regular file to length bytes ([truncate(2)]). */
int do_truncate(struct inode *inode, off_t length)
{
	struct iattr attr = { 0 };

	if (length < 0)
		return -EINVAL;
	if (S_ISDIR(inode->mode))
		return -EISDIR;
	if (!S_ISREG(inode->mode))
		return -EINVAL;
	if (inode->i_writecount < 0)
		return -ETXTBSY; /* [truncate(2)]: the file is being executed */
	if (memfd_truncate_check(inode, (uint64_t)length))
		return -EPERM; /* [fcntl(2)] F_SEAL_SHRINK, F_SEAL_GROW */
	if ((uint64_t)length > inode->size) {
		/* Growing past RLIMIT_FSIZE: SIGXFSZ and EFBIG (Linux's
		 * inode_newsize_ok()). */
		size_t one = 1;
		int err = file_size_limit(inode, (uint64_t)length - 1, &one);

		if (err)
			return err;
	}
	attr.valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME;
	attr.size = (uint64_t)length;
	attr.mtime = attr.ctime = current_time();
	return fs_setattr(inode, &attr);
}

/* Count the open for ETXTBSY and leases (Linux's do_dentry_open():
 * devices, FIFOs and sockets are not counted) and break conflicting
 * leases of a regular file. */
static int open_access(struct inode *inode, struct file *f, unsigned flags)
{
	int err;

	if (S_ISCHR(inode->mode) || S_ISBLK(inode->mode) || S_ISFIFO(inode->mode) ||
	    S_ISSOCK(inode->mode))
		return 0;
	if (file_writable(f)) {
		err = file_get_write_access(f); /* [open(2)] ETXTBSY */
		if (err)
			return err;
	} else if (file_readable(f)) {
		inode->i_readcount++;
		f->counted_read = true;
	}
	return S_ISREG(inode->mode) ? break_lease(inode, flags) : 0;
}

/* O_PATH files: no data operations at all ([open(2)] O_PATH). */
static const struct file_operations path_fops;

/* Open inode, found through d (NULL for an inode without a name: a pipe
 * reopened through /proc/<pid>/fd/<n>). */
static int inode_open(struct inode *inode, struct dentry *d, unsigned flags, struct file **out)
{
	const struct file_operations *fops = inode->i_fop;
	void *priv = NULL;
	struct svc_instance *svc = NULL;
	bool is_chr = false;
	struct file *f;
	int err;

	if (flags & O_PATH) {
		fops = &path_fops;
	} else if (S_ISCHR(inode->mode) || S_ISBLK(inode->mode)) {
		/* A block device node reaches kernel/block/ the same way. */
		struct chrdev *cd = devnode_lookup(inode->rdev, S_ISBLK(inode->mode));

		if (!cd)
			return -ENXIO;
		fops = cd->fops;
		priv = cd->priv;
		svc = cd->svc.name ? &cd->svc : NULL;
		is_chr = true;
	} else if (S_ISSOCK(inode->mode)) {
		return -ENXIO; /* no sockets in this version */
	}
	f = file_alloc(inode, fops, flags & ~(O_OPEN_ONLY & ~O_NOCTTY));
	if (!f)
		return -ENOMEM;
	f->dentry = d ? dget(d) : NULL;
	f->private_data = priv;
	if (is_chr)
		f->svc = svc;	 /* the device's driver, not the file system holding the node */
	f->flags |= O_LARGEFILE; /* 64-bit: force_o_largefile() */
	err = (flags & O_PATH) ? 0 : open_access(inode, f, flags);
	if (!err && !(flags & O_PATH))
		err = S_ISFIFO(inode->mode) ? fifo_open(inode, f) : file_op_open(f);
	if (err) {
		file_abort(f);
		return err;
	}
	f->flags &= ~O_NOCTTY; /* only the tty's open() needs to see it */
	*out = f;
	return 0;
}

int dentry_open(struct dentry *d, unsigned flags, struct file **out)
{
	return inode_open(d->inode, d, flags, out);
}

/* mnt: the mount the inode was found on, NULL for one without a name. */
static int may_open_inode(struct inode *inode, struct mount *mnt, unsigned flags, bool created)
{
	unsigned acc = flags & O_ACCMODE;
	bool wr = acc == O_WRONLY || acc == O_RDWR;
	int mask = 0;

	if (flags & O_PATH)
		return 0;
	if (S_ISDIR(inode->mode) && (wr || (flags & O_CREAT)))
		return -EISDIR;
	if (S_ISLNK(inode->mode))
		return -ELOOP;
	/* [open(2)] EPERM: O_NOATIME by someone who does not own the file. */
	if ((flags & O_NOATIME) && !inode_owner_or_capable(inode))
		return -EPERM;
	if (created)
		return 0; /* [open(2)]: the new file's mode applies from the next open */
	if (acc == O_RDONLY || acc == O_RDWR)
		mask |= 4;
	if (wr || (flags & O_TRUNC))
		mask |= 2;
	if ((mask & 2) && mnt && (mnt->flags & MS_RDONLY) &&
	    (S_ISREG(inode->mode) || S_ISDIR(inode->mode)))
		return -EROFS;
	return inode_permission(inode, mask, false);
}

static int may_open(struct dentry *d, unsigned flags, bool created)
{
	return may_open_inode(d->inode, d->mnt, flags, created);
}

/* Opening a magic link (i_op->get_link_file, e.g. /proc/self/fd/3): the
 * file it stands for is opened again with the new flags, as Linux does:
 * its dentry if it has one (*d replaced, the caller goes on with it), or
 * else its inode (pipes: a new end of the same pipe, as a FIFO open;
 * memfds: a new description of the same file) into
 * *out. 1 if *out was opened, 0 if *d was replaced, -EINVAL if link is an
 * ordinary symlink, or -errno. */
static int open_magic_link(struct dentry **d, unsigned flags, struct file **out)
{
	struct file *f;
	int err = fs_get_link_file((*d)->inode, &f);

	if (err)
		return err;
	if (f->dentry) {
		dput(*d);
		*d = dget(f->dentry);
		fput(f);
		return 0;
	}
	err = -ENXIO; /* sockets, anonymous inodes: Linux refuses too */
	if (f->inode && (S_ISFIFO(f->inode->mode) || (f->inode->i_seals & I_SEALS_MEMFD))) {
		/* a FIFO end, or a memfd (a file of an internal tmpfs) */
		err = may_open_inode(f->inode, NULL, flags, false);
		if (!err)
			err = inode_open(f->inode, NULL, flags, out);
	}
	fput(f);
	return err ? err : 1;
}

/* Create the regular file nd->last in nd->dir for the negative dentry d. */
static int open_create(struct nameidata *nd, struct dentry *d, mode_t mode, bool umask)
{
	struct inode *inode;
	int err;

	if (d_unlinked(nd->dir))
		return -ENOENT; /* a removed directory takes no new names */
	if (nd->dir->mnt->flags & MS_RDONLY)
		return -EROFS;
	err = may_create(nd->dir->inode);
	if (err)
		return err;
	err = fs_create(nd->dir->inode, nd->last, nd->last_len,
			S_IFREG | (mode & 07777 & (umask ? ~current_umask() : 07777)), &inode);
	if (err)
		return err;
	d_instantiate(d, inode);
	return 0;
}

static int open_nd(struct nameidata *nd, unsigned flags, mode_t mode, bool umask, struct file **out)
{
	struct dentry *d;
	bool created = false;
	int err;

	if (flags & O_TMPFILE_BIT)
		return -EOPNOTSUPP;
	if (flags & O_PATH)
		flags &= O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW;
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return -EINVAL; /* Linux >= 6.4 */
	for (;;) {
		err = nd_walk_parent(nd);
		if (err)
			return err;
		if ((flags & O_CREAT) && nd->last_type == LAST_NORM && nd->trailing_slash)
			return -EISDIR; /* [open(2)] O_CREAT on "name/" */
		err = nd_lookup_last(nd, &d);
		if (err)
			return err;
		if (!d->inode) {
			if (!(flags & O_CREAT) || nd->last_type != LAST_NORM) {
				dput(d);
				return -ENOENT;
			}
			err = open_create(nd, d, mode, umask);
			if (err) {
				dput(d);
				return err;
			}
			created = true;
			break;
		}
		if ((flags & O_CREAT) && (flags & O_EXCL)) {
			dput(d);
			return -EEXIST; /* even for a symlink: O_EXCL does not follow */
		}
		if (S_ISLNK(d->inode->mode) && nd->last_type == LAST_NORM) {
			if (flags & O_NOFOLLOW) {
				if (flags & O_PATH)
					break; /* the link itself */
				dput(d);
				return -ELOOP;
			}
			err = open_magic_link(&d, flags, out);
			if (err == 0)
				break;
			if (err != -EINVAL) {
				dput(d);
				return err > 0 ? 0 : err;
			}
			err = nd_follow_link(nd, d);
			dput(d);
			if (err)
				return err;
			continue;
		}
		break;
	}
	if ((nd->trailing_slash || (flags & O_DIRECTORY)) && !S_ISDIR(d->inode->mode)) {
		dput(d);
		return -ENOTDIR;
	}
	err = may_open(d, flags & ~(created ? O_CREAT : 0), created);
	if (err) {
		dput(d);
		return err;
	}
	err = dentry_open(d, flags, out);
	if (!err && (flags & O_TRUNC) && !created && !(flags & O_PATH) && S_ISREG(d->inode->mode)) {
		/* A file system without setattr (procfs) ignores O_TRUNC. */
		if (d->inode->i_op && d->inode->i_op->setattr) {
			err = do_truncate(d->inode, 0);
			if (err) {
				fput(*out);
				*out = NULL;
			}
		}
	}
	dput(d);
	return err;
}

/* Kernel-side open: path from the current task's cwd/root, kernel O_*
 * flags, the mode of a created file taken as is (no umask). */
int do_filp_open(int dirfd, const char *path, unsigned flags, mode_t mode, struct file **out)
{
	struct nameidata nd;
	int err = nd_init(&nd, dirfd, path, 0);

	if (!err)
		err = open_nd(&nd, flags, mode, false, out);
	nd_release(&nd);
	return err;
}

static long do_sys_openat(int dirfd, uintptr_t upath, unsigned long uflags, mode_t mode)
{
	unsigned flags = oflags_from_user(uflags);
	struct files *tab = current_files();
	struct nameidata nd;
	struct file *f = NULL;
	int err, fd;

	if (!tab)
		return -EBADF;
	err = nd_init_user(&nd, dirfd, upath, 0);
	if (!err)
		err = open_nd(&nd, flags, mode, true, &f);
	nd_release(&nd);
	if (err)
		return err;
	fd = fd_install(tab, f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

/* [openat(2)] */
SYSCALL_DEFINE4(openat, int, dirfd, uintptr_t, path, unsigned long, flags, unsigned, mode)
{
	return do_sys_openat(dirfd, path, flags, mode);
}

/* [open(2)] (x86_64) */
SYSCALL_DEFINE3(open, uintptr_t, path, unsigned long, flags, unsigned, mode)
{
	return do_sys_openat(AT_FDCWD, path, flags, mode);
}

/* [creat(2)]: open(path, O_CREAT|O_WRONLY|O_TRUNC, mode) (x86_64). */
SYSCALL_DEFINE2(creat, uintptr_t, path, unsigned, mode)
{
	return do_sys_openat(AT_FDCWD, path, oflags_to_user(O_CREAT | O_WRONLY | O_TRUNC), mode);
}

/* [close(2)] */
SYSCALL_DEFINE1(close, int, fd)
{
	return fd_close(current_files(), fd);
}

#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)

/* [close_range(2)]: close (or mark close-on-exec) fds first..last. */
SYSCALL_DEFINE3(close_range, unsigned, first, unsigned, last, unsigned, flags)
{
	struct files *tab = current_files();

	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if (last >= NR_OPEN_DEFAULT)
		last = NR_OPEN_DEFAULT - 1;
	for (unsigned fd = first; fd <= last && fd < NR_OPEN_DEFAULT; fd++) {
		if (flags & CLOSE_RANGE_CLOEXEC)
			fd_set_cloexec(tab, (int)fd, true);
		else
			fd_close(tab, (int)fd);
	}
	return 0;
}
