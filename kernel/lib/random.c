/* The kernel CSPRNG: ChaCha20 [RFC 8439 §2.3] in counter mode with fast
 * key erasure (after every request the key is replaced by fresh keystream,
 * so a later compromise of the state cannot reveal earlier output).
 *
 * Seeded once at boot by random_init() from the CPU's hardware generator
 * (RDRAND / RNDR, when present), the cycle counter and the wall clock
 * (RTC); add_random_entropy() folds more input in later (interrupt timing).
 * A hardware generator driver (struct hwrng, e.g. virtio-rng) registers
 * with hwrng_register(); the pool asks it for fresh bytes after every
 * HWRNG_RESEED_BYTES of output and its bytes come back through hwrng_mix().
 * Not for IRQ context in bulk, but callable with interrupts masked (the
 * state update runs with them masked).
 */
#include <hal/cpu.h>
#include <kernel/errno.h>
#include <kernel/random.h>
#include <kernel/time.h>
#include <kernel/spinlock.h>
#include <string.h>

struct chacha_state {
	uint32_t key[8];
	uint32_t nonce[3];
	uint32_t counter;
};

/* rng_lock (irqsave: hwrng_mix() runs in IRQ context) protects rng,
 * hw_source, out_since_request and the hwrng counters. A driver's
 * request() is called after it is dropped (it may mix synchronously). */
static DEFINE_SPINLOCK(rng_lock);
static struct chacha_state rng;

/* The hardware source (struct hwrng) and the output since its last
 * request, for the on-demand reseed in get_random_bytes(). */
static struct hwrng *hw_source;
static size_t out_since_request;

static inline uint32_t rotl32(uint32_t v, int c)
{
	return (v << c) | (v >> (32 - c));
}

#define QR(a, b, c, d)             \
	do {                       \
		a += b;            \
		d ^= a;            \
		d = rotl32(d, 16); \
		c += d;            \
		b ^= c;            \
		b = rotl32(b, 12); \
		a += b;            \
		d ^= a;            \
		d = rotl32(d, 8);  \
		c += d;            \
		b ^= c;            \
		b = rotl32(b, 7);  \
	} while (0)

/* The ChaCha20 block function [RFC 8439 §2.3.1]: 64 bytes of keystream
 * for (key, counter, nonce), as 16 little-endian words. */
static void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
			   uint32_t out[16])
{
	uint32_t s[16] = {
		0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, /* "expand 32-byte k" */
		key[0],	    key[1],	key[2],	    key[3],	key[4],	  key[5],
		key[6],	    key[7],	counter,    nonce[0],	nonce[1], nonce[2],
	};
	uint32_t x[16];

	memcpy(x, s, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + s[i];
}

/* Replace the key with fresh keystream (fast key erasure). */
static void rng_rekey(void)
{
	uint32_t blk[16];

	chacha20_block(rng.key, rng.counter++, rng.nonce, blk);
	memcpy(rng.key, blk, sizeof(rng.key));
	memset(blk, 0, sizeof(blk));
	if (rng.counter == 0)
		rng.nonce[0]++;
}

/* The hardware source to ask for fresh bytes once HWRNG_RESEED_BYTES have
 * been handed out since the last request, or NULL. rng_lock held. The
 * bytes arrive later through hwrng_mix(); a busy or failed device is asked
 * again after the next HWRNG_RESEED_BYTES. */
static struct hwrng *hwrng_demand(size_t n)
{
	struct hwrng *h = hw_source;

	out_since_request += n;
	if (!h || h->failed || out_since_request < HWRNG_RESEED_BYTES)
		return NULL;
	out_since_request = 0;
	return h;
}

void get_random_bytes(void *buf, size_t n)
{
	size_t n_total = n;
	unsigned char *p = buf;
	uint32_t blk[16];
	irqflags_t flags = spin_lock_irqsave(&rng_lock);
	struct hwrng *ask;

	while (n) {
		size_t chunk = n < sizeof(blk) ? n : sizeof(blk);

		chacha20_block(rng.key, rng.counter++, rng.nonce, blk);
		if (rng.counter == 0)
			rng.nonce[0]++;
		memcpy(p, blk, chunk);
		p += chunk;
		n -= chunk;
	}
	memset(blk, 0, sizeof(blk));
	rng_rekey();
	ask = hwrng_demand(n_total);
	spin_unlock_irqrestore(&rng_lock, flags);
	if (ask && ask->request(ask) == 0) {
		flags = spin_lock_irqsave(&rng_lock);
		ask->requests++;
		spin_unlock_irqrestore(&rng_lock, flags);
	}
}

/* rng_lock held. */
static void mix_locked(const void *buf, size_t n)
{
	const unsigned char *p = buf;

	/* XOR the input into the key a key-length at a time, re-keying in
	 * between, so every input byte influences the whole future state. */
	while (n) {
		unsigned char *k = (unsigned char *)rng.key;
		size_t chunk = n < sizeof(rng.key) ? n : sizeof(rng.key);

		for (size_t i = 0; i < chunk; i++)
			k[i] ^= p[i];
		p += chunk;
		n -= chunk;
		rng_rekey();
	}
}

void add_random_entropy(const void *buf, size_t n)
{
	irqflags_t flags = spin_lock_irqsave(&rng_lock);

	mix_locked(buf, n);
	spin_unlock_irqrestore(&rng_lock, flags);
}

void random_init(void)
{
	uint64_t v;

	/* Hardware seed: as much as the CPU gives (up to the key size, twice). */
	for (int i = 0; i < 8; i++) {
		if (hal_random_seed(&v))
			add_random_entropy(&v, sizeof(v));
	}
	v = (uint64_t)time_realtime_ns();
	add_random_entropy(&v, sizeof(v));
	/* Timer jitter: cycle-counter deltas around a short busy loop. */
	for (int i = 0; i < 16; i++) {
		uint64_t t0 = hal_cycles(), t1;

		for (volatile int j = 0; j < 64 * (i + 1); j++)
			;
		t1 = hal_cycles();
		v = t1 ^ (t1 - t0) << 32;
		add_random_entropy(&v, sizeof(v));
	}
}

int hwrng_register(struct hwrng *h)
{
	irqflags_t flags = spin_lock_irqsave(&rng_lock);
	int err = 0;

	if (hw_source)
		err = -EBUSY;
	else
		hw_source = h;
	spin_unlock_irqrestore(&rng_lock, flags);
	return err;
}

void hwrng_mix(struct hwrng *h, const void *buf, size_t n)
{
	irqflags_t flags = spin_lock_irqsave(&rng_lock);

	mix_locked(buf, n);
	h->bytes_mixed += n;
	spin_unlock_irqrestore(&rng_lock, flags);
}

void hwrng_failed(struct hwrng *h)
{
	h->failed = true;
}

int hwrng_stats(struct hwrng_stats *out)
{
	irqflags_t flags = spin_lock_irqsave(&rng_lock);
	struct hwrng *h = hw_source;

	if (h) {
		out->name = h->name;
		out->bytes_mixed = h->bytes_mixed;
		out->requests = h->requests;
		out->failed = h->failed;
	}
	spin_unlock_irqrestore(&rng_lock, flags);
	return h ? 0 : -ENODEV;
}
