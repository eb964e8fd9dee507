#!/bin/bash
# Parser fuzzers on the host (issue 15; docs/reliability.md "Parser fuzzers").
#
#   tools/fuzz-parsers.sh [--seconds N] [--work DIR] [--seed FILE]... [format|FILE...]
#
# For each format (default: all of cpio elf dt acpi virtqueue virtio_pci tty partition) it builds the libFuzzer
# harness tests/fuzz/parsers/<format>_fuzz.c with clang-14
# (-fsanitize=fuzzer,address,undefined) over the same C files the kernel
# runs, replays every regression input in tests/fuzz/regress/<format>/, then
# fuzzes for N seconds (default 60) from the seeds plus the corpus kept in
# DIR/<format>/corpus (default DIR: ${TMPDIR:-/tmp}/kevlar-parsefuzz, so that
# longer runs build on earlier ones).
#
# Seeds are made from real files when this runs: QEMU's and Debian's DTBs
# (.deps/dtb, boards/q35), cpio newc/crc archives written here, the heads of
# Debian's BusyBox binaries and /bin/true, QEMU's ACPI tables
# (tools/acpi_dump.py), the block tests' MBR/GPT disks (tests/blk/mkdisks.py). --seed FILE, or FILE alone, adds a seed (.dtb, .acpi,
# .cpio, busybox*; the Bazel targets pass theirs).
#
# A crash or a failed check stops the run with status 1; outside Bazel the
# input is copied to tests/fuzz/regress/<format>/ so that it is replayed from
# then on (fix the kernel code, then commit the input). The last line per
# format is "parsefuzz <format>: <executions> executions in <s> s, ...".
#
# Under Bazel (//tests:parsefuzz_<format>) this runs from the runfiles tree;
# libfdt is found next to it (external repository @libfdt).
set -euo pipefail

SECONDS_EACH=60
WORK="${TMPDIR:-/tmp}/kevlar-parsefuzz"
SEEDS=()
FORMATS=()
ALL_FORMATS=(cpio elf dt acpi virtqueue virtio_pci tty partition)

while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) SECONDS_EACH="$2"; shift 2 ;;
	--work) WORK="$2"; shift 2 ;;
	--seed) SEEDS+=("$2"); shift 2 ;;
	-h | --help) sed -n '2,25p' "$0"; exit 0 ;;
	-*) echo "fuzz-parsers: unknown option $1" >&2; exit 2 ;;
	*)
		# an existing file is a seed (the Bazel targets pass theirs so)
		if [ -f "$1" ]; then SEEDS+=("$1"); else FORMATS+=("$1"); fi
		shift
		;;
	esac
done
[ ${#FORMATS[@]} -gt 0 ] || FORMATS=("${ALL_FORMATS[@]}")

if [ -n "${TEST_SRCDIR:-}" ]; then
	# Bazel test: the working directory is the workspace's runfiles.
	ROOT="$PWD"
	LIBFDT="$TEST_SRCDIR/libfdt"
	WORK="$TEST_TMPDIR/parsefuzz"
	IN_BAZEL=1
else
	ROOT="$(cd "$(dirname "$0")/.." && pwd)"
	LIBFDT="$ROOT/.deps/libfdt"
	IN_BAZEL=0
fi

# <kevlar/profile.h> as //build:profile_header makes it for the default profile
# (the drivers' headers include it).
mkdir -p "$WORK/include/kevlar"
cat >"$WORK/include/kevlar/profile.h" <<'PEOF'
#ifndef KEVLAR_PROFILE_H
#define KEVLAR_PROFILE_H
#define KEVLAR_PROFILE_BALANCED 1
#define KEVLAR_PROFILE_NAME "balanced"
#endif
PEOF

CC="${CC_FUZZ:-clang-14}"
command -v "$CC" >/dev/null || CC=clang
CFLAGS=(-g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -DKEVLAR_HOST_TEST -w
	-I"$ROOT" -I"$ROOT/kernel/include" -I"$ROOT/hal/include" -I"$ROOT/hal/x64/include"
	-I"$LIBFDT" -I"$WORK/include")

# The kernel's files each harness is built over.
sources() {
	local fdt=("$LIBFDT"/fdt.c "$LIBFDT"/fdt_ro.c "$LIBFDT"/fdt_rw.c "$LIBFDT"/fdt_wip.c
		"$LIBFDT"/fdt_sw.c "$LIBFDT"/fdt_strerror.c "$LIBFDT"/fdt_addresses.c)
	case "$1" in
	cpio) echo services/initramfs/cpio.c ;;
	elf) echo kernel/proc/elf.c ;;
	dt) echo kernel/board/dt.c kernel/board/dt_util.c "${fdt[@]}" ;;
	acpi) echo kernel/acpi/acpi.c kernel/acpi/acpi_fdt.c kernel/board/dt.c \
		kernel/board/dt_util.c "${fdt[@]}" ;;
	tty) echo kernel/tty/n_tty.c ;;
	partition) echo kernel/block/partition.c ;;
	virtqueue) echo drivers/virtio/vring.c drivers/virtio/virtqueue.c drivers/virtio/virtio_core.c ;;
	virtio_pci) echo drivers/virtio/virtio_pci_caps.c ;;
	*) echo "fuzz-parsers: unknown format $1 (known: ${ALL_FORMATS[*]})" >&2; return 1 ;;
	esac
}

# cpio seeds: newc and crc archives of a small tree (directory, file, symlink,
# device node, hard link) and two archives back to back, as build/mkcpio.py
# and GNU cpio write them [man 5 cpio: "New ASCII Format"].
make_cpio_seeds() {
	python3 - "$1" <<'EOF'
import sys
def member(magic, ino, mode, name, data=b"", nlink=1, rdev=(0, 0)):
    n = name.encode() + b"\0"
    csum = sum(data) & 0xffffffff if magic == "070702" else 0
    f = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(n), csum]
    h = (magic + "".join("%08X" % v for v in f)).encode() + n
    h += b"\0" * (-len(h) % 4)
    return h + data + b"\0" * (-len(data) % 4)
def archive(magic):
    a = member(magic, 1, 0o40755, ".", nlink=2)
    a += member(magic, 2, 0o100755, "bin/init", b"#!/bin/sh\necho hi\n")
    a += member(magic, 3, 0o120777, "bin/sh", b"busybox")
    a += member(magic, 4, 0o20620, "dev/console", rdev=(5, 1))
    a += member(magic, 5, 0o100644, "etc/a", b"x" * 5, nlink=2)
    a += member(magic, 5, 0o100644, "etc/b", b"", nlink=2)
    return a + member(magic, 0, 0, "TRAILER!!!")
out = sys.argv[1]
open(out + "/newc", "wb").write(archive("070701"))
open(out + "/crc", "wb").write(archive("070702"))
two = archive("070701")
two += b"\0" * (-len(two) % 512)
open(out + "/two", "wb").write(two + archive("070701"))
EOF
}

make_seeds() {
	local fmt="$1" dir="$2"
	mkdir -p "$dir"
	case "$fmt" in
	cpio) make_cpio_seeds "$dir" ;;
	partition)
		# the first 64 KiB of the block tests' disks (tests/blk/mkdisks.py)
		if [ "$IN_BAZEL" = 0 ]; then
			python3 "$ROOT/tests/blk/mkdisks.py" "$dir/.disks" >/dev/null
			for f in "$dir"/.disks/*.img; do head -c 65536 "$f" >"$dir/$(basename "$f" .img)"; done
			rm -rf "$dir/.disks"
		fi
		;;
	tty)
		# 8 bytes of modes (tests/fuzz/parsers/tty_fuzz.c), then typing:
		# canonical editing with erase/kill/werase/lnext/signals/flow
		# control and UTF-8, then raw mode switching to canonical
		printf '\044\037\000\001\044\035\000\001hello world\nfoo\177bar\025baz\027qux\026\003x\004\022\023ab\021cd\003\032\034\303\251\303\177\n' >"$dir/canon"
		printf '\000\000\000\000\044\037\000\001raw bytes \003\004 then canon\nline\177\177\n' >"$dir/raw"
		;;
	virtqueue)
		# add, device answers right, get; then a chain, a stale id, a get
		printf '\000\000\003\001\000\000\020\000\000\000\003' >"$dir/good"
		printf '\000\002\001\000\000\000\000\000\000\001\000\000\000\000\000\000\003' >"$dir/stale"
		printf '\000\000\000\001\002\377\377\003' >"$dir/idx"
		;;
	virtio_pci)
		# QEMU's virtio-blk-pci capabilities (as //tests:virtio_pci_caps_test
		# lays them out), BAR4 16 KiB memory, BAR0 128 bytes I/O
		python3 - "$dir/qemu" <<'PYEOF'
import struct, sys
c = bytearray(256)
c[6] = 0x10; c[0x34] = 0xa0; c[0xa0] = 0x11; c[0xa1] = 0x90
def cap(pos, nxt, ln, typ, bar, off, length):
    c[pos:pos + 16] = bytes([9, nxt, ln, typ, bar, 0, 0, 0]) + struct.pack("<II", off, length)
cap(0x90, 0x80, 16, 1, 4, 0, 0x1000)
cap(0x80, 0x70, 16, 3, 4, 0x1000, 0x1000)
cap(0x70, 0x58, 16, 4, 4, 0x2000, 0x1000)
cap(0x58, 0x40, 20, 2, 4, 0x3000, 0x1000)
c[0x68:0x6c] = struct.pack("<I", 4)
cap(0x40, 0, 20, 5, 0, 0, 0)
bars = bytes([0x07, 63, 63, 63, 0x8e, 63])
open(sys.argv[1], "wb").write(bytes(c) + bars + struct.pack("<HHH", 0, 1, 1023))
PYEOF
		;;
	elf)
		for f in /bin/true "$ROOT"/.deps/busybox/busybox-x86_64 "$ROOT"/.deps/busybox/busybox-aarch64; do
			# The parser reads the headers and the table: a file's first
			# 8 KiB (segments then lie past its end) and whole small files.
			[ -f "$f" ] || continue
			head -c 8192 "$f" >"$dir/$(basename "$f").head"
			[ "$(stat -c %s "$f")" -gt 65536 ] || cp "$f" "$dir/"
		done
		;;
	dt)
		for f in "$ROOT"/.deps/dtb/*.dtb; do
			[ -f "$f" ] && cp "$f" "$dir/"
		done
		# the PC boards' built-in trees (boards/<pc>/board.dts)
		for f in "$ROOT"/boards/*/board.dts; do
			b=$(basename "$(dirname "$f")")
			[ -f "$dir/$b.dtb" ] || dtc -q -I dts -O dtb "$f" -o "$dir/$b.dtb" 2>/dev/null || true
		done
		;;
	acpi)
		# (under Bazel the fixtures //tests:acpi_* come as --seed)
		if [ "$IN_BAZEL" = 0 ] && command -v qemu-system-x86_64 >/dev/null; then
			for m in q35 pc; do
				python3 "$ROOT/tools/acpi_dump.py" "$m" 1 "$dir/$m.acpi" >/dev/null 2>&1 || true
			done
		fi
		;;
	esac
	for s in "${SEEDS[@]+"${SEEDS[@]}"}"; do
		case "$fmt:$s" in
		dt:*.dtb | acpi:*.acpi | elf:*busybox* | cpio:*.cpio | partition:*.img)
			if [ "$fmt" = partition ]; then
				head -c 65536 "$s" >"$dir/$(basename "$s" .img)"
			elif [ "$fmt" = elf ]; then
				head -c 8192 "$s" >"$dir/$(basename "$s").head"
			else
				cp "$s" "$dir/"
			fi
			;;
		esac
	done
	# tools/acpi_dump.py also keeps the whole 128 KiB BIOS area (for the
	# RSDP scan test): left out, so that the fuzzer's inputs stay small.
	if [ "$fmt" = acpi ]; then
		for f in "$dir"/*.acpi; do
			[ -f "$f" ] || continue
			python3 - "$f" <<'PYEOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
out, o = b"", 0
while o + 16 <= len(d):
    n = struct.unpack_from("<I", d, o + 8)[0]
    if n <= 65536:
        out += d[o:o + 16 + n]
    o += 16 + n
open(sys.argv[1], "wb").write(out)
PYEOF
		done
	fi
	# QEMU's dumped DTBs are padded to 1 MiB: recompile them to their size.
	if [ "$fmt" = dt ] && command -v dtc >/dev/null; then
		for f in "$dir"/*.dtb; do
			[ -f "$f" ] && dtc -q -I dtb -O dtb "$f" -o "$f.c" 2>/dev/null && mv -f "$f.c" "$f"
		done
	fi
	chmod u+w "$dir"/* 2>/dev/null || true
	[ -n "$(ls -A "$dir")" ] || { echo "fuzz-parsers: no seeds for $fmt" >&2; return 1; }
}

status=0
for fmt in "${FORMATS[@]}"; do
	srcs=$(sources "$fmt") || exit 2
	d="$WORK/$fmt"
	mkdir -p "$d/corpus" "$d/artifacts"
	rm -rf "$d/seeds"
	bin="$d/${fmt}_fuzz"
	# shellcheck disable=SC2086
	(cd "$ROOT" && "$CC" "${CFLAGS[@]}" "tests/fuzz/parsers/${fmt}_fuzz.c" $srcs -o "$bin")
	make_seeds "$fmt" "$d/seeds"

	env=()
	if [ "$fmt" = acpi ]; then
		q35="$d/q35.dtb"
		dtc -q -I dts -O dtb "$ROOT/boards/q35/board.dts" -o "$q35" 2>/dev/null || q35=""
		for s in "${SEEDS[@]+"${SEEDS[@]}"}"; do
			case "$s" in *q35.dtb) q35="$s" ;; esac
		done
		[ -n "$q35" ] && env=(PARSEFUZZ_ACPI_DTB="$q35")
	fi

	# 1. The regression inputs: each must run clean.
	regress=("$ROOT/tests/fuzz/regress/$fmt"/*)
	if [ -e "${regress[0]}" ]; then
		if ! env "${env[@]+"${env[@]}"}" "$bin" -runs=1 "${regress[@]}" >"$d/regress.log" 2>&1; then
			echo "parsefuzz $fmt: a regression input fails:" >&2
			tail -40 "$d/regress.log" >&2
			status=1
			continue
		fi
		echo "parsefuzz $fmt: ${#regress[@]} regression inputs replayed"
	fi

	# 2. Fuzz for SECONDS_EACH seconds (inputs up to 64 KiB).
	log="$d/fuzz.log"
	if env "${env[@]+"${env[@]}"}" ASAN_OPTIONS=detect_leaks=1 "$bin" \
		-max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$d/artifacts/" \
		"$d/corpus" "$d/seeds" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		corp=$(ls "$d/corpus" | wc -l)
		echo "parsefuzz $fmt: ${execs:-?} executions in $SECONDS_EACH s, $cov, corpus $corp inputs, no findings"
	else
		echo "parsefuzz $fmt: FINDING" >&2
		grep -A30 -m1 -E 'ERROR: |runtime error|deadly signal' "$log" >&2 || tail -40 "$log" >&2
		for a in "$d"/artifacts/*; do
			[ -f "$a" ] || continue
			echo "parsefuzz $fmt: input $a" >&2
			if [ "$IN_BAZEL" = 0 ]; then
				mkdir -p "$ROOT/tests/fuzz/regress/$fmt"
				cp "$a" "$ROOT/tests/fuzz/regress/$fmt/"
				echo "parsefuzz $fmt: kept as tests/fuzz/regress/$fmt/$(basename "$a")" >&2
			fi
		done
		status=1
	fi
done
exit $status
