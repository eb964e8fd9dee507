/* Basic types shared by the HAL and the kernel. Freestanding: only the
 * compiler's own <stdint.h>/<stddef.h>/<stdbool.h>. */
#ifndef HAL_TYPES_H
#define HAL_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;  /* physical address, bytes */
typedef uintptr_t vaddr_t; /* virtual address, bytes */
typedef int64_t ssize_t;
typedef int64_t off_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT) /* bytes; the only page size user space sees */
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGN_DOWN(x) ((x)&PAGE_MASK)

/* User space is [USER_BASE, USER_TOP) on every arch (47 bits, like x86_64 Linux). */
#define USER_BASE 0x10000UL
#define USER_TOP 0x00007ffffffff000UL

#define __unused __attribute__((unused))
#define __noreturn __attribute__((noreturn))
#define __packed __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __section(s) __attribute__((section(s)))
#define __used __attribute__((used))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
