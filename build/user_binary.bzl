"""user_binary: a static Linux program for the guest (tests, benchmarks).

    user_binary(name = "hello_arm64", srcs = ["hello.c"], hdrs = ["ktest.h"], arch = "arm64")

Built with Debian's gcc (x64) or aarch64-linux-gnu-gcc (arm64) and glibc, `-static -O2`
(or, with libc = "musl", x64 only, Debian's musl-gcc from musl-tools),
called directly: user programs are ordinary Linux programs, they need none of the
kernel toolchain's flags, and `arch` is explicit so no transition is needed.
"""

USER_CC = {
    "x64": "/usr/bin/gcc",
    "arm64": "/usr/bin/aarch64-linux-gnu-gcc",
}

MUSL_CC = {
    "x64": "/usr/bin/musl-gcc",
}

def _user_binary_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name)
    srcs = [f for f in ctx.files.srcs if f.extension in ("c", "S", "s")]
    hdrs = [f for f in ctx.files.srcs + ctx.files.hdrs if f.extension == "h"]
    include_dirs = {f.dirname: True for f in hdrs}.keys()
    args = ctx.actions.args()
    args.add_all(["-static", "-O2", "-g", "-Wall", "-Wextra", "-Wno-unused-parameter"])
    args.add_all(include_dirs, format_each = "-I%s")
    args.add_all(ctx.attr.copts)
    args.add("-o", out)
    args.add_all(srcs)
    args.add_all(ctx.attr.linkopts)
    if ctx.attr.libc == "musl":
        if ctx.attr.arch not in MUSL_CC:
            fail("user_binary: no musl compiler for " + ctx.attr.arch)
        cc = MUSL_CC[ctx.attr.arch]
    else:
        cc = USER_CC[ctx.attr.arch]
    ctx.actions.run(
        executable = cc,
        arguments = [args],
        inputs = srcs + hdrs,
        outputs = [out],
        mnemonic = "UserCC",
        use_default_shell_env = True,  # PATH: gcc runs ld, as, ...; fixed by --incompatible_strict_action_env
        progress_message = "Compiling user program %s (%s)" % (ctx.label.name, ctx.attr.arch),
    )
    return [DefaultInfo(files = depset([out]), executable = out)]

user_binary = rule(
    implementation = _user_binary_impl,
    attrs = {
        "srcs": attr.label_list(allow_files = [".c", ".S", ".s", ".h"]),
        "hdrs": attr.label_list(allow_files = [".h"]),
        "arch": attr.string(mandatory = True, values = USER_CC.keys()),
        "libc": attr.string(default = "glibc", values = ["glibc", "musl"]),
        "copts": attr.string_list(),
        "linkopts": attr.string_list(),
    },
    executable = True,
)
