#!/usr/bin/env python3
"""Tables and chart for bench/compare.sh (Python standard library only).

    report.py --raw RAW.tsv --meta META.tsv --out DIR

RAW.tsv: arch, kernel, run, key, value (one line per value of one boot; keys starting
with "_" are not benchmarks: _uptime_init_s, _wall_init_s, _wall_total_s, _mem_used_kb,
_image_bytes, _image_loaded_bytes, _failed, _error_<bench>; per operation, from the boot
under the instruction-counting plugin: _insns_<bench>, _kinsns_<bench> (kernel part),
_mem_<bench> (memory accesses)). META.tsv: key, value.

Prints the results as Markdown, writes DIR/ratios.svg and puts the same Markdown into
DIR/README.md between the markers below (the rest of the file is kept; a missing file
is created with only the results).
"""
import argparse
import math
import os
import statistics
import sys
from collections import OrderedDict, defaultdict

BEGIN = "<!-- results:begin (written by bench/compare.sh; edits here are lost) -->"
END = "<!-- results:end -->"
LINUX = ("linux-stock", "linux-fair")
ARCH_TITLE = {"x64": "x86_64 (q35, -cpu max)", "arm64": "arm64 (virt, -cpu cortex-a76)"}
COLORS = ["#7b3294", "#2b83ba", "#1a9641", "#fdae61", "#d7191c", "#999999"]


def load(raw_path, meta_path):
    data = defaultdict(list)  # (arch, kernel, key) -> [float]
    order = OrderedDict()  # benchmark names in first-seen order
    kernels = defaultdict(list)  # arch -> kernel names, first-seen order
    with open(raw_path) as f:
        next(f)
        for line in f:
            arch, kernel, run, key, value = line.rstrip("\n").split("\t")
            if kernel not in kernels[arch]:
                kernels[arch].append(kernel)
            if not key.startswith("_"):
                order[key] = True
            try:
                data[(arch, kernel, key)].append(float(value))
            except ValueError:
                pass
    meta = OrderedDict()
    with open(meta_path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            meta[k] = v
    return data, list(order), kernels, meta


def med(data, arch, kernel, key):
    v = data.get((arch, kernel, key))
    return statistics.median(v) if v else None


def fmt_ns(x):
    if x is None:
        return "–"
    if x >= 100000:
        return "{:,.0f}".format(x)
    if x >= 100:
        return "{:.0f}".format(x)
    return "{:.1f}".format(x)


def fmt_ratio(x):
    return "–" if x is None else "{:.2f}".format(x)


def geomean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def ratios(data, benches, arch, ours, base):
    """{bench: ratio ours/base} and the geometric mean."""
    r = {}
    for b in benches:
        a, l = med(data, arch, ours, b), med(data, arch, base, b)
        r[b] = a / l if a and l else None
    return r, geomean(r.values())


def fmt_count(x):
    if x is None:
        return "–"
    return "{:,.0f}".format(x) if x >= 100 else "{:.1f}".format(x)


def insns_tables(w, data, benches, arch, names, ours):
    """Instructions per operation (the plugin's boot), and the ratio to Linux fair."""
    if not any(med(data, arch, k, "_insns_" + b) for k in names for b in benches):
        return
    w("Instructions per operation (lower is better; the whole machine, kernel and user, from one "
      "boot under `bench/plugin/insncount.c`; below, the kernel's part and memory accesses):\n")
    w("| benchmark | " + " | ".join(names) + " |")
    w("|---|" + "---:|" * len(names))
    for b in benches:
        w("| {} | ".format(b) + " | ".join(fmt_count(med(data, arch, k, "_insns_" + b)) for k in names) + " |")
    w("")
    if "linux-fair" in names:
        w("Instructions ours / linux-fair (**bold**: we run more):\n")
        w("| benchmark | " + " | ".join(ours) + " |")
        w("|---|" + "---:|" * len(ours))
        for b in benches:
            base = med(data, arch, "linux-fair", "_insns_" + b)
            cells = []
            for k in ours:
                a = med(data, arch, k, "_insns_" + b)
                x = a / base if a and base else None
                cells.append("**{}**".format(fmt_ratio(x)) if x and x > 1 else fmt_ratio(x))
            w("| {} | ".format(b) + " | ".join(cells) + " |")
        w("")
    w("Kernel instructions / memory accesses per operation:\n")
    w("| benchmark | " + " | ".join(names) + " |")
    w("|---|" + "---:|" * len(names))
    for b in benches:
        w("| {} | ".format(b) + " | ".join(
            "{} / {}".format(fmt_count(med(data, arch, k, "_kinsns_" + b)), fmt_count(med(data, arch, k, "_mem_" + b)))
            for k in names) + " |")
    w("")


def markdown(data, benches, kernels, meta):
    out = []
    w = out.append
    profiles = meta.get("profiles", "").split()
    load_start = meta.get("load_start", "?")
    load_end = meta.get("load_end", "?")
    try:
        loaded = max(float(load_start.split()[0]), float(load_end.split()[0])) >= 1.5
    except ValueError:
        loaded = True
    w("## Results\n")
    w("| | |\n|---|---|")
    w("| date | {} |".format(meta.get("date", "?")))
    w("| machine | {} cores, {} |".format(meta.get("nproc", "?"), meta.get("cpu", "?")))
    w("| QEMU | {} (TCG) |".format(meta.get("qemu", "?")))
    w("| Kevlar | commit {} |".format(meta.get("commit", "?")))
    for arch in kernels:
        w("| Linux ({}) | Debian `{}` |".format(arch, meta.get("linux_" + arch, "?")))
    w("| runs | {} interleaved, benchmark scale {} |".format(meta.get("runs", "?"), meta.get("scale", "?")))
    w("| load average (1/5/15 min) | {} at the start, {} at the end |".format(load_start, load_end))
    w("")
    if loaded:
        w("**Taken under load**: the machine was shared with other builds (1-minute load average "
          "of 1.5 or more on 2 cores at the start or end). Ratios within one run still compare "
          "kernels under the same conditions, but expect more noise than usual.\n")
    w("### QEMU command lines\n")
    w("The same for every kernel of an arch but for `-kernel` and, for Linux fair, three flags "
      "at the end of `-append` (`bench.scale` is read by `/init`; Linux ignores it). "
      "`LINUX_DIR` is `.deps/linux` unless `--linux-dir` says otherwise; qemu_run.sh adds "
      "`-nographic -serial stdio -monitor none`.\n")
    w("```sh")
    for arch in kernels:
        for name in [profiles[0] if profiles else ""] + list(LINUX):
            cmd = meta.get("cmd_{}_{}".format(arch, name))
            if cmd:
                w("# {} {}".format(arch, "Kevlar " + name if name not in LINUX else name))
                w(cmd)
    w("```\n")

    for arch, names in kernels.items():
        ours = [k for k in names if k not in LINUX]
        w("### {}\n".format(ARCH_TITLE.get(arch, arch)))
        w("Median ns/op (lower is better):\n")
        w("| benchmark | " + " | ".join(names) + " |")
        w("|---|" + "---:|" * len(names))
        for b in benches:
            w("| {} | ".format(b) + " | ".join(fmt_ns(med(data, arch, k, b)) for k in names) + " |")
        w("")
        for base in ("linux-fair", "linux-stock"):
            if base not in names:
                continue
            w("Ratio ours / {} (below 1: we are faster; **bold**: we are slower):\n".format(base))
            w("| benchmark | " + " | ".join(ours) + " |")
            w("|---|" + "---:|" * len(ours))
            table = {k: ratios(data, benches, arch, k, base) for k in ours}
            for b in benches:
                cells = []
                for k in ours:
                    x = table[k][0][b]
                    s = fmt_ratio(x)
                    cells.append("**{}**".format(s) if x and x > 1 else s)
                w("| {} | ".format(b) + " | ".join(cells) + " |")
            w("| *geometric mean* | " + " | ".join("*{}*".format(fmt_ratio(table[k][1])) for k in ours) + " |")
            w("")
            slower = OrderedDict()
            for b in benches:
                ks = [k for k in ours if table[k][0][b] and table[k][0][b] > 1]
                if ks:
                    slower[b] = ks
            if slower:
                w("Slower than {}: ".format(base) + "; ".join(
                    "{} ({})".format(b, ", ".join("{} {:.2f}".format(k, table[k][0][b]) for k in ks))
                    for b, ks in slower.items()) + ".\n")
            else:
                w("Slower than {}: nothing.\n".format(base))
        insns_tables(w, data, benches, arch, names, ours)
        w("Boot and size (medians; wall times include QEMU's start and, for Linux on x86_64, "
          "SeaBIOS and fw_cfg loading):\n")
        w("| kernel | `-kernel` file | loaded (ELF PT_LOAD) | uptime at /init | wall to /init "
          "| wall, whole boot + benchmark | memory in use after boot |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for k in names:
            img = med(data, arch, k, "_image_bytes")
            ld = med(data, arch, k, "_image_loaded_bytes")
            up = med(data, arch, k, "_uptime_init_s")
            wi = med(data, arch, k, "_wall_init_s")
            wt = med(data, arch, k, "_wall_total_s")
            mem = med(data, arch, k, "_mem_used_kb")
            w("| {} | {} | {} | {} | {} | {} | {} |".format(
                k,
                "{:,.0f} KiB".format(img / 1024) if img else "–",
                "{:,.0f} KiB".format(ld / 1024) if ld else "–",
                "{:.2f} s".format(up) if up is not None else "–",
                "{:.2f} s".format(wi) if wi is not None else "–",
                "{:.1f} s".format(wt) if wt is not None else "–",
                "{:,.1f} MiB".format(mem / 1024) if mem is not None else "–"))
        w("")
        notes = []
        for k in names:
            nf = len(data.get((arch, k, "_failed"), []))
            if nf:
                notes.append("{} failed {} boot(s) (not counted)".format(k, nf))
            for (a, kk, key), v in data.items():
                if a == arch and kk == k and key.startswith("_error_"):
                    notes.append("{}: {} reported errno {}".format(k, key[7:], int(v[0])))
        if notes:
            w("Problems: " + "; ".join(notes) + ".\n")
    w("![Ratios ours / Linux fair](ratios.svg)\n")
    return "\n".join(out)


def svg(data, benches, kernels):
    """Horizontal bars on a log scale from 1 (= Linux fair) to the ratio, per arch."""
    panels = []
    for arch, names in kernels.items():
        ours = [k for k in names if k not in LINUX]
        if "linux-fair" not in names or not ours:
            continue
        table = {k: ratios(data, benches, arch, k, "linux-fair") for k in ours}
        rows = [(b, [table[k][0][b] for k in ours]) for b in benches]
        rows.append(("geometric mean", [table[k][1] for k in ours]))
        panels.append((arch, ours, rows))
    if not panels:
        return None
    vals = [x for _, _, rows in panels for _, xs in rows for x in xs if x]
    lo = min(0.125, 2 ** math.floor(math.log2(min(vals)))) if vals else 0.125
    hi = max(8.0, 2 ** math.ceil(math.log2(max(vals)))) if vals else 8.0
    left, plot_w, bar_h, gap = 170, 560, 7, 8
    width = left + plot_w + 60

    def x_of(r):
        return left + plot_w * (math.log2(r) - math.log2(lo)) / (math.log2(hi) - math.log2(lo))

    parts, y = [], 20
    parts.append('<text x="10" y="{}" font-size="15" font-weight="bold">Kevlar / Linux 6.1 fair '
                 '(nokaslr kpti=0 mitigations=off): ratio of median ns/op</text>'.format(y))
    y += 16
    parts.append('<text x="10" y="{}" font-size="11">log scale; left of 1: Kevlar faster, right of 1: '
                 'Kevlar slower; same QEMU (TCG) configuration, same initramfs</text>'.format(y))
    y += 10
    for arch, ours, rows in panels:
        y += 16
        parts.append('<text x="10" y="{}" font-size="14" font-weight="bold">{}</text>'.format(
            y, ARCH_TITLE.get(arch, arch)))
        # Legend, on the line below the title.
        y += 16
        lx = left
        for i, k in enumerate(ours):
            parts.append('<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'.format(lx, y - 9, COLORS[i % len(COLORS)]))
            parts.append('<text x="{}" y="{}" font-size="11">{}</text>'.format(lx + 14, y, k))
            lx += 24 + 7 * len(k)
        y += 10
        top = y
        group_h = bar_h * len(ours) + gap
        for b, xs in rows:
            parts.append('<text x="{}" y="{}" font-size="11" text-anchor="end"{}>{}</text>'.format(
                left - 6, y + group_h / 2, ' font-style="italic"' if b == "geometric mean" else "", b))
            for i, r in enumerate(xs):
                by = y + i * bar_h
                if not r:
                    continue
                x0, x1 = x_of(1), x_of(min(max(r, lo), hi))
                parts.append('<rect x="{:.1f}" y="{}" width="{:.1f}" height="{}" fill="{}"><title>{} {}: {:.2f}</title></rect>'.format(
                    min(x0, x1), by, max(abs(x1 - x0), 1), bar_h - 1, COLORS[i % len(COLORS)], b, ours[i], r))
                parts.append('<text x="{:.1f}" y="{}" font-size="7" {}>{:.2f}</text>'.format(
                    x1 + (3 if r >= 1 else -3), by + bar_h - 1, 'text-anchor="start"' if r >= 1 else 'text-anchor="end"', r))
            y += group_h
        # Axis: ticks at powers of two, the line at 1.
        t = lo
        while t <= hi * 1.0001:
            x = x_of(t)
            parts.append('<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="{3}" stroke-width="{4}"/>'.format(
                x, top - 4, y, "#000" if abs(t - 1) < 1e-9 else "#ddd", 1.5 if abs(t - 1) < 1e-9 else 1))
            label = "{:g}".format(t) if t >= 1 else "1/{:g}".format(1 / t)
            parts.append('<text x="{:.1f}" y="{}" font-size="10" text-anchor="middle">{}</text>'.format(x, y + 12, label))
            t *= 2
        y += 24
    height = y + 10
    # Bars first drawn, grid lines after: put grid lines behind by ordering.
    grid = [p for p in parts if p.startswith("<line")]
    rest = [p for p in parts if not p.startswith("<line")]
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            'font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n'.format(w=width, h=height)
            + "\n".join(grid + rest) + "\n</svg>\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    data, benches, kernels, meta = load(args.raw, args.meta)
    md = markdown(data, benches, kernels, meta)
    print(md)
    os.makedirs(args.out, exist_ok=True)
    chart = svg(data, benches, kernels)
    if chart:
        with open(os.path.join(args.out, "ratios.svg"), "w") as f:
            f.write(chart)
    readme = os.path.join(args.out, "README.md")
    text = open(readme).read() if os.path.exists(readme) else ""
    block = BEGIN + "\n\n" + md + "\n" + END
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = (text.rstrip("\n") + "\n\n" if text else "") + block + "\n"
    with open(readme, "w") as f:
        f.write(text)
    print("report: wrote {} and {}".format(readme, os.path.join(args.out, "ratios.svg")), file=sys.stderr)


if __name__ == "__main__":
    main()
