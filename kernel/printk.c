/* The kernel log: printk() formats a message, appends it to a 64 KiB ring
 * buffer and, once the console is live, writes it out.
 *
 * Before the first console driver probes (on arm64 nothing can print until
 * the PL011 is found in the DT) messages are only kept in the ring;
 * printk_replay() flushes everything kept so far to the newly registered
 * console and from then on printk writes through. This way nothing printed
 * at boot is lost and nothing is printed twice.
 *
 * Any context: the ring update runs with interrupts masked; the console
 * write is synchronous polling (hal_console_write).
 */
#include <hal/console.h>
#include <hal/cpu.h>
#include <kernel/printk.h>
#include <string.h>

#define LOG_BUF_SIZE (64 * 1024) /* bytes, a power of two */
#define LINE_MAX_LEN 512         /* longest single printk, bytes */

static char log_buf[LOG_BUF_SIZE];
static uint64_t log_head;   /* total bytes ever appended; log_buf[log_head % SIZE] is next */
static bool console_live;   /* printk_replay() ran: write through */
static bool console_quiet;  /* "quiet": keep in the ring only */

static void log_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_buf[(log_head + i) & (LOG_BUF_SIZE - 1)] = s[i];
	log_head += n;
}

void printk(const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	int n;
	irqflags_t flags;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		/* Truncated: keep the line structure intact. */
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	flags = hal_irq_save();
	log_append(line, (size_t)n);
	if (console_live && !console_quiet)
		hal_console_write(line, (size_t)n);
	hal_irq_restore(flags);
}

/* Write the retained log, oldest byte first, to the console. */
static void log_write_all(void)
{
	uint64_t start = log_head > LOG_BUF_SIZE ? log_head - LOG_BUF_SIZE : 0;
	uint64_t pos = start;

	while (pos < log_head) {
		size_t off = pos & (LOG_BUF_SIZE - 1);
		size_t chunk = LOG_BUF_SIZE - off;

		if (chunk > log_head - pos)
			chunk = log_head - pos;
		hal_console_write(log_buf + off, chunk);
		pos += chunk;
	}
}

void printk_replay(void)
{
	irqflags_t flags = hal_irq_save();

	if (!console_live) {
		if (!console_quiet)
			log_write_all();
		console_live = true;
	}
	hal_irq_restore(flags);
}

void printk_set_quiet(bool quiet)
{
	console_quiet = quiet;
}

void printk_emergency_flush(void)
{
	if (!console_live) {
		log_write_all();
		console_live = true;
	}
	console_quiet = false;
}

size_t printk_log_copy(char *buf, size_t len)
{
	irqflags_t flags = hal_irq_save();
	uint64_t avail = log_head > LOG_BUF_SIZE ? LOG_BUF_SIZE : log_head;
	uint64_t pos;
	size_t n = len < avail ? len : (size_t)avail;

	/* The newest n bytes. */
	pos = log_head - n;
	for (size_t i = 0; i < n; i++)
		buf[i] = log_buf[(pos + i) & (LOG_BUF_SIZE - 1)];
	hal_irq_restore(flags);
	return n;
}
