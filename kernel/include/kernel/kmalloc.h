/* Kernel heap: byte-granular allocations out of frames (kernel/mm/kmalloc.c).
 * Not from IRQ context. */
#ifndef KERNEL_KMALLOC_H
#define KERNEL_KMALLOC_H
#include <hal/types.h>

/* size bytes, 16-byte aligned, or NULL. kmalloc(0) returns a unique pointer. */
void *kmalloc(size_t size);
void *kzalloc(size_t size); /* zero-filled */
void *krealloc(void *p, size_t size);
void kfree(void *p); /* NULL is fine */
char *kstrdup(const char *s);
/* Bytes currently allocated from the heap / frames in use: for /proc/meminfo. */
size_t kmalloc_bytes_in_use(void);

/* Physical memory the frame allocator manages, bytes (what /proc/meminfo
 * and sysinfo(2) call total RAM; tmpfs sizes its default limit from it). */
uint64_t frame_total_bytes(void);

#endif
