"""data_dir: copies files into <package>/<dir>/<basename> so tests find them at a
fixed path relative to their working directory (the runfiles root)."""

def _data_dir_impl(ctx):
    outs = []
    for f in ctx.files.srcs:
        out = ctx.actions.declare_file(ctx.attr.dir + "/" + f.basename)
        ctx.actions.run(
            executable = "/bin/cp",
            arguments = [f.path, out.path],
            inputs = [f],
            outputs = [out],
            mnemonic = "CopyTestData",
            use_default_shell_env = True,
        )
        outs.append(out)
    return [DefaultInfo(files = depset(outs), runfiles = ctx.runfiles(files = outs))]

data_dir = rule(
    implementation = _data_dir_impl,
    attrs = {
        "srcs": attr.label_list(allow_files = True),
        "dir": attr.string(mandatory = True),
    },
)
