#!/usr/bin/env python3
"""An ext2 root disk from an initramfs (cpio newc, as build/mkcpio.py writes it), for
booting with root= (//tests:qemu_arm64_ext2_root_balanced).

  cpio2ext2.py ARCHIVE.cpio OUT.img SIZE_MIB

Regular files, directories and symlinks are extracted with their modes into a
temporary directory and given to mke2fs -d (whole-disk ext2, 4 KiB blocks);
device nodes are left out (devtmpfs provides /dev), their directories kept.
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile


def extract(data, root):
    off = 0
    while off + 110 <= len(data):
        hdr = data[off:off + 110]
        if hdr[:6] not in (b"070701", b"070702"):
            raise SystemExit("cpio2ext2: bad cpio header at %d" % off)
        f = [int(hdr[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, filesize, namesize = f[1], f[6], f[11]
        name_start = off + 110
        name = data[name_start:name_start + namesize - 1].decode()
        off = (name_start + namesize + 3) & ~3
        body = data[off:off + filesize]
        off = (off + filesize + 3) & ~3
        if name == "TRAILER!!!":
            break
        path = os.path.join(root, name.lstrip("/"))
        if name in (".", ""):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if stat.S_ISDIR(mode):
            os.makedirs(path, exist_ok=True)
            os.chmod(path, mode & 0o7777)
        elif stat.S_ISLNK(mode):
            os.symlink(body.decode(), path)
        elif stat.S_ISREG(mode):
            with open(path, "wb") as out:
                out.write(body)
            os.chmod(path, mode & 0o7777)


def main():
    archive, out, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    tmp = tempfile.mkdtemp()
    try:
        root = os.path.join(tmp, "root")
        os.makedirs(root)
        with open(archive, "rb") as f:
            extract(f.read(), root)
        for d in ("dev", "proc", "tmp", "sys", "mnt"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        with open(out, "wb") as f:
            f.truncate(size << 20)
        mke2fs = shutil.which("mke2fs") or "/usr/sbin/mke2fs"
        subprocess.run([mke2fs, "-q", "-F", "-t", "ext2", "-b", "4096", "-E", "root_owner=0:0",
                        "-d", root, out], check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000"))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
