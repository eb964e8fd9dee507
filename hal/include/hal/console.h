/* Early console: raw byte output before (and independent of) the TTY layer.
 * The board layer registers the UART driver's putc once it has probed it;
 * until then output is kept in the printk ring buffer only. */
#ifndef HAL_CONSOLE_H
#define HAL_CONSOLE_H
#include <hal/types.h>

struct hal_console {
	const char *name;
	void (*putc)(void *priv, char c); /* polling, IRQ-safe, never sleeps */
	void *priv;
};

/* Set the console that printk and panic write to (NULL to detach). */
void hal_console_register(const struct hal_console *con);
/* Write n bytes synchronously (polling). Safe from any context. */
void hal_console_write(const char *s, size_t n);

#endif
