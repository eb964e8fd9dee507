/* inotify: [inotify(7)], [inotify_init1(2)], [inotify_add_watch(2)],
 * [inotify_rm_watch(2)] (Linux fs/notify/inotify/).
 *
 * The VFS reports changes through fsnotify_name() (a name in a directory
 * was created, deleted or moved: fs_create(), fs_unlink(), fs_rename() ...
 * in kernel/vfs/fsops.c) and fsnotify_inode() (a file was modified, had
 * its attributes changed, was closed). Each inotify instance keeps its
 * watches (inode -> wd, mask; the watch holds an inode reference) and a
 * queue of events read as struct inotify_event records. Events for a
 * file are also given to watchers of its parent directory, with the name,
 * when the VFS knows it (writes and closes through a path; attribute
 * changes only reach watchers of the file itself here).
 *
 * Lock: inotify_lock guards every instance's watch list and event queue
 * and the list of instances; events are queued from process context. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/eventpoll.h>
#include <kernel/kmalloc.h>
#include <kernel/spinlock.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/vfs.h>
#include <string.h>

#include "../vfs/internal.h"
#include "events_internal.h"

#define IN_ALL_EVENTS 0x00000fffu
#define IN_Q_OVERFLOW 0x00004000u
#define IN_IGNORED 0x00008000u
#define IN_ONLYDIR 0x01000000u
#define IN_DONT_FOLLOW 0x02000000u
#define IN_EXCL_UNLINK 0x04000000u
#define IN_MASK_CREATE 0x10000000u
#define IN_MASK_ADD 0x20000000u
#define IN_ONESHOT 0x80000000u
#define IN_CLOEXEC O_CLOEXEC
#define IN_NONBLOCK O_NONBLOCK
#define MAX_QUEUED_EVENTS 16384 /* /proc/sys/fs/inotify/max_queued_events */

struct inotify_event_hdr {
	int32_t wd;
	uint32_t mask;
	uint32_t cookie;
	uint32_t len; /* of name, NUL-padded to a multiple of 16 */
};

struct in_watch {
	struct list_head node; /* in group->watches */
	struct inode *inode;   /* referenced */
	int wd;
	uint32_t mask;
};

struct in_event {
	struct list_head node; /* in group->events */
	struct inotify_event_hdr hdr;
	char name[]; /* hdr.len bytes */
};

struct inotify_group {
	struct list_head node; /* in groups */
	struct list_head watches;
	struct list_head events;
	unsigned nr_events;
	int next_wd;
	struct wait_queue wq;
};

static DEFINE_SPINLOCK(inotify_lock);
static LIST_HEAD(groups);
static unsigned nr_watches; /* all groups: the VFS hooks return at once when 0 */
static uint32_t next_cookie;
static const struct file_operations inotify_fops;

static size_t name_space(size_t len)
{
	return len ? (len + 1 + 15) & ~(size_t)15 : 0;
}

/* Queue one event (coalescing an identical one at the tail, as Linux).
 * inotify_lock held. */
static void queue_event(struct inotify_group *g, int wd, uint32_t mask, uint32_t cookie,
			const char *name, size_t len)
{
	size_t space = name_space(len);
	struct in_event *e;

	if (!list_empty(&g->events)) {
		struct in_event *last = list_entry(g->events.prev, struct in_event, node);

		if (last->hdr.wd == wd && last->hdr.mask == mask && last->hdr.cookie == cookie &&
		    last->hdr.len == space && (!len || !strncmp(last->name, name, len)))
			return;
	}
	if (g->nr_events >= MAX_QUEUED_EVENTS) {
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = 0;
		len = space = 0;
		if (g->nr_events > MAX_QUEUED_EVENTS)
			return; /* one overflow event is enough */
	}
	e = kzalloc(sizeof(*e) + space);
	if (!e)
		return;
	e->hdr.wd = wd;
	e->hdr.mask = mask;
	e->hdr.cookie = cookie;
	e->hdr.len = (uint32_t)space;
	memcpy(e->name, name, len);
	list_add_tail(&e->node, &g->events);
	g->nr_events++;
	wake_up(&g->wq);
}

static void watch_free(struct inotify_group *g, struct in_watch *w)
{
	list_del(&w->node);
	nr_watches--;
	queue_event(g, w->wd, IN_IGNORED, 0, NULL, 0);
	/* iput may call into the file system: the caller does it unlocked */
}

/* Deliver mask (and name) to every watch on inode. inotify_lock held. */
static void notify(struct inode *inode, uint32_t mask, uint32_t cookie, const char *name,
		   size_t len, struct inode **put, unsigned *nput)
{
	struct inotify_group *g;

	list_for_each_entry(g, &groups, node) {
		struct in_watch *w, *n;

		list_for_each_entry_safe(w, n, &g->watches, node) {
			if (w->inode != inode || !(w->mask & mask & IN_ALL_EVENTS))
				continue;
			queue_event(g, w->wd, mask, cookie, name, len);
			if ((w->mask & IN_ONESHOT) && *nput < 8) {
				watch_free(g, w);
				put[(*nput)++] = w->inode;
				kfree(w);
			}
		}
	}
}

static void put_inodes(struct inode **put, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		iput(put[i]);
}

void fsnotify_name(struct inode *dir, uint32_t mask, const char *name, size_t len, uint32_t cookie)
{
	struct inode *put[8];
	unsigned nput = 0;
	irqflags_t fl;

	dnotify_event(dir, mask);
	if (!nr_watches || !dir)
		return;
	fl = spin_lock_irqsave(&inotify_lock);
	notify(dir, mask, cookie, name, len, put, &nput);
	spin_unlock_irqrestore(&inotify_lock, fl);
	put_inodes(put, nput);
}

void fsnotify_inode(struct inode *inode, struct inode *parent, const char *name, size_t len,
		    uint32_t mask)
{
	struct inode *put[8];
	unsigned nput = 0;
	irqflags_t fl;

	dnotify_event(inode, mask);
	dnotify_event(parent, mask);
	if (!nr_watches || !inode)
		return;
	if (S_ISDIR(inode->mode))
		mask |= IN_ISDIR;
	fl = spin_lock_irqsave(&inotify_lock);
	notify(inode, mask, 0, NULL, 0, put, &nput);
	if (parent)
		notify(parent, mask, 0, name, len, put, &nput);
	spin_unlock_irqrestore(&inotify_lock, fl);
	put_inodes(put, nput);
}

uint32_t fsnotify_cookie(void)
{
	irqflags_t fl = spin_lock_irqsave(&inotify_lock);
	uint32_t c = ++next_cookie;

	spin_unlock_irqrestore(&inotify_lock, fl);
	return c;
}

/* [inotify(7)] "Reading events from an inotify file descriptor": whole
 * events only; -EINVAL if the buffer cannot hold the first one. */
static ssize_t inotify_read(struct file *f, struct uio *u, off_t *pos)
{
	struct inotify_group *g = f->private_data;
	ssize_t done = 0;

	for (;;) {
		irqflags_t fl = spin_lock_irqsave(&inotify_lock);
		struct in_event *e;
		size_t size;
		int r;

		if (list_empty(&g->events)) {
			if (done || (f->flags & O_NONBLOCK)) {
				spin_unlock_irqrestore(&inotify_lock, fl);
				return done ? done : -EAGAIN;
			}
			/* Queued under inotify_lock, which event producers hold. */
			r = sched_sleep_locked(&g->wq, &inotify_lock, 0, true);
			spin_unlock_irqrestore(&inotify_lock, fl);
			if (r == -EINTR)
				return -ERESTARTSYS;
			continue;
		}
		e = list_first_entry(&g->events, struct in_event, node);
		size = sizeof(e->hdr) + e->hdr.len;
		if (size > u->len) {
			spin_unlock_irqrestore(&inotify_lock, fl);
			return done ? done : -EINVAL;
		}
		list_del(&e->node);
		g->nr_events--;
		spin_unlock_irqrestore(&inotify_lock, fl);
		if (uio_copy_out(u, &e->hdr, sizeof(e->hdr)) ||
		    (e->hdr.len && uio_copy_out(u, e->name, e->hdr.len))) {
			kfree(e);
			return done ? done : -EFAULT;
		}
		done += (ssize_t)size;
		kfree(e);
	}
}

static unsigned inotify_poll(struct file *f, struct wait_queue **wq_out)
{
	struct inotify_group *g = f->private_data;

	if (wq_out)
		*wq_out = &g->wq;
	return list_empty(&g->events) ? 0 : POLLIN | POLLRDNORM;
}

static long inotify_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct inotify_group *g = f->private_data;
	struct in_event *e;
	int n = 0;
	irqflags_t fl;

	if (cmd != 0x541B) /* FIONREAD */
		return -EINVAL;
	fl = spin_lock_irqsave(&inotify_lock);
	list_for_each_entry(e, &g->events, node)
		n += (int)(sizeof(e->hdr) + e->hdr.len);
	spin_unlock_irqrestore(&inotify_lock, fl);
	return copy_to_user(arg, &n, sizeof(n)) ? -EFAULT : 0;
}

static void inotify_release(struct file *f)
{
	struct inotify_group *g = f->private_data;
	irqflags_t fl = spin_lock_irqsave(&inotify_lock);

	list_del(&g->node);
	spin_unlock_irqrestore(&inotify_lock, fl);
	while (!list_empty(&g->watches)) {
		struct in_watch *w = list_first_entry(&g->watches, struct in_watch, node);

		list_del(&w->node);
		fl = spin_lock_irqsave(&inotify_lock);
		nr_watches--;
		spin_unlock_irqrestore(&inotify_lock, fl);
		iput(w->inode);
		kfree(w);
	}
	while (!list_empty(&g->events)) {
		struct in_event *e = list_first_entry(&g->events, struct in_event, node);

		list_del(&e->node);
		kfree(e);
	}
	kfree(g);
}

static const struct file_operations inotify_fops = {
	.read = inotify_read,
	.poll = inotify_poll,
	.ioctl = inotify_ioctl,
	.release = inotify_release,
};

static long do_inotify_init(int flags)
{
	struct inotify_group *g;
	irqflags_t fl;
	int fd;

	if ((unsigned)flags & ~(unsigned)(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	g = kzalloc(sizeof(*g));
	if (!g)
		return -ENOMEM;
	list_init(&g->watches);
	list_init(&g->events);
	wait_queue_init(&g->wq);
	g->next_wd = 1;
	fd = anon_inode_getfd("inotify", &inotify_fops, g, (unsigned)flags, NULL);
	if (fd < 0) {
		kfree(g);
		return fd;
	}
	fl = spin_lock_irqsave(&inotify_lock);
	list_add_tail(&g->node, &groups);
	spin_unlock_irqrestore(&inotify_lock, fl);
	return fd;
}

SYSCALL_DEFINE1(inotify_init1, int, flags)
{
	return do_inotify_init(flags);
}

SYSCALL_DEFINE0(inotify_init)
{
	return do_inotify_init(0);
}

/* The group of fd, referenced: -EBADF, -EINVAL (not an inotify fd). */
static struct file *inotify_fget(int fd, long *err)
{
	struct file *f = fget_current(fd);

	*err = -EBADF;
	if (!f)
		return NULL;
	*err = -EINVAL;
	if (f->f_op != &inotify_fops) {
		fput(f);
		return NULL;
	}
	return f;
}

/* [inotify_add_watch(2)]: the watch descriptor (the same one again for an
 * inode already watched: mask replaced, or OR-ed with IN_MASK_ADD);
 * -EINVAL (no event in mask, IN_MASK_ADD with IN_MASK_CREATE, not an
 * inotify fd), -EBADF, -EEXIST (IN_MASK_CREATE on a watched inode),
 * -ENOTDIR (IN_ONLYDIR), the path's errors, -EFAULT, -ENOMEM. */
SYSCALL_DEFINE3(inotify_add_watch, int, fd, uintptr_t, upath, uint32_t, mask)
{
	struct inotify_group *g;
	struct in_watch *w, *nw = NULL;
	struct dentry *d;
	struct file *f;
	irqflags_t fl;
	long r;

	if (!(mask & IN_ALL_EVENTS))
		return -EINVAL;
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	f = inotify_fget(fd, &r);
	if (!f)
		return r;
	g = f->private_data;
	r = path_lookup_user(AT_FDCWD, upath, (mask & IN_DONT_FOLLOW) ? 0 : LOOKUP_FOLLOW, &d);
	if (r)
		goto out;
	r = -ENOTDIR;
	if ((mask & IN_ONLYDIR) && !S_ISDIR(d->inode->mode))
		goto out_d;
	r = -ENOMEM;
	nw = kzalloc(sizeof(*nw));
	if (!nw)
		goto out_d;
	fl = spin_lock_irqsave(&inotify_lock);
	list_for_each_entry(w, &g->watches, node) {
		if (w->inode != d->inode)
			continue;
		if (mask & IN_MASK_CREATE)
			r = -EEXIST;
		else {
			w->mask = (mask & IN_MASK_ADD) ? (w->mask | mask) : mask;
			w->mask &= ~IN_MASK_ADD;
			r = w->wd;
		}
		spin_unlock_irqrestore(&inotify_lock, fl);
		kfree(nw);
		goto out_d;
	}
	nw->inode = d->inode;
	iget(nw->inode);
	nw->wd = g->next_wd++;
	nw->mask = mask & ~(IN_MASK_ADD | IN_MASK_CREATE);
	list_add_tail(&nw->node, &g->watches);
	nr_watches++;
	r = nw->wd;
	spin_unlock_irqrestore(&inotify_lock, fl);
out_d:
	dput(d);
out:
	fput(f);
	return r;
}

/* [inotify_rm_watch(2)]: queues IN_IGNORED; -EINVAL (no such wd, not an
 * inotify fd), -EBADF. */
SYSCALL_DEFINE2(inotify_rm_watch, int, fd, int, wd)
{
	struct inotify_group *g;
	struct in_watch *w, *found = NULL;
	struct file *f;
	irqflags_t fl;
	long r;

	f = inotify_fget(fd, &r);
	if (!f)
		return r;
	g = f->private_data;
	fl = spin_lock_irqsave(&inotify_lock);
	list_for_each_entry(w, &g->watches, node) {
		if (w->wd == wd) {
			found = w;
			break;
		}
	}
	if (found)
		watch_free(g, found);
	spin_unlock_irqrestore(&inotify_lock, fl);
	if (found) {
		iput(found->inode);
		kfree(found);
	}
	fput(f);
	return found ? 0 : -EINVAL;
}
