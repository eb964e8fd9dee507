#!/usr/bin/env python3
"""Disks for tests/guest/t_disk.c (//tests:qemu_<arch>_disk_stress_*, disk_powercut_*),
made with e2fsprogs only.

  mkdisk.py OUTDIR

  stress.img    128 MiB, an empty ext2 file system (4 KiB blocks) that t_disk writes
  host.img      ext2 (4 KiB blocks) filled by mke2fs -d: 160 files of random sizes
                (0 bytes to 1.5 MiB, random contents, seeded) in nested directories,
                and /MANIFEST.sha256 ("HEX  /path SIZE" lines) that t_disk checks
  powercut.img  64 MiB, an empty ext2 file system for the power-cut test

Everything is deterministic (fixed seed, E2FSPROGS_FAKE_TIME), so the images are
the same on every build.
"""
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile

ENV = dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000")
MKE2FS = shutil.which("mke2fs") or "/usr/sbin/mke2fs"


def mke2fs(out, size_mib, root=None, label="kevlar"):
    with open(out, "wb") as f:
        f.truncate(size_mib << 20)
    argv = [MKE2FS, "-q", "-F", "-t", "ext2", "-b", "4096", "-L", label,
            "-E", "root_owner=0:0"]
    if root:
        argv += ["-d", root]
    subprocess.run(argv + [out], check=True, env=ENV, stdout=subprocess.DEVNULL)


def host_tree(root):
    rng = random.Random(20261208)
    lines = []
    for i in range(160):
        depth = rng.randrange(4)
        rel = "/".join(["dir%d" % rng.randrange(6) for _ in range(depth)] + ["file_%03d" % i])
        size = rng.choice([0, 1, 511, 4095, 4096, 4097, rng.randrange(100000),
                           rng.randrange(1536 * 1024)])
        data = rng.getrandbits(8 * size).to_bytes(size, "little") if size else b""
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        lines.append("%s  /%s %d\n" % (hashlib.sha256(data).hexdigest(), rel, size))
    with open(os.path.join(root, "MANIFEST.sha256"), "w") as f:
        f.writelines(lines)
    return sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(root) for n in ns)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    mke2fs(os.path.join(out, "stress.img"), 128, label="stress")
    mke2fs(os.path.join(out, "powercut.img"), 64, label="powercut")
    tmp = tempfile.mkdtemp()
    try:
        total = host_tree(tmp)
        mke2fs(os.path.join(out, "host.img"), (total >> 20) + 32, tmp, label="host")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
