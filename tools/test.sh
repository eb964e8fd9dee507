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
#
# QEMU boots get a second attempt (--flaky_test_attempts): the CI machine has 2 shared cores and
# runs QEMU under TCG, so a guest can be starved long enough for a timing check to miss. A test
# that passes only on its second attempt is reported as FLAKY below, with what its first attempt
# printed, so the flake is seen and can be chased; it counts as passed. A test that fails twice
# fails. Why every failed or flaky test failed is printed at the end (the CI log keeps the end).
set -u
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
qemu_tests='//tests:(qemu|uboot|pc_image|bad_boot|bad_dtb|nolibc)_.*'
bazel test //... -k --test_output=errors --test_summary=short --color=no --curses=no \
  "--flaky_test_attempts=$qemu_tests@2" "$@" 2>&1 | tee "$log"
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

# why: the runner's verdict lines, the guest's failures and panics, the last console lines.
why() { # $1 = a test's log file
  [ -f "$1" ] || { echo "    (no log at $1)"; return; }
  grep -E '^qemu_run: (PASS |FAILED|[a-z0-9_]+, [0-9]+s)|^KTEST FAIL|KERNEL PANIC|BUG:' "$1" |
    head -n 20 | sed 's/^/    /'
  echo "    last console lines:"
  sed -n '/^---* guest console/,/^---* end of console/p' "$1" | grep -v -- '^-----' |
    tail -n 12 | sed 's/^/      /'
}
testlogs=$(bazel info bazel-testlogs 2>/dev/null)
flaky=$(grep -E '^//[^ ]+ +FLAKY' "$log" | awk '{print $1}')
broken=$(grep -E '^//[^ ]+ +(FAILED|TIMEOUT|INCOMPLETE|NO STATUS)' "$log" | awk '{print $1}')
for t in $broken; do
  echo "tools/test.sh: $t failed:"
  why "$testlogs/$(sed -E 's#^//##; s#:#/#' <<<"$t")/test.log"
done
for t in $flaky; do
  echo "tools/test.sh: $t is FLAKY (passed on its second attempt); its first attempt:"
  why "$testlogs/$(sed -E 's#^//##; s#:#/#' <<<"$t")/test_attempts/attempt_1.log"
done
[ -n "$flaky" ] && echo "tools/test.sh: $(wc -w <<<"$flaky") flaky test(s) counted as passed: $(tr '\n' ' ' <<<"$flaky")"

if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
  echo "tools/test.sh: bazel exited with status $status outside any test (see above): counted as 1 failure"
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
