#!/bin/sh
# Install and unpack everything Kevlar's build and tests need on Debian 12.
# Idempotent: safe to run again. Third-party files land in .deps/ (gitignored);
# nothing third-party is committed. See ../shared/notes/environment.md.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPS="$ROOT/.deps"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

PKGS="bazel-bootstrap bazel-platforms bazel-skylib clang lld llvm
  qemu-system-x86 qemu-system-arm u-boot-qemu u-boot-tools
  device-tree-compiler linux-source-6.1 busybox-static
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross musl-tools
  cpio e2fsprogs xz-utils clang-tidy clang-format
  libclang-rt-14-dev
  grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools ovmf
  dosfstools fdisk u-boot-rpi:arm64"

missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  need_update=1
fi
if [ -n "$missing" ] || [ "${need_update:-0}" = 1 ]; then
  $SUDO apt-get update
fi
if [ -n "$missing" ]; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi

mkdir -p "$DEPS"
# libfdt sources from Debian's linux-source-6.1 (scripts/dtc/libfdt, GPL-2.0+ OR BSD-2-Clause).
if [ ! -f "$DEPS/libfdt/libfdt.h" ]; then
  rm -rf "$DEPS/libfdt.tmp" && mkdir -p "$DEPS/libfdt.tmp"
  tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$DEPS/libfdt.tmp" \
    --wildcards '*/scripts/dtc/libfdt/*'
  rm -rf "$DEPS/libfdt"
  mv "$DEPS"/libfdt.tmp/*/scripts/dtc/libfdt "$DEPS/libfdt"
  rm -rf "$DEPS/libfdt.tmp"
fi
# Static BusyBox for both arches (arm64 one unpacked privately, no multiarch install).
mkdir -p "$DEPS/busybox"
cp -f /bin/busybox "$DEPS/busybox/busybox-x86_64"
if [ ! -f "$DEPS/busybox/busybox-aarch64" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download busybox-static:arm64 && dpkg-deb -x ./*.deb x)
  cp "$tmp/x/bin/busybox" "$DEPS/busybox/busybox-aarch64"
  rm -rf "$tmp"
fi
# QEMU virt's own device tree (for host tests of the DT parser).
if [ ! -f "$DEPS/dtb/qemu-virt.dtb" ]; then
  mkdir -p "$DEPS/dtb"
  qemu-system-aarch64 -machine virt,gic-version=3,dumpdtb="$DEPS/dtb/qemu-virt.dtb" \
    -cpu cortex-a57 -m 512M -nographic >/dev/null 2>&1 || true
  qemu-system-aarch64 -machine virt,gic-version=2,dumpdtb="$DEPS/dtb/qemu-virt-gicv2.dtb" \
    -cpu cortex-a57 -m 512M -nographic >/dev/null 2>&1 || true
fi
# lwIP 2.1.3 from Debian's source package (services/net, @lwip).
"$ROOT/tools/fetch-lwip.sh" "$DEPS/lwip-2.1.3"
# Debian's Linux 6.1 for both arches, to compare against (bench/compare.sh).
"$ROOT/tools/fetch-linux.sh" "$DEPS/linux"
# QEMU 7.2's TCG plugin API header, for the instruction-counting plugin (bench/plugin/).
"$ROOT/tools/fetch-qemu.sh" "$DEPS/qemu"
# Debian's dynamically linked programs for both arches (tests/dyn/, //tests:qemu_dyn_*).
"$ROOT/tools/fetch-userland.sh" "$DEPS/userland"
# CPython's regression tests (tools/conformance.sh, docs/conformance.md).
"$ROOT/tools/fetch-pytests.sh" "$DEPS/pytests"
# Linux's nolibc-test and the nolibc headers, from linux-source-6.1 (//tests:nolibc_<arch>).
"$ROOT/tools/fetch-nolibc.sh" "$DEPS/nolibc"
# Real boards' device trees, from Debian's arm64 Linux package (the same kernel bench/
# compares against): the Raspberry Pi 3 Model B (boards/raspi3b) and the Xilinx ZynqMP
# ZCU102 rev 1.0 (boards/zcu102). Copied flat into .deps/dtb/ under their own names.
BOARD_DTBS="broadcom/bcm2837-rpi-3-b.dtb xilinx/zynqmp-zcu102-rev1.0.dtb"
dtb_missing=""
for d in $BOARD_DTBS; do
  [ -f "$DEPS/dtb/$(basename "$d")" ] || dtb_missing="$dtb_missing $d"
done
if [ -n "$dtb_missing" ]; then
  mkdir -p "$DEPS/dtb"
  tmp=$(mktemp -d)
  chmod 777 "$tmp" # apt-get download fetches as user _apt (private dir, removed below)
  pkg=$(apt-cache depends linux-image-arm64 | sed -n 's/^ *Depends: \(linux-image-[^ ]*\).*/\1/p' | head -n 1)
  (cd "$tmp" && apt-get download "${pkg%:arm64}:arm64" && dpkg-deb -x ./*.deb x)
  for d in $dtb_missing; do
    src=$(find "$tmp/x" -path "*/$d" | head -n 1)
    [ -n "$src" ] || { echo "setup: $d not in $pkg" >&2; exit 1; }
    cp "$src" "$DEPS/dtb/$(basename "$d")"
  done
  rm -rf "$tmp"
fi
echo "setup: dependencies ready in $DEPS"
