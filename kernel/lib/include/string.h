/* The kernel's freestanding <string.h> (kernel/lib/string.c): the subset
 * of ISO C / POSIX string functions the kernel and libfdt use, with the
 * standard contracts. [string.h(0p)] */
#ifndef KEVLAR_STRING_H
#define KEVLAR_STRING_H
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strcpy(char *restrict dst, const char *restrict src);
/* ISO C semantics: pads with NULs, does not terminate if src is too long. */
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
/* BSD strlcpy: copies at most size-1 bytes, always terminates (size > 0);
 * returns strlen(src) so truncation is detectable. [strlcpy(3bsd)] */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

#endif
