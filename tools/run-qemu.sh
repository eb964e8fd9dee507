#!/usr/bin/env bash
# Build Kevlar and boot it in QEMU with an interactive BusyBox shell.
#
#   tools/run-qemu.sh [x64|arm64] [fortress|balanced|performance|ludicrous] [qemu_run.sh options]
#
# Defaults: x64 balanced. The console is this terminal: ^A x quits QEMU, ^A c toggles
# the QEMU monitor. Extra QEMU arguments: KEVLAR_QEMU_ARGS="-smp 2 -s -S" (gdb stub).
# Example: tools/run-qemu.sh arm64 fortress --append "loglevel=8"
set -eu
cd "$(dirname "$0")/.."

arch=${1:-x64}
profile=${2:-balanced}
shift $(( $# < 2 ? $# : 2 ))
case "$arch" in x64|arm64) ;; *) echo "usage: $0 [x64|arm64] [profile]" >&2; exit 2 ;; esac
case "$profile" in fortress|balanced|performance|ludicrous) ;;
  *) echo "$0: unknown profile '$profile'" >&2; exit 2 ;; esac

bazel build "//:kernel_${arch}_${profile}" "//:initramfs_${arch}_shell"
bin=$(bazel info bazel-bin 2>/dev/null)
exec tests/qemu_run.sh --interactive --arch "$arch" \
  --initrd "$bin/initramfs_${arch}_shell.cpio" "$@" "$bin/kernel_${arch}_${profile}"/*
