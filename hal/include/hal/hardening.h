/* CPU hardening: what the HAL turns on for the build's safety profile
 * (DESIGN §5 "CPU hardening"; docs/safety-profiles.md "CPU hardening").
 *
 * The HAL applies the profile (<kevlar/profile.h>) during boot, before
 * kernel_main(), and never changes it afterwards:
 *
 *   HAL_HARDEN_USER_NX        the kernel cannot execute user pages.
 *                             x86_64: CR4.SMEP [Intel SDM Vol. 3A §4.6.1,
 *                             §2.5]. arm64: PXN in every user page and
 *                             PXNTable in every user table descriptor
 *                             [Arm ARM D8.4 "Memory access control", D8.3.1.1
 *                             (hierarchical controls)]. Fortress, Balanced.
 *   HAL_HARDEN_USER_NOACCESS  the kernel cannot read or write user pages
 *                             except inside the usercopy routines.
 *                             x86_64: CR4.SMAP, with STAC/CLAC around each
 *                             usercopy and CLAC on every kernel entry
 *                             [Intel SDM Vol. 3A §4.6.1]. arm64: PSTATE.PAN,
 *                             with SCTLR_EL1.SPAN = 0 so that every exception
 *                             to EL1 sets it [Arm ARM D8.4 "Privileged access
 *                             never", C5.2 "PAN", D17.2.118 SCTLR_EL1.SPAN]; usercopy uses
 *                             LDTR/STTR, which PAN does not restrict. CPUs
 *                             without FEAT_PAN (Armv8.0, e.g. Cortex-A72) get
 *                             the same guarantee from TTBR0_EL1: while the
 *                             kernel runs it points at an empty table, and
 *                             only the usercopy routines load the user's.
 *                             Fortress, Balanced.
 *   HAL_HARDEN_KERNEL_WX      the kernel image is W^X: text read-only and
 *                             executable, rodata read-only, data and bss
 *                             read-write and never executable; the direct map
 *                             and the I/O window are never executable.
 *                             x86_64: PTE R/W and XD with EFER.NXE and CR0.WP
 *                             [Intel SDM Vol. 3A §4.6.1, §4.1.3, §2.5].
 *                             arm64: AP[2] and PXN per 4 KiB page
 *                             [Arm ARM D8.4]; SCTLR_EL1.WXN stays 0, since it
 *                             would also make user pages that are writable
 *                             and executable (JITs) non-executable, which
 *                             Linux programs do not expect. Fortress, Balanced,
 *                             Performance.
 *
 * Ludicrous gets none of them: the image is mapped read-write-executable and
 * the kernel can touch user memory directly (docs/safety-profiles.md).
 * A protection the CPU lacks (no SMEP/SMAP/NX in CPUID) is left off and its
 * bit is clear in hal_hardening().
 */
#ifndef HAL_HARDENING_H
#define HAL_HARDENING_H
#include <hal/types.h>

#define HAL_HARDEN_USER_NX (1u << 0)
#define HAL_HARDEN_USER_NOACCESS (1u << 1)
#define HAL_HARDEN_KERNEL_WX (1u << 2)

/* The HAL_HARDEN_* bits in force. Any context. */
unsigned hal_hardening(void);

/* This arch's name for one HAL_HARDEN_* bit, as /proc/kevlar/hardening
 * shows it: "smep" / "pxn", "smap" / "pan" (hardware PAN) or "pan-ttbr0"
 * (emulated), "wx". NULL for an unknown bit. */
const char *hal_hardening_name(unsigned bit);

/* FOR FAULT INJECTION ONLY (services/faultfs "userptr", armed by
 * faultinject=1; hal/common/debug_probe.c, linked only into test images
 * built with --//build:test_hooks): the user address uaddr as a plain kernel pointer, so that a
 * test service can load or store through it outside the usercopy routines.
 * Doing so must fault where HAL_HARDEN_USER_NOACCESS is on, and does not
 * fault (on a present, writable page) where it is off. No check of any
 * kind; never use it for real work. */
volatile uint8_t *hal_debug_user_ptr(uintptr_t uaddr);

#endif
