/* File locks, private to kernel/vfs/ (locks.c, lease.c): the per-inode
 * lock context and the entry points fcntl.c, fdtable.c, file.c and open.c
 * call. [fcntl(2)] "Advisory record locking", "Open file description
 * locks", "Leases"; [flock(2)].
 *
 * Locking: one sleeping lock, file_lock_mutex, guards every inode's
 * i_flctx pointer and everything in a context (the record-lock, flock and
 * lease lists, the waiter counts) and the global list of blocked POSIX
 * waiters used for deadlock detection. It is taken in process context
 * only, never inside a service call, with no other VFS lock held, and is
 * never held across a sleep: a waiter drops it, sleeps on the context's
 * wait queue with interrupts masked (so a wake-up between the two is not
 * lost, sched_sleep() contract) and takes it again. Today one CPU and a
 * non-preemptible core make it uncontended; with SMP it becomes the
 * spinlock that protects the lists (waits stay on the wait queue). */
#ifndef KERNEL_VFS_LOCKS_H
#define KERNEL_VFS_LOCKS_H
#include <hal/types.h>
#include <kernel/list.h>
#include <kernel/mutex.h>
#include <kernel/sched.h>

struct file;
struct files;
struct inode;

/* l_type values ([fcntl(2)], asm-generic/fcntl.h). */
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

#define FL_POSIX 0x1 /* fcntl record lock owned by a process (struct files) */
#define FL_OFD 0x2   /* open file description lock (owner: struct file) */
#define FL_FLOCK 0x4 /* flock(2) lock (owner: struct file) */
#define FL_LEASE 0x8 /* F_SETLEASE lease (owner: struct file) */

/* struct f_owner_ex types ([fcntl(2)] F_SETOWN_EX). */
#define F_OWNER_TID 0
#define F_OWNER_PID 1
#define F_OWNER_PGRP 2

#define OFFSET_MAX INT64_MAX /* a lock "to end of file" ends here */

/* One lock or lease. Byte range [start, end], end inclusive. */
struct file_lock {
	struct list_head list; /* in the context's posix, flock or leases list */
	void *owner;	       /* struct files * (FL_POSIX) or struct file * */
	struct file *file;     /* the description it was set through (not referenced) */
	unsigned flags;	       /* FL_* */
	int type;	       /* F_RDLCK or F_WRLCK */
	int64_t start, end;
	int pid;		 /* tgid of the setter, F_GETLK's l_pid (POSIX) */
	int break_to;		 /* lease being broken: the type it must drop to, else -1 */
	uint64_t break_deadline; /* lease being broken: forced at this hal_timer_now_ns() */
};

/* inode->i_flctx: allocated at the first lock, freed when the last lock,
 * lease and waiter are gone. */
struct file_lock_context {
	struct list_head posix;	 /* FL_POSIX and FL_OFD locks, any order */
	struct list_head flock;	 /* FL_FLOCK locks */
	struct list_head leases; /* FL_LEASE */
	struct wait_queue wq;	 /* waiters for any of them */
	unsigned nr_waiters;	 /* tasks sleeping on wq (keeps the context alive) */
};

extern struct mutex file_lock_mutex;

/* Under file_lock_mutex: the context of inode, created if create. */
struct file_lock_context *flctx_get(struct inode *inode, bool create);
/* Under file_lock_mutex: free inode's context if nothing uses it. */
void flctx_put_if_empty(struct inode *inode);
/* Under file_lock_mutex: sleep on ctx->wq until woken, deadline (0 =
 * none) or a signal; drops and retakes the mutex. 0, -ETIMEDOUT, -EINTR. */
int flctx_wait(struct file_lock_context *ctx, uint64_t deadline);

/* [fcntl(2)] F_GETLK/F_SETLK/F_SETLKW and F_OFD_*: arg is the user's
 * struct flock, f the file of descriptor fd. 0 or -errno. */
long fcntl_getlk(struct file *f, bool ofd, uintptr_t arg);
long fcntl_setlk(int fd, struct file *f, bool ofd, bool wait, uintptr_t arg);
/* [flock(2)] on f. */
long file_flock(struct file *f, unsigned op);
/* [fcntl(2)] F_SETLEASE/F_GETLEASE. */
long fcntl_setlease(struct file *f, unsigned long arg);
long fcntl_getlease(struct file *f);
/* Before an open of inode with O_* flags completes: break conflicting
 * leases ([fcntl(2)] "Leases"). 0, -EWOULDBLOCK (O_NONBLOCK), -EINTR. */
int break_lease(struct inode *inode, unsigned flags);

/* Send sig (0: the F_SETSIG signal, default SIGIO) to f's owner. */
void file_send_owner_signal(struct file *f, int sig);

/* close(2) of any descriptor of f by the process whose table is owner:
 * its record locks on the inode go ([fcntl(2)]: "released ... when any
 * file descriptor referring to the file is closed"). */
void locks_remove_posix(struct file *f, struct files *owner);
/* Last close of the description f: its OFD and flock locks and its lease go. */
void locks_remove_file(struct file *f);

#endif
