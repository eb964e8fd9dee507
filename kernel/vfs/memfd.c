/* Anonymous memory files: [memfd_create(2)] and file sealing, [fcntl(2)]
 * "File Sealing" (Linux mm/memfd.c).
 *
 * A memfd is a regular file of an internal tmpfs instance (mounted on first
 * use with kern_mount(), attached nowhere, so /proc/mounts does not show
 * it), created and unlinked at once: it lives while a descriptor or a
 * mapping holds it. Its seals are in inode->i_seals with I_SEALS_MEMFD
 * marking the inode as sealable at all; the checks are where the changes
 * happen: do_write() (memfd_write_check), do_truncate()
 * (memfd_truncate_check) and mmap (memfd_mmap_check).
 *
 * Lock: memfd_lock guards the internal mount and the name counter; seals
 * change under the inode's lock rule of the VFS (file_lock_mutex is not
 * needed: F_ADD_SEALS only ever adds bits). */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/vfs.h>
#include <string.h>

#include "internal.h"

#define MFD_CLOEXEC 0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#define MFD_NAME_PREFIX "memfd:"
#define MFD_NAME_MAX (NAME_MAX - (sizeof(MFD_NAME_PREFIX) - 1)) /* 249 */

/* The internal tmpfs and the counter that names its files. */
static struct mutex memfd_lock = MUTEX_INIT(memfd_lock, "memfd_lock");
static struct super_block *memfd_sb;
static unsigned long memfd_seq;

int memfd_write_check(struct inode *inode, uint64_t pos, size_t len)
{
	unsigned seals = inode->i_seals;

	if (!(seals & I_SEALS_MEMFD))
		return 0;
	if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if ((seals & F_SEAL_GROW) && pos + len > inode->size)
		return -EPERM;
	return 0;
}

int memfd_truncate_check(struct inode *inode, uint64_t length)
{
	unsigned seals = inode->i_seals;

	if (!(seals & I_SEALS_MEMFD))
		return 0;
	if ((seals & F_SEAL_SHRINK) && length < inode->size)
		return -EPERM;
	if ((seals & F_SEAL_GROW) && length > inode->size)
		return -EPERM;
	return 0;
}

int memfd_mmap_check(struct inode *inode, bool shared_write)
{
	if (shared_write && (inode->i_seals & I_SEALS_MEMFD) &&
	    (inode->i_seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EPERM;
	return 0;
}

/* [fcntl(2)] F_ADD_SEALS: -EINVAL (not a memfd, unknown seal), -EPERM
 * (F_SEAL_SEAL is set, or the file is not open for writing). Linux also
 * answers -EBUSY to F_SEAL_WRITE while a writable shared mapping exists;
 * that is not checked here. */
long memfd_add_seals(struct file *f, unsigned long seals)
{
	struct inode *inode = f->inode;

	if (!inode || !(inode->i_seals & I_SEALS_MEMFD))
		return -EINVAL;
	if (seals & ~(unsigned long)F_SEAL_ALL)
		return -EINVAL;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EPERM;
	if (inode->i_seals & F_SEAL_SEAL)
		return -EPERM;
	inode->i_seals |= (unsigned)seals;
	return 0;
}

/* F_GET_SEALS: the seals, or -EINVAL for a file that is not a memfd. */
long memfd_get_seals(struct file *f)
{
	if (!f->inode || !(f->inode->i_seals & I_SEALS_MEMFD))
		return -EINVAL;
	return f->inode->i_seals & F_SEAL_ALL;
}

/* The internal tmpfs, mounted on first use. */
static int memfd_get_sb(struct super_block **out)
{
	int err = 0;

	mutex_lock(&memfd_lock);
	if (!memfd_sb)
		err = kern_mount("tmpfs", &memfd_sb);
	*out = memfd_sb;
	mutex_unlock(&memfd_lock);
	return err;
}

/* A new unlinked regular file in the internal tmpfs: its inode,
 * referenced, in *out. */
static int memfd_inode(struct inode **out)
{
	struct super_block *sb;
	char name[32];
	int err = memfd_get_sb(&sb);

	if (err)
		return err;
	mutex_lock(&memfd_lock);
	snprintf(name, sizeof(name), "%lu", ++memfd_seq);
	mutex_unlock(&memfd_lock);
	err = fs_create(sb->root, name, strlen(name), S_IFREG | 0777, out);
	if (err)
		return err;
	fs_unlink(sb->root, name, strlen(name));
	return 0;
}

/* [memfd_create(2)]: -EINVAL (unknown or unsupported flags such as
 * MFD_HUGETLB, a name longer than 249 bytes), -EFAULT, -EMFILE, -ENOMEM. */
SYSCALL_DEFINE2(memfd_create, uintptr_t, uname, unsigned, flags)
{
	char name[MFD_NAME_MAX + 1];
	struct inode *inode;
	struct file *f;
	long len;
	int fd, err;

	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL;
	len = strncpy_from_user(name, uname, sizeof(name));
	if (len == -EFAULT)
		return -EFAULT;
	if (len < 0 || (size_t)len >= sizeof(name))
		return -EINVAL; /* longer than 249 bytes */
	err = memfd_inode(&inode);
	if (err)
		return err;
	inode->i_seals = I_SEALS_MEMFD | ((flags & MFD_ALLOW_SEALING) ? 0 : F_SEAL_SEAL);
	f = file_alloc(inode, inode->i_fop, O_RDWR | O_LARGEFILE);
	iput(inode);
	if (!f)
		return -ENOMEM;
	fd = fd_install(current->files, f, 0, (flags & MFD_CLOEXEC) != 0);
	if (fd < 0)
		fput(f);
	return fd;
}
