/* Extended attributes: [getxattr(2)], [setxattr(2)], [listxattr(2)],
 * [removexattr(2)] and their l* (no symlink following) and f* (open file)
 * forms. The core checks names, sizes and rights as Linux's fs/xattr.c
 * (xattr_permission()) and commoncap do; the file system keeps the values
 * (inode_operations.getxattr & co., reached through fsops.c).
 *
 * Namespaces [xattr(7)]: "user." (regular files and directories only;
 * writing needs write permission), "trusted." (CAP_SYS_ADMIN: root; hidden
 * from others), "security." (anyone reads, root writes: cap_inode_setxattr)
 * and "system." (no checks here; no file system of ours keeps one). A name
 * in none of them passes the permission check and is then refused by the
 * file system with -EOPNOTSUPP, as Linux's xattr_resolve_name() does. */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <string.h>

#include "internal.h"

static bool has_prefix(const char *name, const char *prefix)
{
	return strncmp(name, prefix, strlen(prefix)) == 0;
}

/* Copy the attribute name: -ERANGE for an empty one or one longer than
 * XATTR_NAME_MAX (fs/xattr.c: strncpy_from_user() returning 0 or the
 * buffer size), -EFAULT. A bare known prefix ("user.") is -EINVAL, as
 * xattr_resolve_name() answers for a handler's prefix with nothing after it. */
static int xattr_name_get(uintptr_t uname, char name[XATTR_NAME_MAX + 1])
{
	static const char *const prefixes[] = { "user.", "trusted.", "security.", "system." };
	long n = strncpy_from_user(name, uname, XATTR_NAME_MAX + 1);

	if (n == 0 || n == -ENAMETOOLONG)
		return -ERANGE;
	if (n < 0)
		return (int)n;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strcmp(name, prefixes[i]) == 0)
			return -EINVAL;
	return 0;
}

/* fs/xattr.c xattr_permission() plus the CAP_SYS_ADMIN rule commoncap
 * applies to writing "security." names. mask: MAY_READ or MAY_WRITE. */
static int xattr_permission(struct inode *inode, const char *name, int mask)
{
	if (has_prefix(name, "security.")) {
		if ((mask & MAY_WRITE) && !current_is_root())
			return -EPERM;
		return 0;
	}
	if (has_prefix(name, "system."))
		return 0;
	if (has_prefix(name, "trusted.")) {
		if (!current_is_root())
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		return 0;
	}
	if (has_prefix(name, "user.")) {
		if (!S_ISREG(inode->mode) && !S_ISDIR(inode->mode))
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		/* A sticky directory: only its owner (or root) writes them. */
		if (S_ISDIR(inode->mode) && (inode->mode & S_ISVTX) && (mask & MAY_WRITE) &&
		    !current_is_root() && current->euid != inode->uid)
			return -EPERM;
	}
	return inode_permission(inode, mask, false);
}

static ssize_t do_getxattr(struct inode *inode, uintptr_t uname, uintptr_t uvalue, size_t size)
{
	char name[XATTR_NAME_MAX + 1];
	void *buf = NULL;
	ssize_t r = xattr_name_get(uname, name);

	if (r)
		return r;
	r = xattr_permission(inode, name, MAY_READ);
	if (r)
		return r;
	if (size) {
		if (size > XATTR_SIZE_MAX)
			size = XATTR_SIZE_MAX;
		buf = kmalloc(size);
		if (!buf)
			return -ENOMEM;
	}
	r = fs_getxattr(inode, name, buf, size);
	if (r > 0 && size && copy_to_user(uvalue, buf, (size_t)r))
		r = -EFAULT;
	else if (r == -ERANGE && size >= XATTR_SIZE_MAX)
		r = -E2BIG; /* a value no caller could ever hold */
	kfree(buf);
	return r;
}

static int do_setxattr(struct inode *inode, bool rdonly, uintptr_t uname, uintptr_t uvalue,
		       size_t size, int flags)
{
	char name[XATTR_NAME_MAX + 1];
	void *buf = NULL;
	int r;

	if (rdonly)
		return -EROFS;
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	r = xattr_name_get(uname, name);
	if (r)
		return r;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	/* Size 0 stores an empty value ("empty EA, do not remove"). */
	buf = kmalloc(size);
	if (!buf)
		return -ENOMEM;
	if (size && copy_from_user(buf, uvalue, size)) {
		kfree(buf);
		return -EFAULT;
	}
	r = xattr_permission(inode, name, MAY_WRITE);
	if (!r)
		r = fs_setxattr(inode, name, buf, size, flags);
	kfree(buf);
	return r;
}

static ssize_t do_listxattr(struct inode *inode, uintptr_t ulist, size_t size)
{
	char *buf = NULL;
	ssize_t r;

	if (size) {
		if (size > XATTR_LIST_MAX)
			size = XATTR_LIST_MAX;
		buf = kmalloc(size);
		if (!buf)
			return -ENOMEM;
	}
	r = fs_listxattr(inode, buf, size, current_is_root());
	if (r > 0 && size && copy_to_user(ulist, buf, (size_t)r))
		r = -EFAULT;
	else if (r == -ERANGE && size >= XATTR_LIST_MAX)
		r = -E2BIG;
	kfree(buf);
	return r;
}

static int do_removexattr(struct inode *inode, bool rdonly, uintptr_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	int r;

	if (rdonly)
		return -EROFS;
	r = xattr_name_get(uname, name);
	if (r)
		return r;
	r = xattr_permission(inode, name, MAY_WRITE);
	if (!r)
		r = fs_removexattr(inode, name);
	return r;
}

/* ---- the path and fd forms ---------------------------------------------- */

/* The inode a path names (follow: the final symlink too). */
static int xattr_path_get(uintptr_t upath, bool follow, struct path_target *t)
{
	return at_target_get(AT_FDCWD, upath, false, follow ? LOOKUP_FOLLOW : 0, t);
}

static bool target_rdonly(const struct path_target *t)
{
	return t->dentry && (t->dentry->mnt->flags & MS_RDONLY);
}

/* f*xattr(2): EBADF for a closed fd and for an O_PATH one (fdget() does
 * not return those). */
static struct file *xattr_fget(int fd)
{
	struct file *f = fget_current(fd);

	if (f && ((f->flags & O_PATH) || !f->inode)) {
		fput(f);
		return NULL;
	}
	return f;
}

static bool file_rdonly_mount(const struct file *f)
{
	return f->dentry && (f->dentry->mnt->flags & MS_RDONLY);
}

static long path_getxattr(uintptr_t path, uintptr_t name, uintptr_t value, size_t size, bool follow)
{
	struct path_target t;
	long r = xattr_path_get(path, follow, &t);

	if (r)
		return r;
	r = do_getxattr(t.inode, name, value, size);
	at_target_put(&t);
	return r;
}

SYSCALL_DEFINE4(getxattr, uintptr_t, path, uintptr_t, name, uintptr_t, value, size_t, size)
{
	return path_getxattr(path, name, value, size, true);
}

SYSCALL_DEFINE4(lgetxattr, uintptr_t, path, uintptr_t, name, uintptr_t, value, size_t, size)
{
	return path_getxattr(path, name, value, size, false);
}

SYSCALL_DEFINE4(fgetxattr, int, fd, uintptr_t, name, uintptr_t, value, size_t, size)
{
	struct file *f = xattr_fget(fd);
	long r;

	if (!f)
		return -EBADF;
	r = do_getxattr(f->inode, name, value, size);
	fput(f);
	return r;
}

static long path_setxattr(uintptr_t path, uintptr_t name, uintptr_t value, size_t size, int flags,
			  bool follow)
{
	struct path_target t;
	long r = xattr_path_get(path, follow, &t);

	if (r)
		return r;
	r = do_setxattr(t.inode, target_rdonly(&t), name, value, size, flags);
	at_target_put(&t);
	return r;
}

SYSCALL_DEFINE5(setxattr, uintptr_t, path, uintptr_t, name, uintptr_t, value, size_t, size, int,
		flags)
{
	return path_setxattr(path, name, value, size, flags, true);
}

SYSCALL_DEFINE5(lsetxattr, uintptr_t, path, uintptr_t, name, uintptr_t, value, size_t, size, int,
		flags)
{
	return path_setxattr(path, name, value, size, flags, false);
}

SYSCALL_DEFINE5(fsetxattr, int, fd, uintptr_t, name, uintptr_t, value, size_t, size, int, flags)
{
	struct file *f = xattr_fget(fd);
	long r;

	if (!f)
		return -EBADF;
	r = do_setxattr(f->inode, file_rdonly_mount(f), name, value, size, flags);
	fput(f);
	return r;
}

static long path_listxattr(uintptr_t path, uintptr_t list, size_t size, bool follow)
{
	struct path_target t;
	long r = xattr_path_get(path, follow, &t);

	if (r)
		return r;
	r = do_listxattr(t.inode, list, size);
	at_target_put(&t);
	return r;
}

SYSCALL_DEFINE3(listxattr, uintptr_t, path, uintptr_t, list, size_t, size)
{
	return path_listxattr(path, list, size, true);
}

SYSCALL_DEFINE3(llistxattr, uintptr_t, path, uintptr_t, list, size_t, size)
{
	return path_listxattr(path, list, size, false);
}

SYSCALL_DEFINE3(flistxattr, int, fd, uintptr_t, list, size_t, size)
{
	struct file *f = xattr_fget(fd);
	long r;

	if (!f)
		return -EBADF;
	r = do_listxattr(f->inode, list, size);
	fput(f);
	return r;
}

static long path_removexattr(uintptr_t path, uintptr_t name, bool follow)
{
	struct path_target t;
	long r = xattr_path_get(path, follow, &t);

	if (r)
		return r;
	r = do_removexattr(t.inode, target_rdonly(&t), name);
	at_target_put(&t);
	return r;
}

SYSCALL_DEFINE2(removexattr, uintptr_t, path, uintptr_t, name)
{
	return path_removexattr(path, name, true);
}

SYSCALL_DEFINE2(lremovexattr, uintptr_t, path, uintptr_t, name)
{
	return path_removexattr(path, name, false);
}

SYSCALL_DEFINE2(fremovexattr, int, fd, uintptr_t, name)
{
	struct file *f = xattr_fget(fd);
	long r;

	if (!f)
		return -EBADF;
	r = do_removexattr(f->inode, file_rdonly_mount(f), name);
	fput(f);
	return r;
}
