#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The benchmark report: reads the records bench/lib.sh's bench_record wrote
(JSON lines: section, case, contender, round, value, unit, rss_kib; lower
values are better) and the notes of bench_title / bench_note / bench_size /
bench_target, then

  * prints Markdown on stdout: one table per section, for each case every
    contender's median value with its min–max over the rounds, the number of
    rounds, the median peak RSS, and the ratio against lakefs-cpp: the median
    of the per-round ratios contender / lakefs-cpp (> 1: lakefs-cpp is
    faster or smaller), with their min–max; then the section's targets
    (met or not) and notes;
  * with --out DIR, writes DIR/results.json (the records, notes and run
    metadata) and one chart per section, DIR/<section>.svg: for each case the
    ratio against each contender, whiskers min–max, a line at 1.0, floors
    (contenders named floor…, doing strictly less work than the SDK)
    hatched, targets as markers.

The same input gives the same output, byte for byte (the SVGs too).

  report.py RESULTS.jsonl [--notes NOTES.jsonl] [--out DIR] [--meta KEY=VALUE]... [--no-charts]
  report.py DIR/results.json [--out DIR]          re-render from a saved run
"""
import argparse
import json
import math
import os
import re
import statistics
import sys
import textwrap
from collections import defaultdict

SUBJECT = "lakefs-cpp"

# Targets of sections whose scenarios do not declare theirs with bench_target:
# (section, case regex, contender regex, minimum ratio contender / lakefs-cpp, text).
# "≤ 1.05× the floor" in time or instructions is a ratio floor / lakefs-cpp ≥ 1/1.05.
TARGETS = [
    ("api", r"instructions", r"^floor", 1 / 1.05, "≤ 1.05× the bare-libcurl floor's instructions per call"),
    ("listings", r".", r"^floor", 1 / 1.05, "≤ 1.05× the floor"),
]

SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def is_floor(contender):
    return contender.startswith("floor")


def load(path, notes_path):
    """Returns (records, notes, meta) from JSON lines, or from a saved results.json."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        saved = json.loads(text)
    except ValueError:
        saved = None  # JSON lines
    if isinstance(saved, dict) and "records" in saved:
        return saved["records"], saved.get("notes", []), saved.get("meta", {})
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    notes = []
    if notes_path and os.path.exists(notes_path):
        with open(notes_path, encoding="utf-8") as f:
            notes = [json.loads(line) for line in f if line.strip()]
    return records, notes, {}


def validate(records):
    for r in records:
        for key in ("section", "case", "contender", "round", "value", "unit"):
            if key not in r:
                sys.exit(f"report.py: record without {key}: {r}")
        if not SECTION_ID.match(r["section"]):
            sys.exit(f"report.py: section {r['section']!r} is not a short id ([a-z0-9-]): {r}")


def ordered(items):
    """Unique items in order of first appearance."""
    seen = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def spread(values):
    return statistics.median(values), min(values), max(values)


class Section:
    def __init__(self, name, records, notes):
        self.name = name
        self.title = name
        self.notes = []
        self.sizes = {}
        self.targets = []  # (case regex, contender regex, minimum ratio, text)
        self.rss_targets = []  # (case, contender, maximum median peak RSS in MiB, text)
        for n in notes:
            if n.get("section") != name:
                continue
            if n["kind"] == "title":
                self.title = n["text"]
            elif n["kind"] == "note":
                self.notes.append(n["text"])
            elif n["kind"] == "size":
                self.sizes[n["case"]] = n["number"]
            elif n["kind"] == "target":
                self.targets.append(("^" + re.escape(n["case"]) + "$", "^" + re.escape(n["contender"]) + "$",
                                     n["number"], n["text"]))
            elif n["kind"] == "rss-target":
                self.rss_targets.append((n["case"], n["contender"], n["number"], n["text"]))
        if not self.targets:
            self.targets = [(c, k, r, t) for s, c, k, r, t in TARGETS if s == name]
        self.cases = ordered(r["case"] for r in records)
        # (case, contender) -> round -> [values]; rss and units alike
        self.values = defaultdict(lambda: defaultdict(list))
        self.rss = defaultdict(list)
        self.units = {}
        contenders = defaultdict(list)
        for r in records:
            key = (r["case"], r["contender"])
            self.values[key][int(r["round"])].append(float(r["value"]))
            if r.get("rss_kib") is not None:
                self.rss[key].append(int(r["rss_kib"]))
            self.units.setdefault(key, r["unit"])
            contenders[r["case"]].append(r["contender"])
        self.contenders = {}
        for case, names in contenders.items():
            names = ordered(names)
            self.contenders[case] = ([SUBJECT] if SUBJECT in names else []) + [n for n in names if n != SUBJECT]

    def per_round(self, case, contender):
        return {rnd: statistics.median(v) for rnd, v in self.values[case, contender].items()}

    def stats(self, case, contender):
        return spread(list(self.per_round(case, contender).values()))

    def ratio(self, case, contender):
        """Median, min, max of the per-round ratios contender / lakefs-cpp, and how many rounds paired."""
        if contender == SUBJECT or (case, SUBJECT) not in self.values:
            return None
        if self.units[case, contender] != self.units[case, SUBJECT]:
            return None
        mine, theirs = self.per_round(case, SUBJECT), self.per_round(case, contender)
        ratios = [theirs[r] / mine[r] for r in sorted(mine) if r in theirs and mine[r] > 0]
        if not ratios:
            return None
        return (*spread(ratios), len(ratios))

    def target_for(self, case, contender):
        for case_re, contender_re, ratio, text in self.targets:
            if re.search(case_re, case) and re.search(contender_re, contender):
                return ratio, text
        return None


def fmt(v):
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.1f}"
    if a >= 10:
        return f"{v:.2f}"
    if a >= 0.01 or a == 0:
        return f"{v:.3f}"
    return f"{v:.2g}"


def fmt_ratio(r):
    return f"{r:.1f}×" if r >= 10 else f"{r:.2f}×"


def fmt_mib(kib):
    mib = kib / 1024
    return f"{mib:.0f} MiB" if mib >= 10 else f"{mib:.1f} MiB"


def md_cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(sections, meta):
    out = []
    head = "# Benchmark run"
    if meta.get("date"):
        head += f" {meta['date']}"
    if meta.get("cores"):
        head += f" on {meta['cores']} cores"
    if meta.get("lakefs"):
        head += f", lakeFS {meta['lakefs']}"
    out += [head, ""]
    if meta.get("command"):
        out += [f"Command: `{meta['command']}`" + (f"; CPU: {meta['cpu']}." if meta.get("cpu") else ""), ""]
    out += ["Every figure is the median over the rounds with its min–max; each round runs every contender of a "
            "case once, in rotating order. Ratio = the contender's value / lakefs-cpp's in the same round, median "
            "of those per-round ratios (min–max): > 1 means lakefs-cpp is faster (or smaller). Contenders named "
            "`floor…` do strictly less work than the SDK.", ""]
    all_targets = []
    for s in sections:
        out += [f"## {s.title}", ""]
        has_rate = bool(s.sizes)
        cols = ["case", "contender", "median", "min–max", "rounds"]
        if has_rate:
            cols.append("MiB/s (median)")
        cols += ["peak RSS (median)", "ratio to lakefs-cpp", "ratio min–max"]
        out.append("| " + " | ".join(cols) + " |")
        out.append("|" + "---|" * len(cols))
        for case in s.cases:
            for i, c in enumerate(s.contenders[case]):
                unit = s.units[case, c]
                med, lo, hi = s.stats(case, c)
                rounds = len(s.per_round(case, c))
                name = f"**{c}**" if c == SUBJECT else c
                row = [md_cell(case) if i == 0 else "", name, f"{fmt(med)} {unit}", f"{fmt(lo)}–{fmt(hi)}", str(rounds)]
                if has_rate:
                    size = s.sizes.get(case)
                    row.append(f"{size / 2**20 / med:,.0f}" if size and unit == "s" and med > 0 else "")
                rss = s.rss.get((case, c))
                row.append(fmt_mib(statistics.median(rss)) if rss else "—")
                ratio = s.ratio(case, c)
                if c == SUBJECT:
                    row += ["1 (subject)", ""]
                elif ratio:
                    row += [f"**{fmt_ratio(ratio[0])}**", f"{fmt_ratio(ratio[1])}–{fmt_ratio(ratio[2])}"]
                else:
                    row += ["—", ""]
                out.append("| " + " | ".join(row) + " |")
        lines = []
        for case in s.cases:
            for c in s.contenders[case]:
                target = s.target_for(case, c)
                ratio = s.ratio(case, c)
                if not target or not ratio:
                    continue
                want, text = target
                met = ratio[0] >= want
                verdict = "**met**" if met else "**not met**"
                if met and ratio[1] < want:
                    verdict += " by the median (the worst round was below)"
                line = (f"{text} (ratio to {c} ≥ {want:.2f}): {verdict} at {fmt_ratio(ratio[0])} "
                        f"({fmt_ratio(ratio[1])}–{fmt_ratio(ratio[2])})")
                lines.append(line)
                all_targets.append(f"{s.title} — {line}")
        for case, c, mib, text in s.rss_targets:
            rss = s.rss.get((case, c))
            if not rss:
                continue
            got = statistics.median(rss) / 1024
            line = (f"{text} (peak RSS of {c} ≤ {mib:g} MiB): {'**met**' if got <= mib else '**not met**'} "
                    f"at {fmt_mib(statistics.median(rss))} (max {fmt_mib(max(rss))})")
            lines.append(line)
            all_targets.append(f"{s.title} — {line}")
        if lines:
            out += [""] + [f"- Target: {line}" for line in lines]
        if s.notes:
            out += [""] + [f"- {n}" for n in s.notes]
        out.append("")
    if all_targets:
        out += ["## Targets", ""] + [f"- {t}" for t in all_targets] + [""]
    return "\n".join(out)


def write_results(path, records, notes, meta):
    def block(items):
        if not items:
            return "[]"
        return "[\n" + ",\n".join("    " + json.dumps(i, ensure_ascii=False) for i in items) + "\n  ]"
    text = ("{\n  \"meta\": " + json.dumps(meta, ensure_ascii=False, sort_keys=True)
            + ",\n  \"records\": " + block(records) + ",\n  \"notes\": " + block(notes) + "\n}\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def nice_ticks(lo, hi):
    """Ticks at round ratios, 1 always among them, none closer than 1/12 of the (log) axis to the next."""
    candidates = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 0.9, 1.1, 1.25, 1.5, 2, 3, 5, 10, 20, 50, 100, 200,
                  500, 1000]
    gap = math.log10(hi / lo) / 12
    ticks = [1.0]
    for t in sorted((c for c in candidates if 1 < c <= hi)):
        if math.log10(t / ticks[-1]) >= gap:
            ticks.append(t)
    below = [1.0]
    for t in sorted((c for c in candidates if lo <= c < 1), reverse=True):
        if math.log10(below[-1] / t) >= gap:
            below.append(t)
    return sorted(below[1:] + ticks)


def chart(section, path, meta):
    import matplotlib
    matplotlib.use("svg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    matplotlib.rcParams.update({
        "svg.hashsalt": "lakefs-cpp-bench",  # stable ids
        "svg.fonttype": "none",              # text as text: no glyph paths
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "text.parse_math": False,            # `$` and `_` in case names are text
        "axes.unicode_minus": False,
    })
    rows = []  # (kind, label, data)
    for case in section.cases:
        bars = []
        for c in section.contenders[case]:
            ratio = section.ratio(case, c)
            if ratio and ratio[0] > 0:  # a log axis: a zero (e.g. no CPU measured) has no bar
                med, lo, hi, rounds = ratio
                positive = [v for v in (lo, med) if v > 0]
                bars.append((c, (med, min(positive), hi, rounds), section.target_for(case, c)))
        if bars:
            rows.append(("case", case, None))
            rows += [("bar", c, (ratio, target)) for c, ratio, target in bars]
    if not rows:
        return False
    height = 1.6 + 0.3 * len(rows)
    fig, ax = plt.subplots(figsize=(11, height), layout="constrained")
    values = [1.0]
    for kind, _, data in rows:
        if kind == "bar":
            (_, lo, hi, _), target = data
            values += [lo, hi] + ([target[0]] if target else [])
    lo, hi = min(values) / 1.35, max(values) * 1.8
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    faster, slower = "#2a9d8f", "#e76f51"
    labels, ys = [], []
    n = len(rows)
    for i, (kind, label, data) in enumerate(rows):
        y = n - i
        ys.append(y)
        if kind == "case":
            labels.append(textwrap.shorten(label, 70, placeholder="…"))
            continue
        (med, rlo, rhi, rounds), target = data
        floor = is_floor(label)
        labels.append(f"vs {label}")
        color = "#d9d9d9" if floor else (faster if med >= 1 else slower)
        ax.barh(y, abs(med - 1), left=min(med, 1), height=0.62, color=color,
                edgecolor="#555555" if floor else color, hatch="///" if floor else None, linewidth=0.8)
        ax.errorbar(med, y, xerr=[[med - rlo], [rhi - med]], fmt="none", ecolor="black", elinewidth=0.9,
                    capsize=3)
        ax.text(max(rhi, 1, target[0] * 1.03 if target else 0) * 1.04, y, f"{fmt_ratio(med)} ({fmt_ratio(rlo)}–{fmt_ratio(rhi)}, {rounds} rounds)",
                va="center", fontsize=7.5)
        if target:
            ax.plot([target[0]], [y], marker="D", markersize=5, color="#c1121f", zorder=5)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels)
    for tick, (kind, _, _) in zip(ax.get_yticklabels(), rows):
        if kind == "case":
            tick.set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(0.3, n + 0.7)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.xaxis.set_major_locator(FixedLocator(nice_ticks(lo, hi)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}×"))
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("contender / lakefs-cpp, median of per-round ratios, whiskers min–max "
                  "(log scale; > 1: lakefs-cpp faster)")
    title = section.title
    if meta.get("date"):
        title += f"\nrun of {meta['date']}" + (f", {meta['cores']} cores" if meta.get("cores") else "")
        if meta.get("lakefs"):
            title += f", lakeFS {meta['lakefs']}"
    ax.set_title(title, fontsize=10, loc="left")
    legend = [Patch(facecolor=faster, label="lakefs-cpp faster"),
              Patch(facecolor=slower, label="lakefs-cpp slower")]
    if any(kind == "bar" and is_floor(label) for kind, label, _ in rows):
        legend.append(Patch(facecolor="#d9d9d9", edgecolor="#555555", hatch="///",
                            label="floor: does strictly less work"))
    if any(kind == "bar" and data[1] for kind, _, data in rows):
        legend.append(Line2D([], [], marker="D", color="#c1121f", linestyle="none", markersize=5,
                             label="target (listed under the report's table)"))
    axes_height = ax.get_position().height * height
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(0, -0.5 / axes_height), ncol=len(legend),
              fontsize=7.5, frameon=False)
    fig.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--notes")
    parser.add_argument("--out")
    parser.add_argument("--meta", action="append", default=[])
    parser.add_argument("--no-charts", action="store_true")
    args = parser.parse_args()
    records, notes, meta = load(args.results, args.notes)
    for kv in args.meta:
        key, _, value = kv.partition("=")
        meta[key] = value
    if not records:
        sys.exit("report.py: no records")
    validate(records)
    sections = [Section(name, [r for r in records if r["section"] == name], notes)
                for name in ordered(r["section"] for r in records)]
    print(markdown(sections, meta))
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        write_results(os.path.join(args.out, "results.json"), records, notes, meta)
        if not args.no_charts:
            for s in sections:
                if not chart(s, os.path.join(args.out, f"{s.name}.svg"), meta):
                    print(f"report.py: {s.name}: nothing to chart (no contender paired with {SUBJECT})",
                          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
