#!/usr/bin/env python3
"""After a QEMU test (tests/qemu_run.sh --vdisk-check): do the disk copies hold exactly
what tests/guest/t_blk.c wrote? Proves the data reached the disk, not a cache.

  check_disks.py MBR_COPY GPT_COPY [...]

Each copy must equal the image tests/blk/mkdisks.py makes with the guest's writes
applied: on the GPT disk (vdb) pattern() over the RANGES of t_blk.c; on the MBR disk
(vda) 8 KiB of pattern(0..8191) at partition 2's first sector (6144).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkdisks  # noqa: E402

MiB = 1 << 20
GPT_RANGES = [(0, 1000), (1636, 5000), (MiB, 70000), (8 * MiB - 4096, 4096)]


def apply(img, off, data):
    img[off:off + len(data)] = data


def diff(name, got, want):
    if got == want:
        print("%s: %d bytes as expected" % (name, len(got)))
        return True
    if len(got) != len(want):
        print("%s: %d bytes, want %d" % (name, len(got), len(want)))
        return False
    first = next(i for i in range(len(got)) if got[i] != want[i])
    print("%s: first difference at byte %d (got 0x%02x, want 0x%02x)" %
          (name, first, got[first], want[first]))
    return False


def main():
    mbr_copy, gpt_copy = sys.argv[1], sys.argv[2]
    want_mbr = mkdisks.mbr_img()
    apply(want_mbr, 6144 * 512, bytes(mkdisks.pattern(i) for i in range(8192)))
    want_gpt = mkdisks.gpt_img(8 << 20, [(2048, 4095), (4096, 8191)], break_primary=True)
    for off, n in GPT_RANGES:
        apply(want_gpt, off, bytes(mkdisks.pattern(a) for a in range(off, off + n)))
    ok = diff("vda (mbr)", open(mbr_copy, "rb").read(), bytes(want_mbr))
    ok = diff("vdb (gpt)", open(gpt_copy, "rb").read(), bytes(want_gpt)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
