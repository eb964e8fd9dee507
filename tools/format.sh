#!/usr/bin/env bash
# Format the kernel's C sources with clang-format 14 and the tree's .clang-format.
#   tools/format.sh [--check] [FILE...]
# Without FILEs: every tracked .c/.h file of hal/, kernel/, services/, drivers/,
# boards/ (not third_party/, not the userland test programs), minus the generated
# syscall number lists. --check changes nothing and fails (listing the files) if
# any file is not formatted; //tests:format runs it.
set -eu
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
cf=$(command -v clang-format-14 || command -v clang-format) || { echo "format.sh: clang-format not found" >&2; exit 2; }
if [ $# -eq 0 ]; then
  mapfile -t files < <(git ls-files -- 'hal/*.[ch]' 'kernel/*.[ch]' 'services/*.[ch]' 'drivers/*.[ch]' 'boards/*.[ch]')
else
  files=("$@")
fi
keep=()
for f in "${files[@]}"; do
  case $f in
    */syscall_list.h) ;;  # generated X-macro tables (one entry a line)
    *.c|*.h) keep+=("$f") ;;
  esac
done
if [ $check = 0 ]; then
  "$cf" -i --style=file "${keep[@]}"
  exit 0
fi
bad=0
for f in "${keep[@]}"; do
  if ! "$cf" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"
    bad=$((bad + 1))
  fi
done
echo "format: ${#keep[@]} files checked, $bad not formatted (run tools/format.sh)"
[ $bad = 0 ]
