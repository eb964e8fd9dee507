/* Advisory file locks: POSIX record locks and open file description (OFD)
 * locks ([fcntl(2)] "Advisory record locking", "Open file description
 * locks"), and flock(2) locks ([flock(2)]), as Linux's fs/locks.c keeps
 * them: per inode, in the lock context inode->i_flctx (locks.h says which
 * lock guards what).
 *
 * - Record locks of a process are owned by its descriptor table (struct
 *   files; threads share it), OFD locks by the open file description; both
 *   live in one list and conflict with each other. An owner's locks never
 *   overlap: a new lock splits, trims or replaces what the owner held and
 *   merges with adjacent locks of the same type ([fcntl(2)]: "the
 *   previous lock type is replaced"; upgrade and downgrade in place).
 * - flock(2) locks are owned by the open file description and are
 *   independent of record locks, as on Linux.
 * - Blocking requests (F_SETLKW, F_OFD_SETLKW, flock without LOCK_NB)
 *   sleep interruptibly on the context's wait queue and return
 *   -ERESTARTSYS on a signal (restarted with SA_RESTART, else EINTR:
 *   [signal(7)] "Interruption of system calls"). A process-owned F_SETLKW
 *   that would wait for a lock whose owner waits, through a chain, for
 *   the caller gets EDEADLK ([fcntl(2)] EDEADLK), as Linux's
 *   posix_locks_deadlock() finds it (at most 10 hops). */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/task.h>

#include "internal.h"
#include "locks.h"

struct mutex file_lock_mutex = MUTEX_INIT(file_lock_mutex, "file_lock");

/* A task blocked in F_SETLKW on a process-owned request: who waits and for
 * which lock, so a later request can follow the chain of waits. blocker is
 * cleared whenever the context's locks change (the waiter re-checks). */
struct lock_waiter {
	struct list_head list;		 /* in blocked_waiters */
	void *owner;			 /* the waiting process's struct files */
	const struct file_lock *blocker; /* the lock it waits for, or NULL */
	struct file_lock_context *ctx;
};
static LIST_HEAD(blocked_waiters); /* guarded by file_lock_mutex */
#define MAX_DEADLK_ITERATIONS 10   /* Linux fs/locks.c */

/* struct flock on 64-bit Linux (x86_64 and asm-generic): 32 bytes. */
struct linux_flock {
	int16_t l_type;
	int16_t l_whence;
	int32_t __pad;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
	int32_t __pad2;
};
_Static_assert(sizeof(struct linux_flock) == 32, "struct flock is 32 bytes");

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_UN 8

struct file_lock_context *flctx_get(struct inode *inode, bool create)
{
	struct file_lock_context *ctx = inode->i_flctx;

	if (ctx || !create)
		return ctx;
	ctx = kzalloc(sizeof(*ctx));
	if (!ctx)
		return NULL;
	list_init(&ctx->posix);
	list_init(&ctx->flock);
	list_init(&ctx->leases);
	wait_queue_init(&ctx->wq);
	inode->i_flctx = ctx;
	return ctx;
}

void flctx_put_if_empty(struct inode *inode)
{
	struct file_lock_context *ctx = inode->i_flctx;

	if (!ctx || !list_empty(&ctx->posix) || !list_empty(&ctx->flock) ||
	    !list_empty(&ctx->leases) || ctx->nr_waiters)
		return;
	inode->i_flctx = NULL;
	kfree(ctx);
}

int flctx_wait(struct file_lock_context *ctx, uint64_t deadline)
{
	int r;

	ctx->nr_waiters++;
	r = sched_sleep_mutex(&ctx->wq, &file_lock_mutex, deadline, true);
	ctx->nr_waiters--;
	return r;
}

/* Something in ctx was released or changed: every waiter looks again. */
static void locks_changed(struct file_lock_context *ctx)
{
	struct lock_waiter *w;

	list_for_each_entry(w, &blocked_waiters, list)
		if (w->ctx == ctx)
			w->blocker = NULL;
	wake_up(&ctx->wq);
}

/* ---- record locks --------------------------------------------------------- */

/* The byte range a struct flock names ([fcntl(2)]: l_whence, l_start,
 * l_len; "l_len negative: the interval is [l_start + l_len, l_start - 1]",
 * 0 = to end of file and beyond). -EINVAL (bad whence, a start before the
 * file), -EOVERFLOW (end past the largest offset). */
static int flock_range(const struct file *f, const struct linux_flock *l, int64_t *start,
		       int64_t *end)
{
	int64_t base, s;

	switch (l->l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->pos; break;
	case SEEK_END: base = (int64_t)f->inode->size; break;
	default: return -EINVAL;
	}
	if (__builtin_add_overflow(base, l->l_start, &s) || s < 0)
		return -EINVAL;
	if (l->l_len > 0) {
		if (l->l_len - 1 > OFFSET_MAX - s)
			return -EOVERFLOW;
		*end = s + l->l_len - 1;
	} else if (l->l_len < 0) {
		if (s + l->l_len < 0)
			return -EINVAL;
		*end = s - 1;
		s += l->l_len;
	} else {
		*end = OFFSET_MAX;
	}
	*start = s;
	return 0;
}

static bool ranges_overlap(const struct file_lock *a, const struct file_lock *b)
{
	return a->start <= b->end && b->start <= a->end;
}

/* Owners are distinct objects (a struct files, a struct file), so a
 * process's record lock and an OFD lock never share one ([fcntl(2)]: OFD
 * locks conflict with record locks even in the same process). */
static bool posix_conflict(const struct file_lock *req, const struct file_lock *l)
{
	return l->owner != req->owner && ranges_overlap(req, l) &&
	       (req->type == F_WRLCK || l->type == F_WRLCK);
}

static struct file_lock *posix_find_conflict(struct file_lock_context *ctx,
					     const struct file_lock *req)
{
	struct file_lock *l;

	list_for_each_entry(l, &ctx->posix, list)
		if (posix_conflict(req, l))
			return l;
	return NULL;
}

/* Would waiting for blocker close a cycle back to req's owner? */
static bool posix_deadlock(const struct file_lock *req, const struct file_lock *blocker)
{
	if (req->flags & FL_OFD)
		return false; /* Linux checks only process-owned requests */
	for (int i = 0; i < MAX_DEADLK_ITERATIONS && blocker; i++) {
		const struct file_lock *next = NULL;
		struct lock_waiter *w;

		list_for_each_entry(w, &blocked_waiters, list) {
			if (w->owner == blocker->owner && w->blocker) {
				next = w->blocker;
				break;
			}
		}
		if (!next)
			return false;
		if (next->owner == req->owner)
			return true;
		blocker = next;
	}
	return false;
}

/* Install req (or, for F_UNLCK, remove its range) for req's owner: trim
 * or split the owner's locks that overlap it and merge with the same-type
 * ones that overlap or touch it. *nl (the new lock) and *sl (the upper
 * half of a split) are preallocated; used ones are set to NULL. */
static void posix_apply(struct file_lock_context *ctx, const struct file_lock *req,
			struct file_lock **nl, struct file_lock **sl)
{
	int64_t s = req->start, e = req->end;
	struct file_lock *l, *tmp;

	list_for_each_entry_safe(l, tmp, &ctx->posix, list) {
		if (l->owner != req->owner)
			continue;
		if (req->type != F_UNLCK && l->type == req->type) {
			bool apart = l->end < s - 1 || (e != OFFSET_MAX && l->start > e + 1);

			if (apart)
				continue;
			s = MIN(s, l->start);
			e = MAX(e, l->end);
			list_del(&l->list);
			kfree(l);
			continue;
		}
		if (!ranges_overlap(l, req))
			continue;
		if (l->start < req->start && l->end > req->end) {
			struct file_lock *hi = *sl;

			*sl = NULL;
			*hi = *l;
			hi->start = req->end + 1;
			list_add(&hi->list, &l->list);
			l->end = req->start - 1;
		} else if (l->start < req->start) {
			l->end = req->start - 1;
		} else if (l->end > req->end) {
			l->start = req->end + 1;
		} else {
			list_del(&l->list);
			kfree(l);
		}
	}
	if (req->type == F_UNLCK)
		return;
	**nl = *req;
	(*nl)->start = s;
	(*nl)->end = e;
	list_add_tail(&(*nl)->list, &ctx->posix);
	*nl = NULL;
}

/* Build the request the user's struct flock describes; the checks in
 * Linux's order: range (EINVAL/EOVERFLOW), type (EINVAL), l_pid of an OFD
 * request (EINVAL). */
static int flock_request(struct file *f, bool ofd, const struct linux_flock *fl,
			 struct file_lock *req)
{
	int r = flock_range(f, fl, &req->start, &req->end);
	if (r)
		return r;
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return -EINVAL;
	if (ofd && fl->l_pid != 0)
		return -EINVAL; /* [fcntl(2)] OFD locks: "l_pid must be set to zero" */
	req->type = fl->l_type;
	req->flags = ofd ? FL_OFD : FL_POSIX;
	req->owner = ofd ? (void *)f : (void *)current_files();
	req->file = f;
	req->pid = current->tgid;
	req->break_to = -1;
	return 0;
}

long fcntl_getlk(struct file *f, bool ofd, uintptr_t arg)
{
	struct linux_flock fl;
	struct file_lock req = { 0 };
	struct file_lock_context *ctx;
	const struct file_lock *b;
	int r;

	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK)
		return -EINVAL; /* F_GETLK asks about a lock, F_UNLCK is not one */
	r = flock_request(f, ofd, &fl, &req);
	if (r)
		return r;
	mutex_lock(&file_lock_mutex);
	ctx = flctx_get(f->inode, false);
	b = ctx ? posix_find_conflict(ctx, &req) : NULL;
	if (b) {
		/* [fcntl(2)] F_GETLK: the holder's type, range (whence
		 * SEEK_SET) and pid; -1 for an OFD lock (no single process). */
		fl.l_type = (int16_t)b->type;
		fl.l_whence = SEEK_SET;
		fl.l_start = b->start;
		fl.l_len = b->end == OFFSET_MAX ? 0 : b->end - b->start + 1;
		fl.l_pid = (b->flags & FL_OFD) ? -1 : b->pid;
	} else {
		fl.l_type = F_UNLCK; /* the rest is returned unchanged */
	}
	mutex_unlock(&file_lock_mutex);
	return copy_to_user(arg, &fl, sizeof(fl)) ? -EFAULT : 0;
}

/* Remove the caller's record locks in the range un describes. */
static void posix_unlock_range(struct file *f, const struct linux_flock *un)
{
	struct file_lock req = { 0 };
	struct file_lock_context *ctx;
	struct file_lock *nl = NULL, *sl = kzalloc(sizeof(*sl));

	if (!sl || flock_request(f, false, un, &req)) {
		kfree(sl);
		return;
	}
	mutex_lock(&file_lock_mutex);
	ctx = flctx_get(f->inode, false);
	if (ctx) {
		posix_apply(ctx, &req, &nl, &sl);
		locks_changed(ctx);
		flctx_put_if_empty(f->inode);
	}
	mutex_unlock(&file_lock_mutex);
	kfree(sl);
}

long fcntl_setlk(int fd, struct file *f, bool ofd, bool wait, uintptr_t arg)
{
	struct linux_flock fl;
	struct file_lock req = { 0 };
	struct lock_waiter w = { .owner = NULL };
	struct file_lock_context *ctx;
	struct file_lock *nl, *sl;
	int r;

	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	r = flock_request(f, ofd, &fl, &req);
	if (r)
		return r;
	/* [fcntl(2)] EBADF: a read lock needs a file open for reading, a
	 * write lock one open for writing. */
	if ((req.type == F_RDLCK && !file_readable(f)) ||
	    (req.type == F_WRLCK && !file_writable(f)))
		return -EBADF;
	nl = kzalloc(sizeof(*nl));
	sl = kzalloc(sizeof(*sl));
	if (!nl || !sl) {
		kfree(nl);
		kfree(sl);
		return -ENOLCK;
	}
	mutex_lock(&file_lock_mutex);
	ctx = flctx_get(f->inode, req.type != F_UNLCK);
	r = ctx ? 0 : (req.type == F_UNLCK ? 0 : -ENOLCK);
	while (ctx) {
		const struct file_lock *b =
			req.type == F_UNLCK ? NULL : posix_find_conflict(ctx, &req);

		if (!b) {
			posix_apply(ctx, &req, &nl, &sl);
			locks_changed(ctx);
			r = 0;
			break;
		}
		if (!wait) {
			r = -EAGAIN; /* [fcntl(2)] F_SETLK: "EACCES or EAGAIN"; Linux EAGAIN */
			break;
		}
		if (posix_deadlock(&req, b)) {
			r = -EDEADLK;
			break;
		}
		if (!ofd) {
			if (!w.owner) {
				w.owner = req.owner;
				w.ctx = ctx;
				list_add_tail(&w.list, &blocked_waiters);
			}
			w.blocker = b;
		}
		r = flctx_wait(ctx, 0);
		if (r == -EINTR) {
			r = -ERESTARTSYS;
			break;
		}
	}
	if (w.owner)
		list_del(&w.list);
	if (ctx)
		flctx_put_if_empty(f->inode);
	mutex_unlock(&file_lock_mutex);
	kfree(nl);
	kfree(sl);
	if (!r && wait && !ofd && req.type != F_UNLCK) {
		/* Another thread closed fd while this one slept: the close
		 * found no lock to drop, so drop it now (Linux's "close/fcntl
		 * race" check in fcntl_setlk()). */
		struct file *now = fd_get(current_files(), fd);

		if (now != f) {
			struct linux_flock un = fl;

			un.l_type = F_UNLCK;
			un.l_whence = SEEK_SET;
			un.l_start = req.start;
			un.l_len = req.end == OFFSET_MAX ? 0 : req.end - req.start + 1;
			posix_unlock_range(f, &un);
			r = -EBADF;
		}
		fput(now);
	}
	return r;
}

/* ---- flock(2) --------------------------------------------------------------- */

static struct file_lock *flock_find_conflict(struct file_lock_context *ctx, struct file *f,
					     int type)
{
	struct file_lock *l;

	list_for_each_entry(l, &ctx->flock, list)
		if (l->owner != f && (type == F_WRLCK || l->type == F_WRLCK))
			return l;
	return NULL;
}

/* op: LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB (checked by the caller).
 * A description holds at most one flock lock; converting it removes the
 * old one first ([flock(2)]: "Converting a lock ... is not guaranteed to
 * be atomic"), even if the new one then cannot be had. */
long file_flock(struct file *f, unsigned op)
{
	unsigned kind = op & (LOCK_SH | LOCK_EX | LOCK_UN);
	int type = kind == LOCK_SH ? F_RDLCK : kind == LOCK_EX ? F_WRLCK : F_UNLCK;
	bool nb = op & 4; /* LOCK_NB */
	struct file_lock_context *ctx;
	struct file_lock *l, *nl = NULL;
	int r = 0;

	if (type != F_UNLCK) {
		nl = kzalloc(sizeof(*nl));
		if (!nl)
			return -ENOLCK;
	}
	mutex_lock(&file_lock_mutex);
	ctx = flctx_get(f->inode, type != F_UNLCK);
	if (!ctx) {
		r = type == F_UNLCK ? 0 : -ENOLCK;
		goto out;
	}
	list_for_each_entry(l, &ctx->flock, list) {
		if (l->owner != f)
			continue;
		if (l->type == type)
			goto out_put;
		list_del(&l->list);
		kfree(l);
		locks_changed(ctx);
		break;
	}
	while (type != F_UNLCK) {
		if (!flock_find_conflict(ctx, f, type)) {
			nl->owner = f;
			nl->file = f;
			nl->flags = FL_FLOCK;
			nl->type = type;
			nl->start = 0;
			nl->end = OFFSET_MAX;
			nl->pid = current->tgid;
			nl->break_to = -1;
			list_add_tail(&nl->list, &ctx->flock);
			nl = NULL;
			break;
		}
		if (nb) {
			r = -EAGAIN;
			break;
		}
		r = flctx_wait(ctx, 0);
		if (r == -EINTR) {
			r = -ERESTARTSYS;
			break;
		}
		r = 0;
	}
out_put:
	flctx_put_if_empty(f->inode);
out:
	mutex_unlock(&file_lock_mutex);
	kfree(nl);
	return r;
}

/* ---- release on close ------------------------------------------------------ */

static bool remove_owned(struct file_lock_context *ctx, struct list_head *head, const void *owner,
			 unsigned flags)
{
	struct file_lock *l, *tmp;
	bool any = false;

	list_for_each_entry_safe(l, tmp, head, list) {
		if (l->owner == owner && (l->flags & flags)) {
			list_del(&l->list);
			kfree(l);
			any = true;
		}
	}
	return any;
}

/* i_flctx is read first without the mutex: only a lock set by this very
 * close's owner could matter, and that owner is busy closing. */
void locks_remove_posix(struct file *f, struct files *owner)
{
	struct inode *inode = f->inode;
	struct file_lock_context *ctx;

	if (!inode || !inode->i_flctx || !owner)
		return;
	mutex_lock(&file_lock_mutex);
	ctx = inode->i_flctx;
	if (ctx && remove_owned(ctx, &ctx->posix, owner, FL_POSIX)) {
		locks_changed(ctx);
		flctx_put_if_empty(inode);
	}
	mutex_unlock(&file_lock_mutex);
}

void locks_remove_file(struct file *f)
{
	struct inode *inode = f->inode;
	struct file_lock_context *ctx;

	if (!inode || !inode->i_flctx)
		return;
	mutex_lock(&file_lock_mutex);
	ctx = inode->i_flctx;
	if (ctx) {
		bool any = remove_owned(ctx, &ctx->posix, f, FL_OFD);

		any |= remove_owned(ctx, &ctx->flock, f, FL_FLOCK);
		any |= remove_owned(ctx, &ctx->leases, f, FL_LEASE);
		if (any) {
			locks_changed(ctx);
			flctx_put_if_empty(inode);
		}
	}
	mutex_unlock(&file_lock_mutex);
}
