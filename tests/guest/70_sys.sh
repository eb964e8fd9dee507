#!/bin/sh
# System identity and clocks: uname, hostname, date, id, umask, rlimits.
. "${KTEST_DIR:-/tests}/lib.sh"

kt_eq sys.uname_s "Linux" "$(uname -s)"
# The machine must match the ELF e_machine of the running BusyBox binary.
em=$(od -An -tu2 -j18 -N2 /proc/self/exe | kt_trim)
case $em in
62) want=x86_64 ;;
183) want=aarch64 ;;
*) want="unknown-e_machine-$em" ;;
esac
kt_eq sys.uname_m "$want" "$(uname -m)"
rel=$(uname -r)
case $rel in
[0-9]*.[0-9]*) kt_pass sys.uname_r ;;
*) kt_fail sys.uname_r "release '$rel'" ;;
esac
kt_has sys.uname_a "$(uname -s) $(uname -n) $(uname -r)" "$(uname -a)"

hn=$(hostname)
kt_eq sys.hostname_matches_uname "$(uname -n)" "$hn"
kt_num sys.hostname_nonempty "${#hn}" -gt 0
if kt_root; then
    if hostname kt-test-host; then
        kt_eq sys.hostname_set "kt-test-host kt-test-host" "$(hostname) $(uname -n)"
        hostname "$hn"
    else
        kt_fail sys.hostname_set "sethostname failed"
    fi
fi

d0=$(date +%s)
kt_num sys.date_positive "$d0" -gt 0
d1=$(date +%s)
kt_num sys.date_nondecreasing "$d1" -ge "$d0"
kt_eq sys.date_format_epoch "1970-01-01 00:00:00" "$(date -u -d @0 '+%Y-%m-%d %H:%M:%S')"

me=$(id -u)
: >owned
kt_eq sys.id_matches_file_owner "$me" "$(stat -c %u owned)"
kt_has sys.id_output "uid=$me" "$(id)"
if kt_guest; then
    kt_eq sys.id_root "0" "$me"
fi

umask 027
: >masked
umask 022
kt_eq sys.umask_027 "640" "$(stat -c %a masked)"

kt_num sys.ulimit_n "$(ulimit -n)" -ge 16
kt_num sys.nproc "$(nproc)" -ge 1
out=$(free)
kt_has sys.free "Mem:" "$out"
kt_has sys.uptime_cmd "load average" "$(uptime)"

# The kernel log through syslog(2): BusyBox dmesg strips the "<level>"
# prefixes, dmesg -r keeps them.
if kt_guest; then
    log=$(dmesg)
    kt_num sys.dmesg_lines "$(printf '%s\n' "$log" | grep -c .)" -ge 1
    case $(printf '%s\n' "$log" | head -n 1) in
    "<"[0-9]">"*) kt_fail sys.dmesg_stripped "first line '$(printf '%s\n' "$log" | head -n 1)'" ;;
    *) kt_pass sys.dmesg_stripped ;;
    esac
    case $(dmesg -r | head -n 1) in
    "<"[0-9]">"*) kt_pass sys.dmesg_raw_levels ;;
    *) kt_fail sys.dmesg_raw_levels "first line '$(dmesg -r | head -n 1)'" ;;
    esac
fi

# A UTS namespace of its own: the new host name stays inside it.
if kt_root; then
    before=$(hostname)
    inner=$(unshare -u sh -c 'hostname kt-uts-ns && hostname')
    kt_eq sys.unshare_uts_inner "kt-uts-ns" "$inner"
    kt_eq sys.unshare_uts_outer_unchanged "$before" "$(hostname)"
fi

kt_done
