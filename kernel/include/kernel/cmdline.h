/* The kernel command line (kernel/cmdline.c), parsed once at boot like
 * Linux's: whitespace-separated "key=value" or "key" words, double quotes
 * group a value with spaces ("key=\"a b\""). [kernel-parameters(7) /
 * Documentation/admin-guide/kernel-parameters.rst]
 * Words the kernel does not know are handed to init as Linux does:
 * "key=value" as environment, plain words as arguments, and everything
 * after "--" as arguments. */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H
#include <hal/types.h>

/* Parse s (copied; at most BOARD_CMDLINE_MAX bytes). Boot only. */
void cmdline_parse(const char *s);
/* Value of the last "key=value", "" for a bare "key", NULL if absent. */
const char *cmdline_get(const char *key);
/* The command line as given (for /proc/cmdline). */
const char *cmdline_full(void);
/* Extra arguments / environment for init, NULL-terminated lists. */
const char *const *cmdline_init_argv(void);
const char *const *cmdline_init_envp(void);

#endif
