#!/bin/sh
# /proc: self/stat, cmdline, exe, fd, cpuinfo, meminfo, mounts, uptime,
# version, pid directories.
. "${KTEST_DIR:-/tests}/lib.sh"

# `read` is a shell builtin, so /proc/self here is this shell ($$).
read -r spid scomm sstate sppid srest </proc/self/stat
kt_eq procfs.self_stat_pid_ppid "$$ $PPID" "$spid $sppid"
case $sstate in
R | S) kt_pass procfs.self_stat_state ;;
*) kt_fail procfs.self_stat_state "state '$sstate' (want R or S)" ;;
esac
kt_num procfs.stat_field_count "$(awk '{print NF}' /proc/self/stat)" -ge 44
other=$(cat /proc/self/stat | cut -d' ' -f1)
kt_num procfs.self_is_reader "$other" -ne "$$"
kt_eq procfs.pid_stat_matches_self "$$" "$(cut -d' ' -f1 /proc/$$/stat)"

cmd=$(tr '\0' ' ' </proc/$$/cmdline)
kt_has procfs.pid_cmdline "$KT_NAME.sh" "$cmd"
kt_eq procfs.cmdline_argv "kt0,a1,b 2," \
    "$(sh -c 'tr "\0" "\n" </proc/$$/cmdline | tail -n 3 | tr "\n" ","' kt0 a1 "b 2")"

exe=$(readlink /proc/self/exe)
shexe=$(readlink /proc/$$/exe)
magic=$(head -c 4 "$exe" 2>/dev/null | tail -c 3)
kt_eq procfs.self_exe "abs same ELF" \
    "$(case $exe in /*) echo abs ;; esac) $([ "$exe" = "$shexe" ] && echo same) $magic"

exec 3>"$KT_D/fdfile"
kt_eq procfs.self_fd_link "$KT_D/fdfile" "$(readlink /proc/$$/fd/3)"
exec 3>&-
kt_nok procfs.self_fd_closed test -e /proc/$$/fd/3

kt_num procfs.cpuinfo_processors "$(grep -c '^processor' /proc/cpuinfo)" -ge 1

mt=$(awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)
mf=$(awk '$1 == "MemFree:" {print $2}' /proc/meminfo)
unit=$(awk '$1 == "MemTotal:" {print $3}' /proc/meminfo)
kt_num procfs.meminfo_memtotal "$mt" -gt 0
kt_eq procfs.meminfo_unit "kB" "$unit"
kt_num procfs.meminfo_free_le_total "$mf" -le "$mt"
kt_eq procfs.meminfo_matches_sysinfo "$mt" "$(free | awk '$1 == "Mem:" {print $2}')"

kt_eq procfs.mounts_proc "proc" "$(awk '$2 == "/proc" {print $3}' /proc/mounts | head -n 1)"
if kt_root; then
    kt_eq procfs.mounts_tmp "tmpfs" "$(awk '$2 == "/tmp" {print $3}' /proc/mounts | tail -n 1)"
fi
kt_num procfs.mounts_fields "$(awk 'NF != 6 {bad++} END {print bad + 0}' /proc/mounts)" -eq 0

up=$(cat /proc/uptime)
case $up in
[0-9]*.[0-9][0-9]" "[0-9]*.[0-9][0-9]) kt_pass procfs.uptime_format ;;
*) kt_fail procfs.uptime_format "'$up'" ;;
esac
u0=${up%% *}
sleep 0.3
u1=$(cut -d' ' -f1 /proc/uptime)
if awk -v a="$u0" -v b="$u1" 'BEGIN {exit !(a > 0 && b > a)}'; then
    kt_pass procfs.uptime_advances
else
    kt_fail procfs.uptime_advances "$u0 then $u1"
fi

kt_has procfs.version "Linux version " "$(head -c 14 /proc/version)"

kt_ok procfs.pid1_exists test -d /proc/1
kt_num procfs.pid_dirs "$(ls /proc | grep -c '^[0-9][0-9]*$')" -ge 2
sh -c 'exit 0' &
p=$!
wait $p
kt_nok procfs.reaped_pid_gone test -e /proc/$p/stat

kt_done
