# SPDX-License-Identifier: GPL-2.0-or-later
"""`make demo` runs (its script, on the already built tree) and shows what the
README promises: calls arriving on the host, a region summary and the trace."""
import os

from harness import ROOT


def test_demo_script(t):
    r = t.run([os.path.join(ROOT, "scripts", "demo.sh")], timeout=300)
    t.eq(r.returncode, 0, "demo exit status", r)
    for text in ("host:  BACKDOOR_i8_v32(3, 42)", "regions of interest:",
                 "Timeline: ", "the guest's copy is identical"):
        t.contains(r.stdout + r.stderr, text, "demo output", r)
