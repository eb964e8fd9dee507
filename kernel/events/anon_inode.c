/* Anonymous inodes: the inode and file behind an epoll, eventfd, timerfd or
 * signalfd descriptor (Linux fs/anon_inodes.c). Each file gets its own
 * inode (mode 0600, no file type, as Linux's anon_inode_getfd() gives for
 * these: fstat shows st_mode 0600); /proc/<pid>/fd/N reads
 * "anon_inode:[name]". */
#include <kernel/errno.h>
#include <kernel/eventpoll.h>
#include <kernel/fdtable.h>
#include <kernel/task.h>
#include <kernel/vfs.h>

#include "events_internal.h"

static struct file_system_type anon_type = { .name = "anon_inodefs" };
static struct super_block anon_sb = {
	.type = &anon_type,
	.dev = MKDEV(0, 13),
	.s_dir_mutex = MUTEX_INIT(anon_sb.s_dir_mutex, "sb.s_dir_mutex"),
};

const char *anon_inode_name(const struct file *f)
{
	if (!f->inode || f->inode->sb != &anon_sb)
		return NULL;
	return f->inode->i_private;
}

int anon_inode_getfd(const char *name, const struct file_operations *fops, void *priv,
		     unsigned flags, struct file **out)
{
	struct inode *inode = inode_alloc(&anon_sb);
	struct file *f;
	int fd;

	if (!inode)
		return -ENOMEM;
	inode->mode = 0600;
	inode->nlink = 1;
	inode->uid = current->euid;
	inode->gid = current->egid;
	inode->i_private = (void *)name;
	f = file_alloc(inode, fops, O_RDWR | (flags & O_NONBLOCK));
	iput(inode);
	if (!f)
		return -ENOMEM;
	f->private_data = priv;
	fd = fd_install(current->files, f, 0, (flags & O_CLOEXEC) != 0);
	if (fd < 0) {
		f->private_data = NULL; /* the caller frees priv */
		f->f_op = NULL;
		fput(f);
		return fd;
	}
	if (out)
		*out = f;
	return fd;
}
