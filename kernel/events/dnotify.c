/* dnotify: [fcntl(2)] "File and directory change notification (dnotify)",
 * F_NOTIFY (Linux fs/notify/dnotify/dnotify.c).
 *
 * fcntl(fd, F_NOTIFY, mask) on a directory asks for a signal when a name
 * in it is created (DN_CREATE), deleted (DN_DELETE), renamed away
 * (DN_RENAME), or when a file in it (or the directory itself) is modified
 * (DN_MODIFY) or has its attributes changed (DN_ATTRIB). The signal
 * (SIGIO, or F_SETSIG's) goes to the process that made the call (Linux
 * sets the file's owner to it, as F_SETOWN would). Without DN_MULTISHOT
 * the request ends after its first signal; calls on the same open file
 * add to its mask; a mask of 0 (DN_MULTISHOT ignored) removes it, and so
 * does closing any descriptor of the file in the table that asked (Linux's
 * dnotify_flush()), or the file's last fput().
 * DN_ACCESS is accepted but never signalled: the VFS reports no reads
 * (kernel/vfs/read_write.c).
 *
 * The VFS reports through fsnotify_name() and fsnotify_inode()
 * (inotify.c), which call dnotify_event(). Lock: dnotify_lock guards the
 * list; signals are sent after it is released, with a file reference. */
#include <kernel/errno.h>
#include <kernel/eventpoll.h>
#include <kernel/kmalloc.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <kernel/vfs.h>

#include "../vfs/internal.h"
#include "../vfs/locks.h"

#define DN_ACCESS 0x00000001u
#define DN_MODIFY 0x00000002u
#define DN_CREATE 0x00000004u
#define DN_DELETE 0x00000008u
#define DN_RENAME 0x00000010u
#define DN_ATTRIB 0x00000020u
#define DN_MULTISHOT 0x80000000u
/* Linux's FS_RENAME, which inotify does not report: here a bit of ours. */
#define DN_EV_RENAME 0x08000000u

struct dn_mark {
	struct list_head node; /* in marks */
	struct inode *inode;   /* the directory: not referenced, the file holds it */
	struct file *filp;     /* not referenced: removed on close (dnotify_flush) */
	struct files *owner;   /* the descriptor table that asked */
	uint32_t mask;	       /* IN_* events (Linux's convert_arg()) */
	bool multishot;
};

static DEFINE_SPINLOCK(dnotify_lock);
static LIST_HEAD(marks);
static unsigned nr_marks; /* read unlocked: the VFS hooks return at once when 0 */

/* DN_* to the events of eventpoll.h, as Linux's convert_arg(): a rename
 * is reported in the directory it leaves (FS_RENAME of fsnotify_move(),
 * an event of its own besides FS_MOVED_FROM: dnotify_event()). */
static uint32_t dn_to_in(uint32_t arg)
{
	uint32_t m = 0;

	if (arg & DN_ACCESS)
		m |= IN_ACCESS;
	if (arg & DN_MODIFY)
		m |= IN_MODIFY;
	if (arg & DN_CREATE)
		m |= IN_CREATE | IN_MOVED_TO;
	if (arg & DN_DELETE)
		m |= IN_DELETE | IN_MOVED_FROM;
	if (arg & DN_RENAME)
		m |= DN_EV_RENAME;
	if (arg & DN_ATTRIB)
		m |= IN_ATTRIB;
	return m;
}

void dnotify_flush(struct file *f, struct files *tab)
{
	struct dn_mark *m, *n;
	irqflags_t fl;

	if (!__atomic_load_n(&nr_marks, __ATOMIC_RELAXED))
		return;
	fl = spin_lock_irqsave(&dnotify_lock);
	list_for_each_entry_safe(m, n, &marks, node) {
		if (m->filp == f && (!tab || m->owner == tab)) {
			list_del(&m->node);
			nr_marks--;
			kfree(m);
		}
	}
	spin_unlock_irqrestore(&dnotify_lock, fl);
}

/* fget() unless the last reference is already gone (the file is being
 * released: its fput() will remove its marks). dnotify_lock held. */
static bool file_get_live(struct file *f)
{
	unsigned c = __atomic_load_n(&f->refcount, __ATOMIC_RELAXED);

	while (c)
		if (__atomic_compare_exchange_n(&f->refcount, &c, c + 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

long dnotify_fcntl(struct file *f, unsigned long arg)
{
	struct files *tab = current_files();
	uint32_t mask = dn_to_in((uint32_t)arg);
	struct dn_mark *m, *nm;
	irqflags_t fl;

	/* "a 0 mask means we are explicitly removing the watch" */
	if (((uint32_t)arg & ~DN_MULTISHOT) == 0) {
		dnotify_flush(f, tab);
		return 0;
	}
	if (!f->inode || !S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	nm = kzalloc(sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	fl = spin_lock_irqsave(&dnotify_lock);
	list_for_each_entry(m, &marks, node) {
		if (m->filp == f && m->owner == tab) {
			m->mask |= mask; /* attach_dn(): "odn->dn_mask |= mask" */
			m->multishot = m->multishot || (arg & DN_MULTISHOT);
			spin_unlock_irqrestore(&dnotify_lock, fl);
			kfree(nm);
			goto owner;
		}
	}
	nm->inode = f->inode;
	nm->filp = f;
	nm->owner = tab;
	nm->mask = mask;
	nm->multishot = arg & DN_MULTISHOT;
	list_add_tail(&nm->node, &marks);
	nr_marks++;
	spin_unlock_irqrestore(&dnotify_lock, fl);
owner:
	/* __f_setown(filp, task_pid(current), PIDTYPE_TGID, 0) */
	f->owner_type = F_OWNER_PID;
	f->owner_pid = current->tgid;
	return 0;
}

static void dnotify_deliver(struct inode *dir, uint32_t mask);

/* Linux's fsnotify_move() sends the old directory FS_RENAME, then
 * FS_MOVED_FROM: a request for both DN_RENAME and DN_DELETE gets two
 * signals. */
void dnotify_event(struct inode *dir, uint32_t mask)
{
	if (!__atomic_load_n(&nr_marks, __ATOMIC_RELAXED) || !dir)
		return;
	if (mask & IN_MOVED_FROM)
		dnotify_deliver(dir, DN_EV_RENAME);
	dnotify_deliver(dir, mask);
}

static void dnotify_deliver(struct inode *dir, uint32_t mask)
{
	struct file *sig[8];
	unsigned nsig = 0;
	struct dn_mark *m, *n, *gone[8];
	unsigned ngone = 0;
	irqflags_t fl;

	fl = spin_lock_irqsave(&dnotify_lock);
	list_for_each_entry_safe(m, n, &marks, node) {
		if (m->inode != dir || !(m->mask & mask) || nsig == 8)
			continue;
		if (!file_get_live(m->filp))
			continue;
		sig[nsig++] = m->filp;
		if (!m->multishot && ngone < 8) {
			list_del(&m->node);
			nr_marks--;
			gone[ngone++] = m;
		}
	}
	spin_unlock_irqrestore(&dnotify_lock, fl);
	for (unsigned i = 0; i < ngone; i++)
		kfree(gone[i]);
	for (unsigned i = 0; i < nsig; i++) {
		file_send_owner_signal(sig[i], 0);
		fput(sig[i]);
	}
}
