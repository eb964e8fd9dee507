"""Kevlar's kernel C toolchains: clang 14 + lld, freestanding, explicit tool paths.

Legacy `cc_common.create_cc_toolchain_config_info` API (the only one Bazel 4.2.3 has).
One config per CPU; see toolchains/BUILD.bazel for how they are registered and
matched to the board platforms (cpu + @platforms//os:none).

Flags every kernel object gets live here (they are properties of "kernel code for
this CPU"); flags that depend on the safety profile come from build/defs.bzl
(kernel_library), so that the toolchain stays profile-agnostic.
"""

load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
)
load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")

# Host tools. Absolute paths: these come from Debian's clang/lld/llvm 14 packages
# (tools/setup.sh installs them); nothing is looked up through PATH.
LLVM_TOOLS = {
    "gcc": "/usr/bin/clang",  # Bazel calls the compiler driver "gcc".
    "cpp": "/usr/bin/clang-cpp-14",
    "ld": "/usr/bin/ld.lld",
    "ar": "/usr/bin/llvm-ar",
    "nm": "/usr/bin/llvm-nm",
    "objcopy": "/usr/bin/llvm-objcopy",
    "objdump": "/usr/bin/llvm-objdump",
    "strip": "/usr/bin/llvm-strip",
    "gcov": "/bin/false",
}

# Where clang's own freestanding headers (stddef.h, stdint.h, stdarg.h, ...) live.
# Bazel rejects any included header that is neither declared nor under one of these
# prefixes. Both spellings are needed: with -no-canonical-prefixes clang reports
# /usr/lib/clang/14.0.6/include, without it /usr/lib/llvm-14/lib/clang/14.0.6/include.
CLANG_BUILTIN_INCLUDE_DIRS = [
    "/usr/lib/llvm-14/lib/clang/14.0.6/include",
    "/usr/lib/clang/14.0.6/include",
    "/usr/lib/clang/14/include",
]

_C_COMPILE = [ACTION_NAMES.c_compile]
_ALL_COMPILE = [
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
    ACTION_NAMES.cpp_header_parsing,
]
_LINK = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

# Flags for every kernel translation unit, C and assembly, on every CPU.
_COMMON_COMPILE_FLAGS = [
    "-no-canonical-prefixes",
    "-ffreestanding",
    "-nostdlibinc",  # no /usr/include; clang's builtin headers stay visible
    "-fno-pic",
    "-fno-common",
    "-fno-omit-frame-pointer",  # panic backtraces walk the frame-pointer chain
    "-mno-omit-leaf-frame-pointer",
    "-fno-stack-protector",  # turned back on per profile (build/defs.bzl)
    "-fno-asynchronous-unwind-tables",  # no .eh_frame: we unwind by frame pointers
    "-fno-unwind-tables",
    "-g",
    "-O2",
    # Bazel builds are reproducible; keep __DATE__ and friends out of objects.
    "-Wno-builtin-macro-redefined",
    "-D__DATE__=\"redacted\"",
    "-D__TIMESTAMP__=\"redacted\"",
    "-D__TIME__=\"redacted\"",
]

# Flags for C only (not for .S files).
_C_FLAGS = [
    "-std=gnu11",
    "-fno-builtin",
    "-fno-strict-aliasing",
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
    "-Wmissing-prototypes",
    "-Wstrict-prototypes",
    "-Wvla",
    "-Wshadow",
    # Errors, not warnings: each is a real bug in kernel code (and the default in
    # newer clang). An undeclared call is also how a profile "cannot compile" a
    # function its headers withhold (e.g. frame_kaddr under Fortress).
    "-Werror=implicit-function-declaration",
    "-Werror=implicit-int",
    "-Werror=return-type",
]

_COMMON_LINK_FLAGS = [
    "-no-canonical-prefixes",
    "-fuse-ld=lld",
    "-nostdlib",
    "-static",
    "-Wl,--build-id=none",
    "-Wl,-z,max-page-size=4096",
    "-Wl,-z,norelro",
    "-Wl,--no-undefined",
]

def _impl(ctx):
    compile_flags = ["--target=" + ctx.attr.compile_target] + _COMMON_COMPILE_FLAGS + ctx.attr.arch_copts
    link_flags = ["--target=" + ctx.attr.link_target] + _COMMON_LINK_FLAGS + ctx.attr.arch_linkopts

    features = [
        feature(
            name = "kernel_compile_flags",
            enabled = True,
            flag_sets = [
                flag_set(actions = _ALL_COMPILE, flag_groups = [flag_group(flags = compile_flags)]),
                flag_set(actions = _C_COMPILE, flag_groups = [flag_group(flags = _C_FLAGS)]),
            ],
        ),
        feature(
            name = "kernel_link_flags",
            enabled = True,
            flag_sets = [flag_set(actions = _LINK, flag_groups = [flag_group(flags = link_flags)])],
        ),
    ]

    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = "kevlar-kernel-" + ctx.attr.cpu,
        host_system_name = "x86_64-linux-gnu",
        target_system_name = ctx.attr.compile_target,
        target_cpu = ctx.attr.cpu,
        target_libc = "none",
        compiler = "clang",
        abi_version = "none",
        abi_libc_version = "none",
        tool_paths = [tool_path(name = k, path = v) for k, v in LLVM_TOOLS.items()],
        cxx_builtin_include_directories = CLANG_BUILTIN_INCLUDE_DIRS,
        features = features,
    )

kernel_cc_toolchain_config = rule(
    implementation = _impl,
    doc = "CcToolchainConfigInfo for freestanding kernel code on one CPU.",
    attrs = {
        "cpu": attr.string(mandatory = True, doc = "Bazel cpu name: x86_64 or aarch64."),
        "compile_target": attr.string(mandatory = True, doc = "clang --target for compiling."),
        "link_target": attr.string(
            mandatory = True,
            doc = "clang --target for linking. x86_64-none-elf would make clang 14 hand " +
                  "the link to gcc; x86_64-linux-gnu with -nostdlib calls ld.lld directly.",
        ),
        "arch_copts": attr.string_list(doc = "CPU-specific compile flags."),
        "arch_linkopts": attr.string_list(doc = "CPU-specific link flags."),
    },
    provides = [CcToolchainConfigInfo],
)
