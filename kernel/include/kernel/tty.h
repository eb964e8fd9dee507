/* Terminals: a line discipline (N_TTY: canonical mode with echo, erase,
 * kill, ^C/^Z/^\ signals to the foreground process group, raw mode) on top
 * of a serial driver. [termios(3)], [tty_ioctl(4)], [credentials(7)]
 * (job control). The console UART registers itself here; /dev/console,
 * /dev/tty and /dev/ttyS0|ttyAMA0 reach it through devfs. */
#ifndef KERNEL_TTY_H
#define KERNEL_TTY_H
#include <hal/types.h>

struct tty;

struct tty_driver_ops {
	/* Transmit n bytes (may poll; called with interrupts possibly masked). */
	void (*write)(void *priv, const char *buf, size_t n);
	/* Optional: bytes write() can take now (a pty's master buffer);
	 * without it the line never makes a writer wait. */
	size_t (*write_room)(void *priv);
};

/* Register a serial line as a tty named name ("ttyS0", "ttyAMA0").
 * console=true makes it /dev/console. Returns the tty or NULL. */
struct tty *tty_register(const char *name, const struct tty_driver_ops *ops, void *priv,
			 bool console);
/* Feed one received byte from the driver's IRQ handler (IRQ context). */
void tty_receive_char(struct tty *tty, char c);

/* For /proc/<pid>/stat (tty_nr, tpgid): the line's device number in
 * st_rdev encoding (MKDEV(4, 64) for ttyS0) and its foreground process
 * group (0 if none); 0 for a NULL tty. */
uint64_t tty_devnum(const struct tty *tty);
int tty_fg_pgrp(const struct tty *tty);

#endif
