/* tmpfs symlinks and special files (device nodes, FIFOs, sockets: the VFS
 * opens them by type and rdev, tmpfs only stores them). [symlink(7)],
 * [readlink(2)], [mknod(2)] */
#include <kernel/errno.h>
#include <string.h>

#include "tmpfs.h"

/* Copy at most len bytes of the target into buf (no NUL); its length. */
static ssize_t tmpfs_readlink(struct inode *inode, char *buf, size_t len)
{
	struct tmpfs_inode *ti = TI(inode);
	size_t n = MIN(len, ti->symlink.len);

	memcpy(buf, ti->symlink.target, n);
	return (ssize_t)n;
}

const struct inode_operations tmpfs_symlink_iops = {
	.readlink = tmpfs_readlink,
	.setattr = tmpfs_setattr,
	TMPFS_XATTR_IOPS,
};

const struct inode_operations tmpfs_special_iops = {
	.setattr = tmpfs_setattr,
	TMPFS_XATTR_IOPS,
};
