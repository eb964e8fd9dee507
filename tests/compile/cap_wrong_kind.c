/* Compile test (//tests:cap_wrong_kind_profiles, DESIGN §5 "capability tokens"):
 * a service that pays for a page allocation with its block-access token.
 * Fortress and Balanced must refuse to compile it (one token type per kind);
 * Performance and Ludicrous have no tokens and compile it. */
#include <kernel/service.h>

int service_uses_wrong_token(struct svc_instance *inst, paddr_t *pa);

int service_uses_wrong_token(struct svc_instance *inst, paddr_t *pa)
{
	return svc_page_alloc(inst->caps.block, 0, pa);
}
