# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 6: how fast the outputs are, and whether their memory is bounded.
backdoor_mark(1, i) as fast as a user-mode guest can, for a short and a long
time, with no output, events= and trace= (files on tmpfs, so that the disk
is not what is measured): records per second and peak resident memory."""
import os
import re
import shutil
import tempfile
import time

from harness import Failure
from measure import count_in_file, run
from qemu import user_command
from session import CALLS

ROWS = ("6",)


def loop_ns(r):
    """calls.c's own count of calls and the in-guest time of its loop."""
    m = re.search(r"calls=(\d+) loop_ns=(\d+)", r.out)
    if not m:
        raise Failure("no result line\n" + r.describe())
    return int(m.group(1)), int(m.group(2))


def measure(s):
    short, long_ = s.load_seconds
    outdir = s.args.output_dir or (
        "/dev/shm" if os.path.isdir("/dev/shm") and shutil.disk_usage("/dev/shm").free > 12e9
        else s.tmp)
    outdir = tempfile.mkdtemp(prefix="backdoor-bench-out-", dir=outdir)
    results = {}
    start = time.perf_counter()
    try:
        for kind, seconds in (("none", short), ("events", short), ("events", long_),
                              ("trace", short), ("trace", long_)):
            out = os.path.join(outdir, kind)
            opts = {"summary": "none"}
            if kind != "none":
                opts[kind] = out
            r = run(user_command("x86_64", CALLS, ["mark", 0, seconds], s.backdoor(**opts)),
                    timeout=seconds * 10 + 60, poll_hwm=True)
            n, ns = loop_ns(r)
            records = 0
            if kind != "none":
                needle = b'"event":"call"' if kind == "events" else b'"ph":"i"'
                records = count_in_file(out, needle)
                size = os.path.getsize(out)
                os.unlink(out)
                if records != n:
                    raise Failure("%s: %d records for %d calls" % (kind, records, n))
            else:
                size = 0
            results[(kind, seconds)] = dict(calls=n, ns=ns, records=records,
                                            maxrss=r.maxrss_kb, size=size, cpu=r.cpu)
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    s.log("  %-46s %3d runs  %5.1f s" % ("6 user: outputs under load (marks)", 5,
                                         time.perf_counter() - start))
    base = results[("none", short)]
    base_rate = base["calls"] / (base["ns"] / 1e9)
    name = "outputs under load, user mode: backdoor_mark(1, i) loop, 1 vCPU"
    s.add("6", name, "no output (%.0f s): calls/s" % short, [base_rate], "calls/s", 1.0,
          "no output")
    for kind in ("events", "trace"):
        for seconds in (short, long_):
            x = results[(kind, seconds)]
            rate = x["records"] / (x["ns"] / 1e9)
            per_record = (x["ns"] / x["calls"]) - (base["ns"] / base["calls"])
            s.add("6", name, "%s= file, %.0f s: events/s written" % (kind, seconds),
                  [rate], "events/s", rate / 5e6, "5 M/s", ">= 1" if seconds == long_ else "",
                  note="%.0f MB, %.0f ns per record over no output" % (x["size"] / 1e6,
                                                                      per_record),
                  label="%s= records/s, as a fraction of 5 M/s" % kind)
        a, z = results[(kind, short)], results[(kind, long_)]
        s.add("6", name, "%s= file: peak RSS after %.0f s vs %.0f s" % (kind, long_, short),
              [z["maxrss"] / 1024], "MiB", z["maxrss"] / a["maxrss"],
              "RSS after %.0f s (%.1f MiB)" % (short, a["maxrss"] / 1024), "<= 1.1",
              label="%s= peak RSS, %.0f s vs %.0f s" % (kind, long_, short))
    s.details.append("row 6 outputs written to %s; peak RSS without outputs %.1f MiB" % (
        os.path.dirname(outdir), base["maxrss"] / 1024))
