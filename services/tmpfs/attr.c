/* tmpfs attribute changes: chmod, chown, truncate, utimensat.
 * [chmod(2)], [chown(2)], [truncate(2)], [utimensat(2)] */
#include <kernel/errno.h>

#include "tmpfs.h"

/* Apply attr (permission checks are the VFS's). ATTR_SIZE on a directory
 * is -EISDIR, on anything but a regular file -EINVAL; -EFBIG past the
 * largest file. The change time is set to now unless ATTR_CTIME gives it;
 * a size change also sets mtime unless ATTR_MTIME gives it. */
int tmpfs_setattr(struct inode *inode, const struct iattr *attr)
{
	struct timespec64 now = current_time();

	if (attr->valid & ATTR_SIZE) {
		if (S_ISDIR(inode->mode))
			return -EISDIR;
		if (!S_ISREG(inode->mode))
			return -EINVAL;
		int r = tmpfs_set_size(inode, attr->size);
		if (r)
			return r;
		inode->mtime = now;
	}
	if (!(attr->valid & ATTR_CTIME))
		inode->ctime = now;
	setattr_copy(inode, attr);
	return 0;
}
