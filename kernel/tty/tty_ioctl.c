/* Terminal ioctls with the generic Linux numbers (include/uapi/asm-generic/
 * ioctls.h, shared by x86_64 and arm64). [tty_ioctl(4)], [termios(3)]. */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/signal.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>
#include <string.h>

#include "tty_internal.h"

/* TCFLSH / TCXONC arguments */
#define TCIFLUSH 0
#define TCOFLUSH 1
#define TCIOFLUSH 2
#define TCOOFF 0
#define TCOON 1
#define TCIOFF 2
#define TCION 3

/* Modem lines reported by TIOCMGET: a serial line that is always up. */
#define TIOCM_DTR 0x002
#define TIOCM_RTS 0x004
#define TIOCM_CTS 0x020
#define TIOCM_CAR 0x040
#define TIOCM_DSR 0x100

#define N_TTY 0

/* Baud rate of the B* code in c_cflag, for termios2 speeds. */
static uint32_t cflag_baud(uint32_t cflag)
{
	static const uint32_t rates[] = { 0,   50,   75,   110,	 134,  150,  200,   300,
					  600, 1200, 1800, 2400, 4800, 9600, 19200, 38400 };
	static const uint32_t ext[] = { 0,	 57600,	  115200,  230400,  460800,  500000,
					576000,	 921600,  1000000, 1152000, 1500000, 2000000,
					2500000, 3000000, 3500000, 4000000 };
	unsigned code = cflag & 017;
	return (cflag & 010000) ? ext[code] : rates[code];
}

static long set_termios(struct tty *tty, const struct ktermios *nt, bool flush)
{
	struct ktermios old = tty->termios;
	irqflags_t fl = spin_lock_irqsave(&tty->lock);

	tty->termios = *nt;
	if (flush)
		n_tty_flush_input(tty);
	n_tty_set_termios(tty, &old);
	spin_unlock_irqrestore(&tty->lock, fl);
	return 0;
}

static long ioctl_set_termios(struct tty *tty, unsigned cmd, unsigned long arg)
{
	struct ktermios2 t2;
	bool v2 = cmd == TCSETS2 || cmd == TCSETSW2 || cmd == TCSETSF2;
	int r = tty_check_change(tty, false);

	if (r)
		return r;
	if (copy_from_user(&t2, arg, v2 ? sizeof(t2) : sizeof(t2.t)))
		return -EFAULT;
	/* TCSETSW: output is written synchronously, nothing to drain. */
	return set_termios(tty, &t2.t, cmd == TCSETSF || cmd == TCSETSF2);
}

static long put_int(unsigned long arg, int v)
{
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long get_int(unsigned long arg, int *v)
{
	return copy_from_user(v, arg, sizeof(*v)) ? -EFAULT : 0;
}

/* Dispatch one ioctl. Unknown commands (TIOCGPTN included: this is no
 * pseudo-terminal master) are -ENOTTY. */
long tty_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct tty *tty = f->private_data;
	long r;
	int v;

	if (!tty)
		return -EIO;
	switch (cmd) {
	case TCGETS: return copy_to_user(arg, &tty->termios, sizeof(tty->termios)) ? -EFAULT : 0;
	case TCGETS2: {
		struct ktermios2 t2 = { .t = tty->termios };
		t2.c_ispeed = t2.c_ospeed = cflag_baud(tty->termios.c_cflag);
		return copy_to_user(arg, &t2, sizeof(t2)) ? -EFAULT : 0;
	}
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TCSETS2:
	case TCSETSW2:
	case TCSETSF2: return ioctl_set_termios(tty, cmd, arg);

	case TIOCGWINSZ:
		return copy_to_user(arg, &tty->winsize, sizeof(tty->winsize)) ? -EFAULT : 0;
	case TIOCSWINSZ: {
		struct kwinsize ws;
		if (copy_from_user(&ws, arg, sizeof(ws)))
			return -EFAULT;
		bool changed = memcmp(&ws, &tty->winsize, sizeof(ws)) != 0;
		tty->winsize = ws;
		if (changed && tty->pgrp > 0)
			kill_pgrp(tty->pgrp, SIGWINCH, NULL);
		return 0;
	}

	case TIOCGPGRP:
		if (!tty_is_ctty(tty))
			return -ENOTTY;
		return put_int(arg, tty->pgrp);
	case TIOCSPGRP:
		if ((r = get_int(arg, &v)))
			return r;
		return tty_set_fg_pgrp(tty, v);
	case TIOCGSID:
		if (!tty_is_ctty(tty))
			return -ENOTTY;
		return put_int(arg, tty->session);
	case TIOCSCTTY: return tty_set_ctty(tty, (int)arg);
	case TIOCNOTTY: return tty_give_up_ctty(tty);

	case FIONREAD: {
		irqflags_t fl = spin_lock_irqsave(&tty->lock);
		v = (int)n_tty_readable(tty);
		spin_unlock_irqrestore(&tty->lock, fl);
		return put_int(arg, v);
	}
	case TIOCOUTQ: return put_int(arg, 0); /* output is written synchronously */
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		if ((r = tty_check_change(tty, false)))
			return r;
		if (arg == TCIFLUSH || arg == TCIOFLUSH) {
			irqflags_t fl = spin_lock_irqsave(&tty->lock);
			n_tty_flush_input(tty);
			spin_unlock_irqrestore(&tty->lock, fl);
		}
		return 0;
	case TCXONC:
		if ((r = tty_check_change(tty, false)))
			return r;
		switch (arg) {
		case TCOOFF: tty->stopped = true; return 0;
		case TCOON:
			tty->stopped = false;
			wake_up(&tty->write_wq);
			return 0;
		case TCIOFF:
		case TCION: {
			char c = (char)tty->termios.c_cc[arg == TCIOFF ? VSTOP : VSTART];
			if (c)
				tty->ops->write(tty->priv, &c, 1);
			return 0;
		}
		default: return -EINVAL;
		}
	case TCSBRK:
	case TCSBRKP:
		/* tcdrain()/tcsendbreak(): nothing is buffered; no break. */
		return 0;

	case FIONBIO:
		if ((r = get_int(arg, &v)))
			return r;
		if (v)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~(unsigned)O_NONBLOCK;
		return 0;
	case TIOCEXCL:
	case TIOCNXCL: return 0;
	case TIOCGETD: return put_int(arg, N_TTY);
	case TIOCSETD:
		if ((r = get_int(arg, &v)))
			return r;
		return v == N_TTY ? 0 : -EINVAL;
	case TIOCMGET:
		return put_int(arg, TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_CAR | TIOCM_DSR);
	case TIOCGPTPEER: return -EIO; /* not a master: Linux ptm_open_peer() */
	case TIOCGPTN:
	default: return -ENOTTY;
	}
}
