# SPDX-License-Identifier: GPL-2.0-or-later
"""One guest source, four architectures, identical results (user mode), and
the magic instructions encoded as docs/abi.md says."""
import subprocess

from abi import (EFAULT, FEATURE_HANDLER, FEATURE_MEM_READ, FEATURE_MEM_WRITE, FEATURE_RESULTS,
                 PROTOCOL_VERSION, TYPES)
from harness import ARCHES, guest, handler, read_jsonl

EXPECTED = """present %d
features %x
mix 55564a38
mix2 5555555a
sum 31658
checksum 387786 (expected 387786)
filled 64: 0 7 185
bad buffer %d
host info ok
host time ok
printed 20
""" % (PROTOCOL_VERSION, FEATURE_RESULTS | FEATURE_MEM_READ | FEATURE_MEM_WRITE | FEATURE_HANDLER,
       EFAULT)

# The magic instruction's bytes as they appear in the program text.
MAGIC = {"x86_64": "0f a2", "i386": "0f a2", "aarch64": "aad0aa3f", "riscv64": "5a503013"}
OBJDUMP = {"x86_64": "objdump", "i386": "objdump", "aarch64": "aarch64-linux-gnu-objdump",
           "riscv64": "riscv64-linux-gnu-objdump"}


def comparable(event):
    """A call record without what legitimately differs between architectures:
    time, address, instruction counts, buffer addresses."""
    keep = {k: v for k, v in event.items() if k not in ("ts_ns", "pc", "insns", "wall_ns")}
    if event["type"] in ("send", "recv"):
        keep["args"] = event["args"][1:]
    if "result" in keep:
        keep["result"] &= 0xffffffff
    if event["op"] == "host_info":
        del keep["result"]  # the length of a text naming the target
    return keep


def without_address(line):
    """A handler log line without the buffer address of send/receive calls."""
    fields = line.split()
    buffer_types = (str(TYPES["send"]), str(TYPES["recv"]))
    return " ".join(fields[:2] + fields[3:]) if fields[0] in buffer_types else line


def test_same_program_same_results(t):
    transcripts, logs, events, printed = {}, {}, {}, {}
    for arch in ARCHES:
        files = {n: t.path("%s-%s" % (n, arch)) for n in ("log", "events", "print")}
        r = t.user(arch, guest(arch, "portable"), check=0, handler=handler("record"),
                   handler_arg="log=" + files["log"], events=files["events"],
                   print=files["print"], summary="none")
        transcripts[arch] = r.stdout
        logs[arch] = [without_address(line) for line in open(files["log"]).read().splitlines()]
        events[arch] = [comparable(e) for e in read_jsonl(files["events"])
                        if e["event"] == "call"]
        printed[arch] = open(files["print"]).read()
    for arch in ARCHES:
        t.eq(transcripts[arch], EXPECTED, "transcript on " + arch)
        t.eq(logs[arch], logs["x86_64"], "handler log on %s vs x86_64" % arch)
        t.eq(events[arch], events["x86_64"], "call records on %s vs x86_64" % arch)
        t.eq(printed[arch], "guest says 42 hello\nformats -1234567890123 18446744073709551615 "
             "100 -7 4000000000 beef 00000ABC 10 q    42|%-3s|%\n",
             "printed text (printf without a C library) on " + arch)
    t.eq(len(logs["x86_64"]), 7, "seed calls, mix twice, send, receive reached the handler",
         logs["x86_64"])


def test_magic_instruction_encoding(t):
    """Compiled guests contain exactly the documented instruction."""
    for arch in ARCHES:
        text = subprocess.run([OBJDUMP[arch], "-d", guest(arch, "native_harmless")],
                              capture_output=True, text=True, check=True).stdout
        t.check(MAGIC[arch] in text, "%s magic %s in the disassembly" % (arch, MAGIC[arch]))
        if arch in ("aarch64", "riscv64"):
            line = [l for l in text.splitlines() if MAGIC[arch] in l][0]
            want = {"aarch64": "orr\txzr, x17, x16, ror #42",
                    "riscv64": "sltiu\tzero,zero,1445"}[arch]
            t.contains(line, want, "the disassembler names it")
