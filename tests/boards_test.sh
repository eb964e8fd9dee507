#!/usr/bin/env bash
# //tests:boards and //tests:board_images: tests/boards_check.py (see there).
nm=$(command -v llvm-nm || command -v llvm-nm-14 || command -v nm)
case $1 in
  images) shift; exec python3 tests/boards_check.py images "$1" "$nm" "${@:2}" ;;
  *) exec python3 tests/boards_check.py "$@" ;;
esac
