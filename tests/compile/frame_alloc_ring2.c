/* Compile test (//tests:frame_alloc_ring2_profiles, DESIGN §5): a service that
 * allocates frames without its capability token. Fortress and Balanced must
 * refuse to compile it (ring 2 allocates through svc_page_alloc() there);
 * Performance and Ludicrous compile it. */
#include <hal/frame.h>

paddr_t service_allocates_untokened(void);

paddr_t service_allocates_untokened(void)
{
	return frame_alloc(0);
}
