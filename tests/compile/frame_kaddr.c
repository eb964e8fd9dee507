/* Compile test (//tests:frame_kaddr_profiles, DESIGN §5): code outside the HAL that
 * takes a frame's direct-map address, compiled as a service (KEVLAR_RING=2).
 * Fortress must refuse to compile it
 * (frame_kaddr() does not exist there); Balanced must compile it. */
#include <hal/frame.h>

void *service_peeks_at_frame(paddr_t pa);

void *service_peeks_at_frame(paddr_t pa)
{
	return frame_kaddr(pa);
}
