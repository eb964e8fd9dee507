"""Boot images made with the boot loaders' own tools (DESIGN §4, §8).

arm64, U-Boot (Debian's u-boot-tools, dosfstools, mtools, fdisk):
  uboot_fit(name, kernel, initramfs, dtb)   -> <name>.itb: a FIT with the kernel Image,
                                               the board DTB and the initramfs (one
                                               configuration, the default)
  uboot_script(name, bootargs, fit)         -> <name>.scr (boot.scr) from boot.cmd.in
  uboot_booti_script(name, bootargs)        -> <name>.scr for a U-Boot without FIT:
                                               Image + initramfs.cpio + board.dtb, booti
  uboot_disk(name, files, root)             -> <name>.img: MBR + one bootable FAT32
                                               partition holding `files` (+ `root`,
                                               an ext2 image, as partition 2)
x86_64, GRUB (grub-pc-bin, grub-efi-amd64-bin, xorriso, mtools):
  grub_iso(name, kernel, initramfs, cmdline)-> <name>.iso: grub-mkrescue's hybrid
                                               BIOS + UEFI image (CD and raw disk)
  pc_disk(name, kernel, root, cmdline)      -> <name>.img: GPT hard disk, GRUB for BIOS
                                               and UEFI, the kernel and the root on
                                               the ext2 partition 2 (build/mkpcdisk.py)

All are genrules running Debian's tools from /usr/bin and /usr/sbin (the strict action
PATH has no sbin). `kernel` is a kernel_image target: the arm64 Image or the x64
kernel.elf is picked from its outputs.
"""

# The FIT is loaded here by boot.cmd. QEMU virt's RAM starts at 0x4000_0000; the Image
# is copied to 0x4040_0000 (U-Boot's kernel_addr_r on qemu_arm64, 2 MiB aligned as the
# arm64 Image header asks), so the FIT must sit above the kernel and its bss.
FIT_LOAD_ADDR = "0x48000000"
KERNEL_LOAD_ADDR = "0x40400000"

_SBIN = "export PATH=$$PATH:/usr/sbin:/sbin MTOOLS_SKIP_CHECK=1; "

def _boot_file(name, kernel, group):
    """A filegroup with the bootable file of a kernel_image (output group boot_image)."""
    native.filegroup(
        name = name,
        srcs = [kernel],
        output_group = group,
    )

def uboot_fit(name, kernel, initramfs, dtb, description, load_addr = KERNEL_LOAD_ADDR, **kwargs):
    """FIT image <name>.itb: kernel (arm64 Image), fdt (`dtb`) and ramdisk (`initramfs`).

    `load_addr`: where bootm copies the Image (2 MiB aligned, in the board's RAM;
    default QEMU virt's). `initramfs` None: no ramdisk in the image nor in its
    configuration (the root is on a disk: root= in the script's bootargs,
    uboot_disk(root = ...)).

    With a FIT, U-Boot's bootm hands the kernel the FIT's fdt (after its fixups of
    /memory and /chosen), not the tree of the firmware; the DTB must match the machine.
    """
    _boot_file(name + "_image", kernel, "boot_image")
    ramdisk = """		ramdisk {
			description = "initramfs (cpio newc)";
			data = /incbin/("$$work/initramfs.cpio");
			type = "ramdisk";
			arch = "arm64";
			os = "linux";
			compression = "none";
			hash-1 { algo = "sha256"; };
		};
""" if initramfs else ""
    its = """/dts-v1/;
/ {
	description = "%s";
	#address-cells = <1>;
	images {
		kernel {
			description = "Kevlar kernel (arm64 Image)";
			data = /incbin/("$$work/Image");
			type = "kernel";
			arch = "arm64";
			os = "linux";
			compression = "none";
			load = <%s>;
			entry = <%s>;
			hash-1 { algo = "sha256"; };
		};
		fdt {
			description = "board device tree";
			data = /incbin/("$$work/board.dtb");
			type = "flat_dt";
			arch = "arm64";
			compression = "none";
			hash-1 { algo = "sha256"; };
		};
%s	};
	configurations {
		default = "conf-1";
		conf-1 {
			description = "%s";
			kernel = "kernel";
			fdt = "fdt";
%s		};
	};
};
""" % (
        description,
        load_addr,
        load_addr,
        ramdisk,
        "Kevlar with its initramfs" if initramfs else "Kevlar, root on a disk",
        "\t\t\tramdisk = \"ramdisk\";\n" if initramfs else "",
    )
    copy_initramfs = 'cp $(location %s) "$$work/initramfs.cpio"' % initramfs if initramfs else ""
    native.genrule(
        name = name,
        srcs = [":" + name + "_image", dtb] + ([initramfs] if initramfs else []),
        outs = [name + ".itb"],
        cmd = """set -eu
work=$$(mktemp -d)
trap 'rm -rf "$$work"' EXIT
cp $(location :{image}) "$$work/Image"
{copy_initramfs}
cp $(location {dtb}) "$$work/board.dtb"
cat > "$$work/kevlar.its" <<EOF
{its}EOF
/usr/bin/mkimage -q -f "$$work/kevlar.its" $@
""".format(image = name + "_image", copy_initramfs = copy_initramfs, dtb = dtb, its = its),
        message = "Making FIT image %s.itb" % name,
        **kwargs
    )

def _uboot_script(name, template, substitutions, **kwargs):
    """<name>_cmd -> <name>.cmd (`template` with each @KEY@ of `substitutions` replaced)
    and <name> -> <name>.scr (mkimage -T script), the file U-Boot sources."""
    native.genrule(
        name = name + "_cmd",
        srcs = [template],
        outs = [name + ".cmd"],
        cmd = "sed %s $< > $@" % " ".join([
            "-e 's|@%s@|%s|g'" % (key, value)
            for key, value in substitutions.items()
        ]),
        **kwargs
    )
    native.genrule(
        name = name,
        srcs = [":" + name + "_cmd"],
        outs = [name + ".scr"],
        cmd = "/usr/bin/mkimage -q -A arm64 -O linux -T script -C none -n 'Kevlar boot script' -d $< $@ >/dev/null",
        message = "Making U-Boot script %s.scr" % name,
        **kwargs
    )

def uboot_script(name, bootargs, fit_name = "kevlar.itb", fit_addr = FIT_LOAD_ADDR, **kwargs):
    """U-Boot boot script <name>.scr from build/boot.cmd.in: loads the FIT `fit_name` to
    `fit_addr` (in RAM, clear of the kernel; default QEMU virt's) and runs bootm.
    """
    _uboot_script(
        name,
        "//build:boot.cmd.in",
        {"BOOTARGS": bootargs, "FIT": fit_name, "FIT_ADDR": fit_addr},
        **kwargs
    )

def uboot_booti_script(name, bootargs, **kwargs):
    """U-Boot boot script <name>.scr (from build/boot-booti.cmd.in) for a U-Boot without
    FIT support: it loads Image, initramfs.cpio and board.dtb from the partition it was
    found on (U-Boot's kernel_addr_r, ramdisk_addr_r, fdt_addr_r) and runs booti.
    """
    _uboot_script(name, "//build:boot-booti.cmd.in", {"BOOTARGS": bootargs}, **kwargs)

def boot_image_file(name, kernel, **kwargs):
    """The bootable file of a kernel_image (arm64 Image, x64 kernel.elf) alone."""
    _boot_file(name, kernel, "boot_image")

def uboot_disk(name, files, size_mib = 64, root = None, **kwargs):
    """Disk image <name>.img as written to an SD card: an MBR partition table with one
    bootable FAT32 partition (type 0x0c, from 1 MiB, `size_mib` MiB in all) holding
    `files` (dict: name in the partition's root -> label).

    `root`: the label of a whole-filesystem ext2 image (e.g. tests/ext2/cpio2ext2.py's)
    that becomes partition 2 (type 0x83, right after the FAT one, its own size):
    /dev/vda2 on QEMU virt's virtio-blk, /dev/mmcblk0p2 on an SD card.
    """
    srcs = list(files.values()) + ([root] if root else [])
    copies = "\n".join([
        "/usr/bin/mcopy -i \"$$work/part.img\" $(location %s) ::/%s" % (label, dest)
        for dest, label in files.items()
    ])
    root_cmd = ""
    if root:
        root_cmd = """root_sectors=$$(( ($$(stat -L -c %s $(location {root})) + 511) / 512 ))
truncate -s $$(( size_mib * 1048576 + root_sectors * 512 )) "$$work/disk.img"
echo "label: dos
start=2048, size=$$(( (size_mib - 1) * 2048 )), type=c, bootable
start=$$(( size_mib * 2048 )), size=$$root_sectors, type=83" | sfdisk -q "$$work/disk.img"
dd if=$(location {root}) of="$$work/disk.img" bs=1M seek=$$size_mib conv=notrunc status=none
""".format(root = root)
    else:
        root_cmd = """truncate -s $${size_mib}M "$$work/disk.img"
echo 'label: dos
start=2048, type=c, bootable' | sfdisk -q "$$work/disk.img"
"""
    native.genrule(
        name = name,
        srcs = srcs,
        outs = [name + ".img"],
        cmd = _SBIN + """set -eu
work=$$(mktemp -d)
trap 'rm -rf "$$work"' EXIT
size_mib={size}
part_kib=$$(( (size_mib - 1) * 1024 ))
mkfs.vfat -F 32 -n KEVLAR -C "$$work/part.img" $$part_kib >/dev/null
{copies}
{root_cmd}dd if="$$work/part.img" of="$$work/disk.img" bs=1M seek=1 conv=notrunc status=none
cp "$$work/disk.img" $@
""".format(size = size_mib, copies = copies, root_cmd = root_cmd),
        message = "Making disk image %s.img" % name,
        **kwargs
    )

def pc_disk(name, kernel, root, cmdline, **kwargs):
    """PC hard-disk image <name>.img (build/mkpcdisk.py): GPT, GRUB for BIOS (boot.img
    in the MBR, core.img in a BIOS boot partition) and for UEFI (EFI/BOOT/BOOTX64.EFI
    on the EFI system partition), both with an embedded configuration that loads
    /boot/kevlar.elf from partition 2, the ext2 image `root` (kernel added by
    debugfs), with multiboot2 and `cmdline` (e.g. root=/dev/vda2 on virtio-blk-pci).
    """
    _boot_file(name + "_elf", kernel, "boot_image")
    native.genrule(
        name = name,
        srcs = [":" + name + "_elf", root, "//build:mkpcdisk.py"],
        outs = [name + ".img"],
        cmd = "python3 $(location //build:mkpcdisk.py) $(location :{elf}) $(location {root}) '{cmdline}' $@".format(
            elf = name + "_elf",
            root = root,
            cmdline = cmdline,
        ),
        message = "Making PC disk image %s.img" % name,
        **kwargs
    )

def grub_iso(name, kernel, initramfs, cmdline, title, **kwargs):
    """Hybrid ISO <name>.iso made by grub-mkrescue: boots from CD or disk on BIOS
    (El Torito + MBR) and UEFI (EFI system partition image), GRUB on the serial port
    and the screen, one menu entry: multiboot2 kernel.elf + the initramfs as module.
    """
    _boot_file(name + "_elf", kernel, "boot_image")
    native.genrule(
        name = name,
        srcs = [":" + name + "_elf", initramfs, "//build:grub.cfg.in"],
        outs = [name + ".iso"],
        cmd = """set -eu
work=$$(mktemp -d)
trap 'rm -rf "$$work"' EXIT
mkdir -p "$$work/iso/boot/grub"
cp $(location :{elf}) "$$work/iso/boot/kevlar.elf"
cp $(location {initramfs}) "$$work/iso/boot/initramfs.cpio"
sed -e 's|@CMDLINE@|{cmdline}|g' -e 's|@TITLE@|{title}|g' \
    $(location //build:grub.cfg.in) > "$$work/iso/boot/grub/grub.cfg"
# grub-mkrescue uses mtools and xorriso; keep its chatter out of the build log.
/usr/bin/grub-mkrescue -o "$$work/out.iso" "$$work/iso" >"$$work/log" 2>&1 ||
    {{ cat "$$work/log"; exit 1; }}
cp "$$work/out.iso" $@
""".format(elf = name + "_elf", initramfs = initramfs, cmdline = cmdline, title = title),
        message = "Making PC image %s.iso" % name,
        **kwargs
    )
