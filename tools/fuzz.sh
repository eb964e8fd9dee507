#!/usr/bin/env bash
# The long syscall-fuzzing campaign (docs/reliability.md): boot the fuzzer's image
# (tests/fuzz/init + tests/fuzz/sysfuzz.c) again and again, one seed after the other,
# until the time is up or a run fails.
#
#   tools/fuzz.sh --hours N [--arch x64|arm64] [--profile P] [--seed S] [--calls C]
#                 [--smp N] [--verbose]
#
# --hours: wall time (fractions allowed: --hours 0.5). --arch (default x64), --profile
# (default balanced): the test kernel //tests:kernel_<board>_<profile>. --seed: the first
# seed (default: from the clock; printed), each run then takes the next one. --calls:
# calls per phase and run (default 200000: about 3 min a run under TCG). --smp: QEMU's
# -smp. --verbose: fuzz.verbose=1, every call logged before it is made (slow; for
# reproducing a finding with its seed).
# Each run's console log is kept in fuzz-logs/<arch>_<profile>_<seed>.log; the first
# failing run stops the campaign, prints its log's tail and exits 1. The verdict of each
# run is tests/qemu_run.sh's (KTEST protocol, "KERNEL PANIC", timeout).
set -eu
cd "$(dirname "$0")/.."

hours="" arch=x64 profile=balanced seed="" calls=200000 smp="" verbose=0
while [ $# -gt 0 ]; do
  case "$1" in
    --hours) hours=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --calls) calls=$2; shift 2 ;;
    --smp) smp=$2; shift 2 ;;
    --verbose) verbose=1; shift ;;
    *) echo "usage: $0 --hours N [--arch x64|arm64] [--profile P] [--seed S] [--calls C] [--smp N] [--verbose]" >&2; exit 2 ;;
  esac
done
[ -n "$hours" ] || { echo "$0: --hours N is required" >&2; exit 2; }
case "$arch" in x64) board=q35 ;; arm64) board=qemu_virt ;; *) echo "$0: --arch x64|arm64" >&2; exit 2 ;; esac
case "$profile" in fortress|balanced|performance|ludicrous) ;; *) echo "$0: unknown profile $profile" >&2; exit 2 ;; esac
seed=${seed:-$(date +%s)}

bazel build "//tests:kernel_${board}_${profile}" "//tests:initramfs_fuzz_${arch}"
bin=$(bazel info bazel-bin 2>/dev/null)
end=$(awk -v h="$hours" -v now="$(date +%s)" 'BEGIN { printf "%d", now + h * 3600 }')
mkdir -p fuzz-logs
runs=0 total=0
# A run's time limit: generous, TCG on a loaded machine (calls / 500 per second).
limit=$(( 120 + calls * 2 / 500 ))
echo "fuzz.sh: $arch $profile, first seed $seed, $calls calls per phase, until $(date -d "@$end")"
while [ "$(date +%s)" -lt "$end" ]; do
  log=fuzz-logs/${arch}_${profile}_${seed}.log
  append="fuzz.seed=$seed fuzz.calls=$calls"
  [ "$verbose" = 1 ] && append="$append fuzz.verbose=1"
  extra=()
  [ -n "$smp" ] && extra=(--smp "$smp")
  if ! TEST_UNDECLARED_OUTPUTS_DIR=$(mktemp -d) tests/qemu_run.sh --arch "$arch" --timeout "$limit" \
      --initrd "$bin/tests/initramfs_fuzz_${arch}.cpio" --append "$append" "${extra[@]}" \
      "$bin/tests/kernel_${board}_${profile}"/* >"$log" 2>&1; then
    echo "fuzz.sh: seed $seed FAILED after $runs good runs ($total calls); log: $log"
    tail -n 40 "$log"
    exit 1
  fi
  runs=$((runs + 1))
  total=$((total + 2 * calls))
  echo "fuzz.sh: seed $seed passed ($runs runs, $total calls)"
  seed=$((seed + 1))
done
echo "fuzz.sh: $arch $profile: $runs runs, $total calls, no finding"
