# SPDX-License-Identifier: GPL-2.0-or-later
"""The binary event log (events=PATH.bin, issue 24): the same records as
events=PATH.jsonl in 64-byte slots; qemu-backdoor --events-to-json turns it
into the very JSON Lines the plugin writes, the tests' reader
(tests/lib/events_bin.py) reads it alike, and SIGKILL leaves whole
records."""
import json
import os
import random

import events_bin
from harness import BUILD, guest, handler, kill_record_flood, read_jsonl


COMMAND = os.path.join(BUILD, "qemu-backdoor")
VARYING = ("ts_ns", "wall_ns")


def to_json(t, path):
    r = t.run([COMMAND, "--events-to-json", path], check=0)
    out = t.path(os.path.basename(path) + ".jsonl")
    open(out, "w").write(r.stdout)
    return out, r


def comparable(records):
    """Calls without what varies between two runs (time, the stack's
    buffer addresses), and the summary's call counts."""
    calls = []
    for e in records:
        if e["event"] == "call":
            e = {k: v for k, v in e.items() if k not in VARYING}
            if e["type"] in ("send", "recv"):
                e["args"] = e["args"][1:]
            calls.append(e)
    return calls, records[-1]["calls"]


def test_same_records_as_json(t):
    """Two runs of the same guests, one per format: the converted binary log
    holds the JSON log's records, field for field (time aside)."""
    runs = [("portable", [], {}),
            ("record_flood", ["3000"], {"print": "/dev/null"}),
            ("roundtrip", ["200"], {"handler": handler("record")})]
    for name, args, options in runs:
        text, binary = t.path(name + ".jsonl"), t.path(name + ".bin")
        for events in (text, binary):
            t.user("x86_64", guest("x86_64", name), args=args, events=events, summary="none",
                   check=None, **options)
        converted, r = to_json(t, binary)
        t.eq(r.stderr, "", "converted without a word", r)
        want, got = read_jsonl(text), read_jsonl(converted)
        t.eq(comparable(got), comparable(want), "the same records: " + name)
        t.eq([e["event"] for e in got], [e["event"] for e in want], "in the same order")
        t.eq(events_bin.read(binary), read_jsonl(converted, raw=True),
             "the tests' reader reads what the converter writes: " + name)
        if name == "record_flood":  # past the binary log's 4 KiB header page
            t.check(os.path.getsize(binary) < os.path.getsize(text) * 0.7,
                    "smaller than the JSON log", (os.path.getsize(binary),
                                                  os.path.getsize(text)))


def test_sigkill_leaves_whole_records(t):
    """QEMU killed at 12 moments of a flood of records: the reader and the
    converter read every record up to the last whole one."""
    chance = random.Random(24)
    total = 0
    for run in range(12):
        binary = t.path("flood-%d.bin" % run)
        kill_record_flood(chance.uniform(0.0, 0.15), events=binary, print="/dev/null",
                          summary="none")
        records = events_bin.read(binary)
        converted, r = to_json(t, binary)
        with open(converted) as f:
            lines = f.read().splitlines()
        t.eq(len(lines), len(records), "run %d: as many records converted as read" % run, r)
        t.eq([json.loads(line) for line in lines[-100:]], records[-100:],
             "run %d: the last ones alike" % run)
        t.eq(os.path.getsize(binary) % 4096, 0, "run %d: the log ends at a page (its "
             "writes are whole pages)" % run)
        total += len(records)
        os.unlink(binary)
    t.check(total > 0, "records were written before the kills")


def test_not_a_binary_log(t):
    text = t.path("events.jsonl")
    t.user("x86_64", guest("x86_64", "seed_sequence"), events=text, check=None)
    r = t.run([COMMAND, "--events-to-json", text])
    t.eq(r.returncode, 125, "refused", r)
    t.contains(r.stderr, "qemu-backdoor: --events-to-json=%s: not a binary event log (no "
               "BDEVLOG1 header)" % text, "says what it is not", r)
    json.loads(open(text).readline())
