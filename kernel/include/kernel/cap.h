/* Capability tokens (DESIGN §5 "capability tokens"; docs/safety-profiles.md).
 *
 * A ring-2 service instance (a mounted file system, a probed device) holds one
 * token per privilege the core grants it: allocating pages (cap_page_alloc_t),
 * block access (cap_block_t), network access (cap_net_t). Only the core mints
 * them, in svc_instance_init() (the instance's registration), into
 * inst->caps; the service passes the token back at each boundary crossing that
 * needs the privilege, e.g. svc_page_alloc(). The strength of a token is the
 * profile's:
 *
 *   Fortress     a runtime token {serial, mac}: mac is a keyed hash of the
 *                instance's serial number and the capability kind under a
 *                per-boot secret. Every check, in every build, recomputes it
 *                and looks the serial up among live instances: a forged token
 *                (wrong mac) or a stale one (its instance was torn down) is
 *                refused with -EPERM and logged.
 *   Balanced     a compile-time token: one distinct zero-size type per kind,
 *                so passing a block token where a page-allocation token is
 *                due does not compile; nothing is checked at run time.
 *   Performance, Ludicrous   no tokens: every kind is one empty type and the
 *                checks compile to nothing.
 *
 * Block and net tokens are minted for every instance. The block token is
 * checked by blkdev_read/blkdev_write/blkdev_flush (<kernel/blkdev.h>), the
 * net token by netdev_xmit/netdev_receive/netdev_link_ok
 * (<kernel/netdevice.h>), where the network stack reaches a NIC.
 */
#ifndef KERNEL_CAP_H
#define KERNEL_CAP_H
#include <hal/types.h>
#include <kevlar/profile.h>

enum cap_kind {
	CAP_PAGE_ALLOC = 1,
	CAP_BLOCK = 2,
	CAP_NET = 3,
};

#if defined(KEVLAR_PROFILE_FORTRESS)
#define CAP_RUNTIME 1
/* Distinct struct types: the kind is part of the type as well as the mac. */
typedef struct {
	uint64_t serial, mac;
} cap_page_alloc_t;
typedef struct {
	uint64_t serial, mac;
} cap_block_t;
typedef struct {
	uint64_t serial, mac;
} cap_net_t;
#elif defined(KEVLAR_PROFILE_BALANCED)
#define CAP_TYPED 1
typedef struct {
	char page_alloc_token[0];
} cap_page_alloc_t;
typedef struct {
	char block_token[0];
} cap_block_t;
typedef struct {
	char net_token[0];
} cap_net_t;
#else
typedef struct {
	char no_token[0];
} cap_none_t;
typedef cap_none_t cap_page_alloc_t;
typedef cap_none_t cap_block_t;
typedef cap_none_t cap_net_t;
#endif

/* The tokens of one service instance (struct svc_instance.caps). */
struct svc_caps {
	cap_page_alloc_t page_alloc;
	cap_block_t block;
	cap_net_t net;
};

/* Core only: mint inst's tokens (serial: the instance's unique number) /
 * make them stale. */
void cap_mint(struct svc_caps *caps, uint64_t serial);
void cap_revoke(uint64_t serial);

#ifdef CAP_RUNTIME
/* 0 if tok is a live token of kind, else -EPERM (logged). */
int cap_check(uint64_t serial, uint64_t mac, enum cap_kind kind, const char *what);
#define cap_check_page_alloc(tok, what) cap_check((tok).serial, (tok).mac, CAP_PAGE_ALLOC, (what))
#define cap_check_block(tok, what) cap_check((tok).serial, (tok).mac, CAP_BLOCK, (what))
#define cap_check_net(tok, what) cap_check((tok).serial, (tok).mac, CAP_NET, (what))
#else
#define cap_check_page_alloc(tok, what) ((void)(tok), 0)
#define cap_check_block(tok, what) ((void)(tok), 0)
#define cap_check_net(tok, what) ((void)(tok), 0)
#endif

/* Counters for /proc/kevlar/services: tokens refused (forged or stale). */
unsigned long cap_refused_count(void);

/* Pages for a service (the service API's frame_alloc, which ring 2 does not
 * see under Fortress and Balanced): 2^order zero-filled frames in *pa.
 * 0, -EPERM (token refused), -ENOMEM. Free with frame_free(). */
int svc_page_alloc(cap_page_alloc_t cap, unsigned order, paddr_t *pa);

#endif
