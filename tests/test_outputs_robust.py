# SPDX-License-Identifier: GPL-2.0-or-later
"""Nothing recorded is lost silently (issue 12): a full disk, ulimit -f and
max-output stop one output, said once on stderr and listed in the summary,
while the run goes on; a refused start truncates no existing output; two
outputs naming one file are refused; a handler breaking its contract is
counted and named, and its guest gets BACKDOOR_EIO. Issue 21: outputs that
name stdout or stderr append through them; files are compared by identity,
not name; another run's file is refused; records are whole however the
output stops (full disk, max-output, SIGKILL), and the trace is closed."""
import json
import os
import random
import shlex
import signal
import subprocess

from harness import (Failure, Skip, guest, handler, kill_record_flood, last_summary, plugin_arg,
                     qemu_bin,
                     read_jsonl)
from qemu import user_command

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
    read_jsonl(events)  # whole records only
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


def test_same_file_by_identity(t):
    """Paths that differ but name one file (sub/../x, a symlink, /dev/shm
    twice) are refused, naming both options; a file the refused start
    created is removed, one that existed keeps its contents."""
    os.mkdir(t.path("sub"))
    fresh, kept = t.path("same.out"), t.path("kept.out")
    open(kept, "w").write("earlier results\n")
    os.symlink(kept, t.path("link.out"))
    cases = [(fresh, t.path("sub/../same.out"), False),
             (kept, t.path("link.out"), True)]
    if os.path.isdir("/dev/shm"):
        shm = "/dev/shm/backdoor-test-%d" % os.getpid()
        cases.append((shm, shm, False))
    for first, second, existed in cases:
        for a, b in (("events", "trace"), ("trace", "regions"), ("regions", "summary")):
            r = t.user("x86_64", SEED, check=None, **{a: first, b: second})
            t.check(r.returncode != 0, "refused: %s=%s %s=%s" % (a, first, b, second), r)
            t.contains(r.stderr, "options '%s=%s' and '%s=%s' name the same file; give each "
                       "output its own" % (a, first, b, second), "names both", r)
            if existed:
                t.eq(open(first).read(), "earlier results\n", "left untouched: " + first)
            else:
                t.check(not os.path.exists(first), "the file it created is removed: " + first)
    # Text outputs may share the streams the user redirected; devices too.
    r = t.user("x86_64", SEED, summary="/dev/stderr", print="stderr", check=0)
    t.contains(r.stderr, "== backdoor summary", "the summary on stderr", r)
    t.user("x86_64", SEED, events="/dev/null", trace="/dev/null", check=0)


def test_another_run_holds_the_file(t):
    """A second run naming the first one's output is refused while the
    first runs (its lock), instead of interleaving with it silently."""
    events = t.path("events.jsonl")
    first = subprocess.Popen(user_command("x86_64", guest("x86_64", "forever"), [],
                                          plugin_arg(events=events, summary="none")),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        t.eq(first.stdout.readline(), "ready\n", "the first run started")
        r = t.user("x86_64", SEED, events=events, check=None)
        t.check(r.returncode != 0, "the second run is refused", r)
        t.contains(r.stderr, "option 'events=%s': another run is writing this file (it holds "
                   "its lock); give each run its own output" % events, "and says why", r)
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    t.eq(last_summary(read_jsonl(events))["reason"], "signal SIGTERM",
         "the first run's log is whole and its own")


def test_stdout_and_stderr_append(t):
    """events=/dev/stdout under `>> log` and summary=/dev/stderr under
    `2>> log` write through the inherited descriptors: the log keeps its
    earlier lines, the program's output and the plugin's are all there."""
    log, errlog = t.path("log.txt"), t.path("err.txt")
    for path in (log, errlog):
        open(path, "w").write("earlier line 1\nearlier line 2\n")
    for events in ("/dev/stdout", "/proc/self/fd/1", log):
        cmd = user_command("x86_64", guest("x86_64", "forever"), ["0"],
                           plugin_arg(events=events, summary="/dev/stderr"))
        t.run(["sh", "-c", 'exec "$@" >> %s 2>> %s' % (shlex.quote(log), shlex.quote(errlog)),
               "sh"] + cmd, check=0)
    lines = open(log).read().splitlines()
    t.eq(lines[:2], ["earlier line 1", "earlier line 2"], "earlier lines of the log kept")
    t.eq(lines.count("ready"), 3, "the program's own output of each run", lines)
    records = [json.loads(line) for line in lines if line.startswith("{")]
    t.eq([e["event"] for e in records if e["event"] == "summary"], ["summary"] * 3,
         "each run's event log whole", lines)
    t.eq(len(records) + 2 + 3, len(lines), "nothing else in the log", lines)
    text = open(errlog).read()
    t.check(text.startswith("earlier line 1\nearlier line 2\n"), "stderr's log kept", text)
    t.eq(text.count("== backdoor summary"), 3, "a summary per run appended", text)


def small_tmpfs(t, size):
    """A tmpfs of size bytes mounted in the test's directory, or Skip."""
    mount = t.path("small-disk")
    os.mkdir(mount)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d" % size, "tmpfs", mount],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise Skip("cannot mount a small tmpfs: " + r.stderr.strip())
    return mount


def unmount(path):
    subprocess.run(["umount", path], capture_output=True)


def trace_records(path):
    """The records of a trace cut at any point: each line after the first,
    without its comma, is one JSON object."""
    lines = open(path).read().split("\n")
    t_header = lines[0].rstrip()
    if not t_header.startswith('{"displayTimeUnit":"ns","traceEvents":['):
        raise Failure("no trace header: %r" % t_header[:80])
    records = []
    for number, line in enumerate(lines[1:], 2):
        line = line.rstrip()
        if line in ("", "]}"):
            continue
        try:
            records.append(json.loads(line[:-1] if line.endswith(",") else line))
        except ValueError as e:
            raise Failure("%s line %d is no whole record (%s): %r" % (path, number, e,
                                                                     line[:200]))
    return records


def test_full_disk_whole_records(t):
    """On a full disk (a 256 KiB tmpfs) the event log ends at a whole
    record and the trace is closed with its brackets: it still loads."""
    mount = small_tmpfs(t, 256 * 1024)
    try:
        events, trace = os.path.join(mount, "events.jsonl"), os.path.join(mount, "trace.json")
        r = t.user("x86_64", guest("x86_64", "record_flood"), args=["30000"], events=events,
                   trace=trace, print="/dev/null", summary=t.path("summary"), check=0)
        for option, path in (("events", events), ("trace", trace)):
            t.eq(r.stderr.count("backdoor: %s=%s: write failed: No space left on device"
                                % (option, path)), 1, "said once: " + option, r)
        data = open(events).read()
        t.check(data.endswith("\n"), "the event log ends at a line's end", data[-200:])
        calls = read_jsonl(events)
        t.check(len(calls) > 100, "records up to the full disk", len(calls))
        loaded = json.load(open(trace))
        t.eq(loaded["traceEvents"][-1]["name"], "trace_end", "the trace closed validly")
        t.check(len(loaded["traceEvents"]) > 100, "with its records")
    finally:
        unmount(mount)


def test_max_output_whole_records(t):
    """max-output: the event log holds whole records up to the limit, the
    trace keeps room for its closing and loads."""
    events, trace = t.path("events.jsonl"), t.path("trace.json")
    r = t.user("x86_64", guest("x86_64", "record_flood"), args=["20000"], events=events,
               trace=trace, print="/dev/null", summary="none", max_output="100K", check=0)
    t.eq(r.returncode, 0, "the run goes on", r)
    for path in (events, trace):
        size = os.path.getsize(path)
        t.check(90 * 1024 < size <= 100 * 1024, "close to the limit, within it: %s %d"
                % (path, size))
    read_jsonl(events)
    loaded = json.load(open(trace))
    t.eq(loaded["traceEvents"][-1]["name"], "trace_end", "the trace closed validly")


def test_sigkill_leaves_whole_records(t):
    """QEMU killed with SIGKILL at 40 moments of a flood of records of every
    length: every line of the event log and of the trace is a whole record
    (no record straddles a page of the file, where the kernel may cut a
    write that a fatal signal interrupts)."""
    chance = random.Random(21)
    lines = 0
    for run in range(40):
        events, trace = t.path("events-%d.jsonl" % run), t.path("trace-%d.json" % run)
        kill_record_flood(chance.uniform(0.0, 0.2), events=events, trace=trace,
                          print="/dev/null", summary="none")
        data = open(events, "rb").read()
        t.check(data == b"" or data.endswith(b"\n"), "run %d: the event log ends at a "
                "line's end" % run, data[-300:])
        for number, line in enumerate(data.splitlines(), 1):
            try:
                json.loads(line)
            except ValueError:
                raise Failure("run %d: events line %d is no whole record: %r"
                              % (run, number, line[-200:]))
            lines += 1
        trace_records(trace)
        os.unlink(events)
        os.unlink(trace)
    t.check(lines > 0, "records were written before the kills")


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
    t.contains(open(summary).read(), "50 the handler failed: BACKDOOR_FAILED (a Python "
               "exception), or neither HANDLED nor UNHANDLED",
               "and in the summary's failed line")
    t.eq(r.stderr.count("handler returned 7 for command"), 10,
         "the first ten named on stderr, the rest only counted", r)
