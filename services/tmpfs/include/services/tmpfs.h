/* tmpfs's public interface: what a file system built on tmpfs uses (devfs's
 * "devtmpfs", faultfs), as Linux's devtmpfs builds on shmem. The rest of
 * tmpfs (services/tmpfs/tmpfs.h) is private to it. Part of //services:tmpfs. */
#ifndef SERVICES_TMPFS_H
#define SERVICES_TMPFS_H
#include <kernel/vfs.h>

/* Fill sb as a fresh, empty tmpfs: parse the mount data ("size=", "mode=",
 * "uid=", "gid=", comma separated, unknown options ignored), create the
 * root directory with root_mode unless "mode=" says otherwise.
 * 0, -ENOMEM, -EINVAL (malformed size/mode value). */
int tmpfs_fill_super(struct super_block *sb, const char *data, mode_t root_mode);

/* The state of the file system built on this tmpfs instance (NULL until
 * set); kfree'd at unmount. */
void *tmpfs_owner_private(const struct super_block *sb);
void tmpfs_set_owner_private(struct super_block *sb, void *state);

/* tmpfs's operations, to delegate to. lookup() and the create operations
 * return a referenced inode in *out. */
extern const struct inode_operations tmpfs_dir_iops;
extern const struct file_operations tmpfs_dir_fops;
extern const struct file_operations tmpfs_file_fops;

#endif
