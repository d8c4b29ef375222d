# SPDX-License-Identifier: GPL-2.0-or-later
"""The examples do what their comments say."""
import os

from harness import BUILD, ROOT, last_summary, plugin_arg, qemu_bin, read_jsonl

EXAMPLES = os.path.join(BUILD, "examples")


def example(name):
    return os.path.join(EXAMPLES, name)


def test_print_seed_example(t):
    r = t.run([qemu_bin("qemu-x86_64"), "-plugin",
               plugin_arg(handler=example("libprint-handler.so"), summary="none"),
               example("print-guest")], check=0)
    host = [l for l in r.stdout.splitlines() if l.startswith("host:")]
    t.eq(host, ["host:  BACKDOOR_i8(1)"] + ["host:  BACKDOOR_i8_v32(2, %d)" % v
                                             for v in range(5)]
         + ["host:  BACKDOOR_i8_v32(3, 42)"], "what the seed-era handler prints", r)


def test_regions_workload(t):
    events = t.path("events")
    t.run([qemu_bin("qemu-x86_64"), "-plugin", plugin_arg(events=events, summary="none",
                                                          print=t.path("print")),
           example("regions-workload")], check=0)
    regions = last_summary(read_jsonl(events))["regions"]
    t.eq([(r["id"], r["entries"], r["open"]) for r in regions], [(1, 1, False), (2, 1, False)],
         "the sort and the search, one entry each")
    t.check(regions[0]["insns"] > regions[1]["insns"] > 100000, "sorting costs most", regions)


def test_readfile_copies_host_files_exactly(t):
    data = os.urandom(100 * 1024 + 123)  # across 4 KiB chunk boundaries
    source = t.path("source.bin")
    open(source, "wb").write(data)
    cmd = [qemu_bin("qemu-x86_64"), "-plugin",
           plugin_arg(handler=example("libreadfile-handler.so"),
                      handler_arg="file=" + source, summary="none"),
           example("readfile-guest")]
    import subprocess
    p = subprocess.run(cmd, capture_output=True, timeout=60)
    t.eq(p.returncode, 0, "readfile exit status", p.stderr)
    t.eq(p.stdout == data, True, "the guest's output is the host file, byte for byte")
    r = t.run([qemu_bin("qemu-x86_64"), "-plugin",
               plugin_arg(handler=example("libreadfile-handler.so"),
                          handler_arg="file=/nonexistent", summary="none"),
               example("readfile-guest")])
    t.check(r.returncode != 0, "a missing file stops QEMU at start-up", r)
    t.contains(r.stderr, "readfile: cannot open /nonexistent", "the handler says why", r)


def test_readfile_python_twin(t):
    """examples/readfile/handler.py does what handler.c does."""
    data = os.urandom(100 * 1024 + 123)
    source = t.path("source.bin")
    open(source, "wb").write(data)
    script = os.path.join(ROOT, "examples", "readfile", "handler.py")
    import subprocess
    p = subprocess.run([qemu_bin("qemu-x86_64"), "-plugin",
                        plugin_arg(handler=script, handler_arg="file=" + source,
                                   summary="none"),
                        example("readfile-guest")], capture_output=True, timeout=60)
    t.eq(p.returncode, 0, "readfile exit status", p.stderr)
    t.eq(p.stdout == data, True, "the guest's output is the host file, byte for byte")
    r = t.run([qemu_bin("qemu-x86_64"), "-plugin",
               plugin_arg(handler=script, summary="none"), example("readfile-guest")])
    t.check(r.returncode != 0, "no file= stops QEMU at start-up", r)
    t.contains(r.stderr, "ValueError: readfile: give the file with handler-arg=file=PATH",
               "the script says why", r)
