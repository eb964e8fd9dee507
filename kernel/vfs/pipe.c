/* Pipes and FIFOs, [pipe(7)]: a ring per pipe of 64 KiB (Linux's default of
 * 16 pages, allocated page by page as data arrives) that F_SETPIPE_SZ
 * resizes (pipe_set_size() below), blocking reads and
 * writes, O_NONBLOCK (-EAGAIN), end of file once every writer is gone,
 * SIGPIPE/-EPIPE for writes with no reader, writes of at most PIPE_BUF
 * bytes are atomic. A FIFO ([fifo(7)]) is the same pipe, found through its
 * inode; opening one end blocks until the other end is opened.
 *
 * Locking (Linux's pipe_inode_info.mutex): p->mutex, a sleeping lock, is
 * held while the ring, its length and the counts of open ends change,
 * including during the copy to or from user memory (which may fault:
 * order pipe.mutex -> mmap_lock). A waiter sleeps on p->wait without it
 * (wait_event_interruptible() queues itself before testing its condition)
 * and tests again under the mutex; every change is followed by wake_up(),
 * from whichever CPU, so no wake-up is lost. fifo_mutex guards the FIFO
 * list and the link from an inode to its pipe (FIFOs, and anonymous pipes
 * reopened through /proc/<pid>/fd), so a pipe is found and its ends are
 * counted before the last close can free it: order fifo_mutex ->
 * pipe.mutex. */
#include <hal/usercopy.h>
#include <kernel/kmalloc.h>
#include <kernel/mutex.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <string.h>

#include "internal.h"

#define PIPE_DEF_PAGES 16 /* [pipe(7)] "Pipe capacity": 16 pages */
#define PIPE_SIZE (p->npages * PAGE_SIZE)
#define FIONREAD 0x541B

/* /proc/sys/fs/pipe-max-size ([pipe(7)] "/proc files"): the most an
 * unprivileged F_SETPIPE_SZ may ask for; 1 MiB by default, a power of two
 * of pages always. */
static unsigned long pipe_max_size = 1048576;

struct pipe {
	char **page;		       /* npages pointers, each NULL until used */
	size_t npages;		       /* capacity in pages: a power of two */
	size_t head;		       /* ring offset of the first unread byte */
	size_t len;		       /* bytes buffered */
	unsigned readers, writers;     /* open ends */
	unsigned r_counter, w_counter; /* opens of each end so far */
	struct mutex mutex;	       /* everything here but wait (see the top) */
	struct wait_queue wait;	       /* woken on every change */
	struct inode *fifo;	       /* the named pipe's inode, or NULL */
	struct list_head fifo_list;
};

static LIST_HEAD(fifos);
/* The FIFO list and pipefs inodes' i_private links (see the top). */
static struct mutex fifo_mutex = MUTEX_INIT(fifo_mutex, "fifo_mutex");
static struct file_system_type pipefs_type = { .name = "pipefs" };
/* Anonymous pipes' inodes live here (st_dev 0:12 like Linux's pipefs). */
static struct super_block pipefs_sb = {
	.type = &pipefs_type,
	.dev = MKDEV(0, 12),
	.s_dir_mutex = MUTEX_INIT(pipefs_sb.s_dir_mutex, "sb.s_dir_mutex"),
};

static const struct file_operations pipe_fops;

bool file_is_pipe(const struct file *f)
{
	return f->f_op == &pipe_fops;
}

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (p) {
		p->page = kzalloc(PIPE_DEF_PAGES * sizeof(char *));
		if (!p->page) {
			kfree(p);
			return NULL;
		}
		p->npages = PIPE_DEF_PAGES;
		mutex_init(&p->mutex, "pipe.mutex");
		wait_queue_init(&p->wait);
		list_init(&p->fifo_list);
	}
	return p;
}

static void pipe_free(struct pipe *p)
{
	for (size_t i = 0; i < p->npages; i++)
		kfree(p->page[i]);
	kfree(p->page);
	kfree(p);
}

/* The copy may sleep on a page fault: keep other readers/writers out.
 * Held only for a copy of at most the pipe's size, so uninterruptible
 * (as Linux's __pipe_lock()). */
static int pipe_lock(struct pipe *p)
{
	mutex_lock(&p->mutex);
	return 0;
}

static void pipe_unlock(struct pipe *p)
{
	mutex_unlock(&p->mutex);
	wake_up(&p->wait);
}

/* [pipe(7)] "If a process attempts to read from an empty pipe, then read(2)
 * will block until data is available"; 0 when all writers are gone. */
static ssize_t pipe_read(struct file *f, struct uio *u, off_t *pos)
{
	struct pipe *p = f->private_data;
	size_t done = 0;
	ssize_t err = 0;

	if (!u->len)
		return 0;
	for (;;) {
		if (pipe_lock(p))
			return -ERESTARTSYS;
		if (p->len)
			break;
		pipe_unlock(p);
		if (!p->writers)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(p->wait, p->len || !p->writers))
			return -ERESTARTSYS;
	}
	while (u->len && p->len) {
		size_t off = p->head % PAGE_SIZE;
		size_t n = MIN(MIN(PAGE_SIZE - off, p->len), u->len);

		if (uio_copy_out(u, p->page[p->head / PAGE_SIZE] + off, n)) {
			err = -EFAULT;
			break;
		}
		p->head = (p->head + n) % PIPE_SIZE;
		p->len -= n;
		done += n;
	}
	if (!p->len)
		p->head = 0;
	pipe_unlock(p);
	return done ? (ssize_t)done : err;
}

/* Copy what fits into the ring; returns bytes copied or -errno. */
static ssize_t pipe_fill(struct pipe *p, struct uio *u, size_t max)
{
	size_t done = 0;

	while (done < max && p->len < PIPE_SIZE) {
		size_t tail = (p->head + p->len) % PIPE_SIZE;
		size_t idx = tail / PAGE_SIZE, off = tail % PAGE_SIZE;
		size_t n = MIN(MIN(PAGE_SIZE - off, PIPE_SIZE - p->len), max - done);

		if (!p->page[idx]) {
			p->page[idx] = kmalloc(PAGE_SIZE);
			if (!p->page[idx])
				return done ? (ssize_t)done : -ENOMEM;
		}
		if (uio_copy_in(u, p->page[idx] + off, n))
			return done ? (ssize_t)done : -EFAULT;
		p->len += n;
		done += n;
	}
	return (ssize_t)done;
}

static void pipe_sigpipe(void)
{
	if (current)
		send_signal(current, SIGPIPE, NULL);
}

/* [pipe(7)]: writes of <= PIPE_BUF bytes are atomic; larger ones may be
 * split; no reader: SIGPIPE and -EPIPE; full and O_NONBLOCK: -EAGAIN (or
 * the partial count). */
static ssize_t pipe_write(struct file *f, struct uio *u, off_t *pos)
{
	struct pipe *p = f->private_data;
	size_t total = u->len, done = 0;
	ssize_t err = 0;

	if (!p->readers) {
		pipe_sigpipe();
		return -EPIPE;
	}
	if (!total)
		return 0;
	if (pipe_lock(p))
		return -ERESTARTSYS;
	while (done < total) {
		size_t need = total <= PIPE_BUF ? total : 1;

		if (!p->readers) {
			pipe_sigpipe();
			err = -EPIPE;
			break;
		}
		if (PIPE_SIZE - p->len >= need) {
			ssize_t n = pipe_fill(p, u, total - done);

			if (n < 0) {
				err = n;
				break;
			}
			done += (size_t)n;
			wake_up(&p->wait);
			continue;
		}
		if (f->flags & O_NONBLOCK) {
			err = -EAGAIN;
			break;
		}
		pipe_unlock(p);
		if (wait_event_interruptible(p->wait, PIPE_SIZE - p->len >= need || !p->readers) ||
		    pipe_lock(p))
			return done ? (ssize_t)done : -ERESTARTSYS;
	}
	pipe_unlock(p);
	return done ? (ssize_t)done : err;
}

static unsigned pipe_poll(struct file *f, struct wait_queue **wq)
{
	struct pipe *p = f->private_data;
	unsigned mask = 0;

	if (wq)
		*wq = &p->wait;
	if (file_readable(f)) {
		if (p->len)
			mask |= POLLIN | POLLRDNORM;
		/* f->pos holds w_counter at open: a FIFO reader that never
		 * saw a writer is not hung up ([fifo(7)], fs/pipe.c). */
		if (!p->writers && (uint64_t)f->pos != p->w_counter)
			mask |= POLLHUP;
	}
	if (file_writable(f)) {
		if (PIPE_SIZE - p->len >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	return mask;
}

/* Drop the ends a FIFO file held; the last frees the pipe. fifo_mutex
 * held. */
static void pipe_put_ends(struct pipe *p, bool rd, bool wr)
{
	bool last;

	mutex_lock(&p->mutex);
	if (rd)
		p->readers--;
	if (wr)
		p->writers--;
	last = !p->readers && !p->writers;
	mutex_unlock(&p->mutex);
	wake_up(&p->wait);
	if (last && p->fifo) {
		list_del(&p->fifo_list); /* data left in a FIFO is discarded */
		pipe_free(p);
	}
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->private_data;
	bool rd = file_readable(f), wr = file_writable(f), last;

	mutex_lock(&fifo_mutex);
	if (p->fifo) {
		pipe_put_ends(p, rd, wr);
		mutex_unlock(&fifo_mutex);
		return;
	}
	mutex_lock(&p->mutex);
	if (rd)
		p->readers--;
	if (wr)
		p->writers--;
	last = !p->readers && !p->writers;
	mutex_unlock(&p->mutex);
	wake_up(&p->wait);
	if (last) {
		/* Both ends closed: the pipefs inode goes with the last iput. */
		f->inode->nlink = 0;
		f->inode->i_private = NULL;
	}
	mutex_unlock(&fifo_mutex);
	if (last)
		pipe_free(p);
}

static long pipe_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct pipe *p = f->private_data;

	if (cmd == FIONREAD) {
		int n = (int)p->len;

		return copy_to_user((uintptr_t)arg, &n, sizeof(n)) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

static off_t pipe_llseek(struct file *f, off_t off, int whence)
{
	return -ESPIPE;
}

static const struct file_operations pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.release = pipe_release,
	.ioctl = pipe_ioctl,
	.llseek = pipe_llseek,
};

/* ---- for splice(2), tee(2), vmsplice(2) (splice.c) ---------------------- */

bool pipe_same(const struct file *a, const struct file *b)
{
	return a->private_data == b->private_data;
}

ssize_t pipe_wait_data(struct file *f, bool nonblock)
{
	struct pipe *p = f->private_data;

	while (!p->len) {
		if (!p->writers)
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(p->wait, p->len || !p->writers))
			return -ERESTARTSYS;
	}
	return (ssize_t)p->len;
}

ssize_t pipe_wait_space(struct file *f, bool nonblock)
{
	struct pipe *p = f->private_data;

	for (;;) {
		if (!p->readers) {
			pipe_sigpipe();
			return -EPIPE;
		}
		if (p->len < PIPE_SIZE)
			return (ssize_t)(PIPE_SIZE - p->len);
		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(p->wait, p->len < PIPE_SIZE || !p->readers))
			return -ERESTARTSYS;
	}
}

size_t pipe_peek(struct file *f, void *buf, size_t len)
{
	struct pipe *p = f->private_data;
	size_t done = 0, pos;

	/* Under the mutex: a reader or F_SETPIPE_SZ may change the ring. */
	mutex_lock(&p->mutex);
	pos = p->head;
	len = MIN(len, p->len);
	while (done < len) {
		size_t off = pos % PAGE_SIZE;
		size_t n = MIN(PAGE_SIZE - off, len - done);

		memcpy((char *)buf + done, p->page[pos / PAGE_SIZE] + off, n);
		pos = (pos + n) % PIPE_SIZE;
		done += n;
	}
	mutex_unlock(&p->mutex);
	return done;
}

/* F_GETPIPE_SZ: the capacity in bytes. */
long pipe_fcntl_size(struct file *f)
{
	struct pipe *p;

	if (!file_is_pipe(f))
		return -EBADF;
	p = f->private_data;
	return (long)PIPE_SIZE;
}

/* Linux's round_pipe_size(): at least a page, then the next power of two;
 * 0 (refused) above 2^31. */
static unsigned long round_pipe_size(unsigned long size)
{
	unsigned long r = PAGE_SIZE;

	if (size > (1UL << 31))
		return 0;
	while (r < size)
		r <<= 1;
	return r;
}

unsigned long pipe_max_size_get(void)
{
	return pipe_max_size;
}

int pipe_max_size_set(unsigned long size)
{
	unsigned long r = round_pipe_size(size);

	if (!r)
		return -EINVAL;
	__atomic_store_n(&pipe_max_size, r, __ATOMIC_RELAXED);
	return 0;
}

/* F_SETPIPE_SZ ([fcntl(2)] "Changing the capacity of a pipe", Linux's
 * pipe_set_size() and pipe_resize_ring()): the capacity becomes arg
 * rounded up to a power of two of pages (at least one page); -EINVAL above
 * 2^31 bytes; -EPERM for a caller other than root that asks to grow the
 * pipe above /proc/sys/fs/pipe-max-size; -EBUSY if the data held does not
 * fit; -ENOMEM. Returns the new capacity in bytes. The data is moved to
 * the start of the new ring. Linux's per-user limits
 * (pipe-user-pages-soft/hard) are not kept. */
long pipe_set_size(struct file *f, unsigned long arg)
{
	struct pipe *p;
	unsigned long size = round_pipe_size(arg);
	size_t npages, moved = 0;
	char **pages;

	if (!file_is_pipe(f))
		return -EBADF;
	p = f->private_data;
	if (!size)
		return -EINVAL;
	npages = size / PAGE_SIZE;
	if (npages > p->npages && size > __atomic_load_n(&pipe_max_size, __ATOMIC_RELAXED) &&
	    current->euid != 0)
		return -EPERM;
	pages = kzalloc(npages * sizeof(char *));
	if (!pages)
		return -ENOMEM;
	pipe_lock(p);
	if (p->len > size) {
		pipe_unlock(p);
		kfree(pages);
		return -EBUSY;
	}
	/* Allocate the pages the data needs in the new ring, then copy. */
	for (size_t i = 0; i * PAGE_SIZE < p->len; i++) {
		pages[i] = kmalloc(PAGE_SIZE);
		if (!pages[i]) {
			pipe_unlock(p);
			for (size_t j = 0; j < i; j++)
				kfree(pages[j]);
			kfree(pages);
			return -ENOMEM;
		}
	}
	while (moved < p->len) {
		size_t from = (p->head + moved) % PIPE_SIZE;
		size_t n = MIN(PAGE_SIZE - from % PAGE_SIZE, PAGE_SIZE - moved % PAGE_SIZE);

		n = MIN(n, p->len - moved);
		memcpy(pages[moved / PAGE_SIZE] + moved % PAGE_SIZE,
		       p->page[from / PAGE_SIZE] + from % PAGE_SIZE, n);
		moved += n;
	}
	for (size_t i = 0; i < p->npages; i++)
		kfree(p->page[i]);
	kfree(p->page);
	p->page = pages;
	p->npages = npages;
	p->head = 0;
	pipe_unlock(p); /* wakes writers: there may be room now */
	return (long)size;
}

int pipe_create(struct file **rd, struct file **wr, unsigned flags)
{
	struct inode *inode = inode_alloc(&pipefs_sb);
	struct pipe *p = pipe_alloc();
	struct file *r = NULL, *w = NULL;

	if (inode) {
		inode->mode = S_IFIFO | 0600;
		inode->nlink = 1;
		if (current) {
			inode->uid = current->euid;
			inode->gid = current->egid;
		}
		r = file_alloc(inode, &pipe_fops, O_RDONLY | (flags & O_NONBLOCK));
		w = file_alloc(inode, &pipe_fops, O_WRONLY | (flags & O_NONBLOCK));
	}
	if (!inode || !p || !r || !w) {
		if (r)
			file_abort(r);
		if (w)
			file_abort(w);
		if (inode) {
			inode->nlink = 0;
			iput(inode);
		}
		kfree(p);
		return -ENOMEM;
	}
	iput(inode);	      /* the files hold it now */
	inode->i_private = p; /* reopened through /proc/<pid>/fd/<n>: fifo_get() */
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;
	r->private_data = w->private_data = p;
	r->pos = 0; /* != w_counter: POLLHUP once the writer goes */
	*rd = r;
	*wr = w;
	return 0;
}

static struct pipe *fifo_get(struct inode *inode)
{
	struct pipe *p;

	/* An anonymous pipe opened again through /proc/<pid>/fd/<n>: the
	 * same pipe, while any end of it is open (proc(5)). */
	if (inode->sb == &pipefs_sb)
		return inode->i_private;
	/* fifo_mutex held (fifo_open). */
	list_for_each_entry(p, &fifos, fifo_list) {
		if (p->fifo == inode)
			return p;
	}
	p = pipe_alloc();
	if (p) {
		p->fifo = inode;
		list_add_tail(&p->fifo_list, &fifos);
	}
	return p;
}

/* [fifo(7)]: "opening the FIFO blocks until the other end is opened also";
 * O_NONBLOCK: a reader opens at once, a writer fails with ENXIO. An
 * anonymous pipe opened again (/proc/<pid>/fd/<n>) never waits for the
 * other end, as in Linux's fifo_open() (is_pipe). */
/* Count f's ends on p: p found and counted under fifo_mutex (held), so
 * a last close elsewhere cannot free it first. Returns the counter of the
 * other end before the open (to wait for it to change) and, for a
 * nonblocking writer of a FIFO without readers, -ENXIO (nothing counted;
 * the pipe freed if nobody uses it). */
static long fifo_count_ends(struct pipe *p, struct file *f, bool is_pipe)
{
	unsigned acc = f->flags & O_ACCMODE;
	long other;

	mutex_lock(&p->mutex);
	if (acc == O_RDONLY) {
		other = p->w_counter;
		p->readers++;
		p->r_counter++;
	} else if (acc == O_WRONLY) {
		other = p->r_counter;
		if (!is_pipe && !p->readers && (f->flags & O_NONBLOCK)) {
			mutex_unlock(&p->mutex);
			pipe_put_ends(p, false, false);
			return -ENXIO;
		}
		p->writers++;
		p->w_counter++;
	} else {
		other = 0;
		p->readers++;
		p->writers++;
		p->r_counter++;
		p->w_counter++;
	}
	mutex_unlock(&p->mutex);
	wake_up(&p->wait);
	return other;
}

int fifo_open(struct inode *inode, struct file *f)
{
	struct pipe *p;
	unsigned acc = f->flags & O_ACCMODE;
	bool nonblock = f->flags & O_NONBLOCK;
	bool is_pipe = inode->sb == &pipefs_sb;
	long other;

	mutex_lock(&fifo_mutex);
	p = fifo_get(inode);
	if (!p) {
		mutex_unlock(&fifo_mutex);
		return is_pipe ? -ENXIO : -ENOMEM; /* a pipe whose ends are all closed */
	}
	other = fifo_count_ends(p, f, is_pipe);
	mutex_unlock(&fifo_mutex);
	if (other < 0)
		return (int)other;
	f->f_op = &pipe_fops;
	f->private_data = p;
	f->pos = 0;
	/* Our ends are counted: p lives until this file's release. */
	if (acc == O_RDONLY) {
		unsigned wc = (unsigned)other;

		if (!is_pipe && !p->writers && nonblock) {
			/* No POLLHUP until a writer has come (fs/pipe.c). */
			f->pos = wc;
		} else if (!is_pipe && !p->writers &&
			   wait_event_interruptible(p->wait, p->writers || p->w_counter != wc)) {
			mutex_lock(&fifo_mutex);
			pipe_put_ends(p, true, false);
			mutex_unlock(&fifo_mutex);
			return -ERESTARTSYS;
		}
	} else if (acc == O_WRONLY) {
		unsigned rc = (unsigned)other;

		if (!is_pipe && !p->readers &&
		    wait_event_interruptible(p->wait, p->readers || p->r_counter != rc)) {
			mutex_lock(&fifo_mutex);
			pipe_put_ends(p, false, true);
			mutex_unlock(&fifo_mutex);
			return -ERESTARTSYS;
		}
	}
	return 0;
}

#define O_ALLOWED_PIPE2 (O_CLOEXEC | O_NONBLOCK | O_DIRECT)

/* [pipe(2)] pipe2: fds[0] the read end, fds[1] the write end. */
SYSCALL_DEFINE2(pipe2, uintptr_t, ufds, int, uflags)
{
	unsigned flags = oflags_from_user((unsigned)uflags);
	struct files *tab = current_files();
	struct file *r, *w;
	int fds[2], err;

	if (flags & ~O_ALLOWED_PIPE2)
		return -EINVAL;
	if (!tab)
		return -EBADF;
	err = pipe_create(&r, &w, flags);
	if (err)
		return err;
	fds[0] = fd_install(tab, r, 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		fput(r);
		fput(w);
		return fds[0];
	}
	fds[1] = fd_install(tab, w, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(tab, fds[0]);
		fput(w);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(tab, fds[0]);
		fd_close(tab, fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* [pipe(2)] (x86_64) */
SYSCALL_DEFINE1(pipe, uintptr_t, ufds)
{
	unsigned long args[2] = { ufds, 0 };

	return sys_pipe2(args);
}
