# SPDX-License-Identifier: GPL-2.0-or-later
"""The in-guest fuzzer (tests/guest/fuzz_requests.h): random requests over
every leaf with random selectors, arguments and buffers, as a user program
under QEMU user mode on every architecture and as a bare-metal kernel under
qemu-system-x86_64. QEMU must not crash or hang, every result the guest
gets back must be the one the ABI predicts, and the plugin's counts (the
summary, the event log) must equal what the guest issued, kind by kind."""
import collections
import os
import random
import re

from harness import BUILD, guest, last_summary, on_qemus, read_jsonl, run_counts

REQUESTS = 100000
MAX_BUFFER = 16384
FAILURES = ("denied", "unhandled", "fault", "too_big", "no_write", "invalid", "no_read",
            "no_checkpoint")
# SeaBIOS scans the hypervisor range once per boot (docs/abi.md).
SEABIOS_PROBES = 16


def guest_counts(t, text, r):
    """The guest's own counts: its last line of NAME=COUNT pairs."""
    lines = [line for line in text.splitlines() if line.startswith("issued=")]
    t.check(lines, "the guest printed its counts", r)
    return {k: int(v) for k, v in re.findall(r"(\S+)=(\d+)", lines[-1])}


def check_counts(t, g, files, what, firmware_probes=0):
    """The plugin's outputs against the guest's counts g."""
    t.eq(g["issued"], REQUESTS, "requests issued (%s)" % what)
    t.eq(g["mismatches"], 0, "results as predicted (%s)" % what)
    summary = open(files["summary"]).read()
    s = run_counts(files.get("events") or files["regions"])
    want = {k: g["status." + k] if k in FAILURES else g[k]
            for k in ("dispatched", "probes", "malformed") + FAILURES}
    want["probes"] += firmware_probes
    t.eq({k: s.get(k) for k in want}, want, "summary against the guest's counts (%s)" % what,
         summary[-3000:])
    t.eq(s["translation"] + s["runtime"], s["dispatched"],
         "dispatched = decoded at translation + at run time (%s)" % what, summary[-3000:])
    t.eq(os.path.getsize(files["print"]), g["printed"], "bytes printed (%s)" % what)
    if "events" in files:
        records = read_jsonl(files["events"])
        last_summary(records)
        calls = [e for e in records if e["event"] == "call"]
        t.eq(len(calls), s["dispatched"], "call records = dispatched calls (%s)" % what)
        by_type = collections.Counter(e["type"] for e in calls)
        by_status = collections.Counter(e["status"] for e in calls)
        for kind, counter in (("type", by_type), ("status", by_status)):
            names = [k.split(".", 1)[1] for k in g if k.startswith(kind + ".")]
            t.eq({n: counter.get(n, 0) for n in names}, {n: g[kind + "." + n] for n in names},
                 "call records by %s (%s)" % (kind, what))
    t.notes.append("%s: %d requests, %d dispatched (%d ok), %d probes, %d malformed"
                   % (what, REQUESTS, g["dispatched"], g["status.ok"], g["probes"],
                      g["malformed"]))


def outputs(t, tag, events):
    files = {"summary": t.path("summary-" + tag), "print": t.path("print-" + tag),
             "regions": t.path("regions-%s.json" % tag)}
    if events:
        files["events"] = t.path("events-" + tag)
    return files


def fuzz_user(t, arch, events=True):
    seed = random.randrange(1, 2**63)
    files = outputs(t, "%s-%d" % (arch, seed), events)
    r = t.user(arch, guest(arch, "fuzz_requests"), [str(REQUESTS), str(seed), str(MAX_BUFFER)],
               max_buffer=MAX_BUFFER, **files)
    what = "%s, seed %d%s" % (arch, seed, "" if events else ", no event log")
    t.eq(r.returncode, 0, "fuzz_requests ended well, every result as predicted (%s)" % what, r)
    check_counts(t, guest_counts(t, r.stdout, r), files, what)


def test_x86_64(t):
    fuzz_user(t, "x86_64")
    # Constant seed calls nobody receives are counted inline without an
    # event log: the same counts must come out.
    fuzz_user(t, "x86_64", events=False)


def test_i386(t):
    fuzz_user(t, "i386")


def test_aarch64(t):
    fuzz_user(t, "aarch64")


def test_riscv64(t):
    fuzz_user(t, "riscv64")


@on_qemus("built", "debian-11.1")
def test_system_x86(t):
    """The kernel in ring 0 under paging: holes are unmapped pages."""
    seed = random.randrange(1, 2**63)
    files = outputs(t, "system-%d" % seed, True)
    kernel = os.path.join(BUILD, "baremetal", "x86", "fuzz_requests.elf")
    r = t.system(kernel, append="%d %d %d" % (REQUESTS, seed, MAX_BUFFER),
                 max_buffer=MAX_BUFFER, **files)
    what = "system mode, %s, seed %d" % (t.qemu.label, seed)
    # isa-debug-exit: status 1 is the kernel's 0.
    t.eq(r.returncode, 1, "the kernel ended well, every result as predicted (%s)" % what,
         "%s\nconsole:\n%s" % (r, r.console[-3000:]))
    check_counts(t, guest_counts(t, r.console, r), files, what, firmware_probes=SEABIOS_PROBES)
