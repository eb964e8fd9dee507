#!/usr/bin/env python3
"""//tests:syscall_table: every system call handler is reachable, every table entry
is either implemented or unimplemented on purpose.

    syscall_table.py --unimplemented FILE --table ARCH FILE... --sources FILE...
    syscall_table.py selftest

Handlers are found in the C sources: `SYSCALL_DEFINEn(name, ...)` and a hand-written
`long sys_<name>(const unsigned long *args)` definition (kernel/include/kernel/syscall.h).
Tables are the X(name, number) lists of <hal/arch/syscall_list.h>. Fails when
  - a handler's name is in no arch's table: table.c's weak reference never reaches
    it, so it is dead code and the call it was meant for is a silent -ENOSYS;
  - a table entry has no handler and is not in the unimplemented list;
  - a name in the unimplemented list has a handler, or is in no table (stale).
"""
import re
import sys

DEFINE_RE = re.compile(r"^(?![ \t]*#[ \t]*define)[^\n]*?\bSYSCALL_DEFINE[0-6]\(\s*(\w+)", re.M)
RAW_RE = re.compile(r"^long\s+sys_(\w+)\s*\(\s*const\s+unsigned\s+long\s*\*\s*\w*\s*\)\s*\{", re.M)
TABLE_RE = re.compile(r"\bX\(\s*(\w+)\s*,\s*\d+\s*\)")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def handlers(texts):
    found = {}
    for path, text in texts:
        code = strip_comments(text)
        for rx in (DEFINE_RE, RAW_RE):
            for m in rx.finditer(code):
                found.setdefault(m.group(1), path)
    return found


def check(tables, unimpl, found):
    """tables: arch -> set of names; unimpl: set; found: name -> path. Problems."""
    bad = []
    listed = set().union(*tables.values())
    for name, path in sorted(found.items()):
        if name not in listed:
            bad.append("%s: SYSCALL_DEFINE(%s) is in no arch's syscall table (dead: -ENOSYS)" % (path, name))
        if name in unimpl:
            bad.append("%s: %s is implemented: remove it from the unimplemented list" % (path, name))
    for arch, names in sorted(tables.items()):
        for name in sorted(names - set(found) - unimpl):
            bad.append("%s: table entry %s has no handler and is not listed as unimplemented" % (arch, name))
    for name in sorted(unimpl - listed):
        bad.append("unimplemented list: %s is in no arch's table (stale)" % name)
    return bad


def read_unimpl(path):
    return {line.split("#", 1)[0].strip() for line in open(path)} - {""}


def selftest():
    tables = {"a": {"read", "write", "gone"}, "b": {"read", "open"}}
    src = [("k/x.c", "SYSCALL_DEFINE3(read, int, fd)\n{}\nSYSCALL_DEFINE1(orphan, int, x)\n"
                     "long sys_open(const unsigned long *args)\n{\n}\n"
                     "/* SYSCALL_DEFINE0(commented) */\n#define SYSCALL_DEFINE0(name) x\n")]
    got = check(tables, {"write", "open", "stale"}, handlers(src))
    want = [
        "k/x.c: SYSCALL_DEFINE(orphan) is in no arch's syscall table (dead: -ENOSYS)",
        "k/x.c: open is implemented: remove it from the unimplemented list",
        "a: table entry gone has no handler and is not listed as unimplemented",
        "unimplemented list: stale is in no arch's table (stale)",
    ]
    for line in got:
        print(line)
    if sorted(got) != sorted(want):
        print("FAIL selftest: expected\n  " + "\n  ".join(want))
        return 1
    print("selftest: ok (%d planted problems found)" % len(want))
    return 0


def main(argv):
    if argv[1:] == ["selftest"]:
        return selftest()
    tables, sources, unimpl, i = {}, [], None, 1
    while i < len(argv):
        if argv[i] == "--unimplemented":
            unimpl, i = read_unimpl(argv[i + 1]), i + 2
        elif argv[i] == "--table":
            tables[argv[i + 1]] = set(TABLE_RE.findall(open(argv[i + 2]).read()))
            i += 3
        elif argv[i] == "--sources":
            sources, i = argv[i + 1:], len(argv)
        else:
            sys.exit(__doc__)
    texts = [(p, open(p, encoding="utf-8", errors="replace").read())
             for p in sources if p.endswith((".c", ".h"))]
    found = handlers(texts)
    bad = check(tables, unimpl, found)
    for line in bad:
        print("FAIL " + line)
    print("syscall_table: %d handlers, %s table entries, %d unimplemented on purpose, %d problem(s)" % (
        len(found), "+".join("%s %d" % (a, len(n)) for a, n in sorted(tables.items())), len(unimpl), len(bad)))
    return 1 if bad or not found or not tables else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
