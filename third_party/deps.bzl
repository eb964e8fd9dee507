"""Repository rule for the third-party files tools/setup.sh unpacks into .deps/.

Nothing third-party is committed (DESIGN §8). tools/setup.sh installs Debian packages
and unpacks libfdt sources, static BusyBox binaries and reference DTBs into
<workspace>/.deps/<dir>; `deps_repository` exposes one such directory as an external
repository with a BUILD file from third_party/. It behaves like new_local_repository,
but fails with a clear message when setup has not been run.
"""

def _deps_repository_impl(rctx):
    root = rctx.path(Label("@//:WORKSPACE")).dirname
    src = root.get_child(".deps").get_child(rctx.attr.dir)
    missing = [f for f in rctx.attr.required if not src.get_child(f).exists]
    if not src.exists or missing:
        fail(("Kevlar: third-party files missing in %s (%s): run tools/setup.sh " +
              "(it installs the Debian packages and fills .deps/)") %
             (src, ", ".join(missing) or "directory absent"))
    for entry in src.readdir():
        rctx.symlink(entry, entry.basename)
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)
    rctx.symlink(rctx.attr.build_file, "BUILD.bazel")

deps_repository = repository_rule(
    implementation = _deps_repository_impl,
    attrs = {
        "dir": attr.string(mandatory = True, doc = "Folder under .deps/."),
        "build_file": attr.label(mandatory = True, allow_single_file = True),
        "required": attr.string_list(doc = "Files that must exist in the folder."),
    },
    # Re-evaluated on every fetch: it only makes symlinks, and .deps/ can change
    # when tools/setup.sh is re-run.
    local = True,
)
