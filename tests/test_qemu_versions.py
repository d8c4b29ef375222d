# SPDX-License-Identifier: GPL-2.0-or-later
"""One plugin build in every QEMU this machine has (docs/qemu-versions.md):
it declares the plugin API level of the QEMU that opened it, which QEMU
reports back in the summary's first line, and a QEMU too old for it gets one
line from the plugin naming both versions."""
import os

from harness import BUILD, Skip, on_qemus, pc_machine, plugin_arg

IDLE = os.path.join(BUILD, "baremetal", "x86", "idle.elf")
TOO_OLD = os.path.join(os.environ.get("BACKDOOR_CACHE", os.path.expanduser("~/.cache/backdoor")),
                       "debian-qemu-7.2", "usr", "bin", "qemu-system-x86_64")
MACHINE = pc_machine(IDLE)


@on_qemus("built", "debian-10.0", "debian-11.1")
def test_declares_the_running_level(t):
    """The same build loads in 10.0 (API 4), the self-built 10.2 (API 5) and
    Debian's 11.1 (API 7, which refuses any lower level)."""
    summary = t.path("summary")
    r = t.run(t.qemu.command("qemu-system-x86_64") + t.qemu.firmware + MACHINE +
              ["-plugin", plugin_arg(summary=summary)], timeout=60)
    t.eq(r.returncode, 1, "the idle kernel ran to its exit", r)
    first = open(summary).readline()
    t.contains(first, "system mode, QEMU plugin API %d ==" % t.qemu.api,
               "the level the plugin speaks", r)
    t.check("newer than" not in r.stderr and "too old" not in r.stderr,
            "no version complaint for a known QEMU", r)


def test_too_old_qemu_named(t):
    """Debian 12's own QEMU 7.2 (plugin API 1): no dynamic-linker error, but
    the plugin's line with the QEMU release and what it needs, then QEMU's
    own refusal."""
    if not os.path.exists(TOO_OLD):
        raise Skip("%s absent (scripts/install-deps.sh compat unpacks it)" % TOO_OLD)
    r = t.run([TOO_OLD] + MACHINE + ["-plugin", plugin_arg()], timeout=60)
    # QEMU exits with 1 here, as the idle kernel would: its refusal tells.
    t.eq(r.returncode, 1, "QEMU 7.2 refuses to start", r)
    t.contains(r.stderr, "Could not load plugin", "QEMU's own refusal", r)
    t.contains(r.stderr, "backdoor: QEMU 7.2.", "the plugin names the QEMU release", r)
    t.contains(r.stderr, "is too old: backdoor needs plugin API 2 or later (QEMU 9.0 or later",
               "and what it needs", r)
    t.check("undefined symbol" not in r.stderr, "no dynamic linker error", r)
    t.eq(r.stderr.count("backdoor:"), 1, "one line from the plugin", r)
