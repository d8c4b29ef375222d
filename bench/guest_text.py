# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 4: guest-to-host text. 64-byte messages from the bare-metal kernel,
through backdoor_print() to a print= file against an outb per byte to
isa-debugcon without a plugin, in messages per second timed by the guest."""
from harness import Failure
from stats import paired_ratio

ROWS = ("4",)


def measure(s):
    out_print = s.path("print.txt")

    def via_print():
        _, ticks, ns, taken = s.boot("print %d" % s.print_msgs,
                                     plugin=s.backdoor(summary="none", print=out_print))
        if taken != 64 * s.print_msgs:
            raise Failure("backdoor_print took %d bytes of %d" % (taken, 64 * s.print_msgs))
        return s.print_msgs / s.seconds(ticks, ns)

    def via_debugcon():
        _, ticks, ns, _ = s.boot("debugcon %d" % s.debugcon_msgs,
                                 debugcon=s.path("debugcon.txt"))
        return s.debugcon_msgs / s.seconds(ticks, ns)

    s.interleaved("4 system: 64-byte messages, print vs debugcon", [
        ("p.print", via_print), ("p.debugcon", via_debugcon)])
    samples = s.samples
    name = "guest->host text, system mode: 64-byte messages to a file, messages/s"
    s.add("4", name, "isa-debugcon, outb per byte (%d msgs), no plugin" % s.debugcon_msgs,
          samples["p.debugcon"], "msg/s", 1.0, "debugcon")
    s.add("4", name, "backdoor_print (%d msgs)" % s.print_msgs, samples["p.print"], "msg/s",
          paired_ratio(samples["p.print"], samples["p.debugcon"]), "debugcon", ">= 10",
          label="text: backdoor_print vs isa-debugcon, msg/s")
