#!/bin/sh
# Boot the guest test suite on a real Linux kernel (Debian's) in QEMU, with
# tests/guest/init as PID 1, to prove the suite — including its guest-only
# checks (mounts, console tty, poweroff) — is correct on Linux.
#
#   tests/guest/run-in-linux-vm.sh x86_64|aarch64
#
# Needs qemu-system-x86/arm, gcc / aarch64-linux-gnu-gcc, cpio, and a static
# BusyBox for the arch ($KTEST_BUSYBOX, else .deps/busybox/busybox-<arch>
# from tools/setup.sh, else /bin/busybox for x86_64). The kernel is
# Debian's linux-image-*-amd64/arm64 package, fetched once with
# `apt-get download` into $KTEST_LINUX_DIR (default /var/tmp/ktest-linux),
# or given directly as $KTEST_KERNEL.
#
# Linux does not mount devtmpfs for an initramfs, while Kevlar provides /dev
# itself, so the initramfs /init here is a two-line shim that mounts
# devtmpfs on /dev and execs the real suite init (same PID 1). Output is
# judged by the guest runner's rules. Exit 0 iff all passed.
# KTEST_KEEP=1 keeps the temp dir; KTEST_VM_TIMEOUT overrides the time limit;
# KTEST_ONLY=PATTERN runs only the matching scripts/programs (ktest.only=).
set -u
ARCH=${1:-x86_64}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LDIR=${KTEST_LINUX_DIR:-/var/tmp/ktest-linux}

case $ARCH in
x86_64)
    CC=gcc
    DEB=amd64
    BBDEF=$ROOT/.deps/busybox/busybox-x86_64
    [ -f "$BBDEF" ] || BBDEF=/bin/busybox
    ;;
aarch64)
    CC=aarch64-linux-gnu-gcc
    DEB=arm64
    BBDEF=$ROOT/.deps/busybox/busybox-aarch64
    ;;
*)
    echo "usage: $0 x86_64|aarch64" >&2
    exit 2
    ;;
esac
BB=${KTEST_BUSYBOX:-$BBDEF}
[ -f "$BB" ] || { echo "no static busybox for $ARCH (run tools/setup.sh)" >&2; exit 2; }

KERNEL=${KTEST_KERNEL:-}
if [ -z "$KERNEL" ]; then
    KERNEL=$(ls "$LDIR/$DEB"/boot/vmlinuz-* 2>/dev/null | head -n 1)
    if [ -z "$KERNEL" ]; then
        mkdir -p "$LDIR/$DEB"
        meta=linux-image-$DEB
        [ "$DEB" = arm64 ] && meta=linux-image-arm64:arm64
        pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -n 1)
        [ -n "$pkg" ] || { echo "cannot resolve $meta (apt-get update?)" >&2; exit 2; }
        [ "$DEB" = arm64 ] && pkg="${pkg%:arm64}:arm64"
        (cd "$LDIR" && apt-get download "$pkg" >/dev/null 2>&1) || { echo "apt-get download $pkg failed" >&2; exit 2; }
        dpkg-deb -x "$LDIR"/linux-image-*_"$DEB".deb "$LDIR/$DEB"
        KERNEL=$(ls "$LDIR/$DEB"/boot/vmlinuz-* | head -n 1)
    fi
fi

WORK=$(mktemp -d /var/tmp/ktest-vm.XXXXXX)
[ "${KTEST_KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
R=$WORK/root
mkdir -p "$R/bin" "$R/sbin" "$R/usr/bin" "$R/usr/sbin" "$R/proc" "$R/tmp" "$R/dev" "$R/tests"
cp "$BB" "$R/bin/busybox"
chmod 755 "$R/bin/busybox"
# applet links, BusyBox style (same applet set as the host busybox 1.35)
for a in $(busybox --list-full 2>/dev/null || "$BB" --list-full); do
    [ -e "$R/$a" ] || ln -s /bin/busybox "$R/$a"
done
for c in "$HERE"/*.c; do
    $CC -static -O2 -Wall -pthread -o "$R/tests/$(basename "$c" .c)" "$c" || exit 1
done
for s in "$HERE"/*.sh; do
    case ${s##*/} in run-*) continue ;; esac
    cp "$s" "$R/tests/"
done
cp "$HERE/init" "$R/sbin/ktest-init"
cat >"$R/init" <<'EOF'
#!/bin/sh
mount -t devtmpfs devtmpfs /dev
exec /sbin/ktest-init
EOF
chmod 755 "$R/init" "$R/sbin/ktest-init"
mknod "$R/dev/console" c 5 1 2>/dev/null || true
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) >"$WORK/initrd.gz"

LOG=$WORK/console.log
case $ARCH in
x86_64)
    # TCG by default (like Kevlar's own runs); KTEST_VM_ACCEL=kvm to try KVM
    ACCEL="-accel ${KTEST_VM_ACCEL:-tcg}"
    timeout ${KTEST_VM_TIMEOUT:-900} qemu-system-x86_64 $ACCEL -m 1024 -smp 2 -nographic -no-reboot \
        -kernel "$KERNEL" -initrd "$WORK/initrd.gz" \
        -append "console=ttyS0 panic=-1 quiet${KTEST_ONLY:+ ktest.only=$KTEST_ONLY}" </dev/null | tr -d '\r' | tee "$LOG"
    ;;
aarch64)
    timeout ${KTEST_VM_TIMEOUT:-1800} qemu-system-aarch64 -M virt -cpu cortex-a57 -m 1024 -smp 2 -nographic -no-reboot \
        -kernel "$KERNEL" -initrd "$WORK/initrd.gz" \
        -append "console=ttyAMA0 panic=-1 quiet${KTEST_ONLY:+ ktest.only=$KTEST_ONLY}" </dev/null | tr -d '\r' | tee "$LOG"
    ;;
esac

pass=$(grep -c '^KTEST PASS ' "$LOG")
fail=$(grep -c '^KTEST FAIL ' "$LOG")
skip=$(grep -c '^KTEST SKIP ' "$LOG")
total=$(sed -n 's/^KTEST END total=\([0-9]*\).*/\1/p' "$LOG" | tail -n 1)
# A SKIP (a check that does not apply to this kernel, README "Protocol")
# counts in the total, never as a pass; each is listed with its reason.
grep '^KTEST SKIP ' "$LOG" || true
if [ "$fail" -eq 0 ] && [ -n "$total" ] && [ $((pass + skip)) -eq "$total" ]; then
    echo "run-in-linux-vm($ARCH): OK: $pass passed, 0 failed, $skip skipped (total=$total)"
    exit 0
fi
grep '^KTEST FAIL ' "$LOG"
echo "run-in-linux-vm($ARCH): FAILED: $pass passed, $fail failed, $skip skipped (total=${total:-missing})"
exit 1
