#!/usr/bin/env python3
"""Dump the ACPI tables QEMU's firmware builds for a PC machine, as a fixture
for //tests:acpi_test (tests/host/acpi_test.c).

    acpi_dump.py MACHINE SMP OUT      e.g. acpi_dump.py q35 4 q35_smp4.acpi

Runs qemu-system-x86_64 -M MACHINE -smp SMP with no disk and no kernel: SeaBIOS
builds the tables (from QEMU's fw_cfg "etc/acpi/tables") and then finds nothing
to boot. Through QMP (`pmemsave`), the script finds the RSDP in the BIOS area
[ACPI 6.4 5.2.5.1], follows the RSDT/XSDT and the FADT's DSDT, and writes every
table it reached (RSDP first, then the tables, then the whole BIOS area
0xe0000-0xfffff for the RSDP scan) as records:

    u64 physical address, u32 length, u32 zero, then `length` bytes (LE)

The tables are copied as they are in guest memory; nothing is checked here (the
parser under test does that).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import time


class Qmp:
    def __init__(self, machine, smp):
        self.p = subprocess.Popen(
            ["qemu-system-x86_64", "-M", machine, "-smp", str(smp), "-m", "128M",
             "-display", "none", "-nodefaults", "-no-user-config", "-S",
             "-qmp", "stdio", "-serial", "none", "-net", "none"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.read()  # greeting
        self.cmd("qmp_capabilities")
        self.dir = tempfile.mkdtemp()

    def read(self):
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("qemu exited")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def cmd(self, name, **args):
        self.p.stdin.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.p.stdin.flush()
        msg = self.read()
        if "error" in msg:
            raise SystemExit(f"{name}: {msg['error']}")
        return msg.get("return")

    def mem(self, pa, size):
        path = os.path.join(self.dir, "m")
        self.cmd("pmemsave", val=pa, size=size, filename=path)
        with open(path, "rb") as f:
            data = f.read()
        os.unlink(path)
        return data

    def close(self):
        self.p.stdin.close()
        self.p.kill()
        self.p.wait()
        os.rmdir(self.dir)


BIOS_AREA = 0xE0000
BIOS_AREA_LEN = 0x20000


def find_rsdp(q):
    area = q.mem(BIOS_AREA, BIOS_AREA_LEN)
    for off in range(0, len(area) - 36, 16):
        if area[off:off + 8] == b"RSD PTR " and sum(area[off:off + 20]) & 0xFF == 0:
            return BIOS_AREA + off
    return None


def main():
    machine, smp, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    q = Qmp(machine, smp)
    try:
        q.cmd("cont")
        rsdp = None
        for _ in range(300):  # SeaBIOS takes well under a second under TCG
            rsdp = find_rsdp(q)
            if rsdp:
                break
            time.sleep(0.05)
        if not rsdp:
            raise SystemExit("no RSDP")
        raw = q.mem(rsdp, 36)
        rev = raw[15]
        records = [(rsdp, raw if rev >= 2 else raw[:20])]
        todo = []
        if rev >= 2 and struct.unpack_from("<Q", raw, 24)[0]:
            todo.append(struct.unpack_from("<Q", raw, 24)[0])
        todo.append(struct.unpack_from("<I", raw, 16)[0])
        seen = set()
        while todo:
            pa = todo.pop(0)
            if not pa or pa in seen:
                continue
            seen.add(pa)
            hdr = q.mem(pa, 36)
            length = struct.unpack_from("<I", hdr, 4)[0]
            t = q.mem(pa, length)
            records.append((pa, t))
            sig = t[:4]
            if sig == b"RSDT":
                todo += [struct.unpack_from("<I", t, o)[0] for o in range(36, length - 3, 4)]
            elif sig == b"XSDT":
                todo += [struct.unpack_from("<Q", t, o)[0] for o in range(36, length - 7, 8)]
            elif sig == b"FACP":
                todo.append(struct.unpack_from("<I", t, 40)[0])
                if length >= 148:
                    todo.append(struct.unpack_from("<Q", t, 140)[0])
        # Last: the whole BIOS area, for the RSDP scan.
        records.append((BIOS_AREA, q.mem(BIOS_AREA, BIOS_AREA_LEN)))
    finally:
        q.close()
    with open(out, "wb") as f:
        for pa, data in records:
            f.write(struct.pack("<QII", pa, len(data), 0))
            f.write(data)


if __name__ == "__main__":
    main()
