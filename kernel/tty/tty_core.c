/* Terminal registration and the device nodes: the serial line itself
 * (ttyS0 = 4:64, ttyAMA0 = 204:64), /dev/console (5:1: the console line)
 * and /dev/tty (5:0: the caller's controlling terminal). [tty(4)],
 * [console(4)], Linux Documentation/admin-guide/devices.txt. */
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>
#include <string.h>

#include "tty_internal.h"

static struct tty ttys[TTY_MAX];
static unsigned nr_ttys;
static struct tty *console_tty;

/* Linux's default termios (drivers/tty/tty_io.c tty_std_termios, INIT_C_CC). */
static const struct ktermios default_termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD | HUPCL,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	.c_line = 0,
	.c_cc = {
		[VINTR] = 3, [VQUIT] = 28, [VERASE] = 127, [VKILL] = 21, [VEOF] = 4,
		[VTIME] = 0, [VMIN] = 1, [VSWTC] = 0, [VSTART] = 17, [VSTOP] = 19,
		[VSUSP] = 26, [VEOL] = 0, [VREPRINT] = 18, [VDISCARD] = 15,
		[VWERASE] = 23, [VLNEXT] = 22, [VEOL2] = 0,
	},
};

static int open_common(struct tty *tty, struct file *f, bool may_acquire)
{
	f->private_data = tty;
	tty->open_count++;
	if (may_acquire && !(f->flags & O_NOCTTY))
		tty_maybe_acquire(tty);
	return 0;
}

/* A serial line node: the chrdev's priv is the tty. Opened without
 * O_NOCTTY by a session leader with no terminal, it becomes the
 * session's controlling terminal. */
static int serial_open(struct inode *inode, struct file *f)
{
	struct tty *tty = f->private_data;

	if (!tty)
		return -ENXIO;
	return open_common(tty, f, true);
}

/* /dev/console never becomes a controlling terminal (Linux tty_open()
 * treats 5:1 as noctty). -ENODEV before a console line registered. */
static int console_open(struct inode *inode, struct file *f)
{
	if (!console_tty)
		return -ENODEV;
	return open_common(console_tty, f, false);
}

/* /dev/tty: the caller's controlling terminal, -ENXIO if it has none. */
static int devtty_open(struct inode *inode, struct file *f)
{
	struct tty *tty = current ? current->tty : NULL;

	if (!tty || !tty_is_ctty(tty))
		return -ENXIO;
	return open_common(tty, f, false);
}

#define TTY_FOPS(openfn)                                                                        \
	{                                                                                       \
		.open = (openfn), .release = tty_release, .read = tty_read, .write = tty_write, \
		.ioctl = tty_ioctl, .poll = tty_poll,                                           \
	}

static const struct file_operations serial_fops = TTY_FOPS(serial_open);
static const struct file_operations console_fops = TTY_FOPS(console_open);
static const struct file_operations devtty_fops = TTY_FOPS(devtty_open);

static struct chrdev devtty_cdev = {
	.dev = MKDEV(5, 0),
	.name = "tty",
	.mode = 0666,
	.fops = &devtty_fops,
};
static struct chrdev console_cdev = {
	.dev = MKDEV(5, 1),
	.name = "console",
	.mode = 0600,
	.fops = &console_fops,
};

void tty_init(struct tty *tty, const char *name, const struct tty_driver_ops *ops, void *priv)
{
	memset(tty, 0, sizeof(*tty));
	strlcpy(tty->name, name, sizeof(tty->name));
	tty->ops = ops;
	tty->priv = priv;
	tty->termios = default_termios;
	spin_lock_init(&tty->lock, "tty.lock");
	wait_queue_init(&tty->read_wq);
	wait_queue_init(&tty->write_wq);
	wait_queue_init(&tty->room_wq);
}

/* Device number of a line by its name (devices.txt): ttyS<n> 4:64+n,
 * ttyAMA<n> 204:64+n, hvc<n> 229:n, anything else 240:index. */
static dev_t line_devnum(const char *name, unsigned index)
{
	static const struct {
		const char *prefix;
		unsigned major, minor_base;
	} map[] = { { "ttyAMA", 204, 64 }, { "ttyS", 4, 64 }, { "hvc", 229, 0 } };

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		size_t plen = strlen(map[i].prefix);
		const char *p = name + plen;
		unsigned n = 0;

		if (strncmp(name, map[i].prefix, plen) != 0 || !*p)
			continue;
		for (; *p >= '0' && *p <= '9' && n < 1000; p++)
			n = n * 10 + (unsigned)(*p - '0');
		if (*p == '\0')
			return MKDEV(map[i].major, map[i].minor_base + n);
	}
	return MKDEV(240, index);
}

/* Contract in <kernel/tty.h>. Registers the line's chrdev (mode 0660) and,
 * with the first line, /dev/tty and /dev/console. NULL when the table is
 * full, the name is bad or the device number is taken. */
struct tty *tty_register(const char *name, const struct tty_driver_ops *ops, void *priv,
			 bool console)
{
	struct tty *tty;

	if (!name || !*name || strlen(name) >= sizeof(tty->name) || !ops || !ops->write)
		return NULL;
	if (nr_ttys >= TTY_MAX) {
		printk("tty: no room for %s\n", name);
		return NULL;
	}
	tty = &ttys[nr_ttys];
	tty_init(tty, name, ops, priv);
	tty->winsize.ws_row = 24;
	tty->winsize.ws_col = 80;
	tty->dev = line_devnum(name, nr_ttys);
	tty->cdev.dev = tty->dev;
	tty->cdev.name = tty->name;
	tty->cdev.mode = 0660;
	tty->cdev.fops = &serial_fops;
	tty->cdev.priv = tty;
	if (register_chrdev_core(&tty->cdev)) {
		printk("tty: %s: device %u:%u already registered\n", name, MAJOR(tty->dev),
		       MINOR(tty->dev));
		return NULL;
	}
	nr_ttys++;
	if (nr_ttys == 1) {
		register_chrdev_core(&devtty_cdev);
		register_chrdev_core(&console_cdev);
	}
	/* The line that says so is the console; until one does, the first. */
	if (console || !console_tty)
		console_tty = tty;
	return tty;
}

/* Contract in <kernel/tty.h>. IRQ context: interrupts are masked. */
void tty_receive_char(struct tty *tty, char c)
{
	irqflags_t f;

	if (!tty)
		return;
	f = spin_lock_irqsave(&tty->lock);
	n_tty_receive(tty, (unsigned char)c);
	spin_unlock_irqrestore(&tty->lock, f);
}

uint64_t tty_devnum(const struct tty *tty)
{
	return tty ? tty->dev : 0;
}

int tty_fg_pgrp(const struct tty *tty)
{
	return tty ? tty->pgrp : 0;
}
