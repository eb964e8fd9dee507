#!/bin/sh
# ACPI as the PC boards' description (kernel/acpi/, docs/architecture.md
# "ACPI"): /proc/kevlar/acpi lists what the firmware's tables described,
# the boot log (dmesg) agrees with it, and the drivers used it (the I/O
# APIC driver maps the address the MADT gave). With acpi=off on the
# command line nothing is read and the board tree's fallback applies. The
# numbers checked are QEMU's (hw/i386/acpi-build.c); ktest.acpi_skipped=N
# says how many bad tables the runner added. arm64 boards have no
# ACPI: "acpi 0". Linux has no /proc/kevlar: SKIP.
. "${KTEST_DIR:-/tests}/lib.sh"

F=/proc/kevlar/acpi
REST="acpi.cpus_logged acpi.cpus_cover_cpuinfo acpi.cpu_enable acpi.ioapic_used
acpi.irq0_override acpi.pm1a acpi.s5 acpi.mcfg acpi.tables_skipped acpi.skips_reported"

# skip_all WHY [acpi.used too]
skip_all() {
    for c in $2 $REST; do
        kt_skip "$c" "$1"
    done
    kt_done
}

[ -r $F ] || skip_all "no $F (not Kevlar)" acpi.used
log=$(dmesg)
if [ "$(uname -m)" != x86_64 ]; then
    kt_eq acpi.used "acpi 0" "$(head -n 1 $F)"
    skip_all "no ACPI on $(uname -m) boards"
fi
case " $(cat /proc/cmdline) " in
*" acpi=off "*)
    kt_eq acpi.used "acpi 0" "$(head -n 1 $F)"
    kt_has acpi.off_logged "acpi: off (acpi=off)" "$log"
    kt_has acpi.fallback_ioapic "ioapic: 24 pins at 0xfec00000" "$log"
    kt_done
    ;;
esac

kt_eq acpi.used "acpi 1" "$(head -n 1 $F)"
ncpu=$(grep -c '^cpu ' $F)
logged=$(printf '%s\n' "$log" | sed -n 's/.*acpi: MADT: \([0-9]*\) CPU(s).*/\1/p' | head -n 1)
kt_eq acpi.cpus_logged "$logged" "$ncpu"
kt_num acpi.cpus_cover_cpuinfo "$ncpu" -ge "$(grep -c '^processor' /proc/cpuinfo)"
# ktest.cpus=N: the runner gave QEMU -smp N; the MADT must list N CPUs.
for w in $(cat /proc/cmdline); do
    case $w in ktest.cpus=*) kt_eq acpi.cpus_smp "${w#*=}" "$ncpu" ;; esac
done
kt_eq acpi.cpu_enable "0" "$(grep '^cpu ' $F | grep -vc ' enabled')"
ioapic=$(awk '$1 == "ioapic" {print $3; exit}' $F)
kt_has acpi.ioapic_used "ioapic: 24 pins at $ioapic," "$log"
kt_ok acpi.irq0_override grep -q '^override 0 0 2 ' $F
kt_ok acpi.pm1a grep -qx 'pm1a_cnt io 0x604' $F
kt_ok acpi.s5 grep -qx 's5 0' $F
case $log in
*"on QEMU q35"*) kt_ok acpi.mcfg grep -qx 'mcfg 0xb0000000 segment 0 buses 0-255' $F ;;
*) kt_nok acpi.mcfg grep -q '^mcfg' $F ;;
esac
# ktest.acpi_skipped=N: the runner added N bad tables (QEMU's -acpitable):
# each is reported on the console and skipped, the rest still used.
want=0
for w in $(cat /proc/cmdline); do
    case $w in ktest.acpi_skipped=*) want=${w#*=} ;; esac
done
kt_eq acpi.tables_skipped "$want" "$(awk '$1 == "tables" {print $3}' $F)"
kt_eq acpi.skips_reported "$want" "$(printf '%s\n' "$log" | grep -c '^acpi: .*, skipped$')"
kt_done
