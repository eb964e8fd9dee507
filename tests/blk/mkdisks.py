#!/usr/bin/env python3
"""Disk images for the block-device tests (tests/guest/t_blk.c, tests/blk/check_disks.py).

  mkdisks.py OUTDIR

writes, all sector-exact and reproducible (no host tools needed):

  mbr.img   8 MiB, an MBR [UEFI 2.10 §5.2.1]: 1 = sectors 2048+4096 (0x83),
            2 = 6144+4096 (0x83), 3 = an extended partition 10240+6144 (0x05) whose one
            EBR holds logical partition 5 = 12288+2048, and 4 = a lying entry past the
            end of the disk (the kernel must report and ignore it).
  gpt.img   8 MiB, a GPT [UEFI 2.10 §5.3]: 1 = LBA 2048-4095, 2 = LBA 4096-8191, with a
            valid backup header; the primary header's CRC is broken on purpose, so the
            kernel must fall back to the backup (and say so).
  ro.img    1 MiB of the pattern below, attached read-only.
  badgpt.img 1 MiB: a protective MBR and GPT headers whose CRCs are both wrong: no
            partitions, a console line, no crash.

The pattern: byte at device offset a is pattern(a) (same function in t_blk.c).
"""
import os
import struct
import sys
import uuid
import zlib

SECTOR = 512


def pattern(a):
    return (((a * 131 + 17) >> 3) ^ (a >> 9)) & 0xFF


def mbr_entry(boot, ptype, start, count):
    return struct.pack("<B3sB3sII", boot, b"\xfe\xff\xff", ptype, b"\xfe\xff\xff", start, count)


def write_mbr(img, entries):
    sec = bytearray(SECTOR)
    for i, e in enumerate(entries):
        sec[446 + 16 * i:446 + 16 * (i + 1)] = e
    sec[510:512] = b"\x55\xaa"
    img[0:SECTOR] = sec


def mbr_img():
    size = 8 << 20
    img = bytearray(size)
    write_mbr(img, [
        mbr_entry(0x80, 0x83, 2048, 4096),
        mbr_entry(0x00, 0x83, 6144, 4096),
        mbr_entry(0x00, 0x05, 10240, 6144),
        mbr_entry(0x00, 0x83, 100000, 50),  # lies: past the end (16384 sectors)
    ])
    # The EBR at the start of the extended partition: logical 5 at +2048.
    ebr = bytearray(SECTOR)
    ebr[446:462] = mbr_entry(0, 0x83, 2048, 2048)
    ebr[510:512] = b"\x55\xaa"
    img[10240 * SECTOR:10241 * SECTOR] = ebr
    return img


def gpt_header(my_lba, alt_lba, first, last, entries_lba, nent, esize, array_crc):
    h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x00010000, 92, 0, 0, my_lba, alt_lba,
                    first, last, uuid.UUID(int=0x1234).bytes_le, entries_lba, nent, esize,
                    array_crc)
    crc = zlib.crc32(h) & 0xFFFFFFFF
    h = h[:16] + struct.pack("<I", crc) + h[20:]
    return h + bytes(SECTOR - len(h))


def gpt_img(size, parts, break_primary=False, break_backup=False):
    img = bytearray(size)
    nsec = size // SECTOR
    write_mbr(img, [mbr_entry(0, 0xEE, 1, min(nsec - 1, 0xFFFFFFFF))])
    nent, esize = 128, 128
    array = bytearray(nent * esize)
    for i, (first, last) in enumerate(parts):
        e = struct.pack("<16s16sQQQ72s", uuid.UUID("0fc63daf-8483-4772-8e79-3d69d8477de4").bytes_le,
                        uuid.UUID(int=i + 1).bytes_le, first, last, 0,
                        "part{}".format(i + 1).encode("utf-16-le"))
        array[i * esize:(i + 1) * esize] = e
    acrc = zlib.crc32(array) & 0xFFFFFFFF
    first_usable, last_usable = 34, nsec - 34
    prim = bytearray(gpt_header(1, nsec - 1, first_usable, last_usable, 2, nent, esize, acrc))
    back = bytearray(gpt_header(nsec - 1, 1, first_usable, last_usable, nsec - 33, nent, esize,
                                acrc))
    if break_primary:
        prim[16] ^= 0xFF
    if break_backup:
        back[16] ^= 0xFF
    img[SECTOR:2 * SECTOR] = prim
    img[2 * SECTOR:2 * SECTOR + len(array)] = array
    img[(nsec - 33) * SECTOR:(nsec - 33) * SECTOR + len(array)] = array
    img[(nsec - 1) * SECTOR:nsec * SECTOR] = back
    return img


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "mbr.img"), "wb") as f:
        f.write(mbr_img())
    with open(os.path.join(out, "gpt.img"), "wb") as f:
        f.write(gpt_img(8 << 20, [(2048, 4095), (4096, 8191)], break_primary=True))
    with open(os.path.join(out, "ro.img"), "wb") as f:
        f.write(bytes(pattern(a) for a in range(1 << 20)))
    with open(os.path.join(out, "badgpt.img"), "wb") as f:
        f.write(gpt_img(1 << 20, [(40, 100)], break_primary=True, break_backup=True))


if __name__ == "__main__":
    main()
