#!/bin/sh
# Run the Kevlar guest test suite on this Linux host, to prove that every
# check is a correct Linux check (it must pass here).
#
#   tests/guest/run-on-host.sh [--arm64] [--no-pty] [--no-root] [--keep]
#
# Builds the C programs with `gcc -static` into a temp dir, installs the
# host BusyBox applets as symlinks (busybox --install -s) first in PATH, and
# runs tests/guest/init in host mode (KTEST_HOST=1: no mounts, no poweroff)
# with `busybox sh`. Also cross-builds the programs with
# aarch64-linux-gnu-gcc -static when that compiler exists.
#
#   --arm64   run the aarch64 builds of the C programs under qemu-aarch64
#             (user mode) instead of the native ones; shell checks still use
#             the host BusyBox
#   --no-pty  do not run under script(1) (then the tty.* checks are skipped)
#   --no-root do not use private mount/UTS namespaces even when root (then
#             the mount and sethostname checks are skipped)
#   --keep    keep the temp dir
#
# As root (and with unshare(1)), the run happens in private mount and UTS
# namespaces with a fresh tmpfs on /tmp, so the root-only checks (tmpfs
# mount/umount, sethostname, /proc/mounts lists /tmp) run too, without
# touching the host. Under script(1) stdin is a throwaway pty, so the tty.*
# checks (TCGETS, TIOCGWINSZ, setsid + TIOCSCTTY + TIOCGPGRP) run as well.
#
# Exit status 0 iff the log has no FAIL line, a KTEST END line, and the PASS
# count equals total (the same rules as the guest runner).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ARM64=0
PTY=1
ROOT=1
KEEP=0
for a in "$@"; do
    case $a in
    --arm64) ARM64=1 ;;
    --no-pty) PTY=0 ;;
    --no-root) ROOT=0 ;;
    --keep) KEEP=1 ;;
    *)
        echo "usage: $0 [--arm64] [--no-pty] [--no-root] [--keep]" >&2
        exit 2
        ;;
    esac
done

BB=$(command -v busybox || true)
if [ -z "$BB" ] || ! "$BB" --list >/dev/null 2>&1; then
    echo "run-on-host: need a busybox binary in PATH (apt-get install busybox-static)" >&2
    exit 2
fi
BB=$(readlink -f "$BB")

WORK=$(mktemp -d /var/tmp/ktest-host.XXXXXX)
cleanup() { [ "$KEEP" = 1 ] && echo "run-on-host: kept $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/bin" "$WORK/tests" "$WORK/tmp" "$WORK/arm64"
"$BB" --install -s "$WORK/bin"

CFLAGS="-static -O2 -Wall -Wextra -pthread"
build_fail=0
for c in "$HERE"/*.c; do
    n=$(basename "$c" .c)
    if ! gcc $CFLAGS -o "$WORK/tests/$n" "$c"; then
        echo "run-on-host: gcc failed for $n" >&2
        build_fail=1
    fi
    if command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
        if ! aarch64-linux-gnu-gcc $CFLAGS -o "$WORK/arm64/$n" "$c"; then
            echo "run-on-host: aarch64-linux-gnu-gcc failed for $n" >&2
            build_fail=1
        fi
    fi
done
[ "$build_fail" = 0 ] || exit 1
if command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
    echo "run-on-host: arm64 builds OK: $(ls "$WORK/arm64" | tr '\n' ' ')"
fi

for s in "$HERE"/*.sh; do
    cp "$s" "$WORK/tests/"
done
cp "$HERE/init" "$WORK/init"

WRAPPER=""
if [ "$ARM64" = 1 ]; then
    Q=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
    [ -n "$Q" ] || { echo "run-on-host: --arm64 needs qemu-aarch64 (apt-get install qemu-user)" >&2; exit 2; }
    cp "$WORK/arm64/"* "$WORK/tests/"
    WRAPPER=$Q
fi

USE_NS=0
if [ "$ROOT" = 1 ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
    unshare -m -u --propagation private true 2>/dev/null; then
    USE_NS=1
fi

# The command that runs init (inside the namespaces when USE_NS=1).
if [ "$USE_NS" = 1 ]; then
    TMPDIR_=/tmp
    INNER="mount -t tmpfs -o mode=1777 tmpfs /tmp && exec env -i"
else
    TMPDIR_=$WORK/tmp
    INNER="exec env -i"
fi
INNER="$INNER PATH=$WORK/bin:/usr/bin:/bin KTEST_HOST=1 KTEST_ROOT=$USE_NS KTEST_PTY=$PTY"
INNER="$INNER KTEST_DIR=$WORK/tests KTEST_TMP=$TMPDIR_ KTEST_WRAPPER=$WRAPPER HOME=/ $BB sh $WORK/init"
if [ "$USE_NS" = 1 ]; then
    CMD="unshare -m -u --propagation private sh -c '$INNER'"
else
    CMD="sh -c '$INNER'"
fi

LOG=$WORK/log
if [ "$PTY" = 1 ] && command -v script >/dev/null 2>&1; then
    script -qec "$CMD" /dev/null </dev/null | tr -d '\r' | tee "$LOG"
else
    [ "$PTY" = 1 ] && echo "run-on-host: script(1) not found; tty checks skipped"
    sh -c "$CMD" </dev/null 2>&1 | tee "$LOG"
fi

pass=$(grep -c '^KTEST PASS ' "$LOG")
fail=$(grep -c '^KTEST FAIL ' "$LOG")
skip=$(grep -c '^KTEST SKIP ' "$LOG")
total=$(sed -n 's/^KTEST END total=\([0-9]*\).*/\1/p' "$LOG" | tail -n 1)
echo "run-on-host: namespaces=$USE_NS pty=$PTY arm64=$ARM64"
echo "run-on-host: checks per file (including its run.<name> check):"
awk 'BEGIN {cur = "init"} /^--- / {cur = $2; order[++n] = cur} /^KTEST (PASS|FAIL|SKIP) / {c[cur]++}
     END {printf "  %-10s %d\n", "init", c["init"]; for (i = 1; i <= n; i++) printf "  %-10s %d\n", order[i], c[order[i]]}' "$LOG"
grep '^KTEST SKIP ' "$LOG"
if [ "$fail" -eq 0 ] && [ -n "$total" ] && [ $((pass + skip)) -eq "$total" ]; then
    echo "run-on-host: OK: $pass passed, 0 failed, $skip skipped (total=$total)"
    exit 0
fi
grep '^KTEST FAIL ' "$LOG"
echo "run-on-host: FAILED: $pass passed, $fail failed, $skip skipped (total=${total:-missing})"
exit 1
