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

/* inotify (kernel/events/inotify.c), fed by the VFS. Event bits of
 * <uapi/linux/inotify.h>. All return at once while nobody watches
 * anything. Process context. */
#define IN_ACCESS 0x00000001u
#define IN_MODIFY 0x00000002u
#define IN_ATTRIB 0x00000004u
#define IN_CLOSE_WRITE 0x00000008u
#define IN_CLOSE_NOWRITE 0x00000010u
#define IN_OPEN 0x00000020u
#define IN_MOVED_FROM 0x00000040u
#define IN_MOVED_TO 0x00000080u
#define IN_CREATE 0x00000100u
#define IN_DELETE 0x00000200u
#define IN_ISDIR 0x40000000u
struct inode;
/* A name in directory dir changed (IN_CREATE, IN_DELETE, IN_MOVED_*; add
 * IN_ISDIR for a directory); cookie pairs the two halves of a rename. */
void fsnotify_name(struct inode *dir, uint32_t mask, const char *name, size_t len, uint32_t cookie);
/* Something happened to inode (IN_MODIFY, IN_ATTRIB, IN_CLOSE_*): its own
 * watchers, and those of parent (may be NULL) with the name it has there. */
void fsnotify_inode(struct inode *inode, struct inode *parent, const char *name, size_t len,
		    uint32_t mask);
/* A fresh rename cookie. */
uint32_t fsnotify_cookie(void);

/* dnotify ([fcntl(2)] F_NOTIFY, kernel/events/dnotify.c). */
struct file;
struct files;
/* F_NOTIFY with arg (DN_* bits): 0, -ENOTDIR (f is not a directory and arg
 * asks for events), -ENOMEM. The file's owner becomes the caller's
 * process, as Linux. */
long dnotify_fcntl(struct file *f, unsigned long arg);
/* A descriptor of f in tab was closed (tab NULL: f's last reference went):
 * its requests end. */
void dnotify_flush(struct file *f, struct files *tab);
/* mask (IN_* above) happened to dir itself or to a name in it. */
void dnotify_event(struct inode *dir, uint32_t mask);

#endif
