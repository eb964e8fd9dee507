/* Leases ([fcntl(2)] "Leases": F_SETLEASE, F_GETLEASE) and the file owner
 * that receives their break signal (F_SETOWN, F_SETOWN_EX, F_SETSIG).
 *
 * A lease is kept in the inode's lock context (locks.h: guarded by
 * file_lock_mutex), owned by the open file description. Linux's rules:
 * only the file's owner (or root) may take one (EACCES), only on a
 * regular file (EINVAL); a read lease needs the file not open for writing
 * anywhere, a write lease needs no other open at all (EAGAIN), and no
 * other lease conflicting. An open(2) or truncate(2) by someone else that
 * conflicts starts a break: the holder gets SIGIO (or the F_SETSIG
 * signal), F_GETLEASE then reports the type it must drop to, and the
 * opener waits until the holder downgrades or releases, at most
 * lease-break-time (45 s, /proc/sys/fs/lease-break-time), after which the
 * lease is downgraded by force; an O_NONBLOCK opener gets EWOULDBLOCK at
 * once. */
#include <hal/timer.h>
#include <kernel/kmalloc.h>
#include <kernel/signal.h>
#include <kernel/task.h>
#include <kernel/time.h>

#include "internal.h"
#include "locks.h"

#define LEASE_BREAK_NS (45ULL * NSEC_PER_SEC)

static struct file_lock *lease_of(struct file_lock_context *ctx, const struct file *f)
{
	struct file_lock *l;

	list_for_each_entry(l, &ctx->leases, list)
		if (l->owner == f)
			return l;
	return NULL;
}

/* Apply a downgrade (F_RDLCK) or release (F_UNLCK) of lease l. */
static void lease_set(struct file_lock_context *ctx, struct file_lock *l, int type)
{
	if (type == F_UNLCK) {
		list_del(&l->list);
		kfree(l);
	} else {
		l->type = type;
		if (l->break_to >= 0 && type == F_RDLCK && l->break_to == F_RDLCK)
			l->break_to = -1; /* the break is done */
	}
	wake_up(&ctx->wq);
}

/* May f take a lease of type? Linux's check_conflicting_open(). */
static bool open_conflicts(const struct file *f, int type)
{
	const struct inode *inode = f->inode;

	if (type == F_RDLCK)
		return inode->i_writecount > 0;
	return inode->i_writecount != (f->counted_write ? 1 : 0) ||
	       inode->i_readcount != (f->counted_read ? 1 : 0);
}

long fcntl_setlease(struct file *f, unsigned long arg)
{
	struct inode *inode = f->inode;
	struct file_lock_context *ctx;
	struct file_lock *mine, *l, *nl = NULL;
	long r = 0;

	if (arg != F_RDLCK && arg != F_WRLCK && arg != F_UNLCK)
		return -EINVAL;
	if (!inode)
		return -EINVAL;
	if (current->euid != inode->uid && current->euid != 0)
		return -EACCES; /* CAP_LEASE */
	if (!S_ISREG(inode->mode))
		return -EINVAL;
	if (arg != F_UNLCK && !(nl = kzalloc(sizeof(*nl))))
		return -ENOMEM;
	mutex_lock(&file_lock_mutex);
	ctx = flctx_get(inode, arg != F_UNLCK);
	mine = ctx ? lease_of(ctx, f) : NULL;
	if (arg == F_UNLCK) {
		if (mine)
			lease_set(ctx, mine, F_UNLCK);
		else
			r = -EAGAIN; /* Linux generic_delete_lease(): no lease to remove */
		goto out;
	}
	if (!ctx) {
		r = -ENOMEM;
		goto out;
	}
	if (open_conflicts(f, (int)arg)) {
		r = -EAGAIN;
		goto out;
	}
	list_for_each_entry(l, &ctx->leases, list) {
		if (l != mine && (arg == F_WRLCK || l->break_to >= 0)) {
			r = -EAGAIN;
			goto out;
		}
	}
	if (mine) {
		lease_set(ctx, mine, (int)arg);
	} else {
		nl->owner = f;
		nl->file = f;
		nl->flags = FL_LEASE;
		nl->type = (int)arg;
		nl->end = OFFSET_MAX;
		nl->pid = current->tgid;
		nl->break_to = -1;
		list_add_tail(&nl->list, &ctx->leases);
		nl = NULL;
	}
	/* Linux's lease_setup(): the break signal goes to the setter. */
	f->owner_pid = current->tgid;
	f->owner_type = F_OWNER_PID;
out:
	if (ctx)
		flctx_put_if_empty(inode);
	mutex_unlock(&file_lock_mutex);
	kfree(nl);
	return r;
}

long fcntl_getlease(struct file *f)
{
	struct file_lock_context *ctx;
	struct file_lock *l;
	long r = F_UNLCK;

	if (!f->inode)
		return F_UNLCK;
	mutex_lock(&file_lock_mutex);
	ctx = flctx_get(f->inode, false);
	l = ctx ? lease_of(ctx, f) : NULL;
	if (l)
		r = l->break_to >= 0 ? l->break_to : l->type;
	mutex_unlock(&file_lock_mutex);
	return r;
}

/* Send sig (0: SIGIO) to the owner of f ([fcntl(2)] F_SETOWN_EX). */
void file_send_owner_signal(struct file *f, int sig)
{
	struct task *t;

	if (!sig)
		sig = f->owner_sig ? f->owner_sig : SIGIO;
	if (!f->owner_pid)
		return;
	if (f->owner_type == F_OWNER_PGRP) {
		kill_pgrp(f->owner_pid, sig, NULL);
		return;
	}
	t = task_lookup(f->owner_pid);
	if (!t)
		return;
	if (f->owner_type == F_OWNER_TID)
		send_signal(t, sig, NULL);
	else
		send_group_signal(t, sig, NULL);
	put_task(t);
}

/* Leases an open with flags conflicts with: a write lease conflicts with
 * any open, a read lease with an open for writing (or truncating). */
static bool lease_breaks(const struct file_lock *l, bool wr)
{
	return wr || l->type == F_WRLCK;
}

int break_lease(struct inode *inode, unsigned flags)
{
	bool wr = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	struct file_lock_context *ctx;
	int r = 0;

	if (!inode->i_flctx)
		return 0;
	mutex_lock(&file_lock_mutex);
	ctx = flctx_get(inode, false);
	while (ctx) {
		struct file_lock *l, *tmp;
		uint64_t now = hal_timer_now_ns(), deadline = 0;
		bool waiting = false;

		list_for_each_entry_safe(l, tmp, &ctx->leases, list) {
			if (!lease_breaks(l, wr))
				continue;
			if (l->break_to < 0) {
				/* Start the break: tell the holder. */
				l->break_to = wr ? F_UNLCK : F_RDLCK;
				l->break_deadline = now + LEASE_BREAK_NS;
				file_send_owner_signal(l->file, 0);
			} else if (l->break_deadline <= now) {
				lease_set(ctx, l, l->break_to); /* lease-break-time is over */
				continue;
			}
			waiting = true;
			if (!deadline || l->break_deadline < deadline)
				deadline = l->break_deadline;
		}
		if (!waiting)
			break;
		if (flags & O_NONBLOCK) {
			r = -EAGAIN;
			break;
		}
		r = flctx_wait(ctx, deadline);
		if (r == -EINTR) {
			r = -ERESTARTSYS;
			break;
		}
		r = 0;
	}
	if (ctx)
		flctx_put_if_empty(inode);
	mutex_unlock(&file_lock_mutex);
	return r;
}
