#!/bin/sh
# Fetch lwIP 2.1.3 (BSD-3-Clause) from Debian's `lwip` source package into .deps/lwip-2.1.3
# for services/net (@lwip, third_party/lwip.BUILD). Only the .orig tarball is used: the
# stack itself (src/), not Debian's unix port. Idempotent; never committed (third-party).
#
#   tools/fetch-lwip.sh [DEST]      (default: .deps/lwip-2.1.3)
#
# Leaves DEST/src/ (core, api, netif, include) and DEST/VERSION (the tarball's name).
# How: a private deb-src list (../shared/notes/environment.md), `apt-get source
# --download-only lwip`, the tarball's sha256 checked against the pin below and the .dsc.
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
chmod 755 "$tmp"
mkdir -p "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial" "$tmp/src"
chmod -R 777 "$tmp/src" # apt-get fetches as user _apt
cat >"$tmp/apt/debian-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
APT="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$tmp/apt
     -o Dir::State::Lists=$tmp/apt/lists -o Dir::Cache=$tmp/apt/cache"
# shellcheck disable=SC2086
apt-get $APT update >/dev/null
# shellcheck disable=SC2086
(cd "$tmp/src" && apt-get $APT source --download-only lwip >/dev/null)
dsc=$(ls "$tmp"/src/lwip_2.1.3*.dsc | head -n 1)
orig="$tmp/src/$VERSION"
[ -f "$orig" ] || { echo "fetch-lwip: $VERSION not in the source package ($dsc)" >&2; exit 1; }
want=$(sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$dsc" | awk -v f="$VERSION" '$3 == f { print $1 }')
got=$(sha256sum "$orig" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ] || [ "$want" != "$got" ]; then
  echo "fetch-lwip: sha256 of $VERSION is $got; pinned $SHA256, $dsc says '$want'" >&2
  exit 1
fi
mkdir -p "$tmp/x"
tar -xJf "$orig" -C "$tmp/x"
rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"
cp -r "$tmp"/x/*/src "$DEST.tmp/"
cp "$tmp"/x/*/COPYING "$DEST.tmp/" 2>/dev/null || true
echo "$VERSION" >"$DEST.tmp/VERSION"
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
echo "fetch-lwip: lwIP ($VERSION) in $DEST"
