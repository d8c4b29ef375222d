# SPDX-License-Identifier: GPL-2.0-or-later
"""Regression tests for two races of issue 12, in user mode on x86-64, each
run several times: guest threads created and ended by the hundred while
others call (QEMU died of a stale pointer into a scoreboard: here in about 1
run of 15 with 20 rounds of 64 threads, never in 60 runs with 32), and the
exit command while 8 threads call (the summary file was freed under a
writer in 3 runs of 40; the event log and the summary disagreed in the
first run). Every run must end as the guest asked, with
outputs that agree: call records = calls dispatched, marks counted = mark
records, printed text = print records."""
import collections
import json
import os
import re

from harness import Failure, guest, last_summary, run_counts, validate_trace

# tests/test_sanitizers.py runs them fewer times: they are slow under ASan.
# 30 churn runs catch a crash of 1 run in 15 with a chance of 7 in 8.
CHURN_RUNS = int(os.environ.get("BACKDOOR_RACE_RUNS", 30))
EXIT_RUNS = int(os.environ.get("BACKDOOR_RACE_RUNS", 20))
CHURN_THREADS = 64
CRASH_SIGNS = ("internal SIGSEGV", "Segmentation fault", "free():", "double free",
               "corrupted", "Aborted", "Sanitizer")


def no_crash(t, r, what):
    for sign in CRASH_SIGNS:
        t.check(sign not in r.stderr, "%s: %r on stderr" % (what, sign), r)


def read_events(path):
    """Every line one JSON object (tests/test_outputs.py checks the records
    in detail; here there are hundreds of thousands)."""
    with open(path) as f:
        try:
            return [json.loads(line) for line in f]
        except ValueError as e:
            raise Failure("%s: a line is not JSON (%s)" % (path, e))


def outputs_agree(t, files, what):
    """The event log against the summary; returns the summary record and
    the call records."""
    records = read_events(files["events"])
    final = last_summary(records)
    calls = [e for e in records if e["event"] == "call"]
    summary = open(files["summary"]).read()
    counts = run_counts(records)
    t.eq(len(calls), counts.get("dispatched"),
         "%s: call records = calls dispatched in the summary" % what, summary[-2000:])
    by_status = collections.Counter(e["status"] for e in calls)
    t.eq({k: v for k, v in by_status.items()}, {k: counts[k] for k in by_status},
         "%s: call records by status = the summary's statuses" % what, summary[-2000:])
    marks = collections.Counter(e["args"][0] for e in calls
                                if e["op"] == "mark" and e["status"] == "ok")
    t.eq({m["id"]: m["count"] for m in final["marks"]}, dict(marks),
         "%s: marks in the summary record = mark records" % what)
    return final, calls


def test_thread_churn(t):
    for run in range(CHURN_RUNS):
        what = "run %d of %d" % (run + 1, CHURN_RUNS)
        files = {"events": t.path("events-%d" % run), "summary": t.path("summary-%d" % run)}
        r = t.user("x86_64", guest("x86_64", "thread_churn"), [str(CHURN_THREADS)], **files)
        no_crash(t, r, what)
        t.eq(r.returncode, 0, "%s: QEMU and the guest ended well" % what, r)
        m = re.search(r"calls=(\d+) wrong=0", r.stdout)
        t.check(m, "%s: every result right" % what, r)
        final, calls = outputs_agree(t, files, what)
        t.eq(len(calls), int(m.group(1)), "%s: every call the guest made was recorded" % what)


def test_exit_while_threads_call(t):
    total = 0
    for run in range(EXIT_RUNS):
        what = "run %d of %d" % (run + 1, EXIT_RUNS)
        files = {k: t.path("%s-%d" % (k, run)) for k in ("events", "summary", "trace", "print")}
        r = t.user("x86_64", guest("x86_64", "exit_race"), ["3"], **files)
        no_crash(t, r, what)
        t.eq(r.returncode, 3, "%s: QEMU ended with backdoor_exit(3)'s status" % what, r)
        final, calls = outputs_agree(t, files, what)
        t.eq((final["reason"], final.get("status")), ("exit command", 3),
             "%s: the summary record says why it ended" % what)
        validate_trace(files["trace"])
        printed = sum(1 for e in calls if e["op"] == "print" and e["status"] == "ok")
        t.eq(open(files["print"]).read(), "racing\n" * printed,
             "%s: the printed text = the print records" % what)
        total += len(calls)
    t.notes.append("%d runs, %d calls recorded before exit" % (EXIT_RUNS, total))
