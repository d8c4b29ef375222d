#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The benchmarks of `make bench` (bench/README.md): the cost of the channel,
measured side by side with what it is compared to, in one run.

  python3 bench/run.py              everything (about 7 minutes on 2 cores)
  python3 bench/run.py --quick      one repetition, small counts (a smoke test)
  python3 bench/run.py --only 2,3   some rows only

Every variant of a row runs in the same loop, interleaved (the order rotates
from one repetition to the next), --reps times; a row reports the median and
the spread (min..max) over the repetitions, and the ratio as the median of
the per-repetition ratios, so that a slow moment of the machine hits both
sides. Times are the user+sys CPU time of the QEMU process (os.wait4), which
a busy neighbour inflates less than wall time, except where the guest times
itself (rows 4 and 5: RDTSC, which TCG answers with the host's time-stamp
counter, and backdoor_host_time_ns()). Row 1 also counts host instructions
under valgrind, which no noise changes. Writes bench/results/latest.{txt,md,
csv,svg}.

One module per measured row: overhead (1), per_call (2, 3), guest_text (4),
mttcg (5), outputs (6), regions (7), real_workload (8), dynamic_profile (8d), peers (8e),
linux_boot (9), linux_command (10), python_handler (11), thread_churn (12),
startup (14); QEMU is found and started as
the tests do it (tests/lib/qemu.py).
"""
import argparse
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))

import checkpoint  # noqa: E402
import dynamic_profile  # noqa: E402
import guest_text  # noqa: E402
import linux_boot  # noqa: E402
import linux_command  # noqa: E402
import mttcg  # noqa: E402
import outputs  # noqa: E402
import overhead  # noqa: E402
import peers  # noqa: E402
import per_call  # noqa: E402
import python_handler  # noqa: E402
import qemu  # noqa: E402
import regions  # noqa: E402
import startup  # noqa: E402
import readme_table  # noqa: E402
import real_workload  # noqa: E402
import report  # noqa: E402
import thread_churn  # noqa: E402
from harness import Failure  # noqa: E402
from session import CALLS, FLOOR, HOST_CORES, KERNEL, WORKLOAD, ZLIB, Session  # noqa: E402
from stats import NOISE, med  # noqa: E402

MEASUREMENTS = (overhead, per_call, guest_text, mttcg, outputs, regions, real_workload,
                dynamic_profile, peers, linux_boot, linux_command, python_handler, thread_churn,
                checkpoint, startup)
RESULTS = os.path.join(ROOT, "bench", "results")


def source_version():
    """The last commit that changed the plugin's sources (plugin/, include/),
    '+changes' if they differ from it."""
    try:
        commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h", "--",
                                 "plugin", "include"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "plugin", "include"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return "commit %s%s" % (commit, "+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"


def build():
    with open(os.path.join(ROOT, "Makefile")) as f:
        included = re.search(r"^\s*-?include\b.*bench/rules\.mk", f.read(), re.M)
    cmd = ["make", "--no-print-directory", "-C", ROOT]
    if not included:
        cmd += ["-f", "Makefile", "-f", "bench/rules.mk"]
    subprocess.run(cmd + ["bench-build"], check=True)
    for path in (qemu.qemu_bin("qemu-x86_64"), qemu.qemu_bin("qemu-system-x86_64"),
                 qemu.PLUGIN, FLOOR, CALLS, WORKLOAD, KERNEL, ZLIB):
        if not os.path.exists(path):
            raise Failure("%s is missing (run 'make bench')" % path)


def snapshot(directory):
    """A private copy of build/libbackdoor.so, so that a rebuild during the
    run cannot mix two builds; returns its path and what it was built from."""
    copy = os.path.join(directory, "libbackdoor.so")
    shutil.copy2(qemu.PLUGIN, copy)
    # Python handlers' companion, which the plugin finds beside itself.
    companion = os.path.join(os.path.dirname(qemu.PLUGIN), "libbackdoor-python.so")
    if os.path.exists(companion):
        shutil.copy2(companion, directory)
    with open(copy, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    return copy, "%s, build sha256 %s" % (source_version(), digest)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except (OSError, AttributeError):
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5, help="repetitions of each variant")
    ap.add_argument("--smp-reps", type=int, default=6, help="repetitions of row 5")
    ap.add_argument("--smp", default="1,2,4", help="vCPU counts of row 5 (at most 16)")
    ap.add_argument("--calls", type=int, default=10_000_000, help="N of rows 2 and 3")
    ap.add_argument("--quick", action="store_true", help="one repetition, small counts")
    ap.add_argument("--only", default="1,2,3,4,5,6,7,8,8d,8e,9,10,11,12,13,14", help="rows to run, e.g. 2,3")
    ap.add_argument("--output-dir", help="where row 6 writes its files "
                    "(default /dev/shm, so that the disk is not what is measured)")
    ap.add_argument("--results", default=RESULTS, help="directory of latest.{csv,svg,txt}")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.reps = 1
    wanted = set(args.only.split(","))

    def log(text):
        print(text, flush=True)

    started = time.perf_counter()
    if not args.no_build:
        build()
    qemu_release = qemu.version(qemu.qemu_bin("qemu-x86_64"))
    api = qemu.header_api()
    snapshot_dir = tempfile.mkdtemp(prefix="backdoor-bench-plugin-")
    plugin, plugin_from = snapshot(snapshot_dir)
    log("==> backdoor benchmarks: QEMU %s, plugin API %d, %d host cores (%s), %d repetitions"
        % (qemu_release, api, HOST_CORES, platform.machine(), args.reps))
    session = Session(args, plugin, log)
    try:
        for measurement in MEASUREMENTS:
            if wanted & set(measurement.ROWS):
                measurement.measure(session)
    except Failure as e:
        print("bench: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        session.cleanup()
        shutil.rmtree(snapshot_dir, ignore_errors=True)
    # Rows measured together are reported together (2 and 3 share their runs).
    measured = {row for m in MEASUREMENTS if wanted & set(m.ROWS) for row in m.ROWS}
    rows = [r for r in session.rows if r.row in measured]
    elapsed = time.perf_counter() - started
    date = time.strftime("%Y-%m-%d")
    head = ("backdoor benchmarks, %s: QEMU %s, plugin API %d; plugin from %s; host %s, "
            "%d cores; %d repetitions; %.0f s" % (
                date, qemu_release, api, plugin_from, cpu_model() or "?",
                HOST_CORES, args.reps, elapsed))
    details = "\n".join("  " + d for d in session.details)
    if session.ticks_per_ns:
        details += "\n  guest RDTSC: %.3f ticks/ns (median of %d runs with host time)" % (
            med(session.ticks_per_ns), len(session.ticks_per_ns))
    text = report.write(args.results, head, rows, details, qemu_release, api, date)
    print()
    print(text)
    print("results: %s/latest.{txt,md,csv,svg}; of %d targets %d met, %d missed, "
          "%d within the noise; %.0f s" % (
              os.path.relpath(args.results, ROOT), sum(1 for r in rows if r.met is not None),
              sum(1 for r in rows if r.met is True), sum(1 for r in rows if r.met is False),
              sum(1 for r in rows if r.met == NOISE), elapsed))
    # A full run of the committed results: the README shows its table.
    if os.path.realpath(args.results) == os.path.realpath(os.path.join(ROOT, "bench",
                                                                         "results")):
        readme_table.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
