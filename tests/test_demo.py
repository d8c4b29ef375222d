# SPDX-License-Identifier: GPL-2.0-or-later
"""`make demo` runs (its script, on the already built tree) and shows what the
README promises: calls arriving on the host, a region summary and the trace."""
import os

from harness import ROOT, Skip, system_qemus


def test_demo_script(t):
    r = t.run([os.path.join(ROOT, "scripts", "demo.sh")], timeout=300,
              env={"DEMO_OUT": t.path("demo")})
    t.eq(r.returncode, 0, "demo exit status", r)
    for text in ("host:  BACKDOOR_i8_v32(3, 42)", "regions of interest:",
                 "Timeline: ", "the guest's copy is identical"):
        t.contains(r.stdout + r.stderr, text, "demo output", r)


def test_demo_with_debian_qemu_only(t):
    """QEMU_PREFIX=/usr with Debian's system QEMU and no user-mode QEMU that
    loads plugins: the Linux step runs, the user-mode steps say why not."""
    debian = system_qemus()["debian-10.0"]
    if debian.unavailable:
        raise Skip(debian.unavailable)
    r = t.run([os.path.join(ROOT, "scripts", "demo.sh")], timeout=300,
              env={"QEMU_PREFIX": "/usr", "DEMO_OUT": t.path("demo")})
    t.eq(r.returncode, 0, "demo exit status", r)
    out = r.stdout + r.stderr
    # QEMU 10.0 cannot check a user process's buffers: its print is refused.
    for text in ("regions of interest:", "Timeline: ", "buffers passed by user-level code "
                 "are refused", "loads no plugins, 'make qemu' builds one"):
        t.contains(out, text, "demo output", r)
    t.check("host:  BACKDOOR_i8_v32" not in out, "no user-mode step ran", r)
