#!/usr/bin/env bash
# //tests:syscall_table: tests/syscall_table.py on its own planted problems, then on
# the tree. Arguments: those of syscall_table.py's check.
set -u
status=0
python3 tests/syscall_table.py selftest || status=1
python3 tests/syscall_table.py "$@" || status=1
[ $status = 0 ] && echo PASS || echo FAIL
exit $status
