"""The board registry: the ONE place a board is named (docs/porting.md).

Everything else is derived from BOARDS: the board constraint and its config_setting
(boards/BUILD.bazel), the kernel's per-board dependencies and the //:kernel_* names
(BUILD.bazel), kernel_image()'s platforms (build/kernel_image.bzl), the TCB report's
and the layering lint's sources, and each board package's standard targets
(board_package() in build/board.bzl, called once by boards/<board>/BUILD.bazel).
//tests:boards fails when a folder under boards/ is not in BOARDS, or when a board
in BOARDS lacks its files.

A board entry (board()):
  arch      "x64" or "arm64"
  default   True for the arch's default board (the //:kernel_<arch>_<profile> images)
  drivers   ring-2 driver libraries it links, by name (//drivers:<name>, each named
            as its DRIVER_DECLARE); the device tree decides at boot which probe
  hal       extra ring-0 libraries (board-only interrupt controllers, power)
  services  ring-2 service libraries (//services:<name>); DEFAULT_SERVICES if unset
  dtb       "embedded": board.dts compiled and linked into the kernel (PCs have no
            firmware tree); a label: the real DTB the boot loader passes (an alias
            :dtb in the board's package); None: the loader's (QEMU virt)
  aliases   other names of the board in //:kernel_<arch>_<alias>_<profile>
"""

# The services every board gets unless it says otherwise (file systems, and net:
# lwIP and AF_INET, services/net). initramfs is needed:
# the core unpacks the boot archive with it. (procfs is part of the core,
# kernel/procfs: every file it serves reads core state.)
DEFAULT_SERVICES = [
    "tmpfs",
    "initramfs",
    "devfs",
    "ext2",
    "net",
]

def board(arch, drivers, default = False, hal = [], services = None, dtb = None, aliases = []):
    return struct(
        arch = arch,
        default = default,
        drivers = drivers,
        hal = hal,
        services = DEFAULT_SERVICES if services == None else services,
        dtb = dtb,
        aliases = aliases,
    )

# Drivers of the devices every QEMU PC has (COM ports, CMOS clock, PCI) and of the
# virtio-pci devices a user adds (-device virtio-blk-pci, virtio-rng-pci): the
# virtio_mmio library holds the virtio core and both transports.
PC_DRIVERS = [
    "ns16550",
    "cmos_rtc",
    "pci",
    "virtio_mmio",
    "virtio_rng",
    "virtio_blk",
    "virtio_net",
]

BOARDS = {
    # QEMU q35 (x86_64), the default PC.
    "q35": board(
        arch = "x64",
        default = True,
        drivers = PC_DRIVERS,
        dtb = "embedded",
    ),
    # QEMU's i440FX PC (x86_64).
    "pc": board(
        arch = "x64",
        drivers = PC_DRIVERS,
        dtb = "embedded",
    ),
    # QEMU virt (arm64), the default arm64 board.
    "qemu_virt": board(
        arch = "arm64",
        default = True,
        drivers = [
            "pl011",
            "pl031",
            "pci",
            "virtio_mmio",
            "virtio_rng",
            "virtio_blk",
            "virtio_net",
        ],
        aliases = ["virt"],
    ),
    # Raspberry Pi 3 Model B (arm64): the real DTB from Debian's kernel package.
    "raspi3b": board(
        arch = "arm64",
        drivers = [
            "pl011",
            "bcm2835_aux_uart",
        ],
        hal = ["//hal/arm64:bcm283x"],
        dtb = "@dtb//:bcm2837-rpi-3-b.dtb",
    ),
    # Xilinx ZynqMP ZCU102 rev 1.0 (arm64): the real DTB from Debian's kernel package;
    # GIC-400, generic timer and PSCI from the generic HAL, the Cadence UART.
    "zcu102": board(
        arch = "arm64",
        drivers = ["cdns_uart"],
        dtb = "@dtb//:zynqmp-zcu102-rev1.0.dtb",
    ),
}

ARCHES = ["x64", "arm64"]

# arch -> its default board
DEFAULT_BOARD = {b.arch: name for name, b in BOARDS.items() if b.default}

# Every driver some board links (for //tests:board_images).
ALL_DRIVERS = sorted({d: None for b in BOARDS.values() for d in b.drivers}.keys())

def board_kernel(board, profile):
    """The label of board's kernel image under profile."""
    if BOARDS[board].default:
        return "//:kernel_%s_%s" % (BOARDS[board].arch, profile)
    return "//boards/%s:kernel_%s" % (board, profile)

def registry_json():
    """BOARDS as JSON (//boards:registry, for //tests:boards)."""
    return struct(boards = struct(**{
        name: struct(
            arch = b.arch,
            default = b.default,
            drivers = b.drivers,
            hal = b.hal,
            services = b.services,
            dtb = b.dtb or "",
        )
        for name, b in BOARDS.items()
    })).to_json()
