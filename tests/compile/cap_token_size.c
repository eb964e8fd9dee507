/* Compile test (//tests:cap_token_size_profiles, DESIGN §5): what a capability
 * token costs in each profile. Fortress: a run-time token (serial + mac,
 * 16 bytes); Balanced: a typed token of zero size; Performance and Ludicrous:
 * no token (zero size, one type for every kind). Compiles under all four. */
#include <kernel/cap.h>

#if defined(KEVLAR_PROFILE_FORTRESS)
_Static_assert(sizeof(cap_page_alloc_t) == 16, "Fortress: run-time token");
_Static_assert(sizeof(struct svc_caps) == 48, "three run-time tokens");
#else
_Static_assert(sizeof(cap_page_alloc_t) == 0, "zero-size token");
_Static_assert(sizeof(cap_block_t) == 0, "zero-size token");
_Static_assert(sizeof(cap_net_t) == 0, "zero-size token");
_Static_assert(sizeof(struct svc_caps) == 0, "tokens cost nothing");
#endif
#if defined(KEVLAR_PROFILE_BALANCED) || defined(KEVLAR_PROFILE_FORTRESS)
_Static_assert(!__builtin_types_compatible_p(cap_page_alloc_t, cap_block_t), "typed");
_Static_assert(!__builtin_types_compatible_p(cap_page_alloc_t, cap_net_t), "typed");
#else
_Static_assert(__builtin_types_compatible_p(cap_page_alloc_t, cap_block_t), "untyped");
#endif

int cap_token_size_compiles;
