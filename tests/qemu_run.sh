#!/usr/bin/env bash
# Boot a Kevlar kernel in QEMU (TCG) with an initramfs and judge the guest's verdict.
#
#   qemu_run.sh --arch x64|arm64 --initrd FILE|none [--timeout SECONDS] [--append ARGS] [--mem SIZE]
#               [--expect REGEX]... [--interactive] [--kernel FILE] [--console TTY|none]
#               [--input WORD] [--second-uart] [--smp N] [--gic 2|3] KERNEL_FILE...
#   qemu_run.sh --arch x64|arm64 [--machine M] [--bios FILE] [--disk FILE] [--cdrom FILE]
#               [--tftp NAME=FILE]... [--timeout SECONDS] [--expect REGEX]...
#
# KERNEL_FILE...: the outputs of a kernel_image target; the bootable one is picked:
# kernel.elf on x64 (PVH entry), Image on arm64 (QEMU passes the DTB in x0).
# Without KERNEL_FILEs the firmware boots the machine from a boot medium (the
# boot-path tests): --bios FILE replaces QEMU's firmware (U-Boot, OVMF); --disk FILE
# is a raw disk (arm64: virtio-blk; x64: the first ATA/AHCI disk); --cdrom FILE a CD;
# --tftp NAME=FILE puts FILE in the TFTP root of QEMU's user network (a virtio-net
# device on arm64, the default NIC on x64) under NAME, and the first NAME is the
# DHCP boot file. Media are opened with snapshot=on: the guest never writes them.
# --machine: the x64 machine (q35, default, or pc), or on arm64 raspi3b or
# xlnx-zcu102 instead of virt (with --dtb FILE, the board's device tree). Firmware
# waits at its prompt when nothing boots: the timeout ends that, and the log shows
# the firmware's output.
# --console TTY: "console=TTY" on the command line instead of the machine's default
# (ttyS0, ttyAMA0, ttyPS0); "none" passes no console= (the tree's stdout-path
# chooses).
# --smp N: N CPUs (QEMU's -smp; raspi3b always has 4). --gic 2|3: arm64 virt's
# interrupt controller (default GICv3).
# --second-uart: only the machine's second serial port on stdio (-serial null -serial
# stdio): raspi3b's mini UART (ttyS1), zcu102's second Cadence UART (ttyPS1).
# --input WORD: type WORD and Enter on the console once the guest prints
# "ktest: waiting for console input" (tests/guest/80_console_input.sh).
# The summary gives the time from QEMU's start to the first KTEST line (boot time).
# --vdisk FILE[,ro|,snapshot] (repeatable) attaches a copy of FILE (kept writable, in
# $TEST_TMPDIR) as a virtio-blk disk: the first one is /dev/vda, the next /dev/vdb, ...
# (arm64: virtio-blk-device on virtio-mmio; x64: virtio-blk-pci). Without a kernel
# file, the firmware boots from the first one (x64: bootindex=0; the PC disk images,
# build/mkpcdisk.py). ",ro" makes it
# read-only (VIRTIO_BLK_F_RO); ",snapshot" keeps the guest's writes out of the copy.
# --vdisk-check SCRIPT runs "python3 SCRIPT COPY..." after QEMU ended, with the copies
# in --vdisk order: what the guest wrote must be on the disks; its failure fails the
# test. --legacy-mmio (arm64): QEMU's default legacy (version 1) virtio-mmio devices
# instead of the modern ones. --pci (arm64 virt): the virtio devices (the entropy
# source and the --vdisk disks) as virtio-pci functions on the PCIe host instead of
# virtio-mmio; x64 always has them on PCI (and a virtio-rng-pci).
# --nic OPTS: a virtio-net NIC on QEMU's user network, -netdev user,id=net0,OPTS (e.g.
# restrict=on,hostfwd=...; tests/net/net_test.sh): virtio-net-device on arm64 virt's
# virtio-mmio (legacy with --legacy-mmio), virtio-net-pci on x64 and with --pci.
# --kernel FILE boots FILE as is instead of a KERNEL_FILE (bench/compare.sh: Debian's
# Linux in the same QEMU configuration).
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
# itself before the timeout; and no console line matches a --reject REGEX (what
# must not be shown, e.g. the informational boot lines under "quiet"). --initrd
# none boots without -initrd.
set -u

arch="" initrd="" timeout_s=300 append="" interactive=0 kernels=() expects=() rejects=()
machine="" dtb="" bios="" disk="" cdrom="" tftp=() loader="" kernel_file="" plugin=""
console="" input="" second_uart=0 smp="" gic=3 vdisks=() vdisk_check="" legacy_mmio=0 pci=0
nic=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --initrd) initrd=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --interactive) interactive=1; shift ;;
    --dtb) dtb=$2; shift 2 ;;           # the board's DTB, for boards whose loader gives none
    --loader) loader=$2; shift 2 ;;     # raspi3b: a boot loader started as -kernel (U-Boot)
    --expect) expects+=("$2"); shift 2 ;;
    --reject) rejects+=("$2"); shift 2 ;;
    --machine) machine=$2; shift 2 ;;
    --bios) bios=$2; shift 2 ;;
    --disk) disk=$2; shift 2 ;;
    --cdrom) cdrom=$2; shift 2 ;;
    --tftp) tftp+=("$2"); shift 2 ;;
    --kernel) kernel_file=$2; shift 2 ;;
    --plugin) plugin=$2; shift 2 ;;     # a TCG plugin: -plugin SPEC (bench/compare.sh --insns)
    --console) console=$2; shift 2 ;;
    --input) input=$2; shift 2 ;;
    --second-uart) second_uart=1; shift ;;
    --vdisk) vdisks+=("$2"); shift 2 ;;
    --vdisk-check) vdisk_check=$2; shift 2 ;;
    --pci) pci=1; shift ;;
    --nic) nic=$2; shift 2 ;;
    --legacy-mmio) legacy_mmio=1; shift ;;
    --cpu) KEVLAR_ARM64_CPU=$2; shift 2 ;;  # arm64 virt: the CPU model (default cortex-a76)
    --mem) KEVLAR_QEMU_MEM=$2; shift 2 ;;   # guest RAM (default 512M)
    --smp) smp=$2; shift 2 ;;               # CPUs (-smp N; raspi3b always has 4)
    --gic) gic=$2; shift 2 ;;               # arm64 virt: GIC version 2 or 3 (default 3)
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
if [ ${#kernels[@]} -eq 0 ] && [ -z "$kernel_file" ]; then
  # Firmware boot: a medium is needed, the loader brings its own initrd.
  if [ -z "$disk$cdrom" ] && [ ${#tftp[@]} -eq 0 ] && [ ${#vdisks[@]} -eq 0 ]; then
    echo "qemu_run: no kernel: need --disk, --cdrom, --vdisk or --tftp" >&2
    exit 2
  fi
  for f in "$bios" "$disk" "$cdrom"; do
    [ -z "$f" ] || [ -f "$f" ] || { echo "qemu_run: no such file: $f" >&2; exit 2; }
  done
elif [ -z "$kernel" ] || [ ! -f "$kernel" ] || { [ "$initrd" != none ] && [ ! -f "$initrd" ]; }; then
  echo "qemu_run: need a $want among the kernel files (${kernels[*]:-none}) and an initrd ($initrd)" >&2
  exit 2
fi

# Never -enable-kvm: KVM is broken on the build machines; TCG only.
case "$arch" in
  x64)
    # A virtio-rng-pci device: drivers/virtio's PCI transport drives it (MSI-X),
    # /tests/65_hwrng.sh checks it.
    qemu=(qemu-system-x86_64 -M "${machine:-q35}" -cpu max -m ${KEVLAR_QEMU_MEM:-512M} -no-reboot
          -device isa-debug-exit,iobase=0xf4,iosize=0x04 -device virtio-rng-pci)
    tty=ttyS0 ;;
  arm64)
    # A virtio-rng device on virtio-mmio, modern interface (QEMU's virtio-mmio
    # default is legacy): drivers/virtio drives it, /tests/65_hwrng.sh checks it.
    # -cpu cortex-a76 (Armv8.2: hardware PAN); KEVLAR_ARM64_CPU=cortex-a72 (Armv8.0, no
    # PAN) runs the HAL's TTBR0 PAN emulation instead (//tests:qemu_arm64_*_pan_emulation).
    modern=(-global virtio-mmio.force-legacy=false)
    [ "$legacy_mmio" = 1 ] && modern=()
    rng=virtio-rng-device
    [ "$pci" = 1 ] && rng=virtio-rng-pci
    qemu=(qemu-system-aarch64 -M "virt,gic-version=$gic" -cpu "${KEVLAR_ARM64_CPU:-cortex-a76}" -m ${KEVLAR_QEMU_MEM:-512M} -no-reboot
          "${modern[@]}" -device $rng)
    tty=ttyAMA0
    case "$machine" in
      raspi3b | xlnx-zcu102)
        [ -f "$dtb" ] || { echo "qemu_run: $machine needs --dtb FILE" >&2; exit 2; } ;;
    esac
    if [ "$machine" = raspi3b ]; then
      # Raspberry Pi 3B (boards/raspi3b): 1 GiB, 4 Cortex-A53, the real DTB. Its
      # stdout-path is the mini UART; console= picks the PL011 (QEMU's first serial).
      qemu=(qemu-system-aarch64 -M raspi3b -no-reboot -dtb "$dtb")
    elif [ "$machine" = xlnx-zcu102 ]; then
      # Xilinx ZCU102 (boards/zcu102): 4 Cortex-A53 at EL1 (QEMU's defaults, secure=off,
      # virtualization=off) with QEMU's own PSCI over SMC, as the tree's /psci says;
      # the Cadence UARTs are QEMU's first and second serial ports (ttyPS0, ttyPS1).
      qemu=(qemu-system-aarch64 -M xlnx-zcu102 -m ${KEVLAR_QEMU_MEM:-512M} -no-reboot -dtb "$dtb")
      tty=ttyPS0
    fi ;;
esac
# -smp N: on raspi3b QEMU fixes 4 cores (its -smp may only say 4).
[ -n "$smp" ] && [ "$machine" != raspi3b ] && qemu+=(-smp "$smp")
console=${console:-$tty}
cmdline="rdinit=/init"
[ "$console" != none ] && cmdline="console=$console $cmdline"
[ -n "$append" ] && cmdline="$cmdline $append"
if [ -n "$kernel" ]; then
  qemu+=(-kernel "$kernel" -append "$cmdline")
  [ "$initrd" != none ] && qemu+=(-initrd "$initrd")
elif [ -n "$loader" ]; then
  # The Raspberry Pi firmware's job: start the boot loader (U-Boot) at 0x80000.
  qemu+=(-kernel "$loader")
fi
[ -n "$bios" ] && qemu+=(-bios "$bios")
[ -n "$plugin" ] && qemu+=(-plugin "$plugin")
# snapshot=on keeps the guest's writes in a temporary file under $TMPDIR (QEMU's
# default, /var/tmp, is read-only in Bazel's sandbox).
export TMPDIR=${TEST_TMPDIR:-${TMPDIR:-/tmp}}
if [ -n "$disk" ] && [ "$machine" = raspi3b ]; then
  qemu+=(-drive "if=sd,file=$disk,format=raw,snapshot=on") # the SD card slot
elif [ -n "$disk" ]; then
  case "$arch" in
    x64) qemu+=(-drive "file=$disk,format=raw,media=disk,snapshot=on") ;;
    arm64) qemu+=(-drive "if=none,id=disk0,file=$disk,format=raw,snapshot=on"
                  -device virtio-blk-device,drive=disk0) ;;
  esac
fi
if [ -n "$nic" ]; then
  nicdev=virtio-net-pci
  [ "$arch" = arm64 ] && [ "$pci" != 1 ] && nicdev=virtio-net-device
  qemu+=(-netdev "user,id=net0,$nic" -device "$nicdev,netdev=net0")
fi
[ -n "$cdrom" ] && qemu+=(-drive "file=$cdrom,format=raw,media=cdrom,readonly=on")
# --vdisk: writable copies. QEMU's virt machine plugs the first virtio-mmio device into
# the highest transport address, and the kernel (like Linux) names disks in tree order,
# lowest address first: so arm64 gets them last to first, and the first is vda.
vdisk_copies=() vdisk_args=()
for i in "${!vdisks[@]}"; do
  spec=${vdisks[$i]} file=${spec%%,*} opts=""
  [ "$spec" != "$file" ] && opts=${spec#*,}
  [ -f "$file" ] || { echo "qemu_run: no such disk image: $file" >&2; exit 2; }
  copy="${TEST_TMPDIR:-/tmp}/vdisk$i.img"
  cp "$file" "$copy" && chmod u+w "$copy"
  vdisk_copies+=("$copy")
  drive="if=none,id=vd$i,file=$copy,format=raw"
  case ",$opts," in *,ro,*) drive="$drive,readonly=on" ;; esac
  case ",$opts," in *,snapshot,*) drive="$drive,snapshot=on" ;; esac
  # PCI (x64, arm64 --pci): functions in slot order, the first --vdisk in the lowest.
  if [ "$arch" = x64 ] || [ "$pci" = 1 ]; then
    # Firmware boot (no kernel file): the first disk is the one to boot from.
    boot=""
    [ -z "$kernel" ] && [ -z "$loader" ] && [ "$i" = 0 ] && boot=",bootindex=0"
    vdisk_args+=(-drive "$drive" -device "virtio-blk-pci,drive=vd$i$boot")
  else
    vdisk_args=(-drive "$drive" -device "virtio-blk-device,drive=vd$i" "${vdisk_args[@]}")
  fi
done
qemu+=("${vdisk_args[@]}")
# SeaBIOS sets up every virtio-blk-pci disk for booting, with rings in memory it
# reserves at the top of RAM: with four disks that reaches the -initrd QEMU put just
# below, and the kernel refuses an initrd outside RAM. strict=on limits SeaBIOS to
# the boot order's devices (the -kernel loader).
[ "$arch" = x64 ] && [ ${#vdisks[@]} -gt 0 ] && [ -n "$kernel" ] && qemu+=(-boot strict=on)
if [ ${#tftp[@]} -gt 0 ]; then
  tftp_dir=$(mktemp -d "${TEST_TMPDIR:-/tmp}/tftp.XXXXXX")
  for t in "${tftp[@]}"; do
    cp "${t#*=}" "$tftp_dir/${t%%=*}"
  done
  netdev="user,id=n0,tftp=$tftp_dir,bootfile=${tftp[0]%%=*}"
  case "$arch" in
    x64) qemu+=(-netdev "$netdev" -device e1000,netdev=n0) ;;
    arm64) qemu+=(-netdev "$netdev" -device virtio-net-device,netdev=n0) ;;
  esac
fi
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
# stamp: copy the console through, noting in $log.first when the first KTEST line
# came (seconds since QEMU started, bash's $EPOCHREALTIME).
stamp() {
  local line seen=0
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s\n' "$line"
    if [ "$seen" = 0 ] && [[ "$line" == *"KTEST "* ]]; then
      seen=1
      awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f\n", b - a }' >"$log.first"
    fi
  done
}
rm -f "$log.first"
start=$(date +%s)
t0=$EPOCHREALTIME
# One serial port on stdio; on raspi3b both (the PL011, and the mini UART the
# firmware and U-Boot use), multiplexed.
serial=(-serial stdio)
[ "$machine" = raspi3b ] &&
  serial=(-chardev stdio,id=con,mux=on,signal=off -serial chardev:con -serial chardev:con)
# The second UART alone, so that the console and its input are that port's.
[ "$second_uart" = 1 ] && serial=(-serial null -serial stdio)
# --input: QEMU's stdin is a FIFO that a helper writes WORD into once the guest asks.
stdin=/dev/null
if [ -n "$input" ]; then
  stdin=$(mktemp -u "${TEST_TMPDIR:-/tmp}/input.XXXXXX")
  mkfifo "$stdin"
  : >"$log"
  (
    exec 3>"$stdin" # holds the FIFO open until QEMU is gone
    for _ in $(seq "$timeout_s"); do
      grep -q 'ktest: waiting for console input' "$log" 2>/dev/null && break
      sleep 1
    done
    sleep 1
    printf '%s\n' "$input" >&3
    while [ ! -e "$stdin.done" ]; do sleep 1; done
  ) &
  input_pid=$!
fi
timeout -k 10 "$timeout_s" "${qemu[@]}" -nographic "${serial[@]}" -monitor none \
  <"$stdin" 2>&1 | stamp | tee "$log"
qemu_status=${PIPESTATUS[0]}
if [ -n "$input" ]; then
  touch "$stdin.done"
  kill "$input_pid" 2>/dev/null
  wait "$input_pid" 2>/dev/null
  rm -f "$stdin" "$stdin.done"
fi
elapsed=$(( $(date +%s) - start ))
first_ktest="none"
[ -f "$log.first" ] && first_ktest="$(cat "$log.first")s"
echo "qemu_run: first KTEST line after $first_ktest (wall time from QEMU's start)"
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
  for re in ${rejects[@]+"${rejects[@]}"}; do
    grep -q -E -- "$re" <<<"$clean" && reasons+=("a console line matches '$re', which must not be shown")
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
if [ -n "$vdisk_check" ]; then
  echo "qemu_run: checking the disks: python3 $vdisk_check ${vdisk_copies[*]}"
  python3 "$vdisk_check" "${vdisk_copies[@]}" | sed 's/^/qemu_run:   /'
  [ "${PIPESTATUS[0]}" = 0 ] || reasons+=("the disks do not hold what the guest wrote")
fi

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
