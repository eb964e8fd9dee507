/* Per-process file descriptor table and file-system context (cwd, root).
 * Implemented in kernel/vfs/. */
#ifndef KERNEL_FDTABLE_H
#define KERNEL_FDTABLE_H
#include <hal/types.h>

struct file;
struct files;	  /* fd -> struct file *, close-on-exec bits, refcount */
struct fs_struct; /* cwd, root, refcount */

#define NR_OPEN_DEFAULT 1024 /* RLIMIT_NOFILE default */

struct files *files_create(void);
/* fork(): a new table with every open file referenced again. NULL = -ENOMEM. */
struct files *files_dup(struct files *f);
/* clone(CLONE_FILES): one more reference to the same table; returns f. */
struct files *files_get(struct files *f);
void files_put(struct files *f);	   /* last put closes every fd */
void files_close_on_exec(struct files *f); /* execve() */
/* Install f at the lowest free fd >= minfd; takes over the caller's
 * reference. Returns the fd or -EMFILE. */
int fd_install(struct files *tab, struct file *f, int minfd, bool cloexec);
/* Is fd close-on-exec? 1, 0, or -EBADF. */
int fd_get_cloexec(struct files *tab, int fd);
/* Remove fd and drop its reference: 0 or -EBADF. */
int fd_close(struct files *tab, int fd);
/* Referenced file for fd, or NULL (-EBADF). Caller fput()s it. */
struct file *fd_get(struct files *tab, int fd);

struct fs_struct *fs_create_root(void); /* cwd = root = "/" */
struct fs_struct *fs_dup(struct fs_struct *fs);
/* clone(CLONE_FS): one more reference to the same context; returns fs. */
struct fs_struct *fs_get(struct fs_struct *fs);
void fs_put(struct fs_struct *fs);
/* Absolute path of a dentry-backed file (for /proc/<pid>/exe, getcwd):
 * writes at most len bytes incl. NUL; returns length or -ENAMETOOLONG. */
int file_path(const struct file *f, char *buf, size_t len);
struct task;
/* The path of t's current working directory (cwd true) or root directory,
 * as seen from the caller's root, into buf[len] with NUL ([proc(5)]
 * /proc/<pid>/cwd, root). Returns the length without NUL, -ENOENT if t has
 * no file-system context (an exited task), -ENAMETOOLONG. */
int task_fs_path(struct task *t, bool cwd, char *buf, size_t len);

#endif
