# SPDX-License-Identifier: GPL-2.0-or-later
"""Every output is complete, whichever way the emulation ends: the event log
parses line by line and ends with its summary record, the trace is valid
JSON with every span closed, the summary is written."""
import json
import os
import shutil
import signal
import subprocess
import time

from harness import (ARCHES, BUILD, Failure, Skip, guest, last_summary, plugin_arg, qemu_bin,
                     read_jsonl, validate_trace)


def outputs(t, tag):
    return {"events": t.path("events-" + tag), "trace": t.path("trace-" + tag),
            "summary": t.path("summary-" + tag), "print": t.path("print-" + tag)}


def check_outputs(t, files, reason, status=None):
    records = read_jsonl(files["events"])
    final = last_summary(records)
    t.contains(final["reason"], reason, "why the emulation ended", final)
    if status is not None:
        t.eq(final.get("status"), status, "exit status in the summary record", final)
    t.eq([(m["id"], m["count"] > 0) for m in final["marks"]][:1], [(7, True)],
         "the mark made before the end", final)
    region = [r for r in final["regions"] if r["id"] == 1][0]
    t.check(region["open"] and region["insns"] > 0, "region 1 open at the end", region)
    events = validate_trace(files["trace"])
    ends = [e for e in events if e["ph"] == "E" and e["name"] == "roi 1"]
    t.eq(len(ends), 1, "the open region is closed in the trace", events[-5:])
    t.contains(open(files["summary"]).read(), "open at exit", "summary written")
    t.eq(open(files["print"]).read(), "text before the end\n", "guest text flushed")


def test_guest_exit(t):
    for arch in ARCHES:
        files = outputs(t, "exit-" + arch)
        t.user(arch, guest(arch, "regions"), check=0, **files)
        records = read_jsonl(files["events"])
        t.eq(last_summary(records)["reason"], "end of emulation", "reason")
        validate_trace(files["trace"])


def test_exit_command(t):
    for arch in ARCHES:
        files = outputs(t, "cmd-" + arch)
        r = t.user(arch, guest(arch, "forever"), ["3"], **files)
        t.eq(r.returncode, 3, "exit status from backdoor_exit(3)", r)
        check_outputs(t, files, "exit command", 3)


def test_signals(t):
    for sig in (signal.SIGINT, signal.SIGTERM):
        files = outputs(t, sig.name)
        cmd = [qemu_bin("qemu-x86_64"), "-plugin", plugin_arg(**files),
               guest("x86_64", "forever")]
        # A shell starts a background job (make check &) with SIGINT
        # ignored, which QEMU would inherit: the plugin catches only
        # signals left at their default.
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            line = p.stdout.readline()
            t.eq(line, "ready\n", "guest started")
            time.sleep(0.3)
            p.send_signal(sig)
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            raise Failure("QEMU did not end on %s" % sig.name)
        t.eq(p.returncode, -sig, "QEMU ended by %s" % sig.name, p.stderr.read())
        check_outputs(t, files, "signal " + sig.name)


BIG = 2 ** 53 + 1  # the first integer a double cannot hold
CLI = os.path.join(BUILD, "backdoor")


def test_numbers_exact_for_every_reader(t):
    """The guest's words beyond 2^53 are decimal strings in the event log,
    the summary record, regions= and the trace, so that readers that make
    every number a double (jq, JavaScript) keep them; smaller ones stay
    numbers; commands are hex strings, in the summary text too."""
    files = {"events": t.path("events.jsonl"), "trace": t.path("trace.json"),
             "regions": t.path("regions.json"), "summary": t.path("summary.txt")}
    t.user("x86_64", CLI, ["sum", str(2 ** 63), "1", "2", "3"], check=0, events=files["events"],
           summary="none")
    raw = [e for e in read_jsonl(files["events"], raw=True) if e.get("op") == "sum"]
    t.eq([(e["cmd"], e["args"], e["result"]) for e in raw],
         [("0xb", [str(2 ** 63), 1, 2, 3], str(2 ** 63 + 6 - 2 ** 64))],
         "the command in hex, big words as strings (the result signed), small ones numbers",
         raw)
    if shutil.which("jq") is None:
        raise Skip("jq is not installed (scripts/install-deps.sh build installs it)")
    jq = t.run(["jq", "-c", "select(.op == \"sum\") | [.args[0], .result]",
                files["events"]], check=0)
    t.eq(json.loads(jq.stdout), [str(2 ** 63), str(2 ** 63 + 6 - 2 ** 64)], "jq reads them exactly",
         jq)

    t.user("x86_64", CLI, ["mark", str(BIG), str(BIG + 2)], check=0, **files)
    final = last_summary(read_jsonl(files["events"], raw=True))
    t.eq(final["marks"], [{"id": str(BIG), "count": 1, "last_value": str(BIG + 2)}],
         "the mark in the summary record", final)
    trace = [e for e in validate_trace(files["trace"]) if e.get("ph") == "i"]
    t.check(any(str(BIG + 2) in json.dumps(e.get("args", {})) for e in trace),
            "the mark's value in the trace, as a string", trace)
    t.user("x86_64", CLI, ["roi_begin", str(BIG)], check=0, **files)
    with open(files["regions"]) as f:
        t.eq([r["id"] for r in json.load(f)["region_totals"]], [str(BIG)], "a region id in "
             "regions=", files["regions"])
    t.user("x86_64", CLI, ["seed", "7"], check=0, **files)
    t.contains(open(files["summary"]).read(), "  i8      0x07 ", "a seed command in hex", files)


def runs_of_marks(t, what, n, marks):
    """marks: {vCPU: [(value, time)]} in file order. QEMU gives a thread that
    starts after another ended that one's vCPU, so a vCPU may carry several
    threads' marks one after the other: each must be a whole 0..n-1, with
    times that never decrease, and there must be four of them."""
    runs = 0
    for vcpu, seen in sorted(marks.items()):
        values = [value for value, _ in seen]
        t.eq(values, list(range(n)) * (len(values) // n),
             "%s, %d marks: vCPU %d's, whole and in order" % (what, n, vcpu))
        times = [ts for _, ts in seen]
        t.eq(times, sorted(times), "%s: vCPU %d's times never decrease" % (what, vcpu))
        runs += len(values) // n
    t.eq(runs, 4, "%s, %d marks: every thread's" % (what, n))


def test_every_vcpu_drained(t):
    """Four guest threads (vCPUs) each mark 0..N-1: a few hundred, which
    stay in the vCPUs' buffers until the end of the run, and 40,000 (some
    6 MB a log), which fill them many times as they grow from 64 KiB to
    1 MiB. Every log holds every mark of every thread, in order and with
    times that never decrease: the end of the run drained each buffer,
    whole."""
    import events_bin
    calls = os.path.join(BUILD, "bench", "calls")
    if not os.path.exists(calls):
        raise Skip("build/bench/calls is missing: run 'make all'")
    for n in (300, 40000):
        files = {"events": t.path("events-%d.jsonl" % n), "trace": t.path("trace-%d.json" % n)}
        binary = t.path("events-%d.bin" % n)
        r = t.user("x86_64", calls, args=["mark", n, 0, 4], summary="none", check=0, **files)
        t.contains(r.stdout, "calls=%d " % (4 * n), "every thread's calls", r)
        t.user("x86_64", calls, args=["mark", n, 0, 4], summary="none", events=binary, check=0)
        logs = {"events": read_jsonl(files["events"]), "events.bin": events_bin.read(binary)}
        for name, records in logs.items():
            marks = {}
            for rec in records:
                if rec["event"] == "call" and rec["op"] == "mark":
                    marks.setdefault(rec["vcpu"], []).append((int(rec["args"][1]),
                                                              rec["ts_ns"]))
            runs_of_marks(t, name, n, marks)
            t.eq(records[-1]["event"], "summary", "%s: the summary record last" % name)
        marks = {}
        for e in validate_trace(files["trace"]):
            if e.get("name") == "mark 1":
                marks.setdefault(e["pid"], []).append((e["args"]["value"], e["ts"]))
        runs_of_marks(t, "trace", n, marks)
