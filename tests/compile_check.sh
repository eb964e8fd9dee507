#!/usr/bin/env bash
# Judge the outcomes recorded by compile_test (build/compile_test.bzl).
#   compile_check.sh (PROFILE EXPECT OUTCOME_FILE)...
# EXPECT is "ok" (must compile) or "fail:REGEX" (must not, with an error matching REGEX).
# An outcome file: "status N", then the compiler's output.
set -u
bad=0
while [ $# -ge 3 ]; do
  profile=$1 expect=$2 file=$3
  shift 3
  status=$(head -n 1 "$file" | sed 's/^status //')
  output=$(tail -n +2 "$file")
  case "$expect" in
    ok)
      if [ "$status" = 0 ]; then echo "PASS $profile: compiles"
      else echo "FAIL $profile: should compile, but:"; echo "$output"; bad=1; fi ;;
    fail:*)
      regex=${expect#fail:}
      if [ "$status" = 0 ]; then echo "FAIL $profile: compiled, but must not"; bad=1
      elif grep -qE -- "$regex" <<<"$output"; then echo "PASS $profile: refused ($(grep -m1 -E -- "$regex" <<<"$output"))"
      else echo "FAIL $profile: refused, but not with an error matching '$regex':"; echo "$output"; bad=1; fi ;;
  esac
done
exit $bad
