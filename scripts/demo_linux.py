#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Demo step: a shell script under a real Linux kernel (qemu-system-x86_64)
marks two regions with the guest command line; the summary shows their
instruction counts. Uses the Linux boot of the tests (tests/lib/linux.py)."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import harness  # noqa: E402
import linux  # noqa: E402

SCRIPT = """\
backdoor roi begin 1
for f in /bin/*; do :; done
backdoor roi end 1
backdoor roi begin 2
ls -R /proc/self > /dev/null
backdoor roi end 2
backdoor mark 1 2
backdoor print shell script done
"""


def main():
    out = os.environ.get("DEMO_OUT") or os.path.join(ROOT, os.environ.get("BUILD", "build"), "demo")
    t = harness.Test("demo-linux")
    print("$ cat script.sh\n" + SCRIPT + "$ qemu-system-x86_64 -kernel vmlinux -initrd "
          "(busybox, backdoor, script.sh) -plugin libbackdoor.so,regions-by=vcpu,trace=linux-trace.json")
    try:
        b = linux.boot_linux(t, SCRIPT,
                             binaries={"backdoor": os.path.join(harness.BUILD, "backdoor")},
                             trace=os.path.join(out, "linux-trace.json"), summary="stderr",
                             regions_by="vcpu", note=False)
    except harness.Skip as e:
        print("(skipped: %s)" % e)
        return 0
    finally:
        t.cleanup()
    sys.stdout.write(b.output)
    sys.stdout.write(b.result.stderr)
    return 0 if b.status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
