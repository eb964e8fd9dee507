/* Reading, writing and polling a terminal. [read(2)] and [termios(3)]
 * "Canonical and noncanonical mode" (MIN/TIME), [write(2)], [poll(2)].
 *
 * Input is taken out of the queue with interrupts masked into a small
 * kernel buffer, then copied to the user with interrupts enabled (a
 * user copy may fault and sleep). */
#include <kernel/errno.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/spinlock.h>

#include "tty_internal.h"

#define CHUNK 256
#define NS_PER_DECISECOND 100000000ULL

/* Move up to max bytes of readable input into kbuf. *line_end is set when
 * a canonical read must return now: a line delimiter was consumed (EOF is
 * consumed but not copied) or a pushed chunk without one ended.
 * Interrupts masked by the caller. */
static size_t take_input(struct tty *tty, char *kbuf, size_t max, bool *line_end)
{
	bool canon = (tty->termios.c_lflag & ICANON) != 0;
	unsigned limit = canon ? tty->canon : tty->head;
	size_t n = 0;

	*line_end = false;
	while (n < max && tty->tail != limit) {
		unsigned i = tty->tail & TTY_BUF_MASK;
		unsigned char c = tty->buf[i];
		uint8_t fl = tty->flags[i];

		tty->tail++;
		if (canon && (fl & TTYF_DELIM)) {
			if (!(fl & TTYF_EOF))
				kbuf[n++] = (char)c;
			*line_end = true;
			return n;
		}
		kbuf[n++] = (char)c;
	}
	if (canon && n && tty->tail == limit)
		*line_end = true; /* a chunk pushed by an ICANON switch */
	return n;
}

/* Sleep until input is readable, the deadline (0: none) passes or a
 * signal arrives: 0, -ETIMEDOUT or -EINTR. */
static int wait_input(struct tty *tty, uint64_t deadline)
{
	irqflags_t fl = spin_lock_irqsave(&tty->lock);
	int r = 0;

	while (n_tty_readable(tty) == 0 && !tty->hung_up) {
		r = sched_sleep_locked(&tty->read_wq, &tty->lock, deadline, true);
		if (r)
			break;
	}
	spin_unlock_irqrestore(&tty->lock, fl);
	return r;
}

/* Read per the mode: canonical reads return at most one line; raw reads
 * follow MIN/TIME (c_cc[VMIN] bytes, c_cc[VTIME] tenths of a second).
 * Background groups get SIGTTIN. -EAGAIN (O_NONBLOCK, nothing yet),
 * -ERESTARTSYS (signal, nothing read), -EFAULT, -EIO. */
ssize_t tty_read(struct file *f, struct uio *u, off_t *pos)
{
	struct tty *tty = f->private_data;
	char kbuf[CHUNK];
	size_t done = 0;
	uint64_t deadline = 0;

	if (!tty)
		return -EIO;
	if (tty->hung_up)
		return 0; /* Linux's hung_up_tty_read() */
	int r = tty_check_read(tty);
	if (r)
		return r;
	if (u->len == 0)
		return 0;

	for (;;) {
		bool line_end;
		irqflags_t fl = spin_lock_irqsave(&tty->lock);
		bool canon = (tty->termios.c_lflag & ICANON) != 0;
		unsigned vmin = tty->termios.c_cc[VMIN];
		unsigned vtime = tty->termios.c_cc[VTIME];
		size_t n = take_input(tty, kbuf, MIN(sizeof(kbuf), u->len - done), &line_end);
		bool more = n_tty_readable(tty) != 0;
		spin_unlock_irqrestore(&tty->lock, fl);

		if (n) {
			wake_up(&tty->room_wq);
			if (uio_copy_out(u, kbuf, n))
				return done ? (ssize_t)done : -EFAULT;
			done += n;
		}
		if (done >= u->len)
			break;
		if (canon) {
			if (line_end)
				break;
		} else {
			if (vmin == 0 && vtime == 0)
				break;
			if (vmin > 0 && done >= vmin)
				break;
			if (vmin == 0 && done > 0)
				break;
		}
		if (more)
			continue;

		if (f->flags & O_NONBLOCK) {
			if (done)
				break;
			return -EAGAIN;
		}
		if (!canon && vtime) {
			/* VMIN == 0: one overall timer; VMIN > 0: an inter-byte
			 * timer started by the first byte. */
			if (vmin == 0) {
				if (!deadline)
					deadline = time_monotonic_ns() + vtime * NS_PER_DECISECOND;
			} else {
				deadline =
					done ? time_monotonic_ns() + vtime * NS_PER_DECISECOND : 0;
			}
		} else {
			deadline = 0;
		}
		r = wait_input(tty, deadline);
		/* n_tty_read(): the other side closed (a pty's master), before
		 * the signal the hangup sent is looked at. */
		if (tty->hung_up && !n_tty_readable(tty))
			return done ? (ssize_t)done : -EIO;
		if (r == -ETIMEDOUT)
			break;
		if (r)
			return done ? (ssize_t)done : -ERESTARTSYS;
	}
	return (ssize_t)done;
}

/* Write through OPOST processing to the driver. Output stopped by ^S
 * waits (or -EAGAIN under O_NONBLOCK); background groups get SIGTTOU
 * under TOSTOP. */
ssize_t tty_write(struct file *f, struct uio *u, off_t *pos)
{
	struct tty *tty = f->private_data;
	char kbuf[CHUNK];
	size_t done = 0;

	if (!tty || tty->hung_up)
		return -EIO;
	int r = tty_check_change(tty, true);
	if (r)
		return r;
	while (u->len) {
		if ((r = tty_wait_room(tty, f)))
			return done ? (ssize_t)done : r;
		if (tty->stopped) {
			if (f->flags & O_NONBLOCK)
				return done ? (ssize_t)done : -EAGAIN;
			if (wait_event_interruptible(tty->write_wq, !tty->stopped))
				return done ? (ssize_t)done : -ERESTARTSYS;
		}
		size_t n = MIN(u->len, sizeof(kbuf));
		if (uio_copy_in(u, kbuf, n))
			return done ? (ssize_t)done : -EFAULT;
		n_tty_output(tty, kbuf, n);
		done += n;
	}
	return (ssize_t)done;
}

int tty_wait_room(struct tty *tty, struct file *f)
{
	/* One chunk, doubled for ONLCR, must fit. */
#define ROOM_NEEDED(t) ((t)->hung_up || (t)->ops->write_room((t)->priv) >= 2 * CHUNK)
	if (!tty->ops->write_room || ROOM_NEEDED(tty))
		return tty->hung_up ? -EIO : 0;
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (wait_event_interruptible(tty->room_wq, ROOM_NEEDED(tty)))
		return -ERESTARTSYS;
#undef ROOM_NEEDED
	return tty->hung_up ? -EIO : 0;
}

/* POLLIN when a read would not block (a complete line in canonical mode;
 * MIN bytes in raw mode without TIME, as Linux), POLLOUT always. */
unsigned tty_poll(struct file *f, struct wait_queue **wq_out)
{
	struct tty *tty = f->private_data;
	unsigned mask = POLLOUT | POLLWRNORM;

	if (!tty)
		return POLLERR;
	if (tty->hung_up) /* Linux's hung_up_tty_poll() */
		return POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
	irqflags_t fl = spin_lock_irqsave(&tty->lock);
	unsigned avail = n_tty_readable(tty);
	unsigned need = 1;
	if (!(tty->termios.c_lflag & ICANON) && tty->termios.c_cc[VTIME] == 0 &&
	    tty->termios.c_cc[VMIN] > 1)
		need = tty->termios.c_cc[VMIN];
	spin_unlock_irqrestore(&tty->lock, fl);
	if (avail >= need)
		mask |= POLLIN | POLLRDNORM;
	if (tty->ops->write_room && tty->ops->write_room(tty->priv) < 2 * CHUNK)
		mask &= ~(unsigned)(POLLOUT | POLLWRNORM); /* a pty's master is not reading */
	if (wq_out)
		*wq_out = &tty->read_wq;
	return mask;
}

void tty_release(struct file *f)
{
	struct tty *tty = f->private_data;

	if (tty && tty->open_count)
		tty->open_count--;
}
