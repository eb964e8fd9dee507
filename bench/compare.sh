#!/usr/bin/env bash
# Kevlar side by side with Debian's Linux 6.1 in the same QEMU (TCG) configuration.
#
#   bench/compare.sh [--arch x64|arm64|both] [--runs N] [--scale S] [--out DIR]
#                    [--linux-dir DIR] [--timeout SECONDS] [--no-insns] [profile...]
#
# Per arch, boots the benchmark initramfs (//bench:initramfs_<arch>: bench/init and
# bench/bench.c) on
#   - our kernel in each profile (default all four),
#   - Debian's Linux as shipped ("linux-stock"),
#   - the same Linux with "nokaslr kpti=0 mitigations=off" ("linux-fair"),
# one after the other, the whole round repeated N times (interleaved, so a burst of load
# on the shared machine hits every kernel alike). Same QEMU command for all of them
# (tests/qemu_run.sh: same machine, CPU model, memory, devices and -append; Linux fair adds
# only its three flags), same initramfs, same benchmark binary.
#
# Then, unless --no-insns, every kernel boots once more under the instruction-counting QEMU
# plugin (//bench/plugin:libinsncount.so, bench/plugin/insncount.c): instructions per
# operation, kernel and user, and memory accesses per operation, for the whole machine
# (deterministic up to timer interrupts, so one boot is enough; not timed).
#
# Prints the tables (median ns/op per kernel, ratios ours/Linux) on stdout and writes, under
# DIR (default docs/bench): raw.tsv (every value of every boot), meta.tsv (date, machine,
# load, command lines), ratios.svg (bar chart of ours/Linux-fair) and the results section of
# README.md (between its markers; the rest of the file is left alone). To redo the tables
# from those files: python3 bench/report.py --raw DIR/raw.tsv --meta DIR/meta.tsv --out DIR Debian's kernels come from tools/setup.sh (.deps/linux/<arch>,
# see tools/fetch-linux.sh); --linux-dir or $KEVLAR_LINUX_DIR points elsewhere.
#
# Quick check that everything works: bench/compare.sh --runs 1 --scale 0.1 --out /tmp/b
# Benchmarks, not tests: TCG on shared cores is noisy; read only medians and ratios.
set -eu
cd "$(dirname "$0")/.."

arches=(x64 arm64) runs=3 scale=1 out=docs/bench profiles=() timeout_s=1800 insns=1
linux_dir=${KEVLAR_LINUX_DIR:-.deps/linux}
usage() {
  echo "usage: $0 [--arch x64|arm64|both] [--runs N] [--scale S] [--out DIR] [--linux-dir DIR] [--timeout S] [--no-insns] [profile...]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) case "$2" in x64|arm64) arches=("$2") ;; both) arches=(x64 arm64) ;; *) usage ;; esac; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --scale) scale=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --linux-dir) linux_dir=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --no-insns) insns=0; shift ;;
    fortress|balanced|performance|ludicrous) profiles+=("$1"); shift ;;
    *) usage ;;
  esac
done
[ ${#profiles[@]} -gt 0 ] || profiles=(fortress balanced performance ludicrous)

for arch in "${arches[@]}"; do
  if [ ! -f "$linux_dir/$arch/kernel" ]; then
    echo "compare: no Linux kernel at $linux_dir/$arch/kernel: run tools/setup.sh" \
         "(or tools/fetch-linux.sh DIR and pass --linux-dir DIR)" >&2
    exit 1
  fi
done

targets=()
for arch in "${arches[@]}"; do
  targets+=("//bench:initramfs_$arch")
  for p in "${profiles[@]}"; do targets+=("//:kernel_${arch}_$p"); done
done
[ "$insns" = 1 ] && targets+=(//bench/plugin:libinsncount.so)
bazel build --jobs=2 "${targets[@]}" >&2
bin=$(bazel info bazel-bin 2>/dev/null)

# Snapshot the images: a rebuild during a long run must not change what is measured.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ "$insns" = 1 ] && cp "$bin/bench/plugin/libinsncount.so" "$work/"
for arch in "${arches[@]}"; do
  mkdir -p "$work/$arch"
  cp "$bin/bench/initramfs_$arch.cpio" "$work/$arch/initramfs.cpio"
  for p in "${profiles[@]}"; do
    mkdir -p "$work/$arch/$p"
    cp "$bin/kernel_${arch}_$p"/* "$work/$arch/$p/"
  done
done

mkdir -p "$out"
raw=$work/raw.tsv
meta=$work/meta.tsv
printf 'arch\tkernel\trun\tkey\tvalue\n' >"$raw"
meta_put() { printf '%s\t%s\n' "$1" "$2" >>"$meta"; }
meta_put date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta_put nproc "$(nproc)"
meta_put cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
meta_put qemu "$(qemu-system-x86_64 --version | head -n 1)"
meta_put commit "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
meta_put runs "$runs"
meta_put scale "$scale"
meta_put profiles "${profiles[*]}"
meta_put load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
for arch in "${arches[@]}"; do
  meta_put "linux_$arch" "$(cat "$linux_dir/$arch/VERSION" 2>/dev/null || echo unknown)"
done

# Size of the file given to -kernel and, for an ELF, of what is loaded (PT_LOAD file bytes).
image_sizes() { # arch kernel file
  local bytes loaded
  bytes=$(stat -c %s "$3")
  printf '%s\t%s\t0\t_image_bytes\t%s\n' "$1" "$2" "$bytes" >>"$raw"
  if [ "$(head -c 4 "$3" | od -An -c | tr -d ' ')" = '177ELF' ]; then
    loaded=0
    for h in $(llvm-readelf -l -W "$3" | awk '$1 == "LOAD" { print $5 }'); do loaded=$((loaded + h)); done
    printf '%s\t%s\t0\t_image_loaded_bytes\t%s\n' "$1" "$2" "$loaded" >>"$raw"
  fi
}

# One boot: QEMU through tests/qemu_run.sh, every console line stamped with the host's
# clock as it arrives (wall time to /init = first BENCHINFO line - start). No stdio filter
# (tr, sed) between QEMU and the stamping loop: it would buffer the lines.
boot() { # arch kernel-name run kernel-file extra-append
  local arch=$1 name=$2 run=$3 kfile=$4 extra=$5 log=$work/boot.log start end status
  echo "compare: run $run/$runs, $arch $name" >&2
  start=$EPOCHREALTIME
  set +e
  tests/qemu_run.sh --arch "$arch" --timeout "$timeout_s" --initrd "$work/$arch/initramfs.cpio" \
    --append "bench.scale=$scale${extra:+ $extra}" --expect '^BENCH END' --kernel "$kfile" \
    </dev/null 2>&1 |
    while IFS= read -r line; do printf '%s\t%s\n' "$EPOCHREALTIME" "${line%$'\r'}"; done >"$log"
  status=${PIPESTATUS[0]}
  set -e
  end=$EPOCHREALTIME
  # The command as run, for the report (paths shortened, -append quoted).
  grep -m1 -P '^[0-9.]+\tqemu_run: qemu-system' "$log" | cut -f2- | sed 's/^qemu_run: //' |
    sed -e "s|$work/$arch/initramfs.cpio|bazel-bin/bench/initramfs_$arch.cpio|" \
        -e "s|$work/$arch/$name/|bazel-bin/kernel_${arch}_$name/|" \
        -e "s|$linux_dir/$arch/kernel|LINUX_DIR/$arch/kernel|" \
        -e 's|-append \(.*\) -initrd|-append "\1" -initrd|' >"$work/cmd.$arch.$name"
  if [ "$status" != 0 ]; then
    echo "compare: $arch $name run $run FAILED (status $status); last console lines:" >&2
    cut -f2- "$log" | tail -n 15 | sed 's/^/  | /' >&2
    printf '%s\t%s\t%s\t_failed\t1\n' "$arch" "$name" "$run" >>"$raw"
    return 0
  fi
  awk -F'\t' -v arch="$arch" -v k="$name" -v run="$run" -v start="$start" -v end="$end" '
    function put(key, val) { printf "%s\t%s\t%s\t%s\t%s\n", arch, k, run, key, val }
    $2 ~ /^BENCHINFO uptime_at_init_s=/ && !init {
      init = 1; split($2, a, "="); put("_uptime_init_s", a[2]); put("_wall_init_s", $1 - start)
    }
    $2 ~ /^BENCHINFO mem_total_kb=/ {
      n = split($2, f, " "); for (i = 2; i <= n; i++) { split(f[i], kv, "="); if (kv[1] == "mem_used_kb") put("_mem_used_kb", kv[2]) }
    }
    $2 ~ /^BENCH [A-Za-z0-9_]+ iters=[0-9]+ ns_per_op=/ {
      split($2, f, " "); split(f[4], v, "="); put(f[2], v[2])
    }
    $2 ~ /^BENCH [A-Za-z0-9_]+ error=/ { split($2, f, " "); put("_error_" f[2], f[3]) }
    END { put("_wall_total_s", end - start) }' "$log" >>"$raw"
}

# One boot under the counting plugin: per benchmark, instructions (all, kernel), memory
# accesses, each divided by the iterations. The plugin's k-th INSNS line belongs to the
# guest's k-th "BENCH <name> iters=" line (bench.c emits one after each).
count_boot() { # arch kernel-name kernel-file extra-append
  local arch=$1 name=$2 kfile=$3 extra=$4 log=$work/count.log counts=$work/insns.txt
  echo "compare: instruction count, $arch $name" >&2
  rm -f "$counts"
  if ! tests/qemu_run.sh --arch "$arch" --timeout "$timeout_s" --initrd "$work/$arch/initramfs.cpio" \
      --append "bench.scale=$scale${extra:+ $extra}" --expect '^BENCH END' --kernel "$kfile" \
      --plugin "$work/libinsncount.so,arg=out=$counts" </dev/null >"$log" 2>&1; then
    echo "compare: $arch $name instruction-count boot FAILED; last console lines:" >&2
    tail -n 15 "$log" | sed 's/^/  | /' >&2
    return 0
  fi
  tr -d '\r' <"$log" | grep -E '^BENCH [A-Za-z0-9_]+ iters=[0-9]+' |
    awk -v arch="$arch" -v k="$name" -v counts="$counts" '
      function val(line, key,   n, f, i, kv) {
        n = split(line, f, " "); for (i = 1; i <= n; i++) { split(f[i], kv, "="); if (kv[1] == key) return kv[2] }
        return ""
      }
      {
        if ((getline c < counts) <= 0) exit
        split($0, f, " "); it = substr(f[3], 7) + 0
        if (it <= 0) next
        printf "%s\t%s\t1\t_insns_%s\t%.1f\n", arch, k, f[2], val(c, "insns") / it
        printf "%s\t%s\t1\t_kinsns_%s\t%.1f\n", arch, k, f[2], val(c, "kernel") / it
        printf "%s\t%s\t1\t_mem_%s\t%.1f\n", arch, k, f[2], val(c, "mem") / it
      }' >>"$raw"
}

kernels_of() { # arch: "name file extra-append" lines
  local p
  for p in "${profiles[@]}"; do
    case "$1" in x64) echo "$p $work/$1/$p/kernel.elf" ;; arm64) echo "$p $work/$1/$p/Image" ;; esac
  done
  echo "linux-stock $linux_dir/$1/kernel"
  echo "linux-fair $linux_dir/$1/kernel nokaslr kpti=0 mitigations=off"
}

for arch in "${arches[@]}"; do
  while read -r name file _; do image_sizes "$arch" "$name" "$file"; done < <(kernels_of "$arch")
done
for run in $(seq 1 "$runs"); do
  for arch in "${arches[@]}"; do
    while read -r name file extra; do
      boot "$arch" "$name" "$run" "$file" "$extra"
    done < <(kernels_of "$arch")
  done
done
if [ "$insns" = 1 ]; then
  for arch in "${arches[@]}"; do
    while read -r name file extra; do
      count_boot "$arch" "$name" "$file" "$extra"
    done < <(kernels_of "$arch")
  done
  meta_put insns "bench/plugin/insncount.c, one boot per kernel, same command plus -plugin libinsncount.so,arg=out=FILE"
fi
meta_put load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
for arch in "${arches[@]}"; do
  for name in "${profiles[0]}" linux-stock linux-fair; do
    [ -f "$work/cmd.$arch.$name" ] && meta_put "cmd_${arch}_$name" "$(cat "$work/cmd.$arch.$name")"
  done
done

cp "$raw" "$out/raw.tsv"
cp "$meta" "$out/meta.tsv"
python3 bench/report.py --raw "$raw" --meta "$meta" --out "$out"
