"""board_package(): the standard targets of a board's package, from its entry in
//boards:boards.bzl. boards/<board>/BUILD.bazel calls it once (and adds what is
particular to the board: boot media, ...).

Defines in //boards/<board>:
  platform        the board's platform (cpu, os:none, //boards:<board>)
  board           cc_library: what the board adds to the kernel (its drivers, its
                  services, board-only HAL libraries, its embedded device tree)
  dtb             the board's DTB, when it has one (embedded or from the loader)
  kernel_<profile> its kernel image (an alias of //:kernel_<arch>_<profile> for the
                  arch's default board)
  files           every file of the package (layering lint, TCB report)
"""

load("//boards:boards.bzl", "BOARDS")
load("//build:embed.bzl", "board_dtb")
load("//build:kernel_image.bzl", "kernel_image")
load("//build:profile.bzl", "PROFILES")

CPU = {
    "x64": "@platforms//cpu:x86_64",
    "arm64": "@platforms//cpu:aarch64",
}

def board_package():
    pkg = native.package_name()
    name = pkg[len("boards/"):] if pkg.startswith("boards/") else pkg
    if name not in BOARDS:
        fail("boards/%s is not registered: add it to BOARDS in boards/boards.bzl" % name)
    b = BOARDS[name]

    native.platform(
        name = "platform",
        constraint_values = [
            CPU[b.arch],
            "@platforms//os:none",
            "//boards:" + name,
        ],
        visibility = ["//visibility:public"],
    )

    extra = []
    if b.dtb == "embedded":
        # :dtb (the file <board>.dtb) and :dtb_lib (the kernel object), public
        # through the package's default visibility.
        board_dtb(name = "dtb", out = name + ".dtb")
        extra.append(":dtb_lib")
    elif b.dtb:
        native.alias(
            name = "dtb",
            actual = b.dtb,
            visibility = ["//visibility:public"],
        )

    native.cc_library(
        name = "board",
        target_compatible_with = ["@platforms//os:none"],
        visibility = ["//:__pkg__"],
        deps = extra + b.hal + ["//drivers:" + d for d in b.drivers] +
               ["//services:" + s for s in b.services],
    )

    for profile in PROFILES:
        if b.default:
            native.alias(
                name = "kernel_" + profile,
                actual = "//:kernel_%s_%s" % (b.arch, profile),
                visibility = ["//visibility:public"],
            )
        else:
            kernel_image(
                name = "kernel_" + profile,
                arch = b.arch,
                board = name,
                profile = profile,
                visibility = ["//visibility:public"],
            )

    native.filegroup(
        name = "files",
        srcs = native.glob(["**"]),
        visibility = [
            "//:__pkg__",
            "//tests:__subpackages__",
        ],
    )
