/* lwIP's compiler and platform glue (src/include/lwip/arch.h) for Kevlar:
 * freestanding clang, Kevlar's <string.h>, the console for diagnostics. */
#ifndef KEVLAR_LWIP_ARCH_CC_H
#define KEVLAR_LWIP_ARCH_CC_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* as <hal/types.h> (C11 allows the same typedef twice) */
typedef long ssize_t;

#include <stdlib.h>
/* netif_find() parses "lo0" with atoi() */
static inline int lwip_port_atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}
#define atoi lwip_port_atoi

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_LIMITS_H 0
#define LWIP_NO_UNISTD_H 1
#define SSIZE_MAX 0x7fffffffffffffffL
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_ERR_T int

void lwip_port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lwip_port_assert(const char *msg, const char *file, int line) __attribute__((noreturn));
#define LWIP_PLATFORM_DIAG(x)     \
	do {                      \
		lwip_port_diag x; \
	} while (0)
/* A failed lwIP assertion is a fault of the service: panic(), which
 * svc_call() contains under Fortress/Balanced. */
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert((x), __FILE__, __LINE__)

void *lwip_port_malloc(size_t size);
void lwip_port_free(void *p);
void *lwip_port_calloc(size_t n, size_t size);
uint32_t lwip_port_rand(void);

#endif
