# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 7: what instruction counting inside a region costs. The user-mode
workload inside one backdoor_roi_begin/end: no plugin, QEMU's libinsn.so
counting every instruction inline, libbackdoor.so counting the region; in
CPU time, with the two instruction counts side by side."""
import re

from harness import Failure, last_summary, read_jsonl
from measure import run
from qemu import plugin_arg, qemu_plugin, user_command
from session import WORKLOAD
from stats import paired_ratio

ROWS = ("7",)


def measure(s):
    rounds = s.wl_rounds
    insn = qemu_plugin("libinsn.so")
    if insn is None:
        raise Failure("QEMU's libinsn.so is not installed with the QEMU in use")
    workload = ["x86_64", WORKLOAD, [rounds, "roi"]]
    counts = {}

    def bd():
        events = s.path("roi-events.jsonl")
        r = run(user_command(*workload, s.backdoor(summary="none", events=events)))
        counts["backdoor"] = last_summary(read_jsonl(events))["regions"]
        return r.cpu

    def insn_run():
        r = run(user_command(*workload, plugin_arg(insn, inline="on"),
                             qemu_args=["-d", "plugin"]))
        counts["insn"] = r.err + r.out
        return r.cpu

    s.interleaved("7 user: region counting vs libinsn.so", [
        ("r.none", lambda: run(user_command(*workload)).cpu),
        ("r.insn", insn_run),
        ("r.bd", bd),
    ])
    samples = s.samples
    insn_ratio = paired_ratio(samples["r.insn"], samples["r.none"])
    name = "regions of interest, user mode: workload (%d rounds) inside one region, s CPU" % rounds
    s.add("7", name, "no plugin", samples["r.none"], "s", 1.0, "no plugin")
    s.add("7", name, "QEMU's libinsn.so inline=on (counts everything)", samples["r.insn"], "s",
          insn_ratio, "no plugin")
    s.add("7", name, "libbackdoor.so, roi_begin/roi_end around all", samples["r.bd"], "s",
          paired_ratio(samples["r.bd"], samples["r.none"]), "no plugin",
          "<= %.2f" % insn_ratio, label="region counting (target: libinsn.so's ratio)")
    m_insn = re.search(r"total insns: (\d+)", counts.get("insn", ""))
    region = [r["insns"] for r in counts.get("backdoor", []) if r["id"] == 1 and r["vcpu"] == 0]
    s.details.append("row 7 instruction counts: libinsn.so total %s; backdoor region 1: %s" % (
        m_insn.group(1) if m_insn else "?",
        region[0] if region else "none in %r" % counts.get("backdoor")))
