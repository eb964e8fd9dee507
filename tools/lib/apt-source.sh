# Sourced by tools/fetch-*.sh (POSIX sh). Fetches the .orig tarball of a Debian 12 source
# package without touching the host's apt configuration: a private deb-src list in a
# temporary directory (../shared/notes/environment.md, "source packages"), `apt-get source
# --download-only`, and the tarball's sha256 checked against the .dsc and, if given, a pin.
#
#   apt_source_orig TMP PACKAGE ORIG [SHA256]
#
# TMP: an empty directory the caller owns and removes (made world-readable here: apt-get
# fetches as user _apt). PACKAGE: the source package name ("qemu"). ORIG: the .orig
# tarball's file name ("qemu_7.2+dfsg.orig.tar.xz"). SHA256: the pinned hash, or empty to
# trust the .dsc alone. On success prints the tarball's path; on failure prints why on
# stderr and returns 1. Suites: bookworm and bookworm-updates.
apt_source_orig() {
  _tmp=$1 _pkg=$2 _orig=$3 _pin=${4:-}
  chmod 755 "$_tmp"
  mkdir -p "$_tmp/apt/lists/partial" "$_tmp/apt/cache/archives/partial" "$_tmp/src"
  chmod -R 777 "$_tmp/src"
  cat >"$_tmp/apt/debian-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  _apt="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$_tmp/apt
        -o Dir::State::Lists=$_tmp/apt/lists -o Dir::Cache=$_tmp/apt/cache"
  # shellcheck disable=SC2086
  apt-get $_apt update >/dev/null || { echo "apt-source: apt-get update failed" >&2; return 1; }
  # shellcheck disable=SC2086
  (cd "$_tmp/src" && apt-get $_apt source --download-only "$_pkg" >/dev/null) || {
    echo "apt-source: apt-get source $_pkg failed" >&2
    return 1
  }
  _dsc=$(ls "$_tmp"/src/"$_pkg"_*.dsc 2>/dev/null | head -n 1)
  [ -n "$_dsc" ] && [ -f "$_tmp/src/$_orig" ] || {
    echo "apt-source: $_orig not in the source package $_pkg (${_dsc:-no .dsc})" >&2
    return 1
  }
  _want=$(sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$_dsc" | awk -v f="$_orig" '$3 == f { print $1 }')
  _got=$(sha256sum "$_tmp/src/$_orig" | cut -d' ' -f1)
  if [ -z "$_want" ] || [ "$_want" != "$_got" ] || { [ -n "$_pin" ] && [ "$_pin" != "$_got" ]; }; then
    echo "apt-source: sha256 of $_orig is $_got; $_dsc says '$_want'${_pin:+, pinned $_pin}" >&2
    return 1
  fi
  echo "$_tmp/src/$_orig"
}
