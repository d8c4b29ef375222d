# SPDX-License-Identifier: GPL-2.0-or-later
"""Nothing recorded is lost silently (issue 12): a full disk, ulimit -f and
max-output stop one output, said once on stderr and listed in the summary,
while the run goes on; a refused start truncates no existing output; two
outputs naming one file are refused; a handler breaking its contract is
counted and named, and its guest gets BACKDOOR_EIO."""
import os

from harness import guest, handler, last_summary, plugin_arg, qemu_bin, read_jsonl

SEED = guest("x86_64", "seed_sequence")
PORTABLE = guest("x86_64", "portable")
ROUNDTRIP = guest("x86_64", "roundtrip")
EIO = -5


def test_full_disk_summary_and_print(t):
    r = t.user("x86_64", PORTABLE, summary="/dev/full", print="/dev/full", check=0)
    for option in ("summary", "print"):
        line = "backdoor: %s=/dev/full: write failed: No space left on device" % option
        t.eq(r.stderr.count(line), 1, "one message for %s=" % option, r)


def test_full_disk_listed_in_summary(t):
    summary, events = t.path("summary"), t.path("events.jsonl")
    r = t.user("x86_64", PORTABLE, summary=summary, events=events, print="/dev/full",
               trace="/dev/full", check=0)
    text = open(summary).read()
    for option in ("print", "trace"):
        t.contains(text, "output %s=/dev/full stopped: write failed: No space left on device"
                   % option, "the summary lists the stopped output", r)
        t.eq(r.stderr.count("%s=/dev/full: write failed" % option), 1,
             "reported once on stderr: " + option, r)
    problems = last_summary(read_jsonl(events))["output_problems"]
    t.eq(len(problems), 2, "the event log's summary record lists both", problems)


def test_file_size_limit_does_not_kill(t):
    """ulimit -f: QEMU is not killed by SIGXFSZ; the event log stops at the
    limit and the summary says why; the guest's result is unchanged."""
    events, summary = t.path("events.jsonl"), t.path("summary")
    limit = 64 * 1024
    with_limit = ["python3", "-c", "import os, resource, sys; "
                  "resource.setrlimit(resource.RLIMIT_FSIZE, (%d, %d)); "
                  "os.execv(sys.argv[1], sys.argv[1:])" % (limit, limit)]
    r = t.run(with_limit + [qemu_bin("qemu-x86_64"), "-plugin",
                            plugin_arg(handler=handler("record"), events=events,
                                       summary=summary), ROUNDTRIP, "20000"])
    t.eq(r.returncode, 0, "the guest's own exit status (all round trips right)", r)
    t.eq(os.path.getsize(events), limit, "the event log stopped at the limit")
    t.contains(open(summary).read(), "output events=%s stopped: write failed: File too large"
               % events, "the summary says why", r)
    t.eq(r.stderr.count("write failed: File too large"), 1, "said once on stderr", r)


def test_max_output(t):
    events, summary = t.path("events.jsonl"), t.path("summary")
    r = t.user("x86_64", ROUNDTRIP, args=["20000"], handler=handler("record"), events=events,
               summary=summary, max_output="100K", check=0)
    t.eq(r.returncode, 0, "the run goes on", r)
    t.check(os.path.getsize(events) <= 100 * 1024, "the event log within max-output")
    t.contains(open(summary).read(), "output events=%s stopped: max-output of 102400 bytes "
               "reached" % events, "the summary says why", r)
    t.eq(r.stderr.count("max-output (102400 bytes) reached"), 1, "said once on stderr", r)


def test_refused_start_keeps_existing_outputs(t):
    events, trace = t.path("events.jsonl"), t.path("trace.json")
    for path in (events, trace):
        with open(path, "w") as f:
            f.write("earlier results\n")
    new = t.path("new-summary")
    r = t.user("x86_64", SEED, handler=t.path("missing.so"), events=events, trace=trace,
               summary=new, check=None)
    t.check(r.returncode != 0, "QEMU refuses to start", r)
    t.contains(r.stderr, "missing.so", "the message names the handler", r)
    for path in (events, trace):
        t.eq(open(path).read(), "earlier results\n", "left untouched: " + path)
    t.check(not os.path.exists(new), "a file the refused start created is removed")


def test_same_output_file_refused(t):
    path = t.path("out")
    r = t.user("x86_64", SEED, events=path, trace=path, check=None)
    t.check(r.returncode != 0, "QEMU refuses to start", r)
    t.contains(r.stderr, "options 'events=%s' and 'trace=%s' name the same file" % (path, path),
               "names both options", r)


def test_handler_contract_broken(t):
    events, summary = t.path("events.jsonl"), t.path("summary")
    r = t.user("x86_64", ROUNDTRIP, args=["50"], handler=handler("faulty"), events=events,
               summary=summary, check=None)
    calls = [e for e in read_jsonl(events) if e["event"] == "call" and e["op"] == "handler"]
    t.eq(len(calls), 50, "one handler call per round trip", calls[:3])
    t.eq({(e["status"], e.get("result")) for e in calls}, {("handler_error", EIO)},
         "each a handler error, BACKDOOR_EIO to the guest")
    final = last_summary(read_jsonl(events))
    t.eq(final["calls"]["statuses"]["handler_error"], 50, "counted in the summary record")
    t.contains(open(summary).read(), "50 the handler returned neither HANDLED nor UNHANDLED",
               "and in the summary's failed line")
    t.eq(r.stderr.count("handler returned 7 for command"), 10,
         "the first ten named on stderr, the rest only counted", r)
