#!/usr/bin/env bash
# Run every Kevlar test and end with exactly one line "N passed, N failed".
#
#   tools/test.sh [extra bazel flags]      e.g. tools/test.sh --test_tag_filters=-qemu
#
# Runs `bazel test //...`: the host unit tests (tests/host) and the QEMU boots of
# every arch x profile (//tests:qemu_*), and builds every other target (kernel
# images, initramfs archives) on the way. Assumes tools/setup.sh has been run.
# N counts test targets; a build failure outside any test counts as one failure.
# Exit status: 0 if nothing failed, 1 otherwise.
set -u
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
bazel test //... -k --test_output=errors --test_summary=short --color=no --curses=no "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Bazel's summary: "Executed 2 out of 9 tests: 8 tests pass and 1 fails locally."
# Its per-test list is cut short when many fail to build, so count from this line:
# failed = all - passed - incompatible (listed as SKIPPED: not for this platform).
summary=$(grep -E '^Executed [0-9]+ out of [0-9]+ tests?' "$log" | tail -n 1)
if [ -n "$summary" ]; then
  total=$(sed -E 's/^Executed [0-9]+ out of ([0-9]+) .*/\1/' <<<"$summary")
  passed=$(grep -oE '[0-9]+ tests? pass' <<<"$summary" | grep -oE '^[0-9]+' || true)
  passed=${passed:-0}
  incompatible=$(grep -cE '^(//|@)[^ ]+ +SKIPPED$' "$log")
  failed=$(( total - passed - incompatible ))
else
  passed=0 failed=0
fi
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
  echo "tools/test.sh: bazel exited with status $status outside any test (see above): counted as 1 failure"
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
