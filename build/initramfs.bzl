"""initramfs: a cpio newc archive for `-initrd`, written by build/mkcpio.py.

    initramfs(
        name = "initramfs_x64",
        busybox = "@busybox//:busybox-x86_64",   # /bin/busybox + a link per applet
        files = {"/init": "guest/init", "/tests/hello": ":hello_x64"},
        dirs = ["/mnt"],
        symlinks = {"/linuxrc": "/init"},
        tars = ["@userland//:x86_64"],          # unpacked at /, before everything else
    )

produces <name>.cpio. The standard directories (/bin /sbin /dev /proc /sys /tmp /etc
/usr/bin /usr/sbin /root /mnt /run /var) and /dev/console (c 5 1, as Linux's own
default initramfs has) are always there.
"""

STANDARD_DIRS = [
    "/bin",
    "/dev",
    "/etc",
    "/mnt",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/sys",
    "/tmp",
    "/usr/bin",
    "/usr/sbin",
    "/var",
]

def _initramfs_impl(ctx):
    lines = ["tar\t" + f.path for f in ctx.files.tars]
    lines += ["dir\t" + d for d in STANDARD_DIRS + ctx.attr.dirs]
    lines.append("cnode\t/dev/console\t5\t1")
    inputs = list(ctx.files.tars)
    for target, dest in ctx.attr.files.items():
        files = target.files.to_list()
        if len(files) != 1:
            fail("initramfs %s: %s must be exactly one file, got %d" % (dest, target.label, len(files)))
        lines.append("file\t%s\t%s" % (dest, files[0].path))
        inputs.append(files[0])
    for dest, link in ctx.attr.symlinks.items():
        lines.append("slink\t%s\t%s" % (dest, link))
    if ctx.file.busybox:
        lines.append("file\t/bin/busybox\t" + ctx.file.busybox.path)
        lines.append("applets\t/bin/busybox\t" + ctx.file._applets.path)
        inputs += [ctx.file.busybox, ctx.file._applets]

    manifest = ctx.actions.declare_file(ctx.label.name + ".manifest")
    ctx.actions.write(manifest, "\n".join(lines) + "\n")
    out = ctx.actions.declare_file(ctx.label.name + ".cpio")
    ctx.actions.run_shell(
        command = "exec python3 \"$@\"",
        arguments = [ctx.file._mkcpio.path, manifest.path, out.path],
        inputs = inputs + [manifest, ctx.file._mkcpio],
        outputs = [out],
        mnemonic = "Cpio",
        use_default_shell_env = True,
        progress_message = "Writing initramfs %s" % out.short_path,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

_initramfs = rule(
    implementation = _initramfs_impl,
    attrs = {
        "files": attr.label_keyed_string_dict(allow_files = True),
        "dirs": attr.string_list(),
        "symlinks": attr.string_dict(),
        "busybox": attr.label(allow_single_file = True),
        "tars": attr.label_list(allow_files = [".tar"]),
        "_applets": attr.label(default = "@busybox//:applets", allow_single_file = True),
        "_mkcpio": attr.label(default = "//build:mkcpio.py", allow_single_file = True),
    },
)

def initramfs(name, files = {}, dirs = [], symlinks = {}, busybox = None, **kwargs):
    """files: {path in the archive: label of one file}; see the file comment."""
    by_label = {}
    for dest, label in files.items():
        if label in by_label:
            fail("initramfs %s: %s is used for %s and %s; use `symlinks` for the second" %
                 (name, label, by_label[label], dest))
        by_label[label] = dest
    _initramfs(
        name = name,
        files = by_label,
        dirs = dirs,
        symlinks = symlinks,
        busybox = busybox,
        **kwargs
    )
