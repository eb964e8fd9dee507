#!/usr/bin/env bash
# Boot the benchmark initramfs (//bench:initramfs_<arch>) on Kevlar kernels, several
# times interleaved, and print the median ns/op of each benchmark per profile with
# the ratio to Balanced (Markdown table on stdout).
#
#   bench/run.sh [--arch x64|arm64] [--runs N] [--scale S] [profile...]
#
# Defaults: x64, 3 runs, scale 1, all four profiles. Same QEMU command as the tests
# (tests/qemu_run.sh). Benchmarks, not tests: TCG on shared cores is noisy, so only
# medians and ratios mean anything. Side by side with Linux in the same QEMU:
# bench/compare.sh (docs/bench/README.md).
set -eu
cd "$(dirname "$0")/.."

arch=x64 runs=3 scale=1 profiles=()
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --scale) scale=$2; shift 2 ;;
    fortress|balanced|performance|ludicrous) profiles+=("$1"); shift ;;
    *) echo "usage: $0 [--arch x64|arm64] [--runs N] [--scale S] [profile...]" >&2; exit 2 ;;
  esac
done
[ ${#profiles[@]} -gt 0 ] || profiles=(fortress balanced performance ludicrous)

targets=("//bench:initramfs_$arch")
for p in "${profiles[@]}"; do targets+=("//:kernel_${arch}_$p"); done
bazel build "${targets[@]}" >&2
bin=$(bazel info bazel-bin 2>/dev/null)

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for run in $(seq 1 "$runs"); do
  for p in "${profiles[@]}"; do
    echo "bench: run $run/$runs, $arch $p" >&2
    out=$(tests/qemu_run.sh --arch "$arch" --timeout 600 --initrd "$bin/bench/initramfs_$arch.cpio" \
          --append "bench.scale=$scale" --expect '^BENCH END' "$bin/kernel_${arch}_$p"/* | tr -d '\r') || {
      echo "bench: $arch $p run $run failed:" >&2
      tail -n 20 <<<"$out" >&2
      exit 1
    }
    grep -E '^BENCH [A-Za-z0-9_]+ iters=' <<<"$out" |
      sed -E "s/^BENCH ([A-Za-z0-9_]+) iters=[0-9]+ ns_per_op=([0-9.]+).*/$p \1 \2/" >>"$results"
  done
done

# Median per (profile, benchmark); table in benchmark order of the first run.
awk -v profiles="${profiles[*]}" -v arch="$arch" -v runs="$runs" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { key = $1 SUBSEP $2; v[key] = v[key] " " $3; if (!($2 in seen)) { seen[$2] = 1; order[++nb] = $2 } }
  END {
    np = split(profiles, P, " ")
    printf "%s, median of %s runs, ns/op (ratio to balanced)\n\n| benchmark |", arch, runs
    for (i = 1; i <= np; i++) printf " %s |", P[i]
    printf "\n|---|"; for (i = 1; i <= np; i++) printf "---:|"; printf "\n"
    for (b = 1; b <= nb; b++) {
      name = order[b]; base = ((("balanced" SUBSEP name) in v) ? median(v["balanced" SUBSEP name]) : 0)
      printf "| %s |", name
      for (i = 1; i <= np; i++) {
        m = median(v[P[i] SUBSEP name])
        if (base > 0) printf " %.0f (%.2f) |", m, m / base; else printf " %.0f |", m
      }
      printf "\n"
    }
  }' "$results"
