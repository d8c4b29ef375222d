# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 5: whether the channel scales with vCPUs. The bare-metal kernel
brings up its application processors and every vCPU loops on backdoor_sum()
with run-time arguments, at -smp 1, 2, 4 under MTTCG: no plugin, the empty
plugin doing the same register work, libbackdoor.so; aggregate calls per
second timed by the guest, as a ratio to -smp 1."""
from harness import Failure
from measure import symbol_range
from qemu import plugin_arg
from registers import REGISTERS
from session import FLOOR, HOST_CORES, KERNEL
from stats import paired_ratio

ROWS = ("5",)
# The kernel's code is 32-bit, run by qemu-system-x86_64.
I386 = REGISTERS["i386 under qemu-*-x86_64"]


def measure(s):
    only = symbol_range(KERNEL, "smp_loop")
    configs = {
        "none": None,
        "floor": plugin_arg(FLOOR, read=":".join(I386.args), write=I386.result, only=only),
        "backdoor": s.backdoor(summary="none"),
    }
    cpus_list = sorted({1} | {int(c) for c in s.args.smp.split(",")})

    def smp(config, cpus):
        n = s.smp_calls[config]
        _, ticks, ns, done = s.boot("smp %d %d" % (cpus, n), smp=cpus, plugin=configs[config])
        if done != cpus:
            raise Failure("smp %d: %d CPUs finished" % (cpus, done))
        return ticks, ns, cpus * n

    raw = {}
    jobs = []
    for config in configs:
        for cpus in cpus_list:
            key = "s.%s.%d" % (config, cpus)
            jobs.append((key, lambda c=config, k=cpus, key=key:
                         raw.setdefault(key, []).append(smp(c, k)) or 0))
    s.interleaved("5 system: -smp 1/2/4, aggregate calls/s", jobs,
                  reps=s.args.smp_reps if not s.args.quick else 1)
    cal = s.calibration()
    rates = {key: [calls / (ns / 1e9 if ns else ticks / cal / 1e9)
                   for ticks, ns, calls in runs] for key, runs in raw.items()}
    labels = {"none": "plain CPUID loop, no plugin",
              "floor": "empty plugin (reads 4, writes 1)",
              "backdoor": "libbackdoor.so"}
    scaling = {}
    for config in configs:
        one = rates["s.%s.1" % config]
        for cpus in cpus_list:
            r = rates["s.%s.%d" % (config, cpus)]
            scaling[config, cpus] = paired_ratio(r, one)
            target, note = "", ""
            if config == "backdoor" and cpus > 1:
                # As well as the empty plugin doing the same register
                # work, in the same run: what this machine allows.
                target = ">= %.2f" % (0.9 * scaling["floor", cpus])
                note = "target: 0.9 x the empty plugin's %.2f; linear: %d" % (
                    scaling["floor", cpus], min(cpus, HOST_CORES))
            s.add("5", "scaling, system mode MTTCG: backdoor_sum() with run-time args "
                  "on every vCPU, aggregate calls/s",
                  "%s, -smp %d" % (labels[config], cpus), r, "calls/s",
                  scaling[config, cpus], "-smp 1", target, note=note,
                  label="scaling, -smp %d vs 1 (target: 0.9 x empty plugin)" % cpus)
