#!/usr/bin/env python3
"""A PC hard-disk image that boots Kevlar from its own ext2 root, on BIOS and UEFI.

  mkpcdisk.py KERNEL.elf ROOT.ext2 CMDLINE OUT.img

The disk (GPT, 512-byte sectors; partitions numbered as Linux names them):

  LBA 0          protective MBR holding GRUB's boot.img (BIOS: jumps to core.img)
  LBA 2048       partition 3, "BIOS boot" (21686148-...): GRUB's core.img, i386-pc
  LBA 4096       partition 1, EFI system partition (FAT): EFI/BOOT/BOOTX64.EFI,
                 GRUB for x86_64-efi (what OVMF starts from a removable disk)
  LBA 36864      partition 2, the ext2 root (ROOT.ext2) with the kernel added as
                 /boot/kevlar.elf (debugfs -w): root=/dev/vda2 on virtio-blk-pci

Both GRUBs are made by Debian's grub-mkimage (grub-pc-bin, grub-efi-amd64-bin) with
the modules they need built in and the same embedded configuration: serial console,
`multiboot2 (hd0,gpt2)/boot/kevlar.elf CMDLINE`, `boot`. No module directory, no
grub.cfg on the disk, no root privileges: what grub-bios-setup would do for BIOS is
done here: boot.img's first 440 bytes go over the MBR's code (the partition table is
kept), with the LBA of core.img at boot.img's kernel_sector (offset 0x5c) and the
drive check disabled (0x66: two NOPs, as grub-bios-setup does for hard disks); the
first sector of core.img (diskboot.img) gets the LBA of the rest of core.img in its
blocklist (the last 12 bytes of that sector: start u64, len u16, segment u16; the
length grub-mkimage wrote is kept). GRUB 2.06's layout (grub-core/boot/i386/pc/boot.S,
diskboot.S; util/setup.c).
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

SECTOR = 512
BIOS_BOOT_LBA, BIOS_BOOT_SECTORS = 2048, 2048
ESP_LBA, ESP_SECTORS = 4096, 32768
ROOT_LBA = ESP_LBA + ESP_SECTORS
GRUB_PC = "/usr/lib/grub/i386-pc"
GRUB_EFI = "/usr/lib/grub/x86_64-efi"
MODULES = ["part_gpt", "ext2", "multiboot2", "serial", "terminal", "echo"]


def tool(name):
    path = shutil.which(name, path="/usr/bin:/usr/sbin:/bin:/sbin")
    if not path:
        raise SystemExit("mkpcdisk: %s not found (packages grub-pc-bin, grub-efi-amd64-bin, "
                         "dosfstools, mtools, fdisk, e2fsprogs)" % name)
    return path


def run(*argv, **kw):
    r = subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    if r.returncode:
        sys.stdout.write(r.stdout.decode(errors="replace"))
        raise SystemExit("mkpcdisk: %s failed (%d)" % (argv[0], r.returncode))
    return r.stdout


def main():
    kernel, root_src, cmdline, out = sys.argv[1:5]
    work = tempfile.mkdtemp()
    try:
        cfg = os.path.join(work, "early.cfg")
        with open(cfg, "w") as f:
            f.write("serial --unit=0 --speed=115200\n"
                    "terminal_input serial console\n"
                    "terminal_output serial console\n"
                    "echo \"Kevlar: GRUB, kernel and root from (hd0,gpt2)\"\n"
                    "multiboot2 (hd0,gpt2)/boot/kevlar.elf %s\n"
                    "boot\n" % cmdline)
        core = os.path.join(work, "core.img")
        run(tool("grub-mkimage"), "-O", "i386-pc", "-d", GRUB_PC, "-c", cfg,
            "-p", "(hd0,gpt2)/boot/grub", "-o", core, "biosdisk", *MODULES)
        efi = os.path.join(work, "BOOTX64.EFI")
        run(tool("grub-mkimage"), "-O", "x86_64-efi", "-d", GRUB_EFI, "-c", cfg,
            "-p", "(hd0,gpt2)/boot/grub", "-o", efi, *MODULES)

        # The root: a copy of ROOT.ext2 with /boot/kevlar.elf.
        root = os.path.join(work, "root.img")
        shutil.copyfile(root_src, root)
        os.chmod(root, 0o644)
        run(tool("debugfs"), "-w", "-R", "mkdir /boot", root)
        run(tool("debugfs"), "-w", "-R", "write %s /boot/kevlar.elf" % kernel, root)
        listing = run(tool("debugfs"), "-R", "ls -l /boot", root).decode()
        if "kevlar.elf" not in listing:
            raise SystemExit("mkpcdisk: /boot/kevlar.elf not written:\n" + listing)
        run(tool("e2fsck"), "-fn", root)

        esp = os.path.join(work, "esp.img")
        run(tool("mkfs.vfat"), "-n", "KEVLAR-ESP", "-C", esp, str(ESP_SECTORS // 2))
        env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
        run(tool("mmd"), "-i", esp, "::/EFI", "::/EFI/BOOT", env=env)
        run(tool("mcopy"), "-i", esp, efi, "::/EFI/BOOT/BOOTX64.EFI", env=env)

        root_sectors = (os.path.getsize(root) + SECTOR - 1) // SECTOR
        total = ROOT_LBA + root_sectors + 2048
        disk = os.path.join(work, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(total * SECTOR)
        table = ("label: gpt\n"
                 "start=%d, size=%d, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"EFI system\"\n"
                 "start=%d, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"kevlar-root\"\n"
                 "start=%d, size=%d, type=21686148-6449-6E6F-744E-656564454649, name=\"BIOS boot\"\n"
                 % (ESP_LBA, ESP_SECTORS, ROOT_LBA, root_sectors, BIOS_BOOT_LBA, BIOS_BOOT_SECTORS))
        run(tool("sfdisk"), "-q", "--no-reread", "--no-tell-kernel", disk,
            input=table.encode())

        with open(core, "rb") as f:
            core_img = bytearray(f.read())
        if len(core_img) > BIOS_BOOT_SECTORS * SECTOR:
            raise SystemExit("mkpcdisk: core.img (%d bytes) larger than the BIOS boot partition"
                             % len(core_img))
        start, length, segment = struct.unpack_from("<QHH", core_img, SECTOR - 12)
        if start != 2 or length != (len(core_img) + SECTOR - 1) // SECTOR - 1:
            raise SystemExit("mkpcdisk: core.img blocklist start %d len %d: not GRUB 2.06's "
                             "layout" % (start, length))
        struct.pack_into("<QHH", core_img, SECTOR - 12, BIOS_BOOT_LBA + 1, length, segment)
        with open(os.path.join(GRUB_PC, "boot.img"), "rb") as f:
            boot_img = bytearray(f.read())
        struct.pack_into("<Q", boot_img, 0x5c, BIOS_BOOT_LBA)
        boot_img[0x66:0x68] = b"\x90\x90"

        with open(disk, "r+b") as f:
            f.seek(0)
            f.write(boot_img[:0x1b8])
            for lba, path in ((ESP_LBA, esp), (ROOT_LBA, root)):
                f.seek(lba * SECTOR)
                with open(path, "rb") as part:
                    shutil.copyfileobj(part, f, 1 << 20)
            f.seek(BIOS_BOOT_LBA * SECTOR)
            f.write(core_img)
        shutil.copyfile(disk, out)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
