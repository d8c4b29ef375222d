#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The README's performance table, from bench/results/latest.csv: every
measured comparison that has a target, with its median ratio, the spread of
the ratio over the repetitions, and whether the target is met. make bench
writes it after each run, so the README never shows figures typed by hand.

  bench/readme_table.py           rewrite README.md's table
  bench/readme_table.py --check   exit 1 if README.md differs from the results
"""
import csv
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
README = os.path.join(ROOT, "README.md")
BEGIN = "<!-- make bench writes this table (bench/readme_table.py) -->"
END = "<!-- end of the bench table -->"


def number(text):
    """A measurement as the report prints it: three significant digits."""
    value = float(text)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return "%.3g%s" % (value / limit, suffix)
    return "%.3g" % value


def table():
    with open(os.path.join(RESULTS, "latest.txt")) as f:
        machine = f.readline().strip()
    lines = [BEGIN, "", machine + ".", "",
             "| # | comparison | measured | ratio (spread) | target | met |",
             "|---|---|---|---|---|---|"]
    name = ""
    with open(os.path.join(RESULTS, "latest.csv")) as f:
        for row in csv.DictReader(f):
            name = row["name"] or name
            if not row["target"]:
                continue
            spread = ("%.3f..%.3f" % (float(row["ratio_q1"]), float(row["ratio_q3"]))
                      if row["ratio_q1"] else "one run")
            # Row 10's target is on the figure itself (seconds), not a ratio.
            ratio = ("%.3f vs %s (%s)" % (float(row["ratio"]), row["ratio_to"], spread)
                     if row["ratio"] else "the figure itself")
            lines.append("| %s | %s: %s | %s %s | %s | %s | %s |" % (
                row["row"], name, row["variant"], number(row["median"]), row["unit"],
                ratio, row["target"], row["met"] or "-"))
    lines += ["", END]
    return "\n".join(lines)


def main():
    text = open(README).read()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0:
        sys.exit("README.md lacks the bench table's markers")
    new = text[:start] + table() + text[end + len(END):]
    if "--check" in sys.argv[1:]:
        if new != text:
            sys.exit("README.md's performance table differs from bench/results: run "
                     "bench/readme_table.py (make bench does)")
        return
    if new != text:
        with open(README, "w") as f:
            f.write(new)


if __name__ == "__main__":
    main()
