/* Kernel random numbers (kernel/lib/random.c): a ChaCha20-based CSPRNG
 * seeded at boot from hal_random_seed() and timer jitter.
 * Feeds getrandom(2), /dev/random, /dev/urandom and AT_RANDOM. */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H
#include <hal/types.h>

void random_init(void);
void get_random_bytes(void *buf, size_t n);
/* Mix n bytes of possibly-random input (interrupt timing, RTC). */
void add_random_entropy(const void *buf, size_t n);
/* Re-key the stack-protector canary from the CSPRNG (kernel_main, once,
 * after random_init(); kernel/lib/stack_protector.c). */
void stack_protector_reseed(void);

#endif
