"""clang_tidy_outcome: run clang-tidy over kernel sources with the kernel's own flags.

    clang_tidy_outcome(
        name = "tidy_core",
        srcs = ["//kernel:srcs"],          # the .c files among these are checked
        deps = ["//kernel:api", ...],      # headers and include paths, as for the library
        ring = 1,                          # KEVLAR_RING, as kernel_library sets it
        arch = "x64",
        profile = "fortress",
        checks = "-*,performance-no-int-to-ptr",
    )

The check runs at build time, in the kernel configuration of (arch's default board
platform, profile), so the command line is exactly the kernel toolchain's C compile
line for that configuration (cc_common, as in compile_test.bzl): target, -D flags,
include paths of the deps, the generated <kevlar/profile.h>, per-profile flags. The
action always succeeds and records clang-tidy's output per file; a test
(tests/layering/layering.py) judges it. Outcome file format:

    === <src path> status <clang-tidy exit status>
    <clang-tidy output for that file>
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("//build:defs.bzl", "PROFILE_COPTS")
load("//build:kernel_compile.bzl", "kernel_compile_command", "kernel_config_transition")
load("//boards:boards.bzl", "DEFAULT_BOARD")
load("//build:profile.bzl", "PROFILES")

# Diagnostics in headers are reported only for headers under these folders of the
# workspace (the rings checked); HAL headers (ring 0), libfdt and generated headers
# may cast integers to pointers.
HEADER_FILTER = "(kernel|services|drivers|tests/layering/fixtures)/"

def _tidy_impl(ctx):
    cc = find_cpp_toolchain(ctx)
    _, argv, headers = kernel_compile_command(ctx, cc)
    srcs = [f for f in ctx.files.srcs if f.extension == "c"]
    out = ctx.actions.declare_file(ctx.label.name + ".tidy")
    args = ctx.actions.args()
    args.add(out)
    args.add(ctx.attr.checks)
    args.add(HEADER_FILTER)
    args.add_all(srcs)
    args.add("--")
    args.add_all(argv)
    ctx.actions.run_shell(
        # Always succeeds: the test judges. clang-tidy finds clang's own headers
        # (stddef.h, ...) next to its binary, as clang does.
        command = """
out=$1 checks=$2 filter=$3; shift 3
srcs=""
while [ "$1" != "--" ]; do srcs="$srcs $1"; shift; done
shift
: > "$out"
# clang-tidy names files by absolute path (in the sandbox): match the header filter
# against that, and record paths relative to the execroot.
for s in $srcs; do
  clang-tidy --quiet --checks="$checks" --header-filter="^($PWD/)?$filter" "$s" -- "$@" > "$out.one" 2>&1
  echo "=== $s status $?" >> "$out"
  sed "s|$PWD/||g" "$out.one" >> "$out"
done
rm -f "$out.one"
""",
        arguments = [args],
        inputs = depset(ctx.files.srcs, transitive = [headers, cc.all_files]),
        outputs = [out],
        mnemonic = "ClangTidy",
        progress_message = "clang-tidy %s" % ctx.label,
        use_default_shell_env = True,
    )
    return [DefaultInfo(files = depset([out]))]

_tidy = rule(
    implementation = _tidy_impl,
    attrs = {
        "srcs": attr.label_list(allow_files = True),
        "deps": attr.label_list(providers = [CcInfo]),
        "copts": attr.string_list(),
        "checks": attr.string(mandatory = True),
        "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
    },
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
    fragments = ["cpp"],
)

def _tidy_for_impl(ctx):
    # A copy under this target's own name (outcomes of different configurations
    # would otherwise collide in the test's runfiles).
    out = ctx.actions.declare_file(ctx.label.name + ".tidy")
    ctx.actions.run(
        executable = "/bin/cp",
        arguments = [ctx.files.outcome[0].path, out.path],
        inputs = ctx.files.outcome,
        outputs = [out],
        mnemonic = "CopyTidy",
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

_tidy_for = rule(
    implementation = _tidy_for_impl,
    attrs = {
        "platform": attr.label(mandatory = True),
        "profile": attr.string(mandatory = True, values = PROFILES),
        "outcome": attr.label(mandatory = True, cfg = kernel_config_transition),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def clang_tidy_outcome(name, srcs, deps, ring, arch, profile, checks, **kwargs):
    """See the file comment. Produces <name>.tidy."""
    platform = "//boards/%s:platform" % DEFAULT_BOARD[arch]
    _tidy(
        name = name + "_cfg",
        srcs = srcs,
        deps = deps + ["//build:profile_header"],
        copts = PROFILE_COPTS + ["-DKEVLAR_RING=%d" % ring],
        checks = checks,
        target_compatible_with = ["@platforms//os:none"],
        visibility = ["//visibility:private"],
        tags = ["manual"],
    )
    _tidy_for(
        name = name,
        outcome = ":%s_cfg" % name,
        platform = platform,
        profile = profile,
        **kwargs
    )
