# SPDX-License-Identifier: GPL-2.0-or-later
"""Regions of interest: counts checked against QEMU's own instruction
counter, the semantics docs/abi.md defines, marks and statistics."""
import os
import re

from harness import (ARCHES, BUILD, guest, last_summary, qemu_plugin, read_jsonl,
                     validate_trace)
from qemu import DEBUG_EXIT_OK

INSN_PLUGIN = qemu_plugin("libinsn.so")


def test_whole_program_matches_qemu_insn_plugin(t):
    """tests/guest/whole_program.S: the peer counts every instruction; the
    region misses exactly 8 (roi_begin's 4, roi_end's CPUID, exit's 3)."""
    for n in (1, 3, 10):
        args = ["x"] * (n - 1)
        events = t.path("events-%d" % n)
        t.user("x86_64", guest("x86_64", "whole_program"), args, check=0, events=events,
               summary="none")
        region = last_summary(read_jsonl(events))["regions"][0]["insns"]
        peer = t.user("x86_64", guest("x86_64", "whole_program"), args, check=0,
                      plugin=False, qemu_args=["-d", "plugin", "-plugin",
                                               INSN_PLUGIN + ",inline=on"])
        total = int(re.search(r"total insns: (\d+)", peer.stderr).group(1))
        t.eq(region, 3 * 1000 * n + 5, "region count for %d000 iterations" % n)
        t.eq(total - region, 8, "difference to QEMU's insn plugin", peer)


def test_counts_do_not_depend_on_block_boundaries(t):
    """One instruction per translation block changes every block boundary but
    no count: the position of each call in its block is accounted for."""
    counts = []
    for qemu_args in ([], ["-one-insn-per-tb"]):
        events = t.path("events-%d" % len(counts))
        t.user("x86_64", guest("x86_64", "regions"), check=0, qemu_args=qemu_args,
               events=events, summary="none")
        counts.append([(r["id"], r["vcpu"], r["entries"], r["insns"])
                       for r in last_summary(read_jsonl(events))["regions"]
                       if not r["open"]])
    t.eq(counts[1], counts[0], "closed regions with and without one-insn-per-tb")


def test_region_semantics(t):
    """tests/guest/regions.c, on every guest architecture."""
    for arch in ARCHES:
        events, trace, summary = (t.path(n + arch) for n in ("ev-", "tr-", "sum-"))
        t.user(arch, guest(arch, "regions"), check=0, events=events, trace=trace,
               summary=summary)
        records = read_jsonl(events)
        final = last_summary(records)
        rows = {(r["id"], r["vcpu"]): r for r in final["regions"]}
        t.eq(sorted(rows), [(1, 0), (2, 0), (3, 0), (5, 0), (9, 0), (20, 1), (99, 0)],
             "regions per id and vCPU (thread) on " + arch)
        t.eq(rows[1, 0]["entries"], 2, "nested begin of the same id is not an entry")
        t.eq((rows[9, 0]["entries"], rows[9, 0]["unmatched_ends"]), (0, 1),
             "an end without begin is counted, nothing else")
        t.check(rows[5, 0]["open"] and rows[99, 0]["open"], "open at exit", rows)
        t.check(not any(rows[k]["open"] for k in [(1, 0), (2, 0), (3, 0), (20, 1)]),
                "closed regions", rows)
        t.check(abs(rows[2, 0]["insns"] - rows[3, 0]["insns"]) <= 5,
                "overlapping regions 2 and 3 cover the same work, up to the few "
                "instructions around the calls", rows)
        per_iteration = rows[20, 1]["insns"] / 2000
        t.check(abs(rows[1, 0]["insns"] / 3500 - per_iteration) < 0.05,
                "region 1 (3500 iterations, nested) and 20 (2000 on another thread) "
                "agree per iteration", rows)
        t.check(rows[99, 0]["insns"] > rows[1, 0]["insns"] + rows[2, 0]["insns"],
                "region 99 counts from the statistics reset on", rows)
        t.eq(final["marks"], [{"id": 7, "count": 2, "last_value": 2},
                              {"id": 8, "count": 1, "last_value": 5}], "marks")
        dumps = [e for e in records if e["event"] == "stats"]
        t.eq(len(dumps), 1, "one statistics dump")
        dumped = {(r["id"], r["vcpu"]): r for r in dumps[0]["regions"]}
        t.eq(dumped[99, 0]["entries"], 1, "the reset keeps an open region's entry")
        t.check(dumped[99, 0]["insns"] < rows[99, 0]["insns"], "dump is a snapshot")
        text = open(summary).read()
        t.contains(text, "== backdoor statistics dump 1:", "dump in the summary output")
        t.check(re.search(r"\n  5 +0 +1 +\d+ +[\d.]+  open at exit", text),
                "summary table says open at exit", text)
        t.contains(text, "1 end without begin", "summary table notes the stray end", text)

        spans = [e for e in validate_trace(trace) if e["ph"] in "BE"]
        names = sorted(set(e["name"] for e in spans))
        t.eq(names, ["roi 1", "roi 2", "roi 20", "roi 3", "roi 5", "roi 99"],
             "every region is a span in the trace")
        t.eq(sorted(set((e["pid"], e["tid"]) for e in spans if e["name"] == "roi 20")),
             [(2, 21)], "region 20 is on vCPU 1's process, its own thread")
        t.eq(len([e for e in spans if e["name"] == "roi 1" and e["ph"] == "B"]), 2,
             "two spans for region 1")


def test_vcpus_marking_at_once_in_one_thread(t):
    """The benchmark kernel's vCPUs share one address space and thread
    pointer, so where regions follow threads they are one thread: two vCPUs
    under MTTCG mark id 1 at once, each through cells of its own, and every
    mark counts in the summary, as in the event log; the last value is the
    last marked (both vCPUs end with N - 1)."""
    n = 20000
    events = t.path("events")
    r = t.system(os.path.join(BUILD, "bench", "bench.elf"), append="marks 2 %d" % n,
                 qemu_args=["-accel", "tcg,thread=multi", "-smp", "2"], check=DEBUG_EXIT_OK,
                 events=events, summary="none")
    t.contains(r.console, "cpus=2", "both CPUs ran the loop", r)
    records = read_jsonl(events)
    summary = last_summary(records)
    marks = {m["id"]: m for m in summary["marks"]}
    t.eq((marks[1]["count"], marks[1]["last_value"]), (2 * n, n - 1),
         "every mark of both vCPUs, and the last value", summary["marks"])
    t.eq(summary["threads"]["seen"], 1, "one guest thread", summary["threads"])
    by_vcpu = {}
    for e in records:
        if e.get("op") == "mark":
            by_vcpu[e["vcpu"]] = by_vcpu.get(e["vcpu"], 0) + 1
    t.eq(by_vcpu, {0: n, 1: n}, "each vCPU's marks in the event log")
