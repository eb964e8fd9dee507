#!/bin/sh
# Boot the dynamic-program suite (tests/dyn/, the image //tests:initramfs_dyn_<arch>)
# on Debian's Linux 6.1 in the same QEMU, to prove every check is right on Linux.
#
#   tests/dyn/run-in-linux-vm.sh x64|arm64
#
# The kernel is .deps/linux/<arch>/kernel (tools/fetch-linux.sh, run by tools/setup.sh).
# Linux does not mount devtmpfs for an initramfs, while Kevlar provides /dev itself, so a
# second cpio archive appended to the image (Linux unpacks them in order) replaces /init
# with a shim that mounts devtmpfs (and devpts on /dev/pts, as Kevlar's boot and a
# distribution's do) and runs the suite's init as PID 1. Exit 0 iff every
# check passed or was skipped; KTEST SKIP lines are listed.
set -eu
ARCH=${1:-x64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
bazel build "//tests:initramfs_dyn_$ARCH" >/dev/null 2>&1
IMG=$(bazel info bazel-bin 2>/dev/null)/tests/initramfs_dyn_$ARCH.cpio
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/r/sbin"
cp tests/guest/init "$WORK/r/sbin/ktest-init"
printf '#!/bin/sh\nmount -t devtmpfs devtmpfs /dev\nmkdir -p /dev/pts\nmount -t devpts -o gid=5,mode=620 devpts /dev/pts\nexec /sbin/ktest-init\n' >"$WORK/r/init"
chmod 755 "$WORK/r/init" "$WORK/r/sbin/ktest-init"
(cd "$WORK/r" && find . | cpio -o -H newc --quiet) | cat "$IMG" - >"$WORK/initrd"
case $ARCH in
x64) q="qemu-system-x86_64 -M q35 -cpu max" con=ttyS0 ;;
arm64) q="qemu-system-aarch64 -M virt -cpu cortex-a76" con=ttyAMA0 ;;
*) echo "usage: $0 x64|arm64" >&2; exit 2 ;;
esac
timeout "${KTEST_VM_TIMEOUT:-900}" $q -m 1G -nographic -no-reboot -kernel .deps/linux/$ARCH/kernel \
    -initrd "$WORK/initrd" -append "console=$con panic=-1 quiet" </dev/null |
    tr -d '\r' | tee "$WORK/log" | grep -E '^KTEST|^ktest:' || true
pass=$(grep -c '^KTEST PASS ' "$WORK/log" || true)
skip=$(grep -c '^KTEST SKIP ' "$WORK/log" || true)
fail=$(grep -c '^KTEST FAIL ' "$WORK/log" || true)
total=$(sed -n 's/^KTEST END total=\([0-9]*\).*/\1/p' "$WORK/log" | tail -n 1)
echo "linux ($ARCH): $pass passed, $fail failed, $skip skipped, total=${total:-missing}"
[ "$fail" -eq 0 ] && [ -n "$total" ] && [ $((pass + skip)) -eq "$total" ]
