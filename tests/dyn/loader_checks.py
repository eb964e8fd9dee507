"""execve of dynamically linked programs, seen from user space: the auxiliary
vector [getauxval(3)], address-space randomization and personality(2)
ADDR_NO_RANDOMIZE, PT_GNU_RELRO, bad program interpreters (Linux's errno), "#!"
scripts whose interpreter is dynamic, and the loader run as a command. Run by
30_loader.sh; one KTEST line per check, also appended to $KTEST_TALLY."""
import ctypes
import errno
import os
import platform
import subprocess
import sys

import ktest
from ktest import expect

MACHINE = platform.machine()
LOADER = {"x86_64": "/lib64/ld-linux-x86-64.so.2", "aarch64": "/lib/ld-linux-aarch64.so.1"}[MACHINE]
libc = ctypes.CDLL(None, use_errno=True)
libc.getauxval.restype = ctypes.c_ulong
libc.getauxval.argtypes = [ctypes.c_ulong]
libc.personality.restype = ctypes.c_int
libc.personality.argtypes = [ctypes.c_ulong]


def check(name, fn):
    ktest.check("ld." + name, fn, 140)


def maps(pid="self"):
    """[(start, end, perms, path)] of /proc/<pid>/maps."""
    out = []
    with open("/proc/%s/maps" % pid) as f:
        for line in f:
            parts = line.split(None, 5)
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            out.append((lo, hi, parts[1], parts[5].strip() if len(parts) > 5 else ""))
    return out


def area_of(addr, m):
    for a in m:
        if a[0] <= addr < a[1]:
            return a
    return None


AT = dict(PHDR=3, PHENT=4, PHNUM=5, PAGESZ=6, BASE=7, ENTRY=9, UID=11, EUID=12, GID=13,
          EGID=14, PLATFORM=15, HWCAP=16, CLKTCK=17, SECURE=23, RANDOM=25, HWCAP2=26,
          EXECFN=31, SYSINFO_EHDR=33, MINSIGSTKSZ=51)


def aux(name):
    return libc.getauxval(AT[name])


def t_auxv():
    m = maps()
    exe = os.path.realpath(sys.executable)
    ld = os.path.realpath(LOADER)
    base = aux("BASE")
    first_ld = min(a[0] for a in m if a[3] == ld)
    expect(base == first_ld, "AT_BASE %#x, %s starts at %#x" % (base, ld, first_ld))
    for what in ("ENTRY", "PHDR"):
        a = area_of(aux(what), m)
        expect(a and a[3] == exe, "AT_%s %#x not in %s: %s" % (what, aux(what), exe, a))
    expect(aux("PHENT") == 56 and aux("PHNUM") >= 4, (aux("PHENT"), aux("PHNUM")))
    expect(aux("PAGESZ") == 4096 and aux("CLKTCK") == 100, (aux("PAGESZ"), aux("CLKTCK")))
    expect((aux("UID"), aux("EUID"), aux("GID"), aux("EGID")) ==
           (os.getuid(), os.geteuid(), os.getgid(), os.getegid()), "ids")
    expect(aux("SECURE") == 0, "AT_SECURE")
    vdso = [a for a in m if a[3] == "[vdso]"]
    expect(vdso and aux("SYSINFO_EHDR") == vdso[0][0], "AT_SYSINFO_EHDR %#x" % aux("SYSINFO_EHDR"))
    expect(ctypes.string_at(aux("PLATFORM")).decode() == MACHINE, "AT_PLATFORM")
    expect(ctypes.string_at(aux("EXECFN")).decode() == sys.executable, "AT_EXECFN")
    rnd = area_of(aux("RANDOM"), m)
    expect(rnd and rnd[3] == "[stack]" and ctypes.string_at(aux("RANDOM"), 16) != b"\0" * 16,
           "AT_RANDOM %s" % (rnd,))
    expect(1024 <= aux("MINSIGSTKSZ") <= 8192, "AT_MINSIGSTKSZ %d" % aux("MINSIGSTKSZ"))
    # /proc/self/auxv: the vector as the kernel wrote it, (type, value) words up to
    # AT_NULL. glibc's getauxval(AT_HWCAP) on x86_64 gives its own value, so the raw
    # one is checked: the minimum bits every CPU here has, x86_64 FPU (0) and SSE2 (26)
    # of CPUID.1:EDX, arm64 HWCAP_FP (0) and HWCAP_ASIMD (1).
    raw = open("/proc/self/auxv", "rb").read()
    words = [int.from_bytes(raw[i:i + 8], "little") for i in range(0, len(raw), 8)]
    pairs = dict(zip(words[0::2], words[1::2]))
    expect(len(words) % 2 == 0 and words[-2:] == [0, 0], "no AT_NULL at the end")
    for name, t in AT.items():
        if name != "HWCAP" or MACHINE != "x86_64":
            expect(pairs.get(t) == aux(name), "auxv AT_%s %s vs %s" % (name, pairs.get(t), aux(name)))
    need = (1 << 0) | (1 << 26) if MACHINE == "x86_64" else 3
    expect(pairs[AT["HWCAP"]] & need == need, "AT_HWCAP %#x" % pairs[AT["HWCAP"]])


def layout(argv0="/bin/cat"):
    """Start addresses of the program, the loader, [stack], [vdso] and [heap]
    in a new process's own /proc/self/maps."""
    out = subprocess.check_output([argv0, "/proc/self/maps"], text=True)
    first = {}
    for line in out.splitlines():
        parts = line.split(None, 5)
        name = parts[5].strip() if len(parts) > 5 else ""
        lo = int(parts[0].split("-")[0], 16)
        first.setdefault(name, lo)
    return {k: first.get(v) for k, v in (("prog", os.path.realpath(argv0)),
                                         ("loader", os.path.realpath(LOADER)),
                                         ("stack", "[stack]"), ("vdso", "[vdso]"))}


def t_aslr():
    a, b = layout(), layout()
    for k in a:
        expect(a[k] is not None, "%s missing" % k)
        expect(a[k] != b[k], "%s at %#x twice" % (k, a[k]))


def t_no_randomize():
    old = libc.personality(0xffffffff)
    expect(libc.personality(old | 0x0040000) == old, "personality set")
    try:
        a, b = layout(), layout()
        expect(a == b, "ADDR_NO_RANDOMIZE: %s vs %s" % (a, b))
    finally:
        libc.personality(old)


def t_relro():
    # glibc mprotects libc's PT_GNU_RELRO read-only after relocating it: the
    # read-only part sits right below the writable data, both of libc.so.6.
    m = [a for a in maps() if os.path.basename(a[3]).startswith("libc.so")]
    ok = any(x[2] == "r--p" and y[2] == "rw-p" and x[1] == y[0] for x, y in zip(m, m[1:]))
    expect(ok, m)


def patched_copy(src, dst, old, new):
    data = open(src, "rb").read()
    expect(old in data, "%s has no %r" % (src, old))
    expect(len(new) <= len(old), "replacement too long")
    with open(dst, "wb") as f:
        f.write(data.replace(old, new + b"\0" * (len(old) - len(new)), 1))
    os.chmod(dst, 0o755)


def exec_errno(path):
    try:
        subprocess.run([path], capture_output=True)
    except OSError as e:
        return e.errno
    return 0


def t_bad_interpreters():
    d = "/tmp/i"
    os.makedirs(d, exist_ok=True)
    prog = "/bin/true"
    old = LOADER.encode()
    with open(d + "/t", "w") as f:
        f.write("not an ELF file, but longer than an ELF header (64 bytes) " * 2)
    os.chmod(d + "/t", 0o755)
    data = open(os.path.realpath(LOADER), "rb").read()
    other = bytearray(data)
    other[18:20] = (183 if MACHINE == "x86_64" else 62).to_bytes(2, "little")  # e_machine
    for name, content in (("m", bytes(other)), ("s", data[:48]), ("h", data[:64 + 56])):
        with open(d + "/" + name, "wb") as f:
            f.write(content)
        os.chmod(d + "/" + name, 0o755)
    cases = [
        ("missing", d.encode() + b"/none", errno.ENOENT),
        ("text_file", d.encode() + b"/t", errno.ELIBBAD),
        ("other_arch", d.encode() + b"/m", errno.ELIBBAD),
        ("short_header", d.encode() + b"/s", errno.EIO),
        ("truncated_phdrs", d.encode() + b"/h", errno.ELIBBAD),
        ("directory", d.encode(), errno.EACCES),
    ]
    bad = []
    for name, interp, want in cases:
        patched_copy(prog, d + "/p", old, interp)
        got = exec_errno(d + "/p")
        if got != want:
            bad.append("%s: %s, want %s" % (name, errno.errorcode.get(got, got), errno.errorcode[want]))
    # A PT_INTERP without its NUL is not an executable (ENOEXEC; Python reports
    # it as OSError: Exec format error).
    data = open(prog, "rb").read()
    i = data.index(old)
    with open(d + "/p", "wb") as f:
        f.write(data[:i + len(old)] + b"X" + data[i + len(old) + 1:])
    got = exec_errno(d + "/p")
    if got != errno.ENOEXEC:
        bad.append("no NUL: %s" % errno.errorcode.get(got, got))
    expect(not bad, "; ".join(bad))
    # The machine is still fine: a good program runs.
    expect(subprocess.run([prog]).returncode == 0, "true after the bad ones")


def t_shebang_dynamic():
    path = "/tmp/i/s.sh"
    os.makedirs("/tmp/i", exist_ok=True)
    with open(path, "w") as f:
        f.write("#!/bin/bash -e\necho \"bash ${BASH_VERSINFO[0]} $0 $1\"\n")
    os.chmod(path, 0o755)
    out = subprocess.check_output([path, "arg"], text=True)
    expect(out == "bash 5 %s arg\n" % path, out)
    with open(path, "w") as f:
        f.write("#!/usr/bin/python3.11 -I\nimport sys; print(sys.argv[1:])\n")
    out = subprocess.check_output([path, "x"], text=True)
    expect(out == "['x']\n", out)


def t_loader_as_command():
    out = subprocess.check_output([LOADER, "/bin/echo", "via", "loader"], text=True)
    expect(out == "via loader\n", out)
    out = subprocess.check_output([LOADER, "/bin/cat", "/proc/self/maps"], text=True)
    expect(os.path.realpath(LOADER) in out and "/bin/cat" in out, out[:200])


def main():
    check("auxv", t_auxv)
    check("aslr", t_aslr)
    check("personality_no_randomize", t_no_randomize)
    check("relro", t_relro)
    check("bad_interpreters", t_bad_interpreters)
    check("shebang_dynamic_interpreter", t_shebang_dynamic)
    check("loader_as_command", t_loader_as_command)


if __name__ == "__main__":
    main()
