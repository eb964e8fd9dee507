#!/bin/sh
# Debian's python3.11: json, re, hashlib (OpenSSL), sqlite3 with 10,000 rows,
# subprocess, fork, threading, multiprocessing, mmap, signals, socketpair, epoll
# (py_checks.py prints one KTEST line per check).
. "${KTEST_DIR:-/tests}/lib.sh"
# POSIX semaphores (multiprocessing) live in /dev/shm, which a distribution's
# early boot mounts.
[ -d /dev/shm ] || { mkdir -p /dev/shm && mount -t tmpfs shm /dev/shm; }
/usr/bin/python3.11 "${KTEST_DIR:-/tests}/py_checks.py"
kt_eq py.exit_status "0" "$?"
kt_done
