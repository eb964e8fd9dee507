#!/bin/sh
# Fetch lwIP 2.1.3 (BSD-3-Clause) from Debian's `lwip` source package into .deps/lwip-2.1.3
# for services/net (@lwip, third_party/lwip.BUILD). Only the .orig tarball is used: the
# stack itself (src/), not Debian's unix port. Idempotent; never committed (third-party).
#
#   tools/fetch-lwip.sh [DEST]      (default: .deps/lwip-2.1.3)
#
# Leaves DEST/src/ (core, api, netif, include) and DEST/VERSION (the tarball's name).
# How: tools/lib/apt-source.sh (a private deb-src list, `apt-get source --download-only
# lwip`), the tarball's sha256 checked against the pin below and the .dsc.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$ROOT/.deps/lwip-2.1.3}
VERSION=lwip_2.1.3+dfsg1.orig.tar.xz   # Debian 12's lwip 2.1.3+dfsg1-*
SHA256=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24

if [ -f "$DEST/src/include/lwip/init.h" ] && [ "$(cat "$DEST/VERSION" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$ROOT/tools/lib/apt-source.sh"
orig=$(apt_source_orig "$tmp" lwip "$VERSION" "$SHA256") || exit 1
mkdir -p "$tmp/x"
tar -xJf "$orig" -C "$tmp/x"
rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"
cp -r "$tmp"/x/*/src "$DEST.tmp/"
cp "$tmp"/x/*/COPYING "$DEST.tmp/" 2>/dev/null || true
echo "$VERSION" >"$DEST.tmp/VERSION"
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
echo "fetch-lwip: lwIP ($VERSION) in $DEST"
