# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 6: how fast the outputs are, whether they scale with vCPUs, and
whether their memory is bounded. backdoor_mark(1, i) as fast as a user-mode
guest can, for a short and a long time, with no output, events= and trace=
(files on tmpfs, so that the disk is not what is measured): records per
second and nanoseconds per record over the same loop without output (issue
24: <= 120 ns, >= 5 M records/s). The bare-metal kernel's mark loop on every
vCPU at -smp 1 and 4 (MTTCG): aggregate records per second, 4 vCPUs against
one (>= 3x). And the peak resident memory of a minute of records at full
speed against two seconds (to /dev/null: a minute of records would not fit
in tmpfs)."""
import os
import re
import shutil
import tempfile
import time

from harness import Failure
from measure import count_in_file, run
from qemu import qemu_bin, user_command
from session import CALLS, HOST_CORES

ROWS = ("6",)
RATE_TARGET = 5e6       # records/s, one vCPU
RECORD_NS_TARGET = 120  # ns per record over the loop without output
SCALING_TARGET = 3.0    # 4 vCPUs vs 1


def loop_ns(r):
    """calls.c's own count of calls and the in-guest time of its loop."""
    m = re.search(r"calls=(\d+) loop_ns=(\d+)", r.out)
    if not m:
        raise Failure("no result line\n" + r.describe())
    return int(m.group(1)), int(m.group(2))


def count_records(path, kind):
    """Mark records in an output file: JSON lines, trace instants, or call
    slots of the binary log (a mark is one slot; other slots start with
    text or zero)."""
    if kind == "events":
        return count_in_file(path, b'"event":"call"')
    if kind == "trace":
        return count_in_file(path, b'"ph":"i"')
    n = 0
    with open(path, "rb") as f:
        f.read(4096)  # the header page
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                return n
            n += chunk[0::64].count(1)


def user_mode(s, outdir):
    short, long_ = s.load_seconds
    rss_seconds = 2.0 if s.args.quick else 60.0
    results = {}
    for kind, seconds, target in (("none", short, None), ("events", short, "file"),
                                  ("events", long_, "file"), ("events.bin", short, "file"),
                                  ("events.bin", long_, "file"), ("trace", short, "file"),
                                  ("trace", long_, "file"), ("events", short, "null"),
                                  ("events", rss_seconds, "null"), ("trace", short, "null"),
                                  ("trace", rss_seconds, "null")):
        out = os.path.join(outdir, kind) if target == "file" else "/dev/null"
        opts = {"summary": "none"}
        if kind != "none":
            opts[kind.split(".")[0]] = out
        r = run(user_command("x86_64", CALLS, ["mark", 0, seconds], s.backdoor(**opts)),
                timeout=seconds * 10 + 60, poll_hwm=True)
        n, ns = loop_ns(r)
        records = size = 0
        if target == "file":
            records = count_records(out, kind)
            size = os.path.getsize(out)
            os.unlink(out)
            if records != n:
                raise Failure("%s: %d records for %d calls" % (kind, records, n))
        results[(kind, seconds, target)] = dict(calls=n, ns=ns, records=records,
                                                maxrss=r.maxrss_kb, size=size)
    base = results[("none", short, None)]
    base_ns = base["ns"] / base["calls"]
    name = "outputs under load, user mode: backdoor_mark(1, i) loop, 1 vCPU"
    s.add("6", name, "no output (%.0f s): calls/s" % short, [1e9 / base_ns], "calls/s", 1.0,
          "no output", note="%.0f ns per call" % base_ns)
    for kind in ("events", "events.bin", "trace"):
        for seconds in (short, long_):
            x = results[(kind, seconds, "file")]
            rate = x["records"] / (x["ns"] / 1e9)
            per_record = x["ns"] / x["calls"] - base_ns
            s.add("6", name, "%s= file, %.0f s: records/s written" % (kind, seconds),
                  [rate], "records/s", rate / RATE_TARGET, "5 M/s",
                  ">= 1" if seconds == long_ else "",
                  note="%.0f MB, %.1f bytes per record" % (x["size"] / 1e6,
                                                          x["size"] / max(x["records"], 1)),
                  label="%s= records/s, as a fraction of 5 M/s" % kind)
            s.add("6", name, "%s= file, %.0f s: ns per record over no output"
                  % (kind, seconds), [per_record], "ns", per_record / RECORD_NS_TARGET,
                  "120 ns", "<= 1" if seconds == long_ else "",
                  note="%.0f ns per call with the record, %.0f without" % (
                      x["ns"] / x["calls"], base_ns),
                  label="%s= ns per record, as a fraction of 120 ns" % kind)
        if kind == "events.bin":
            continue
        a, z = results[(kind, short, "null")], results[(kind, rss_seconds, "null")]
        s.add("6", name, "%s=/dev/null: peak RSS after %.0f s of records vs %.0f s"
              % (kind, rss_seconds, short), [z["maxrss"] / 1024], "MiB",
              z["maxrss"] / a["maxrss"], "RSS after %.0f s (%.1f MiB)" % (short,
                                                                      a["maxrss"] / 1024),
              "<= 1.1", note="%.1f M records in %.0f s" % (z["calls"] / 1e6, rss_seconds),
              label="%s= peak RSS, %.0f s vs %.0f s" % (kind, rss_seconds, short))
    s.details.append("row 6 peak RSS: no output %.1f MiB; events= file %.1f MiB after %.0f s"
                     % (base["maxrss"] / 1024,
                        results[("events", long_, "file")]["maxrss"] / 1024, long_))


def system_mode(s, outdir):
    """The kernel's mark loop on every vCPU: aggregate records/s at -smp 1
    and 4, each configuration in the same repetitions."""
    n = 50000 if s.args.quick else 1000000
    configs = ("none", "events", "events.bin", "trace")
    raw = {}

    def boot(kind, cpus):
        out = os.path.join(outdir, "smp-" + kind)
        opts = {"summary": "none"}
        if kind != "none":
            opts[kind.split(".")[0]] = out
        _, ticks, ns, done = s.boot("marks %d %d" % (cpus, n), smp=cpus,
                                    plugin=s.backdoor(**opts))
        if done != cpus:
            raise Failure("marks %d: %d CPUs finished" % (cpus, done))
        if kind != "none":
            records = count_records(out, kind)
            if kind == "events":  # the kernel's own calls besides its marks
                records = count_in_file(out, b'"op":"mark"')
            os.unlink(out)
            if records < cpus * n:
                raise Failure("marks %d, %s: %d records for %d calls" % (cpus, kind, records,
                                                                        cpus * n))
        return cpus * n / s.seconds(ticks, ns)

    jobs = []
    for kind in configs:
        for cpus in (1, 4):
            key = "m.%s.%d" % (kind, cpus)
            jobs.append((key, lambda k=kind, c=cpus, key=key:
                         raw.setdefault(key, []).append(boot(k, c)) or 0))
    s.interleaved("6 system: marks at -smp 1/4", jobs, reps=1 if s.args.quick else 3)
    name = ("outputs, system mode MTTCG: backdoor_mark(1, i) on every vCPU, aggregate "
            "records/s")
    for kind in configs:
        one, four = raw["m.%s.1" % kind], raw["m.%s.4" % kind]
        ratios = [b / a for a, b in zip(one, four)]
        ratios.sort()
        s.add("6", name, "%s, -smp 1" % ("no output" if kind == "none" else kind + "= file"),
              one, "records/s", 1.0, "-smp 1")
        s.add("6", name, "%s, -smp 4" % ("no output" if kind == "none" else kind + "= file"),
              four, "records/s", ratios[len(ratios) // 2], "-smp 1",
              ">= %.1f" % SCALING_TARGET if kind != "none" else "",
              note="%d host cores: linear is %d" % (HOST_CORES, min(4, HOST_CORES)),
              label="%s= records/s, -smp 4 vs 1" % kind if kind != "none" else "")


def measure(s):
    outdir = s.args.output_dir or (
        "/dev/shm" if os.path.isdir("/dev/shm") and shutil.disk_usage("/dev/shm").free > 12e9
        else s.tmp)
    outdir = tempfile.mkdtemp(prefix="backdoor-bench-out-", dir=outdir)
    start = time.perf_counter()
    try:
        user_mode(s, outdir)
        s.log("  %-46s %3d runs  %5.1f s" % ("6 user: outputs under load (marks)", 9,
                                             time.perf_counter() - start))
        if os.path.exists(qemu_bin("qemu-system-x86_64")):
            system_mode(s, outdir)
        else:
            s.details.append("row 6 system mode skipped: no %s"
                             % qemu_bin("qemu-system-x86_64"))
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    s.details.append("row 6 outputs written to %s" % os.path.dirname(outdir))
