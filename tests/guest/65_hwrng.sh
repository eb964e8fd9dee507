#!/bin/sh
# The kernel pool's hardware random source, /proc/driver/hw_random
# (kernel/procfs/driver_files.c). The QEMU tests plug in a virtio-rng
# device (tests/qemu_run.sh: virtio-mmio on arm64, virtio-pci on x86_64 and
# in //tests:qemu_arm64_balanced_pci), driven by drivers/virtio: its bytes
# must be in the pool at boot, and reading /dev/urandom must make the pool
# ask it for more, which arrive through the device's interrupt (MSI-X on
# x86_64, INTx or the virtio-mmio line on arm64). Linux has no such file:
# there the checks are reported as SKIP, never as PASS.
. "${KTEST_DIR:-/tests}/lib.sh"

F=/proc/driver/hw_random
CHECKS="hwrng.rng_current hwrng.state hwrng.bytes_mixed hwrng.on_demand"

skip_all() {
    for c in $CHECKS; do
        kt_skip "$c" "$1"
    done
    kt_done
}

field() {
    sed -n "s/^$1[[:space:]]*: *//p" "$F"
}

grep -q kevlar /proc/version 2>/dev/null || skip_all "not Kevlar (Linux shows hw_random in sysfs)"

kt_eq hwrng.rng_current "virtio_rng.0" "$(field rng_current)"
kt_eq hwrng.state "ok" "$(field state)"
b0=$(field bytes_mixed)
kt_num hwrng.bytes_mixed "$b0" -gt 0

# Every 4096 bytes of output the pool asks the device for 64 more; they
# arrive from its interrupt handler.
head -c 65536 /dev/urandom >/dev/null
b1=$b0
for i in 1 2 3 4 5 6 7 8 9 10; do
    b1=$(field bytes_mixed)
    [ "$b1" -gt "$b0" ] 2>/dev/null && break
    sleep 0.2
done
if [ -n "$b1" ] && [ "$b1" -gt "$b0" ] 2>/dev/null; then
    kt_pass hwrng.on_demand
else
    kt_fail hwrng.on_demand "bytes_mixed stayed at $b0 after reading 64 KiB of /dev/urandom ($(field requests) requests)"
fi
kt_done
