/* Inodes: allocation, reference counting and eviction, timestamps. */
#include <kernel/current.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <kernel/time.h>

#include "internal.h"

/* Inode numbers are unique across all super blocks (so also within one);
 * a file system may overwrite ino with its own numbering. */
static uint64_t next_ino = 1;

/* A zeroed inode of sb: refcount 1, a fresh ino, the times set to now.
 * The file system fills mode, nlink, ops and i_private. NULL: -ENOMEM. */
struct inode *inode_alloc(struct super_block *sb)
{
	struct inode *inode = kzalloc(sizeof(*inode));

	if (!inode)
		return NULL;
	inode->sb = sb;
	inode->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	inode->refcount = 1;
	inode->atime = inode->mtime = inode->ctime = current_time();
	return inode;
}

void inode_init_owner(struct inode *inode, const struct inode *dir, mode_t mode)
{
	inode->uid = current_fsuid();
	inode->gid = current_fsgid();
	/* A setgid directory hands its group down, and the bit to subdirectories. */
	if (dir && (dir->mode & S_ISGID)) {
		inode->gid = dir->gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
	}
	inode->mode = new_inode_sgid_fixup(mode, inode->gid);
}

/* inode->refcount is atomic. A linked inode whose count is zero stays
 * with its file system, which hands out new references (under its own
 * directory locking) when a lookup finds it. */
void iget(struct inode *inode)
{
	__atomic_fetch_add(&inode->refcount, 1, __ATOMIC_RELAXED);
}

/* Drop a reference. At zero, an inode with no links left is evicted:
 * sb->s_op->evict() then owns it (frees i_private and the inode itself,
 * kfree()); with no evict op the VFS frees it. A linked inode at zero
 * stays with its file system, which reaches it through its directories. */
void iput(struct inode *inode)
{
	struct super_block *sb;

	if (!inode)
		return;
	KASSERT(__atomic_load_n(&inode->refcount, __ATOMIC_RELAXED) > 0);
	if (__atomic_sub_fetch(&inode->refcount, 1, __ATOMIC_ACQ_REL) || inode->nlink)
		return;
	sb = inode->sb;
	if (sb && !sb->svc.failed && sb->s_op && sb->s_op->evict)
		svc_call_void(&sb->svc, sb->s_op->evict(inode));
	else
		kfree(inode);
}

/* Wall-clock time for timestamps ([inode(7)] "Timestamp fields"). */
struct timespec64 current_time(void)
{
	int64_t ns = time_realtime_ns();
	struct timespec64 ts;

	if (ns < 0)
		ns = 0;
	ts.tv_sec = ns / NSEC_PER_SEC;
	ts.tv_nsec = ns % NSEC_PER_SEC;
	return ts;
}

/* f_op->poll for objects that never block (regular files). [poll(2)] */
unsigned generic_poll_ready(struct file *f, struct wait_queue **wq_out)
{
	if (wq_out)
		*wq_out = NULL;
	return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}
