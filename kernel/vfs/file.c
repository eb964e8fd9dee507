/* Open file descriptions (struct file): allocation and reference counting.
 * [open(2)] "open file description". */
#include <kernel/eventpoll.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>

#include "internal.h"
#include "locks.h"

/* A new open file description for inode (may be NULL) with ops fop and
 * kernel O_* status flags; refcount 1, pos 0. Takes its own reference on
 * inode (the caller keeps its own). NULL on -ENOMEM. */
struct file *file_alloc(struct inode *inode, const struct file_operations *fop, unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->inode = inode;
	if (inode)
		iget(inode);
	f->f_op = fop;
	f->flags = flags;
	f->refcount = 1;
	list_init(&f->f_ep);
	/* The file system serving the inode (pseudo file systems of the core,
	 * svc.name NULL, are called directly). dentry_open() changes it for
	 * device nodes. */
	f->svc = inode ? sb_svc(inode->sb) : NULL;
	return f;
}

/* f->refcount is atomic (Linux's f_count): a descriptor table, a
 * mapping, an epoll item or a call in progress each hold one, on any CPU;
 * the last fput() frees the description. */
void fget(struct file *f)
{
	__atomic_fetch_add(&f->refcount, 1, __ATOMIC_RELAXED);
}

static void file_free(struct file *f)
{
	struct dentry *d = f->dentry;
	struct inode *inode = f->inode;

	if (f->counted_write)
		inode->i_writecount--;
	if (f->counted_read)
		inode->i_readcount--;
	if (f->denied_write)
		inode->i_writecount++;
	kfree(f);
	dput(d);
	iput(inode);
}

void fsnotify_file(struct file *f, uint32_t mask)
{
	struct dentry *d = f->dentry;

	if (d)
		fsnotify_inode(f->inode, d->parent ? d->parent->inode : NULL, d->name, d->namelen,
			       mask);
	else
		fsnotify_inode(f->inode, NULL, NULL, 0, mask);
}

/* Drop a reference; the last one releases the description's OFD and
 * flock locks and its lease ([fcntl(2)], [flock(2)]: "released ... when
 * all such file descriptors have been closed"), calls f_op->release, then
 * drops the dentry and the inode. */
void fput(struct file *f)
{
	if (!f)
		return;
	KASSERT(__atomic_load_n(&f->refcount, __ATOMIC_RELAXED) > 0);
	if (__atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	if (f->dentry && !(f->flags & O_PATH))
		fsnotify_file(f, file_writable(f) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
	eventpoll_release(f); /* before release: its wait queues may go with it */
	dnotify_flush(f, NULL);
	locks_remove_file(f);
	if (!(f->flags & O_PATH))
		file_op_release(f);
	file_free(f);
}

/* A file whose open failed (f_op->open not called or returned an error):
 * no release. */
void file_abort(struct file *f)
{
	file_free(f);
}

/* [execve(2)] ETXTBSY: a file being executed may not be open for writing,
 * and while it runs nobody may open it for writing (Linux's
 * deny_write_access(): i_writecount goes negative). The denial lasts until
 * allow_write_access() or the last fput() of f. 0 or -ETXTBSY. */
int deny_write_access(struct file *f)
{
	struct inode *inode = f->inode;

	if (f->denied_write)
		return 0;
	if (inode->i_writecount > 0)
		return -ETXTBSY;
	inode->i_writecount--;
	f->denied_write = true;
	return 0;
}

void allow_write_access(struct file *f)
{
	if (f && f->denied_write) {
		f->inode->i_writecount++;
		f->denied_write = false;
	}
}

/* An open for writing of inode: -ETXTBSY while it is being executed
 * (Linux's get_write_access()). Counted in f until its last fput(). */
int file_get_write_access(struct file *f)
{
	if (f->inode->i_writecount < 0)
		return -ETXTBSY;
	f->inode->i_writecount++;
	f->counted_write = true;
	return 0;
}
