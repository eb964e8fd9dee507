/* The HAL's debug user-pointer probe (<hal/hardening.h>), for fault injection
 * (services/faultfs "userptr"). TEST IMAGES ONLY: //hal:debug_probe is linked
 * only under --//build:test_hooks, like faultfs; the images users get do not
 * contain it (//tests:board_images checks). */
#include <hal/hardening.h>

/* The one integer-to-pointer cast faultfs needs, kept in the HAL. */
volatile uint8_t *hal_debug_user_ptr(uintptr_t uaddr)
{
	return (volatile uint8_t *)uaddr;
}
