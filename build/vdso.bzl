"""vdso: the HAL's vDSO, a small shared object linked into user address spaces,
built from hal/<arch>/vdso/ and embedded in the kernel (DESIGN §2).

Convention (per arch folder): vdso/*.c and vdso/*.S are the sources, vdso/vdso.lds
its linker script, vdso/vdso.ver its version script; hal/common/vdso/ holds the part
both arches share (the data page layout, the clocks), on the include path. The
link fails if any relocation is left in the result (llvm-readelf -r): the vDSO is
mapped as is, nobody relocates it. The result is embedded as section .rodata.vdso
between __vdso_start and __vdso_end (page-aligned). While vdso/ has no sources the
target is an empty library.

The vDSO is user code: it is compiled with clang for <cpu>-linux-gnu, -fPIC, and none
of the kernel toolchain's flags (no -mcmodel=kernel, red zone allowed).
"""

load("//build:defs.bzl", "KERNEL_ONLY")
load("//build:embed.bzl", "binary_object")

_TARGET = {"x64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}

def _vdso_so_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".so")
    srcs = [f for f in ctx.files.srcs if f.extension in ("c", "S")]
    args = [
        "--target=" + _TARGET[ctx.attr.arch],
        "-no-canonical-prefixes",
        "-fPIC",
        "-O2",
        "-std=gnu11",
        "-ffreestanding",
        "-nostdlibinc",
        "-fno-builtin",
        "-fno-stack-protector",
        "-fno-omit-frame-pointer",
        "-fasynchronous-unwind-tables",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-Wno-unused-parameter",
        "-DKEVLAR_VDSO=1",
        "-fuse-ld=lld",
        "-nostdlib",
        "-shared",
        "-Wl,-soname=linux-vdso.so.1",
        "-Wl,--hash-style=both",
        "-Wl,--build-id=none",
        "-Wl,-Bsymbolic",
        "-Wl,--no-undefined",
        "-Wl,--eh-frame-hdr",
        "-Wl,-z,max-page-size=4096",
        "-Wl,-z,norelro",
        "-Wl,-z,noexecstack",
        "-Wl,--strip-debug",
    ]
    args += ["-I" + i for i in ctx.attr.includes]
    args.append("-Wl,-T," + ctx.file.lds.path)
    args.append("-Wl,--version-script=" + ctx.file.version_script.path)
    args += ["-o", out.path]
    args += [f.path for f in srcs]

    # Link, then refuse any relocation: llvm-readelf -r prints a "Relocation
    # section" header for each table it finds.
    cmd = """set -eu
/usr/bin/clang "$@"
if /usr/bin/llvm-readelf -r "{out}" | grep -q "Relocation section"; then
  echo "vDSO {out} has relocations (it is mapped as is; none may be left):" >&2
  /usr/bin/llvm-readelf -r "{out}" >&2
  exit 1
fi
""".format(out = out.path)
    ctx.actions.run_shell(
        command = cmd,
        arguments = args,
        inputs = ctx.files.srcs + ctx.files.hdrs + [ctx.file.lds, ctx.file.version_script],
        outputs = [out],
        mnemonic = "Vdso",
        use_default_shell_env = True,
        progress_message = "Linking vDSO %s" % out.short_path,
    )
    return [DefaultInfo(files = depset([out]))]

vdso_so = rule(
    implementation = _vdso_so_impl,
    attrs = {
        "arch": attr.string(mandatory = True, values = _TARGET.keys()),
        "srcs": attr.label_list(allow_files = [".c", ".S", ".h"]),
        "hdrs": attr.label_list(allow_files = [".h"]),
        "lds": attr.label(mandatory = True, allow_single_file = True),
        "version_script": attr.label(mandatory = True, allow_single_file = True),
        "includes": attr.string_list(doc = "Include dirs relative to the execroot."),
    },
)

def vdso(name, arch):
    """Defines <name> (kernel cc_library embedding the vDSO) and <name>_so (the .so)."""
    srcs = native.glob(["vdso/**/*.c", "vdso/**/*.S", "vdso/**/*.h"], allow_empty = True)
    has_code = len([s for s in srcs if not s.endswith(".h")]) > 0
    if has_code:
        pkg = native.package_name()
        vdso_so(
            name = name + "_so",
            arch = arch,
            srcs = srcs,
            hdrs = native.glob(["include/**/*.h"], allow_empty = True) + [
                "//hal:interface_headers",
                "//hal:vdso_common",
            ],
            lds = "vdso/vdso.lds",
            version_script = "vdso/vdso.ver",
            includes = [pkg + "/vdso", "hal/common/vdso", pkg + "/include", "hal/include"],
        )
        binary_object(
            name = name + "_obj",
            src = ":" + name + "_so",
            section = ".rodata.vdso",
            symbol = "__vdso",
            align = 4096,
            target_compatible_with = KERNEL_ONLY,
        )
    native.cc_library(
        name = name,
        srcs = [":" + name + "_obj"] if has_code else [],
        alwayslink = True,
        target_compatible_with = KERNEL_ONLY,
    )
