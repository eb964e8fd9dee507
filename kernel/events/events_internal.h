/* kernel/events private: the anonymous-file helper shared by epoll,
 * eventfd, timerfd and signalfd. */
#ifndef KERNEL_EVENTS_INTERNAL_H
#define KERNEL_EVENTS_INTERNAL_H
#include <kernel/vfs.h>

/* A new file on an anonymous inode named name ("[eventfd]", static
 * storage) with ops fops and private_data priv, installed at the lowest
 * free fd. flags: O_NONBLOCK (status flag) and O_CLOEXEC (fd flag). The fd,
 * and the file in *out if out is non-NULL (the fd's reference, no new one),
 * or -ENOMEM/-EMFILE; on failure priv is the caller's to free and fops'
 * release is not called. */
int anon_inode_getfd(const char *name, const struct file_operations *fops, void *priv,
		     unsigned flags, struct file **out);

/* ns to struct timespec fields. */
#endif
