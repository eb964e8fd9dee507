/* procfs files and links: contents generated at open() (seq_file style)
 * and read by offset; link targets generated at each readlink. [proc(5)] */
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <stdarg.h>
#include <string.h>

#include "procfs.h"

#define SEQ_FIRST 4096
#define SEQ_MAX (4u << 20) /* a file larger than this is cut short */
#define WRITE_MAX 4096

void seq_printf(struct seqbuf *s, const char *fmt, ...)
{
	va_list ap;
	size_t room = s->cap - s->len;
	int n;

	if (s->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		s->overflow = true;
		s->len = s->cap;
		return;
	}
	s->len += (size_t)n;
}

void seq_write(struct seqbuf *s, const void *data, size_t n)
{
	if (s->overflow)
		return;
	if (n > s->cap - s->len) {
		s->overflow = true;
		s->len = s->cap;
		return;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
}

int seq_fill(struct seqbuf *s, size_t (*fn)(char *buf, size_t room))
{
	size_t room = s->cap - s->len;
	size_t n = fn(s->buf + s->len, room);

	if (n + 1 >= room) {
		s->overflow = true;
		s->len = s->cap;
		return 0;
	}
	s->len += n;
	return 0;
}

/* Open: the task must still exist (-ESRCH), writes need a write op
 * (-EACCES); the contents are generated now. -ENOMEM. */
static int open_for(struct inode *inode, struct file *f, struct task *t);

static int proc_file_open(struct inode *inode, struct file *f)
{
	struct proc_node *n = inode->i_private;
	struct task *t = NULL;
	int r;

	if (n->entry->per_task) {
		t = proc_node_task(n);
		if (!t)
			return -ESRCH;
	}
	r = open_for(inode, f, t);
	put_task(t);
	return r;
}

/* The open of inode for t (referenced by the caller, or NULL). */
static int open_for(struct inode *inode, struct file *f, struct task *t)
{
	struct proc_node *n = inode->i_private;
	const struct proc_entry *e = n->entry;
	struct seqbuf *s;
	size_t cap = SEQ_FIRST;
	int r;

	if ((f->flags & O_ACCMODE) != O_RDONLY && !e->write)
		return -EACCES;
	if (e->open)
		return e->open(f, t);
	s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (;;) {
		s->buf = kmalloc(cap);
		if (!s->buf) {
			kfree(s);
			return -ENOMEM;
		}
		s->cap = cap;
		s->len = 0;
		s->overflow = false;
		r = e->show_fd ? e->show_fd(s, t, n->fd) : e->show(s, t);
		if (r) {
			kfree(s->buf);
			kfree(s);
			return r;
		}
		if (!s->overflow || cap >= SEQ_MAX)
			break;
		kfree(s->buf);
		cap *= 2;
	}
	f->private_data = s;
	return 0;
}

static ssize_t proc_file_read(struct file *f, struct uio *u, off_t *pos)
{
	struct seqbuf *s = f->private_data;

	if (*pos < 0)
		return -EINVAL;
	if (!s || (uint64_t)*pos >= s->len)
		return 0;
	size_t n = MIN(s->len - (size_t)*pos, u->len);
	if (uio_copy_out(u, s->buf + *pos, n))
		return -EFAULT;
	*pos += (off_t)n;
	return (ssize_t)n;
}

/* One write is one command (as Linux's proc writes): at most 4 KiB. */
static ssize_t proc_file_write(struct file *f, struct uio *u, off_t *pos)
{
	struct proc_node *n = f->inode->i_private;
	const struct proc_entry *e = n->entry;
	struct task *t = NULL;

	if (!e->write)
		return -EINVAL;
	if (e->per_task) {
		t = proc_node_task(n);
		if (!t)
			return -ESRCH;
	}
	size_t len = MIN(u->len, (size_t)WRITE_MAX);
	char *buf = kmalloc(len + 1);
	if (!buf) {
		put_task(t);
		return -ENOMEM;
	}
	if (uio_copy_in(u, buf, len)) {
		kfree(buf);
		put_task(t);
		return -EFAULT;
	}
	buf[len] = '\0';
	ssize_t r = e->write(t, buf, len);
	kfree(buf);
	put_task(t);
	if (r > 0)
		*pos += r;
	return r;
}

static void proc_file_release(struct file *f)
{
	struct seqbuf *s = f->private_data;

	if (s) {
		kfree(s->buf);
		kfree(s);
		f->private_data = NULL;
	}
}

const struct file_operations proc_file_fops = {
	.open = proc_file_open,
	.release = proc_file_release,
	.read = proc_file_read,
	.write = proc_file_write,
	.poll = generic_poll_ready,
};

/* Linux's proc_setattr() (fs/proc/base.c) refuses a mode change, and
 * chown of /proc/<pid> gives EPERM there too (nolibc-test's chmod_self and
 * chown_self): modes and owners here are the kernel's, derived from the
 * task, never set. Times may be set (kept in the inode); a size (O_TRUNC on
 * a writable file) is ignored, as Linux's proc files do. */
int proc_setattr(struct inode *inode, const struct iattr *attr)
{
	if (attr->valid & (ATTR_MODE | ATTR_UID | ATTR_GID))
		return -EPERM;
	setattr_copy(inode, attr);
	return 0;
}

const struct inode_operations proc_file_iops = {
	.setattr = proc_setattr,
};

/* readlink: the entry's generator; -ENOENT once the task is gone. */
static ssize_t proc_readlink(struct inode *inode, char *buf, size_t len)
{
	struct proc_node *n = inode->i_private;
	const struct proc_entry *e = n->entry;
	struct task *t = NULL;

	if (e->per_task) {
		t = proc_node_task(n);
		if (!t)
			return -ENOENT;
	}
	ssize_t r = e->readlink(t, n->fd, buf, len);
	put_task(t);
	return r;
}

static int proc_get_link_file(struct inode *inode, struct file **out)
{
	struct proc_node *n = inode->i_private;
	const struct proc_entry *e = n->entry;
	struct task *t = NULL;

	if (!e->get_file)
		return -EINVAL;
	if (e->per_task) {
		t = proc_node_task(n);
		if (!t)
			return -ENOENT;
	}
	int r = e->get_file(t, n->fd, out);
	put_task(t);
	return r;
}

const struct inode_operations proc_link_iops = {
	.readlink = proc_readlink,
	.get_link_file = proc_get_link_file,
	.setattr = proc_setattr,
};
