#!/bin/sh
# Unpack Linux's own nolibc test (tools/testing/selftests/nolibc/nolibc-test.c) and the
# nolibc headers it is built with (tools/include/nolibc/) from Debian's linux-source-6.1
# (installed by tools/setup.sh) into DEST (default .deps/nolibc), for //tests:nolibc_<arch>:
#
#   DEST/nolibc-test.c, DEST/include/nolibc/*.h, DEST/VERSION
#
# Idempotent: left alone when DEST/VERSION names the installed linux-source-6.1 version.
# Called by tools/setup.sh; never committed (third-party, GPL-2.0 / LGPL-2.1 OR MIT).
#
#   tools/fetch-nolibc.sh [DEST]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$ROOT/.deps/nolibc}
SRC=/usr/src/linux-source-6.1.tar.xz
ver="linux-source-6.1 $(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown)"
if [ -f "$DEST/nolibc-test.c" ] && [ "$(cat "$DEST/VERSION" 2>/dev/null)" = "$ver" ]; then
  exit 0
fi
[ -f "$SRC" ] || { echo "fetch-nolibc: $SRC missing (apt-get install linux-source-6.1)" >&2; exit 1; }
tmp=$(mktemp -d)
tar -xJf "$SRC" -C "$tmp" --wildcards '*/tools/include/nolibc/*' \
  '*/tools/testing/selftests/nolibc/nolibc-test.c'
rm -rf "$DEST"
mkdir -p "$DEST/include"
cp -r "$tmp"/*/tools/include/nolibc "$DEST/include/nolibc"
cp "$tmp"/*/tools/testing/selftests/nolibc/nolibc-test.c "$DEST/nolibc-test.c"
echo "$ver" >"$DEST/VERSION"
rm -rf "$tmp"
echo "fetch-nolibc: $DEST ($ver)"
