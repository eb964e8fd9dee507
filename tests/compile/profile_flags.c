/* Compile test (//tests:profile_flags_<arch>): the flags each profile promises
 * (DESIGN §5 "CPU hardening") are really on for kernel code, and
 * <kevlar/profile.h> agrees with them. Compiled under every profile; must compile. */
#include <kevlar/profile.h>

#if defined(KEVLAR_PROFILE_FORTRESS) || defined(KEVLAR_PROFILE_BALANCED)
#if !defined(__SSP_STRONG__)
#error "this profile promises -fstack-protector-strong, but it is off"
#endif
#else
#if defined(__SSP__) || defined(__SSP_STRONG__) || defined(__SSP_ALL__)
#error "this profile must not pay for a stack protector, but it is on"
#endif
#endif

#if !defined(__STDC_HOSTED__) || __STDC_HOSTED__ != 0
#error "kernel code must be compiled freestanding"
#endif

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "unexpected target CPU"
#endif

int profile_flags_checked(void);

int profile_flags_checked(void)
{
	return 1;
}
