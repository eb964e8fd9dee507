#!/usr/bin/env python3
"""Board registration and image contents (boards/boards.bzl).

    boards_check.py folders REGISTRY_JSON FILE...
        //tests:boards: every folder under boards/ is registered in BOARDS, and every
        registered board has its files (BUILD.bazel calling board_package(),
        README.md, board.dts when its tree is embedded). FILE...: the board
        packages' files (runfiles); the folders are listed from the source tree
        they point to, since a folder nobody registered is in no Bazel target.
    boards_check.py images REGISTRY_JSON NM (--image BOARD KIND FILE...)... (--media FILE)...
        //tests:board_images: an image holds the drivers its board selects and no
        other (a driver is its DRIVER_DECLARE/VIRTIO_DRIVER_DECLARE symbol); a
        shipped image (KIND "shipped") holds no test hook (faultfs, the HAL's debug
        probe), a test image ("test") holds them; boot media (ISO, SD card, FIT)
        do not contain the string "faultfs".
    boards_check.py selftest
"""
import json
import os
import subprocess
import sys
import tempfile

TEST_HOOKS = ["__svc_faultfs", "hal_debug_user_ptr"]


def folder_problems(boards_dir, registry):
    bad = []
    folders = sorted(d for d in os.listdir(boards_dir)
                     if os.path.isdir(os.path.join(boards_dir, d)) and not d.startswith("."))
    for d in folders:
        if d not in registry:
            bad.append("boards/%s is not registered in boards/boards.bzl (BOARDS)" % d)
    for name, b in sorted(registry.items()):
        base = os.path.join(boards_dir, name)
        if not os.path.isdir(base):
            bad.append("board %s is registered but boards/%s does not exist" % (name, name))
            continue
        build = os.path.join(base, "BUILD.bazel")
        if not os.path.exists(build):
            bad.append("boards/%s/BUILD.bazel is missing" % name)
        elif "board_package()" not in open(build).read():
            bad.append("boards/%s/BUILD.bazel does not call board_package()" % name)
        if not os.path.exists(os.path.join(base, "README.md")):
            bad.append("boards/%s/README.md is missing" % name)
        if b["dtb"] == "embedded" and not os.path.exists(os.path.join(base, "board.dts")):
            bad.append("boards/%s/board.dts is missing (its tree is embedded)" % name)
    return bad


def cmd_folders(registry_path, files):
    registry = json.load(open(registry_path))["boards"]
    anchor = next(f for f in files if f.startswith("boards/") and f.count("/") == 1)
    boards_dir = os.path.dirname(os.path.realpath(anchor))
    bad = folder_problems(boards_dir, registry)
    for b in bad:
        print("FAIL " + b)
    print("boards: %d registered (%s), %d problem(s)" % (len(registry), " ".join(sorted(registry)), len(bad)))
    return 1 if bad else 0


def symbols(nm, path):
    out = subprocess.run([nm, path], check=True, capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def image_problems(board, kind, syms, registry):
    bad, notes = [], []
    everything = sorted({d for b in registry.values() for d in b["drivers"]})
    chosen = set(registry[board]["drivers"])
    for d in everything:
        has = "__driver_" + d in syms or "__virtio_driver_" + d in syms
        if has and d not in chosen:
            bad.append("%s (%s): has driver %s, which its board does not select" % (board, kind, d))
        elif not has and d in chosen:
            bad.append("%s (%s): lacks driver %s, which its board selects" % (board, kind, d))
        elif not has:
            notes.append("no " + d)
    for s in TEST_HOOKS:
        if kind == "shipped" and s in syms:
            bad.append("%s (shipped): contains test hook %s" % (board, s))
        if kind == "test" and s not in syms:
            bad.append("%s (test): lacks test hook %s" % (board, s))
    return bad, notes


def cmd_images(argv):
    registry = json.load(open(argv[0]))["boards"]
    nm, args = argv[1], argv[2:]
    bad, seen, i = [], 0, 0
    while i < len(args):
        if args[i] == "--image":
            board, kind, files = args[i + 1], args[i + 2], []
            i += 3
            while i < len(args) and not args[i].startswith("--"):
                files.append(args[i])
                i += 1
            elf = next(f for f in files if f.endswith(".elf"))
            b, notes = image_problems(board, kind, symbols(nm, elf), registry)
            bad += b
            seen += 1
            print("%s %s %s: %s%s" % ("FAIL" if b else "ok  ", board, kind, elf,
                                      (" (" + ", ".join(notes) + ")") if notes else ""))
        elif args[i] == "--media":
            path = args[i + 1]
            i += 2
            data = open(path, "rb").read()
            if b"faultfs" in data:
                bad.append("boot medium %s contains faultfs" % path)
            print("%s medium %s: no faultfs" % ("FAIL" if b"faultfs" in data else "ok  ", path))
            seen += 1
        else:
            sys.exit(__doc__)
    for b in bad:
        print("FAIL " + b)
    print("board_images: %d checked, %d problem(s)" % (seen, len(bad)))
    return 1 if bad or not seen else 0


def selftest():
    registry = {"a": {"drivers": ["x"], "dtb": "embedded"}, "b": {"drivers": ["y"], "dtb": ""}}
    with tempfile.TemporaryDirectory() as t:
        for d in ("a", "c"):
            os.makedirs(os.path.join(t, d))
        open(os.path.join(t, "a", "BUILD.bazel"), "w").write("board_package()\n")
        got = folder_problems(t, registry)
    want = [
        "boards/c is not registered in boards/boards.bzl (BOARDS)",
        "boards/a/README.md is missing",
        "boards/a/board.dts is missing (its tree is embedded)",
        "board b is registered but boards/b does not exist",
    ]
    got2, _ = image_problems("a", "shipped", {"__driver_y", "__svc_faultfs"}, registry)
    want2 = [
        "a (shipped): lacks driver x, which its board selects",
        "a (shipped): has driver y, which its board does not select",
        "a (shipped): contains test hook __svc_faultfs",
    ]
    ok = sorted(got) == sorted(want) and sorted(got2) == sorted(want2)
    for line in got + got2:
        print("found: " + line)
    print("selftest: %s" % ("ok" if ok else "FAIL"))
    return 0 if ok else 1


def main(argv):
    if argv[1:2] == ["selftest"]:
        return selftest()
    if argv[1:2] == ["folders"]:
        return selftest() or cmd_folders(argv[2], argv[3:])
    if argv[1:2] == ["images"]:
        return selftest() or cmd_images(argv[2:])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
