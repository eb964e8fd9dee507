/* libFuzzer harness: the TTY line discipline's input side
 * (kernel/tty/n_tty.c n_tty_receive: canonical editing, echo, signal
 * characters, flow control, VLNEXT) on arbitrary received bytes, as a
 * serial line (or a hostile peer on it) delivers them [termios(3)].
 * Built and run by tools/fuzz-parsers.sh (docs/reliability.md).
 *
 * Input: 8 bytes of c_iflag/c_lflag choices (two termios settings, the
 * second taking effect halfway through through n_tty_set_termios), then
 * the received bytes. Every 64 bytes a reader takes what n_tty_readable
 * says is readable. Checked after every byte: the queue never holds more
 * than TTY_BUF_SIZE bytes, tail <= canon <= head (free-running), readable
 * bytes never exceed the queued ones, the output column stays sane.
 *
 * Stand-ins: wake_up and kill_pgrp count calls; the driver's write drops
 * the echoed bytes after checking them.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/tty/tty_internal.h"

static unsigned wakeups, kills;

void wake_up(struct wait_queue *wq)
{
	(void)wq;
	wakeups++;
}

int kill_pgrp(int pgid, int sig, const struct linux_siginfo *info)
{
	(void)info;
	if (pgid <= 0 || sig <= 0 || sig > 64)
		abort();
	kills++;
	return 0;
}

static size_t echoed;

static void drv_write(void *priv, const char *buf, size_t n)
{
	(void)priv;
	for (size_t i = 0; i < n; i++)
		echoed += (unsigned char)buf[i] != 0;
}

static const struct tty_driver_ops ops = { drv_write };
static struct tty tty;

static const uint32_t iflags[] = { ISTRIP, INLCR, IGNCR, ICRNL, IUCLC, IXON, IXANY, IUTF8 };
static const uint32_t lflags[] = { ISIG, ICANON, ECHO, ECHOE, ECHOK, ECHONL, ECHOCTL, ECHOKE,
				   NOFLSH, IEXTEN, ECHOPRT, FLUSHO };

static void set_modes(struct ktermios *t, const uint8_t *m)
{
	uint16_t l = (uint16_t)(m[1] | m[2] << 8);

	t->c_iflag = 0;
	t->c_lflag = 0;
	for (unsigned i = 0; i < 8; i++)
		if (m[0] & (1u << i))
			t->c_iflag |= iflags[i];
	for (unsigned i = 0; i < 12; i++)
		if (l & (1u << i))
			t->c_lflag |= lflags[i];
	t->c_oflag = (m[3] & 1) ? OPOST | ONLCR : 0;
}

static void check(void)
{
	unsigned q = tty.head - tty.tail;

	if (q > TTY_BUF_SIZE || tty.canon - tty.tail > q || n_tty_readable(&tty) > q)
		abort();
}

static void reader(void)
{
	unsigned n = n_tty_readable(&tty);

	/* tty_read's effect on the queue: take n bytes from tail */
	tty.tail += n;
	if (tty.canon - tty.tail > tty.head - tty.tail)
		tty.canon = tty.tail;
	check();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t def_cc[NCCS] = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0 };
	struct ktermios old;

	if (size < 8)
		return 0;
	memset(&tty, 0, sizeof(tty));
	strcpy(tty.name, "ttyS0");
	tty.ops = &ops;
	tty.pgrp = 7;
	tty.session = 7;
	memcpy(tty.termios.c_cc, def_cc, sizeof(def_cc));
	tty.termios.c_cflag = B38400 | CS8 | CREAD;
	set_modes(&tty.termios, data);

	size_t half = 8 + (size - 8) / 2;
	for (size_t i = 8; i < size; i++) {
		if (i == half) {
			old = tty.termios;
			set_modes(&tty.termios, data + 4);
			n_tty_set_termios(&tty, &old);
			check();
		}
		n_tty_receive(&tty, data[i]);
		check();
		if ((i & 63) == 63)
			reader();
	}
	reader();
	return 0;
}
