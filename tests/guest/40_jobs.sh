#!/bin/sh
# Processes seen from the shell: background jobs, wait, kill and exit
# statuses, traps, many short processes, exec, FIFOs, SIGPIPE, timeout,
# sleep timing, ps.
. "${KTEST_DIR:-/tests}/lib.sh"

# ---- background jobs and wait ---------------------------------------------------
(sleep 0.2; echo a >fa) &
(echo b >fb) &
wait
kt_eq job.background_wait_all "a b" "$(cat fa) $(cat fb)"

(exit 7) &
p=$!
wait $p 2>/dev/null
kt_eq job.wait_pid_status "7" "$?"

(sleep 0.3; exit 3) &
p1=$!
(exit 5) &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
kt_eq job.wait_each_status "3 5" "$r1 $r2"

kt_num job.bang_is_child_pid "$p1" -ne "$$"

# ---- kill ---------------------------------------------------------------------------
sleep 100 &
p=$!
kill -0 $p
a=$?
kill $p
wait $p 2>/dev/null
b=$?
kill -0 $p 2>/dev/null
c=$?
kt_eq job.kill_term_143 "0 143 1" "$a $b $c"

sleep 100 &
p=$!
kill -9 $p
wait $p 2>/dev/null
kt_eq job.kill_9_137 "137" "$?"

sleep 100 &
p=$!
kill -USR1 $p
wait $p 2>/dev/null
kt_eq job.kill_usr1_138 "138" "$?"

sh -c 'kill -STOP $$; exit 4' &
p=$!
i=0
while [ $i -lt 100 ]; do
    st=$(awk '{print $3}' /proc/$p/stat 2>/dev/null)
    [ "$st" = T ] && break
    sleep 0.05
    i=$((i + 1))
done
kill -CONT $p
wait $p 2>/dev/null
kt_eq job.stop_cont "T 4" "$st $?"

# ---- traps ----------------------------------------------------------------------------
got=no
trap 'got=yes' USR1
kill -USR1 $$
kt_eq job.trap_usr1_self "yes" "$got"
trap - USR1

out=$(sh -c 'trap "echo bye" EXIT; exit 3')
kt_eq job.trap_exit "bye 3" "$out $?"
out=$(sh -c 'trap "echo caught; exit 5" TERM; kill -TERM $$; echo not-reached')
kt_eq job.trap_term_self "caught 5" "$out $?"
out=$(sh -c 'trap "" INT; kill -INT $$; echo survived')
kt_eq job.trap_ignore "survived" "$out"
out=$(sh -c 'trap "echo child-got-hup; exit 0" HUP; : >ready; while :; do sleep 0.05; done' &
    p=$!
    i=0
    while [ ! -e ready ] && [ $i -lt 200 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    kill -HUP $p
    wait $p)
kt_eq job.trap_from_other_process "child-got-hup" "$out"

# ---- many short processes --------------------------------------------------------
n=0
i=0
while [ $i -lt 200 ]; do
    n=$(expr $n + 1)
    true
    i=$((i + 1))
done
kt_eq job.many_expr_processes "200" "$n"

bad=0
i=0
while [ $i -lt 50 ]; do
    sh -c "exit $((i % 7))"
    [ $? -eq $((i % 7)) ] || bad=$((bad + 1))
    i=$((i + 1))
done
kt_eq job.many_exec_status "0" "$bad"

pids=$(i=0; while [ $i -lt 20 ]; do sh -c 'echo $$'; i=$((i + 1)); done | sort -u | wc -l | kt_trim)
kt_eq job.distinct_pids "20" "$pids"
kt_eq job.child_ppid "$$" "$(sh -c 'echo $PPID')"
kt_eq job.exec_keeps_pid "same" "$(sh -c 'a=$$; exec sh -c "[ \$\$ = $a ] && echo same || echo diff"')"

# ---- pipes between processes ---------------------------------------------------
out=$(timeout 20 sh -c 'yes | head -n 3 | tr "\n" " "')
kt_eq job.sigpipe_ends_writer "y y y " "$out"
mkfifo fifo
kt_eq job.fifo_type "fifo" "$(stat -c %F fifo)"
(echo through-fifo >fifo) &
out=$(timeout 20 cat fifo)
wait
kt_eq job.fifo_transfer "through-fifo" "$out"

# ---- timeout and sleep timing ----------------------------------------------------
timeout 1 sleep 10 2>/dev/null
kt_eq job.timeout_kills "143" "$?"

u0=$(cut -d' ' -f1 /proc/uptime)
d0=$(date +%s)
sleep 1
u1=$(cut -d' ' -f1 /proc/uptime)
d1=$(date +%s)
el=$(awk -v a="$u0" -v b="$u1" 'BEGIN {printf "%.2f", b - a}')
if awk -v e="$el" 'BEGIN {exit !(e >= 0.95 && e < 10)}'; then
    kt_pass job.sleep_1s_uptime
else
    kt_fail job.sleep_1s_uptime "sleep 1 took $el s by /proc/uptime"
fi
dd_=$((d1 - d0))
if [ $dd_ -ge 1 ] && [ $dd_ -le 10 ]; then
    kt_pass job.sleep_1s_date
else
    kt_fail job.sleep_1s_date "sleep 1 took $dd_ s by date +%s"
fi

# ---- ps ----------------------------------------------------------------------------
sleep 30 &
sp=$!
i=0
while [ $i -lt 50 ]; do
    out=$(ps)
    line=$(echo "$out" | awk -v p=$sp '$1 == p')
    case $line in *"sleep 30"*) break ;; esac
    sleep 0.1
    i=$((i + 1))
done
kt_eq job.ps_lists_self "1" "$(echo "$out" | awk -v p=$$ '$1 == p {n++} END {print n + 0}')"
kt_has job.ps_shows_sleep "sleep 30" "$line"
kill $sp
wait $sp 2>/dev/null

kt_done
