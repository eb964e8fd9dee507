#!/usr/bin/env python3
"""Write a cpio "newc" archive (the initramfs format Linux reads) from a manifest.

Usage: mkcpio.py MANIFEST OUT.cpio

Manifest lines, tab-separated (paths in the archive are absolute, e.g. /bin/sh):
    file    DEST  SRC             regular file; mode 0755 if SRC is executable, an ELF
                                  file or a #! script, else 0644
    dir     DEST                  directory, 0755
    slink   DEST  TARGET          symbolic link
    cnode   DEST  MAJOR  MINOR    character device, 0600
    applets BUSYBOX  LIST         one symlink to BUSYBOX per line of LIST
                                  (`busybox --list-full` output: usr/bin/awk, ...)
    tar     TARFILE               every directory, regular file (with its permission
                                  bits), hard link (as a copy) and symbolic link of
                                  TARFILE, at its path below /; lines after it win
Parents of every entry are created as directories. Explicit entries win over
applet links. The archive is deterministic: entries sorted by path, owner 0:0,
mtime 0, inode numbers in order. No root rights are needed.
"""

import os
import sys
import tarfile

S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR = 0o040000, 0o100000, 0o120000, 0o020000


def is_executable(path):
    if os.access(path, os.X_OK):
        return True
    with open(path, "rb") as f:
        head = f.read(4)
    return head == b"\x7fELF" or head[:2] == b"#!"


def add_tar(entries, path):
    with tarfile.open(path) as tar:
        for m in tar.getmembers():
            dest = "/" + os.path.normpath(m.name).lstrip("./")
            if dest == "/":
                continue
            if m.isdir():
                entries[dest] = (S_IFDIR | (m.mode & 0o7777), b"", (0, 0))
            elif m.issym():
                entries[dest] = (S_IFLNK | 0o777, m.linkname.encode(), (0, 0))
            elif m.isfile() or m.islnk():
                data = tar.extractfile(m).read()
                entries[dest] = (S_IFREG | (m.mode & 0o7777), data, (0, 0))
            else:
                sys.exit("mkcpio: %s: %s: unsupported member type" % (path, m.name))


def read_manifest(path):
    entries = {}  # "/a/b" -> (mode, data, rdev)
    applets = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            kind, *rest = line.split("\t")
            if kind == "file":
                dest, src = rest
                with open(src, "rb") as g:
                    data = g.read()
                perm = 0o755 if is_executable(src) else 0o644
                entries[dest] = (S_IFREG | perm, data, (0, 0))
            elif kind == "dir":
                entries[rest[0]] = (S_IFDIR | 0o755, b"", (0, 0))
            elif kind == "slink":
                entries[rest[0]] = (S_IFLNK | 0o777, rest[1].encode(), (0, 0))
            elif kind == "cnode":
                entries[rest[0]] = (S_IFCHR | 0o600, b"", (int(rest[1]), int(rest[2])))
            elif kind == "applets":
                applets.append(rest)
            elif kind == "tar":
                add_tar(entries, rest[0])
            else:
                sys.exit("mkcpio: %s:%d: unknown entry '%s'" % (path, n, kind))
    for busybox, listing in applets:
        with open(listing) as f:
            for name in f.read().split():
                dest = "/" + name.strip("/")
                if dest not in entries and dest != busybox:
                    entries[dest] = (S_IFLNK | 0o777, busybox.encode(), (0, 0))
    for dest in list(entries):
        if not dest.startswith("/") or "//" in dest or dest.endswith("/"):
            sys.exit("mkcpio: bad path '%s' (absolute, normalized paths only)" % dest)
        parent = os.path.dirname(dest)
        while parent != "/":
            entries.setdefault(parent, (S_IFDIR | 0o755, b"", (0, 0)))
            parent = os.path.dirname(parent)
    return entries


def newc_entry(ino, name, mode, data, rdev):
    name_b = name.encode() + b"\0"
    nlink = 2 if mode & 0o170000 == S_IFDIR else 1
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % v for v in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    entries = read_manifest(sys.argv[1])
    blob = bytearray()
    for ino, dest in enumerate(sorted(entries, key=lambda p: p.split("/")), 1):
        mode, data, rdev = entries[dest]
        blob += newc_entry(ino, dest.lstrip("/"), mode, data, rdev)
    blob += newc_entry(0, "TRAILER!!!", 0, b"", (0, 0))
    blob += b"\0" * (-len(blob) % 512)
    with open(sys.argv[2], "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
