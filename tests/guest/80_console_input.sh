#!/bin/sh
# Console input: a line typed on the serial console reaches a reader of
# /dev/console (the UART's receive interrupt -> the tty's line discipline).
# Runs only when the runner types: "ktest.input=WORD" on the command line
# (tests/qemu_run.sh --input WORD); elsewhere nobody types, so it is skipped.
. "${KTEST_DIR:-/tests}/lib.sh"

want=$(sed -n 's/.*ktest\.input=\([^ ]*\).*/\1/p' /proc/cmdline 2>/dev/null)
if ! kt_guest || [ -z "$want" ]; then
    kt_skip console.input_line "no ktest.input= on the command line (nobody types)"
    kt_done
    exit 0
fi
echo "ktest: waiting for console input"
line=""
read -r -t 120 line </dev/console
kt_eq console.input_line "$want" "$line"
kt_done
