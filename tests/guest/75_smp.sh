#!/bin/sh
# Secondary CPUs started and parked (kernel/smp/, docs/porting.md "SMP"):
# /proc/kevlar/smp lists the CPUs and, when read, sends every other online
# CPU a reschedule IPI and a call-function IPI (which reports the CPU it
# ran on and that CPU's hardening, which must be the boot CPU's).
# ktest.cpus=N on the command line (the -smp runs in tests/BUILD.bazel)
# says how many CPUs must be online: QEMU's -smp, or fewer with nosmp /
# maxcpus=. Without it only the consistency checks apply. Linux has no
# /proc/kevlar: every check is a SKIP there.
. "${KTEST_DIR:-/tests}/lib.sh"

F=/proc/kevlar/smp
CHECKS="smp.online smp.boot_log smp.offline smp.ipi smp.harden smp.sched smp.nproc smp.cpuinfo smp.proc_stat"

if [ ! -r "$F" ]; then
    for c in $CHECKS; do
        kt_skip "$c" "no $F (not Kevlar)"
    done
    kt_done
fi

want=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^ktest\.cpus=//p' | tail -n 1)
cat "$F" >smp.txt
cat smp.txt
possible=$(sed -n 's/^possible //p' smp.txt)
online=$(sed -n 's/^online //p' smp.txt)
lines_online=$(grep -c '^cpu[0-9]* .* online' smp.txt)
lines_offline=$(grep -c '^cpu[0-9]* .* offline' smp.txt)

if [ -n "$want" ]; then
    kt_eq smp.online "$want" "$online"
else
    kt_eq smp.online "$lines_online" "$online"
fi

# The boot log names the count (dmesg: the kernel's ring buffer).
log=$(dmesg 2>/dev/null | grep 'smp: brought up' | tail -n 1)
kt_has smp.boot_log "smp: brought up $online of $possible CPUs" "$log"

kt_eq smp.offline "$((possible - online))" "$lines_offline"

# The CPUs that run tasks: every online one with smp_sched=1, CPU 0 alone
# otherwise (the default; docs/architecture.md "Scheduler"). nproc counts
# the affinity mask (sched_getaffinity), /proc/cpuinfo and /proc/stat show
# every online CPU.
sched=$(sed -n 's/^sched //p' smp.txt)
smp_sched=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^smp_sched=//p' | tail -n 1)
if [ "${smp_sched:-0}" != 0 ]; then
    kt_eq smp.sched "$online" "$sched"
else
    kt_eq smp.sched 1 "$sched"
fi
kt_eq smp.nproc "$sched" "$(nproc)"
kt_eq smp.cpuinfo "$online" "$(grep -c '^processor' /proc/cpuinfo)"
kt_eq smp.proc_stat "$online" "$(grep -c '^cpu[0-9]' /proc/stat)"

# Every online CPU but the one reading answers both IPIs.
others=$((online - 1))
ok=$(grep -c ' ipi ok ' smp.txt)
if [ "$others" -eq 0 ]; then
    kt_skip smp.ipi "one CPU online: no other CPU to send IPIs to"
    kt_skip smp.harden "one CPU online"
else
    if [ "$ok" -eq "$others" ]; then
        kt_pass smp.ipi
    else
        kt_fail smp.ipi "$ok of $others CPUs answered: $(kt_show "$(grep ' ipi ' smp.txt)")"
    fi
    same=$(grep -c ' harden same' smp.txt)
    kt_eq smp.harden "$others" "$same"
fi
kt_done
