/* The kernel log: printk() formats a message, appends it to a 64 KiB ring
 * buffer and, once the console is live, writes it out.
 *
 * Before the first console driver probes (on arm64 nothing can print until
 * the PL011 is found in the DT) messages are only kept in the ring;
 * printk_replay() flushes everything kept so far to the newly registered
 * console and from then on printk writes through. This way nothing printed
 * at boot is lost and nothing is printed twice.
 *
 * The ring holds the log as syslog(2) returns it: every line starts with
 * its level in angle brackets ("<3>" for a printk(KERN_ERR ...), "<6>" for
 * one without a level); the console gets the lines without it, and only
 * those whose level is below the console level ("quiet": errors only). Readers (syslog(2),
 * kernel/syslog.c) name bytes by their absolute position, counted from
 * boot: the ring holds [log_head - LOG_BUF_SIZE, log_head).
 *
 * Any context: the ring, the readers' positions and the console level are
 * guarded by masking interrupts (one CPU; an SMP kernel needs a spinlock,
 * "logbuf_lock", taken with interrupts masked); the console write is
 * synchronous polling (hal_console_write).
 */
#include <hal/console.h>
#include <hal/cpu.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <string.h>

#define LOG_BUF_SIZE (64 * 1024) /* bytes, a power of two */
#define LINE_MAX_LEN 512	 /* longest single printk, bytes */

#define LOG_PREFIX_LEN 3	   /* "<N>" before every line in the ring */
#define MESSAGE_LOGLEVEL_DEFAULT 6 /* a printk without a level: KERN_INFO */

/* logbuf_lock (irqsave: printk runs in IRQ context) protects the ring and
 * every variable below, and keeps console lines whole. panic() breaks it
 * (printk_emergency_flush()): the panicking CPU may hold it. */
static DEFINE_SPINLOCK(logbuf_lock);
static char log_buf[LOG_BUF_SIZE];
static uint64_t log_head;	   /* total bytes ever appended; log_buf[log_head % SIZE] is next */
static bool log_line_start = true; /* the next byte begins a line */
static bool console_live;	   /* printk_replay() ran: write through */
static int console_loglevel = PRINTK_CONSOLE_LOGLEVEL_DEFAULT;
static uint64_t reader_pos; /* syslog(2) READ: next byte to hand out */
static uint64_t clear_pos;  /* syslog(2) CLEAR: READ_ALL starts here */

static void log_putc(char c)
{
	log_buf[log_head & (LOG_BUF_SIZE - 1)] = c;
	log_head++;
}

static void log_append(const char *s, size_t n, int level)
{
	for (size_t i = 0; i < n; i++) {
		if (log_line_start) {
			log_putc('<');
			log_putc((char)('0' + level));
			log_putc('>');
		}
		log_putc(s[i]);
		log_line_start = s[i] == '\n';
	}
}

static char log_at(uint64_t pos)
{
	return log_buf[pos & (LOG_BUF_SIZE - 1)];
}

/* Oldest byte still in the ring. */
static uint64_t log_first(void)
{
	return log_head > LOG_BUF_SIZE ? log_head - LOG_BUF_SIZE : 0;
}

/* The first line start at or after pos (at most log_head). A position
 * the ring has overwritten moves to the first whole line kept. */
static uint64_t log_line_from(uint64_t pos)
{
	uint64_t first = log_first();

	if (pos < first || (pos == first && first > 0)) {
		pos = first;
		while (pos < log_head && log_at(pos) != '\n')
			pos++;
		return pos < log_head ? pos + 1 : log_head;
	}
	while (pos > 0 && pos < log_head && log_at(pos - 1) != '\n')
		pos++;
	return pos;
}

void printk(const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	int n, level = MESSAGE_LOGLEVEL_DEFAULT;
	irqflags_t flags;

	if (fmt[0] == KERN_SOH[0] && fmt[1] >= '0' && fmt[1] <= '7') {
		level = fmt[1] - '0';
		fmt += 2;
	}
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
	flags = spin_lock_irqsave(&logbuf_lock);
	log_append(line, (size_t)n, level);
	if (console_live && level < console_loglevel)
		hal_console_write(line, (size_t)n);
	spin_unlock_irqrestore(&logbuf_lock, flags);
}

/* Write the retained log, oldest whole line first, to the console, without
 * the level prefixes: the lines below the console level. */
static void log_write_all(void)
{
	uint64_t pos = log_line_from(log_first());

	while (pos < log_head) {
		uint64_t end = pos + LOG_PREFIX_LEN;
		int level = log_at(pos + 1) - '0';

		while (end < log_head && log_at(end) != '\n')
			end++;
		if (end < log_head)
			end++; /* the newline */
		if (level >= console_loglevel) {
			pos = end;
			continue;
		}
		for (pos += LOG_PREFIX_LEN; pos < end;) {
			size_t off = pos & (LOG_BUF_SIZE - 1);
			size_t chunk = MIN((uint64_t)(LOG_BUF_SIZE - off), end - pos);

			hal_console_write(log_buf + off, chunk);
			pos += chunk;
		}
	}
}

void printk_replay(void)
{
	irqflags_t flags = spin_lock_irqsave(&logbuf_lock);

	if (!console_live) {
		log_write_all();
		console_live = true;
	}
	spin_unlock_irqrestore(&logbuf_lock, flags);
}

void printk_set_quiet(bool quiet)
{
	console_loglevel = quiet ? PRINTK_CONSOLE_LOGLEVEL_QUIET : PRINTK_CONSOLE_LOGLEVEL_DEFAULT;
}

void printk_emergency_flush(void)
{
	/* Break the lock: this CPU may have panicked while holding it, and
	 * nothing else runs any more. */
	spin_lock_init(&logbuf_lock, "logbuf_lock");
	if (!console_live) {
		log_write_all();
		console_live = true;
	}
	console_loglevel = PRINTK_CONSOLE_LOGLEVEL_DEFAULT;
}

static void log_copy_out(char *buf, uint64_t from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = log_at(from + i);
}

size_t printk_log_read_all(char *buf, size_t len, bool clear)
{
	irqflags_t flags = spin_lock_irqsave(&logbuf_lock);
	uint64_t start = log_line_from(clear_pos);
	size_t n;

	if (log_head - start > len)
		start = log_line_from(log_head - len);
	n = (size_t)(log_head - start);
	log_copy_out(buf, start, n);
	if (clear)
		clear_pos = log_head;
	spin_unlock_irqrestore(&logbuf_lock, flags);
	return n;
}

void printk_log_clear(void)
{
	irqflags_t flags = spin_lock_irqsave(&logbuf_lock);

	clear_pos = log_head;
	spin_unlock_irqrestore(&logbuf_lock, flags);
}

size_t printk_log_read(char *buf, size_t len)
{
	irqflags_t flags = spin_lock_irqsave(&logbuf_lock);
	size_t n;

	if (reader_pos < log_first())
		reader_pos = log_line_from(reader_pos);
	n = (size_t)MIN((uint64_t)len, log_head - reader_pos);
	log_copy_out(buf, reader_pos, n);
	reader_pos += n;
	spin_unlock_irqrestore(&logbuf_lock, flags);
	return n;
}

size_t printk_log_unread(void)
{
	irqflags_t flags = spin_lock_irqsave(&logbuf_lock);
	uint64_t pos = reader_pos < log_first() ? log_line_from(reader_pos) : reader_pos;
	size_t n = (size_t)(log_head - pos);

	spin_unlock_irqrestore(&logbuf_lock, flags);
	return n;
}

size_t printk_log_size(void)
{
	return LOG_BUF_SIZE;
}

int printk_console_level(int level)
{
	irqflags_t flags = spin_lock_irqsave(&logbuf_lock);
	int old = console_loglevel;

	if (level > 0)
		console_loglevel = level;
	spin_unlock_irqrestore(&logbuf_lock, flags);
	return old;
}
