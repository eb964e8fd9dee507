#!/usr/bin/env python3
"""After //tests:qemu_arm64_ext2_* (tests/qemu_run.sh --vdisk-check): is what
tests/guest/t_ext2.c left on the read-write ext2 partition a clean file system with the
expected contents? Checked with e2fsprogs only, not with our code.

  check_ext2.py RW_COPY [RO_COPY BAD_COPY]

  - e2fsck -fn on partition 1 of RW_COPY: exit status 0 (clean, nothing to fix);
  - debugfs: /keep/big is content("keep/big", 4 MiB) of mkimages.py, /keep/link1 and
    /keep/link2 one inode with 2 links, /keep/deep/x/.../bottom exists, /keep/sparse has
    the right size, /stress holds exactly renamed_000..298 (the odd files were all
    deleted, the even ones renamed);
  - the tree from mkimages.py is still there (/MANIFEST, /hello.txt).
"""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkimages  # noqa: E402

MiB = 1 << 20


def debugfs(img, cmd):
    r = subprocess.run([mkimages.DEBUGFS, "-R", cmd, img], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return r.stdout


def main():
    rw = sys.argv[1]
    with open(rw, "rb") as f:
        disk = f.read()
    start, count = struct.unpack_from("<II", disk, 446 + 8)
    part = disk[start * 512:(start + count) * 512]
    ok = True
    with tempfile.NamedTemporaryFile(suffix=".img", delete=False) as f:
        f.write(part)
        img = f.name
    try:
        r = subprocess.run([shutil_e2fsck(), "-fn", img], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        print(r.stdout.decode(errors="replace"))
        if r.returncode != 0:
            print("check_ext2: e2fsck -fn exit status %d: not clean" % r.returncode)
            ok = False
        big = debugfs(img, "cat /keep/big")
        if big != mkimages.content("keep/big", 4 * MiB):
            print("check_ext2: /keep/big: %d bytes, contents differ" % len(big))
            ok = False
        for path, want in (("/keep/link1", b"linked\n"), ("/keep/link2", b"linked\n"),
                           ("/hello.txt", b"hello, ext2!\n"),
                           ("/keep/deep" + "/x" * 30 + "/bottom", b"bottom\n")):
            got = debugfs(img, "cat " + path)
            if got != want:
                print("check_ext2: %s: %r, want %r" % (path, got[:40], want))
                ok = False
        st = debugfs(img, "stat /keep/link1").decode()
        if "Links: 2" not in st:
            print("check_ext2: /keep/link1 does not have 2 links:\n" + st[:300])
            ok = False
        st = debugfs(img, "stat /keep/sparse").decode()
        if "Size: %d" % (66 * MiB + 3000) not in st:
            print("check_ext2: /keep/sparse size:\n" + st[:300])
            ok = False
        names = set(debugfs(img, "ls -p /stress").decode().split("\n"))
        # Entries with inode 0 (a deleted first entry of a block) are listed too.
        names = {line.split("/")[5] for line in names
                 if line.count("/") >= 6 and line.split("/")[1] != "0"}
        want = {"renamed_%03d" % i for i in range(0, 300, 2)} | {".", ".."}
        if names != want:
            print("check_ext2: /stress: %d names, %d expected; extra %s, missing %s" % (
                len(names), len(want), sorted(names - want)[:5], sorted(want - names)[:5]))
            ok = False
    finally:
        os.unlink(img)
    print("check_ext2: %s" % ("the file system is clean and as expected" if ok else "FAILED"))
    return 0 if ok else 1


def shutil_e2fsck():
    import shutil
    return shutil.which("e2fsck") or "/sbin/e2fsck"


if __name__ == "__main__":
    sys.exit(main())
