#!/usr/bin/env python3
"""After //tests:qemu_<arch>_disk_stress_* (tests/qemu_run.sh --vdisk-check): is what
tests/guest/t_disk.c wrote on stress.img a clean file system holding what the guest
says it wrote? Checked with e2fsprogs only, not with our code.

  check_disk.py STRESS_COPY [HOST_COPY]

  - e2fsck -fn: exit status 0 (clean, nothing to fix);
  - /MANIFEST.sha256 (the guest's sha256 of every file as it generated it, computed
    before the data reached the kernel): every file dumped with debugfs has that
    size and sha256 (the 64 MiB /big, the 500 files left in /many, the file at the
    bottom of 40 directories, both hard links, the truncated file);
  - /many holds exactly renamed_0000, _0002, ... _0998; /link_b has 2 links;
    /sparse is 300 MiB + 4 KiB long with at most a few blocks allocated.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

DEBUGFS = shutil.which("debugfs") or "/sbin/debugfs"
E2FSCK = shutil.which("e2fsck") or "/sbin/e2fsck"
MiB = 1 << 20


def debugfs(img, cmd):
    return subprocess.run([DEBUGFS, "-R", cmd, img], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout


def check_manifest(img, manifest, tmp, label):
    """Every "HEX  /path SIZE" line of manifest against the file dumped from img."""
    entries = []
    for line in manifest.decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 3:
            entries.append((parts[0], parts[1], int(parts[2])))
    cmds = os.path.join(tmp, "cmds")
    with open(cmds, "w") as f:
        for i, (_, path, _) in enumerate(entries):
            f.write("dump %s %s/f%d\n" % (path, tmp, i))
    subprocess.run([DEBUGFS, "-f", cmds, img], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    bad = 0
    for i, (want, path, size) in enumerate(entries):
        out = os.path.join(tmp, "f%d" % i)
        data = open(out, "rb").read() if os.path.exists(out) else None
        if data is None or len(data) != size or hashlib.sha256(data).hexdigest() != want:
            bad += 1
            if bad <= 5:
                print("check_disk: %s %s: %s" % (label, path, "missing" if data is None else
                      "%d bytes, sha256 %s; want %d %s" % (
                          len(data), hashlib.sha256(data).hexdigest()[:16], size, want[:16])))
        if data is not None:
            os.unlink(out)
    print("check_disk: %s: %d files in the manifest, %d differ" % (label, len(entries), bad))
    return len(entries), bad


def main():
    img = sys.argv[1]
    ok = True
    r = subprocess.run([E2FSCK, "-fn", img], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    print(r.stdout.decode(errors="replace"))
    if r.returncode != 0:
        print("check_disk: e2fsck -fn exit status %d: not clean" % r.returncode)
        ok = False
    tmp = tempfile.mkdtemp()
    try:
        n, bad = check_manifest(img, debugfs(img, "cat /MANIFEST.sha256"), tmp, "stress")
        if n < 500 or bad:
            ok = False
    finally:
        shutil.rmtree(tmp)
    names = set()
    for line in debugfs(img, "ls -p /many").decode().split("\n"):
        f = line.split("/")
        # Entries with inode 0 (a deleted first entry of a block) are listed too.
        if len(f) >= 6 and f[1] != "0" and f[5] not in (".", ".."):
            names.add(f[5])
    want = {"renamed_%04d" % i for i in range(0, 1000, 2)}
    if names != want:
        print("check_disk: /many: %d names, %d expected; extra %s, missing %s" % (
            len(names), len(want), sorted(names - want)[:5], sorted(want - names)[:5]))
        ok = False
    st = debugfs(img, "stat /link_b").decode()
    if "Links: 2" not in st:
        print("check_disk: /link_b does not have 2 links:\n" + st[:300])
        ok = False
    st = debugfs(img, "stat /sparse").decode()
    m = re.search(r"Blockcount: (\d+)", st)
    if "Size: %d" % (300 * MiB + 4096) not in st or not m or int(m.group(1)) > 64:
        print("check_disk: /sparse:\n" + st[:400])
        ok = False
    print("check_disk: %s" % ("the file system is clean and as the guest wrote it" if ok
                              else "FAILED"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
