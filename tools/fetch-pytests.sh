#!/bin/sh
# Fetch CPython's own regression tests (Debian's libpython3.11-testsuite, Architecture: all:
# pure Python and data, the same for both arches; the test extension modules _testcapi,
# _testbuffer... are in libpython3.11-stdlib, already in .deps/userland) and pack them as
# one deterministic tar, unpacked over the userland tar in //tests:initramfs_pytests_<arch>
# (tools/conformance.sh, docs/conformance.md):
#
#   DEST/testsuite.tar   (default DEST: .deps/pytests): /usr/lib/python3.11/test/
#
# The package also depends on python3.11 (pydoc, pdb, a .desktop file: nothing the tests
# import) and net-tools (ifconfig, for test_uuid only): neither is taken.
# Idempotent: left alone when DEST/testsuite.version names the candidate version.
# Called by tools/setup.sh; never committed (third-party).
#
#   tools/fetch-pytests.sh [DEST]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$ROOT/.deps/pytests}
PKG=libpython3.11-testsuite
mkdir -p "$DEST"
ver=$(apt-cache policy "$PKG" 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
  echo "fetch-pytests: no candidate for $PKG (apt-get update?)" >&2
  exit 1
fi
if [ -f "$DEST/testsuite.tar" ] && [ "$(cat "$DEST/testsuite.version" 2>/dev/null)" = "$PKG $ver" ]; then
  exit 0
fi
tmp=$(mktemp -d)
chmod 777 "$tmp" # apt-get download fetches as user _apt
(cd "$tmp" && apt-get download "$PKG=$ver" >/dev/null 2>&1) || {
  echo "fetch-pytests: apt-get download $PKG=$ver failed" >&2
  rm -rf "$tmp"
  exit 1
}
dpkg-deb -x "$tmp"/*.deb "$tmp/root"
# The decimal module's test data (4.5 MB) is read by test_decimal only.
rm -rf "$tmp/root/usr/share" "$tmp/root/usr/lib/python3.11/test/decimaltestdata"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$tmp/root" \
  -cf "$DEST/testsuite.tar.tmp" ./usr/lib/python3.11/test
mv "$DEST/testsuite.tar.tmp" "$DEST/testsuite.tar"
echo "$PKG $ver" >"$DEST/testsuite.version"
rm -rf "$tmp"
echo "fetch-pytests: $DEST/testsuite.tar ($(du -h "$DEST/testsuite.tar" | cut -f1), $PKG $ver)"
