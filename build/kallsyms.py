#!/usr/bin/env python3
"""Fill the kernel's .kallsyms section with its own symbol table (for backtraces).

Usage: kallsyms.py --nm NM --objcopy OBJCOPY --in IN.elf --out OUT.elf

Blob format (little-endian, what the kernel reads between __kallsyms_start and
__kallsyms_end; the same layout as a C struct { u32 count; u32 reserved;
struct { u64 addr; u32 name_off; u32 pad; } entries[count]; } followed by names):

    offset 0    u32 count
    offset 4    u32 reserved (0)
    offset 8    count x { u64 addr; u32 name_off; u32 pad (0) }, sorted by addr
    then        the name blob: NUL-terminated names; name_off is relative to its start
    then        zeros up to the section size

Only text symbols (nm types t T w W) are listed; local labels (.L*) and arm64
mapping symbols ($x, $d) are skipped. The section must exist with contents
(PROGBITS) and a fixed size: symbol addresses must not move when it is filled.
Without a .kallsyms section the ELF is copied unchanged (early bring-up).
"""

import argparse
import os
import shutil
import struct
import subprocess
import sys

SHT_NOBITS = 8
TEXT_TYPES = set("tTwW")


def find_section(path, wanted):
    """Return (size, sh_type) of section `wanted` in an ELF64 LE file, or None."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("kallsyms: %s is not a little-endian ELF64 file" % path)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def shdr(i):
        return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
    stroff = shdr(shstrndx)[4]
    for i in range(shnum):
        name_off, sh_type, _, _, _, size = shdr(i)[:6]
        end = data.index(b"\0", stroff + name_off)
        if data[stroff + name_off:end].decode() == wanted:
            return size, sh_type
    return None


def read_symbols(nm, elf):
    out = subprocess.run([nm, "-n", "--defined-only", elf], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) != 3 or parts[1] not in TEXT_TYPES:
            continue
        addr, name = int(parts[0], 16), parts[2]
        if name.startswith((".L", "$")):
            continue
        syms.append((addr, name))
    syms.sort(key=lambda s: s[0])
    return syms


def build_blob(syms):
    names = bytearray()
    entries = bytearray()
    for addr, name in syms:
        entries += struct.pack("<QII", addr, len(names), 0)
        names += name.encode() + b"\0"
    return struct.pack("<II", len(syms), 0) + bytes(entries) + bytes(names)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nm", required=True)
    ap.add_argument("--objcopy", required=True)
    ap.add_argument("--in", dest="inp", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--section", default=".kallsyms")
    args = ap.parse_args()

    sec = find_section(args.inp, args.section)
    if sec is None:
        print("kallsyms: WARNING: %s has no %s section; no symbol table for backtraces"
              % (args.inp, args.section), file=sys.stderr)
        shutil.copyfile(args.inp, args.out)
        return
    size, sh_type = sec
    if sh_type == SHT_NOBITS:
        sys.exit("kallsyms: %s is NOBITS; give it contents in the linker script "
                 "(e.g. LONG(0) before `. = __kallsyms_start + SIZE`)" % args.section)

    syms = read_symbols(args.nm, args.inp)
    blob = build_blob(syms)
    if len(blob) > size:
        sys.exit("kallsyms: %d symbols need %d bytes but %s has %d: enlarge it in kernel.ld"
                 % (len(syms), len(blob), args.section, size))
    blob += b"\0" * (size - len(blob))
    blob_path = args.out + ".kallsyms.bin"
    with open(blob_path, "wb") as f:
        f.write(blob)
    try:
        subprocess.run([args.objcopy, "--update-section", "%s=%s" % (args.section, blob_path),
                        args.inp, args.out], check=True)
    finally:
        os.remove(blob_path)


if __name__ == "__main__":
    main()
