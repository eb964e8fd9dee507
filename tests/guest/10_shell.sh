#!/bin/sh
# Shell language and process plumbing: pipes, redirections, here-docs,
# subshells, command substitution, control flow, functions, arithmetic,
# exit statuses, environment.
. "${KTEST_DIR:-/tests}/lib.sh"

# ---- pipes ----------------------------------------------------------------
out=$(seq 1 100 | grep 7 | sort -rn | head -n 3 | tr '\n' ' ')
kt_eq sh.pipe_multistage "97 87 79 " "$out"

out=$(timeout 30 sh -c 'dd if=/dev/zero bs=4096 count=256 2>/dev/null | cat | cat | wc -c' | kt_trim)
kt_eq sh.pipe_bulk_1mib "1048576" "$out"

out=$(echo abc | (read x; echo "got:$x") | tr a-z A-Z)
kt_eq sh.pipe_into_subshell "GOT:ABC" "$out"

false | true
a=$?
true | false
b=$?
kt_eq sh.pipe_status_last "0 1" "$a $b"

# ---- redirections -----------------------------------------------------------
echo hello >f
kt_eq sh.redir_out "hello" "$(cat f)"
echo world >>f
kt_eq sh.redir_append "2 world" "$(wc -l <f | kt_trim) $(tail -n 1 f)"
read -r first <f
kt_eq sh.redir_in "hello" "$first"
echo replaced >f
kt_eq sh.redir_truncate "replaced" "$(cat f)"

{ echo out; echo err >&2; } >both 2>&1
kt_eq sh.redir_2to1 "out err " "$(tr '\n' ' ' <both)"
{ echo o; echo e >&2; } >o.txt 2>e.txt
kt_eq sh.redir_separate "o/e" "$(cat o.txt)/$(cat e.txt)"
out=$(ls /nonexistent_kt_dir 2>&1 >/dev/null)
kt_has sh.redir_stderr_capture "nonexistent_kt_dir" "$out"

exec 3>f3
echo via3 >&3
echo more3 >&3
exec 3>&-
kt_eq sh.redir_exec_fd "via3 more3 " "$(tr '\n' ' ' <f3)"
exec 4<f3
read -r l1 <&4
read -r l2 <&4
exec 4<&-
kt_eq sh.redir_exec_read_fd "via3/more3" "$l1/$l2"

# ---- here-documents -----------------------------------------------------
v=42
out=$(cat <<EOF
val=$v
sum=$((v + 1))
EOF
)
kt_eq sh.heredoc_expand "val=42 sum=43" "$(echo $out)"
out=$(cat <<'EOF'
val=$v $(not run)
EOF
)
kt_eq sh.heredoc_quoted 'val=$v $(not run)' "$out"
out=$(cat <<-EOF
	tab1
		tab2
	EOF
)
kt_eq sh.heredoc_strip_tabs "tab1 tab2" "$(echo $out)"
out=$(wc -l <<EOF
1
2
3
EOF
)
kt_eq sh.heredoc_to_command "3" "$(echo "$out" | kt_trim)"

# ---- subshells and command substitution ---------------------------------
v=1
here=$(pwd)
(v=2; cd /; exit 0)
kt_eq sh.subshell_isolated "1 $here" "$v $(pwd)"
kt_eq sh.cmdsubst_nested "deep" "$(echo $(echo $(echo deep)))"
kt_eq sh.cmdsubst_backticks "a-b" "`echo a`-`echo b`"
x=$(printf 'a\n\n\n')
kt_eq sh.cmdsubst_strips_newlines "[a]" "[$x]"
out=$( (echo in-sub; exit 3) )
rc=$?
kt_eq sh.cmdsubst_status "in-sub 3" "$out $rc"

# ---- control flow, functions, arithmetic --------------------------------
s=0
for i in 1 2 3 4 5; do s=$((s + i)); done
kt_eq sh.for_loop "15" "$s"
i=0
while [ $i -lt 10 ]; do i=$((i + 1)); done
j=5
until [ $j -le 0 ]; do j=$((j - 1)); done
kt_eq sh.while_until "10 0" "$i $j"
out=""
for i in 1 2 3 4 5 6; do
    [ $i = 2 ] && continue
    [ $i = 5 ] && break
    out="$out$i"
done
kt_eq sh.break_continue "134" "$out"

classify() {
    case $1 in
    [0-9]*) echo num ;;
    *.txt) echo text ;;
    a | b) echo ab ;;
    *) echo other ;;
    esac
}
kt_eq sh.case "num text ab other" "$(classify 42) $(classify x.txt) $(classify b) $(classify zz)"

fact() {
    if [ "$1" -le 1 ]; then echo 1; else echo $(($1 * $(fact $(($1 - 1))))); fi
}
kt_eq sh.function_recursion "3628800" "$(fact 10)"
count_args() { echo "$#:$2"; }
kt_eq sh.function_args "3:b c" "$(count_args a "b c" d)"
ret7() { return 7; }
ret7
kt_eq sh.function_return "7" "$?"

kt_eq sh.arith_basic "1078" "$(((7 * 6) + 100 / 7 - 17 % 5 + (1 << 10)))"
kt_eq sh.arith_negative "-3 -1" "$((-7 / 2)) $((-7 % 3))"
kt_eq sh.arith_64bit "1099511627776 255" "$((1 << 40)) $((0xff))"
n=5
n=$((n * 2 + 1))
kt_eq sh.arith_assign "11" "$n"

# ---- exit statuses ----------------------------------------------------
sh -c 'exit 42'
kt_eq sh.exit_status "42" "$?"
false
a=$?
! false
b=$?
c=no
true && c=yes
d=no
false || d=yes
kt_eq sh.status_logic "1 0 yes yes" "$a $b $c $d"
nonexistent_kt_command 2>/dev/null
kt_eq sh.command_not_found_127 "127" "$?"
rc=$( (sh -c 'kill -9 $$'; echo $?) 2>/dev/null)
kt_eq sh.killed_by_signal_137 "137" "$rc"
out=$(sh -c 'echo before; exit 3; echo after')
kt_eq sh.exit_stops_script "before" "$out"

# ---- strings, read, environment ----------------------------------------
p=/usr/local/file.tar.gz
base=${p##*/}
kt_eq sh.param_expansion "22 file.tar.gz /usr/local file.tar def" "${#p} $base ${p%/*} ${base%.gz} ${unset_kt_var:-def}"
out=$(echo "a:b:c" | { IFS=: read -r x y z; echo "$z$y$x"; })
kt_eq sh.read_ifs "cba" "$out"
export KT_FOO=bar
kt_eq sh.export_to_child "bar" "$(sh -c 'echo $KT_FOO')"
KT_LOCAL=hidden
kt_eq sh.unexported_hidden "[]" "$(sh -c 'echo "[$KT_LOCAL]"')"
kt_eq sh.env_prefix_assignment "temp bar" "$(KT_FOO=temp sh -c 'echo $KT_FOO') $KT_FOO"
kt_eq sh.env_i "A=1 B=2 " "$(env -i A=1 B=2 env | sort | tr '\n' ' ')"
out=$(env | grep '^KT_FOO=')
kt_eq sh.env_lists_exported "KT_FOO=bar" "$out"
set -- x y z
kt_eq sh.positional_params "3 x z" "$# $1 $3"

kt_done
