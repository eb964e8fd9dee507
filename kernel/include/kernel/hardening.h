/* The CPU hardening in force (DESIGN §5 "CPU hardening"; the HAL part is
 * <hal/hardening.h>), for the boot log and /proc/kevlar/hardening.
 *
 * Items, in the order hardening_item() lists them:
 *   HAL_HARDEN_USER_NX        "smep" (x86_64) / "pxn" (arm64)
 *   HAL_HARDEN_USER_NOACCESS  "smap" / "pan" or "pan-ttbr0"
 *   HAL_HARDEN_KERNEL_WX      "wx"
 *   HARDEN_STACKPROT          "stackprot": -fstack-protector-strong (the
 *                             compiler's __SSP_STRONG__), Fortress, Balanced
 *   HARDEN_ZEROINIT           "zeroinit": -ftrivial-auto-var-init=zero,
 *                             Fortress (//tests:profile_flags_<arch> proves
 *                             the flag; clang 14 defines no macro for it)
 * Services (faultfs) reach hal_debug_user_ptr() through this header. */
#ifndef KERNEL_HARDENING_H
#define KERNEL_HARDENING_H
#include <hal/hardening.h>

#define HARDEN_STACKPROT (1u << 8)
#define HARDEN_ZEROINIT (1u << 9)
#define HARDEN_NR_ITEMS 5

/* HAL_HARDEN_* and HARDEN_* bits that are on. Any context. */
unsigned hardening_active(void);
/* Item i (0 <= i < HARDEN_NR_ITEMS): its bit, and its name on this arch. */
unsigned hardening_item(unsigned i, const char **name);
/* Log one line "hardening: <on items> (off: <off items>)". */
void hardening_log(void);

#endif
