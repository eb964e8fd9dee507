/* Capability tokens: minting, revocation and the Fortress run-time check
 * (<kernel/cap.h>, DESIGN §5).
 *
 * Fortress: mac = SipHash-2-4(secret, serial || kind), 64-bit, with a
 * 128-bit secret drawn from the random pool (and the timer) at the first
 * mint of each boot. [Aumasson, Bernstein: "SipHash: a fast short-input
 * PRF", 2012, §2]. A token is live while its instance's serial is in the
 * live set (cap_mint() adds it, cap_revoke() removes it). */
#include <hal/frame.h>
#include <hal/cpu.h>
#include <kernel/cap.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/random.h>

static unsigned long refused;

unsigned long cap_refused_count(void)
{
	return refused;
}

int svc_page_alloc(cap_page_alloc_t cap, unsigned order, paddr_t *pa)
{
	int r = cap_check_page_alloc(cap, "page allocation");

	if (r)
		return r;
	*pa = frame_alloc(order);
	return *pa ? 0 : -ENOMEM;
}

#ifndef CAP_RUNTIME

void cap_mint(struct svc_caps *caps, uint64_t serial)
{
	(void)caps;
	(void)serial;
}

void cap_revoke(uint64_t serial)
{
	(void)serial;
}

#else

static uint64_t secret[2];
static bool keyed;

static inline uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND                   \
	do {                       \
		v0 += v1;          \
		v1 = rotl(v1, 13); \
		v1 ^= v0;          \
		v0 = rotl(v0, 32); \
		v2 += v3;          \
		v3 = rotl(v3, 16); \
		v3 ^= v2;          \
		v0 += v3;          \
		v3 = rotl(v3, 21); \
		v3 ^= v0;          \
		v2 += v1;          \
		v1 = rotl(v1, 17); \
		v1 ^= v2;          \
		v2 = rotl(v2, 32); \
	} while (0)

/* SipHash-2-4 of the two 64-bit words m0, m1 (a 16-byte message). */
static uint64_t siphash16(uint64_t m0, uint64_t m1)
{
	uint64_t v0 = secret[0] ^ 0x736f6d6570736575ULL, v1 = secret[1] ^ 0x646f72616e646f6dULL;
	uint64_t v2 = secret[0] ^ 0x6c7967656e657261ULL, v3 = secret[1] ^ 0x7465646279746573ULL;
	const uint64_t m[3] = { m0, m1, (uint64_t)16 << 56 /* length, no tail bytes */ };

	for (int i = 0; i < 3; i++) {
		v3 ^= m[i];
		SIPROUND;
		SIPROUND;
		v0 ^= m[i];
	}
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The secret is drawn at the first mint, which comes before random_init()
 * (drivers are probed first): from the CPU's generator (RDRAND / RNDR) where
 * there is one, whitened through the pool with cycle-counter readings. */
static void key_once(void)
{
	uint64_t seed[2] = { 0, 0 };

	if (keyed)
		return;
	for (int i = 0; i < 2; i++) {
		if (!hal_random_seed(&seed[i]))
			seed[i] = 0;
		seed[i] ^= hal_cycles() * 0x9e3779b97f4a7c15ULL;
	}
	add_random_entropy(seed, sizeof(seed));
	get_random_bytes(secret, sizeof(secret));
	secret[0] ^= seed[0];
	secret[1] ^= seed[1];
	keyed = true;
}

/* The live set: serials of instances whose tokens are valid. Open
 * addressing with tombstones; serials start at 1. */
#define LIVE_SLOTS 1024
#define TOMBSTONE (~0ULL)
static uint64_t live[LIVE_SLOTS];
static unsigned nr_live;

static unsigned slot_of(uint64_t serial)
{
	return (unsigned)((serial * 0x9e3779b97f4a7c15ULL) >> 54) % LIVE_SLOTS;
}

static bool live_has(uint64_t serial)
{
	for (unsigned i = 0, s = slot_of(serial); i < LIVE_SLOTS; i++, s = (s + 1) % LIVE_SLOTS) {
		if (live[s] == serial)
			return true;
		if (live[s] == 0)
			return false;
	}
	return false;
}

void cap_mint(struct svc_caps *caps, uint64_t serial)
{
	key_once();
	if (serial && nr_live < LIVE_SLOTS - 1 && !live_has(serial)) {
		for (unsigned s = slot_of(serial);; s = (s + 1) % LIVE_SLOTS) {
			if (live[s] == 0 || live[s] == TOMBSTONE) {
				live[s] = serial;
				nr_live++;
				break;
			}
		}
	} else if (serial && !live_has(serial)) {
		printk("cap: more than %d live service instances; tokens of serial %llu are dead\n",
		       LIVE_SLOTS - 1, (unsigned long long)serial);
	}
	caps->page_alloc.serial = serial;
	caps->page_alloc.mac = siphash16(serial, CAP_PAGE_ALLOC);
	caps->block.serial = serial;
	caps->block.mac = siphash16(serial, CAP_BLOCK);
	caps->net.serial = serial;
	caps->net.mac = siphash16(serial, CAP_NET);
}

void cap_revoke(uint64_t serial)
{
	for (unsigned i = 0, s = slot_of(serial); i < LIVE_SLOTS; i++, s = (s + 1) % LIVE_SLOTS) {
		if (live[s] == serial) {
			live[s] = TOMBSTONE;
			nr_live--;
			return;
		}
		if (live[s] == 0)
			return;
	}
}

int cap_check(uint64_t serial, uint64_t mac, enum cap_kind kind, const char *what)
{
	const char *why = NULL;

	if (!keyed || siphash16(serial, kind) != mac)
		why = "forged";
	else if (!live_has(serial))
		why = "stale";
	if (!why)
		return 0;
	refused++;
	if (refused <= 16)
		pr_err("cap: %s token refused for %s (instance serial %llu)\n", why, what,
		       (unsigned long long)serial);
	return -EPERM;
}

#endif /* CAP_RUNTIME */
