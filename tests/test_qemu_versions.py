# SPDX-License-Identifier: GPL-2.0-or-later
"""One plugin build in every QEMU this machine has (docs/qemu-versions.md):
it declares the plugin API level of the QEMU that opened it, which QEMU
reports back in the summary's first line, and a QEMU too old for it gets one
line from the plugin naming both versions. qemu-backdoor finds the same
level in the QEMU binary it starts and passes it (qemu-api=), so the plugin
need not look."""
import os

from harness import BUILD, QEMU, Skip, _debian_root, on_qemus, pc_machine, plugin_arg

IDLE = os.path.join(BUILD, "baremetal", "x86", "idle.elf")
TOO_OLD = os.path.join(os.environ.get("BACKDOOR_CACHE", os.path.expanduser("~/.cache/backdoor")),
                       "debian-qemu-7.2", "usr", "bin", "qemu-system-x86_64")
MACHINE = pc_machine(IDLE)
COMMAND = os.path.join(BUILD, "qemu-backdoor")
CLI = os.path.join(BUILD, "backdoor")  # the guest command, x86-64


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


@on_qemus("built", "debian-10.0", "debian-11.1")
def test_launcher_passes_the_level(t):
    """qemu-backdoor reads the level from the QEMU binary it would start
    (the functions it exports and, for 11.1, whose exports are 11.0's, its
    version text) and passes it as qemu-api=, the level the plugin declares
    to that QEMU by itself (test_declares_the_running_level)."""
    t.qemu.command("qemu-system-x86_64")  # skips a QEMU this machine lacks
    bindir = t.qemu.bindir or os.path.join(_debian_root(), "usr", "bin")
    r = t.run([COMMAND, "-n", "--system"], env={"QEMU_PREFIX": os.path.dirname(bindir)},
              check=0)
    words = r.stdout.split()
    t.eq(words[0], os.path.join(bindir, "qemu-system-x86_64"), "that QEMU", r)
    argument = words[words.index("-plugin") + 1]
    t.check(argument.endswith(",qemu-api=%d" % t.qemu.api),
            "qemu-api=%d in the plugin's argument" % t.qemu.api, r)
    given = t.run([COMMAND, "-n", "--system", "--qemu-api=4"],
                  env={"QEMU_PREFIX": os.path.dirname(bindir)}, check=0).stdout
    t.eq(given.count("qemu-api="), 1, "a level given is passed as it is, once", given)
    t.contains(given, ",qemu-api=4", "the level given", given)


def test_given_level_is_declared(t):
    """The plugin declares the level qemu-api= names, without looking at
    QEMU: QEMU 10.2 (API 5) then refuses 7 with its own message, and runs
    the plugin as what it is when given its own level; a level no QEMU has
    is the plugin's to refuse."""
    user = os.path.join(QEMU, "bin", "qemu-x86_64")
    r = t.run([user, "-plugin", plugin_arg(qemu_api=99), CLI, "present"], check=1)
    t.contains(r.stderr, "option 'qemu-api=99': QEMU's plugin API levels are 2 to 7",
               "a level no QEMU has is refused, with the levels there are", r)
    r = t.run([user, "-plugin", plugin_arg(qemu_api=7), CLI, "present"], check=1)
    t.contains(r.stderr, "requires API version 7", "QEMU names the level it was given", r)
    summary = t.path("summary")
    r = t.run([user, "-plugin", plugin_arg(qemu_api=5, summary=summary), CLI, "present"],
              check=0)
    t.eq(r.stdout, "1\n", "the channel answers", r)
    t.contains(open(summary).readline(), "user mode, QEMU plugin API 5 ==",
               "the plugin runs at QEMU's level", r)
