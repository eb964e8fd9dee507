"""compile_test: prove what a profile can and cannot compile (DESIGN §5).

    compile_test(
        name = "frame_kaddr_fortress",
        src = "compile/frame_kaddr.c",
        arch = "x64",
        ring = 2,                                # as a service
        deps = ["//kernel:api"],
        fails = {"fortress": "frame_kaddr"},     # profile -> regex the error must match
        compiles = ["balanced"],                 # controls: these must compile
    )

For each listed profile the source is compiled (at build time, with the kernel
toolchain, the profile's flags and the deps' headers, exactly like kernel code) and
the outcome recorded; the sh_test then checks every outcome, so a wrong one is an
ordinary test failure that shows the compiler output.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("//build:defs.bzl", "PROFILE_COPTS")
load("//build:kernel_compile.bzl", "kernel_compile_command", "kernel_config_transition")
load("//boards:boards.bzl", "DEFAULT_BOARD")
load("//build:profile.bzl", "PROFILES")

def _compile_outcome_impl(ctx):
    # Runs in the kernel configuration (see the transition on compile_outcome_for).
    cc = find_cpp_toolchain(ctx)
    compiler, argv, headers = kernel_compile_command(ctx, cc)
    out = ctx.actions.declare_file(ctx.label.name + ".outcome")
    ctx.actions.run_shell(
        # Always succeeds: the test judges. Line 1 of the outcome is the exit status.
        command = 'out="$1"; shift; { "$@" -fsyntax-only "%s" 2>&1; echo "status $?"; } > "$out.tmp"; ' % ctx.file.src.path +
                  '{ tail -n 1 "$out.tmp"; sed \'$d\' "$out.tmp"; } > "$out"; rm -f "$out.tmp"',
        arguments = [out.path, compiler] + argv,
        inputs = depset([ctx.file.src], transitive = [headers, cc.all_files]),
        outputs = [out],
        mnemonic = "CompileOutcome",
        use_default_shell_env = True,
    )
    return [DefaultInfo(files = depset([out]))]

_compile_outcome = rule(
    implementation = _compile_outcome_impl,
    attrs = {
        "src": attr.label(mandatory = True, allow_single_file = [".c"]),
        "deps": attr.label_list(providers = [CcInfo]),
        "copts": attr.string_list(),
        "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
    },
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
    fragments = ["cpp"],
)

def _compile_outcome_for_impl(ctx):
    # A copy under this target's own name: the outcomes of all profiles have the same
    # path in their configurations, and would collide in the test's runfiles.
    out = ctx.actions.declare_file(ctx.label.name + ".outcome")
    ctx.actions.run(
        executable = "/bin/cp",
        arguments = [ctx.files.outcome[0].path, out.path],
        inputs = ctx.files.outcome,
        outputs = [out],
        mnemonic = "CopyOutcome",
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

# Moves one _compile_outcome into the (platform, profile) configuration.
_compile_outcome_for = rule(
    implementation = _compile_outcome_for_impl,
    attrs = {
        "platform": attr.label(mandatory = True),
        "profile": attr.string(mandatory = True, values = PROFILES),
        "outcome": attr.label(mandatory = True, cfg = kernel_config_transition),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def compile_test(name, src, arch, ring, deps = [], fails = {}, compiles = [], board = None, **kwargs):
    """See the file comment. `fails`: {profile: regex}; `compiles`: [profile];
    `ring`: compile as code of that ring (KEVLAR_RING, see kernel_library)."""
    board = board or DEFAULT_BOARD[arch]
    platform = "//boards/%s:platform" % board
    _compile_outcome(
        name = name + "_outcome",
        src = src,
        deps = deps + ["//build:profile_header"],
        copts = PROFILE_COPTS + ["-DKEVLAR_RING=%d" % ring],
        target_compatible_with = ["@platforms//os:none"],
        visibility = ["//visibility:private"],
        tags = ["manual"],
    )
    args, data = [], []
    for profile in sorted(fails.keys()) + compiles:
        if profile not in PROFILES:
            fail("compile_test %s: unknown profile '%s'" % (name, profile))
        _compile_outcome_for(
            name = "%s_%s" % (name, profile),
            outcome = ":%s_outcome" % name,
            platform = platform,
            profile = profile,
            tags = ["manual"],
        )
        expect = ("fail:" + fails[profile]) if profile in fails else "ok"
        args += [profile, "'%s'" % expect, "$(rootpath :%s_%s)" % (name, profile)]
        data.append(":%s_%s" % (name, profile))
    native.sh_test(
        name = name,
        srcs = ["//tests:compile_check.sh"],
        args = args,
        data = data,
        size = "small",
        **kwargs
    )
