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
/* Copy the newest min(len, retained) bytes of the log into buf (syslog(2),
 * /proc/kmsg, dmesg). Returns the byte count. */
size_t printk_log_copy(char *buf, size_t len);

/* Print "KERNEL PANIC: <msg>", a backtrace with symbol names, and stop
 * the machine with a failure status (hal_panic_stop()). */
__noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Kernel invariant: panic with the expression, file and line if false. */
#define KASSERT(cond)                                                              \
	do {                                                                       \
		if (unlikely(!(cond)))                                             \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

/* Print a backtrace starting at frame pointer fp with symbol names from
 * the kallsyms table. */
void dump_backtrace(uintptr_t fp);
/* Name of the function containing pc and the offset into it, or NULL. */
const char *kallsyms_lookup(uintptr_t pc, uintptr_t *offset);

#endif
