/* The kernel's freestanding <stdlib.h> (kernel/lib/strtol.c): number
 * parsing only. No allocation here: use <kernel/kmalloc.h>. [strtoul(3)] */
#ifndef KEVLAR_STDLIB_H
#define KEVLAR_STDLIB_H
#include <stddef.h>

/* ISO C strtoul/strtol: base 0 (auto: 0x hex, 0 octal), or 2..36; leading
 * whitespace and sign accepted; *end (if end) points after the last digit
 * used (or at s if none). Overflow saturates (ULONG_MAX / LONG_MIN/MAX);
 * there is no errno in the kernel. */
unsigned long strtoul(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);

static inline int abs(int x)
{
	return x < 0 ? -x : x;
}
static inline long labs(long x)
{
	return x < 0 ? -x : x;
}

#endif
