# SPDX-License-Identifier: GPL-2.0-or-later
"""make install: headers, plugin and a pkg-config file that builds both sides;
qemu-backdoor, which finds the QEMU 'make qemu' built without any
environment variable; the guest command lines under share/backdoor/ARCH,
never in the host's bin/."""
import os

from harness import ARCHES, QEMU, ROOT, Skip, qemu_bin


def test_install_and_build_against_it(t):
    prefix = t.path("prefix")
    t.run(["make", "-C", ROOT, "--no-print-directory", "install", "PREFIX=" + prefix],
          check=0, timeout=300)
    for f in ("include/backdoor/guest.h", "include/backdoor/host.h", "include/backdoor/ops.h",
              "lib/libbackdoor.so", "lib/libbackdoor-python.so", "lib/pkgconfig/backdoor.pc",
              "bin/qemu-backdoor",
              "share/man/man1/qemu-backdoor.1",
              "share/bash-completion/completions/qemu-backdoor"):
        t.check(os.path.exists(os.path.join(prefix, f)), "installed " + f)
    env = {"PKG_CONFIG_PATH": os.path.join(prefix, "lib", "pkgconfig")}
    cflags = t.run(["pkg-config", "--cflags", "backdoor"], env=env, check=0).stdout.split()
    plugin = t.run(["pkg-config", "--variable=plugin", "backdoor"], env=env,
                   check=0).stdout.strip()
    t.eq(plugin, os.path.join(prefix, "lib", "libbackdoor.so"), "plugin path from pkg-config")

    src = t.path("hello.c")
    open(src, "w").write(
        '#include <backdoor/guest.h>\n#include <stdio.h>\n'
        'int main(void) { printf("sum=%ld\\n", (long)backdoor_sum(1, 2, 3, 4)); '
        'BACKDOOR_i8_v32(7, 8); return 0; }\n')
    handler_src = t.path("h.c")
    open(handler_src, "w").write(
        '#include <backdoor/host.h>\n#include <stdio.h>\nBACKDOOR_HANDLER_ABI;\n'
        'int backdoor_handler_call(struct backdoor_call *c) {\n'
        '  printf("host got %u %u\\n", c->command, (unsigned)c->args[0]); fflush(stdout);\n'
        '  return BACKDOOR_HANDLED; }\n')
    t.run(["cc", "-std=c99", "-Wall", "-Werror", "-static"] + cflags + [src, "-o", t.path("hello")],
          check=0)
    t.run(["cc", "-std=c99", "-Wall", "-Werror", "-fPIC", "-shared"] + cflags +
          [handler_src, "-o", t.path("libh.so")], check=0)
    r = t.run([qemu_bin("qemu-x86_64"), "-plugin",
               "%s,handler=%s,summary=none" % (plugin, t.path("libh.so")), t.path("hello")],
              check=0)
    t.eq(r.stdout.splitlines(), ["host got 7 8", "sum=10"], "program and handler built "
         "from the installed files work together", r)
    script = t.path("h.py")
    open(script, "w").write(
        "import backdoor\n@backdoor.seed_i8_v32\ndef seed(call, i8, v32):\n"
        "    print('python got', i8, v32, flush=True)\n")
    r = t.run([qemu_bin("qemu-x86_64"), "-plugin",
               "%s,handler=%s,summary=none" % (plugin, script), t.path("hello")], check=0)
    t.eq(r.stdout.splitlines(), ["python got 7 8", "sum=10"], "the installed plugin finds "
         "the installed Python companion beside it", r)


def default_cache():
    return os.path.realpath(os.environ.get("BACKDOOR_CACHE") or
                            os.path.expanduser("~/.cache/backdoor"))


def test_install_layout_and_host_command(t):
    prefix = t.path("prefix")
    t.run(["make", "-C", ROOT, "--no-print-directory", "install", "PREFIX=" + prefix],
          check=0, timeout=300)
    t.eq(os.listdir(os.path.join(prefix, "bin")), ["qemu-backdoor"],
         "only the host command goes into bin/")
    for arch in ARCHES:
        cli = os.path.join(prefix, "share", "backdoor", arch, "backdoor")
        t.check(os.access(cli, os.X_OK), "guest command line for %s in %s" % (arch, cli))
    built = os.path.realpath(QEMU)
    if not os.path.exists(os.path.join(built, ".complete")):
        raise Skip("the QEMU in use (%s) is not one 'make qemu' built" % QEMU)
    # QEMU_PREFIX empty counts as unset: the installed command must find the
    # cache by itself (BACKDOOR_CACHE stays as make check set it, if it did).
    env = {"QEMU_PREFIX": ""}
    if os.path.dirname(built) != default_cache():
        env["BACKDOOR_CACHE"] = os.path.dirname(built)
    command = os.path.join(prefix, "bin", "qemu-backdoor")
    for arch in ARCHES:
        cli = os.path.join(prefix, "share", "backdoor", arch, "backdoor")
        r = t.run([command, "--summary=none", "--", cli, "sum", "1", "2", "3", "4"],
                  env=env, check=0)
        t.eq(r.stdout, "10\n", "installed qemu-backdoor runs the installed %s command "
             "line" % arch, r)
    version = t.run([command, "--version"], env=env, check=0).stdout
    t.contains(version, "plugin: %s/lib/libbackdoor.so" % prefix, "the installed plugin")
    t.contains(version, "qemu-x86_64: %s/bin/qemu-x86_64" % built, "the cached QEMU")
