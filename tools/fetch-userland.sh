#!/bin/sh
# Fetch Debian's own dynamically linked programs and their libraries for both arches, for
# the dynamic-ELF guest suite (tests/dyn/, //tests:qemu_dyn_<arch>_<profile>): each package
# is taken from Debian's archive with `apt-get download` and unpacked with `dpkg-deb -x`
# (both arches the same way; nothing installed on this machine is used), pruned of what no
# test reads (documentation, translations, static libraries), and packed as one
# deterministic tar per arch:
#
#   DEST/x86_64.tar, DEST/aarch64.tar   (default DEST: .deps/userland)
#
# Idempotent: an arch whose DEST/<cpu>.list equals the package list below is left alone.
# Called by tools/setup.sh (which adds the arm64 architecture to apt); never committed.
#
#   tools/fetch-userland.sh [DEST]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$ROOT/.deps/userland}
mkdir -p "$DEST"

# The programs the suite runs, and the closure of their Depends/Pre-Depends (found with
# `apt-cache depends`, first alternatives), less what a program started by hand does not
# need: package-manager glue (dpkg, debconf), PAM/Kerberos, curl (git's http helpers),
# perl's full module set (git's local commands and `perl -e` need only perl-base).
PKGS="bash coreutils diffutils findutils gawk gcc-12-base git grep gzip libacl1 libattr1
  libbz2-1.0 libc6 libc6-dev libcrypt1 libdb5.3 libexpat1 libffi8 libgcc-s1 libgdbm6
  libgmp10 liblzma5 libmpfr6 libncursesw6 libpcre2-8-0 libpython3.11-minimal
  libpython3.11-stdlib libreadline8 libselinux1 libsigsegv2 libsqlite3-0 libssl3 libtinfo6
  libuuid1 libzstd1 linux-libc-dev lua5.4 make musl musl-dev openssl perl-base python3.11-minimal
  sed sqlite3 tar tcc xz-utils zlib1g"

for pair in x86_64:amd64 aarch64:arm64; do
  cpu=${pair%%:*} deb_arch=${pair#*:}
  list=$(echo $PKGS)
  if [ -f "$DEST/$cpu.tar" ] && [ "$(cat "$DEST/$cpu.list" 2>/dev/null)" = "$list" ]; then
    continue
  fi
  tmp=$(mktemp -d)
  chmod 777 "$tmp" # apt-get download fetches as user _apt
  # Every package in the list is built per architecture (none is Architecture: all).
  names=""
  for p in $PKGS; do
    names="$names $p:$deb_arch"
  done
  (cd "$tmp" && apt-get download $names >/dev/null 2>&1) || {
    echo "fetch-userland: apt-get download failed for $deb_arch (apt-get update? dpkg --add-architecture arm64?)" >&2
    (cd "$tmp" && apt-get download $names) >&2 || true
    rm -rf "$tmp"
    exit 1
  }
  mkdir "$tmp/root"
  for deb in "$tmp"/*.deb; do
    dpkg-deb -x "$deb" "$tmp/root"
  done
  r=$tmp/root
  rm -rf "$r/usr/share/doc" "$r/usr/share/man" "$r/usr/share/info" "$r/usr/share/locale" \
    "$r/usr/share/lintian" "$r/usr/share/bug" "$r/usr/share/gdb" "$r/usr/share/bash-completion" \
    "$r"/usr/lib/*-linux-gnu/gconv "$r"/usr/lib/git-core/git-remote-http* \
    "$r/usr/lib/git-core/git-imap-send" "$r"/usr/lib/git-core/git-http-*
  # Static libraries: tcc links against the shared libc (libc.so names libc_nonshared.a)
  # and its own libtcc1.a.
  find "$r" -name '*.a' ! -name libc_nonshared.a ! -name libtcc1.a -delete
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$r" -cf "$DEST/$cpu.tar.tmp" .
  mv "$DEST/$cpu.tar.tmp" "$DEST/$cpu.tar"
  echo "$list" >"$DEST/$cpu.list"
  rm -rf "$tmp"
  echo "fetch-userland: $DEST/$cpu.tar ($(du -h "$DEST/$cpu.tar" | cut -f1))"
done
