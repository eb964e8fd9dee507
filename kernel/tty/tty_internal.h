/* Private to kernel/tty/: struct tty, the Linux termios ABI and the pieces
 * the line discipline files share.
 *
 * Locking: the input queue and the flow-control state are changed by
 * tty_receive_char() in IRQ context; tty->lock (irqsave) guards every
 * access to them. Order: tty->lock -> tasklist_lock (the signals a
 * control character sends) -> wait-queue locks. Output goes straight to
 * the driver's polling write.
 */
#ifndef KERNEL_TTY_INTERNAL_H
#define KERNEL_TTY_INTERNAL_H
#include <hal/types.h>
#include <kernel/sched.h>
#include <kernel/tty.h>
#include <kernel/vfs.h>

/* ---- termios ABI (include/uapi/asm-generic/termbits.h; x86_64 and arm64
 * share it) ---- */
#define NCCS 19
struct ktermios { /* the kernel's struct termios, 36 bytes */
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS];
};
_Static_assert(sizeof(struct ktermios) == 36, "struct termios is 36 bytes");
struct ktermios2 { /* struct termios2 (TCGETS2), 44 bytes */
	struct ktermios t;
	uint32_t c_ispeed, c_ospeed;
};
_Static_assert(sizeof(struct ktermios2) == 44, "struct termios2 is 44 bytes");
struct kwinsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* ioctl numbers (include/uapi/asm-generic/ioctls.h, shared by x86_64 and
 * arm64). [tty_ioctl(4)] */
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCSBRK 0x5409
#define TCXONC 0x540A
#define TCFLSH 0x540B
#define TIOCEXCL 0x540C
#define TIOCNXCL 0x540D
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define TIOCMGET 0x5415
#define FIONREAD 0x541B
#define FIONBIO 0x5421
#define TIOCNOTTY 0x5422
#define TIOCSETD 0x5423
#define TIOCGETD 0x5424
#define TCSBRKP 0x5425
#define TIOCGSID 0x5429
#define TCGETS2 0x802C542A
#define TCSETS2 0x402C542B
#define TCSETSW2 0x402C542C
#define TCSETSF2 0x402C542D
#define TIOCGPTN 0x80045430

#define TIOCSPTLCK 0x40045431
#define TIOCGPTLCK 0x80045439
#define TIOCGPTPEER 0x5441

/* c_cc indices */
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSWTC 7
#define VSTART 8
#define VSTOP 9
#define VSUSP 10
#define VEOL 11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE 14
#define VLNEXT 15
#define VEOL2 16

/* c_iflag */
#define IGNBRK 0000001
#define BRKINT 0000002
#define ISTRIP 0000040
#define INLCR 0000100
#define IGNCR 0000200
#define ICRNL 0000400
#define IUCLC 0001000
#define IXON 0002000
#define IXANY 0004000
#define IXOFF 0010000
#define IMAXBEL 0020000
#define IUTF8 0040000
/* c_oflag */
#define OPOST 0000001
#define OLCUC 0000002
#define ONLCR 0000004
#define OCRNL 0000010
#define ONOCR 0000020
#define ONLRET 0000040
/* c_cflag */
#define CBAUD 0010017
#define B38400 0000017
#define CS8 0000060
#define CREAD 0000200
#define HUPCL 0002000
#define CLOCAL 0004000
/* c_lflag */
#define ISIG 0000001
#define ICANON 0000002
#define ECHO 0000010
#define ECHOE 0000020
#define ECHOK 0000040
#define ECHONL 0000100
#define NOFLSH 0000200
#define TOSTOP 0000400
#define ECHOCTL 0001000
#define ECHOPRT 0002000
#define ECHOKE 0004000
#define FLUSHO 0010000
#define PENDIN 0040000
#define IEXTEN 0100000

/* ---- the tty ---- */
#define TTY_MAX 4
#define TTY_BUF_SIZE 4096 /* input queue, bytes (N_TTY_BUF_SIZE) */
#define TTY_BUF_MASK (TTY_BUF_SIZE - 1)

/* Per-byte flags of the input queue. */
#define TTYF_DELIM 0x1 /* ends a canonical line ('\n', EOL, EOL2, EOF) */
#define TTYF_EOF 0x2   /* the EOF char: ends the line, never returned */

struct tty {
	char name[16]; /* "ttyS0" */
	const struct tty_driver_ops *ops;
	void *priv;
	dev_t dev; /* MKDEV(4, 64) for ttyS0 */
	struct chrdev cdev;
	/* lock protects termios, the input queue (buf, flags, head, canon,
	 * tail, lnext) and stopped. column and line_col are updated by
	 * echo (under it) and by process-context output (not under it: a
	 * race only in where an erase lands). */
	spinlock_t lock;
	struct ktermios termios;
	struct kwinsize winsize;

	/* Input queue: free-running indices, [tail, head) holds bytes; in
	 * canonical mode only [tail, canon) is readable, [canon, head) is
	 * the line being edited. */
	unsigned char buf[TTY_BUF_SIZE];
	uint8_t flags[TTY_BUF_SIZE];
	unsigned head, canon, tail;
	bool lnext;	   /* the next byte is literal (VLNEXT) */
	bool stopped;	   /* output stopped by VSTOP / TCOOFF */
	unsigned column;   /* output column, for erasing tabs */
	unsigned line_col; /* column where the line being edited began */

	/* Job control [credentials(7)]: the session this is the controlling
	 * terminal of (0: none) and its foreground process group. */
	int session;
	int pgrp;

	unsigned open_count;
	struct wait_queue read_wq;  /* input arrived */
	struct wait_queue write_wq; /* output restarted */
	/* Room appeared (input consumed by a read, or the driver's
	 * write_room() grew), and, on a pty, every event of the master side. */
	struct wait_queue room_wq;
	/* Hung up (a pty whose master closed): reads give 0 (or -EIO to a
	 * reader that was waiting), writes and ioctls -EIO, as Linux's
	 * hung_up_tty_fops. Never cleared. */
	bool hung_up;
	struct pty *pty; /* the pair a pty slave belongs to; NULL for a line */
};

/* tty_core.c: set up a tty (termios and window size as Linux's defaults,
 * its locks and queues). dev and the chrdev are the caller's. */
void tty_init(struct tty *tty, const char *name, const struct tty_driver_ops *ops, void *priv);

/* n_tty.c: input processing (IRQ context) and output processing. */
void n_tty_receive(struct tty *tty, unsigned char c);
/* Send buf through OPOST processing to the driver. */
void n_tty_output(struct tty *tty, const char *buf, size_t n);
/* Bytes a read could take now (canonical: of complete lines). tty->lock
 * held. */
unsigned n_tty_readable(const struct tty *tty);
/* Drop all pending input. tty->lock held. */
void n_tty_flush_input(struct tty *tty);
/* termios changed from old (ICANON switches). tty->lock held. */
void n_tty_set_termios(struct tty *tty, const struct ktermios *old);

/* tty_io.c: file operations shared by every tty node. */
ssize_t tty_read(struct file *f, struct uio *u, off_t *pos);
ssize_t tty_write(struct file *f, struct uio *u, off_t *pos);
unsigned tty_poll(struct file *f, struct wait_queue **wq_out);
void tty_release(struct file *f);

/* Wait until the driver can take a chunk of output (write_room()):
 * 0, -EAGAIN (O_NONBLOCK), -ERESTARTSYS (signal), -EIO (hung up). */
int tty_wait_room(struct tty *tty, struct file *f);

/* tty_ioctl.c */
long tty_ioctl(struct file *f, unsigned cmd, unsigned long arg);

/* tty_jobctl.c: job control. [credentials(7)], [termios(3)] */
/* Is tty the controlling terminal of the current task's session? */
bool tty_is_ctty(const struct tty *tty);
/* Open without O_NOCTTY: a session leader with no controlling terminal
 * acquires a free tty. */
void tty_maybe_acquire(struct tty *tty);
/* Background-group checks for a read (SIGTTIN) and for a write or a
 * termios change (SIGTTOU): 0 to go on, -ERESTARTSYS after signalling
 * the caller's group, -EIO for an orphaned/ignoring group on read. */
int tty_check_read(struct tty *tty);
int tty_check_change(struct tty *tty, bool is_write);
/* Forget a session that has no live member any more. */
void tty_drop_dead_session(struct tty *tty);
/* TIOCSCTTY / TIOCNOTTY / TIOCSPGRP bodies. */
int tty_set_ctty(struct tty *tty, int force);
int tty_give_up_ctty(struct tty *tty);
int tty_set_fg_pgrp(struct tty *tty, int pgrp);
/* Every task holding tty as its terminal loses it; no session any more. */
void tty_detach_all(struct tty *tty);
/* Hang tty up (Linux's tty_vhangup()): the session leader gets SIGHUP and
 * SIGCONT, every task of the session loses its controlling terminal,
 * sleepers wake and see hung_up. */
void tty_hangup(struct tty *tty);

#endif
