/* Hard and symbolic links: [link(2)]/linkat, [symlink(2)]/symlinkat,
 * [readlink(2)]/readlinkat. */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <string.h>

#include "internal.h"

/* Link the object old (positive dentry) as nd's final component:
 * across mounts -EXDEV, directories -EPERM, an unlinked file -ENOENT. The
 * new name is looked up first, as Linux's filename_create() before
 * vfs_link(): link("/", "/") is -EEXIST, not -EPERM. */
int do_link_nd(struct dentry *old, struct nameidata *nd)
{
	struct inode *inode = old->inode;
	struct dentry *d;
	int err;

	err = namei_create(nd, &d, false);
	if (err)
		return err;
	/* Linux's do_linkat() refuses a cross-mount link before vfs_link()
	 * looks at the type: link("/proc/self/net", "/x") is -EXDEV. */
	if (nd->dir->mnt != old->mnt)
		err = -EXDEV;
	else if (S_ISDIR(inode->mode))
		err = -EPERM;
	else if (inode->nlink == 0)
		err = -ENOENT;
	else
		err = fs_link(nd->dir->inode, nd->last, nd->last_len, inode);
	if (!err) {
		iget(inode);
		d_instantiate(d, inode);
	}
	dput(d);
	return err;
}

/* Create a symlink to target as nd's final component. */
int do_symlink_nd(const char *target, struct nameidata *nd)
{
	struct dentry *d;
	struct inode *inode;
	int err;

	if (!target[0])
		return -ENOENT; /* [symlink(2)]: empty target */
	err = namei_create(nd, &d, false);
	if (err)
		return err;
	err = fs_symlink(nd->dir->inode, nd->last, nd->last_len, target, &inode);
	if (!err) {
		d_instantiate(d, inode);
	}
	dput(d);
	return err;
}

/* [link(2)] linkat: AT_SYMLINK_FOLLOW follows a final symlink of oldpath;
 * AT_EMPTY_PATH links the file olddirfd refers to. */
SYSCALL_DEFINE5(linkat, int, olddirfd, uintptr_t, oldpath, int, newdirfd, uintptr_t, newpath, int,
		flags)
{
	struct path_target t;
	struct nameidata nd;
	struct dentry *old;
	int err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && !current_is_root())
		return -ENOENT; /* needs CAP_DAC_READ_SEARCH */
	err = at_target_get(olddirfd, oldpath, flags & AT_EMPTY_PATH,
			    (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0, &t);
	if (err)
		return err;
	old = t.dentry ? t.dentry : (t.file ? t.file->dentry : NULL);
	if (!old) {
		at_target_put(&t);
		return -ENOENT;
	}
	err = nd_init_user(&nd, newdirfd, newpath, 0);
	if (!err)
		err = do_link_nd(old, &nd);
	nd_release(&nd);
	at_target_put(&t);
	return err;
}

/* [link(2)] (x86_64) */
SYSCALL_DEFINE2(link, uintptr_t, oldpath, uintptr_t, newpath)
{
	unsigned long args[5] = { (unsigned long)(long)AT_FDCWD, oldpath,
				  (unsigned long)(long)AT_FDCWD, newpath, 0 };

	return sys_linkat(args);
}

/* [symlink(2)] symlinkat */
SYSCALL_DEFINE3(symlinkat, uintptr_t, utarget, int, newdirfd, uintptr_t, linkpath)
{
	char *target = kmalloc(PATH_MAX);
	struct nameidata nd;
	long len;
	int err;

	if (!target)
		return -ENOMEM;
	len = strncpy_from_user(target, utarget, PATH_MAX);
	if (len < 0) {
		kfree(target);
		return len;
	}
	err = nd_init_user(&nd, newdirfd, linkpath, 0);
	if (!err)
		err = do_symlink_nd(target, &nd);
	nd_release(&nd);
	kfree(target);
	return err;
}

/* [symlink(2)] (x86_64) */
SYSCALL_DEFINE2(symlink, uintptr_t, target, uintptr_t, linkpath)
{
	unsigned long args[3] = { target, (unsigned long)(long)AT_FDCWD, linkpath };

	return sys_symlinkat(args);
}

/* [readlink(2)] readlinkat: no NUL appended; truncated to bufsiz; not a
 * symlink -EINVAL. An empty path reads the link dirfd refers to (O_PATH). */
SYSCALL_DEFINE4(readlinkat, int, dirfd, uintptr_t, path, uintptr_t, buf, int, bufsiz)
{
	struct path_target t;
	char *target;
	size_t n;
	int err;

	if (bufsiz <= 0)
		return -EINVAL;
	err = at_target_get(dirfd, path, true, 0, &t);
	if (err)
		return err;
	if (!S_ISLNK(t.inode->mode)) {
		err = t.empty ? -ENOENT : -EINVAL;
		at_target_put(&t);
		return err;
	}
	err = read_link(t.inode, &target);
	at_target_put(&t);
	if (err)
		return err;
	n = MIN(strlen(target), (size_t)bufsiz);
	err = copy_to_user(buf, target, n) ? -EFAULT : (int)n;
	kfree(target);
	return err;
}

/* [readlink(2)] (x86_64) */
SYSCALL_DEFINE3(readlink, uintptr_t, path, uintptr_t, buf, int, bufsiz)
{
	unsigned long args[4] = { (unsigned long)(long)AT_FDCWD, path, buf, (unsigned long)bufsiz };

	return sys_readlinkat(args);
}
