#!/bin/sh
# Fetch the QEMU TCG plugin API header (include/qemu/qemu-plugin.h) from Debian's `qemu`
# source package, the same QEMU 7.2 as the qemu-system-* binaries that load the plugin
# (bench/plugin/, //bench/plugin:insncount). Only the .orig tarball is needed: the
# plugin API is not patched by Debian. Idempotent; never committed (third-party).
#
#   tools/fetch-qemu.sh [DEST]      (default: .deps/qemu)
#
# Leaves DEST/qemu-plugin.h, DEST/VERSION (the .orig tarball's name) and, for
# reference, DEST/examples/ (tests/plugin/*.c, contrib/plugins/*.c: the API's examples).
# How: tools/lib/apt-source.sh (a private deb-src list, `apt-get source --download-only
# qemu`), the .orig tarball's sha256 checked against the .dsc.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$ROOT/.deps/qemu}
VERSION=qemu_7.2+dfsg.orig.tar.xz   # QEMU 7.2, as Debian 12's qemu-system-* (1:7.2+dfsg-*)

if [ -f "$DEST/qemu-plugin.h" ] && [ "$(cat "$DEST/VERSION" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$ROOT/tools/lib/apt-source.sh"
orig=$(apt_source_orig "$tmp" qemu "$VERSION" ) || exit 1
mkdir -p "$tmp/x"
tar -xJf "$orig" -C "$tmp/x" --wildcards '*/include/qemu/qemu-plugin.h' \
  '*/tests/plugin/*.c' '*/contrib/plugins/*.c'
rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp/examples"
cp "$tmp"/x/*/include/qemu/qemu-plugin.h "$DEST.tmp/"
cp "$tmp"/x/*/tests/plugin/*.c "$tmp"/x/*/contrib/plugins/*.c "$DEST.tmp/examples/"
echo "$VERSION" >"$DEST.tmp/VERSION"
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
echo "fetch-qemu: qemu-plugin.h ($VERSION) in $DEST"
