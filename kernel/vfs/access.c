/* [access(2)]: faccessat, faccessat2, access. Checked with the real ids
 * unless AT_EACCESS; root may read and write anything and execute what
 * has some x bit. */
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "internal.h"

#define F_OK 0
#define W_OK 2

static long do_faccessat(int dirfd, uintptr_t path, int mode, int flags)
{
	struct path_target t;
	const struct dentry *d;
	int err;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* Linux's access_override_creds(): the walk and the check use the
	 * real ids unless AT_EACCESS. */
	current->access_real = !(flags & AT_EACCESS);
	err = at_target_get(dirfd, path, flags & AT_EMPTY_PATH,
			    (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &t);
	if (err) {
		current->access_real = false;
		return err;
	}
	d = t.dentry ? t.dentry : (t.file ? t.file->dentry : NULL);
	if (mode == F_OK)
		err = 0;
	else if ((mode & W_OK) && d && (d->mnt->flags & MS_RDONLY) &&
		 (S_ISREG(t.inode->mode) || S_ISDIR(t.inode->mode) || S_ISLNK(t.inode->mode)))
		err = -EROFS;
	else
		err = inode_permission(t.inode, mode, false);
	current->access_real = false;
	at_target_put(&t);
	return err;
}

/* [access(2)] faccessat (no flags argument in the syscall) */
SYSCALL_DEFINE3(faccessat, int, dirfd, uintptr_t, path, int, mode)
{
	return do_faccessat(dirfd, path, mode, 0);
}

/* [access(2)] faccessat2 */
SYSCALL_DEFINE4(faccessat2, int, dirfd, uintptr_t, path, int, mode, int, flags)
{
	return do_faccessat(dirfd, path, mode, flags);
}

/* [access(2)] (x86_64) */
SYSCALL_DEFINE2(access, uintptr_t, path, int, mode)
{
	return do_faccessat(AT_FDCWD, path, mode, 0);
}
