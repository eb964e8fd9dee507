/* The working and root directories: [chdir(2)], fchdir, [chroot(2)],
 * [getcwd(3)] (the raw syscall returns the length including the NUL). */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>

#include "internal.h"

/* [chdir(2)] */
SYSCALL_DEFINE1(chdir, uintptr_t, path)
{
	struct dentry *d;
	int err = path_lookup_user(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &d);

	if (err)
		return err;
	err = inode_permission(d->inode, 1, false);
	if (err) {
		dput(d);
		return err;
	}
	set_current_cwd(d);
	return 0;
}

/* [chdir(2)] fchdir: O_PATH descriptors are fine. */
SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct file *f = fget_current(fd);
	struct dentry *d;

	if (!f)
		return -EBADF;
	if (!f->dentry || !f->inode || !S_ISDIR(f->inode->mode)) {
		fput(f);
		return -ENOTDIR;
	}
	d = dget(f->dentry);
	fput(f);
	set_current_cwd(d);
	return 0;
}

/* [chroot(2)]: privileged; the cwd is left alone (as Linux). */
SYSCALL_DEFINE1(chroot, uintptr_t, path)
{
	struct dentry *d;
	int err = path_lookup_user(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &d);

	if (err)
		return err;
	if (!current_is_root()) {
		dput(d);
		return -EPERM;
	}
	set_current_root(d);
	return 0;
}

/* [getcwd(3)] "C library/kernel differences": returns the length of the
 * path including the NUL; -ERANGE if size is too small; -ENOENT if the
 * directory was removed. */
SYSCALL_DEFINE2(getcwd, uintptr_t, buf, size_t, size)
{
	struct dentry *cwd = current_cwd(), *root = current_root();
	char *path = kmalloc(PATH_MAX);
	long r;

	if (!cwd || !path) {
		r = cwd ? -ENOMEM : -ENOENT;
		goto out;
	}
	if (d_unlinked(cwd)) {
		r = -ENOENT;
		goto out;
	}
	r = d_path(cwd, root, path, PATH_MAX, false);
	if (r < 0)
		goto out;
	if ((size_t)r + 1 > size) {
		r = -ERANGE;
		goto out;
	}
	r = copy_to_user(buf, path, (size_t)r + 1) ? -EFAULT : r + 1;
out:
	kfree(path);
	dput(cwd);
	dput(root);
	return r;
}
