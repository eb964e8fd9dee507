/* File status: [stat(2)] newfstatat/fstat/stat/lstat, [statx(2)],
 * [statfs(2)] statfs/fstatfs. struct stat is the arch's (<hal/arch/abi.h>,
 * filled field by field); struct statx and struct statfs are the same on
 * x86_64 and arm64. */
#include <hal/usercopy.h>
#include <kernel/syscall.h>
#include <string.h>

#include "abi.h"
#include "internal.h"

#define STAT_BLKSIZE 4096

static void fill_stat(struct linux_stat *st, const struct inode *i)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = i->sb ? i->sb->dev : 0;
	st->st_ino = i->ino;
	st->st_nlink = i->nlink;
	st->st_mode = i->mode;
	st->st_uid = i->uid;
	st->st_gid = i->gid;
	st->st_rdev = i->rdev;
	st->st_size = (int64_t)i->size;
	st->st_blksize = STAT_BLKSIZE;
	st->st_blocks = (int64_t)i->blocks;
	st->st_atime_sec = i->atime.tv_sec;
	st->st_atime_nsec = (uint64_t)i->atime.tv_nsec;
	st->st_mtime_sec = i->mtime.tv_sec;
	st->st_mtime_nsec = (uint64_t)i->mtime.tv_nsec;
	st->st_ctime_sec = i->ctime.tv_sec;
	st->st_ctime_nsec = (uint64_t)i->ctime.tv_nsec;
}

static long stat_to_user(const struct inode *i, uintptr_t ubuf)
{
	struct linux_stat st;

	fill_stat(&st, i);
	return copy_to_user(ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

static long do_fstatat(int dirfd, uintptr_t upath, uintptr_t ubuf, int flags)
{
	struct path_target t;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	err = at_target_get(dirfd, upath, flags & AT_EMPTY_PATH,
			    (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &t);
	if (err)
		return err;
	err = stat_to_user(t.inode, ubuf);
	at_target_put(&t);
	return err;
}

/* [stat(2)] fstatat */
SYSCALL_DEFINE4(newfstatat, int, dirfd, uintptr_t, path, uintptr_t, buf, int, flags)
{
	return do_fstatat(dirfd, path, buf, flags);
}

/* [stat(2)] fstat: any open file, O_PATH ones too. */
SYSCALL_DEFINE2(fstat, int, fd, uintptr_t, buf)
{
	struct file *f = fget_current(fd);
	long err;

	if (!f)
		return -EBADF;
	err = f->inode ? stat_to_user(f->inode, buf) : -EBADF;
	fput(f);
	return err;
}

/* [stat(2)] (x86_64) */
SYSCALL_DEFINE2(stat, uintptr_t, path, uintptr_t, buf)
{
	return do_fstatat(AT_FDCWD, path, buf, 0);
}

/* [stat(2)] lstat (x86_64) */
SYSCALL_DEFINE2(lstat, uintptr_t, path, uintptr_t, buf)
{
	return do_fstatat(AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW);
}

/* struct statx, [statx(2)] (include/uapi/linux/stat.h). */
struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t __reserved;
};
struct linux_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t __spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align, stx_dio_offset_align;
	uint64_t __spare3[12];
};
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx is 256 bytes");

#define STATX_BASIC_STATS 0x7ffu
#define STATX_MNT_ID 0x1000u
#define STATX__RESERVED 0x80000000u

static struct statx_timestamp stx_time(struct timespec64 ts)
{
	struct statx_timestamp t = { .tv_sec = ts.tv_sec, .tv_nsec = (uint32_t)ts.tv_nsec };

	return t;
}

/* [statx(2)]: the basic stats (no birth time). */
SYSCALL_DEFINE5(statx, int, dirfd, uintptr_t, path, int, flags, unsigned, mask, uintptr_t, buf)
{
	struct linux_statx sx;
	struct path_target t;
	const struct inode *i;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	err = at_target_get(dirfd, path, flags & AT_EMPTY_PATH,
			    (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &t);
	if (err)
		return err;
	i = t.inode;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID;
	sx.stx_blksize = STAT_BLKSIZE;
	sx.stx_nlink = i->nlink;
	sx.stx_uid = i->uid;
	sx.stx_gid = i->gid;
	sx.stx_mode = (uint16_t)i->mode;
	sx.stx_ino = i->ino;
	sx.stx_size = i->size;
	sx.stx_blocks = i->blocks;
	sx.stx_atime = stx_time(i->atime);
	sx.stx_ctime = stx_time(i->ctime);
	sx.stx_mtime = stx_time(i->mtime);
	sx.stx_rdev_major = MAJOR(i->rdev);
	sx.stx_rdev_minor = MINOR(i->rdev);
	if (i->sb) {
		sx.stx_dev_major = MAJOR(i->sb->dev);
		sx.stx_dev_minor = MINOR(i->sb->dev);
		sx.stx_mnt_id = MINOR(i->sb->dev);
	}
	at_target_put(&t);
	return copy_to_user(buf, &sx, sizeof(sx)) ? -EFAULT : 0;
}

/* struct statfs for 64-bit Linux (x86_64 and asm-generic, 120 bytes). */
struct linux_statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "struct statfs is 120 bytes");

#define ST_VALID 0x20

/* Magic numbers of include/uapi/linux/magic.h, by file system name. */
static int64_t fs_magic(const struct super_block *sb)
{
	static const struct {
		const char *name;
		int64_t magic;
	} tab[] = {
		{ "tmpfs", 0x01021994 },   { "devtmpfs", 0x01021994 }, { "ramfs", 0x858458f6 },
		{ "rootfs", 0x858458f6 },  { "proc", 0x9fa0 },	       { "sysfs", 0x62656572 },
		{ "devpts", 0x1cd1 },	   { "pipefs", 0x50495045 },   { "ext2", 0xef53 },
		{ "cgroup2", 0x63677270 }, { "debugfs", 0x64626720 },
	};
	const char *name = sb->type ? sb->type->name : "";

	for (size_t k = 0; k < ARRAY_SIZE(tab); k++) {
		if (strcmp(tab[k].name, name) == 0)
			return tab[k].magic;
	}
	return 0x01021994;
}

static long statfs_to_user(struct super_block *sb, unsigned long mnt_flags, uintptr_t ubuf)
{
	struct linux_statfs st;
	uint64_t blocks, bfree, files;
	struct kstatfs ks;
	int err = fs_kstatfs(sb, &ks);

	memset(&st, 0, sizeof(st));
	if (err == -ENOSYS) {
		err = fs_statfs(sb, &blocks, &bfree, &files);
		if (err)
			return err;
		st.f_bsize = PAGE_SIZE;
		st.f_blocks = blocks;
		st.f_bfree = bfree;
		st.f_bavail = bfree;
		/* files = inodes in use; memory file systems can make one per free
		 * block, so report that as the free count. */
		st.f_files = files + bfree;
		st.f_ffree = bfree;
		st.f_namelen = NAME_MAX;
	} else if (err) {
		return err;
	} else {
		st.f_bsize = (int64_t)ks.bsize;
		st.f_blocks = ks.blocks;
		st.f_bfree = ks.bfree;
		st.f_bavail = ks.bavail;
		st.f_files = ks.files;
		st.f_ffree = ks.ffree;
		st.f_namelen = ks.namelen;
	}
	st.f_type = fs_magic(sb);
	st.f_fsid[0] = (int32_t)(sb->dev & 0xffffffff);
	st.f_fsid[1] = (int32_t)(sb->dev >> 32);
	st.f_frsize = st.f_bsize;
	/* ST_* flags share the MS_* bit values ([statfs(2)] f_flags). */
	st.f_flags =
		(int64_t)(ST_VALID | (mnt_flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
						   MS_SYNCHRONOUS | MS_NOATIME | MS_NODIRATIME)));
	return copy_to_user(ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

/* [statfs(2)] */
SYSCALL_DEFINE2(statfs, uintptr_t, path, uintptr_t, buf)
{
	struct dentry *d;
	long err = path_lookup_user(AT_FDCWD, path, LOOKUP_FOLLOW, &d);

	if (err)
		return err;
	err = statfs_to_user(d->inode->sb, d->mnt->flags, buf);
	dput(d);
	return err;
}

/* [statfs(2)] fstatfs */
SYSCALL_DEFINE2(fstatfs, int, fd, uintptr_t, buf)
{
	struct file *f = fget_current(fd);
	long err;

	if (!f)
		return -EBADF;
	if (!f->inode || !f->inode->sb)
		err = -EBADF;
	else
		err = statfs_to_user(f->inode->sb, f->dentry ? f->dentry->mnt->flags : 0, buf);
	fput(f);
	return err;
}
