# SPDX-License-Identifier: GPL-2.0-or-later
"""Every output is complete, whichever way the emulation ends: the event log
parses line by line and ends with its summary record, the trace is valid
JSON with every span closed, the summary is written."""
import signal
import subprocess
import time

from harness import (ARCHES, Failure, guest, last_summary, plugin_arg, qemu_bin, read_jsonl,
                     validate_trace)


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
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
