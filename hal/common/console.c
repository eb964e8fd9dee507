/* The early console: one registered byte sink shared by printk and panic. */
#include <hal/console.h>

static const struct hal_console *active_console;

void hal_console_register(const struct hal_console *con)
{
	active_console = con;
}

void hal_console_write(const char *s, size_t n)
{
	const struct hal_console *con = active_console;

	if (!con)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			con->putc(con->priv, '\r');
		con->putc(con->priv, s[i]);
	}
}
