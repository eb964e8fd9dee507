"""Device trees and binary blobs linked into the kernel.

`dtb` compiles a .dts with dtc. `binary_object` wraps any file into an ELF object for
the CPU of the current configuration (asked from the resolved C toolchain: a
genrule's $(OBJCOPY)/$(CC) would be the host's), with the bytes in a named section
between two symbols:

    extern const char __board_dtb_start[], __board_dtb_end[];
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("//build:defs.bzl", "KERNEL_ONLY")

DTC = "/usr/bin/dtc"

# llvm-objcopy's BFD-style names for -O, by Bazel cpu.
_ELF_FORMAT = {
    "x86_64": "elf64-x86-64",
    "aarch64": "elf64-littleaarch64",
}

def _dtb_impl(ctx):
    out = ctx.actions.declare_file(ctx.attr.out or (ctx.label.name + ".dtb"))
    ctx.actions.run(
        executable = DTC,
        arguments = ["-q", "-I", "dts", "-O", "dtb", "-o", out.path, ctx.file.src.path],
        inputs = [ctx.file.src],
        outputs = [out],
        mnemonic = "Dtc",
        use_default_shell_env = True,
        progress_message = "Compiling device tree %s" % ctx.file.src.short_path,
    )
    return [DefaultInfo(files = depset([out]))]

dtb = rule(
    implementation = _dtb_impl,
    doc = "Compiles a device-tree source (no C preprocessor) into a .dtb with dtc.",
    attrs = {
        "src": attr.label(mandatory = True, allow_single_file = [".dts"]),
        "out": attr.string(doc = "Output file name; default <name>.dtb."),
    },
)

def _binary_object_impl(ctx):
    cc = find_cpp_toolchain(ctx)
    fmt = _ELF_FORMAT.get(cc.cpu)
    if not fmt:
        fail("binary_object: no ELF format known for cpu '%s'" % cc.cpu)
    out = ctx.actions.declare_file(ctx.label.name + ".o")
    sym = ctx.attr.symbol
    sec = ctx.attr.section

    # objcopy -I binary names its symbols after the input path: copy the blob to a
    # fixed name in a scratch folder so they are always _binary_blob_{start,end,size}.
    cmd = """set -eu
root=$PWD
work="$root/{out}.d"
rm -rf "$work" && mkdir -p "$work"
cp "{src}" "$work/blob"
cd "$work"
"{objcopy}" -I binary -O {fmt} \\
  --rename-section .data={sec},alloc,load,readonly,data,contents \\
  --set-section-alignment {sec}={align} \\
  --redefine-sym _binary_blob_start={sym}_start \\
  --redefine-sym _binary_blob_end={sym}_end \\
  --strip-symbol _binary_blob_size \\
  blob "$root/{out}"
cd "$root" && rm -rf "$work"
""".format(
        out = out.path,
        src = ctx.file.src.path,
        objcopy = cc.objcopy_executable,
        fmt = fmt,
        sec = sec,
        align = ctx.attr.align,
        sym = sym,
    )
    ctx.actions.run_shell(
        command = cmd,
        inputs = depset([ctx.file.src], transitive = [cc.all_files]),
        outputs = [out],
        mnemonic = "BinaryObject",
        use_default_shell_env = True,
        progress_message = "Embedding %s as %s" % (ctx.file.src.short_path, sym),
    )
    return [DefaultInfo(files = depset([out]))]

binary_object = rule(
    implementation = _binary_object_impl,
    doc = "Wraps a file into an ELF object: section `section`, symbols <symbol>_start/_end.",
    attrs = {
        "src": attr.label(mandatory = True, allow_single_file = True),
        "section": attr.string(mandatory = True),
        "symbol": attr.string(mandatory = True, doc = "Symbol prefix, e.g. __board_dtb."),
        "align": attr.int(default = 8, doc = "Section alignment (libfdt wants 8)."),
        "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
    },
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
)

def board_dtb(name, out, dts = "board.dts"):
    """A board's device tree, compiled, and embedded in the kernel.

    Defines:
      <name>      the .dtb file `out` (e.g. q35.dtb), also data for host tests;
      <name>_lib  cc_library (kernel only) with the DTB in section .rodata.board_dtb
                  between __board_dtb_start and __board_dtb_end.
    While `dts` does not exist yet both are empty, so the tree builds without it.
    """
    have_dts = len(native.glob([dts], allow_empty = True)) > 0
    if have_dts:
        dtb(name = name, src = dts, out = out)
        binary_object(
            name = name + "_obj",
            src = ":" + name,
            section = ".rodata.board_dtb",
            symbol = "__board_dtb",
            target_compatible_with = KERNEL_ONLY,
        )
    else:
        native.filegroup(name = name, srcs = [])
    native.cc_library(
        name = name + "_lib",
        srcs = [":" + name + "_obj"] if have_dts else [],
        alwayslink = True,
        target_compatible_with = KERNEL_ONLY,
    )
