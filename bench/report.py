# SPDX-License-Identifier: GPL-2.0-or-later
"""The report of a benchmark run: the table printed and written to
latest.txt, the same as Markdown (latest.md), one CSV line per measurement
(latest.csv) and a chart of the ratios against their targets (latest.svg,
written by hand: no plotting library)."""
import csv
import math
import os
import re

from stats import NOISE


def fmt(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    a = abs(x)
    if a >= 1e6:
        return "%.2fM" % (x / 1e6)
    if a >= 1e4:
        return "%.0fk" % (x / 1e3)
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    return "%.2f" % x


def fmt_ratio(r):
    if r is None or math.isnan(r):
        return "-"
    return "%.3f" % r if r < 10 else "%.1f" % r


def ratio_iqr(r):
    q = getattr(r.ratio, "quartiles", None)
    return "%s..%s" % (fmt_ratio(q[0]), fmt_ratio(q[1])) if q else ""


def met_text(met, yes="yes", no="NO"):
    if met is None:
        return ""
    if met == NOISE:
        return "noise"
    return yes if met else no


def table(rows, qemu, api):
    header = ("#", "what / variant", "QEMU/API", "median", "min..max", "unit", "ratio",
              "ratio IQR", "vs", "target", "met")
    lines = []
    last = None
    body = []
    for r in rows:
        if r.name != last:
            body.append(("", r.name, "", "", "", "", "", "", "", "", ""))
            last = r.name
        spread = "%s..%s" % (fmt(r.lo), fmt(r.hi)) if len(r.values) > 1 else "(1 run)"
        met = met_text(r.met)
        variant = "  " + r.variant + ("  [%s]" % r.note if r.note else "")
        body.append((r.row, variant, "%s/%d" % (qemu, api), fmt(r.median), spread, r.unit,
                     fmt_ratio(r.ratio), ratio_iqr(r), r.ratio_to, r.target, met))
    widths = [max(len(h), *(len(b[i]) for b in body if b[2])) for i, h in enumerate(header)]
    widths[1] = max(len(b[1]) for b in body if b[2])

    def line(cells):
        return "  ".join(c.ljust(w) if i in (0, 1, 8) else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    lines.append(line(header))
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        if not b[2]:
            lines.append("%s %s" % (next(r.row for r in rows if r.name == b[1]), b[1]))
        else:
            lines.append(line(b))
    return "\n".join(lines)


def write_csv(path, rows, qemu, api):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row", "name", "variant", "median", "min", "max", "unit", "ratio",
                    "ratio_q1", "ratio_q3", "ratio_to", "target", "met", "runs", "qemu",
                    "plugin_api", "note"])
        for r in rows:
            q = getattr(r.ratio, "quartiles", None) or ("", "")
            w.writerow([r.row, r.name, r.variant, "%.6g" % r.median, "%.6g" % r.lo,
                        "%.6g" % r.hi, r.unit,
                        "" if r.ratio is None else "%.4f" % r.ratio,
                        *("" if x == "" else "%.4f" % x for x in q), r.ratio_to, r.target,
                        met_text(r.met, "yes", "no"), len(r.values),
                        qemu, api, r.note])


def markdown(rows):
    """The table for README.md."""
    out = ["| # | what | variant | median | min..max | unit | ratio | ratio IQR | vs | target | met |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    last = None
    for r in rows:
        what = r.name if r.name != last else ""
        last = r.name
        spread = "%s..%s" % (fmt(r.lo), fmt(r.hi)) if len(r.values) > 1 else "1 run"
        met = met_text(r.met, "yes", "**no**")
        variant = r.variant + (" (%s)" % r.note if r.note else "")
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r.row, what, variant, fmt(r.median), spread, r.unit, fmt_ratio(r.ratio),
            ratio_iqr(r), r.ratio_to, r.target.replace("<=", "\u2264").replace(">=", "\u2265"), met))
    return "\n".join(out) + "\n"


def xml(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def write_svg(path, rows, title):
    """Horizontal bars of the rows that have a target: the measured ratio on a
    logarithmic axis, drawn from 1, the target as a black tick; green met,
    red missed."""
    items = [r for r in rows if r.target and r.ratio is not None and not math.isnan(r.ratio)]
    label_w, plot_w, bar_h, gap, top = 600, 420, 18, 8, 60
    height = top + len(items) * (bar_h + gap) + 50
    width = label_w + plot_w + 150
    values = [r.ratio for r in items] + [float(r.target.split()[1]) for r in items] + [1.0]
    lo = 10 ** math.floor(math.log10(max(min(values), 1e-3) * 0.9))
    hi = 10 ** math.ceil(math.log10(max(values) * 1.1))

    def x(v):
        v = min(max(v, lo), hi)
        return label_w + (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * plot_w
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="22" font-size="15" font-weight="bold">%s</text>' % xml(title),
           '<text x="10" y="42" fill="#555">measured ratio (bar from 1, log scale) and target '
           '(black tick); green: target met, red: missed, grey: within the noise</text>']
    decade = lo
    while decade <= hi * 1.0001:
        for m in (1, 2, 5):
            v = decade * m
            if lo <= v <= hi:
                out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (
                    x(v), top - 5, x(v), height - 40))
                out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%g</text>' % (
                    x(v), height - 25, v))
        decade *= 10
    for i, r in enumerate(items):
        y = top + i * (bar_h + gap)
        label = "%s. %s" % (r.row, short_label(r))
        colour = "#999999" if r.met == NOISE else "#3a9a3a" if r.met else "#c83232"
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (
            label_w - 8, y + bar_h - 5, xml(label)))
        left, right = sorted((x(1.0), x(r.ratio)))
        out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>' % (
            left, y, max(right - left, 1), bar_h, colour))
        t = float(r.target.split()[1])
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black" stroke-width="3"/>' % (
            x(t), y - 3, x(t), y + bar_h + 3))
        out.append('<text x="%d" y="%d">%s (target %s)</text>' % (
            label_w + plot_w + 8, y + bar_h - 5, fmt_ratio(r.ratio), xml(r.target)))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def short_label(r):
    if r.label:
        return r.label
    name = re.sub(r",? (s CPU|ns/call|ms in guest|messages/s|aggregate calls/s)$", "", r.name)
    name = re.sub(r"^(cost per call, |issue 7: |unused channel, |scaling, system mode MTTCG: )", "",
                  name)
    text = "%s: %s" % (name, r.variant)
    return text if len(text) <= 84 else text[:81] + "..."


def write(directory, head, rows, details, qemu, api, date):
    """Writes latest.{txt,md,csv,svg} into directory; returns the text report."""
    report = "%s\n\n%s\n\n%s\n" % (head, table(rows, qemu, api), details)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "latest.txt"), "w") as f:
        f.write(report)
    write_csv(os.path.join(directory, "latest.csv"), rows, qemu, api)
    with open(os.path.join(directory, "latest.md"), "w") as f:
        f.write("%s\n\n%s" % (head, markdown(rows)))
    write_svg(os.path.join(directory, "latest.svg"), rows,
              "backdoor: ratios vs targets (QEMU %s, plugin API %d, %s)" % (qemu, api, date))
    return report
