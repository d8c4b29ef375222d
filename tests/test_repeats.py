# SPDX-License-Identifier: GPL-2.0-or-later
"""count-reps=on: every repetition of an x86 repeated string instruction
counts, as Callgrind counts it (docs/outputs.md). In user mode the
collection region of tests/guest/valgrind_reps.c equals Callgrind's Ir on
the same binary, split blocks or not; in ring 0 (bare metal, three QEMUs)
each kind adds exactly its repetitions; wrong uses are refused by name."""
import json
import os
import re
import shutil

from harness import BUILD, Skip, guest, last_summary, on_qemus, read_jsonl, runs_natively
from test_system_x86 import boot

COLLECTION = 0x43540000
PROGRAM = "valgrind_reps"


def fresh(t, name):
    """A path in the test's directory that no earlier run used."""
    return t.path("%d-%s" % (len(os.listdir(t.dir)), name))


def collected(t, args=(), qemu_args=(), **options):
    """The collection region's instructions in a user-mode run."""
    events = fresh(t, "events.jsonl")
    t.user("x86_64", guest("x86_64", PROGRAM), list(args), qemu_args=qemu_args,
           events=events, valgrind="on", collect_atstart="off", summary="none", **options)
    rows = [r for r in last_summary(read_jsonl(events))["regions"] if r["id"] == COLLECTION]
    return rows[0]["insns"]


def callgrind_ir(t, args=()):
    out = fresh(t, "callgrind.out")
    t.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
           "--callgrind-out-file=" + out, guest("x86_64", PROGRAM)] + list(args), check=0)
    return int(re.search(r"^totals: (\d+)", open(out).read(), re.M).group(1))


def test_counts_match_callgrind(t):
    if shutil.which("valgrind") is None or not runs_natively("x86_64"):
        raise Skip("valgrind cannot run here (scripts/install-deps.sh build installs it)")
    theirs = callgrind_ir(t)
    ours = collected(t, count_reps="on")
    t.eq(ours, theirs, "with count-reps=on, the collection region is Callgrind's Ir")
    t.eq(collected(t), ours, "on by default with valgrind=on")
    plain = collected(t, count_reps="off")
    t.check(ours - plain > 200000, "without it, each repeated instruction counts once "
            "(%d vs %d)" % (plain, ours))
    split_on = collected(t, qemu_args=["-one-insn-per-tb"], count_reps="on")
    split_off = collected(t, qemu_args=["-one-insn-per-tb"], count_reps="off")
    t.eq(split_on - split_off, ours - plain, "the repetitions do not depend on block boundaries")
    regions = fresh(t, "regions.json")
    t.run([os.path.join(BUILD, "qemu-backdoor"), "--valgrind", "--collect-atstart=no",
           "--count-reps", "--summary=none", "--regions=" + regions, "--",
           guest("x86_64", PROGRAM)], check=0)
    with open(regions) as f:
        rows = {r["id"]: r["insns"] for r in json.load(f)["region_totals"]}
    t.eq(rows.get(COLLECTION), theirs, "the same through qemu-backdoor --count-reps", rows)
    # Valgrind runs rep lodsb as one lodsb (the program's result changes
    # under it); the plugin counts the 17 repetitions the hardware makes.
    t.eq(collected(t, ["200000", "lods"], count_reps="on") - callgrind_ir(t, ["200000", "lods"]),
         17, "rep lodsb: 17 repetitions Valgrind does not make")


@on_qemus("built", "debian-10.0", "debian-11.1")
def test_ring0_repetitions(t):
    """tests/baremetal/x86/kernels/repeats.c: each kind in a region with its
    count and in one with a zero count; they differ by the repetitions."""
    regions = t.path("regions.json")
    r = boot(t, "repeats", regions=regions, count_reps="on", summary="none")
    with open(regions) as f:
        totals = {row["id"]: row["insns"] for row in json.load(f)["region_totals"]}
    runs = {int(m.group(1)): (m.group(2), int(m.group(3)), int(m.group(4)))
            for m in re.finditer(r"region (\d+): (.+) count (\d+) left (\d+)", r.console)}
    t.eq(sorted(runs), [1, 2, 3, 4, 5, 6], "the kernel ran every region", r.console)
    for region, (what, count, left) in sorted(runs.items()):
        done = count - left
        # Callgrind's rule: one per repetition, and one more execution that
        # finds the count zero unless a compare ended the repetition (4 and
        # 6 compare equal memory to the end; 3 and 5 stop at a difference).
        # A zero count is one execution.
        expected = done + (left == 0) - 1
        t.eq(totals[region] - totals[region + 10], expected,
             "region %d (%s, %d of %d repetitions)" % (region, what, done, count),
             (totals, r.console))


def test_refused_where_it_cannot_count(t):
    r = t.user("aarch64", guest("aarch64", "regions"), count_reps="on", check=None)
    t.check(r.returncode != 0, "count-reps=on refused on aarch64", r)
    t.contains(r.stderr, "option 'count-reps=on': aarch64 has no repeated string instructions "
               "(x86 only); drop the option", "the message names the option and the fix", r)
    r = t.user("x86_64", guest("x86_64", "regions"), count_reps="maybe", check=None)
    t.contains(r.stderr, "option 'count-reps=maybe': expected on or off", "a wrong value", r)
