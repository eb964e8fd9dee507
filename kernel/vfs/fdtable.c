/* Per-process file descriptor tables: fd -> struct file, close-on-exec
 * bits. A fixed table of NR_OPEN_DEFAULT slots (RLIMIT_NOFILE's default,
 * [getrlimit(2)]); the usable range is also capped by the task's
 * RLIMIT_NOFILE. [open(2)], [dup(2)], [fcntl(2)] FD_CLOEXEC. */
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/task.h>
#include <string.h>

#include "internal.h"
#include "locks.h"

#define RLIMIT_NOFILE 7

struct files {
	struct file *fd[NR_OPEN_DEFAULT];
	uint64_t cloexec[NR_OPEN_DEFAULT / 64];
	unsigned refcount;
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

	if (tab)
		tab->refcount = 1;
	return tab;
}

/* fork(2): "The child inherits copies of the parent's set of open file
 * descriptors", each referring to the same open file description. */
/* Is any of fds fd..fd+7 of tab open? One test for eight slots: fork and
 * exit visit all NR_OPEN_DEFAULT, and a process has a handful open (the
 * scan was 6 % of fork_exit_wait). */
static bool any_open8(const struct files *tab, int fd)
{
	struct file *const *s = &tab->fd[fd];

	return ((uintptr_t)s[0] | (uintptr_t)s[1] | (uintptr_t)s[2] | (uintptr_t)s[3] |
		(uintptr_t)s[4] | (uintptr_t)s[5] | (uintptr_t)s[6] | (uintptr_t)s[7]) != 0;
}

struct files *files_dup(struct files *src)
{
	struct files *tab = files_create();

	if (!tab)
		return NULL;
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
	return tab;
}

struct files *files_get(struct files *tab)
{
	tab->refcount++;
	return tab;
}

/* Drop a reference; the last one closes every fd. */
void files_put(struct files *tab)
{
	if (!tab)
		return;
	KASSERT(tab->refcount > 0);
	if (--tab->refcount)
		return;
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
		while (tab->cloexec[w]) {
			int fd = w * 64 + __builtin_ctzll(tab->cloexec[w]);

			fd_close(tab, fd);
		}
	}
}

/* Lowest free fd >= minfd below the task's limit ([open(2)]: "the lowest
 * numbered file descriptor not currently open"). -EMFILE if none; minfd
 * beyond the limit is -EINVAL for F_DUPFD (the caller checks). */
int fd_install(struct files *tab, struct file *f, int minfd, bool cloexec)
{
	int lim = fd_limit();

	if (minfd < 0)
		minfd = 0;
	for (int fd = minfd; fd < lim; fd++) {
		if (!tab->fd[fd]) {
			tab->fd[fd] = f;
			set_cloexec(tab, fd, cloexec);
			return fd;
		}
	}
	return -EMFILE;
}

/* dup2/dup3: install at a given fd, closing the old file after the switch
 * ([dup(2)]: "the steps of closing and reusing the file descriptor newfd
 * are performed atomically"). */
int fd_install_at(struct files *tab, int fd, struct file *f, bool cloexec)
{
	struct file *old;

	if (fd < 0 || fd >= fd_limit())
		return -EBADF;
	old = tab->fd[fd];
	tab->fd[fd] = f;
	set_cloexec(tab, fd, cloexec);
	filp_close(old, tab);
	return fd;
}

int fd_close(struct files *tab, int fd)
{
	struct file *f;

	if (!tab || fd < 0 || fd >= NR_OPEN_DEFAULT || !tab->fd[fd])
		return -EBADF;
	f = tab->fd[fd];
	tab->fd[fd] = NULL;
	set_cloexec(tab, fd, false);
	filp_close(f, tab);
	return 0;
}

/* Referenced file for fd, or NULL (-EBADF). */
struct file *fd_get(struct files *tab, int fd)
{
	struct file *f;

	if (!tab || fd < 0 || fd >= NR_OPEN_DEFAULT)
		return NULL;
	f = tab->fd[fd];
	if (f)
		fget(f);
	return f;
}

int fd_get_cloexec(struct files *tab, int fd)
{
	if (!tab || fd < 0 || fd >= NR_OPEN_DEFAULT || !tab->fd[fd])
		return -EBADF;
	return (tab->cloexec[fd / 64] >> (fd % 64)) & 1;
}

int fd_set_cloexec(struct files *tab, int fd, bool on)
{
	if (!tab || fd < 0 || fd >= NR_OPEN_DEFAULT || !tab->fd[fd])
		return -EBADF;
	set_cloexec(tab, fd, on);
	return 0;
}

struct files *current_files(void)
{
	return current ? current->files : NULL;
}

struct file *fget_current(int fd)
{
	return fd_get(current_files(), fd);
}
