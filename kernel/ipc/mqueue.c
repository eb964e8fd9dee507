/* POSIX message queues [mq_overview(7)]: mq_open, mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_notify, mq_getsetattr, as Linux's ipc/mqueue.c does
 * them (the errors and their order, the limits of /proc/sys/fs/mqueue:
 * msg_max 10 and msgsize_max 8192 for unprivileged callers, queues_max 256;
 * root may go up to 65536 messages of 16 MiB). Messages are kept by
 * priority, highest first, FIFO within a priority. A read() of the
 * descriptor gives Linux's "QSIZE:... NOTIFY:... SIGNO:... NOTIFY_PID:..."
 * line; poll() reports POLLIN with a message, POLLOUT with room.
 *
 * Not here: the mqueue file system (queues are not listed under
 * /dev/mqueue), RLIMIT_MSGQUEUE, and SIGEV_THREAD notification (Linux's
 * netlink socket; glibc's SIGEV_THREAD needs it): EINVAL. Queues live in
 * one namespace. Lock: mq_mutex guards the name table and every queue
 * (held across no user copy; sleepers drop it). */
#include <hal/usercopy.h>
#include <kernel/current.h>
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/kmalloc.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/vfs.h>
#include <string.h>

#include "../events/events_internal.h"

#define MQ_PRIO_MAX 32768
#define DFLT_MSGMAX 10
#define DFLT_MSGSIZEMAX 8192
#define HARD_MSGMAX 65536
#define HARD_MSGSIZEMAX (16 * 1024 * 1024)
#define QUEUES_MAX 256
#define SI_MESGQ (-3)
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2

struct mq_attr_user { /* struct mq_attr, 64 bytes */
	int64_t mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs;
	int64_t reserved[4];
};

struct sigevent_user { /* struct sigevent of the 64-bit ABI */
	uint64_t sigev_value;
	int32_t sigev_signo;
	int32_t sigev_notify;
	int32_t pad[12];
};

struct mq_msg {
	struct list_head node;
	unsigned prio;
	size_t len;
	char data[];
};

struct mqueue {
	struct list_head node; /* in mq_names while it has its name */
	char name[NAME_MAX + 1];
	bool linked;
	unsigned refs; /* open descriptions, plus one for the name */
	mode_t mode;
	uint32_t uid, gid;
	long maxmsg, msgsize, curmsgs;
	uint64_t qsize;	       /* bytes of the queued messages */
	struct list_head msgs; /* by priority, highest first */
	struct wait_queue wq;  /* senders, receivers and pollers */
	unsigned receivers;    /* receivers asleep */
	int notify_tgid;       /* 0: nobody registered */
	int notify_kind, notify_sig;
	uint64_t notify_value;
};

static struct mutex mq_mutex = MUTEX_INIT(mq_mutex, "mq_mutex");
static LIST_HEAD(mq_names);
static unsigned mq_count;

static const struct file_operations mq_fops;

static struct mqueue *mq_find(const char *name)
{
	struct mqueue *q;

	list_for_each_entry(q, &mq_names, node) {
		if (!strcmp(q->name, name))
			return q;
	}
	return NULL;
}

/* A reference dropped; mq_mutex held. */
static void mq_put(struct mqueue *q)
{
	struct mq_msg *m, *n;

	if (--q->refs)
		return;
	list_for_each_entry_safe(m, n, &q->msgs, node)
		kfree(m);
	mq_count--;
	kfree(q);
}

static bool mq_may(const struct mqueue *q, unsigned acc)
{
	unsigned need = (acc == O_RDONLY ? 4 : acc == O_WRONLY ? 2 : 6);
	unsigned bits;

	if (current_fsuid() == 0)
		return true;
	if (current_fsuid() == q->uid)
		bits = (q->mode >> 6) & 7;
	else if (in_group_p(q->gid))
		bits = (q->mode >> 3) & 7;
	else
		bits = q->mode & 7;
	return (bits & need) == need;
}

/* The name without its leading '/' (glibc strips it): -ENOENT for an
 * empty one (getname()), -EACCES with a '/' in it (lookup_one_len()),
 * -ENAMETOOLONG, -EFAULT. */
static long get_name(uintptr_t uname, char *buf)
{
	long n = strncpy_from_user(buf, uname, NAME_MAX + 1);

	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	if (strchr(buf, '/') || !strcmp(buf, ".") || !strcmp(buf, ".."))
		return -EACCES;
	return 0;
}

static struct mqueue *file_mq(struct file *f)
{
	return f && f->f_op == &mq_fops ? f->private_data : NULL;
}

static long mq_create(const char *name, mode_t mode, uintptr_t uattr, struct mqueue **out)
{
	struct mq_attr_user a = { .mq_maxmsg = DFLT_MSGMAX, .mq_msgsize = DFLT_MSGSIZEMAX };
	bool root = current_fsuid() == 0;
	struct mqueue *q;

	if (uattr) {
		if (copy_from_user(&a, uattr, sizeof(a)))
			return -EFAULT;
		if (a.mq_maxmsg <= 0 || a.mq_msgsize <= 0)
			return -EINVAL;
		if (root ? (a.mq_maxmsg > HARD_MSGMAX || a.mq_msgsize > HARD_MSGSIZEMAX) :
			   (a.mq_maxmsg > DFLT_MSGMAX || a.mq_msgsize > DFLT_MSGSIZEMAX))
			return -EINVAL;
	}
	if (mq_count >= QUEUES_MAX && !root)
		return -ENOSPC;
	q = kzalloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	strlcpy(q->name, name, sizeof(q->name));
	q->linked = true;
	q->refs = 1;
	q->mode = mode & 0777 & ~current_umask();
	q->uid = current_fsuid();
	q->gid = current_fsgid();
	q->maxmsg = (long)a.mq_maxmsg;
	q->msgsize = (long)a.mq_msgsize;
	list_init(&q->msgs);
	wait_queue_init(&q->wq);
	list_add_tail(&q->node, &mq_names);
	mq_count++;
	*out = q;
	return 0;
}

/* [mq_open(3)] (the system call takes the name without its '/'): a new
 * descriptor, -EINVAL (O_WRONLY|O_RDWR, bad attributes), -EEXIST,
 * -ENOENT, -EACCES, -ENOSPC (queues_max), -ENAMETOOLONG, -EFAULT,
 * -EMFILE, -ENOMEM. */
SYSCALL_DEFINE4(mq_open, uintptr_t, uname, int, oflag, unsigned, mode, uintptr_t, uattr)
{
	char name[NAME_MAX + 1];
	unsigned acc = (unsigned)oflag & O_ACCMODE;
	struct mqueue *q;
	struct file *f;
	long r = get_name(uname, name);

	if (r)
		return r;
	if (acc == O_ACCMODE)
		return -EINVAL;
	mutex_lock(&mq_mutex);
	q = mq_find(name);
	if (q) {
		if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			r = -EEXIST;
		else if (!mq_may(q, acc))
			r = -EACCES;
	} else if (!(oflag & O_CREAT)) {
		r = -ENOENT;
	} else {
		r = mq_create(name, mode, uattr, &q);
	}
	if (r) {
		mutex_unlock(&mq_mutex);
		return r;
	}
	q->refs++;
	r = anon_inode_getfd("[mqueue]", &mq_fops, q, ((unsigned)oflag & (O_NONBLOCK | O_CLOEXEC)),
			     &f);
	if (r < 0)
		mq_put(q);
	else
		f->flags = (f->flags & ~(unsigned)O_ACCMODE) | acc;
	mutex_unlock(&mq_mutex);
	return r;
}

/* [mq_unlink(3)]: the name goes; open descriptors keep the queue. -ENOENT,
 * -EACCES (neither the owner nor root: the mqueue directory is sticky). */
SYSCALL_DEFINE1(mq_unlink, uintptr_t, uname)
{
	char name[NAME_MAX + 1];
	struct mqueue *q;
	long r = get_name(uname, name);

	if (r)
		return r;
	mutex_lock(&mq_mutex);
	q = mq_find(name);
	if (!q) {
		r = -ENOENT;
	} else if (current_fsuid() != 0 && current_fsuid() != q->uid) {
		r = -EACCES;
	} else {
		list_del(&q->node);
		q->linked = false;
		mq_put(q);
	}
	mutex_unlock(&mq_mutex);
	return r;
}

/* An absolute CLOCK_REALTIME timeout as a monotonic deadline (0: none):
 * 0 or -EINVAL (bad timespec), -EFAULT. */
static int get_deadline(uintptr_t uts, uint64_t *deadline)
{
	int64_t abs_ns, now;
	int r;

	*deadline = 0;
	if (!uts)
		return 0;
	r = timespec_from_user(uts, &abs_ns);
	if (r)
		return r;
	now = time_realtime_ns();
	*deadline = time_monotonic_ns() + (abs_ns > now ? (uint64_t)(abs_ns - now) : 0) + 1;
	return 0;
}

/* A message arrived on an empty queue nobody waits on: the registered
 * process gets its signal, and the registration ends. mq_mutex held. */
static void mq_do_notify(struct mqueue *q)
{
	if (!q->notify_tgid || q->curmsgs != 1)
		return;
	if (q->notify_kind == SIGEV_SIGNAL) {
		struct task *t = task_lookup(q->notify_tgid);
		struct linux_siginfo info;

		memset(&info, 0, sizeof(info));
		info.si_signo = q->notify_sig;
		info.si_code = SI_MESGQ;
		info.u.kill.pid = current->tgid;
		info.u.kill.uid = current->uid;
		memcpy(info.u._bytes + 8, &q->notify_value, sizeof(q->notify_value));
		if (t) {
			send_group_signal(t, q->notify_sig, &info);
			put_task(t);
		}
	}
	q->notify_tgid = 0;
}

/* [mq_send(3)]: 0, -EINVAL (priority, timeout), -EBADF, -EMSGSIZE,
 * -EAGAIN, -ETIMEDOUT, -EINTR, -EFAULT, -ENOMEM. */
SYSCALL_DEFINE5(mq_timedsend, int, mqd, uintptr_t, uptr, size_t, len, unsigned, prio, uintptr_t,
		uts)
{
	uint64_t deadline;
	struct mq_msg *m, *pos;
	struct mqueue *q;
	struct file *f;
	long r;

	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	r = get_deadline(uts, &deadline);
	if (r)
		return r;
	f = fd_get(current->files, mqd);
	q = file_mq(f);
	if (!q || !(f->flags & (O_WRONLY | O_RDWR))) {
		r = -EBADF;
		goto out;
	}
	if ((long)len > q->msgsize || len > HARD_MSGSIZEMAX) {
		r = -EMSGSIZE;
		goto out;
	}
	m = kmalloc(sizeof(*m) + len);
	if (!m) {
		r = -ENOMEM;
		goto out;
	}
	m->prio = prio;
	m->len = len;
	if (copy_from_user(m->data, uptr, len)) {
		kfree(m);
		r = -EFAULT;
		goto out;
	}
	mutex_lock(&mq_mutex);
	while (q->curmsgs >= q->maxmsg) {
		if (f->flags & O_NONBLOCK) {
			r = -EAGAIN;
			break;
		}
		r = sched_sleep_mutex(&q->wq, &mq_mutex, deadline, true);
		if (r == -EINTR)
			r = -ERESTARTSYS; /* Linux: -EINTR unless restartable: as read */
		if (r)
			break;
	}
	if (r) {
		mutex_unlock(&mq_mutex);
		kfree(m);
		goto out;
	}
	/* After the last message of a higher or equal priority. */
	list_for_each_entry(pos, &q->msgs, node) {
		if (pos->prio < prio)
			break;
	}
	list_add_tail(&m->node, &pos->node);
	q->curmsgs++;
	q->qsize += len;
	if (!q->receivers)
		mq_do_notify(q);
	wake_up(&q->wq);
	mutex_unlock(&mq_mutex);
out:
	if (f)
		fput(f);
	return r;
}

/* [mq_receive(3)]: the message's length; -EINVAL (timeout), -EBADF,
 * -EMSGSIZE (len below mq_msgsize), -EAGAIN, -ETIMEDOUT, -EINTR, -EFAULT
 * (the message is taken all the same, as on Linux). */
SYSCALL_DEFINE5(mq_timedreceive, int, mqd, uintptr_t, uptr, size_t, len, uintptr_t, uprio,
		uintptr_t, uts)
{
	uint64_t deadline;
	struct mq_msg *m = NULL;
	struct mqueue *q;
	struct file *f;
	long r = get_deadline(uts, &deadline);

	if (r)
		return r;
	f = fd_get(current->files, mqd);
	q = file_mq(f);
	if (!q || (f->flags & O_ACCMODE) == O_WRONLY) {
		r = -EBADF;
		goto out;
	}
	if ((long)len < q->msgsize) {
		r = -EMSGSIZE;
		goto out;
	}
	mutex_lock(&mq_mutex);
	while (!q->curmsgs) {
		if (f->flags & O_NONBLOCK) {
			r = -EAGAIN;
			break;
		}
		q->receivers++;
		r = sched_sleep_mutex(&q->wq, &mq_mutex, deadline, true);
		q->receivers--;
		if (r == -EINTR)
			r = -ERESTARTSYS;
		if (r)
			break;
	}
	if (!r) {
		m = list_first_entry(&q->msgs, struct mq_msg, node);
		list_del(&m->node);
		q->curmsgs--;
		q->qsize -= m->len;
		wake_up(&q->wq);
	}
	mutex_unlock(&mq_mutex);
	if (m) {
		unsigned prio = m->prio;

		if (copy_to_user(uptr, m->data, m->len) ||
		    (uprio && copy_to_user(uprio, &prio, sizeof(prio))))
			r = -EFAULT;
		else
			r = (long)m->len;
		kfree(m);
	}
out:
	if (f)
		fput(f);
	return r;
}

/* [mq_notify(3)]: register (SIGEV_SIGNAL, SIGEV_NONE) or, with NULL,
 * unregister the caller. 0, -EBADF, -EBUSY (another process is
 * registered), -EINVAL (bad signal, SIGEV_THREAD: no netlink), -EFAULT. */
SYSCALL_DEFINE2(mq_notify, int, mqd, uintptr_t, usev)
{
	struct sigevent_user ev;
	struct mqueue *q;
	struct file *f;
	long r = 0;

	if (usev) {
		if (copy_from_user(&ev, usev, sizeof(ev)))
			return -EFAULT;
		if (ev.sigev_notify != SIGEV_SIGNAL && ev.sigev_notify != SIGEV_NONE)
			return -EINVAL;
		if (ev.sigev_notify == SIGEV_SIGNAL && (ev.sigev_signo <= 0 || ev.sigev_signo > 64))
			return -EINVAL;
	}
	f = fd_get(current->files, mqd);
	q = file_mq(f);
	if (!q) {
		r = -EBADF;
		goto out;
	}
	mutex_lock(&mq_mutex);
	if (!usev) {
		if (q->notify_tgid == current->tgid)
			q->notify_tgid = 0;
	} else if (q->notify_tgid) {
		r = -EBUSY;
	} else {
		q->notify_tgid = current->tgid;
		q->notify_kind = ev.sigev_notify;
		q->notify_sig = ev.sigev_signo;
		q->notify_value = ev.sigev_value;
	}
	mutex_unlock(&mq_mutex);
out:
	if (f)
		fput(f);
	return r;
}

/* [mq_getattr(3)], [mq_setattr(3)]: only O_NONBLOCK can change. 0,
 * -EBADF, -EINVAL (other flags), -EFAULT. */
SYSCALL_DEFINE3(mq_getsetattr, int, mqd, uintptr_t, unew, uintptr_t, uold)
{
	struct mq_attr_user na, oa;
	struct mqueue *q;
	struct file *f;
	long r = 0;

	if (unew) {
		if (copy_from_user(&na, unew, sizeof(na)))
			return -EFAULT;
		if (na.mq_flags & ~(int64_t)O_NONBLOCK)
			return -EINVAL;
	}
	f = fd_get(current->files, mqd);
	q = file_mq(f);
	if (!q) {
		r = -EBADF;
		goto out;
	}
	memset(&oa, 0, sizeof(oa));
	mutex_lock(&mq_mutex);
	oa.mq_flags = f->flags & O_NONBLOCK;
	oa.mq_maxmsg = q->maxmsg;
	oa.mq_msgsize = q->msgsize;
	oa.mq_curmsgs = q->curmsgs;
	if (unew)
		f->flags =
			(f->flags & ~(unsigned)O_NONBLOCK) | (unsigned)(na.mq_flags & O_NONBLOCK);
	mutex_unlock(&mq_mutex);
	if (uold && copy_to_user(uold, &oa, sizeof(oa)))
		r = -EFAULT;
out:
	if (f)
		fput(f);
	return r;
}

/* read(2) of the descriptor: Linux's mqueue_read_file() line, from *pos. */
static ssize_t mq_read(struct file *f, struct uio *u, off_t *pos)
{
	struct mqueue *q = f->private_data;
	char buf[96];
	int n;

	mutex_lock(&mq_mutex);
	n = snprintf(buf, sizeof(buf), "QSIZE:%-10llu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
		     (unsigned long long)q->qsize,
		     q->notify_tgid && q->notify_kind != SIGEV_SIGNAL ? q->notify_kind : 0,
		     q->notify_tgid && q->notify_kind == SIGEV_SIGNAL ? q->notify_sig : 0,
		     q->notify_tgid);
	mutex_unlock(&mq_mutex);
	if (*pos < 0)
		return -EINVAL;
	if (*pos >= n)
		return 0;
	size_t len = MIN((size_t)(n - *pos), u->len);
	if (uio_copy_out(u, buf + *pos, len))
		return -EFAULT;
	*pos += (off_t)len;
	return (ssize_t)len;
}

static unsigned mq_poll(struct file *f, struct wait_queue **wq_out)
{
	struct mqueue *q = f->private_data;
	unsigned mask = 0;

	if (q->curmsgs)
		mask |= POLLIN | POLLRDNORM;
	if (q->curmsgs < q->maxmsg)
		mask |= POLLOUT | POLLWRNORM;
	if (wq_out)
		*wq_out = &q->wq;
	return mask;
}

/* Last close: a registration of the closing process ends (Linux does it
 * at every close, mqueue_flush_file()). */
static void mq_release(struct file *f)
{
	struct mqueue *q = f->private_data;

	mutex_lock(&mq_mutex);
	if (current && q->notify_tgid == current->tgid)
		q->notify_tgid = 0;
	mq_put(q);
	mutex_unlock(&mq_mutex);
}

static const struct file_operations mq_fops = {
	.read = mq_read,
	.poll = mq_poll,
	.release = mq_release,
};
