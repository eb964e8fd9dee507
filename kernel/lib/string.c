/* Freestanding memory and string functions ([string.h(0p)]).
 *
 * The kernel is built with -ffreestanding -fno-builtin, so the compiler
 * does not turn these loops back into calls to themselves; it still emits
 * calls to memcpy/memset/memmove/memcmp for struct copies, which land
 * here. Bulk copies move 8 bytes at a time (memcpy: 32 per step) when both pointers allow it.
 */
#include <stdint.h>
#include <string.h>

typedef uint64_t __attribute__((may_alias)) word_t;

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		/* 32 bytes a step: two LDP/STP pairs on arm64, four MOVs each
		 * way on x86_64, a quarter of the loop overhead. */
		for (; n >= 32; n -= 32, d += 32, s += 32) {
			word_t a = ((const word_t *)s)[0], b = ((const word_t *)s)[1];
			word_t c = ((const word_t *)s)[2], e = ((const word_t *)s)[3];

			((word_t *)d)[0] = a;
			((word_t *)d)[1] = b;
			((word_t *)d)[2] = c;
			((word_t *)d)[3] = e;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(word_t *)d = *(const word_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlap with dst above src: copy backwards. */
	d += n;
	s += n;
	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		for (; n >= 8; n -= 8) {
			d -= 8;
			s -= 8;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	while (n--)
		*--d = *--s;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t w = (unsigned char)c * 0x0101010101010101ULL;

	while (n && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	/* 64 bytes a step: four STP on arm64, eight MOVs on x86_64, an eighth
	 * of the loop overhead (kzalloc of a task, a file table, a kernel
	 * stack's frame: memset was 5 % of fork). */
	for (; n >= 64; n -= 64, d += 64) {
		word_t *q = (word_t *)d;

		q[0] = w;
		q[1] = w;
		q[2] = w;
		q[3] = w;
		q[4] = w;
		q[5] = w;
		q[6] = w;
		q[7] = w;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(word_t *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t i = 0;

	while (i < max && s[i])
		i++;
	return i;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	if (!n)
		return (char *)haystack;
	for (; *haystack; haystack++) {
		if (*haystack == *needle && !strncmp(haystack, needle, n))
			return (char *)haystack;
	}
	return NULL;
}

char *strcpy(char *restrict dst, const char *restrict src)
{
	char *d = dst;

	while ((*d++ = *src++))
		;
	return dst;
}

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = '\0';
	return dst;
}

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
