# SPDX-License-Identifier: GPL-2.0-or-later
"""The benchmarks still run (make bench takes minutes; here three of its
rows in their quick form) and write every result file; their statistics
decide met, missed and noise as bench/README.md says."""
import csv
import os
import re
import shutil
import sys

from harness import BUILD, ROOT, Failure, Skip

sys.path.insert(0, os.path.join(ROOT, "bench"))
import stats  # noqa: E402


def quick_rows(t, rows):
    """Runs bench/run.py --quick for some rows; returns the run, the rows of
    its latest.csv and the directory of its results."""
    results = t.path("results-" + rows.replace(",", "-"))
    r = t.run([sys.executable, os.path.join(ROOT, "bench", "run.py"), "--quick", "--no-build",
               "--only", rows, "--results", results], timeout=300, check=0)
    with open(os.path.join(results, "latest.csv")) as f:
        return r, list(csv.DictReader(f)), results


def verdicts_follow_the_figures(t, rows):
    """Each verdict in latest.csv is what stats.meets says of the ratio and
    its quartiles written beside it: none is typed in, none is left out."""
    for row in rows:
        if not row["target"]:
            continue
        ratio = stats.Ratio(float(row["ratio"]))
        if row["ratio_q1"]:
            ratio.quartiles = (float(row["ratio_q1"]), float(row["ratio_q3"]))
        want = stats.meets(ratio, row["target"])
        want = "noise" if want == stats.NOISE else "yes" if want else "no"
        t.eq(row["met"], want, "verdict of row %s %s, ratio %s (%s..%s), target %s"
             % (row["row"], row["variant"], row["ratio"], row["ratio_q1"], row["ratio_q3"],
                row["target"]))


def test_quick_rows_write_every_result_file(t):
    """Rows 4 and 7 (a few seconds): the table, Markdown, CSV and chart
    hold exactly those rows, and row 7's region count, read from the event
    log's summary record, lies within the count of QEMU's libinsn.so."""
    if not os.path.exists(os.path.join(BUILD, "bench", "bench.elf")):
        raise Failure("the benchmark builds are missing: run 'make all'")
    r, rows, results = quick_rows(t, "4,7")
    for name in ("latest.txt", "latest.md", "latest.csv", "latest.svg"):
        t.check(os.path.getsize(os.path.join(results, name)) > 0, name + " written", r)
    t.eq(sorted({row["row"] for row in rows}), ["4", "7"], "rows in latest.csv", rows)
    verdicts_follow_the_figures(t, rows)
    m = re.search(r"libinsn.so total (\d+); backdoor region 1: (\d+)", r.stdout)
    t.check(m is not None, "row 7 names both instruction counts", r)
    total, region = int(m.group(1)), int(m.group(2))
    t.check(0 < region <= total, "the region counts part of what libinsn.so counts", r)
    t.contains(open(os.path.join(results, "latest.svg")).read(), "backdoor_print vs isa-debugcon",
               "row 4 in the chart")


def test_real_workload_against_callgrind(t):
    """Row 8 in its quick form (256 KiB of text): Callgrind, plain QEMU and
    the plugin timed, the target judged; the collection region equals
    Callgrind's Ir within 0.01 % and the top 10 functions within 0.1 % with
    glibc's rep tunables, as docs/valgrind.md says, and with glibc's and the
    plugin's defaults (Valgrind's CPU, count-reps on); with the defaults
    before (QEMU's CPU, count-reps=off) the counts differ by the repetitions
    of rep movsb/stosb, under 2 %."""
    if not os.path.exists(os.path.join(BUILD, "bench", "zlib_region")):
        raise Failure("build/bench/zlib_region is missing: run 'make all'")
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        raise Skip("valgrind is not installed (scripts/install-deps.sh bench)")
    r, rows, _ = quick_rows(t, "8")
    t.eq({row["row"] for row in rows}, {"8"}, "only row 8 in latest.csv", r)
    variants = [row["variant"] for row in rows if row["unit"] == "s"]
    t.eq(len(variants), 14, "7 variants (the profile with and without the call graph), in "
         "CPU and in wall time", rows)
    t.check(any("callgrind" in v for v in variants) and any("profile=" in v for v in variants),
            "Callgrind and the plugin with profile= timed", variants)
    target = [row for row in rows if row["target"]]
    t.eq([(row["target"], row["ratio_to"]) for row in target], [("<= 0.5", "Callgrind")],
         "one target: profile= at least 2x faster than Callgrind", rows)
    t.check(target[0]["met"] in ("yes", "no", "noise"), "the target judged", target)
    counts = {}
    for row in rows:
        m = re.match(r"Callgrind (\d+), ([+-]\d+),", row["note"])
        if row["unit"] == "insns" and m:
            key = ("tunables" if "TUNABLES" in row["variant"] else
                   "before" if "as before" in row["variant"] else "default")
            counts[key] = (int(m.group(1)), int(m.group(2)))
    t.eq(sorted(counts), ["before", "default", "tunables"], "a count row per setting", rows)
    theirs, diff = counts["tunables"]
    t.check(abs(diff) <= theirs * 1e-4, "with the tunables, within 0.01 %% of Callgrind's Ir "
            "(%+d of %d)" % (diff, theirs), rows)
    theirs, diff = counts["default"]
    t.check(abs(diff) <= theirs * 1e-4, "the defaults (Valgrind's CPU, count-reps), within "
            "0.01 %% of Callgrind's Ir (%+d of %d)" % (diff, theirs), rows)
    theirs, diff = counts["before"]
    t.check(abs(diff) <= theirs * 0.02, "as before, within 2 %% (%+d of %d)" % (diff, theirs),
            rows)
    worst = {row["variant"]: float(row["median"]) for row in rows if row["unit"] == "%"}
    t.eq(len(worst), 3, "a top-10 row per setting", rows)
    for label in ("TUNABLES", "the plugin's"):
        close = [v for k, v in worst.items() if label in k]
        t.check(close and close[0] <= 0.1, "top 10 functions within 0.1 %% with %s "
                "(largest difference %s %%)" % (label, close), rows)
    t.contains(r.stdout, "row 8 top 10 functions, tunables, plugin vs Callgrind: longest_match",
               "the functions compared, named", r)


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
    d = stats.paired_difference([14.0, 19.0, 15.0, 16.0, 30.0], [12.0, 13.0, 14.0, 13.0, 20.0])
    t.eq(float(d), 3.0, "median of the differences 2, 6, 1, 3, 10")
    t.eq(d.quartiles, (2.0, 6.0), "quartiles of the per-repetition differences")


def test_readme_table_is_the_results(t):
    """The README's performance table is bench/results/latest.csv's, as
    make bench wrote it (bench/readme_table.py), not figures typed by hand."""
    r = t.run(["python3", os.path.join(ROOT, "bench", "readme_table.py"), "--check"])
    t.eq(r.returncode, 0, "README.md agrees with bench/results", r)


def test_linux_boot_row(t):
    """Row 9 in quick form: one Linux boot per variant on x86-64 and arm64,
    every variant measured and the plugin's rows judged against their 1.05x
    target; and the x86-64 boot whose /init calls once and then makes
    2 x 10^6 system calls, threads followed against regions-by=vcpu (1.1x)."""
    r, rows, _ = quick_rows(t, "9")
    t.eq(r.returncode, 0, "bench/run.py --only 9", r)
    silent = [row for row in rows if "nothing called" in row["name"]]
    calls = [row for row in rows if "system calls" in row["name"]]
    boots = ["no plugin", "QEMU's libempty.so", "libbackdoor.so, threads followed (default)",
             "libbackdoor.so, regions-by=vcpu"]
    t.eq([row["variant"] for row in silent], boots * 2, "the four boots, twice", rows)
    t.eq(sorted({row["name"].split("(")[1].split(")")[0] for row in silent}),
         ["qemu-system-aarch64", "qemu-system-x86_64"], "both architectures", rows)
    t.eq([row["variant"].split(" (")[0] for row in calls],
         ["libbackdoor.so, regions-by=vcpu", "libbackdoor.so, threads followed"],
         "the boot with system calls, by vCPU and following threads", rows)
    t.eq(len(silent) + len(calls), len(rows), "no other row", rows)
    t.check(all(float(row["median"]) > 0.5 for row in rows), "each a whole boot", rows)
    t.eq([row["target"] for row in rows if row["target"]], ["<= 1.05", "<= 1.1", "<= 1.05"],
         "the plugin's boots have a target", rows)
    verdicts_follow_the_figures(t, rows)


def test_thread_churn_row(t):
    """Row 12 in quick form (10^5 FS-base writes, and 10^4 that each name
    themselves): CPU time and peak memory of every variant, the four ratios
    to regions-by=vcpu judged."""
    r, rows, _ = quick_rows(t, "12")
    t.eq(r.returncode, 0, "bench/run.py --only 12", r)
    t.eq(len(rows), 12, "three variants of two guests, in CPU time and in memory", rows)
    t.eq(sorted({row["unit"] for row in rows}), ["MiB", "s"], "both measures", rows)
    t.check(all(float(row["median"]) > 0 for row in rows), "every run measured", rows)
    t.eq(len([row for row in rows if row["target"]]), 4, "every ratio has a target", rows)
    verdicts_follow_the_figures(t, rows)


def test_outputs_row(t):
    """Row 6 in quick form: every output in user mode (each file checked to
    hold one record per call) with its ns per record and records per second
    judged against 120 ns and 5 M/s, peak memory against 1.1x, and system
    mode at -smp 1, 2 and 4, its scaling judged where the cores allow."""
    r, rows, _ = quick_rows(t, "6")
    t.eq(r.returncode, 0, "bench/run.py --only 6", r)
    user = [row for row in rows if "user mode" in row["name"]]
    for kind in ("events= file", "events.bin= file", "trace= file", "events= and trace="):
        judged = [row for row in user if row["variant"].startswith(kind) and row["target"]]
        t.eq(len(judged), 3, "%s: ns per record twice, records/s once, each judged" % kind,
             user)
    t.eq(len([row for row in user if row["unit"] == "MiB" and row["target"] == "<= 1.1"]), 2,
         "peak RSS of events= and trace=", user)
    system = [row for row in rows if "system mode" in row["name"]]
    t.eq(len([row for row in system if "-smp 4" in row["variant"]]), 8,
         "-smp 4 of every output, in time and in CPU time", system)
    t.check(len([row for row in system if row["target"]]) >= 6, "scaling judged", system)
    t.check(all(float(row["median"]) > 0 for row in rows), "every run measured", rows)
    verdicts_follow_the_figures(t, rows)


def test_checkpoint_row(t):
    """Row 13 in quick form: a boot and a restore of the 512 MiB Linux guest
    to the program, each measured, the restore judged against 0.5 s."""
    r, rows, _ = quick_rows(t, "13")
    t.eq(r.returncode, 0, "bench/run.py --only 13", r)
    t.eq([row["variant"] for row in rows], ["boot (--linux)", "restore (--restore)"],
         "both ways to the program", rows)
    t.check(all(float(row["median"]) > 0 for row in rows), "each measured", rows)
    verdicts_follow_the_figures(t, rows)
    t.check(float(rows[1]["median"]) < float(rows[0]["median"]), "a restore beats a boot", rows)


def test_startup_row(t):
    """Row 14 in quick form: a guest that exits at once without a plugin,
    with libempty.so and with the plugin; the plugin's row is judged by its
    difference to libempty.so in milliseconds (the median of the paired
    differences), not by a ratio."""
    r, rows, _ = quick_rows(t, "14")
    t.eq(r.returncode, 0, "bench/run.py --only 14", r)
    t.eq(len(rows), 3, "three variants", rows)
    t.check(all(float(row["median"]) > 0 for row in rows), "every run measured", rows)
    judged = [row for row in rows if row["target"]]
    t.eq([row["target"] for row in judged], ["<= 3"], "the plugin's row has the 3 ms target",
         rows)
    empty = next(row for row in rows if "libempty" in row["variant"] and not row["target"])
    bd = judged[0]
    t.check(float(bd["min"]) - float(empty["max"]) <= float(bd["ratio"]) <=
            float(bd["max"]) - float(empty["min"]),
            "the difference lies within what the two variants' runs allow", rows)
    verdicts_follow_the_figures(t, rows)
