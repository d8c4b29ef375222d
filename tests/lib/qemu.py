# SPDX-License-Identifier: GPL-2.0-or-later
"""Where QEMU, the plugin and the firmware are, and the command lines that run
a guest under them: shared by the tests (harness.py) and the benchmarks
(bench/), so that both run the same QEMU the same way. Building command
lines only; running them and judging the result is the caller's business."""
import glob
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
# make passes QEMU_PREFIX when the user names a QEMU of their own.
QEMU = os.path.join(ROOT, os.environ.get("QEMU_PREFIX") or os.path.join(BUILD, "qemu"))
# Another build of the plugin can stand in (the ASan one of
# tests/test_sanitizers.py).
PLUGIN = os.environ.get("BACKDOOR_PLUGIN") or os.path.join(BUILD, "libbackdoor.so")
FIRMWARE = ["-L", "/usr/share/qemu", "-L", "/usr/share/seabios"]

USER_QEMU = {"x86_64": "qemu-x86_64", "i386": "qemu-i386",
             "aarch64": "qemu-aarch64", "riscv64": "qemu-riscv64"}

# The x86 bare-metal kernels end a run through isa-debug-exit (port 0xf4):
# QEMU then exits with status (value << 1) | 1, so a kernel's 0 gives 1.
DEBUG_EXIT_OK = (0 << 1) | 1


def qemu_bin(name):
    return os.path.join(QEMU, "bin", name)


def plugin_arg(plugin=PLUGIN, **options):
    """-plugin argument; option values that are lists repeat the key."""
    parts = [plugin]
    for key, value in options.items():
        key = key.replace("_", "-")
        for v in value if isinstance(value, list) else [value]:
            parts.append("%s=%s" % (key, str(v).replace(",", ",,")))
    return ",".join(parts)


def user_command(arch, program, args=(), plugin=None, qemu_args=()):
    """qemu-ARCH running program; plugin is a -plugin argument or None."""
    cmd = [qemu_bin(USER_QEMU[arch])] + list(qemu_args)
    if plugin:
        cmd += ["-plugin", plugin]
    return cmd + [program] + [str(a) for a in args]


def pc_machine(kernel):
    """The options of a qemu-system-x86_64 that boots a multiboot kernel on
    the pc machine with nothing but isa-debug-exit (the firmware options
    come from the caller, as they depend on the QEMU in use)."""
    return ["-M", "pc", "-display", "none", "-nodefaults", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", kernel]


def qemu_plugin(name, prefix=QEMU):
    """The path of one of QEMU's own test plugins (libinsn.so, libempty.so),
    wherever the install put them; None if it did not."""
    for pattern in ("lib/qemu-plugins/", "lib/*/qemu-plugins/", "libexec/qemu-plugins/"):
        found = glob.glob(os.path.join(prefix, pattern + name))
        if found:
            return found[0]
    return None


def header_api(prefix=QEMU):
    """The plugin API level of the QEMU installed in prefix, from its
    qemu-plugin.h; 0 if there is none."""
    try:
        with open(os.path.join(prefix, "include", "qemu-plugin.h")) as f:
            m = re.search(r"#define QEMU_PLUGIN_VERSION (\d+)", f.read())
    except OSError:
        return 0
    return int(m.group(1)) if m else 0


# The plugin API level each QEMU release speaks (docs/qemu-versions.md).
RELEASE_API = {(9, 0): 2, (9, 1): 3, (9, 2): 4, (10, 0): 4, (10, 1): 5, (10, 2): 5,
               (11, 0): 6, (11, 1): 7}


def release_api(release):
    """The plugin API level of a release such as '10.2.2'; 0 if unknown."""
    m = re.match(r"(\d+)\.(\d+)", release)
    return RELEASE_API.get((int(m.group(1)), int(m.group(2))), 0) if m else 0


def version(binary):
    """The release of a QEMU binary ('10.2.2'); '?' if it does not say."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"version (\S+)", out)
    return m.group(1) if m else "?"
