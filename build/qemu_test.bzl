"""qemu_test: boot a kernel with an initramfs in QEMU and check the guest's verdict.

The test runs tests/qemu_run.sh; the pass rule (KTEST protocol) is documented there
and in docs/build.md. The kernel is the top-level //:kernel_<arch>_<profile> target,
so the profile comes from its transition and no command-line flag is needed.
"""

def qemu_test(name, arch, profile, initramfs, qemu_timeout = 300, append = "", expect = [], tags = [], size = "large", timeout = "long", board = None, dtb = None, **kwargs):
    """`qemu_timeout` (s) must stay below the test timeout ("long" = 900 s).

    `initramfs` None boots without -initrd. A non-empty `expect` (list of grep -E
    patterns) replaces the KTEST protocol: see tests/qemu_run.sh.
    """
    # The default board's kernel, or a board's own (//boards/<board>:kernel_<profile>,
    # booted with QEMU -M <board> and the board's dtb).
    kernel = "//boards/%s:kernel_%s" % (board, profile) if board else "//:kernel_%s_%s" % (arch, profile)
    args = [
        "--arch",
        arch,
        "--timeout",
        str(qemu_timeout),
        "--initrd",
        "$(rootpath %s)" % initramfs if initramfs else "none",
    ]
    if board:
        args += ["--machine", board, "--dtb", "$(rootpath %s)" % dtb]
    if append:
        args += ["--append", "'%s'" % append]
    for e in expect:
        args += ["--expect", "'%s'" % e]
    native.sh_test(
        name = name,
        srcs = ["//tests:qemu_run.sh"],
        args = args + ["$(rootpaths %s)" % kernel],
        data = [kernel] + ([initramfs] if initramfs else []) + ([dtb] if dtb else []),
        size = size,
        timeout = timeout,
        tags = ["qemu"] + tags,
        **kwargs
    )
