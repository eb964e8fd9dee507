#!/usr/bin/env bash
# Boot a Kevlar kernel in QEMU (TCG) with an initramfs and judge the guest's verdict.
#
#   qemu_run.sh --arch x64|arm64 --initrd FILE|none [--timeout SECONDS] [--append ARGS]
#               [--expect REGEX]... [--interactive] [--kernel FILE] KERNEL_FILE...
#
# KERNEL_FILE...: the outputs of a kernel_image target; the bootable one is picked:
# kernel.elf on x64 (PVH entry), Image on arm64 (QEMU passes the DTB in x0).
# --kernel FILE boots FILE as is instead (bench/compare.sh: Debian's Linux in the same
# QEMU configuration).
# Used by the //tests:qemu_* sh_tests (bazel passes the runfiles paths) and, with
# --interactive, by tools/run-qemu.sh.
#
# KTEST protocol (one line each, at the start of a line on the console):
#   KTEST PASS <name>
#   KTEST FAIL <name> <why>
#   KTEST SKIP <name> <why>      (the check does not apply to this machine)
#   KTEST END total=<N>          (once, after the last case)
# The test passes only if the END line is there, N >= 1, the number of PASS plus SKIP
# lines is N (every SKIP line is listed with its reason), there is no FAIL line, no line contains "KERNEL PANIC", and QEMU ended by itself
# before the timeout (PSCI SYSTEM_OFF on arm64, isa-debug-exit on x64): a hang fails.
#
# With --expect (the bad-input boots: no, malformed or truncated initramfs, an init
# that is not an ELF for this arch) the KTEST protocol is not used: the test passes
# only if every REGEX (grep -E) matches a console line, there is at most one
# "KERNEL PANIC" line (a fault while panicking would add more), and QEMU ended by
# itself before the timeout. --initrd none boots without -initrd.
set -u

arch="" initrd="" timeout_s=300 append="" interactive=0 kernels=() expects=() kernel_file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --initrd) initrd=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --interactive) interactive=1; shift ;;
    --expect) expects+=("$2"); shift 2 ;;
    --kernel) kernel_file=$2; shift 2 ;;
    -*) echo "qemu_run: unknown option $1" >&2; exit 2 ;;
    *) kernels+=("$1"); shift ;;
  esac
done

case "$arch" in
  x64) want=kernel.elf ;;
  arm64) want=Image ;;
  *) echo "qemu_run: --arch must be x64 or arm64" >&2; exit 2 ;;
esac
kernel=""
for k in "${kernels[@]}"; do
  [ "$(basename "$k")" = "$want" ] && kernel=$k
done
[ -n "$kernel_file" ] && kernel=$kernel_file
if [ -z "$kernel" ] || [ ! -f "$kernel" ] || { [ "$initrd" != none ] && [ ! -f "$initrd" ]; }; then
  echo "qemu_run: need a $want among the kernel files (${kernels[*]:-none}) and an initrd ($initrd)" >&2
  exit 2
fi

# Never -enable-kvm: KVM is broken on the build machines; TCG only.
case "$arch" in
  x64)
    qemu=(qemu-system-x86_64 -M q35 -cpu max -m 512M -no-reboot
          -device isa-debug-exit,iobase=0xf4,iosize=0x04)
    cmdline="console=ttyS0 rdinit=/init" ;;
  arm64)
    # A virtio-rng device on virtio-mmio, modern interface (QEMU's virtio-mmio
    # default is legacy): drivers/virtio drives it, /tests/65_hwrng.sh checks it.
    qemu=(qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a72 -m 512M -no-reboot
          -global virtio-mmio.force-legacy=false -device virtio-rng-device)
    cmdline="console=ttyAMA0 rdinit=/init" ;;
esac
[ -n "$append" ] && cmdline="$cmdline $append"
qemu+=(-kernel "$kernel" -append "$cmdline")
[ "$initrd" != none ] && qemu+=(-initrd "$initrd")
# Extra QEMU arguments for experiments, e.g. KEVLAR_QEMU_ARGS="-smp 2 -s -S".
# shellcheck disable=SC2206
qemu+=(${KEVLAR_QEMU_ARGS:-})

if [ "$interactive" = 1 ]; then
  # Serial console and QEMU monitor multiplexed on the terminal: ^A x quits, ^A c monitor.
  exec "${qemu[@]}" -nographic
fi

log_dir=${TEST_UNDECLARED_OUTPUTS_DIR:-$(mktemp -d)}
mkdir -p "$log_dir"
log="$log_dir/serial.log"
echo "qemu_run: ${qemu[*]}"
echo "qemu_run: timeout ${timeout_s}s, serial log $log"
echo "----------------------------------------------------------------- guest console"
start=$(date +%s)
timeout -k 10 "$timeout_s" "${qemu[@]}" -nographic -serial stdio -monitor none \
  </dev/null 2>&1 | tee "$log"
qemu_status=${PIPESTATUS[0]}
elapsed=$(( $(date +%s) - start ))
echo "----------------------------------------------------------------- end of console"

clean=$(tr -d '\r' <"$log")
count() { grep -c -E "$1" <<<"$clean"; }
npass=$(count '^KTEST PASS ')
nfail=$(count '^KTEST FAIL ')
nskip=$(count '^KTEST SKIP ')
npanic=$(count 'KERNEL PANIC')
total=$(grep -E '^KTEST END total=[0-9]+' <<<"$clean" | tail -n 1 | sed -E 's/^KTEST END total=([0-9]+).*/\1/')
timed_out=no
[ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ] && timed_out=yes

if [ ${#expects[@]} -gt 0 ]; then
  reasons=()
  for re in "${expects[@]}"; do
    grep -q -E -- "$re" <<<"$clean" || reasons+=("no console line matches '$re'")
  done
  [ "$npanic" -gt 1 ] && reasons+=("$npanic KERNEL PANIC lines (a fault while panicking?)")
  [ "$timed_out" = yes ] && reasons+=("timed out after ${timeout_s}s (hang)")
  echo "qemu_run: $arch, ${elapsed}s, qemu status $qemu_status, expected ${#expects[@]} line(s)"
  if [ ${#reasons[@]} -eq 0 ]; then
    echo "qemu_run: PASSED"
    exit 0
  fi
  msg=""
  for r in "${reasons[@]}"; do msg="${msg:+$msg; }$r"; done
  echo "qemu_run: FAILED: $msg"
  exit 1
fi

reasons=()
[ -z "$total" ] && reasons+=("no 'KTEST END total=N' line")
[ -n "$total" ] && [ "$total" -lt 1 ] && reasons+=("END reports total=$total")
[ -n "$total" ] && [ $((npass + nskip)) != "$total" ] &&
  reasons+=("$npass PASS + $nskip SKIP lines, END says total=$total")
[ "$nfail" != 0 ] && reasons+=("$nfail FAIL lines")
[ "$npanic" != 0 ] && reasons+=("kernel panic")
[ "$timed_out" = yes ] && reasons+=("timed out after ${timeout_s}s (hang)")

echo "qemu_run: $arch, ${elapsed}s, qemu status $qemu_status"
echo "qemu_run: PASS $npass, FAIL $nfail, SKIP $nskip, END total=${total:-missing}, panic $([ "$npanic" = 0 ] && echo no || echo yes), timeout $timed_out"
if [ "$nfail" != 0 ]; then
  grep -E '^KTEST FAIL ' <<<"$clean" | sed 's/^/qemu_run:   /'
fi
if [ "$nskip" != 0 ]; then
  grep -E '^KTEST SKIP ' <<<"$clean" | sed 's/^/qemu_run:   /'
fi
if [ ${#reasons[@]} -eq 0 ]; then
  echo "qemu_run: PASSED"
  exit 0
fi
msg=""
for r in "${reasons[@]}"; do msg="${msg:+$msg; }$r"; done
echo "qemu_run: FAILED: $msg"
exit 1
