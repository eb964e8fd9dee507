/* Cadence UART (Xilinx Zynq-7000 and Zynq UltraScale+ "PS UART"): the console
 * and ttyPS<n>, named by the tree's "serial<n>" alias as Linux's
 * xilinx_uartps.c does.
 * [Xilinx UG1085 "Zynq UltraScale+ Device TRM" v2.2, ch. 21 "UART Controller"
 *  (baud rate generator, FIFO trigger and timeout interrupts) and UG1087
 *  "Register Reference", module UART: CR, MR, IER/IDR/IMR/ISR, BAUDGEN, RXTOUT,
 *  RXWM, SR, FIFO, BAUDDIV]
 * DT binding: "cdns,uart-r1p12" (Linux Documentation/devicetree/bindings/
 * serial/cdns,uart.yaml): reg, interrupts, clocks (first = uart_clk).
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
#define UART_CR (0x00 >> 2)
#define UART_MR (0x04 >> 2)
#define UART_IER (0x08 >> 2)
#define UART_IDR (0x0c >> 2)
#define UART_ISR (0x14 >> 2)
#define UART_BAUDGEN (0x18 >> 2)
#define UART_RXTOUT (0x1c >> 2)
#define UART_RXWM (0x20 >> 2)
#define UART_SR (0x2c >> 2)
#define UART_FIFO (0x30 >> 2)
#define UART_BAUDDIV (0x34 >> 2)

#define CR_RXRST (1u << 0) /* self-clearing FIFO resets */
#define CR_TXRST (1u << 1)
#define CR_RX_EN (1u << 2)
#define CR_RX_DIS (1u << 3)
#define CR_TX_EN (1u << 4)
#define CR_TX_DIS (1u << 5)
#define CR_STOPBRK (1u << 8)
#define MR_8N1 (4u << 3) /* CHRL 0b00 = 8 bits, PAR 0b100 = none, NBSTOP 0b00 = 1 */
#define SR_RXEMPTY (1u << 1)
#define SR_TXEMPTY (1u << 3)
#define SR_TXFULL (1u << 4)
#define INT_RTRIG (1u << 0)   /* RX FIFO reached RXWM bytes */
#define INT_TIMEOUT (1u << 8) /* RX FIFO not empty, line idle RXTOUT x 4 bit times */
#define INT_ALL 0x1fff

#define BAUD 115200
#define MAX_PORTS 16	   /* Linux's CDNS_UART_NR_PORTS: ttyPS0 .. ttyPS15 */
#define SPIN_LIMIT 1000000 /* a dead UART must not hang the kernel */

struct cdns_uart {
	struct hal_iomem io;
	struct hal_console con;
	struct tty *tty;
	char name[8];
};

static uint32_t used_lines; /* bit n: ttyPS<n> taken */

static void cdns_putc(void *priv, char c)
{
	struct cdns_uart *u = priv;

	for (unsigned spins = 0; hal_io_read32(&u->io, UART_SR) & SR_TXFULL; spins++)
		if (spins > SPIN_LIMIT)
			return;
	hal_io_write32(&u->io, UART_FIFO, (uint8_t)c);
}

static void cdns_write(void *priv, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cdns_putc(priv, buf[i]);
}

static const struct tty_driver_ops cdns_tty_ops = {
	.write = cdns_write,
};

static void cdns_drain(struct cdns_uart *u)
{
	while (!(hal_io_read32(&u->io, UART_SR) & SR_RXEMPTY)) {
		char c = (char)(hal_io_read32(&u->io, UART_FIFO) & 0xff);

		if (u->tty)
			tty_receive_char(u->tty, c);
	}
}

/* RX interrupt. ISR bits are sticky (write 1 to clear) and RTRIG latches
 * when the FIFO reaches the watermark: drain, clear, and drain again if a
 * byte came in between, whose trigger the clear may have swallowed. */
static void cdns_irq(unsigned irq, void *arg)
{
	struct cdns_uart *u = arg;

	(void)irq;
	do {
		cdns_drain(u);
		hal_io_write32(&u->io, UART_ISR, hal_io_read32(&u->io, UART_ISR));
	} while (!(hal_io_read32(&u->io, UART_SR) & SR_RXEMPTY));
}

/* baud = clk / (CD * (BDIV + 1)), CD 1..65535, BDIV 4..254: the pair with
 * the smallest error, as Linux's cdns_uart_calc_baud_divs(). */
static void cdns_set_baud(struct cdns_uart *u, uint32_t clk)
{
	uint32_t best_cd = 0, best_bdiv = 0, best_err = UINT32_MAX;

	for (uint32_t bdiv = 4; bdiv < 255; bdiv++) {
		uint32_t cd = (clk + BAUD * (bdiv + 1) / 2) / (BAUD * (bdiv + 1));
		if (cd < 1 || cd > 65535)
			continue;
		uint32_t got = clk / (cd * (bdiv + 1));
		uint32_t err = got > BAUD ? got - BAUD : BAUD - got;
		if (err < best_err) {
			best_err = err;
			best_cd = cd;
			best_bdiv = bdiv;
		}
	}
	if (!best_cd)
		return; /* clock out of range: keep the firmware's rate */
	hal_io_write32(&u->io, UART_BAUDGEN, best_cd);
	hal_io_write32(&u->io, UART_BAUDDIV, best_bdiv);
}

/* ttyPS<alias> if the tree has a free "serial<n>" alias for the node, else
 * the lowest free line. -ENOMEM when all are taken. */
static int cdns_pick_line(struct device *dev)
{
	int line = dev_alias_id(dev, "serial");

	if (line >= 0 && line < MAX_PORTS && !(used_lines & (1u << line)))
		return line;
	for (line = 0; line < MAX_PORTS; line++)
		if (!(used_lines & (1u << line)))
			return line;
	return -ENOMEM;
}

static int cdns_probe(struct device *dev)
{
	paddr_t base;
	uint64_t size;
	uint32_t clk = 0;
	unsigned irq;
	int line, err;

	if ((line = cdns_pick_line(dev)) < 0)
		return line;
	if ((err = dev_read_reg(dev, 0, &base, &size)))
		return err;
	struct cdns_uart *u = kzalloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	if ((err = hal_iomap(base, size, HAL_IO_MMIO, 2, &u->io)))
		goto fail_free;

	hal_io_write32(&u->io, UART_IDR, INT_ALL);
	/* Let the firmware's last bytes out before the FIFOs are reset. */
	for (unsigned spins = 0; !(hal_io_read32(&u->io, UART_SR) & SR_TXEMPTY); spins++)
		if (spins > SPIN_LIMIT)
			break;
	hal_io_write32(&u->io, UART_CR, CR_TX_DIS | CR_RX_DIS);
	if (dev_read_clock_hz(dev, &clk) == 0 && clk)
		cdns_set_baud(u, clk);
	/* else keep the firmware's rate (ZynqMP clocks come from the PMU
	 * firmware's clock controller, which has no clock-frequency) */
	hal_io_write32(&u->io, UART_MR, MR_8N1);
	hal_io_write32(&u->io, UART_RXWM, 1);	 /* interrupt on every byte */
	hal_io_write32(&u->io, UART_RXTOUT, 10); /* and on a stray one left behind */
	hal_io_write32(&u->io, UART_CR, CR_RXRST | CR_TXRST);
	hal_io_write32(&u->io, UART_CR, CR_RX_EN | CR_TX_EN | CR_STOPBRK);
	hal_io_write32(&u->io, UART_ISR, INT_ALL);

	used_lines |= 1u << line;
	snprintf(u->name, sizeof(u->name), "ttyPS%d", line);
	bool console = dev_is_console(dev, u->name);
	u->con.name = u->name;
	u->con.putc = cdns_putc;
	u->con.priv = u;
	if (console)
		hal_console_register(&u->con);
	u->tty = tty_register(u->name, &cdns_tty_ops, u, console);

	if (dev_read_irq(dev, 0, &irq) == 0 && hal_irq_request(irq, cdns_irq, u) == 0) {
		hal_io_write32(&u->io, UART_IER, INT_RTRIG | INT_TIMEOUT);
		/* Probes run with interrupts masked, as the handler does. */
		cdns_irq(irq, u);
	} else
		printk("%s: no interrupt, input disabled\n", u->name);
	return 0;

fail_free:
	kfree(u);
	return err;
}

static const struct of_device_id cdns_uart_match[] = {
	{ "cdns,uart-r1p12", NULL },
	{ NULL, NULL },
};

DRIVER_DECLARE(cdns_uart, DRV_CLASS_CONSOLE, cdns_uart_match, cdns_probe);
