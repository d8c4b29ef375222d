# SPDX-License-Identifier: GPL-2.0-or-later
"""The in-guest fuzzer (tests/guest/fuzz_requests.c) under QEMU user mode on
every architecture: random requests over every leaf with random selectors,
arguments and buffers. QEMU must not crash or hang, every result the guest
gets back must be the one the ABI predicts, and the plugin's counts (the
summary, the event log) must equal what the guest issued, kind by kind."""
import collections
import os
import random
import re

from harness import guest, last_summary, read_jsonl, summary_counts

REQUESTS = 100000
MAX_BUFFER = 16384
FAILURES = ("denied", "unhandled", "fault", "too_big", "no_write", "invalid", "no_read")


def guest_counts(t, r):
    """The guest's own counts: its last line of NAME=COUNT pairs."""
    lines = r.stdout.strip().splitlines()
    t.check(lines and lines[-1].startswith("issued="), "the guest printed its counts", r)
    return {k: int(v) for k, v in re.findall(r"(\S+)=(\d+)", lines[-1])}


def fuzz(t, arch, events=True):
    seed = random.randrange(1, 2**63)
    tag = "%s-%d" % (arch, seed)
    files = {"summary": t.path("summary-" + tag), "print": t.path("print-" + tag)}
    if events:
        files["events"] = t.path("events-" + tag)
    r = t.user(arch, guest(arch, "fuzz_requests"), [str(REQUESTS), str(seed), str(MAX_BUFFER)],
               max_buffer=MAX_BUFFER, **files)
    what = "%s, seed %d%s" % (arch, seed, "" if events else ", no event log")
    t.eq(r.returncode, 0, "fuzz_requests ended well, every result as predicted (%s)" % what, r)
    g = guest_counts(t, r)
    t.eq(g["issued"], REQUESTS, "requests issued (%s)" % what)

    summary = open(files["summary"]).read()
    s = summary_counts(summary)
    t.eq({k: s.get(k) for k in ("dispatched", "probes", "malformed") + FAILURES},
         {k: g["status." + k] if k in FAILURES else g[k]
          for k in ("dispatched", "probes", "malformed") + FAILURES},
         "summary against the guest's counts (%s)" % what, summary[-3000:])
    t.eq(s["translation"] + s["runtime"], s["dispatched"],
         "dispatched = decoded at translation + at run time (%s)" % what, summary[-3000:])
    t.eq(os.path.getsize(files["print"]), g["printed"], "bytes printed (%s)" % what)
    if events:
        records = read_jsonl(files["events"])
        last_summary(records)
        calls = [e for e in records if e["event"] == "call"]
        t.eq(len(calls), s["dispatched"], "call records = dispatched calls (%s)" % what)
        by_type = collections.Counter(e["type"] for e in calls)
        by_status = collections.Counter(e["status"] for e in calls)
        t.eq({k[5:]: by_type.get(k[5:], 0) for k in g if k.startswith("type.")},
             {k[5:]: v for k, v in g.items() if k.startswith("type.")},
             "call records by type (%s)" % what)
        t.eq({k[7:]: by_status.get(k[7:], 0) for k in g if k.startswith("status.")},
             {k[7:]: v for k, v in g.items() if k.startswith("status.")},
             "call records by status (%s)" % what)
    t.notes.append("%s: %d requests, %d dispatched (%d ok), %d probes, %d malformed"
                   % (what, REQUESTS, g["dispatched"], g["status.ok"], g["probes"],
                      g["malformed"]))


def test_x86_64(t):
    fuzz(t, "x86_64")
    # Constant seed calls nobody receives are counted inline without an
    # event log: the same counts must come out.
    fuzz(t, "x86_64", events=False)


def test_i386(t):
    fuzz(t, "i386")


def test_aarch64(t):
    fuzz(t, "aarch64")


def test_riscv64(t):
    fuzz(t, "riscv64")

