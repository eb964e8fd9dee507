/* Open file descriptions (struct file): allocation and reference counting.
 * [open(2)] "open file description". */
#include <kernel/kmalloc.h>
#include <kernel/printk.h>

#include "internal.h"

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
	/* The file system serving the inode (pseudo file systems of the core,
	 * svc.name NULL, are called directly). dentry_open() changes it for
	 * device nodes. */
	f->svc = inode ? sb_svc(inode->sb) : NULL;
	return f;
}

void fget(struct file *f)
{
	f->refcount++;
}

static void file_free(struct file *f)
{
	struct dentry *d = f->dentry;
	struct inode *inode = f->inode;

	kfree(f);
	dput(d);
	iput(inode);
}

/* Drop a reference; the last one calls f_op->release, then drops the
 * dentry and the inode. */
void fput(struct file *f)
{
	if (!f)
		return;
	KASSERT(f->refcount > 0);
	if (--f->refcount)
		return;
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
