/* Per-process file descriptor tables: fd -> struct file, close-on-exec
 * bits. A fixed table of NR_OPEN_DEFAULT slots (RLIMIT_NOFILE's default,
 * [getrlimit(2)]); the usable range is also capped by the task's
 * RLIMIT_NOFILE. [open(2)], [dup(2)], [fcntl(2)] FD_CLOEXEC.
 *
 * Locking (Linux's files_struct.file_lock): tab->file_lock, a spinlock,
 * guards the slots and the close-on-exec bits of one table, which threads
 * created with CLONE_FILES share and may change on several CPUs at once.
 * A file leaves a slot under the lock, and its reference is dropped
 * (filp_close(), which may sleep) only after the lock is released; a
 * file found by fd_get() gets its own reference under the lock, so a
 * close(2) by another thread while a read(2) runs only drops the table's
 * reference and the file lives until that read's fput(). The table's own
 * refcount is atomic. */
#include <kernel/eventpoll.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <string.h>

#include "internal.h"
#include "locks.h"

#define RLIMIT_NOFILE 7

struct files {
	spinlock_t file_lock; /* fd[] and cloexec[] (see the top of this file) */
	struct file *fd[NR_OPEN_DEFAULT];
	uint64_t cloexec[NR_OPEN_DEFAULT / 64];
	unsigned refcount; /* atomic: tasks sharing the table (CLONE_FILES) */
};

/* Close one descriptor of f in tab: the process's record locks on the
 * file go with it ([fcntl(2)]: "If a process closes any file descriptor
 * referring to a file, then all of the process's locks on that file are
 * released"), then the reference. */
static void filp_close(struct file *f, struct files *tab)
{
	if (!f)
		return;
	locks_remove_posix(f, tab);
	dnotify_flush(f, tab);
	fput(f);
}

/* RLIMIT_NOFILE of current (0 means "not set up": the default). */
int fd_limit(void)
{
	uint64_t lim = NR_OPEN_DEFAULT;

	if (current && current->rlim[RLIMIT_NOFILE].rlim_cur &&
	    current->rlim[RLIMIT_NOFILE].rlim_cur < lim)
		lim = current->rlim[RLIMIT_NOFILE].rlim_cur;
	return (int)lim;
}

/* tab->file_lock held. */
static void set_cloexec(struct files *tab, int fd, bool on)
{
	if (on)
		tab->cloexec[fd / 64] |= 1ULL << (fd % 64);
	else
		tab->cloexec[fd / 64] &= ~(1ULL << (fd % 64));
}

/* An empty table, refcount 1; NULL on -ENOMEM. */
struct files *files_create(void)
{
	struct files *tab = kzalloc(sizeof(*tab));

	if (tab) {
		spin_lock_init(&tab->file_lock, "files.file_lock");
		tab->refcount = 1;
	}
	return tab;
}

/* Is any of fds fd..fd+7 of tab open? One test for eight slots: fork and
 * exit visit all NR_OPEN_DEFAULT, and a process has a handful open (the
 * scan was 6 % of fork_exit_wait). */
static bool any_open8(const struct files *tab, int fd)
{
	struct file *const *s = &tab->fd[fd];

	return ((uintptr_t)s[0] | (uintptr_t)s[1] | (uintptr_t)s[2] | (uintptr_t)s[3] |
		(uintptr_t)s[4] | (uintptr_t)s[5] | (uintptr_t)s[6] | (uintptr_t)s[7]) != 0;
}

/* fork(2): "The child inherits copies of the parent's set of open file
 * descriptors", each referring to the same open file description. */
struct files *files_dup(struct files *src)
{
	struct files *tab = files_create();

	if (!tab)
		return NULL;
	spin_lock(&src->file_lock);
	for (int fd = 0; fd < NR_OPEN_DEFAULT; fd++) {
		if (!(fd & 7) && !any_open8(src, fd)) {
			fd += 7; /* eight empty slots (most of the 1024) */
			continue;
		}
		if (src->fd[fd]) {
			tab->fd[fd] = src->fd[fd];
			fget(tab->fd[fd]);
		}
	}
	memcpy(tab->cloexec, src->cloexec, sizeof(tab->cloexec));
	spin_unlock(&src->file_lock);
	return tab;
}

struct files *files_get(struct files *tab)
{
	__atomic_fetch_add(&tab->refcount, 1, __ATOMIC_RELAXED);
	return tab;
}

/* Drop a reference; the last one closes every fd. */
void files_put(struct files *tab)
{
	if (!tab)
		return;
	KASSERT(__atomic_load_n(&tab->refcount, __ATOMIC_RELAXED) > 0);
	if (__atomic_sub_fetch(&tab->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	/* The last user: nobody else can reach the table any more. */
	for (int fd = 0; fd < NR_OPEN_DEFAULT; fd++) {
		struct file *f = tab->fd[fd];

		if (!(fd & 7) && !any_open8(tab, fd)) {
			fd += 7; /* eight empty slots (most of the 1024) */
			continue;
		}
		tab->fd[fd] = NULL;
		filp_close(f, tab);
	}
	kfree(tab);
}

/* execve(2): close every fd with FD_CLOEXEC. */
void files_close_on_exec(struct files *tab)
{
	for (int w = 0; w < NR_OPEN_DEFAULT / 64; w++) {
		for (;;) {
			struct file *f = NULL;

			spin_lock(&tab->file_lock);
			if (tab->cloexec[w]) {
				int fd = w * 64 + __builtin_ctzll(tab->cloexec[w]);

				f = tab->fd[fd];
				tab->fd[fd] = NULL;
				set_cloexec(tab, fd, false);
			}
			spin_unlock(&tab->file_lock);
			if (!f)
				break;
			filp_close(f, tab);
		}
	}
}

/* Lowest free fd >= minfd below the task's limit ([open(2)]: "the lowest
 * numbered file descriptor not currently open"). -EMFILE if none; minfd
 * beyond the limit is -EINVAL for F_DUPFD (the caller checks). */
int fd_install(struct files *tab, struct file *f, int minfd, bool cloexec)
{
	int lim = fd_limit();

	int r = -EMFILE;

	if (minfd < 0)
		minfd = 0;
	spin_lock(&tab->file_lock);
	for (int fd = minfd; fd < lim; fd++) {
		if (!tab->fd[fd]) {
			tab->fd[fd] = f;
			set_cloexec(tab, fd, cloexec);
			r = fd;
			break;
		}
	}
	spin_unlock(&tab->file_lock);
	return r;
}

/* dup2/dup3: install at a given fd, closing the old file after the switch
 * ([dup(2)]: "the steps of closing and reusing the file descriptor newfd
 * are performed atomically"). */
int fd_install_at(struct files *tab, int fd, struct file *f, bool cloexec)
{
	struct file *old;

	if (fd < 0 || fd >= fd_limit())
		return -EBADF;
	spin_lock(&tab->file_lock);
	old = tab->fd[fd];
	tab->fd[fd] = f;
	set_cloexec(tab, fd, cloexec);
	spin_unlock(&tab->file_lock);
	filp_close(old, tab);
	return fd;
}

int fd_close(struct files *tab, int fd)
{
	struct file *f;

	if (!tab || fd < 0 || fd >= NR_OPEN_DEFAULT)
		return -EBADF;
	spin_lock(&tab->file_lock);
	f = tab->fd[fd];
	tab->fd[fd] = NULL;
	if (f)
		set_cloexec(tab, fd, false);
	spin_unlock(&tab->file_lock);
	if (!f)
		return -EBADF;
	filp_close(f, tab);
	return 0;
}

/* Referenced file for fd, or NULL (-EBADF). */
struct file *fd_get(struct files *tab, int fd)
{
	struct file *f;

	if (!tab || fd < 0 || fd >= NR_OPEN_DEFAULT)
		return NULL;
	spin_lock(&tab->file_lock);
	f = tab->fd[fd];
	if (f)
		fget(f);
	spin_unlock(&tab->file_lock);
	return f;
}

int fd_get_cloexec(struct files *tab, int fd)
{
	int r = -EBADF;

	if (!tab || fd < 0 || fd >= NR_OPEN_DEFAULT)
		return -EBADF;
	spin_lock(&tab->file_lock);
	if (tab->fd[fd])
		r = (tab->cloexec[fd / 64] >> (fd % 64)) & 1;
	spin_unlock(&tab->file_lock);
	return r;
}

int fd_set_cloexec(struct files *tab, int fd, bool on)
{
	int r = -EBADF;

	if (!tab || fd < 0 || fd >= NR_OPEN_DEFAULT)
		return -EBADF;
	spin_lock(&tab->file_lock);
	if (tab->fd[fd]) {
		set_cloexec(tab, fd, on);
		r = 0;
	}
	spin_unlock(&tab->file_lock);
	return r;
}

struct files *current_files(void)
{
	return current ? current->files : NULL;
}

struct file *fget_current(int fd)
{
	return fd_get(current_files(), fd);
}
