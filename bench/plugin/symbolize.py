#!/usr/bin/env python3
"""Attribute the plugin's per-block instruction counts to functions.

    symbolize.py PCS_FILE (--elf KERNEL_ELF | --map System.map) [--top N]

PCS_FILE: the "vaddr insns" lines insncount.c writes with arg=profile=K,arg=pcs=FILE.
Each block's instructions go to the kernel symbol at or below its start address (from
`llvm-nm -n` of the ELF, or a Linux System.map); user addresses (lower half) are summed
as [user]. Prints the top functions with their share of the region's instructions.

Example (execve_static is the 11th benchmark, K = 10):
    tests/qemu_run.sh --arch x64 --initrd bazel-bin/bench/initramfs_x64.cpio \\
      --append bench.scale=0.1 --expect '^BENCH END' \\
      --plugin bazel-bin/bench/plugin/libinsncount.so,arg=out=/tmp/i,arg=profile=10,arg=pcs=/tmp/pcs \\
      bazel-bin/kernel_x64_balanced/kernel.elf
    bench/plugin/symbolize.py /tmp/pcs --elf bazel-bin/kernel_x64_balanced/kernel.elf
"""
import argparse
import bisect
import subprocess
from collections import Counter


def symbols(args):
    if args.elf:
        text = subprocess.run(["llvm-nm", "-n", "--defined-only", args.elf],
                              check=True, capture_output=True, text=True).stdout
    else:
        text = open(args.map).read()
    syms = []
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 3 and f[1].lower() in "tw":
            syms.append((int(f[0], 16), f[2]))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcs")
    ap.add_argument("--elf")
    ap.add_argument("--map")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    if not args.elf and not args.map:
        ap.error("--elf or --map")
    addrs, names = symbols(args)
    per = Counter()
    for line in open(args.pcs):
        va, n = line.split()
        va, n = int(va, 16), int(n)
        if not va >> 63:
            per["[user]"] += n
            continue
        i = bisect.bisect_right(addrs, va) - 1
        per[names[i] if i >= 0 else "[unknown]"] += n
    total = sum(per.values()) or 1
    print("{:>12} {:>6}  {}".format("insns", "%", "function (total {:,})".format(total)))
    for name, n in per.most_common(args.top):
        print("{:>12,} {:>6.2f}  {}".format(n, 100.0 * n / total, name))


if __name__ == "__main__":
    main()
