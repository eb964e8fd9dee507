/* Kernel log and fatal errors. */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H
#include <hal/types.h>
#include <stdarg.h>

/* printf-style formatting: %d %i %u %x %X %p %s %c %% with l/ll/z
 * modifiers, width, '0' and '-' flags, %.*s. Returns bytes written
 * (excluding NUL); output truncated to size. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Log a message: kept in a ring buffer (replayed when the console
 * appears) and written to the console. Any context. */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The console just registered (hal_console_register): write everything
 * logged so far to it, then let printk write through. Before this call
 * printk only fills the ring buffer. Called once by kernel_main after the
 * console class probed. */
void printk_replay(void);
/* "quiet" on the command line: keep messages in the ring buffer only
 * (panic output always reaches the console). */
void printk_set_quiet(bool quiet);
/* For panic and fatal-fault paths: force the log out to whatever console
 * is registered, ignoring "quiet". */
void printk_emergency_flush(void);

/* The log as syslog(2) reads it (kernel/syslog.c): lines of text, each
 * beginning with "<level>". Any context (interrupts are masked inside).
 * printk_log_read_all(): copy the newest whole lines since the last clear
 * that fit in len bytes into buf; clear: then clear. Returns the bytes.
 * printk_log_clear(): later read_all calls start from here.
 * printk_log_read(): hand out up to len bytes the reader has not seen
 * (they are consumed); 0 if none. printk_log_unread(): how many there are.
 * printk_log_size(): the ring's size, bytes. */
size_t printk_log_read_all(char *buf, size_t len, bool clear);
void printk_log_clear(void);
size_t printk_log_read(char *buf, size_t len);
size_t printk_log_unread(void);
size_t printk_log_size(void);
/* Messages reach the console only if their level (6) is below the console
 * level. Set it (level > 0) and return the previous one. */
#define PRINTK_CONSOLE_LOGLEVEL_DEFAULT 7
int printk_console_level(int level);

/* Print "KERNEL PANIC: <msg>", a backtrace with symbol names, and stop
 * the machine with a failure status (hal_panic_stop()). */
__noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Kernel invariant: panic with the expression, file and line if false. */
#define KASSERT(cond)                                                                      \
	do {                                                                               \
		if (unlikely(!(cond)))                                                     \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

/* Print a backtrace starting at frame pointer fp with symbol names from
 * the kallsyms table. */
void dump_backtrace(uintptr_t fp);
/* Name of the function containing pc and the offset into it, or NULL. */
const char *kallsyms_lookup(uintptr_t pc, uintptr_t *offset);

#endif
