#!/usr/bin/env bash
# //tests:layering: the ring rules of DESIGN §1, in three steps.
#   1. visibility: each genquery answer (FILE=expected,labels) must be exactly as
#      expected (what a ring may and may not depend on, BUILD.bazel visibility);
#   2. self-test: layering.py must flag every planted violation in fixtures/ and
#      nothing else, so a broken lint cannot pass everything;
#   3. the tree: kernel/, services/, drivers/, boards/ against layering.py's checks
#      and clang-tidy's outcomes, minus allowlist.txt.
#   layering_test.sh --service-api=H,H... (FILE=EXPECTED)... --fixtures TIDY... --tree TIDY...
set -u
status=0
fixtures=() tree=() mode=vis api=()
echo "== 1. visibility (genquery visible())"
for a in "$@"; do
  case "$a" in
    --service-api=*) api=(--service-api "${a#--service-api=}"); continue ;;
    --fixtures) mode=fixtures; continue ;;
    --tree) mode=tree; continue ;;
  esac
  case $mode in
    fixtures) fixtures+=("$a") ;;
    tree) tree+=("$a") ;;
    vis)
      file=${a%%=*} want=${a#*=}
      got=$(sort "$file" | paste -sd, -)
      if [ "$got" = "$want" ]; then echo "ok   $(basename "$file"): ${got:-none}"
      else echo "FAIL $(basename "$file"): expected '${want:-none}', got '${got:-none}'"; status=1; fi ;;
  esac
done
echo "== 2. self-test on tests/layering/fixtures"
python3 tests/layering/layering.py "${api[@]}" selftest tests/layering/fixtures "${fixtures[@]}" || status=1
echo "== 3. the tree"
python3 tests/layering/layering.py "${api[@]}" check . tests/layering/allowlist.txt "${tree[@]}" || status=1
[ $status = 0 ] && echo "PASS" || echo "FAIL"
exit $status
