"""kernel_image: one bootable kernel for one (arch, board, profile), as a plain target.

The rule sits in the configuration of the command line (host), so its outputs land
at fixed paths: bazel-bin/<package>/<name>/kernel.elf (+ Image on arm64). Its `elf`
attribute crosses a transition that sets --platforms to the board's platform and
--//build:profile to the profile; under it the kernel's cc_binary (//:kernel_<arch>_elf)
is built with the kernel toolchain. Post-link steps:

  1. kallsyms.py fills the .kallsyms section with the symbol table (see that file);
  2. arm64 only: llvm-objcopy -O binary -> Image (QEMU/U-Boot boot the raw Image,
     whose first bytes are the arm64 Image header the HAL puts at the entry point).
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("//boards:boards.bzl", "BOARDS", "DEFAULT_BOARD")
load("//build:profile.bzl", "PROFILES")

# arch name (as in target names) -> the kernel's cc_binary.
KERNEL_ELF = {
    "x64": "//:kernel_x64_elf",
    "arm64": "//:kernel_arm64_elf",
}

# Boards (arch, which drivers, ...) and the default board of each arch come from the
# registry, boards/boards.bzl; a board's platform is //boards/<board>:platform.

def _kernel_transition_impl(settings, attr):
    return {
        "//command_line_option:platforms": str(attr.platform),
        "//build:profile": attr.profile,
        "//build:test_hooks": attr.test_hooks,
        # Keep debug info and symbols in kernel.elf (the default, --strip=sometimes,
        # strips fastbuild links); the Image is a raw copy without them anyway.
        "//command_line_option:strip": "never",
    }

kernel_transition = transition(
    implementation = _kernel_transition_impl,
    inputs = [],
    outputs = [
        "//command_line_option:platforms",
        "//build:profile",
        "//build:test_hooks",
        "//command_line_option:strip",
        # (--incompatible_enable_cc_toolchain_resolution cannot be set here: Bazel
        # refuses transitions on --incompatible_* flags. It is in .bazelrc.)
    ],
)

# The binutils of the C toolchain resolved for a configuration. kernel_image reaches
# it through its transition (//build:kernel_tools). It cannot use
# @bazel_tools//tools/cpp:current_cc_toolchain for that: in Bazel 4.2.3 that alias
# ignores toolchain resolution and returns the host's gcc toolchain.
KernelToolsInfo = provider(fields = ["cpu", "nm", "objcopy"])

def _kernel_tools_impl(ctx):
    cc = find_cpp_toolchain(ctx)
    return [KernelToolsInfo(cpu = cc.cpu, nm = cc.nm_executable, objcopy = cc.objcopy_executable)]

kernel_tools = rule(
    implementation = _kernel_tools_impl,
    attrs = {"_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain")},
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
)

def _single(attr):
    # An attribute with a Starlark transition is a list, even for a 1:1 transition.
    return attr[0] if type(attr) == "list" else attr

def _kernel_image_impl(ctx):
    tools = _single(ctx.attr._tools)[KernelToolsInfo]
    linked = ctx.files.elf[0]
    elf = ctx.actions.declare_file(ctx.label.name + "/kernel.elf")
    outputs = [elf]

    args = ctx.actions.args()
    args.add(ctx.file._kallsyms)
    args.add("--nm", tools.nm)
    args.add("--objcopy", tools.objcopy)
    args.add("--in", linked)
    args.add("--out", elf)
    ctx.actions.run_shell(
        command = "exec python3 \"$@\"",
        arguments = [args],
        inputs = [linked, ctx.file._kallsyms],
        outputs = [elf],
        mnemonic = "Kallsyms",
        use_default_shell_env = True,
        progress_message = "Adding the symbol table to %s" % elf.short_path,
    )

    if ctx.attr.arch == "arm64":
        image = ctx.actions.declare_file(ctx.label.name + "/Image")
        ctx.actions.run(
            executable = tools.objcopy,
            arguments = ["-O", "binary", elf.path, image.path],
            inputs = [elf],
            outputs = [image],
            mnemonic = "KernelImage",
            use_default_shell_env = True,
            progress_message = "Writing %s" % image.short_path,
        )
        outputs = [image, elf]

    return [
        DefaultInfo(files = depset(outputs), runfiles = ctx.runfiles(files = outputs)),
        OutputGroupInfo(elf = depset([elf]), boot_image = depset(outputs[:1])),
    ]

_kernel_image = rule(
    implementation = _kernel_image_impl,
    attrs = {
        "arch": attr.string(mandatory = True, values = KERNEL_ELF.keys()),
        "board": attr.string(mandatory = True),
        "profile": attr.string(mandatory = True, values = PROFILES),
        "platform": attr.label(mandatory = True),
        # Link the test hooks (faultfs, the HAL's debug probe): test kernels only.
        "test_hooks": attr.bool(default = False),
        "elf": attr.label(mandatory = True, cfg = kernel_transition),
        "_tools": attr.label(default = "//build:kernel_tools", cfg = kernel_transition),
        # Not used, only analyzed: a misspelled --//build:profile on the command line
        # fails the build even though the transition overrides it.
        "_profile_flag": attr.label(default = "//build:profile"),
        "_kallsyms": attr.label(default = "//build:kallsyms.py", allow_single_file = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def kernel_image(name, arch, profile, board = None, test_hooks = False, **kwargs):
    """Kernel for `arch` ("x64"|"arm64") on `board` (default per arch) under `profile`.

    `test_hooks` links the fault injector and the HAL's debug probe
    (--//build:test_hooks): for the kernels of //tests only, never for an image
    users get.

    Outputs: <name>/kernel.elf (x64: the bootable file, PVH note for QEMU -kernel);
    arm64: <name>/Image (bootable) and <name>/kernel.elf (with symbols, for gdb).
    """
    board = board or DEFAULT_BOARD[arch]
    if board not in BOARDS:
        fail("unknown board '%s'; known: %s" % (board, BOARDS.keys()))
    if BOARDS[board].arch != arch:
        fail("board '%s' is %s, not %s" % (board, BOARDS[board].arch, arch))
    if profile not in PROFILES:
        fail("unknown profile '%s'; expected one of %s" % (profile, PROFILES))
    _kernel_image(
        name = name,
        arch = arch,
        board = board,
        profile = profile,
        platform = "//boards/%s:platform" % board,
        test_hooks = test_hooks,
        elf = KERNEL_ELF[arch],
        **kwargs
    )
