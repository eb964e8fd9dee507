/* Event descriptors of the core (kernel/events/): epoll, eventfd, timerfd,
 * signalfd and the anonymous inodes behind them. What the rest of the core
 * calls; the syscalls themselves are in kernel/events/. */
#ifndef KERNEL_EVENTPOLL_H
#define KERNEL_EVENTPOLL_H
#include <hal/types.h>

struct file;
struct task;

/* The last fput() of f: drop every epoll registration watching f, as
 * Linux's eventpoll_release() ([epoll(7)] Q6: a file is removed from every
 * epoll set once all fds referring to its open file description are
 * closed). May be called for any file; process context. */
void eventpoll_release(struct file *f);

/* "[eventfd]", "[eventpoll]", ... for files made by anon_inode_getfd(), the
 * text /proc/<pid>/fd/N shows after "anon_inode:"; NULL for other files. */
const char *anon_inode_name(const struct file *f);

/* A signal was queued for t or its process (kernel/signal/): wake the
 * signalfd readers that wait for one (signalfd(2)). Any context. */
void signalfd_notify(struct task *t);

/* The wall clock was set (clock_settime, settimeofday): timerfds armed on
 * CLOCK_REALTIME with TFD_TIMER_ABSTIME move to the new time, and those
 * with TFD_TIMER_CANCEL_ON_SET are cancelled (timerfd_create(2)). */
void timerfd_clock_was_set(void);

#endif
