#!/usr/bin/env python3
"""Power-cut test of ext2 (//tests:disk_powercut_<arch>, tag manual): QEMU is killed
(SIGKILL, no shutdown) while the guest writes, after sync(2) returned for a known set
of files; those files must survive.

  powercut.py ARCH INITRAMFS DISK KERNEL_FILE...

1. Boots the kernel (the bootable one of KERNEL_FILE...: kernel.elf on x64, Image on
   arm64) with INITRAMFS and a writable copy of DISK (an empty ext2, mkdisk.py's
   powercut.img) as virtio-blk /dev/vda, running tests/guest/t_disk.c with
   ktest.disk=powercut: it writes 200 files, calls sync(), prints each file's sha256
   ("KTEST-DISK synced /path HEX SIZE") and "KTEST-DISK sync done", then keeps
   creating, appending and deleting other files.
2. After the marker, lets the writes go on until 20 "KTEST-DISK churn" lines more
   (or 20 s), then SIGKILLs QEMU.
3. e2fsck -fy on the copy (exit status 0 or 1: clean, or errors corrected; 4 and
   above fail), then e2fsck -fn must find it clean, and every synced file, dumped
   with debugfs, must have its size and sha256.
The console is copied to the log; QEMU's limit is 300 s (the test's is longer).
"""
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

E2FSCK = shutil.which("e2fsck") or "/sbin/e2fsck"
DEBUGFS = shutil.which("debugfs") or "/sbin/debugfs"


def main():
    arch, initrd, disk = sys.argv[1:4]
    want = "kernel.elf" if arch == "x64" else "Image"
    kernel = [k for k in sys.argv[4:] if os.path.basename(k) == want][0]
    tmp = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
    copy = os.path.join(tmp, "powercut.img")
    shutil.copyfile(disk, copy)
    os.chmod(copy, 0o644)
    cmdline = "rdinit=/init ktest.only=t_disk ktest.disk=powercut"
    drive = "if=none,id=vd0,file=%s,format=raw" % copy
    if arch == "x64":
        qemu = ["qemu-system-x86_64", "-M", "q35", "-cpu", "max", "-m", "512M",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-drive", drive, "-device", "virtio-blk-pci,drive=vd0", "-boot", "strict=on"]
        cmdline = "console=ttyS0 " + cmdline
    else:
        qemu = ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu", "cortex-a76",
                "-m", "512M", "-global", "virtio-mmio.force-legacy=false",
                "-drive", drive, "-device", "virtio-blk-device,drive=vd0"]
        cmdline = "console=ttyAMA0 " + cmdline
    qemu += ["-no-reboot", "-nographic", "-serial", "stdio", "-monitor", "none",
             "-kernel", kernel, "-initrd", initrd, "-append", cmdline]
    print("powercut: " + " ".join(qemu), flush=True)
    env = dict(os.environ, TMPDIR=tmp)
    p = subprocess.Popen(qemu, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, env=env, start_new_session=True)
    os.set_blocking(p.stdout.fileno(), False)
    synced, done, churn, buf = [], None, 0, b""
    deadline = time.time() + 300
    reason = None
    while True:
        now = time.time()
        if now > deadline:
            reason = "timed out before the cut"
            break
        if done is not None and (churn >= 20 or now - done > 20):
            break
        if p.poll() is not None:
            reason = "QEMU ended by itself (status %d) before the cut" % p.returncode
            break
        chunk = p.stdout.read() or b""
        if not chunk:
            time.sleep(0.05)
            continue
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for raw in lines:
            line = raw.decode(errors="replace").rstrip("\r")
            print(line, flush=True)
            f = line.split()
            if line.startswith("KTEST-DISK synced ") and len(f) == 5:
                synced.append((f[2], f[3], int(f[4])))
            elif line.startswith("KTEST-DISK sync done"):
                done = time.time()
            elif line.startswith("KTEST-DISK churn") and done is not None:
                churn += 1
            elif "KERNEL PANIC" in line or line.startswith("KTEST-DISK") and "failed" in line:
                reason = "guest: " + line
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    print("powercut: QEMU killed (SIGKILL) after %d churn lines past the sync" % churn)
    if reason or len(synced) != 200:
        print("powercut: FAILED: %s" % (reason or "%d synced files reported, 200 expected"
                                        % len(synced)))
        sys.exit(1)
    ok = True
    r = subprocess.run([E2FSCK, "-fy", copy], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    print(r.stdout.decode(errors="replace"))
    print("powercut: e2fsck -fy exit status %d" % r.returncode)
    if r.returncode > 1:
        print("powercut: e2fsck could not repair the file system cleanly")
        ok = False
    r = subprocess.run([E2FSCK, "-fn", copy], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        print(r.stdout.decode(errors="replace"))
        print("powercut: not clean after the repair (e2fsck -fn %d)" % r.returncode)
        ok = False
    dump = tempfile.mkdtemp(dir=tmp)
    cmds = os.path.join(dump, "cmds")
    with open(cmds, "w") as f:
        for i, (path, _, _) in enumerate(synced):
            f.write("dump %s %s/f%d\n" % (path, dump, i))
    subprocess.run([DEBUGFS, "-f", cmds, copy], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    bad = 0
    for i, (path, hexsum, size) in enumerate(synced):
        out = os.path.join(dump, "f%d" % i)
        data = open(out, "rb").read() if os.path.exists(out) else None
        if data is None or len(data) != size or hashlib.sha256(data).hexdigest() != hexsum:
            bad += 1
            if bad <= 5:
                print("powercut: %s: %s" % (path, "missing" if data is None else
                                            "%d bytes, want %d, or contents differ"
                                            % (len(data), size)))
    print("powercut: %d synced files, %d lost or damaged" % (len(synced), bad))
    ok = ok and bad == 0
    print("powercut: %s" % ("PASSED" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
