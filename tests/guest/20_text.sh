#!/bin/sh
# Text tools (each one a separate process): sort, uniq, grep, sed, awk
# (floating point exercises the FPU), tr, cut, wc, head, tail, xargs,
# printf, expr, checksums.
. "${KTEST_DIR:-/tests}/lib.sh"

nl2sp() { tr '\n' ' '; }

# ---- sort / uniq ------------------------------------------------------------
printf '10\n9\n100\n9\n' >nums
kt_eq txt.sort_lexical "10 100 9 9 " "$(sort nums | nl2sp)"
kt_eq txt.sort_numeric "9 9 10 100 " "$(sort -n nums | nl2sp)"
kt_eq txt.sort_reverse_unique "100 10 9 " "$(sort -rnu nums | nl2sp)"
printf 'b:3\na:10\nc:1\n' >kv
kt_eq txt.sort_key "c:1 b:3 a:10 " "$(sort -t: -k2n kv | nl2sp)"
printf 'a\na\nb\na\n' >u
kt_eq txt.uniq "a b a " "$(uniq u | nl2sp)"
kt_eq txt.uniq_count "2a 1b 1a " "$(uniq -c u | awk '{printf "%s%s ", $1, $2}')"
kt_eq txt.sort_uniq_count "3a 1b " "$(sort u | uniq -c | awk '{printf "%s%s ", $1, $2}')"

# ---- grep ---------------------------------------------------------------------
printf 'apple\nbanana\ncherry\napricot\nBlueberry\n' >fruit
kt_eq txt.grep_basic "apple apricot " "$(grep ^ap fruit | nl2sp)"
kt_eq txt.grep_count "3" "$(grep -c -e an -e rr fruit)"
kt_eq txt.grep_invert "banana cherry Blueberry " "$(grep -v '^a' fruit | nl2sp)"
kt_eq txt.grep_extended "banana cherry " "$(grep -E '^(ban|che)' fruit | nl2sp)"
kt_eq txt.grep_ignore_case "banana Blueberry " "$(grep -i '^b' fruit | nl2sp)"
grep -q nomatch fruit
kt_eq txt.grep_status_nomatch "1" "$?"
mkdir -p gdir/sub
echo needle >gdir/sub/x.txt
echo hay >gdir/y.txt
kt_eq txt.grep_recursive "gdir/sub/x.txt" "$(grep -rl needle gdir)"

# ---- sed ------------------------------------------------------------------------
kt_eq txt.sed_subst_global "xbxbxb" "$(echo ababab | sed 's/a/x/g')"
kt_eq txt.sed_print_range "banana cherry " "$(sed -n '2,3p' fruit | nl2sp)"
kt_eq txt.sed_delete "apple banana cherry " "$(sed -e '/^apr/d' -e '/^B/d' fruit | nl2sp)"
kt_eq txt.sed_regex_groups "b=1 a=2" "$(echo 'a=1 b=2' | sed -E 's/(a)=([0-9]) (b)=([0-9])/\3=\2 \1=\4/')"
cp fruit fruit2
sed -i 's/cherry/CHERRY/' fruit2
kt_eq txt.sed_in_place "CHERRY 5" "$(grep -i cherry fruit2) $(wc -l <fruit2 | kt_trim)"

# ---- awk (floating point: exercises the FPU) ----------------------------------
kt_eq txt.awk_sum "5050" "$(seq 1 100 | awk '{s += $1} END {print s}')"
kt_eq txt.awk_fields "root:0 daemon:1 " "$(printf 'root:x:0\ndaemon:x:1\n' | awk -F: '{printf "%s:%s ", $1, $3}')"
kt_eq txt.awk_printf_float "0.3333 1.23e+04 0.3 19.635" \
    "$(awk 'BEGIN {printf "%.4f %.2e %g %.3f", 1/3, 12345.678, 0.1 + 0.2, 3.14159 * 2.5 * 2.5}')"
kt_eq txt.awk_float_series "1.644924067" \
    "$(awk 'BEGIN {s = 0; for (i = 1; i <= 100000; i++) s += 1 / (i * i); printf "%.9f", s}')"
kt_eq txt.awk_newton_sqrt2 "1.4142135624" \
    "$(awk 'BEGIN {y = 1; for (k = 0; k < 30; k++) y = (y + 2 / y) / 2; printf "%.10f", y}')"
kt_eq txt.awk_float_fields "7.875 1.55556 35" "$(echo '3.5 2.25' | awk '{print $1 * $2, $1 / $2, int($1 * 10)}')"
kt_eq txt.awk_assoc "a=3 b=1 " \
    "$(printf 'a\nb\na\na\n' | awk '{c[$1]++} END {printf "a=%d b=%d ", c["a"], c["b"]}')"
kt_eq txt.awk_printf_pad "-003.142|2.50  |" "$(awk 'BEGIN {printf "%08.3f|%-6.2f|", -3.14159, 2.5}')"

# ---- tr / cut / wc / head / tail ---------------------------------------------------
kt_eq txt.tr_upper "HELLO WORLD" "$(echo 'hello world' | tr a-z A-Z)"
kt_eq txt.tr_delete "hll wrld" "$(echo 'hello world' | tr -d aeiou)"
kt_eq txt.tr_squeeze "a b c" "$(echo 'a    b  c' | tr -s ' ')"
kt_eq txt.cut_fields "b:d" "$(echo 'a:b:c:d' | cut -d: -f2,4)"
kt_eq txt.cut_chars "ell" "$(echo hello | cut -c2-4)"
printf 'one two\nthree\n' >w
kt_eq txt.wc_lwc "2 3 14" "$(wc -l -w -c <w | awk '{print $1, $2, $3}')"
seq 1 100 >s100
kt_eq txt.head_n "1 2 3 " "$(head -n 3 s100 | nl2sp)"
kt_eq txt.tail_n "99 100 " "$(tail -n 2 s100 | nl2sp)"
kt_eq txt.tail_from_line "98 99 100 " "$(tail -n +98 s100 | nl2sp)"
kt_eq txt.head_c_tail_c "12345/789" "$(printf 123456789 | head -c 5)/$(printf 123456789 | tail -c 3)"

# ---- xargs / printf / expr / checksums -----------------------------------------
kt_eq txt.xargs_n "4" "$(seq 1 10 | xargs -n 3 echo | wc -l | kt_trim)"
kt_eq txt.xargs_basic "a b c" "$(printf 'a\nb\nc\n' | xargs echo)"
kt_eq txt.xargs_runs_command "3" "$(printf 'x1\nx2\nx3\n' | xargs touch && ls x1 x2 x3 | wc -l | kt_trim)"
kt_eq txt.printf_formats "00042|ab |ff|3.50" "$(printf '%05d|%-3s|%x|%.2f' 42 ab 255 3.5)"
kt_eq txt.expr "42 3 1" "$(expr 6 \* 7) $(expr length abc) $(expr 5 \> 3)"
kt_eq txt.seq_md5 "72d4ff27a28afbc066d5804999d5a504" "$(seq 1 10000 | md5sum | cut -d' ' -f1)"
kt_eq txt.sha256_abc "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" \
    "$(printf abc | sha256sum | cut -d' ' -f1)"

kt_done
