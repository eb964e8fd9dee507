/* Kernel random numbers (kernel/lib/random.c): a ChaCha20-based CSPRNG
 * seeded at boot from hal_random_seed() and timer jitter.
 * Feeds getrandom(2), /dev/random, /dev/urandom and AT_RANDOM. */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H
#include <hal/types.h>

void random_init(void);
void get_random_bytes(void *buf, size_t n);
/* Mix n bytes (any n, 0 is a no-op) of possibly-random input (interrupt
 * timing, RTC, a hardware generator) into the pool: every input byte
 * changes the whole future output; input of any quality never makes the
 * output weaker. Callable from any context, IRQ handlers and masked
 * interrupts included (the state update runs with interrupts masked);
 * must not be called from get_random_bytes()'s own callees. */
void add_random_entropy(const void *buf, size_t n);

/* A hardware random number generator the pool draws from (Linux's
 * struct hwrng, drivers/char/hw_random): virtio-rng, ... One is in use at
 * a time (the first registered), as Linux's rng_current. */
struct hwrng {
	const char *name; /* e.g. "virtio_rng.0" (Linux's naming) */
	/* Ask the device for more bytes; they arrive later, from the
	 * driver's interrupt handler, through hwrng_mix(). Called with
	 * interrupts masked, possibly from inside get_random_bytes(): must
	 * not sleep or allocate. 0, -EBUSY (a request is in flight) or -EIO
	 * (the device was given up). */
	int (*request)(struct hwrng *rng);
	void *priv; /* the driver's */
	/* Owned by the pool (kernel/lib/random.c); read with hwrng_stats(). */
	uint64_t bytes_mixed; /* bytes from this device mixed in so far */
	uint64_t requests;    /* request() calls that returned 0 */
	bool failed;	      /* the driver called hwrng_failed() */
};

/* Make rng the pool's hardware source. The pool calls rng->request()
 * on demand: after every HWRNG_RESEED_BYTES bytes of output. 0, or -EBUSY
 * if another source is already registered. Not from IRQ context. */
#define HWRNG_RESEED_BYTES 4096
int hwrng_register(struct hwrng *rng);
/* Mix n bytes the device produced into the pool (add_random_entropy())
 * and count them in rng->bytes_mixed. Any context, IRQ included. */
void hwrng_mix(struct hwrng *rng, const void *buf, size_t n);
/* The driver gave up on the device (broken, removed): no more requests;
 * the counters stay readable. Any context. */
void hwrng_failed(struct hwrng *rng);
/* A snapshot of the registered source for /proc/driver/hw_random:
 * 0 and *out filled, or -ENODEV if none was ever registered. */
struct hwrng_stats {
	const char *name;
	uint64_t bytes_mixed, requests;
	bool failed;
};
int hwrng_stats(struct hwrng_stats *out);
/* Re-key the stack-protector canary from the CSPRNG (kernel_main, once,
 * after random_init(); kernel/lib/stack_protector.c). */
void stack_protector_reseed(void);

#endif
