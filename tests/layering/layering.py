#!/usr/bin/env python3
"""The ring lint (DESIGN §1): what rings 1 and 2 may not contain.

    layering.py [--service-api H,H...] check    ROOT ALLOWLIST TIDY...
        lint the tree at ROOT
    layering.py [--service-api H,H...] selftest ROOT TIDY...
        lint the fixtures at ROOT; every finding must be expected and vice versa

ROOT holds kernel/, services/, drivers/, boards/ (hal/ is ring 0: never checked).
TIDY files are clang-tidy outcomes from build/lint.bzl. Checks (name: what it catches):

  asm          `asm`, `__asm`, `__asm__` in C outside hal/ (comments and strings are
               ignored, so "asm-generic" in a comment is fine). Ring 1/2 code must
               reach the CPU through the HAL.
  asm-file     a .S/.s/.asm file outside hal/ (the BUILD globs of kernel/, services/,
               drivers/ take only .c/.h, so such a file would also be dead code).
  int-to-ptr   clang-tidy 14 performance-no-int-to-ptr in kernel/, services/,
               drivers/ (their .c files and their own headers): an integer cast to a
               pointer makes up a pointer from a number, which only the HAL (direct
               map, MMIO) may do. Pointer to integer is fine. A clang-tidy error (the
               file did not compile) is reported as `tidy-error`: a file the lint
               cannot parse is not a file that passed.
  mmio-literal a hex literal >= 0x1000 used as a physical/MMIO address in kernel/,
               services/, drivers/ (heuristic, see MMIO_* below; boards/ is data and
               hal/ is ring 0, both exempt). Catches: a literal as the physical-address
               argument of the HAL's frame/map/iomap calls; a literal cast to a pointer;
               a macro, variable or field named like an address (BASE, ADDR, PHYS, PA,
               MMIO, IOBASE, REG) set to such a literal; a paddr_t initialised with one.
               Cannot catch: addresses computed at run time or by expressions
               (0x9 << 24), decimal literals, literals below 0x1000 (x86 I/O ports),
               literals under neutral names or in tables, addresses that come in
               through a variable. Device addresses belong in the device tree.
  include      ring 2 (services/, drivers/) includes only the service API: the
               <kernel/*> headers of kernel/service_api.bzl (--service-api), a
               service's public header <services/*.h> (services/<svc>/include/),
               the kernel libc and compiler headers, <kevlar/profile.h>, "..."
               headers of its own folder (services/<svc>/, drivers/<dir>/: never
               another service's private header), and the HAL headers the service
               API hands it (RING2_HAL below). Bazel visibility says the same for
               //kernel:api (invisible to ring 2); this also covers the HAL headers
               //kernel:service_api re-exports because its headers use HAL types.
               Includes in `#ifdef KEVLAR_HOST_TEST` blocks (host unit tests) are
               skipped.

An allowlisted finding (ALLOWLIST: `check path snippet  # reason`) passes; an entry that
matches nothing fails, so the list cannot go stale.
"""
import os
import re
import sys

C_EXT = (".c", ".h", ".inc")
ASM_EXT = (".S", ".s", ".asm")
RINGS_CHECKED = ("kernel/", "services/", "drivers/", "boards/")
CODE_RINGS = ("kernel/", "services/", "drivers/")
RING2 = ("services/", "drivers/")

# HAL headers ring 2 may include directly. services: basic types and the
# copy-semantic frame API (DESIGN §5 "frames"; <hal/frame.h> withholds frame_kaddr()
# from ring 2 under Fortress). drivers also get the MMIO, irq, barrier and console
# interfaces (DESIGN §1: drivers use the HAL MMIO/irq interface).
RING2_HAL = {
    "services/": {"hal/types.h", "hal/frame.h"},
    "drivers/": {"hal/types.h", "hal/frame.h", "hal/mmio.h", "hal/irq.h", "hal/barrier.h", "hal/console.h"},
}
# Compiler headers (clang's) and the kernel libc (kernel/lib/include).
LIBC = {"stddef.h", "stdint.h", "stdarg.h", "stdbool.h", "limits.h", "stdalign.h", "stdnoreturn.h"}

# kernel/include/kernel/ headers ring 2 may include (kernel/service_api.bzl, given
# with --service-api); None: any (the lint's old rule, for a bare run).
SERVICE_API = None

ASM_RE = re.compile(r"\b(asm|__asm|__asm__)\b")
INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)

HEX = r"\(?\s*(0[xX][0-9a-fA-F]+)[uUlL]*"
ADDR_NAME = r"[A-Za-z_]\w*"
# A name is "named like an address" if one of its _-separated words is one of these
# (UART_BASE, mmio_base, gicd_pa; not CLONE_PARENT or AT_EMPTY_PATH).
ADDR_WORDS = {"base", "addr", "phys", "paddr", "pa", "mmio", "iobase", "iomem", "reg", "regs"}
MMIO_RES = [
    # A literal as the physical address given to the HAL.
    ("call", re.compile(r"\b(?:frame_(?:free|get|read16|write16|read|write|zero|copy|kaddr)|hal_iomap|hal_ioremap|hal_phys_to_virt)\s*\(\s*" + HEX)),
    ("call", re.compile(r"\bhal_map_page\s*\([^,;]*,[^,;]*,\s*" + HEX)),
    # A literal cast to a pointer: (T *)0x..., (volatile T *)(0x...).
    ("cast", re.compile(r"\(\s*(?:const\s+|volatile\s+)*[A-Za-z_][\w\s]*\*\s*\)\s*" + HEX)),
    # #define UART_BASE 0x09000000, x.mmio_base = 0x..., .reg_base = 0x...
    ("name", re.compile(r"#\s*define\s+(" + ADDR_NAME + r")\s+" + HEX, re.I)),
    ("name", re.compile(r"(?<![=!<>])\b(" + ADDR_NAME + r")\s*=(?!=)\s*" + HEX, re.I)),
    # paddr_t x = 0x...
    ("type", re.compile(r"\bpaddr_t\s+\w+\s*=\s*" + HEX)),
]
MMIO_MIN = 0x1000

TIDY_DIAG_RE = re.compile(r"^(\S+?):(\d+):\d+: (warning|error): (.*?) \[([\w.,-]+)\]$")


def strip(text, keep_strings=False):
    """Blank out comments (and string/char literals unless keep_strings), keeping
    newlines and columns, so regexes see only code."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            lit = text[i:j]
            out.append(lit if keep_strings else c + re.sub(r"[^\n]", " ", lit[1:-1]) + lit[-1:])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def walk(root):
    for top in RINGS_CHECKED:
        base = os.path.join(root, top)
        for dirpath, _, files in os.walk(base, followlinks=True):
            for f in sorted(files):
                full = os.path.join(dirpath, f)
                yield os.path.relpath(full, root), full


def source_findings(root):
    """(check, path, line, message) for every source-level violation under root."""
    found = []
    for rel, full in walk(root):
        if rel.endswith(ASM_EXT):
            found.append(("asm-file", rel, 1, "assembly file outside hal/"))
            continue
        if not rel.endswith(C_EXT):
            continue
        raw = open(full, encoding="utf-8", errors="replace").read()
        code = strip(raw)
        lines = raw.split("\n")
        for m in ASM_RE.finditer(code):
            found.append(("asm", rel, line_of(code, m.start()), "inline asm outside hal/"))
        if rel.startswith(CODE_RINGS):
            for kind, rx in MMIO_RES:
                for m in rx.finditer(code):
                    lit = m.group(m.lastindex)
                    if kind == "name" and not ADDR_WORDS & set(m.group(1).lower().split("_")):
                        continue
                    if int(lit, 16) >= MMIO_MIN:
                        ln = line_of(code, m.start())
                        found.append(("mmio-literal", rel, ln,
                                      "address literal %s (%s): %s" % (lit, kind, lines[ln - 1].strip())))
        ring2 = next((r for r in RING2 if rel.startswith(r)), None)
        if ring2:
            text = strip(raw, keep_strings=True)
            host_only = host_only_lines(text)
            for m in INCLUDE_RE.finditer(text):
                kind, name = m.group(1), m.group(2)
                if line_of(text, m.start()) in host_only:
                    continue
                inside = os.path.normpath(os.path.join(os.path.dirname(rel), name)).startswith(
                    own_folder(rel, ring2))
                ok = (kind == '"' and inside) or (
                    kind == "<" and (service_api_ok(name) or name in LIBC
                                     or public_service_header(root, name)
                                     or name == "kevlar/profile.h"
                                     or name in RING2_HAL[ring2]
                                     or ("/" not in name and is_libc(name))))
                if not ok:
                    found.append(("include", rel, line_of(raw, m.start()),
                                  "ring 2 includes %s%s%s, not the service API" %
                                  (kind, name, ">" if kind == "<" else '"')))
    return found


def own_folder(rel, ring2):
    """services/tmpfs/ for services/tmpfs/dir.c; the ring folder for a file
    directly in it."""
    parts = rel.split("/")
    return "/".join(parts[:2]) + "/" if len(parts) > 2 else ring2


def service_api_ok(name):
    if not name.startswith("kernel/"):
        return False
    return SERVICE_API is None or name[len("kernel/"):] in SERVICE_API


def public_service_header(root, name):
    """<services/X.h>: the public header of service X (services/X/include/)."""
    if not name.startswith("services/") or name.count("/") != 1:
        return False
    svc = name[len("services/"):-len(".h")]
    return os.path.exists(os.path.join(root, "services", svc, "include", name))


COND_RE = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$")


def host_only_lines(text):
    """Lines inside `#ifdef KEVLAR_HOST_TEST` (or `#if defined(KEVLAR_HOST_TEST)`) up
    to its #else/#elif/#endif: host unit-test builds only, never in the kernel."""
    lines, stack = set(), []  # stack: is this #if level the host-only branch?
    for n, line in enumerate(text.split("\n"), 1):
        m = COND_RE.match(line)
        if m:
            d, rest = m.group(1), m.group(2).strip()
            if d in ("if", "ifdef", "ifndef"):
                stack.append(d != "ifndef" and rest in ("KEVLAR_HOST_TEST", "defined(KEVLAR_HOST_TEST)"))
            elif d in ("elif", "else") and stack:
                stack[-1] = False
            elif d == "endif" and stack:
                stack.pop()
            continue
        if any(stack):
            lines.add(n)
    return lines


_libc_cache = {}


def is_libc(name):
    """<string.h> and friends: the kernel's own libc (kernel/lib/include, relative
    to the working directory: the workspace, also for the fixtures)."""
    if name not in _libc_cache:
        _libc_cache[name] = os.path.exists(os.path.join("kernel/lib/include", name))
    return _libc_cache[name]


def tidy_findings(paths, strip_prefix=""):
    """Findings from clang-tidy outcome files (build/lint.bzl), deduplicated: the
    same header line is reported by every file that includes it, in every
    configuration."""
    found = set()
    for p in paths:
        src, status = None, "0"
        for line in open(p, encoding="utf-8", errors="replace"):
            line = line.rstrip("\n")
            if line.startswith("=== "):
                _, src, _, status = line.split(" ")
                if status != "0":
                    # Nonzero: clang-tidy hit an error (details follow) or crashed.
                    found.add(("tidy-error", rel_to(src, strip_prefix), 0,
                               "clang-tidy exit status %s (%s)" % (status, os.path.basename(p))))
                continue
            m = TIDY_DIAG_RE.match(line)
            if not m:
                continue
            path, ln, sev, msg, check = m.groups()
            path = rel_to(path, strip_prefix)
            if sev == "error":
                found.add(("tidy-error", path, int(ln), msg))
            elif "performance-no-int-to-ptr" in check:
                found.add(("int-to-ptr", path, int(ln), "integer to pointer cast"))
    return sorted(found)


def rel_to(path, prefix):
    path = os.path.normpath(path)
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def read_allowlist(path):
    entries = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        reason = line.split("#", 1)[1].strip() if "#" in line else ""
        parts = body.split(None, 2)
        if len(parts) != 3 or not reason:
            sys.exit("%s:%d: expected `check path snippet  # reason`" % (path, n))
        entries.append((parts[0], parts[1], parts[2], reason, n))
    return entries


def source_line(root, path, ln):
    try:
        return open(os.path.join(root, path), encoding="utf-8", errors="replace").read().split("\n")[ln - 1]
    except (OSError, IndexError):
        return ""


def cmd_check(root, allowlist, tidy):
    findings = sorted(set(source_findings(root)) | set(tidy_findings(tidy)))
    entries = read_allowlist(allowlist)
    used = set()
    bad = []
    for f in findings:
        check, path, ln, msg = f
        text = source_line(root, path, ln)
        hit = [e for e in entries if e[0] == check and e[1] == path and e[2] in text]
        if hit:
            used.update(e[4] for e in hit)
            print("allowed %s %s:%d: %s  (allowlist: %s)" % (check, path, ln, msg, hit[0][3]))
        else:
            bad.append(f)
    for f in bad:
        print("FAIL %s %s:%d: %s" % f)
    stale = [e for e in entries if e[4] not in used]
    for e in stale:
        print("FAIL stale allowlist entry (line %d): %s %s %s" % (e[4], e[0], e[1], e[2]))
    n_tidy = len(tidy)
    print("layering: %d finding(s), %d allowed, %d stale allowlist entr(ies); %d clang-tidy outcome(s)"
          % (len(bad), len(findings) - len(bad), len(stale), n_tidy))
    return 1 if bad or stale or not tidy else 0


EXPECT_RE = re.compile(r"expect:\s*([\w-]+(?:\s*,\s*[\w-]+)*)")


def cmd_selftest(root, tidy):
    """Every fixture line marked `expect: check[, check]` (in a comment) must be
    reported with exactly those checks, and nothing else may be reported: the lint
    cannot silently pass everything, nor flag clean code."""
    prefix = os.path.normpath(os.path.relpath(root, os.getcwd())) + "/"
    got = {}
    for check, path, ln, msg in set(source_findings(root)) | set(tidy_findings(tidy, prefix)):
        got.setdefault((path, ln), set()).add(check)
    want = {}
    for rel, full in walk(root):
        for n, line in enumerate(open(full, encoding="utf-8", errors="replace"), 1):
            m = EXPECT_RE.search(line)
            if m:
                want[(rel, n)] = {c.strip() for c in m.group(1).split(",")}
    bad = 0
    for key in sorted(set(got) | set(want)):
        g, w = got.get(key, set()), want.get(key, set())
        status = "ok  " if g == w else "FAIL"
        bad += g != w
        print("%s %s:%d expected %s, got %s" % (status, key[0], key[1], sorted(w), sorted(g)))
    kinds = {c for s in want.values() for c in s}
    for c in ("asm", "asm-file", "int-to-ptr", "mmio-literal", "include"):
        if c not in kinds:
            print("FAIL no fixture exercises check %s" % c)
            bad += 1
    print("selftest: %d mismatch(es) over %d expected line(s)" % (bad, len(want)))
    return 1 if bad else 0


def main(argv):
    global SERVICE_API
    if len(argv) >= 3 and argv[1] == "--service-api":
        SERVICE_API = set(argv[2].split(","))
        argv = argv[:1] + argv[3:]
    if len(argv) >= 3 and argv[1] == "check":
        return cmd_check(argv[2], argv[3], argv[4:])
    if len(argv) >= 2 and argv[1] == "selftest":
        return cmd_selftest(argv[2], argv[3:])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
