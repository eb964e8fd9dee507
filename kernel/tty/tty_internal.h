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
};

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

#endif
