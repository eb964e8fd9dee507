#!/bin/sh
# Debian's own dynamically linked programs (tools/fetch-userland.sh), started by
# execve through their PT_INTERP loader, doing real work: bash, coreutils, perl,
# gawk, sed, grep, sqlite3, xz/gzip/tar, make, tcc, git, openssl, lua5.4, and a
# program linked against musl's dynamic loader.
. "${KTEST_DIR:-/tests}/lib.sh"
export HOME=$KT_D GIT_PAGER=cat PAGER=cat
# What a distribution's early boot (udev) provides and bash's process
# substitution uses: /dev/fd -> /proc/self/fd.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

# The programs really are dynamic: their own maps show the loader.
kt_has dyn.coreutils_is_dynamic "ld-linux" "$(/bin/cat /proc/self/maps)"

# bash: arrays, associative arrays, functions, arithmetic, process substitution
out=$(/bin/bash -c 'a=(x y z); declare -A m=([k]=v); f() { local r=$(( $1 * 2 )); echo "$r"; }
echo "${#a[@]} ${a[1]} ${m[k]} $(f 21)"')
kt_eq dyn.bash_arrays_functions "3 y v 42" "$out"
out=$(/bin/bash -c 'cat <(echo one) <(echo two) | tr "\n" " "')
kt_eq dyn.bash_process_substitution "one two " "$out"
out=$(/bin/bash -c 'sleep 5 & p=$!; (exit 3) & q=$!; wait $q; r=$?; kill %1; wait $p; echo "$r $?"')
kt_eq dyn.bash_jobs "3 143" "$out"

# coreutils
out=$(/usr/bin/seq 1 1000 | /usr/bin/sort -rn | /usr/bin/head -n 1)
kt_eq dyn.coreutils_seq_sort "1000" "$out"
out=$(printf abc | /usr/bin/sha256sum)
kt_eq dyn.coreutils_sha256sum "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -" "$out"
/bin/mkdir -p d/e && /bin/touch d/e/f && /bin/ln -s e d/l
out=$(/bin/ls -1 d | /usr/bin/tr '\n' ' ')
kt_eq dyn.coreutils_ls "e l " "$out"
out=$(/usr/bin/stat -c '%F %s' d/e/f)
kt_eq dyn.coreutils_stat "regular empty file 0" "$out"
out=$(/bin/date -u -d @86400 +%F)
kt_eq dyn.coreutils_date "1970-01-02" "$out"

# perl, gawk, sed, grep
out=$(/usr/bin/perl -e 'my %h = (a => 1, b => 2); my @d = map { $_ * 2 } 1..3;
print join(",", @d), " ", join("", sort keys %h), " ", sprintf("%05.1f", 3.14159), "\n"')
kt_eq dyn.perl "2,4,6 ab 003.1" "$out"
out=$(printf '3 4\n5 6\n' | /usr/bin/gawk '{ s += $1 * $2 } END { printf "%d %s\n", s, toupper("ok") }')
kt_eq dyn.gawk "42 OK" "$out"
out=$(echo hello | /bin/sed -E 's/(l+)/[\1]/')
kt_eq dyn.sed "he[ll]o" "$out"
out=$(printf 'a\nb1\nc22\n' | /bin/grep -cE '[0-9]+'; echo foo123bar | /bin/grep -oP '\d+')
kt_eq dyn.grep "2 123" "$(echo $out)"

# sqlite3
out=$(/usr/bin/sqlite3 "$KT_D/t.db" 'create table t(a integer);
with recursive c(x) as (select 1 union all select x + 1 from c where x < 10000)
insert into t select x from c; select count(*), sum(a) from t;')
kt_eq dyn.sqlite3 "10000|50005000" "$out"

# xz, gzip, tar
/bin/mkdir -p src/sub && /usr/bin/seq 1 20000 >src/sub/n && echo x >src/y
# (tar -J runs "xz" from PATH, where BusyBox's decompress-only applet may come first)
/bin/tar --use-compress-program=/usr/bin/xz -cf a.tar.xz src && /bin/mkdir out &&
    /bin/tar --use-compress-program=/usr/bin/xz -xf a.tar.xz -C out && /usr/bin/diff -r src out/src
kt_eq dyn.tar_xz "0" "$?"
out=$(/usr/bin/seq 1 5000 | /bin/gzip -9 | /bin/gzip -d | /usr/bin/sha256sum)
kt_eq dyn.gzip "$(/usr/bin/seq 1 5000 | /usr/bin/sha256sum)" "$out"
out=$(/usr/bin/seq 1 5000 | /usr/bin/xz -T1 | /usr/bin/xz -d | /usr/bin/wc -l)
kt_eq dyn.xz "5000" "$out"

# make
/bin/mkdir m && printf 'all: b\n\t@cat b\nb: a\n\t@cp a b\na:\n\t@echo made >a\n' >m/Makefile
out=$(/usr/bin/make -s -C m)
kt_eq dyn.make "made" "$out"

# tcc: compile and run, and -run
printf '#include <stdio.h>\n#include <stdlib.h>\nint main(int c, char **v) { printf("tcc %%d\\n", atoi(v[1]) * 2); return 0; }\n' >t.c
/usr/bin/tcc -o t t.c && out=$(./t 21)
kt_eq dyn.tcc_compile "tcc 42" "$out"
out=$(/usr/bin/tcc -run t.c 4)
kt_eq dyn.tcc_run "tcc 8" "$out"

# git
(
    set -e
    /usr/bin/git init -q r && cd r
    /usr/bin/git config user.name K && /usr/bin/git config user.email k@example.org
    echo one >f && /usr/bin/git add f && /usr/bin/git commit -qm first
    echo two >>f && /usr/bin/git commit -qam second
    /usr/bin/git log --format=%s | /usr/bin/tr '\n' ' '
    /usr/bin/git fsck --strict 2>&1 | /bin/grep -v '^Checking'
    true
) >git.out 2>&1
kt_eq dyn.git "second first " "$(/bin/cat git.out)"

# openssl
out=$(printf abc | /usr/bin/openssl dgst -sha256 -r)
kt_eq dyn.openssl_dgst "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad *stdin" "$out"
out=$(echo secret | /usr/bin/openssl enc -aes-256-cbc -pbkdf2 -pass pass:k |
    /usr/bin/openssl enc -d -aes-256-cbc -pbkdf2 -pass pass:k)
kt_eq dyn.openssl_enc "secret" "$out"

# lua
out=$(/usr/bin/lua5.4 -e 'local t = {} for i = 1, 10 do t[i] = i * i end
print(#t, t[10], string.format("%q", "a\n"):len())')
kt_eq dyn.lua "10	100	5" "$out"

# musl: a program linked here against Debian's musl (musl-dev) runs through
# /lib/ld-musl-<arch>.so.1. tcc 0.9.27 cannot name another loader, so its
# PT_INTERP (glibc's, tcc's default) is rewritten to musl's.
arch=$(/bin/uname -m)
ml=/usr/lib/$arch-linux-musl
case $arch in
x86_64) glibc_ld=/lib64/ld-linux-x86-64.so.2 ;;
*) glibc_ld=/lib/ld-linux-aarch64.so.1 ;;
esac
printf '#include <stdio.h>\n#include <string.h>\nint main(void) { char b[16]; strcpy(b, "musl"); printf("%%s %%zu\\n", b, strlen(b)); return 0; }\n' >musl.c
/usr/bin/tcc -nostdinc -nostdlib -I/usr/include/$arch-linux-musl -I/usr/lib/$arch-linux-gnu/tcc/include \
    -o musl $ml/crt1.o $ml/crti.o musl.c /lib/$arch-linux-musl/libc.so /usr/lib/$arch-linux-gnu/tcc/libtcc1.a $ml/crtn.o &&
    /usr/bin/python3.11 -c 'import sys
old, new = sys.argv[1].encode() + b"\0", sys.argv[2].encode()
d = open("musl", "rb").read()
assert old in d
open("musl", "wb").write(d.replace(old, new + b"\0" * (len(old) - len(new)), 1))' "$glibc_ld" "/lib/ld-musl-$arch.so.1"
out=$(./musl 2>&1)
kt_eq dyn.musl_dynamic "musl 4" "$out"

kt_done
