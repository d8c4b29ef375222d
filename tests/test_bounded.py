# SPDX-License-Identifier: GPL-2.0-or-later
"""A guest cannot grow the plugin's memory or its outputs without bound
(issue 12): CPUIDs at ever new addresses with a run-time leaf (a JIT) fill
the site table only up to its bound, and a statistics dump writes a
bounded number of rows however many regions exist."""
import re

from harness import guest, last_summary, plugin_arg, qemu_bin, read_jsonl

CPUIDS = 400000
SITE_TABLE = 1 << 16


def peak_rss_kib(t, cmd):
    """The peak resident memory of cmd, in KiB, and its result."""
    wrapper = ["python3", "-c", "import resource, subprocess, sys; "
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr); "
               "print('peak-rss-kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
               "sys.exit(p.returncode)"]
    r = t.run(wrapper + cmd, timeout=300)
    return int(re.search(r"peak-rss-kib (\d+)", r.stdout).group(1)), r


def test_site_table_bounded(t):
    program = guest("x86_64", "many_cpuids")
    qemu = qemu_bin("qemu-x86_64")
    bare, r0 = peak_rss_kib(t, [qemu, program, str(CPUIDS)])
    t.eq(r0.returncode, 0, "the guest runs without the plugin", r0)
    events = t.path("events.jsonl")
    with_plugin, r = peak_rss_kib(t, [qemu, "-plugin", plugin_arg(events=events, summary="none"),
                                      program, str(CPUIDS)])
    t.eq(r.returncode, 0, "the guest runs with the plugin", r)
    calls = int(re.search(r"backdoor calls: (\d+)", r.stdout).group(1))
    final = last_summary(read_jsonl(events))["calls"]
    t.eq(final["dispatched"], calls, "every call counted, cached site or not")
    t.check(final["uncached_sites"] >= CPUIDS - SITE_TABLE,
            "sites past the table's bound are decoded at run time", final)
    extra_mib = (with_plugin - bare) / 1024
    t.notes.append("%d distinct CPUIDs: peak RSS %.0f MiB without the plugin, +%.1f MiB with it"
                   % (CPUIDS, bare / 1024, extra_mib))
    # Unbounded, the table took ~275 bytes a site: 105 MiB here.
    t.check(extra_mib < 40, "the plugin's extra memory stays bounded (%.1f MiB)" % extra_mib)


def test_stats_dump_bounded(t):
    summary, events = t.path("summary"), t.path("events.jsonl")
    r = t.user("x86_64", guest("x86_64", "stats_flood"), args=["3000", "50"],
               summary=summary, events=events, check=0)
    text = open(summary).read()
    dumps = text.count("== backdoor statistics dump")
    t.eq(dumps, 50, "every dump written", r)
    first = text[text.index("statistics dump 1"):text.index("statistics dump 2")]
    t.contains(first, "(2744 region rows and 0 mark rows not shown in this dump",
               "a dump shows at most 256 rows of 3000", first[-500:])
    stats = [e for e in read_jsonl(events) if e["event"] == "stats"]
    t.eq({len(s["regions"]) for s in stats}, {256}, "the event log's dumps are bounded too")
    t.eq(len(last_summary(read_jsonl(events))["regions"]), 3000, "the final summary shows all")
