/* [mount(2)] and [umount(2)] umount2. Bind and move mounts are not
 * supported in this version (-EINVAL); remounting only changes the
 * read-only flag; propagation changes (MS_SHARED/PRIVATE/SLAVE/UNBINDABLE)
 * are accepted and mean nothing with a single mount namespace. */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>

#include "internal.h"

#define MS_MGC_MSK 0xffff0000UL
#define MS_MGC_VAL 0xC0ED0000UL
#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)
#define MNT_FORCE 1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8

/* Copy an optional user string of at most max bytes (NUL included) into a
 * new kernel buffer; *out NULL if uaddr is 0. */
static int copy_str(uintptr_t uaddr, size_t max, char **out)
{
	long n;

	*out = NULL;
	if (!uaddr)
		return 0;
	*out = kmalloc(max);
	if (!*out)
		return -ENOMEM;
	n = strncpy_from_user(*out, uaddr, max);
	if (n < 0) {
		kfree(*out);
		*out = NULL;
		return n == -ENAMETOOLONG ? -EINVAL : (int)n;
	}
	return 0;
}

static int do_remount(struct dentry *d, unsigned long flags)
{
	struct mount *m = d->mnt;

	if (m->root != d)
		return -EINVAL;
	m->flags = (m->flags & ~MS_RDONLY) | (flags & MS_RDONLY);
	m->sb->flags = (m->sb->flags & ~MS_RDONLY) | (flags & MS_RDONLY);
	return 0;
}

/* [mount(2)] */
SYSCALL_DEFINE5(mount, uintptr_t, usource, uintptr_t, utarget, uintptr_t, ufstype, unsigned long,
		flags, uintptr_t, udata)
{
	char *source = NULL, *fstype = NULL, *data = NULL;
	struct dentry *target;
	int err;

	if (!current_is_root())
		return -EPERM;
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	err = path_lookup_user(AT_FDCWD, utarget, LOOKUP_FOLLOW, &target);
	if (err)
		return err;
	if (flags & MS_REMOUNT) {
		err = do_remount(target, flags);
		goto out;
	}
	err = -EINVAL;
	if (flags & (MS_BIND | MS_MOVE))
		goto out; /* not supported in this version */
	err = 0;
	if (flags & MS_PROPAGATION)
		goto out;
	err = copy_str(ufstype, PAGE_SIZE, &fstype);
	if (!err && !fstype)
		err = -EINVAL;
	if (!err)
		err = copy_str(usource, PATH_MAX, &source);
	if (!err)
		err = copy_str(udata, PAGE_SIZE, &data);
	if (err)
		goto out;
	err = -ENOTDIR;
	if (!S_ISDIR(target->inode->mode))
		goto out;
	err = do_mount(source, target, fstype, flags, data);
out:
	kfree(source);
	kfree(fstype);
	kfree(data);
	dput(target);
	return err;
}

/* [umount(2)] umount2: -EINVAL if target is not a mount point, -EBUSY if
 * it is in use (unless MNT_DETACH). */
SYSCALL_DEFINE2(umount2, uintptr_t, utarget, int, flags)
{
	struct dentry *target;
	int err;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	if (!current_is_root())
		return -EPERM;
	err = path_lookup_user(AT_FDCWD, utarget, (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
			       &target);
	if (err)
		return err;
	return do_umount(target, flags & MNT_DETACH);
}
