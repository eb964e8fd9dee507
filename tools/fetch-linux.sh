#!/bin/sh
# Fetch Debian's Linux 6.1 kernels (the ones `linux-image-amd64` / `linux-image-arm64` depend
# on now) and unpack them into DEST/x64 and DEST/arm64 (default: .deps/linux), for
# bench/compare.sh. Idempotent: an arch whose DEST/<arch>/VERSION names the current package
# is left alone. Called by tools/setup.sh; never committed (third-party).
#
#   tools/fetch-linux.sh [DEST]
#
# Leaves, per arch: DEST/<arch>/boot/vmlinuz-<version> (the deb's contents, unpacked with
# dpkg-deb -x), DEST/<arch>/kernel (the file to pass to QEMU's -kernel: the bzImage on
# x86_64; on arm64 the Image: Debian 12's 6.1 arm64 vmlinuz is an uncompressed Image with
# an EFI stub ("MZ" + the arm64 Image header), used as is; a gzip one, as older packages
# had, is gunzipped here, though QEMU 7.2 would decompress it itself) and DEST/<arch>/VERSION
# (the package name).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$ROOT/.deps/linux}
mkdir -p "$DEST"

for pair in x64:amd64 arm64:arm64; do
  arch=${pair%%:*} deb_arch=${pair#*:}
  meta=linux-image-$deb_arch
  [ "$deb_arch" = amd64 ] || meta=$meta:$deb_arch
  # The versioned package the meta package depends on, e.g. linux-image-6.1.0-57-amd64.
  pkg=$(apt-cache depends "$meta" 2>/dev/null |
        sed -n -E 's/^ *Depends: (linux-image-6\.1\.[^ :]*-'"$deb_arch"')(:.*)?$/\1/p' | head -n 1)
  if [ -z "$pkg" ]; then
    echo "fetch-linux: no linux-image-6.1.*-$deb_arch behind $meta (apt-get update? dpkg --add-architecture arm64?)" >&2
    exit 1
  fi
  if [ -f "$DEST/$arch/VERSION" ] && [ "$(cat "$DEST/$arch/VERSION")" = "$pkg" ] && [ -f "$DEST/$arch/kernel" ]; then
    continue
  fi
  tmp=$(mktemp -d)
  chmod 777 "$tmp" # apt-get download fetches as user _apt (private dir, removed below)
  (cd "$tmp" && apt-get download "$pkg:$deb_arch" >/dev/null && dpkg-deb -x ./*.deb x)
  vmlinuz=$(ls "$tmp"/x/boot/vmlinuz-* | head -n 1)
  rm -rf "$DEST/$arch.tmp" && mkdir -p "$DEST/$arch.tmp/boot"
  # Only what booting needs: the kernel and its config/System.map (the modules are not used:
  # the benchmark needs nothing outside the built-in drivers).
  cp "$tmp"/x/boot/* "$DEST/$arch.tmp/boot/"
  if [ "$arch" = arm64 ] && [ "$(od -An -tx1 -N2 "$vmlinuz" | tr -d ' ')" = 1f8b ]; then
    gunzip -c "$vmlinuz" >"$DEST/$arch.tmp/kernel"
  else
    cp "$vmlinuz" "$DEST/$arch.tmp/kernel"
  fi
  echo "$pkg" >"$DEST/$arch.tmp/VERSION"
  rm -rf "$DEST/$arch" && mv "$DEST/$arch.tmp" "$DEST/$arch"
  rm -rf "$tmp"
  echo "fetch-linux: $pkg in $DEST/$arch"
done
