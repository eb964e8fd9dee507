/* BCM2835 auxiliary "mini UART" (Raspberry Pi 1-3; the serial console on the
 * Pi 3's GPIO header, while the PL011 drives Bluetooth): the console and
 * ttyS<n>, named as Linux's 8250_bcm2835aux.c names it, by the tree's
 * "serial<n>" alias (the Pi 3's tree: serial1, so ttyS1). Linux drives it as
 * an 8250 with reg-shift 2; it is a 16550 subset: no modem lines, no divisor
 * latch (a 16-bit baud register instead), 8-byte FIFOs.
 * [BCM2835 ARM Peripherals (2012) §2.2 "Mini UART" and §2.2.2 register
 *  map; errata (elinux.org BCM2835 datasheet errata): AUX_MU_IER bit 0 is
 *  the receive interrupt and bits 3:2 must be set for interrupts, AUX_MU_LCR
 *  8-bit mode is 0b11]
 * DT binding: "brcm,bcm2835-aux-uart" (Linux Documentation/devicetree/
 * bindings/serial/brcm,bcm2835-aux-uart.txt): reg (the AUX_MU_* block),
 * interrupts (AUX, shared with SPI1/SPI2), clocks (the aux gate).
 */
#include <hal/console.h>
#include <hal/irq.h>
#include <hal/mmio.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/tty.h>

/* Register offsets / 4 from AUX_MU_IO_REG (hal_iomap reg_shift 2). */
#define MU_IO 0	 /* data; baud low byte when LCR.DLAB */
#define MU_IER 1 /* interrupt enable; baud high byte when LCR.DLAB */
#define MU_IIR 2 /* interrupt identify (read), FIFO clear (write) */
#define MU_LCR 3
#define MU_LSR 5
#define MU_CNTL 8  /* receiver / transmitter enable */
#define MU_BAUD 10 /* baud = system clock / (8 * (BAUD + 1)) */

#define IER_RX 0x01
#define IER_REQUIRED 0x0c /* errata: bits 3:2 must be set for interrupts */
#define IIR_CLEAR_FIFOS 0x06
#define LCR_8BIT 0x03
#define LSR_DR 0x01	  /* receive FIFO holds a byte */
#define LSR_TX_EMPTY 0x20 /* transmit FIFO can take a byte */
#define CNTL_RX_TX 0x03

#define BAUD 115200
#define MAX_PORTS 4	   /* Linux's CONFIG_SERIAL_8250_NR_UARTS default: ttyS0 .. ttyS3 */
#define SPIN_LIMIT 1000000 /* a dead UART must not hang the kernel */

struct mini_uart {
	struct hal_iomem io;
	struct hal_console con;
	struct tty *tty;
	char name[8];
};

/* ttyS lines this driver took. Linux shares them with every 8250 port;
 * here ns16550.c counts its own from 0: no tree has both kinds. */
static uint32_t used_lines;

static void mu_putc(void *priv, char c)
{
	struct mini_uart *u = priv;

	for (unsigned spins = 0; !(hal_io_read32(&u->io, MU_LSR) & LSR_TX_EMPTY); spins++)
		if (spins > SPIN_LIMIT)
			return;
	hal_io_write32(&u->io, MU_IO, (uint8_t)c);
}

static void mu_write(void *priv, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mu_putc(priv, buf[i]);
}

static const struct tty_driver_ops mu_tty_ops = {
	.write = mu_write,
};

/* Receive interrupt (level, shared with the SPIs on AUX): the line falls
 * once the FIFO is empty. */
static void mu_irq(unsigned irq, void *arg)
{
	struct mini_uart *u = arg;

	(void)irq;
	while (hal_io_read32(&u->io, MU_LSR) & LSR_DR) {
		char c = (char)(hal_io_read32(&u->io, MU_IO) & 0xff);

		if (u->tty)
			tty_receive_char(u->tty, c);
	}
}

static int mu_pick_line(struct device *dev)
{
	int line = dev_alias_id(dev, "serial");

	if (line >= 0 && line < MAX_PORTS && !(used_lines & (1u << line)))
		return line;
	for (line = 0; line < MAX_PORTS; line++)
		if (!(used_lines & (1u << line)))
			return line;
	return -ENOMEM;
}

static int mu_probe(struct device *dev)
{
	paddr_t base;
	uint64_t size;
	uint32_t clk = 0;
	unsigned irq;
	int line, err;

	if ((line = mu_pick_line(dev)) < 0)
		return line;
	if ((err = dev_read_reg(dev, 0, &base, &size)))
		return err;
	struct mini_uart *u = kzalloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	if ((err = hal_iomap(base, size, HAL_IO_MMIO, 2, &u->io)))
		goto fail_free;

	hal_io_write32(&u->io, MU_IER, 0);
	for (unsigned spins = 0; !(hal_io_read32(&u->io, MU_LSR) & LSR_TX_EMPTY); spins++)
		if (spins > SPIN_LIMIT)
			break;
	hal_io_write32(&u->io, MU_LCR, LCR_8BIT);
	/* The clock is the VPU's through the aux gate, usually without a
	 * clock-frequency: then keep the firmware's rate (it follows the
	 * core clock, which the firmware fixes with core_freq=250). */
	if (dev_read_clock_hz(dev, &clk) == 0 && clk >= 8 * BAUD)
		hal_io_write32(&u->io, MU_BAUD, (clk + 4 * BAUD) / (8 * BAUD) - 1);
	hal_io_write32(&u->io, MU_IIR, IIR_CLEAR_FIFOS);
	hal_io_write32(&u->io, MU_CNTL, CNTL_RX_TX);

	used_lines |= 1u << line;
	snprintf(u->name, sizeof(u->name), "ttyS%d", line);
	bool console = dev_is_console(dev, u->name);
	u->con.name = u->name;
	u->con.putc = mu_putc;
	u->con.priv = u;
	if (console)
		hal_console_register(&u->con);
	u->tty = tty_register(u->name, &mu_tty_ops, u, console);

	if (dev_read_irq(dev, 0, &irq) == 0 && hal_irq_request(irq, mu_irq, u) == 0) {
		hal_io_write32(&u->io, MU_IER, IER_RX | IER_REQUIRED);
		/* Probes run with interrupts masked, as the handler does. */
		mu_irq(irq, u);
	} else
		printk("%s: no interrupt, input disabled\n", u->name);
	return 0;

fail_free:
	kfree(u);
	return err;
}

static const struct of_device_id mu_match[] = {
	{ "brcm,bcm2835-aux-uart", NULL },
	{ NULL, NULL },
};

DRIVER_DECLARE(bcm2835_aux_uart, DRV_CLASS_CONSOLE, mu_match, mu_probe);
