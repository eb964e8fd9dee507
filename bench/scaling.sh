#!/usr/bin/env bash
# Throughput with every CPU in use: our kernel (smp_sched=1) and Debian's Linux 6.1
# ("fair": nokaslr kpti=0 mitigations=off) at -smp 1, 2 and 4 in the same QEMU (TCG).
#
#   bench/scaling.sh [--arch x64|arm64] [--runs N] [--scale S] [--smp "1 2 4"]
#                    [--profile P] [--linux-dir DIR] [--timeout S] [--no-insns]
#
# Boots the benchmark initramfs (//bench:initramfs_<arch>) with bench.mode=scaling, so
# /init runs bench/scale.c: N workers (one per CPU, pinned) doing getpid, pipe
# ping-pong pairs, fork+exit, and BusyBox "xargs -P N gzip" over files in tmpfs; each
# prints "SCALE <name> cpus=N ops=... ns=... ops_per_s=...". The rounds are interleaved
# (every kernel at every -smp once per round). Prints a Markdown table per arch: median
# ops/s of each kernel at each -smp, ours/Linux at each -smp, and the speed-ups 1->2 and
# 1->4 of both; then, unless --no-insns, instructions per operation at -smp 1 (one boot
# per kernel under bench/plugin/insncount.c, which counts one vCPU only).
#
# The machine's load is printed with the table: with 2 host cores, -smp 4 cannot run 4
# vCPUs at once, and other work on the host takes from the guest. Benchmarks, not tests.
set -eu
cd "$(dirname "$0")/.."

arch=x64 runs=3 scale=1 smps="1 2 4" profile=balanced timeout_s=1200 insns=1
linux_dir=${KEVLAR_LINUX_DIR:-.deps/linux}
usage() {
  echo "usage: $0 [--arch x64|arm64] [--runs N] [--scale S] [--smp \"1 2 4\"] [--profile P] [--linux-dir DIR] [--timeout S] [--no-insns]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --scale) scale=$2; shift 2 ;;
    --smp) smps=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --linux-dir) linux_dir=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --no-insns) insns=0; shift ;;
    *) usage ;;
  esac
done
case "$arch" in x64) kname=kernel.elf ;; arm64) kname=Image ;; *) usage ;; esac
[ -f "$linux_dir/$arch/kernel" ] || { echo "scaling: no $linux_dir/$arch/kernel: run tools/setup.sh" >&2; exit 1; }

targets=("//bench:initramfs_$arch" "//:kernel_${arch}_$profile")
[ "$insns" = 1 ] && targets+=(//bench/plugin:libinsncount.so)
bazel build --jobs=2 "${targets[@]}" >&2
bin=$(bazel info bazel-bin 2>/dev/null)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$bin/bench/initramfs_$arch.cpio" "$work/initramfs.cpio"
cp "$bin/kernel_${arch}_$profile/$kname" "$work/$kname"
[ "$insns" = 1 ] && cp "$bin/bench/plugin/libinsncount.so" "$work/"

kernels() { # "name file extra-append"
  echo "ours $work/$kname smp_sched=1"
  echo "linux $linux_dir/$arch/kernel nokaslr kpti=0 mitigations=off"
}

raw=$work/raw.tsv
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for run in $(seq 1 "$runs"); do
  for smp in $smps; do
    while read -r name file extra; do
      echo "scaling: run $run/$runs, $arch $name -smp $smp" >&2
      if ! tests/qemu_run.sh --arch "$arch" --smp "$smp" --timeout "$timeout_s" \
          --initrd "$work/initramfs.cpio" --kernel "$file" \
          --append "bench.mode=scaling bench.scale=$scale $extra" --expect '^SCALE END' \
          </dev/null >"$work/boot.log" 2>&1; then
        echo "scaling: $arch $name -smp $smp run $run FAILED; last lines:" >&2
        tr -d '\r' <"$work/boot.log" | tail -n 15 | sed 's/^/  | /' >&2
        continue
      fi
      tr -d '\r' <"$work/boot.log" | grep -E '^SCALE [a-z]+ cpus=' |
        sed -E "s/^SCALE ([a-z]+) cpus=([0-9]+) .*ops_per_s=([0-9.]+).*/$name\t$smp\t\1\t\2\t\3/" >>"$raw"
    done < <(kernels)
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

if [ "$insns" = 1 ]; then
  while read -r name file extra; do
    echo "scaling: instruction count, $arch $name -smp 1" >&2
    rm -f "$work/insns.txt"
    if tests/qemu_run.sh --arch "$arch" --smp 1 --timeout "$timeout_s" \
        --initrd "$work/initramfs.cpio" --kernel "$file" \
        --append "bench.mode=scaling bench.scale=$scale $extra" --expect '^SCALE END' \
        --plugin "$work/libinsncount.so,arg=out=$work/insns.txt,arg=mem=off" </dev/null >"$work/count.log" 2>&1; then
      # The k-th INSNS line belongs to the k-th SCALE line (scale.c emits after each).
      tr -d '\r' <"$work/count.log" | grep -E '^SCALE [a-z]+ cpus=[0-9]+ ops=' |
        paste - "$work/insns.txt" |
        awk -v k="$name" '{ split($4, o, "="); for (i = 1; i <= NF; i++) if ($i ~ /^insns=/) { split($i, n, "="); printf "%s\t%s\t%.0f\n", k, $2, n[2] / o[2] } }' >>"$work/insns.tsv"
    else
      echo "scaling: instruction-count boot of $name FAILED" >&2
    fi
  done < <(kernels)
fi

echo
echo "$arch, $profile vs Linux fair, median ops/s of $runs runs, scale $scale; host $(nproc) cores, load $load_start -> $load_end ($(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD))"
echo
awk -F'\t' -v smps="$smps" -v insfile="$work/insns.tsv" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { key = $1 SUBSEP $2 SUBSEP $3; v[key] = v[key] " " $5; cpus[key] = $4; if (!($3 in seen)) { seen[$3] = 1; order[++nb] = $3 } }
  END {
    while ((getline line < insfile) > 0) { split(line, f, "\t"); ins[f[1] SUBSEP f[2]] = f[3] }
    ns = split(smps, S, " ")
    printf "| workload |"
    for (i = 1; i <= ns; i++) printf " ours -smp %s | Linux -smp %s | ours/Linux |", S[i], S[i]
    printf " speed-up 1->2 ours / Linux | speed-up 1->4 ours / Linux | insns/op ours / Linux (-smp 1) |\n|---|"
    for (i = 1; i <= ns; i++) printf "---:|---:|---:|"
    printf "---:|---:|---:|\n"
    for (b = 1; b <= nb; b++) {
      w = order[b]; printf "| %s |", w
      for (i = 1; i <= ns; i++) {
        o = median(v["ours" SUBSEP S[i] SUBSEP w]); l = median(v["linux" SUBSEP S[i] SUBSEP w])
        mo[S[i]] = o; ml[S[i]] = l
        printf " %.0f | %.0f | %s |", o, l, l > 0 ? sprintf("%.2f", o / l) : "-"
      }
      for (t = 2; t <= 4; t *= 2) {
        if ((t in mo) && mo[1] > 0 && ml[1] > 0) printf " %.2f / %.2f |", mo[t] / mo[1], ml[t] / ml[1]
        else printf " - |"
      }
      printf " %s / %s |\n", ((("ours" SUBSEP w) in ins) ? ins["ours" SUBSEP w] : "-"), ((("linux" SUBSEP w) in ins) ? ins["linux" SUBSEP w] : "-")
      delete mo; delete ml
    }
  }' "$raw"
