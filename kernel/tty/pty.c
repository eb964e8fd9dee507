/* Unix 98 pseudo-terminals: /dev/ptmx (5:2) opens a new master, whose
 * slave is /dev/pts/N (136:N) on devpts. [pty(7)], [posix_openpt(3)],
 * [ptsname(3)], [unlockpt(3)], [tty_ioctl(4)] TIOCGPTN/TIOCSPTLCK/
 * TIOCGPTPEER; Linux drivers/tty/pty.c.
 *
 * The slave is a struct tty with the N_TTY line discipline of n_tty.c:
 * what the master writes is the slave's input (echo, canonical mode,
 * signals to the slave's foreground group), and the slave's output
 * (after OPOST) lands in the master's buffer through the tty's driver
 * write(). The master side is a plain byte stream, as Linux's master in
 * its default raw mode; its termios is kept for TCGETS/TCSETS only.
 *
 * Lifetime: the pair lives while the master or a slave file is open.
 * Closing the master hangs the slave up (tty_hangup()) and removes
 * /dev/pts/N; the last slave close with the master open makes master
 * reads -EIO once its buffer is drained. Locking: pty_lock guards the
 * table; pty->lock the master buffer (taken under the slave's tty->lock
 * by echo). Slave-side sleepers use the tty's queues; every master-side
 * sleeper waits on slave->room_wq. */
#include <hal/usercopy.h>
#include <kernel/current.h>
#include <kernel/errno.h>
#include <kernel/fdtable.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/signal.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <string.h>

#include "pty.h"
#include "tty_internal.h"

#define PTY_OBUF 8192 /* master's input buffer, bytes (power of two) */
#define PTY_CHUNK 256

struct pty {
	int index;
	struct tty slave;
	spinlock_t lock; /* obuf, ohead, otail */
	unsigned char obuf[PTY_OBUF];
	unsigned ohead, otail; /* free-running; [otail, ohead) is unread */
	struct ktermios mtermios;
	bool locked;	   /* TIOCSPTLCK: the slave cannot be opened */
	bool master_open;  /* until the master's last close */
	bool slave_closed; /* every slave file was closed (Linux TTY_OTHER_CLOSED) */
	uint32_t uid, gid; /* the creator's, for the devpts node */
};

static struct pty *ptys[PTY_MAX];
static DEFINE_SPINLOCK(pty_lock); /* ptys[] */

/* ---- the slave's driver: output into the master's buffer ---- */

static size_t obuf_used(const struct pty *p)
{
	return p->ohead - p->otail;
}

static void slave_drv_write(void *priv, const char *buf, size_t n)
{
	struct pty *p = priv;
	irqflags_t fl = spin_lock_irqsave(&p->lock);

	/* Echo with the master not reading drops what does not fit. */
	for (size_t i = 0; i < n && obuf_used(p) < PTY_OBUF; i++)
		p->obuf[p->ohead++ & (PTY_OBUF - 1)] = (unsigned char)buf[i];
	spin_unlock_irqrestore(&p->lock, fl);
	wake_up(&p->slave.room_wq);
}

static size_t slave_drv_write_room(void *priv)
{
	struct pty *p = priv;
	irqflags_t fl = spin_lock_irqsave(&p->lock);
	size_t room = PTY_OBUF - obuf_used(p);

	spin_unlock_irqrestore(&p->lock, fl);
	return room;
}

static const struct tty_driver_ops slave_drv_ops = {
	.write = slave_drv_write,
	.write_room = slave_drv_write_room,
};

/* Linux's ptm_driver init_termios: raw, 38400 8N1. */
static const struct ktermios master_termios = {
	.c_cflag = B38400 | CS8 | CREAD,
	.c_cc = { [VINTR] = 3,
		  [VQUIT] = 28,
		  [VERASE] = 127,
		  [VKILL] = 21,
		  [VEOF] = 4,
		  [VMIN] = 1,
		  [VSTART] = 17,
		  [VSTOP] = 19,
		  [VSUSP] = 26,
		  [VREPRINT] = 18,
		  [VDISCARD] = 15,
		  [VWERASE] = 23,
		  [VLNEXT] = 22 },
};

/* ---- the table ---- */

struct pty *pty_get(int index)
{
	struct pty *p = NULL;
	irqflags_t fl = spin_lock_irqsave(&pty_lock);

	if (index >= 0 && index < PTY_MAX)
		p = ptys[index];
	spin_unlock_irqrestore(&pty_lock, fl);
	return p;
}

bool pty_visible(int index, uint32_t *uid, uint32_t *gid)
{
	struct pty *p = pty_get(index);

	if (!p || !p->master_open)
		return false;
	*uid = p->uid;
	*gid = p->gid;
	return true;
}

static struct pty *pty_alloc(void)
{
	struct pty *p = kzalloc(sizeof(*p));
	irqflags_t fl;

	if (!p)
		return NULL;
	fl = spin_lock_irqsave(&pty_lock);
	p->index = -1;
	for (int i = 0; i < PTY_MAX; i++) {
		if (!ptys[i]) {
			ptys[i] = p;
			p->index = i;
			break;
		}
	}
	spin_unlock_irqrestore(&pty_lock, fl);
	if (p->index < 0) {
		kfree(p);
		return NULL;
	}
	char name[16];
	snprintf(name, sizeof(name), "pts/%d", p->index);
	tty_init(&p->slave, name, &slave_drv_ops, p);
	p->slave.pty = p;
	p->slave.dev = MKDEV(PTY_SLAVE_MAJOR, p->index);
	spin_lock_init(&p->lock, "pty.lock");
	p->mtermios = master_termios;
	p->locked = true; /* until unlockpt(): [posix_openpt(3)] */
	p->master_open = true;
	p->uid = current_fsuid();
	p->gid = current_fsgid();
	return p;
}

/* Both sides closed: forget the pair. */
static void pty_free(struct pty *p)
{
	irqflags_t fl = spin_lock_irqsave(&pty_lock);

	ptys[p->index] = NULL;
	spin_unlock_irqrestore(&pty_lock, fl);
	tty_detach_all(&p->slave);
	kfree(p);
}

/* ---- the master: /dev/ptmx ---- */

static int ptmx_open(struct inode *inode, struct file *f)
{
	struct pty *p = pty_alloc();

	if (!p)
		return -ENOSPC; /* Linux: the devpts instance is full */
	f->private_data = p;
	return 0;
}

static void ptmx_release(struct file *f)
{
	struct pty *p = f->private_data;

	if (!p)
		return;
	p->master_open = false;
	devpts_pty_kill(p->index);
	tty_hangup(&p->slave);
	if (p->slave.open_count == 0)
		pty_free(p);
}

/* Read what the slave wrote. Blocks until something is there; -EIO once
 * the slave was closed and the buffer is empty (Linux n_tty_read() with
 * TTY_OTHER_CLOSED), -EAGAIN, -ERESTARTSYS, -EFAULT. */
static ssize_t ptmx_read(struct file *f, struct uio *u, off_t *pos)
{
	struct pty *p = f->private_data;
	unsigned char kbuf[PTY_CHUNK];
	size_t done = 0;

	if (u->len == 0)
		return 0;
	for (;;) {
		irqflags_t fl = spin_lock_irqsave(&p->lock);
		size_t n = 0;

		while (n < sizeof(kbuf) && done + n < u->len && obuf_used(p))
			kbuf[n++] = p->obuf[p->otail++ & (PTY_OBUF - 1)];
		spin_unlock_irqrestore(&p->lock, fl);
		if (n) {
			wake_up(&p->slave.room_wq);
			wake_up(&p->slave.read_wq); /* slave pollers wait for POLLOUT there */
			if (uio_copy_out(u, kbuf, n))
				return done ? (ssize_t)done : -EFAULT;
			done += n;
			if (done < u->len)
				continue;
		}
		if (done)
			return (ssize_t)done;
		if (p->slave_closed)
			return -EIO;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(p->slave.room_wq,
					     obuf_used(p) != 0 || p->slave_closed))
			return -ERESTARTSYS;
	}
}

/* Bytes the slave's input queue can take now. */
static unsigned slave_input_room(struct pty *p)
{
	irqflags_t fl = spin_lock_irqsave(&p->slave.lock);
	unsigned used = p->slave.head - p->slave.tail;

	spin_unlock_irqrestore(&p->slave.lock, fl);
	return used >= TTY_BUF_SIZE - 1 ? 0 : TTY_BUF_SIZE - 1 - used;
}

/* Write input for the slave: each byte goes through the slave's line
 * discipline. Waits while the slave's input queue is full. */
static ssize_t ptmx_write(struct file *f, struct uio *u, off_t *pos)
{
	struct pty *p = f->private_data;
	char kbuf[PTY_CHUNK];
	size_t done = 0;

	while (u->len) {
		unsigned room = slave_input_room(p);

		if (room == 0) {
			if (done)
				break;
			if (f->flags & O_NONBLOCK)
				return -EAGAIN;
			if (wait_event_interruptible(p->slave.room_wq, slave_input_room(p) != 0))
				return -ERESTARTSYS;
			continue;
		}
		size_t n = MIN(MIN(u->len, sizeof(kbuf)), room);
		if (uio_copy_in(u, kbuf, n))
			return done ? (ssize_t)done : -EFAULT;
		irqflags_t fl = spin_lock_irqsave(&p->slave.lock);
		for (size_t i = 0; i < n; i++)
			n_tty_receive(&p->slave, (unsigned char)kbuf[i]);
		spin_unlock_irqrestore(&p->slave.lock, fl);
		done += n;
	}
	return (ssize_t)done;
}

/* POLLIN with output of the slave to read, POLLHUP once the slave is
 * closed, POLLOUT while the slave's input has room (Linux n_tty_poll()). */
static unsigned ptmx_poll(struct file *f, struct wait_queue **wq_out)
{
	struct pty *p = f->private_data;
	unsigned mask = 0;
	irqflags_t fl = spin_lock_irqsave(&p->lock);

	if (obuf_used(p))
		mask |= POLLIN | POLLRDNORM;
	spin_unlock_irqrestore(&p->lock, fl);
	if (p->slave_closed)
		mask |= POLLHUP;
	if (slave_input_room(p))
		mask |= POLLOUT | POLLWRNORM;
	if (wq_out)
		*wq_out = &p->slave.room_wq;
	return mask;
}

/* TIOCGPTPEER: open the slave by its devpts path with flags (Linux passes
 * them on unchecked) as a new descriptor. Linux opens it on the master's
 * own devpts instance; here there is one index space, found at /dev/pts. */
static long open_peer(struct pty *p, unsigned long flags)
{
	char path[32];
	int err = 0;
	struct file *sf;

	snprintf(path, sizeof(path), "/dev/pts/%d", p->index);
	sf = vfs_open(path, (unsigned)flags, 0, &err);
	if (!sf)
		return err ? err : -EIO;
	int fd = fd_install(current->files, sf, 0, (flags & O_CLOEXEC) != 0);
	if (fd < 0)
		fput(sf);
	return fd;
}

static long put_int(unsigned long arg, int v)
{
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long ptmx_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct pty *p = f->private_data;
	struct tty *s = &p->slave;
	int v;

	switch (cmd) {
	case TIOCGPTN: return put_int(arg, p->index);
	case TIOCSPTLCK:
		if (copy_from_user(&v, arg, sizeof(v)))
			return -EFAULT;
		p->locked = v != 0;
		return 0;
	case TIOCGPTLCK: return put_int(arg, p->locked);
	case TIOCGPTPEER: return open_peer(p, arg);
	case TIOCGWINSZ: return copy_to_user(arg, &s->winsize, sizeof(s->winsize)) ? -EFAULT : 0;
	case TIOCSWINSZ: {
		/* Linux pty_resize(): one size for the pair; SIGWINCH to the
		 * slave's foreground group when it changes. */
		struct kwinsize ws;
		if (copy_from_user(&ws, arg, sizeof(ws)))
			return -EFAULT;
		bool changed = memcmp(&ws, &s->winsize, sizeof(ws)) != 0;
		s->winsize = ws;
		if (changed && s->pgrp > 0)
			kill_pgrp(s->pgrp, SIGWINCH, NULL);
		return 0;
	}
	case TCGETS: return copy_to_user(arg, &p->mtermios, sizeof(p->mtermios)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct ktermios t;
		if (copy_from_user(&t, arg, sizeof(t)))
			return -EFAULT;
		p->mtermios = t;
		return 0;
	}
	case FIONREAD: {
		irqflags_t fl = spin_lock_irqsave(&p->lock);
		v = (int)obuf_used(p);
		spin_unlock_irqrestore(&p->lock, fl);
		return put_int(arg, v);
	}
	case TCFLSH: {
		if (arg > 2)
			return -EINVAL;
		/* The master's input is the slave's output, and back. */
		irqflags_t fl;
		if (arg != 0) { /* TCOFLUSH, TCIOFLUSH: what the slave will read */
			fl = spin_lock_irqsave(&s->lock);
			n_tty_flush_input(s);
			spin_unlock_irqrestore(&s->lock, fl);
		}
		if (arg != 1) { /* TCIFLUSH, TCIOFLUSH: what the master has to read */
			fl = spin_lock_irqsave(&p->lock);
			p->otail = p->ohead;
			spin_unlock_irqrestore(&p->lock, fl);
			wake_up(&s->room_wq);
		}
		return 0;
	}
	default: return -ENOTTY;
	}
}

static const struct file_operations ptmx_fops = {
	.open = ptmx_open,
	.release = ptmx_release,
	.read = ptmx_read,
	.write = ptmx_write,
	.ioctl = ptmx_ioctl,
	.poll = ptmx_poll,
};

/* ---- the slave: /dev/pts/N ---- */

/* -ENXIO (no such pair), -EIO (locked by the master, or the master is
 * closed: Linux pty_open()). */
static int pts_open(struct inode *inode, struct file *f)
{
	struct pty *p = pty_get((int)MINOR(inode->rdev));

	if (!p)
		return -ENXIO;
	if (!p->master_open || p->locked || p->slave.hung_up)
		return -EIO;
	f->private_data = &p->slave;
	p->slave.open_count++;
	p->slave_closed = false;
	if (!(f->flags & O_NOCTTY))
		tty_maybe_acquire(&p->slave);
	return 0;
}

static void pts_release(struct file *f)
{
	struct tty *s = f->private_data;
	struct pty *p = s->pty;

	tty_release(f);
	if (s->open_count)
		return;
	p->slave_closed = true;
	wake_up(&s->room_wq);
	if (!p->master_open)
		pty_free(p);
}

/* After a hangup, ioctls are -EIO as Linux's hung_up_tty_ioctl(). */
static long pts_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct tty *s = f->private_data;

	if (s->hung_up)
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	return tty_ioctl(f, cmd, arg);
}

static const struct file_operations pts_fops = {
	.open = pts_open,
	.release = pts_release,
	.read = tty_read,
	.write = tty_write,
	.ioctl = pts_ioctl,
	.poll = tty_poll,
};

static struct chrdev ptmx_cdev = {
	.dev = MKDEV(5, 2),
	.name = "ptmx",
	.mode = 0666,
	.fops = &ptmx_fops,
};
static struct chrdev pts_cdev = {
	.dev = MKDEV(PTY_SLAVE_MAJOR, 0),
	.name = NULL, /* the nodes are devpts's */
	.minors = PTY_MAX,
	.fops = &pts_fops,
};

int pty_init(void)
{
	int r = register_chrdev_core(&ptmx_cdev);

	if (!r)
		r = register_chrdev_core(&pts_cdev);
	if (r)
		pr_err("pty: cannot register /dev/ptmx or 136:* (%d)\n", r);
	return r;
}
