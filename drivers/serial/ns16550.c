/* 8250/16550A UART [TI PC16550D datasheet, §8 "Registers"; NS16550A
 * "Register Description"]: polling output for the console, receive
 * interrupts feeding the tty layer. Works on ISA port I/O (the PC's COM
 * ports) and on MMIO (with "reg-shift" / "reg-io-width" as in Linux's
 * binding Documentation/devicetree/bindings/serial/8250.yaml). */
#include <hal/console.h>
#include <hal/irq.h>
#include <hal/mmio.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/tty.h>

/* Registers (index, scaled by reg-shift) */
#define UART_RBR 0 /* receive buffer (read, DLAB 0) */
#define UART_THR 0 /* transmit holding (write, DLAB 0) */
#define UART_DLL 0 /* divisor latch low (DLAB 1) */
#define UART_IER 1 /* interrupt enable (DLAB 0) */
#define UART_DLM 1 /* divisor latch high (DLAB 1) */
#define UART_IIR 2 /* interrupt identification (read) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define IER_ERBFI 0x01 /* received data available */
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT2 0x08 /* gates the interrupt line on PC boards */
#define LSR_DR 0x01   /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */

#define DEFAULT_CLOCK 1843200
#define DEFAULT_BAUD 115200
#define MAX_PORTS 4

struct ns16550 {
	struct hal_iomem io;
	struct hal_console con;
	struct tty *tty;
	char name[8];
};

static struct ns16550 ports[MAX_PORTS];
static unsigned nr_ports;

static void uart_putc(void *priv, char c)
{
	struct ns16550 *u = priv;

	for (unsigned spins = 0; !(hal_io_read8(&u->io, UART_LSR) & LSR_THRE); spins++)
		if (spins > 1000000)
			return; /* a dead UART must not hang the kernel */
	hal_io_write8(&u->io, UART_THR, (uint8_t)c);
}

static void uart_tty_write(void *priv, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		uart_putc(priv, buf[i]);
}

static const struct tty_driver_ops uart_tty_ops = {
	.write = uart_tty_write,
};

/* Receive interrupt: drain the FIFO into the line discipline. */
static void uart_irq(unsigned irq, void *arg)
{
	struct ns16550 *u = arg;

	while (hal_io_read8(&u->io, UART_LSR) & LSR_DR) {
		char c = (char)hal_io_read8(&u->io, UART_RBR);

		if (u->tty)
			tty_receive_char(u->tty, c);
	}
}

static int ns16550_probe(struct device *dev)
{
	struct ns16550 *u;
	paddr_t base;
	uint64_t size;
	unsigned space, irq;
	uint32_t shift = 0, clock = 0, baud = DEFAULT_BAUD, divisor;
	bool is_console;
	int err;

	if (nr_ports >= MAX_PORTS)
		return -ENOMEM;
	u = &ports[nr_ports];
	err = dev_read_reg_space(dev, 0, &base, &size, &space);
	if (err)
		return err;
	dev_read_u32(dev, "reg-shift", &shift);
	if (dev_read_clock_hz(dev, &clock) || !clock)
		clock = DEFAULT_CLOCK;
	dev_read_u32(dev, "current-speed", &baud);
	if (!baud)
		baud = DEFAULT_BAUD;
	err = hal_iomap(base, size ? size : 8u << shift, space, shift, &u->io);
	if (err)
		return err;

	/* 8N1 at baud: divisor = clock / (16 * baud) [PC16550D §8.10]. */
	divisor = clock / (16 * baud);
	if (!divisor)
		divisor = 1;
	hal_io_write8(&u->io, UART_IER, 0);
	hal_io_write8(&u->io, UART_LCR, LCR_DLAB);
	hal_io_write8(&u->io, UART_DLL, divisor & 0xff);
	hal_io_write8(&u->io, UART_DLM, (divisor >> 8) & 0xff);
	hal_io_write8(&u->io, UART_LCR, LCR_8N1);
	hal_io_write8(&u->io, UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	hal_io_write8(&u->io, UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	/* A UART without a scratch-free LSR reads 0xff: nothing there. */
	if (hal_io_read8(&u->io, UART_LSR) == 0xff)
		return -ENODEV;

	snprintf(u->name, sizeof(u->name), "ttyS%u", nr_ports);
	is_console = dev_is_console(dev, u->name);
	nr_ports++;
	if (is_console) {
		u->con.name = u->name;
		u->con.putc = uart_putc;
		u->con.priv = u;
		hal_console_register(&u->con);
	}
	u->tty = tty_register(u->name, &uart_tty_ops, u, is_console);

	if (dev_read_irq(dev, 0, &irq) == 0) {
		while (hal_io_read8(&u->io, UART_LSR) & LSR_DR)
			(void)hal_io_read8(&u->io, UART_RBR);
		if (hal_irq_request(irq, uart_irq, u) == 0)
			hal_io_write8(&u->io, UART_IER, IER_ERBFI);
		else
			printk("%s: irq %u unavailable, input disabled\n", u->name, irq);
	}
	return 0;
}

static const struct of_device_id ns16550_match[] = {
	{ "ns16550a", 0 },
	{ "ns16550", 0 },
	{ "ns8250", 0 },
	{ 0, 0 },
};
DRIVER_DECLARE(ns16550, DRV_CLASS_CONSOLE, ns16550_match, ns16550_probe);
