#!/bin/sh
# PCI enumeration (drivers/pci/pci.c): /proc/bus/pci/devices in Linux's format
# [proc(5); drivers/pci/proc.c]. q35 and pc are reached through configuration
# mechanism #1 (their firmware assigned the BARs), arm64 virt through ECAM (no
# firmware: the kernel assigns the BARs from the host's ranges).
. "${KTEST_DIR:-/tests}/lib.sh"

F=/proc/bus/pci/devices

# (procfs files have st_size 0, as on Linux: read it.)
kt_ok pci.devices_file grep -q . "$F"
# The host bridge: q35's 8086:29c0, pc's 8086:1237, virt's 1b36:0008 (QEMU PCIe host).
kt_ok pci.host_bridge grep -qE "^0000	(808629c0|80861237|1b360008)	" "$F"
# Each line: BBDD, VVVVDDDD, irq, 7 addresses, 7 sizes (and the driver, maybe empty).
bad=$(awk -F '\t' 'NF < 17 || $1 !~ /^[0-9a-f]{4}$/ || $2 !~ /^[0-9a-f]{8}$/ { print NR }' "$F")
kt_eq pci.line_format "" "$bad"
# Every BAR with a size has an address (assigned by the firmware or the kernel).
# (An address of one hex digit is only the flag bits: address 0.)
unassigned=$(awk -F '\t' '{ for (i = 0; i < 7; i++) {
        a = $(4 + i); s = $(11 + i); gsub(/ /, "", a); gsub(/ /, "", s)
        if (s != "0" && length(a) <= 1) print $1 "/" i } }' "$F")
kt_eq pci.bars_assigned "" "$unassigned"
# The virtio-blk and virtio-rng functions the QEMU tests plug in (transitional
# 1af4:1001/1005 or modern 1af4:1042/1044) are bound to the virtio-pci
# driver, as Linux names it (drivers/virtio/virtio_pci.c).
virtio=$(awk -F '\t' '$2 ~ /^1af4(1001|1005|1042|1044)$/' "$F")
if [ -z "$virtio" ]; then
    kt_skip pci.virtio_bound "no virtio-blk or virtio-rng PCI function on this machine"
else
    unbound=$(printf '%s\n' "$virtio" | awk -F '\t' '$18 != "virtio-pci" { print $1 }')
    kt_eq pci.virtio_bound "" "$unbound"
fi
kt_done
