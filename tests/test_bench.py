# SPDX-License-Identifier: GPL-2.0-or-later
"""The benchmarks still run (make bench takes minutes; here two of its rows
in their quick form) and write every result file; their statistics decide
met, missed and noise as bench/README.md says."""
import csv
import os
import re
import sys

from harness import BUILD, ROOT, Failure

sys.path.insert(0, os.path.join(ROOT, "bench"))
import stats  # noqa: E402


def test_quick_rows_write_every_result_file(t):
    """Rows 4 and 7 (a few seconds): the table, Markdown, CSV and chart
    hold exactly those rows, and row 7's region count, read from the event
    log's summary record, lies within the count of QEMU's libinsn.so."""
    if not os.path.exists(os.path.join(BUILD, "bench", "bench.elf")):
        raise Failure("the benchmark builds are missing: run 'make all'")
    results = t.path("results")
    r = t.run([sys.executable, os.path.join(ROOT, "bench", "run.py"), "--quick", "--no-build",
               "--only", "4,7", "--results", results], timeout=300, check=0)
    for name in ("latest.txt", "latest.md", "latest.csv", "latest.svg"):
        t.check(os.path.getsize(os.path.join(results, name)) > 0, name + " written", r)
    with open(os.path.join(results, "latest.csv")) as f:
        rows = list(csv.DictReader(f))
    t.eq(sorted({row["row"] for row in rows}), ["4", "7"], "rows in latest.csv", rows)
    t.eq([row["met"] for row in rows if row["target"]].count(""), 0,
         "every row with a target is judged", rows)
    m = re.search(r"libinsn.so total (\d+); backdoor region 1: (\d+)", r.stdout)
    t.check(m is not None, "row 7 names both instruction counts", r)
    total, region = int(m.group(1)), int(m.group(2))
    t.check(0 < region <= total, "the region counts part of what libinsn.so counts", r)
    t.contains(open(os.path.join(results, "latest.svg")).read(), "backdoor_print vs isa-debugcon",
               "row 4 in the chart")


def test_paired_ratios_and_targets(t):
    """A ratio is the median of the per-repetition ratios, with their
    quartiles from 4 repetitions on; a target inside the quartiles is noise."""
    r = stats.paired_ratio([2.0, 4.0, 9.0, 8.0, 10.0], [1.0, 2.0, 3.0, 4.0, 5.0])
    t.eq(float(r), 2.0, "median of 2, 2, 3, 2, 2")
    t.eq(r.quartiles, (2.0, 2.0), "quartiles of the per-repetition ratios")
    t.eq(stats.paired_ratio([3.0], [2.0]).quartiles, None, "no quartiles from one repetition")
    spread = stats.paired_ratio([1.0, 1.1, 1.3, 1.5], [1.0, 1.0, 1.0, 1.0])
    t.eq(stats.meets(spread, "<= 1.2"), stats.NOISE, "1.2 lies between the quartiles")
    t.eq(stats.meets(spread, "<= 1.6"), True, "1.6 is above all of them")
    t.eq(stats.meets(spread, ">= 1.6"), False, "and not reached")
    row = stats.Row("2", "name", "variant", [3.0, 1.0, 2.0], "ns", spread, "floor", "<= 1.6")
    t.eq((row.median, row.lo, row.hi, row.met), (2.0, 1.0, 3.0, True),
         "a row's median, spread and verdict")


def test_readme_table_is_the_results(t):
    """The README's performance table is bench/results/latest.csv's, as
    make bench wrote it (bench/readme_table.py), not figures typed by hand."""
    r = t.run(["python3", os.path.join(ROOT, "bench", "readme_table.py"), "--check"])
    t.eq(r.returncode, 0, "README.md agrees with bench/results", r)
