# SPDX-License-Identifier: GPL-2.0-or-later
"""Handlers built the ways libraries are built: in C++ with g++, and in C
with -fvisibility=hidden. host.h declares the entry points inside its
extern "C" block with BACKDOOR_HANDLER_EXPORT, so both load and answer
calls under QEMU (user mode); the sources are in tests/handlers/export."""
import os
import subprocess

from harness import ARCHES, BUILD, ROOT, handler

SOURCES = os.path.join(ROOT, "tests", "handlers", "export")
# What a handler's author would use, with every warning an error: the
# C++ failure this guards against was a warning ("visibility attribute
# ignored") followed by a library the plugin refused.
FLAGS = ["-Wall", "-Wextra", "-Werror", "-pedantic", "-fPIC", "-shared",
         "-fvisibility=hidden", "-I" + os.path.join(ROOT, "include")]
ENTRY_POINTS = {"backdoor_handler_abi_version", "backdoor_handler_init",
                "backdoor_handler_call", "backdoor_handler_fini"}
CLI = {a: os.path.join(BUILD, "backdoor" if a == "x86_64" else "backdoor-" + a) for a in ARCHES}


def build(t, compiler, source, extra=()):
    lib = t.path("lib%s.so" % os.path.splitext(os.path.basename(source))[0])
    t.run([compiler] + FLAGS + list(extra) + [source, "-o", lib], check=0)
    return lib


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def test_cxx_handler(t):
    lib = build(t, "g++", os.path.join(SOURCES, "cxx_handler.cc"), ["-std=c++17"])
    t.eq(exported(lib) & ENTRY_POINTS, ENTRY_POINTS, "entry points exported unmangled")
    for arch in ARCHES:
        r = t.user(arch, CLI[arch], ["call", "0xc00", "6", "7"], check=0, handler=lib,
                   handler_arg="scale=3", summary="none")
        t.eq(r.stdout, "25\n", "the C++ handler's answer on " + arch, r)
        t.contains(r.stderr, "cxx handler: 1 scale calls", "its fini ran on " + arch, r)
    r = t.user("x86_64", CLI["x86_64"], ["call", "0xc01"], check=0, handler=lib,
               summary="none")
    t.eq(r.stdout, "0\n", "a second command of the C++ handler", r)
    r = t.user("x86_64", CLI["x86_64"], ["call", "0xc05"], check=2, handler=lib,
               summary="none")
    t.contains(r.stderr, "-38", "a command it does not handle gets ENOSYS", r)
    r = t.user("x86_64", CLI["x86_64"], ["present"], check=1, handler=lib,
               handler_arg="scale=x", summary="none")
    t.contains(r.stderr, "cxx handler: 'scale=x' is not a number", "its init logs why", r)
    t.contains(r.stderr, "backdoor_handler_init failed (returned 2)",
               "and a failing init stops QEMU", r)


def test_hidden_visibility_with_export_macro(t):
    lib = build(t, "cc", os.path.join(SOURCES, "hidden_handler.c"), ["-std=c11"])
    names = exported(lib)
    t.check({"backdoor_handler_abi_version", "backdoor_handler_call"} <= names,
            "entry points exported", names)
    t.check("difference" not in names, "the helper stays hidden", names)
    for arch in ARCHES:
        r = t.user(arch, CLI[arch], ["call", "0xc02", "10", "4"], check=0, handler=lib,
                   summary="none")
        t.eq(r.stdout, "6\n", "the hidden-visibility handler's answer on " + arch, r)


def test_hidden_visibility_declarations_suffice(t):
    """A handler written before the macro existed (tests/handlers/record.c)
    still exports its entry points under -fvisibility=hidden: it includes
    host.h, whose declarations carry the export attribute."""
    lib = build(t, "cc", os.path.join(ROOT, "tests", "handlers", "record.c"),
                ["-std=c11", "-D_GNU_SOURCE", "-I" + os.path.join(ROOT, "tests", "guest"),
                 "-lpthread"])
    t.eq(exported(lib) & ENTRY_POINTS, ENTRY_POINTS, "entry points exported")
    plain = t.user("x86_64", CLI["x86_64"], ["call", "0x900", "1", "2", "3", "4"], check=0,
                   handler=handler("record"), summary="none")
    hidden = t.user("x86_64", CLI["x86_64"], ["call", "0x900", "1", "2", "3", "4"], check=0,
                    handler=lib, summary="none")
    t.eq(hidden.stdout, plain.stdout, "the same answer as the default build", hidden)
