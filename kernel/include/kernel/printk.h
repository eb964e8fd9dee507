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
 * appears) and written to the console if its level is below the console
 * level. Any context. A message may begin with a level, as Linux's
 * [syslog(2)] levels: printk(KERN_ERR "initramfs: ...\n") or pr_err(...);
 * without one it is KERN_INFO. "quiet" on the command line shows errors
 * and worse only (console level 4, Linux's CONSOLE_LOGLEVEL_QUIET), so a
 * refusal of bad input always reaches the console. */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"	  /* the system is unusable */
#define KERN_ALERT KERN_SOH "1"	  /* action must be taken at once */
#define KERN_CRIT KERN_SOH "2"	  /* critical conditions */
#define KERN_ERR KERN_SOH "3"	  /* errors: bad input refused, a device or driver failed */
#define KERN_WARNING KERN_SOH "4" /* warnings */
#define KERN_NOTICE KERN_SOH "5"  /* normal but significant */
#define KERN_INFO KERN_SOH "6"	  /* informational (the default) */
#define KERN_DEBUG KERN_SOH "7"	  /* debugging */
#define pr_err(...) printk(KERN_ERR __VA_ARGS__)
#define pr_warn(...) printk(KERN_WARNING __VA_ARGS__)
#define pr_notice(...) printk(KERN_NOTICE __VA_ARGS__)
#define pr_info(...) printk(KERN_INFO __VA_ARGS__)

/* The console just registered (hal_console_register): write everything
 * logged so far to it, then let printk write through. Before this call
 * printk only fills the ring buffer. Called once by kernel_main after the
 * console class probed. */
void printk_replay(void);
/* "quiet" on the command line: the console shows only messages of level
 * KERN_ERR and worse (console level 4); everything stays in the ring buffer
 * (dmesg), and panic output always reaches the console. */
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
/* Messages reach the console only if their level is below the console
 * level. Set it (level > 0) and return the previous one. */
#define PRINTK_CONSOLE_LOGLEVEL_DEFAULT 7
#define PRINTK_CONSOLE_LOGLEVEL_QUIET 4
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
