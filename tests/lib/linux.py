# SPDX-License-Identifier: GPL-2.0-or-later
"""Boots a real Linux kernel (Debian's) with a tiny initramfs under
qemu-system-x86_64 (or, with arch="aarch64" or "riscv64", qemu-system-ARCH
-M virt) and the plugin, runs a shell script as the only job of /init, and powers
the machine off.

    from linux import boot_linux
    b = boot_linux(t, "native_harmless", binaries={"native_harmless": path},
                   summary=t.path("summary.txt"))
    t.eq(b.status, 0, "script exit status", b)
    b.output     what the script printed (between the markers)
    b.console    the whole serial console
    b.result     the harness.Result of QEMU (returncode, stderr, ...)
    b.status     the script's exit status (None: /init never got to the end)
    b.seconds    wall-clock seconds from starting QEMU to its exit
    b.uptime     the guest's /proc/uptime when the script had ended
    b.peak_rss_kib  with peak_rss=True: QEMU's peak resident memory, KiB

The kernel and busybox come from scripts/fetch-linux.sh (cached in
$CACHE/linux) and scripts/fetch-linux-port.sh arm64|riscv64
($CACHE/linux-arm64, $CACHE/linux-riscv64); when they cannot be fetched the
test is skipped.
"""
import gzip
import io
import os
import re
import stat
import subprocess
import threading
import time

import harness

CACHE = os.environ.get("BACKDOOR_CACHE") or os.environ.get("CACHE") or \
    os.path.join(os.path.expanduser("~"), ".cache", "backdoor")
LINUX_DIR = os.path.join(CACHE, "linux")
VMLINUZ = os.path.join(LINUX_DIR, "vmlinuz")
# The same kernel uncompressed: QEMU boots its PVH entry directly, 5-7 s
# faster than vmlinuz, whose decompressor is slow under TCG.
VMLINUX = os.path.join(LINUX_DIR, "vmlinux")
BUSYBOX = os.path.join(LINUX_DIR, "busybox")
# The kernel's headers, unpacked: the file names the directory for make -C.
KDIR_FILE = os.path.join(LINUX_DIR, "headers", "KDIR")
FETCH = os.path.join(harness.ROOT, "scripts", "fetch-linux.sh")
PORT_FETCH = os.path.join(harness.ROOT, "scripts", "fetch-linux-port.sh")
ARM64_DIR = os.path.join(CACHE, "linux-arm64")
RISCV64_DIR = os.path.join(CACHE, "linux-riscv64")
VIRT = ["-M", "virt", "-m", "256M", "-smp", "1", "-display", "none", "-nodefaults",
        "-no-reboot", "-net", "none"]

BEGIN = "==backdoor-linux== begin"
END = "==backdoor-linux== end status="
END_RE = re.compile(re.escape(END) + r"(\d+)")

# Kernel command line. quiet keeps printk off the console (it is slow under
# TCG and would mix with the script's output). The rest skips work that costs
# emulated time and is useless here (measured with initcall_debug on Debian's
# 6.1 kernel): the crypto self-tests (cryptomgr.notests; the SP800-108 KDF
# tests itself regardless, 0.4-0.6 s, hence its initcall_blacklist entry, and
# so does the kprobe-events set-up, 0.25 s), the read-only remapping and its
# W+X scan (rodata=off, 0.2 s), mitigations (retpolines and friends are pure
# overhead under TCG), KASLR, extra UARTs, timer and TSC checks, audit,
# watchdogs.
APPEND = " ".join([
    "console=ttyS0", "quiet", "loglevel=3", "panic=-1", "oops=panic",
    "mitigations=off", "nokaslr", "cryptomgr.notests", "rodata=off",
    "initcall_blacklist=crypto_kdf108_init,init_kprobe_trace",
    "8250.nr_uarts=1", "no_timer_check", "tsc=reliable", "audit=0", "nowatchdog",
    "random.trust_cpu=on", "rdinit=/init",
])

# pc rather than q35 (fewer devices), no defaults, no network, no disks.
# -cpu max gives the guest programs a modern CPU (qemu64 boots ~0.1-0.2 s
# faster; pass cpu="qemu64" to boot_linux).
QEMU_ARGS = ["-M", "pc", "-m", "256M", "-smp", "1",
             "-display", "none", "-nodefaults", "-no-reboot", "-net", "none"]


class Kernel:
    """What differs between the architectures Linux is booted on."""

    def __init__(self, image, busybox, fetch, ready, qemu, machine, console, firmware,
                 cpu="max", user_qemu=None):
        self.image, self.busybox, self.fetch, self.ready = image, busybox, fetch, ready
        self.qemu, self.machine, self.console, self.firmware = qemu, machine, console, firmware
        self.cpu, self.user_qemu = cpu, user_qemu


def port(directory, fetch_arch, qemu, machine, console, cpu, user_qemu, extra=()):
    image, busybox = os.path.join(directory, "Image"), os.path.join(directory, "busybox")
    return Kernel(image, busybox, [PORT_FETCH, fetch_arch], [image, busybox] + list(extra),
                  qemu, machine, console, False, cpu, user_qemu)


KERNELS = {
    "x86_64": Kernel(VMLINUX, BUSYBOX, [FETCH], [VMLINUX, BUSYBOX, KDIR_FILE],
                     "qemu-system-x86_64", QEMU_ARGS, "ttyS0", True),
    # -cpu max: hardware PAN, so Debian's kernel writes TTBR0_EL1 only when
    # it switches address spaces (docs/outputs.md); no KPTI trampolines.
    # Boots in about 3 s, like the x86 one.
    "aarch64": port(ARM64_DIR, "arm64", "qemu-system-aarch64", VIRT, "ttyAMA0", "max",
                    "qemu-aarch64"),
    # trixie's kernel (bookworm has no riscv64 port), OpenSBI from Debian's
    # package; -cpu rv64 boots in 2-3 s (max, with Ztso, takes 4-6 s).
    "riscv64": port(RISCV64_DIR, "riscv64", "qemu-system-riscv64",
                    VIRT + ["-bios", os.path.join(RISCV64_DIR, "fw_dynamic.bin")], "ttyS0",
                    "rv64", "qemu-riscv64", [os.path.join(RISCV64_DIR, "fw_dynamic.bin")]),
}

_fetch_lock = threading.Lock()
_fetch_errors = {}


def ensure_kernel(arch="x86_64"):
    """Runs the architecture's fetch script once per process if the cache
    lacks the kernel, busybox (or, for x86-64, the kernel's headers); raises
    harness.Skip with its reason if that fails."""
    k = KERNELS[arch]
    script = " ".join([os.path.relpath(k.fetch[0], harness.ROOT)] + k.fetch[1:])
    with _fetch_lock:
        if all(os.path.isfile(f) for f in k.ready):
            return
        if arch not in _fetch_errors:
            _fetch_errors[arch] = None
            try:
                p = subprocess.run(["bash"] + k.fetch, capture_output=True, text=True,
                                   timeout=900, errors="replace")
                if p.returncode != 0:
                    _fetch_errors[arch] = "%s failed: %s" % (script, (
                        p.stderr.strip().splitlines() or ["status %d" % p.returncode])[-1])
            except (OSError, subprocess.TimeoutExpired) as e:
                _fetch_errors[arch] = "%s failed: %s" % (script, e)
        if all(os.path.isfile(f) for f in k.ready):
            return
        raise harness.Skip(_fetch_errors[arch] or "no Linux kernel from " + script)


_module_lock = threading.Lock()


def kernel_module(name):
    """Builds tests/kmod (Kbuild, NAME.c) against the booted kernel's
    headers into build/kmod, once per process; returns the .ko's path."""
    ensure_kernel()
    out = os.path.join(harness.BUILD, "kmod")
    ko = os.path.join(out, name + ".ko")
    with _module_lock:
        source = os.path.join(harness.ROOT, "tests", "kmod")
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(source):
            with open(os.path.join(source, f), "rb") as src:
                data = src.read()
            copy = os.path.join(out, f)
            # Rewritten only when changed, so that make finds nothing to do.
            if not os.path.exists(copy) or open(copy, "rb").read() != data:
                with open(copy, "wb") as dst:
                    dst.write(data)
        with open(KDIR_FILE) as f:
            kdir = f.read().strip()
        p = subprocess.run(["make", "-s", "-C", kdir, "M=" + out,
                            "BACKDOOR_INCLUDE=" + os.path.join(harness.ROOT, "include"),
                            "modules"], capture_output=True, text=True, timeout=300)
        if p.returncode != 0 or not os.path.exists(ko):
            raise harness.Failure("building %s against %s failed:\n%s%s"
                                  % (name, kdir, p.stdout[-2000:], p.stderr[-2000:]))
    return ko


class Cpio:
    """A newc ("070701") cpio archive, written in memory."""

    def __init__(self):
        self.out = io.BytesIO()
        self.ino = 1000
        self.names = set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name = name.strip("/")
        if name in ("", ".") or name in self.names:
            return
        self.names.add(name)
        self.ino += 1
        encoded = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0, len(data),
                  0, 0, rdev[0], rdev[1], len(encoded), 0]
        self.out.write(b"070701" + b"".join(b"%08X" % f for f in fields))
        self.out.write(encoded)
        self.out.write(b"\0" * (-(110 + len(encoded)) % 4))
        self.out.write(data)
        self.out.write(b"\0" * (-len(data) % 4))

    def dir(self, name, mode=0o755):
        parts = name.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            self._entry("/".join(parts[:i]), stat.S_IFDIR | mode)

    def file(self, name, data, mode=0o755):
        self.dir(os.path.dirname(name.strip("/")) or ".")
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        self.dir(os.path.dirname(name.strip("/")) or ".")
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor, mode=0o600):
        self.dir(os.path.dirname(name.strip("/")) or ".")
        self._entry(name, stat.S_IFCHR | mode, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        self.out.write(b"\0" * (-self.out.tell() % 512))
        return self.out.getvalue()


_applets = {}


def busybox_applets(arch="x86_64"):
    """Paths of busybox's applets (bin/sh, sbin/poweroff, ...), asked of the
    static binary itself (another architecture's under QEMU user mode); []
    if it cannot run here, and then /init installs the links at boot."""
    if arch not in _applets:
        k = KERNELS[arch]
        cmd = [harness.qemu_bin(k.user_qemu), k.busybox] if k.user_qemu else [k.busybox]
        try:
            p = subprocess.run(cmd + ["--list-full"], capture_output=True, text=True)
            listed = p.stdout.split() if p.returncode == 0 else []
        except OSError:
            listed = []
        _applets[arch] = [a for a in listed if "/" in a and a != "bin/busybox"] \
            if "bin/sh" in listed else []
    return _applets[arch]


INIT = """#!/bin/busybox sh
[ -e /bin/sh ] || /bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/ TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
cd /
echo "%(begin)s"
sh /test.sh </dev/null >/dev/console 2>&1
status=$?
echo "%(end)s$status uptime=$(cut -d' ' -f1 /proc/uptime)"
# Without ACPI the kernel cannot power off: reset instead (-no-reboot ends QEMU).
grep -qw acpi=off /proc/cmdline && reboot -f
poweroff -f
""" % {"begin": BEGIN, "end": END}


def build_initramfs(path, script, binaries=None, files=None, compress=True, arch="x86_64"):
    """Writes a gzipped newc initramfs: busybox and its applet links, the
    binaries ({name: host path}) under /bin, files ({guest path: bytes or
    str}), /test.sh (the script) and /init. Returns its size in bytes."""
    c = Cpio()
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "root"):
        c.dir(d)
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3, 0o666)
    c.file("init", INIT.encode())
    c.file("test.sh", script.encode() if isinstance(script, str) else script)
    for name, host_path in (binaries or {}).items():
        with open(host_path, "rb") as f:
            c.file("bin/" + name, f.read())
    for guest_path, data in (files or {}).items():
        c.file(guest_path, data.encode() if isinstance(data, str) else data, 0o644)
    with open(KERNELS[arch].busybox, "rb") as f:
        c.file("bin/busybox", f.read())
    for applet in busybox_applets(arch):
        c.symlink(applet, "/bin/busybox")
    data = c.finish()
    if compress:
        data = gzip.compress(data, compresslevel=6, mtime=0)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


class Boot:
    def __init__(self, result, console, seconds, initrd_size):
        self.result, self.console, self.seconds = result, console, seconds
        self.initrd_size = initrd_size
        m = END_RE.search(console)
        self.status = int(m.group(1)) if m else None
        begin = console.find(BEGIN)
        if begin >= 0:
            begin = console.find("\n", begin) + 1
            self.output = console[begin:m.start() if m else len(console)]
        else:
            self.output = ""
        m = re.search(re.escape(END) + r"\d+ uptime=([0-9.]+)", console)
        self.uptime = float(m.group(1)) if m else None
        self.output = self.output.replace("\r\n", "\n")

    def __str__(self):
        return "%s\nconsole (last 3000 characters):\n%s" % (self.result, self.console[-3000:])


def boot_linux(t, script, binaries=None, files=None, plugin=True, plugin_options=None,
               timeout=120, append="", qemu_args=(), kernel=None, cpu=None, note=True,
               arch="x86_64", peak_rss=False, **options):
    """Boots Linux with an initramfs whose /init runs script (sh) and powers
    off. Plugin options come from plugin_options (a dict) and keyword
    arguments, as for harness.plugin_arg; plugin=False boots without the
    plugin. Returns a Boot; a boot that never reaches the end marker, or
    QEMU failing, is not raised here: check b.status (None if no marker)."""
    ensure_kernel(arch)
    k = KERNELS[arch]
    n = len([f for f in os.listdir(t.dir) if f.startswith("initramfs-")])
    initrd = t.path("initramfs-%d.cpio.gz" % n)
    console = t.path("linux-console-%d.txt" % n)
    size = build_initramfs(initrd, script, binaries, files, arch=arch)
    cmd = t.qemu.command(k.qemu) + (t.qemu.firmware if k.firmware else []) + k.machine + [
        "-cpu", cpu or k.cpu,
        "-kernel", kernel or k.image, "-initrd", initrd,
        "-append", (APPEND.replace("console=ttyS0", "console=" + k.console) + " " +
                    append).strip(),
        "-serial", "file:" + console] + list(qemu_args)
    if plugin:
        opts = dict(plugin_options or {})
        opts.update(options)
        cmd += ["-plugin", harness.plugin_arg(**opts)]
    start = time.time()
    try:
        r = t.run(harness.with_peak_rss(cmd) if peak_rss else cmd, timeout=timeout)
    except harness.Failure as e:
        text = open(console, errors="replace").read() if os.path.exists(console) else ""
        raise harness.Failure("%s\nconsole (last 3000 characters):\n%s" % (e, text[-3000:]))
    seconds = time.time() - start
    text = open(console, errors="replace").read() if os.path.exists(console) else ""
    b = Boot(r, text, seconds, size)
    b.peak_rss_kib = harness.peak_rss_kib(r) if peak_rss else None
    if note:
        t.notes.append("linux boot: %.1f s wall (guest uptime at end %s s), initramfs %d KiB"
                       % (seconds, b.uptime, size // 1024))
    return b
