"""Macros for kernel code. Load from any BUILD file:

    load("//build:defs.bzl", "kernel_library")

Each axis (arch, board, profile) is one select() of its own; selects are concatenated,
never nested or combined, because Bazel 4.2.3 rejects overlapping keys as ambiguous.
"""

# Per-profile compile flags (DESIGN §5 "CPU hardening"). Keys are "@//..." so this
# select also works from the BUILD files of external repositories (libfdt).
#
# Stack protector: -mstack-protector-guard=global makes x86_64 read the canary from
# the global __stack_chk_guard instead of %fs:0x28 (a TLS slot the kernel does not
# have); aarch64 freestanding already uses the global. The kernel must define
# `uintptr_t __stack_chk_guard` and `void __stack_chk_fail(void)` (kernel/lib).
#
# clang 14 only accepts -ftrivial-auto-var-init=zero with its "enable...removed"
# opt-in flag (the flag stays supported in later clang versions without it).
PROFILE_COPTS = select({
    "@//build:profile_fortress": [
        "-fstack-protector-strong",
        "-mstack-protector-guard=global",
        "-ftrivial-auto-var-init=zero",
        "-enable-trivial-auto-var-init-zero-knowing-it-will-be-removed-from-clang",
    ],
    "@//build:profile_balanced": [
        "-fstack-protector-strong",
        "-mstack-protector-guard=global",
    ],
    "@//build:profile_performance": [],
    "@//build:profile_ludicrous": [],
})

# Kernel code is built only for board platforms (os:none). On the host platform
# kernel targets are "incompatible" and `bazel build //...` skips them.
KERNEL_ONLY = ["@platforms//os:none"]

def kernel_library(
        name,
        ring,
        srcs = [],
        hdrs = [],
        deps = [],
        copts = [],
        local_defines = [],
        target_compatible_with = [],
        **kwargs):
    """A cc_library of kernel code.

    - alwayslink: objects reached only through linker sections (driver tables,
      initcalls, syscall tables) must not be dropped by the archive link;
    - depends on <kevlar/profile.h> and gets the per-profile flags;
    - compatible only with board platforms (os:none), plus what the caller adds
      (e.g. a CPU);
    - `ring` (DESIGN §1: 0 = hal/, 1 = kernel/, 2 = services/ and drivers/) is
      compiled in as KEVLAR_RING=<ring>, so that a header can withhold an API from
      outer rings (e.g. frame_kaddr() from ring 2 under Fortress). Not propagated to
      dependents: each library sees its own ring.

    Other arguments (includes, visibility, textual_hdrs, ...) go to cc_library.
    """
    native.cc_library(
        name = name,
        srcs = srcs,
        hdrs = hdrs,
        deps = deps + ["@//build:profile_header"],
        copts = copts + PROFILE_COPTS,
        local_defines = local_defines + ["KEVLAR_RING=%d" % ring],
        alwayslink = True,
        target_compatible_with = target_compatible_with + KERNEL_ONLY,
        **kwargs
    )
