#!/bin/sh
# Build and run the VFS host harness under ASan/UBSan (see vfs_harness.c)
# by hand, outside Bazel; `bazel test //tests:vfs_test` is the same in the suite.
# Run from the repository root. Lazy unmount (MNT_DETACH) of a busy file
# system intentionally keeps its memory, so leak checking is off.
set -e
out=${TMPDIR:-/tmp}/vfs_harness
cc -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -w -std=gnu11 \
	-I. -Ihal/include -Ihal/x64/include -Ikernel/include -Iservices/tmpfs \
	-o "$out" tests/host/vfs/vfs_stubs.c tests/host/vfs/vfs_harness.c kernel/vfs/*.c \
	$(ls services/tmpfs/*.c | grep -v super.c)
ASAN_OPTIONS=detect_leaks=0 "$out"
