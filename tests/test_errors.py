# SPDX-License-Identifier: GPL-2.0-or-later
"""Bad input at start-up: QEMU refuses to start, with a non-zero status and a
message naming the option or file and what is wrong."""
from harness import FIRMWARE, guest, handler, plugin_arg, qemu_bin, run_counts

PROGRAM = guest("x86_64", "seed_sequence")


def refuse(t, options, *needles):
    """Both user and system mode refuse the options with the message."""
    user = t.run([qemu_bin("qemu-x86_64"), "-plugin", plugin_arg(**options), PROGRAM],
                 timeout=30)
    system = t.run([qemu_bin("qemu-system-x86_64")] + FIRMWARE +
                   ["-display", "none", "-nodefaults", "-plugin", plugin_arg(**options)],
                   timeout=30)
    for mode, r in (("user", user), ("system", system)):
        t.check(r.returncode != 0, "%s mode must refuse to start" % mode, r)
        for needle in needles:
            t.contains(r.stderr, needle, "%s mode message" % mode, r)
        t.contains(r.stderr, "Could not load plugin", "QEMU reports the refusal", r)


def test_unknown_option(t):
    refuse(t, {"colour": "blue"}, "backdoor: option 'colour=blue': unknown key 'colour'")


def test_bad_option_values(t):
    refuse(t, {"max_buffer": "12x"}, "option 'max-buffer=12x': not a size")
    refuse(t, {"allow_from": "root"}, "option 'allow-from=root': expected any, kernel or user")
    refuse(t, {"deny": "exit:frob"}, "'frob' is not a built-in command")
    refuse(t, {"log": "maybe"}, "option 'log=maybe': expected on or off")
    refuse(t, {"handler_arg": "x"}, "'handler-arg' given without 'handler'")


def test_unwritable_output(t):
    refuse(t, {"events": "/nonexistent/dir/events.jsonl"},
           "option 'events=/nonexistent/dir/events.jsonl': cannot open")
    refuse(t, {"trace": "/nonexistent/t.json"}, "option 'trace=/nonexistent/t.json'")
    refuse(t, {"summary": "/nonexistent/s.txt"}, "option 'summary=/nonexistent/s.txt'")


def test_missing_handler_file(t):
    refuse(t, {"handler": "/nonexistent/libh.so"},
           "handler=/nonexistent/libh.so: cannot load", "No such file")


def test_not_a_handler(t):
    path = handler("no_symbols")
    refuse(t, {"handler": path}, "handler=%s: not a backdoor handler" % path)
    text = t.path("notelf.so")
    open(text, "w").write("this is not a shared library\n")
    refuse(t, {"handler": text}, "handler=%s: cannot load" % text)


def test_handler_abi_mismatch(t):
    path = handler("bad_abi")
    refuse(t, {"handler": path},
           "handler=%s: built for handler ABI version 42, this plugin implements version 1"
           % path)
    path = handler("no_abi")
    refuse(t, {"handler": path}, "no backdoor_handler_abi_version")


def test_handler_init_failure(t):
    path = handler("record")
    refuse(t, {"handler": path, "handler_arg": "fail"},
           "handler=%s: backdoor_handler_init failed (returned 7)" % path)
    refuse(t, {"handler": path, "handler_arg": "bogus"}, "unknown handler argument 'bogus'")


def test_seed_library_takes_no_arguments(t):
    refuse(t, {"handler": handler("seed"), "handler_arg": "x=1"},
           "a seed-era library takes no handler-arg options")


def test_request_for_registers_the_target_lacks(t):
    """A 64-bit-code request (r8 as fourth argument) under qemu-i386, which
    has no r8: counted as malformed, never read, never fatal."""
    src = t.path("wide.c")
    open(src, "w").write(
        '#include <stdint.h>\n#include <stdio.h>\nint main(void) {\n'
        '  uint32_t a = 0x400012b4, b = 1, c = 0xbdca0900, d = 2;\n'
        '  __asm__ __volatile__("cpuid" : "+a"(a), "+b"(b), "+c"(c), "+d"(d));\n'
        '  puts("survived"); return 0; }\n')
    t.run(["i686-linux-gnu-gcc", "-static", "-O2", src, "-o", t.path("wide")], check=0)
    events = t.path("events")
    r = t.user("i386", t.path("wide"), check=0, handler=handler("record"),
               handler_arg="log=" + t.path("log"), events=events, summary="none")
    t.eq(r.stdout, "survived\n", "the guest goes on", r)
    counts = run_counts(events)
    t.eq((counts["dispatched"], counts["malformed"]), (0, 1), "counted, not dispatched")
    t.eq(open(t.path("log")).read(), "", "the handler saw nothing")
