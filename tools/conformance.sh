#!/usr/bin/env bash
# CPython's regression tests as a conformance yardstick: boot the image
# //tests:initramfs_pytests_<arch> (Debian's python3.11 and libpython3.11-testsuite, with
# tests/pytests/init as PID 1) on our kernel (Balanced) and on Debian's Linux 6.1
# (.deps/linux, tools/fetch-linux.sh) in the same QEMU (tests/qemu_run.sh: same machine,
# CPU model, devices, 1 GiB), and print one table row per test module, ours vs Linux.
#
#   tools/conformance.sh [x64|arm64|both] [kevlar|linux|both] [MODULE...]
#   tools/conformance.sh table [x64|arm64|both] [kevlar|linux|both]   (the table of earlier runs)
#   tools/conformance.sh nolibc [x64|arm64|both] [kevlar|linux|both]  (Linux's nolibc-test)
#
# nolibc: boots //tests:initramfs_nolibc_<arch> (what //tests:nolibc_<arch> runs in CI on
# our kernel) on each kernel and prints the differing cases (KTEST FAIL and SKIP lines).
# Defaults: both arches, both kernels, the module list of tests/pytests/init. Env:
# PYTESTS_TIMEOUT (s per module, default 900), PYTESTS_VERBOSE=1 (unittest's whole
# output on the console: which test hangs), CONFORMANCE_OUT (logs, default
# /tmp/kevlar-conformance), CONFORMANCE_PROFILE (default balanced),
# CONFORMANCE_QEMU_TIMEOUT (s per boot, default 14400). Per boot it keeps
# OUT/<arch>-<kernel>.log (the console) and OUT/<arch>-<kernel>.txt (its PYTEST and PYFAIL
# lines). Slow under TCG (docs/conformance.md has the measured times): on demand only.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
table_only=0
if [ "${1:-}" = nolibc ]; then
  shift
  arches=${1:-both} kernels=${2:-both}
  [ "$arches" = both ] && arches="x64 arm64"
  [ "$kernels" = both ] && kernels="kevlar linux"
  profile=${CONFORMANCE_PROFILE:-balanced}
  out=${CONFORMANCE_OUT:-/tmp/kevlar-conformance}
  mkdir -p "$out"
  t=()
  for a in $arches; do t+=("//tests:initramfs_nolibc_$a" "//:kernel_${a}_$profile"); done
  bazel build "${t[@]}"
  bin=$(bazel info bazel-bin 2>/dev/null)
  rc=0
  for a in $arches; do
    for k in $kernels; do
      kfile=$ROOT/.deps/linux/$a/kernel
      [ "$k" = kevlar ] && kfile=$bin/kernel_${a}_$profile/$([ "$a" = x64 ] && echo kernel.elf || echo Image)
      tests/qemu_run.sh --arch "$a" --timeout 300 --initrd "$bin/tests/initramfs_nolibc_$a.cpio" \
        --kernel "$kfile" >"$out/nolibc-$a-$k.log" 2>&1 || rc=1
      echo "nolibc $a $k: $(grep -E '^qemu_run: PASS ' "$out/nolibc-$a-$k.log" | sed 's/^qemu_run: //')"
      grep -E '^qemu_run:   KTEST (FAIL|SKIP)' "$out/nolibc-$a-$k.log" | sed 's/^qemu_run:   /  /' || true
    done
  done
  exit $rc
fi
[ "${1:-}" = table ] && { table_only=1; shift; }
arches=${1:-both} kernels=${2:-both}
shift $(($# > 2 ? 2 : $#))
[ "$arches" = both ] && arches="x64 arm64"
[ "$kernels" = both ] && kernels="kevlar linux"
profile=${CONFORMANCE_PROFILE:-balanced}
out=${CONFORMANCE_OUT:-/tmp/kevlar-conformance}
mkdir -p "$out"
append="pytests.timeout=${PYTESTS_TIMEOUT:-900}"
[ "${PYTESTS_VERBOSE:-0}" = 1 ] && append="$append pytests.verbose=1"
[ $# -gt 0 ] && append="$append pytests=$(echo "$@" | tr ' ' ,)"

targets=()
for a in $arches; do
  case $a in x64 | arm64) ;; *) echo "usage: $0 [x64|arm64|both] [kevlar|linux|both] [MODULE...]" >&2; exit 2 ;; esac
  targets+=("//tests:initramfs_pytests_$a" "//:kernel_${a}_$profile")
done
[ $table_only = 1 ] || bazel build "${targets[@]}"
bin=$(bazel info bazel-bin 2>/dev/null)

for a in $arches; do
  for k in $kernels; do
    [ $table_only = 1 ] && continue
    case $k in
    kevlar) [ "$a" = x64 ] && kfile=$bin/kernel_${a}_$profile/kernel.elf || kfile=$bin/kernel_${a}_$profile/Image ;;
    linux) kfile=$ROOT/.deps/linux/$a/kernel ;;
    *) echo "conformance: kernel must be kevlar, linux or both" >&2; exit 2 ;;
    esac
    echo "conformance: $a $k ($kfile), log $out/$a-$k.log"
    start=$(date +%s)
    tests/qemu_run.sh --arch "$a" --mem 1G --timeout "${CONFORMANCE_QEMU_TIMEOUT:-14400}" \
      --initrd "$bin/tests/initramfs_pytests_$a.cpio" --kernel "$kfile" --append "$append" \
      --expect '^PYTEST END' >"$out/$a-$k.log" 2>&1 || true
    # A PYTEST line can follow output that lacked its newline: keep what starts at PY.
    tr -d '\r' <"$out/$a-$k.log" | grep -oE '(PYTEST|PYFAIL|PYINFO) .*' >"$out/$a-$k.txt" || true
    echo "conformance: $a $k: $(($(date +%s) - start)) s, $(grep -c '^PYTEST test' "$out/$a-$k.txt") modules"
  done
done

# The table: module, then "result run/failures+errors/skipped" per arch and kernel.
cols=()
for a in $arches; do for k in $kernels; do cols+=("$a-$k"); done; done
printf '| module |'; for c in "${cols[@]}"; do printf ' %s |' "$c"; done; echo
printf '| --- |'; for c in "${cols[@]}"; do printf ' --- |'; done; echo
mods=$(for c in "${cols[@]}"; do
  sed -n 's/^PYTEST \(test[^ ]*\) .*/\1/p' "$out/$c.txt" 2>/dev/null; done | awk '!seen[$0]++')
for m in $mods; do
  printf '| %s |' "$m"
  for c in "${cols[@]}"; do
    l=$(grep -m1 "^PYTEST $m " "$out/$c.txt" 2>/dev/null || true)
    if [ -z "$l" ]; then printf ' (not run) |'; continue; fi
    set -- $l
    v() { echo "$l" | grep -o " $1=[0-9]*" | cut -d= -f2; }
    printf ' %s %s/%s/%s |' "$3" "$(v run)" "$(( $(v failures) + $(v errors) ))" "$(v skipped)"
  done
  echo
done
