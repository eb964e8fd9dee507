#!/usr/bin/env python3
"""Disk images for the ext2 tests (tests/guest/t_ext2.c, tests/ext2/check_ext2.py,
//tests:ext2_test), made with e2fsprogs (mke2fs -d, debugfs -w), never by our code.

  mkimages.py OUTDIR

writes:
  rw.img     an MBR disk, partition 1 (at 1 MiB, 32 MiB) = ext2 with 1 KiB blocks holding
             the tree below: the guest checks it, then writes to it (write stress),
             and the host checks the result with e2fsck -fn and debugfs.
  ro.img     a whole-disk ext2 with 4 KiB blocks and the same tree, attached read-only.
  bad.img    an MBR disk with four damaged ext2 partitions (2 MiB each, 1 KiB blocks):
               1 s_inodes_per_group = 0            (mount must fail)
               2 directory /bad with a rec_len of 5 (listing it fails, the rest works)
               3 /big's indirect block number out of range, /meta's first block the
                 group descriptor block           (reads fail, the rest works)
               4 the root inode a regular file     (mount must fail)
  corpus/    single-file ext2 images for the host test: good_{1024,2048,4096}.img,
             bad{1..4}.img (the partitions above), and corpus.txt: ~1,400 recipes for
             damaged copies of the good ones (super block fields, group descriptors,
             bitmaps, inodes, directory records, indirect blocks, garbage blocks,
             truncation), see damage(); the test applies each to a copy in memory.

The tree: files whose sizes cross every block-map level (direct, single, double and,
in the 1 KiB image, triple indirect through a sparse file), holes, a directory of 300
names (several blocks), a 255-byte name, 20 nested directories, fast and slow
symlinks, hard links, a character device and a FIFO (debugfs mknod), and /MANIFEST
listing every object as "type size fnv64 nlink path [target|major:minor]".
"""
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

MiB = 1 << 20
ENV = dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000")
MKE2FS = shutil.which("mke2fs") or "/usr/sbin/mke2fs"
DEBUGFS = shutil.which("debugfs") or "/sbin/debugfs"
FEATURES = "sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr"


def fnv64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def content(name, size):
    """Deterministic bytes for a file (same generator in t_ext2.c: gen())."""
    x = (fnv64(name.encode()) & 0x7FFFFFFF) or 1
    out = bytearray(size)
    for i in range(size):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out[i] = (x >> 16) & 0xFF
    return bytes(out)


SIZES = [0, 1, 1023, 1024, 1025, 4096, 12 * 1024, 12 * 1024 + 1, 268 * 1024 + 5, 300000,
         1536 * 1024 + 7]


def make_tree(root):
    """The tree; returns the manifest lines (device nodes included)."""
    entries = []
    os.makedirs(root)

    def add_file(rel, data):
        with open(os.path.join(root, rel), "wb") as f:
            f.write(data)

    for s in SIZES:
        add_file("size_%d" % s, content("size_%d" % s, s))
    add_file("hello.txt", b"hello, ext2!\n")
    os.makedirs(os.path.join(root, "many"))
    for i in range(300):
        n = "many/f%03d" % i
        add_file(n, content(n, i % 50))
    add_file("L" * 255, b"long name\n")
    d = root
    deep = []
    for i in range(20):
        deep.append("d%d" % i)
        d = os.path.join(d, "d%d" % i)
        os.makedirs(d)
    add_file("/".join(deep) + "/leaf", b"deep leaf\n")
    os.symlink("hello.txt", os.path.join(root, "lnk_fast"))
    slow = "many/" + "../" * 30 + "hello.txt"  # 104 bytes: a slow symlink
    os.symlink(slow, os.path.join(root, "lnk_slow"))
    add_file("hard_a", content("hard_a", 5000))
    os.link(os.path.join(root, "hard_a"), os.path.join(root, "hard_b"))
    # Sparse: data at 0, in the single-indirect range and at 70 MiB (triple
    # indirect with 1 KiB blocks), holes between.
    with open(os.path.join(root, "sparse"), "wb") as f:
        for off in (0, 100 * 1024, 70 * MiB):
            f.seek(off)
            f.write(content("sparse@%d" % off, 3000))
    os.truncate(os.path.join(root, "sparse"), 70 * MiB + 8192)

    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for n in dirnames:
            p = os.path.join(dirpath, n)
            subdirs = sum(1 for x in os.listdir(p)
                          if os.path.isdir(os.path.join(p, x)) and
                          not os.path.islink(os.path.join(p, x)))
            entries.append("d 0 0 %d %s" % (2 + subdirs, os.path.relpath(p, root)))
        for n in sorted(filenames):
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                t = os.readlink(p)
                entries.append("l %d 0 1 %s %s" % (len(t), rel, t))
            else:
                with open(p, "rb") as f:
                    data = f.read()
                entries.append("f %d %016x %d %s" % (len(data), fnv64(data),
                                                      os.lstat(p).st_nlink, rel))
    entries.append("c 0 0 1 chr 1:3")
    entries.append("p 0 0 1 fifo")
    return entries


def debugfs_w(img, cmds):
    with tempfile.NamedTemporaryFile("w", suffix=".cmds", delete=False) as f:
        f.write("\n".join(cmds) + "\n")
        name = f.name
    try:
        subprocess.run([DEBUGFS, "-w", "-f", name, img], check=True, env=ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        os.unlink(name)


def debugfs_r(img, cmd):
    r = subprocess.run([DEBUGFS, "-R", cmd, img], check=True, env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return r.stdout.decode()


def mkfs(img, size, block, tree=None):
    with open(img, "wb") as f:
        f.truncate(size)
    cmd = [MKE2FS, "-q", "-F", "-t", "ext2", "-O", FEATURES, "-b", str(block), "-I", "128",
           "-U", "4ddca2a4-0b4c-4c6c-9c4f-3a8d9c0e1f00", "-E", "root_owner=0:0,hash_seed="
           "0e0e0e0e-0e0e-0e0e-0e0e-0e0e0e0e0e0e", "-L", "kevlar"]
    if tree:
        cmd += ["-d", tree]
    subprocess.run(cmd + [img], check=True, env=ENV, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def full_image(tmp, img, size, block):
    tree = os.path.join(tmp, "tree_%d" % block)
    manifest = make_tree(tree)
    with open(os.path.join(tree, "MANIFEST"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    mkfs(img, size, block, tree)
    debugfs_w(img, ["cd /", "mknod chr c 1 3", "mknod fifo p", "sif chr mode 020644",
                    "sif fifo mode 010644"])


def mbr(parts, total):
    """An MBR disk image: parts = [(start_sector, bytes)], type 0x83."""
    out = bytearray(total)
    for i, (start, data) in enumerate(parts):
        out[446 + 16 * i:446 + 16 * (i + 1)] = struct.pack(
            "<B3sB3sII", 0, b"\xfe\xff\xff", 0x83, b"\xfe\xff\xff", start, len(data) // 512)
        out[start * 512:start * 512 + len(data)] = data
    out[510:512] = b"\x55\xaa"
    return out


def small_image(tmp, img, block=1024, size=2 * MiB):
    tree = os.path.join(tmp, os.path.basename(img) + ".tree")
    os.makedirs(os.path.join(tree, "bad"))
    for i in range(20):
        with open(os.path.join(tree, "bad", "n%02d" % i), "wb") as f:
            f.write(b"x" * i)
    with open(os.path.join(tree, "big"), "wb") as f:
        f.write(content("big", 200 * 1024))
    with open(os.path.join(tree, "meta"), "wb") as f:
        f.write(content("meta", 3000))
    with open(os.path.join(tree, "ok"), "wb") as f:
        f.write(b"still readable\n")
    os.symlink("ok", os.path.join(tree, "lnk"))
    mkfs(img, size, block, tree)


def patch(img, off, data):
    with open(img, "r+b") as f:
        f.seek(off)
        f.write(data)


def bad_parts(tmp):
    parts = []
    for k in range(1, 5):
        img = os.path.join(tmp, "bad%d.img" % k)
        small_image(tmp, img)
        if k == 1:
            patch(img, 1024 + 40, struct.pack("<I", 0))  # s_inodes_per_group
        elif k == 2:
            b = int(debugfs_r(img, "bmap /bad 0").split()[0])
            patch(img, b * 1024 + 12 + 4, struct.pack("<H", 5))  # ".." rec_len = 5
        elif k == 3:
            debugfs_w(img, ["sif /big block[IND] 999999", "sif /meta block[0] 2"])
        elif k == 4:
            debugfs_w(img, ["sif <2> mode 0100644"])
        with open(img, "rb") as f:
            parts.append(f.read())
    return parts


def damage(good, name, rng, count):
    """Damage recipes for the single-file image good (corpus.txt lines the host test
    applies to a copy: "ID IMAGE trunc BYTES" or "ID IMAGE OFF:HEX[,OFF:HEX...]")."""
    with open(good, "rb") as f:
        base = f.read()
    bs = 1024 << struct.unpack_from("<I", base, 1024 + 24)[0]
    nblocks = struct.unpack_from("<I", base, 1024 + 4)[0]
    lines = []

    def add(kind, patches):
        lines.append("%s_%s_%d %s %s" % (name, kind, len(lines), name, ",".join(
            "%d:%s" % (off, data.hex()) for off, data in patches)))

    # Every super block field (first 264 bytes) set to 0, 1, all ones, a random value.
    for off in range(0, 264, 4):
        for v in (0, 1, 0xFFFFFFFF, rng.getrandbits(32)):
            add("sb", [(1024 + off, struct.pack("<I", v))])
    # Random bytes in the first 64 blocks: group descriptors, bitmaps, the inode
    # table, directory blocks, indirect blocks.
    for _ in range(count):
        blk = rng.randrange(1, min(nblocks, 64))
        add("blk", [(blk * bs + rng.randrange(bs), bytes([rng.randrange(256)]))
                    for _ in range(rng.randrange(1, 9))])
    # Whole blocks of garbage anywhere.
    for _ in range(count // 4):
        blk = rng.randrange(1, nblocks)
        add("garbage", [(blk * bs, bytes(rng.randrange(256) for _ in range(bs)))])
    for cut in (1024, 2048, len(base) // 2):
        lines.append("%s_trunc_%d %s trunc %d" % (name, cut, name, cut))
    return lines


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp()
    try:
        part = os.path.join(tmp, "part.img")
        full_image(tmp, part, 32 * MiB, 1024)
        with open(part, "rb") as f:
            data = f.read()
        with open(os.path.join(out, "rw.img"), "wb") as f:
            f.write(mbr([(2048, data)], 2048 * 512 + len(data)))
        full_image(tmp, os.path.join(out, "ro.img"), 16 * MiB, 4096)
        parts = bad_parts(tmp)
        starts = [2048 + i * 4096 for i in range(4)]
        with open(os.path.join(out, "bad.img"), "wb") as f:
            f.write(mbr(list(zip(starts, parts)), (2048 + 4 * 4096) * 512))
        corpus = os.path.join(out, "corpus")
        os.makedirs(corpus, exist_ok=True)
        rng = random.Random(12)
        recipes = []
        for bsz in (1024, 2048, 4096):
            good = os.path.join(corpus, "good_%d.img" % bsz)
            small_image(tmp, good, bsz, 2 * MiB if bsz == 1024 else 4 * MiB)
            recipes += damage(good, "good_%d.img" % bsz, rng, 300)
        for k, p in enumerate(parts, 1):
            with open(os.path.join(corpus, "bad%d.img" % k), "wb") as f:
                f.write(p)
        with open(os.path.join(corpus, "corpus.txt"), "w") as f:
            f.write("\n".join(recipes) + "\n")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
