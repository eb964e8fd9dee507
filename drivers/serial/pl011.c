/* Arm PrimeCell UART (PL011): the console and ttyAMA<n>.
 * [Arm DDI 0183G "PrimeCell UART (PL011) Technical Reference Manual":
 *  §3.2 register summary, §3.3.6 IBRD/FBRD (baud divisor), §3.3.7 LCR_H,
 *  §3.3.8 CR, §3.3.10-3.3.13 IMSC/RIS/MIS/ICR]
 * DT binding: "arm,pl011"; reg, interrupts, clocks (first = UARTCLK).
 */
#include <hal/console.h>
#include <hal/irq.h>
#include <hal/mmio.h>
#include <kernel/device.h>
#include <kernel/errno.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/tty.h>

/* Register offsets / 4 (hal_iomap reg_shift 2). */
#define UARTDR (0x00 >> 2)
#define UARTFR (0x18 >> 2)
#define UARTIBRD (0x24 >> 2)
#define UARTFBRD (0x28 >> 2)
#define UARTLCR_H (0x2c >> 2)
#define UARTCR (0x30 >> 2)
#define UARTIMSC (0x38 >> 2)
#define UARTICR (0x44 >> 2)

#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define LCR_H_FEN (1u << 4)
#define LCR_H_WLEN8 (3u << 5)
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)
#define INT_RX (1u << 4) /* RXIM: receive FIFO at its trigger level */
#define INT_RT (1u << 6) /* RTIM: receive timeout (data waiting) */
#define INT_ALL 0x7ff

#define BAUD 115200
#define MAX_PORTS 4

struct pl011 {
	struct hal_iomem io;
	struct hal_console con;
	struct tty *tty;
	char name[8];
};

static unsigned nr_ports;

static void pl011_putc(void *priv, char c)
{
	struct pl011 *u = priv;

	while (hal_io_read32(&u->io, UARTFR) & FR_TXFF)
		;
	hal_io_write32(&u->io, UARTDR, (uint8_t)c);
}

static void pl011_write(void *priv, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pl011_putc(priv, buf[i]);
}

static const struct tty_driver_ops pl011_tty_ops = {
	.write = pl011_write,
};

/* RX interrupt: hand every byte in the FIFO to the tty. */
static void pl011_irq(unsigned irq, void *arg)
{
	struct pl011 *u = arg;

	(void)irq;
	while (!(hal_io_read32(&u->io, UARTFR) & FR_RXFE)) {
		char c = (char)(hal_io_read32(&u->io, UARTDR) &
				0xff); /* bits 11:8 are error flags */
		if (u->tty)
			tty_receive_char(u->tty, c);
	}
	hal_io_write32(&u->io, UARTICR, INT_RX | INT_RT);
}

/* 8N1 at BAUD from the UART reference clock: divisor = clk / (16 * baud)
 * as a 16.6 fixed-point number, rounded (§3.3.6). */
static void pl011_set_baud(struct pl011 *u, uint32_t clk)
{
	uint32_t div = (uint32_t)(((uint64_t)clk * 4 + BAUD / 2) / BAUD);

	while (hal_io_read32(&u->io, UARTFR) & FR_BUSY)
		;
	hal_io_write32(&u->io, UARTCR, 0);
	hal_io_write32(&u->io, UARTLCR_H, 0); /* flushes the transmit FIFO */
	hal_io_write32(&u->io, UARTIBRD, div >> 6);
	hal_io_write32(&u->io, UARTFBRD, div & 0x3f);
	hal_io_write32(&u->io, UARTLCR_H, LCR_H_WLEN8 | LCR_H_FEN); /* latches IBRD/FBRD */
}

static int pl011_probe(struct device *dev)
{
	paddr_t base;
	uint64_t size;
	uint32_t clk = 0;
	unsigned irq;
	int err;

	if (nr_ports == MAX_PORTS)
		return -ENOMEM;
	if ((err = dev_read_reg(dev, 0, &base, &size)))
		return err;
	struct pl011 *u = kzalloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	if ((err = hal_iomap(base, size, HAL_IO_MMIO, 2, &u->io)))
		goto fail_free;

	hal_io_write32(&u->io, UARTIMSC, 0);
	if (dev_read_clock_hz(dev, &clk) == 0 && clk)
		pl011_set_baud(u, clk);
	/* else keep the firmware's line settings */
	hal_io_write32(&u->io, UARTCR, CR_UARTEN | CR_TXE | CR_RXE);
	hal_io_write32(&u->io, UARTICR, INT_ALL);

	snprintf(u->name, sizeof(u->name), "ttyAMA%u", nr_ports);
	bool console = dev_is_console(dev, u->name);
	u->con.name = u->name;
	u->con.putc = pl011_putc;
	u->con.priv = u;
	if (console)
		hal_console_register(&u->con);
	u->tty = tty_register(u->name, &pl011_tty_ops, u, console);
	nr_ports++;

	if (dev_read_irq(dev, 0, &irq) == 0 && hal_irq_request(irq, pl011_irq, u) == 0) {
		hal_io_write32(&u->io, UARTIMSC, INT_RX | INT_RT);
		/* Bytes that arrived before the interrupt was on raise nothing
		 * by themselves: hand them over now (probes run with interrupts
		 * masked, as the handler does). */
		pl011_irq(irq, u);
	} else
		printk("%s: no interrupt, input disabled\n", u->name);
	return 0;

fail_free:
	kfree(u);
	return err;
}

static const struct of_device_id pl011_match[] = {
	{ "arm,pl011", NULL },
	{ NULL, NULL },
};

DRIVER_DECLARE(pl011, DRV_CLASS_CONSOLE, pl011_match, pl011_probe);
