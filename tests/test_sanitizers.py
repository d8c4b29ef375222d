# SPDX-License-Identifier: GPL-2.0-or-later
"""The user-mode tests that exercise the plugin's memory handling, run
again with the plugin built with AddressSanitizer and UndefinedBehavior-
Sanitizer (build/asan/libbackdoor.so, tests/sanitizers/rules.mk): seed
calls, round trips, bulk buffers with wild pointers, handler services and
threads, every output, the in-guest fuzzer (and its system-mode kernel) and
the races. QEMU itself is not
instrumented; it runs with the sanitizer runtimes preloaded (the harness
puts BACKDOOR_QEMU_PRELOAD into LD_PRELOAD of every QEMU it starts). Every
report goes to a file of its own: none may appear, and each QEMU leaves its
exit statistics there when the plugin ends the run (exit command), which
shows that the runtime really was loaded."""
import glob
import os
import re
import subprocess
import sys

from harness import BUILD, ROOT

# The preload reaches the QEMUs the harness starts by name (qemu-*), not
# Debian's 11.1, which runs through a script.
TESTS = ["seed.", "twoway.", "outputs.guest_exit", "outputs.exit_command",
         "guest_fuzz.x86_64", "guest_fuzz.i386", "guest_fuzz.aarch64", "guest_fuzz.riscv64",
         "guest_fuzz.system_x86@built", "races.",
         # ELF and DWARF of the guest's files, stripped, corrupt, swapped at run time
         "profile.bad_input", "profile.symbol_names", "profile.dynamic_program"]


def runtime(name):
    path = subprocess.run(["gcc", "-print-file-name=" + name], capture_output=True,
                          text=True).stdout.strip()
    return path if os.path.isabs(path) else None


def test_user_mode_tests_under_asan_and_ubsan(t):
    runtimes = [runtime("libasan.so"), runtime("libubsan.so")]
    t.check(all(runtimes), "gcc names its ASan and UBSan runtimes", runtimes)
    logs = t.path("reports")
    os.mkdir(logs)
    env = {
        "BACKDOOR_PLUGIN": os.path.join(BUILD, "asan", "libbackdoor.so"),
        "BACKDOOR_QEMU_PRELOAD": " ".join(runtimes),
        "BACKDOOR_RACE_RUNS": "3",
        # QEMU's own allocations are not freed at exit: no leak checking.
        "ASAN_OPTIONS": "detect_leaks=0:halt_on_error=1:atexit=1:log_path=%s/asan" % logs,
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:log_path=%s/ubsan" % logs,
    }
    r = t.run([sys.executable, os.path.join(ROOT, "tests", "run.py"), "-j", "1"] + TESTS,
              env=env, timeout=900)
    reports, loaded = [], 0
    for path in sorted(glob.glob(os.path.join(logs, "*"))):
        text = open(path, errors="replace").read()
        if re.search(r"ERROR: AddressSanitizer|runtime error:|Sanitizer", text.replace(
                "AddressSanitizer exit stats", "")):
            reports.append("%s:\n%s" % (os.path.basename(path), text[:3000]))
        else:
            loaded += "AddressSanitizer exit stats" in text
    t.eq(reports, [], "sanitizer reports")
    t.eq(r.returncode, 0, "the tests pass with the ASan+UBSan plugin", r)
    m = re.search(r"(\d+) passed, 0 failed", r.stdout)
    t.check(m and int(m.group(1)) >= len(TESTS), "the tests ran", r)
    t.check(loaded > 0, "QEMU ran with the ASan runtime", r)
    t.notes.append("%s tests, %d QEMU runs with the ASan plugin, no report"
                   % (m.group(1), loaded))
