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
# How: a private deb-src list (../shared/notes/environment.md), `apt-get source
# --download-only qemu`, the .orig tarball's sha256 checked against the .dsc.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$ROOT/.deps/qemu}
VERSION=qemu_7.2+dfsg.orig.tar.xz   # QEMU 7.2, as Debian 12's qemu-system-* (1:7.2+dfsg-*)

if [ -f "$DEST/qemu-plugin.h" ] && [ "$(cat "$DEST/VERSION" 2>/dev/null)" = "$VERSION" ]; then
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
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
APT="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$tmp/apt
     -o Dir::State::Lists=$tmp/apt/lists -o Dir::Cache=$tmp/apt/cache"
# shellcheck disable=SC2086
apt-get $APT update >/dev/null
# shellcheck disable=SC2086
(cd "$tmp/src" && apt-get $APT source --download-only qemu >/dev/null)
dsc=$(ls "$tmp"/src/qemu_7.2*.dsc | head -n 1)
orig="$tmp/src/$VERSION"
[ -f "$orig" ] || { echo "fetch-qemu: $VERSION not in the source package ($dsc)" >&2; exit 1; }
want=$(sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$dsc" | awk -v f="$VERSION" '$3 == f { print $1 }')
got=$(sha256sum "$orig" | cut -d' ' -f1)
if [ -z "$want" ] || [ "$want" != "$got" ]; then
  echo "fetch-qemu: sha256 of $VERSION is $got, $dsc says '$want'" >&2
  exit 1
fi
mkdir -p "$tmp/x"
tar -xJf "$orig" -C "$tmp/x" --wildcards '*/include/qemu/qemu-plugin.h' \
  '*/tests/plugin/*.c' '*/contrib/plugins/*.c'
rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp/examples"
cp "$tmp"/x/*/include/qemu/qemu-plugin.h "$DEST.tmp/"
cp "$tmp"/x/*/tests/plugin/*.c "$tmp"/x/*/contrib/plugins/*.c "$DEST.tmp/examples/"
echo "$VERSION" >"$DEST.tmp/VERSION"
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
echo "fetch-qemu: qemu-plugin.h ($VERSION) in $DEST"
