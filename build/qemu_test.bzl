"""qemu_test: boot a kernel with an initramfs in QEMU and check the guest's verdict.
firmware_test: boot a machine through its firmware and a boot medium (boot paths).

The tests run tests/qemu_run.sh; the pass rule (KTEST protocol) is documented there
and in docs/build.md. The kernel is the default board's test kernel,
//tests:kernel_<board>_<profile> (the shipped image plus the test hooks), or `kernel`;
the profile comes from its transition and no command-line flag is needed.
"""

load("//boards:boards.bzl", "DEFAULT_BOARD")

def test_kernel(board, profile):
    """The test kernel of board under profile: the board's kernel plus the test
    hooks (--//build:test_hooks: faultfs, the HAL's debug probe), defined in
    //tests/BUILD.bazel."""
    return "//tests:kernel_%s_%s" % (board, profile)

def qemu_test(name, arch, profile, initramfs, qemu_timeout = 300, append = "", expect = [], reject = [], tags = [], size = "large", timeout = "long", kernel = None, machine = None, dtb = None, cpu = None, memory = None, console = None, input = None, second_uart = False, smp = None, gic = None, vdisks = [], vdisk_check = None, vdisk_check_data = [], legacy_mmio = False, pci = False, **kwargs):
    """`qemu_timeout` (s) must stay below the test timeout ("long" = 900 s).

    `initramfs` None boots without -initrd. A non-empty `expect` (list of grep -E
    patterns) replaces the KTEST protocol: see tests/qemu_run.sh; `reject` (with
    `expect`): patterns no console line may match. `kernel` (default
    the default board's test kernel) and `machine` (x64: q35 or pc) pick another board.
    `memory`: guest RAM as QEMU's -m takes it (default 512M).
    `console`: the console= tty instead of the machine's default ("none": no console=,
    the tree's stdout-path chooses). `input`: a word the runner types on the console
    when the guest asks (ktest.input=, tests/guest/80_console_input.sh). `second_uart`:
    only the machine's second serial port on stdio (raspi3b's mini UART).
    `smp`: the number of CPUs (QEMU's -smp; raspi3b always has 4); `gic`: arm64 virt's
    GIC version (2 or 3, default 3).
    `vdisks`: disk images attached as virtio-blk disks vda, vdb, ..., each "LABEL" or
    "LABEL,ro" / "LABEL,snapshot" (qemu_run.sh --vdisk); `vdisk_check`: a Python script
    run on the disks' copies after the boot (--vdisk-check), with
    `vdisk_check_data` (modules it imports) beside it. `legacy_mmio`: arm64's
    virtio-mmio devices in their legacy (version 1) form. `pci`: arm64's virtio devices
    (entropy, disks) as virtio-pci functions on virt's PCIe host (qemu_run.sh --pci).
    """
    if input:
        append = (append + " ktest.input=" + input).strip()
    # The default board's test kernel (with the test hooks: faultfs) unless given.
    kernel = kernel or test_kernel(DEFAULT_BOARD[arch], profile)
    args = [
        "--arch",
        arch,
        "--timeout",
        str(qemu_timeout),
        "--initrd",
        "$(rootpath %s)" % initramfs if initramfs else "none",
    ]
    if machine:
        args += ["--machine", machine]
    if dtb:
        args += ["--dtb", "$(rootpath %s)" % dtb]
    if cpu:
        args += ["--cpu", cpu]
    if memory:
        args += ["--mem", memory]
    if console:
        args += ["--console", console]
    if input:
        args += ["--input", input]
    if second_uart:
        args += ["--second-uart"]
    if smp:
        args += ["--smp", str(smp)]
    if gic:
        args += ["--gic", str(gic)]
    if append:
        args += ["--append", "'%s'" % append]
    disk_labels = []
    for d in vdisks:
        label = d.split(",")[0]
        disk_labels.append(label)
        args += ["--vdisk", "$(rootpath %s)%s" % (label, d[len(label):])]
    if vdisk_check:
        args += ["--vdisk-check", "$(rootpath %s)" % vdisk_check]
    if pci:
        args += ["--pci"]
    if legacy_mmio:
        args += ["--legacy-mmio"]
    for e in expect:
        args += ["--expect", "'%s'" % e]
    for r in reject:
        args += ["--reject", "'%s'" % r]
    native.sh_test(
        name = name,
        srcs = ["//tests:qemu_run.sh"],
        args = args + ["$(rootpaths %s)" % kernel],
        data = [kernel] + ([initramfs] if initramfs else []) + ([dtb] if dtb else []) +
               disk_labels + ([vdisk_check] if vdisk_check else []) + vdisk_check_data,
        size = size,
        timeout = timeout,
        tags = ["qemu"] + tags,
        **kwargs
    )

def firmware_test(name, arch, media, bios = None, machine = None, loader = None, dtb = None, qemu_timeout = 240, tags = [], size = "medium", timeout = "moderate", **kwargs):
    """`qemu_timeout` (s) stays below the test timeout ("moderate" = 300 s).

    Boot with no -kernel: the firmware (`bios`, a path on the machine, or QEMU's
    default) finds the kernel on the boot `media`, a dict of qemu_run.sh option
    ("disk", "cdrom", or "tftp:<NAME>" for a file served over TFTP as NAME; the first
    tftp entry is the DHCP boot file) -> label. Passes on the KTEST protocol.
    """
    args = ["--arch", arch, "--timeout", str(qemu_timeout)]
    if bios:
        args += ["--bios", bios]
    if loader:
        args += ["--loader", loader]  # a path on the machine, like bios
    if dtb:
        args += ["--dtb", "$(rootpath %s)" % dtb]
    if machine:
        args += ["--machine", machine]
    for kind, label in media.items():
        if kind.startswith("tftp:"):
            args += ["--tftp", "%s=$(rootpath %s)" % (kind[len("tftp:"):], label)]
        else:
            args += ["--" + kind, "$(rootpath %s)" % label]
    native.sh_test(
        name = name,
        srcs = ["//tests:qemu_run.sh"],
        args = args,
        data = list(media.values()) + ([dtb] if dtb else []),
        size = size,
        timeout = timeout,
        tags = ["qemu"] + tags,
        **kwargs
    )
