# SPDX-License-Identifier: GPL-2.0-or-later
"""regions=PATH (issue 15): the final regions as CSV or JSON by the file's
extension, a row per id and vCPU (guest thread) and a total per id, complete
after the guest's exit and after SIGTERM; the summary shows the total."""
import csv
import json
import signal
import subprocess
import time

from harness import (ARCHES, Failure, guest, last_summary, plugin_arg, qemu_bin, read_jsonl,
                     validate_trace)

PROGRAM = guest("x86_64", "region_threads")
THREADS = 5  # four threads and main


def check_csv(t, path):
    rows = list(csv.DictReader(open(path)))
    per_vcpu = [r for r in rows if r["vcpu"] != "all"]
    totals = [r for r in rows if r["vcpu"] == "all"]
    t.eq(len(per_vcpu), THREADS, "a row per thread", rows)
    t.eq([r["id"] for r in totals], ["30"], "one total, for id 30", rows)
    t.eq(int(totals[0]["insns"]), sum(int(r["insns"]) for r in per_vcpu),
         "the total is the sum of the rows")
    t.eq(int(totals[0]["entries"]), THREADS, "one entry per thread")
    t.eq({(r["insns_user"] == r["insns"], r["insns_kernel"]) for r in rows}, {(True, "0")},
         "user mode: every instruction a user one")
    return rows


def check_json(t, path):
    doc = json.load(open(path))
    t.eq(len(doc["regions"]), THREADS, "a row per thread", doc)
    t.eq(sorted(r.get("name") for r in doc["regions"]), ["main?thread"] + ["worker"] * 4,
         "each row with its thread's name (name_thread)", doc)
    total = doc["region_totals"]
    t.eq([(r["id"], r["vcpus"], r["entries"]) for r in total], [(30, THREADS, THREADS)],
         "the total of id 30", doc)
    t.eq(total[0]["insns"], sum(r["insns"] for r in doc["regions"]), "sum of the rows")
    t.check(doc["calls"]["dispatched"] >= 2 * THREADS, "the call counts come along", doc)
    return doc


def test_after_guest_exit(t):
    summary = t.path("summary")
    for name, check in (("regions.csv", check_csv), ("regions.json", check_json)):
        path = t.path(name)
        r = t.user("x86_64", PROGRAM, regions=path, summary=summary, check=0)
        check(t, path)
        t.contains(open(summary).read(), "total of %d" % THREADS, "the summary's total", r)
        t.contains(open(summary).read(), "regions: " + path, "the summary names the file", r)


def test_trace_names_each_thread(t):
    """In user mode each guest thread is a vCPU: its trace process carries
    the name the thread gave itself, and its region spans are there."""
    trace = t.path("trace.json")
    t.user("x86_64", PROGRAM, trace=trace, summary="none", check=0)
    events = validate_trace(trace)
    names = {}
    for e in events:
        if e["ph"] == "M" and e["name"] == "process_name":
            names[e["pid"]] = e["args"]["name"]  # the last one holds
    spans = {e["pid"] for e in events if e["ph"] == "B" and e["name"] == "roi 30"}
    t.eq(sorted(names[pid].split(": ")[-1] for pid in spans), ["main?thread"] + ["worker"] * 4,
         "every span in a process named after its thread", names)
    t.check(all(names[pid].startswith("vCPU ") for pid in spans), "the vCPU named too", names)


def test_after_sigterm(t):
    for name, check in (("regions.csv", check_csv), ("regions.json", check_json)):
        path = t.path(name)
        p = subprocess.Popen([qemu_bin("qemu-x86_64"), "-plugin",
                              plugin_arg(regions=path, summary="none"), PROGRAM, "spin"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 60
            while "regions done" not in p.stdout.readline():
                if time.time() > deadline or p.poll() is not None:
                    raise Failure("the guest never finished its regions")
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)
        finally:
            p.kill()
        t.eq(p.returncode, -signal.SIGTERM, "QEMU dies of the signal")
        check(t, path)


def test_sequential_silent_threads(t):
    """Threads that run one after another and never call, as most of a
    program's threads: QEMU gives each the index of the one before, whose
    containers are then looked at (regions, marks, a name) and found empty.
    The program runs to its end on every architecture, the summary counts
    no region."""
    for arch in ARCHES:
        events = t.path("silent-%s.jsonl" % arch)
        r = t.user(arch, guest(arch, "sequential_threads"), ["3", "silent"], events=events,
                   summary="none", check=0)
        t.contains(r.stdout, "sequential threads done", "%s: the guest ran to its end" % arch, r)
        t.eq(last_summary(read_jsonl(events)).get("regions"), [], "%s: no region" % arch)


def test_sequential_threads_own_their_rows(t):
    """Issue 21: threads that run one after another get the same vCPU index
    from QEMU; each names itself and runs region 40, and each is another
    thread, with its own row, number and name, in the CSV (whose rows
    carry thread, name and asid, and end with a newline), the JSON, the
    summary and the trace."""
    program = guest("x86_64", "sequential_threads")
    csv_path, json_path, trace = t.path("seq.csv"), t.path("seq.json"), t.path("seq.trace")
    summary = t.path("seq.summary")
    r = t.user("x86_64", program, ["3"], regions=csv_path, trace=trace, summary=summary,
               check=0)
    t.contains(r.stdout, "sequential threads done", "the guest ran", r)
    text = open(csv_path).read()
    t.check(text.endswith("\n"), "the CSV ends with a newline", text[-200:])
    rows = [row for row in csv.DictReader(open(csv_path)) if row["id"] == "40"]
    per_thread = [row for row in rows if row["vcpu"] != "all"]
    t.eq(sorted(row["name"] for row in per_thread), ["seq-0", "seq-1", "seq-2"],
         "a row per thread, with the name it gave itself", rows)
    t.eq(len({row["thread"] for row in per_thread}), 3, "three thread numbers", rows)
    t.eq({row["asid"] for row in per_thread}, {""}, "user mode: no address space", rows)
    t.eq([(row["entries"], row["unmatched_ends"], row["open"]) for row in per_thread],
         [("1", "0", "0")] * 3, "each region entered once, closed", rows)
    r = t.user("x86_64", program, ["3"], regions=json_path, summary="none", check=0)
    doc = json.load(open(json_path))
    rows = [row for row in doc["regions"] if row["id"] == 40]
    t.eq(sorted((row["name"], row["entries"]) for row in rows),
         [("seq-0", 1), ("seq-1", 1), ("seq-2", 1)], "the JSON's rows", doc)
    t.eq(len({row["thread"] for row in rows}), 3, "three threads in the JSON", rows)
    events = validate_trace(trace)
    names = {}
    for e in events:
        if e["ph"] == "M" and e["name"] == "process_name":
            names[e["pid"]] = e["args"]["name"]
    spans = {e["pid"] for e in events if e["ph"] == "B" and e["name"] == "roi 40"}
    t.eq(sorted(names[pid].split(": ")[-1].split(" (")[0] for pid in spans),
         ["seq-0", "seq-1", "seq-2"], "each thread's spans in a process of its own, named "
         "after it", names)
    text = open(summary).read()
    for i in range(3):
        t.contains(text, '"seq-%d"' % i, "the summary names each row", text)
