#!/bin/sh
# execve of dynamically linked programs as user space sees it: the auxiliary
# vector, ASLR and personality(ADDR_NO_RANDOMIZE), PT_GNU_RELRO, bad program
# interpreters (Linux's errno), "#!" with a dynamic interpreter, the loader run
# as a command (loader_checks.py prints one KTEST line per check).
. "${KTEST_DIR:-/tests}/lib.sh"
/usr/bin/python3.11 "${KTEST_DIR:-/tests}/loader_checks.py"
kt_eq ld.exit_status "0" "$?"
kt_done
