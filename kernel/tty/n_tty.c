/* N_TTY, the line discipline: input processing of each received byte
 * (canonical line editing, echo, signal characters, flow control) and
 * output processing (OPOST). [termios(3)] "Canonical and noncanonical
 * mode", "Special characters"; Linux drivers/tty/n_tty.c.
 *
 * n_tty_receive() runs in IRQ context with tty->lock held; everything else
 * here is called with tty->lock held or touches only the output path. */
#include <ctype.h>
#include <kernel/signal.h>

#include "tty_internal.h"

/* Is c the enabled special character cc[idx]? (0 disables, as Linux's
 * _POSIX_VDISABLE.) */
static inline bool is_cc(const struct tty *tty, int idx, unsigned char c)
{
	return tty->termios.c_cc[idx] != 0 && tty->termios.c_cc[idx] == c;
}

static inline bool L(const struct tty *tty, uint32_t bit)
{
	return (tty->termios.c_lflag & bit) != 0;
}

static inline bool I(const struct tty *tty, uint32_t bit)
{
	return (tty->termios.c_iflag & bit) != 0;
}

/* ---- output ------------------------------------------------------------ */

static void column_advance(struct tty *tty, unsigned char c)
{
	switch (c) {
	case '\n':
	case '\r': tty->column = 0; break;
	case '\t': tty->column = (tty->column | 7) + 1; break;
	case '\b':
		if (tty->column)
			tty->column--;
		break;
	default:
		if (!iscntrl(c) && !((tty->termios.c_iflag & IUTF8) && (c & 0xc0) == 0x80))
			tty->column++;
		break;
	}
}

/* OPOST processing ([termios(3)] c_oflag): ONLCR maps NL to CR-NL, OCRNL
 * CR to NL, ONOCR drops a CR at column 0, ONLRET makes NL return to
 * column 0, OLCUC upper-cases. Batched into the driver's write. */
void n_tty_output(struct tty *tty, const char *buf, size_t n)
{
	char out[128];
	size_t o = 0;
	uint32_t of = tty->termios.c_oflag;
	bool post = (of & OPOST) != 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (o + 2 > sizeof(out)) {
			tty->ops->write(tty->priv, out, o);
			o = 0;
		}
		if (post) {
			if (c == '\n' && (of & ONLCR)) {
				out[o++] = '\r';
			} else if (c == '\r') {
				if ((of & ONOCR) && tty->column == 0)
					continue;
				if (of & OCRNL)
					c = '\n';
			} else if ((of & OLCUC) && islower(c)) {
				c = (unsigned char)toupper(c);
			}
		}
		out[o++] = (char)c;
		column_advance(tty, c);
	}
	if (o)
		tty->ops->write(tty->priv, out, o);
}

static void output_str(struct tty *tty, const char *s, size_t n)
{
	n_tty_output(tty, s, n);
}

/* Echo one input byte: control characters as ^X under ECHOCTL. */
static void echo_char(struct tty *tty, unsigned char c)
{
	if (L(tty, ECHOCTL) && iscntrl(c) && c != '\t' && c != '\n') {
		char s[2] = { '^', (char)(c == 0x7f ? '?' : (c ^ 0x40)) };
		output_str(tty, s, 2);
	} else {
		char s = (char)c;
		output_str(tty, &s, 1);
	}
}

/* ---- the input queue ----------------------------------------------------- */

static inline unsigned queued(const struct tty *tty)
{
	return tty->head - tty->tail;
}

static void put_char(struct tty *tty, unsigned char c, uint8_t fl)
{
	tty->buf[tty->head & TTY_BUF_MASK] = c;
	tty->flags[tty->head & TTY_BUF_MASK] = fl;
	tty->head++;
}

unsigned n_tty_readable(const struct tty *tty)
{
	if (L(tty, ICANON))
		return tty->canon - tty->tail;
	return tty->head - tty->tail;
}

void n_tty_flush_input(struct tty *tty)
{
	tty->tail = tty->head;
	tty->canon = tty->head;
	tty->lnext = false;
}

void n_tty_set_termios(struct tty *tty, const struct ktermios *old)
{
	/* Switching to raw mode makes the line being edited readable;
	 * switching to canonical mode makes what is queued one readable
	 * chunk (Linux pushes it the same way). */
	if ((old->c_lflag ^ tty->termios.c_lflag) & ICANON)
		tty->canon = tty->head;
	if (!I(tty, IXON) && tty->stopped) {
		tty->stopped = false;
		wake_up(&tty->write_wq);
	}
	wake_up(&tty->read_wq);
}

/* ---- canonical editing ----------------------------------------------- */

static bool is_utf8_cont(const struct tty *tty, unsigned char c)
{
	return I(tty, IUTF8) && (c & 0xc0) == 0x80;
}

/* Screen width of the line being edited from its start up to index end
 * (as echoed), starting at the column where the line began. */
static unsigned line_width(const struct tty *tty, unsigned start_col, unsigned end)
{
	unsigned col = start_col;

	for (unsigned i = tty->canon; i != end; i++) {
		unsigned char c = tty->buf[i & TTY_BUF_MASK];
		if (c == '\t')
			col = (col | 7) + 1;
		else if (iscntrl(c))
			col += L(tty, ECHOCTL) ? 2 : 0;
		else if (!is_utf8_cont(tty, c))
			col++;
	}
	return col;
}

/* Remove the last character of the line being edited (a whole UTF-8
 * sequence under IUTF8) and, under ECHO+ECHOE, wipe it from the screen. */
static void erase_one(struct tty *tty)
{
	unsigned old = tty->head;
	unsigned char c;

	do {
		tty->head--;
		c = tty->buf[tty->head & TTY_BUF_MASK];
	} while (tty->head != tty->canon && is_utf8_cont(tty, c));

	if (!L(tty, ECHO) || !L(tty, ECHOE))
		return;
	unsigned before = line_width(tty, tty->line_col, tty->head);
	unsigned after = line_width(tty, tty->line_col, old);
	for (unsigned i = before; i < after; i++)
		output_str(tty, c == '\t' ? "\b" : "\b \b", c == '\t' ? 1 : 3);
}

enum erase_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

/* VERASE / VWERASE / VKILL. */
static void eraser(struct tty *tty, unsigned char c, enum erase_kind kind)
{
	if (tty->head == tty->canon)
		return; /* nothing to erase on this line */
	if (kind == ERASE_CHAR) {
		if (L(tty, ECHO) && !L(tty, ECHOE))
			echo_char(tty, c);
		erase_one(tty);
		return;
	}
	if (kind == ERASE_LINE &&
	    (!L(tty, ECHO) || !L(tty, ECHOK) || !L(tty, ECHOKE) || !L(tty, ECHOE))) {
		tty->head = tty->canon;
		if (L(tty, ECHO)) {
			echo_char(tty, c);
			if (L(tty, ECHOK))
				output_str(tty, "\n", 1);
		}
		return;
	}
	/* A word is a run of alphanumerics and '_' (BSD ALTWERASE, as Linux). */
	unsigned seen_alnum = 0;
	while (tty->head != tty->canon) {
		unsigned char last = tty->buf[(tty->head - 1) & TTY_BUF_MASK];
		if (kind == ERASE_WORD) {
			if (isalnum(last) || last == '_' || (last & 0x80))
				seen_alnum++;
			else if (seen_alnum)
				break;
		}
		erase_one(tty);
	}
}

/* VREPRINT: show the line being edited again on a fresh line. */
static void reprint(struct tty *tty, unsigned char c)
{
	echo_char(tty, c);
	output_str(tty, "\n", 1);
	tty->line_col = tty->column;
	for (unsigned i = tty->canon; i != tty->head; i++)
		echo_char(tty, tty->buf[i & TTY_BUF_MASK]);
}

/* A signal character: signal the foreground group, flush, echo. */
static void isig(struct tty *tty, int sig, unsigned char c)
{
	if (!L(tty, NOFLSH))
		n_tty_flush_input(tty);
	if (tty->stopped) {
		tty->stopped = false;
		wake_up(&tty->write_wq);
	}
	if (L(tty, ECHO))
		echo_char(tty, c);
	if (tty->pgrp > 0)
		kill_pgrp(tty->pgrp, sig, NULL);
	wake_up(&tty->read_wq);
}

/* Queue c as input (room permitting), echo it, make it readable. */
static void receive_plain(struct tty *tty, unsigned char c)
{
	bool canon = L(tty, ICANON);

	if (queued(tty) >= TTY_BUF_SIZE - (canon ? 1 : 0)) {
		if (I(tty, IMAXBEL) && L(tty, ECHO))
			output_str(tty, "\a", 1);
		return;
	}
	if (canon && tty->head == tty->canon)
		tty->line_col = tty->column;
	if (L(tty, ECHO))
		echo_char(tty, c);
	put_char(tty, c, 0);
	if (!canon) {
		tty->canon = tty->head;
		wake_up(&tty->read_wq);
	}
}

/* End a canonical line with c (newline, EOL, EOL2, or EOF with is_eof). */
static void receive_delim(struct tty *tty, unsigned char c, bool is_eof)
{
	if (queued(tty) >= TTY_BUF_SIZE)
		return;
	if (!is_eof && (L(tty, ECHO) || (c == '\n' && L(tty, ECHONL))))
		echo_char(tty, c);
	put_char(tty, c, TTYF_DELIM | (is_eof ? TTYF_EOF : 0));
	tty->canon = tty->head;
	wake_up(&tty->read_wq);
}

void n_tty_receive(struct tty *tty, unsigned char c)
{
	if (!(tty->termios.c_cflag & CREAD))
		return;
	if (I(tty, ISTRIP))
		c &= 0x7f;
	if (tty->lnext) {
		tty->lnext = false;
		if (L(tty, ECHO) && L(tty, ECHOCTL))
			output_str(tty, "\b", 1); /* over the "^" shown for VLNEXT */
		receive_plain(tty, c);
		return;
	}
	if (I(tty, IXON)) {
		if (is_cc(tty, VSTART, c) && tty->stopped) {
			tty->stopped = false;
			wake_up(&tty->write_wq);
			return;
		}
		if (is_cc(tty, VSTOP, c)) {
			tty->stopped = true;
			return;
		}
		if (is_cc(tty, VSTART, c))
			return;
		if (I(tty, IXANY) && tty->stopped) {
			tty->stopped = false;
			wake_up(&tty->write_wq);
		}
	}
	if (L(tty, ISIG)) {
		if (is_cc(tty, VINTR, c)) {
			isig(tty, SIGINT, c);
			return;
		}
		if (is_cc(tty, VQUIT, c)) {
			isig(tty, SIGQUIT, c);
			return;
		}
		if (is_cc(tty, VSUSP, c)) {
			isig(tty, SIGTSTP, c);
			return;
		}
	}
	if (c == '\r') {
		if (I(tty, IGNCR))
			return;
		if (I(tty, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(tty, INLCR)) {
		c = '\r';
	}

	if (!L(tty, ICANON)) {
		receive_plain(tty, c);
		return;
	}
	if (is_cc(tty, VERASE, c) || c == '\b') {
		eraser(tty, c, ERASE_CHAR);
		return;
	}
	if (is_cc(tty, VKILL, c)) {
		eraser(tty, c, ERASE_LINE);
		return;
	}
	if (L(tty, IEXTEN)) {
		if (is_cc(tty, VWERASE, c)) {
			eraser(tty, c, ERASE_WORD);
			return;
		}
		if (is_cc(tty, VLNEXT, c)) {
			tty->lnext = true;
			if (L(tty, ECHO) && L(tty, ECHOCTL))
				output_str(tty, "^", 1);
			return;
		}
		if (is_cc(tty, VREPRINT, c)) {
			if (L(tty, ECHO))
				reprint(tty, c);
			return;
		}
	}
	if (c == '\n') {
		receive_delim(tty, c, false);
		return;
	}
	if (is_cc(tty, VEOF, c)) {
		receive_delim(tty, c, true);
		return;
	}
	if (is_cc(tty, VEOL, c) || (L(tty, IEXTEN) && is_cc(tty, VEOL2, c))) {
		receive_delim(tty, c, false);
		return;
	}
	receive_plain(tty, c);
}
