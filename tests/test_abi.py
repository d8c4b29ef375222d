# SPDX-License-Identifier: GPL-2.0-or-later
"""The ABI is written down once, in include/backdoor/ops.h: the docs' tables
and tests/lib/abi.py are generated from it (scripts/gen-abi.py). These tests
fail when a generated file is out of date, and check the generator's reading
of ops.h against what a C compiler makes of the same lists."""
import os
import shutil
import sys

import abi
from harness import ROOT

GEN_ABI = os.path.join(ROOT, "scripts", "gen-abi.py")

# Prints every entry of every list, one tab-separated line each, as the
# compiler expands them.
DUMP_C = r"""
#include <stdio.h>
#include <backdoor/ops.h>

#define TYPE(NAME, name, number, doc) \
    printf("type\t%s\t%d\t%s\n", #name, number, doc);
#define OP(NAME, name, number, type, nargs, result, doc) \
    printf("op\t%s\t%d\t%d\t%d\t%d\t%s\n", #name, number, BACKDOOR_TYPE_##type, nargs, \
           result, doc);
#define FEATURE(NAME, name, bit, doc) printf("feature\t%s\t%d\t%s\n", #name, bit, doc);
#define ERROR(NAME, value, doc) printf("error\t%s\t%d\t%s\n", #NAME, value, doc);
#define STATUS(NAME, name, error, doc) printf("status\t%s\t%d\t%s\n", #name, error, doc);

int main(void)
{
    BACKDOOR_TYPES(TYPE)
    BACKDOOR_OPS(OP)
    BACKDOOR_FEATURES(FEATURE)
    BACKDOOR_ERRORS(ERROR)
    BACKDOOR_STATUSES(STATUS)
    printf("scalar\tPROTOCOL_VERSION\t%d\n", BACKDOOR_PROTOCOL_VERSION);
    printf("scalar\tLEAF_BASE\t%u\n", BACKDOOR_LEAF_BASE);
    printf("scalar\tLEAF_LAST\t%u\n", BACKDOOR_LEAF_LAST);
    printf("scalar\tEXT_MAGIC\t%u\n", BACKDOOR_EXT_MAGIC);
    printf("scalar\tEXT_ABI32\t%u\n", BACKDOOR_EXT_ABI32);
    printf("scalar\tEXT_MAX_ARGS\t%u\n", BACKDOOR_EXT_MAX_ARGS);
    printf("scalar\tTAG\t%u\n", BACKDOOR_TAG);
    printf("scalar\tUSER_COMMAND_FIRST\t%d\n", BACKDOOR_USER_COMMAND_FIRST);
    return 0;
}
"""


def test_generated_files_are_up_to_date(t):
    """scripts/gen-abi.py --check finds nothing to change in docs/abi.md,
    docs/outputs.md and tests/lib/abi.py."""
    r = t.run([sys.executable, GEN_ABI, "--check"])
    t.eq(r.returncode, 0, "generated files match ops.h (run scripts/gen-abi.py)", r)


def test_check_mode_sees_a_change(t):
    """--check is no empty check: in a copy of the tree where ops.h renames
    one command, it reports both docs/abi.md and abi.py and changes
    nothing."""
    copy = copy_sources(t)
    edit(t, copy, "include/backdoor/ops.h", "X(SUM, sum,", "X(SUM, add,")
    before = open(os.path.join(copy, "docs/abi.md")).read()
    r = stale(t, copy, "docs/abi.md", "tests/lib/abi.py")
    t.contains(r.stdout, "+| add | 0x00b |", "the diff shows the new row", r)
    t.eq(open(os.path.join(copy, "docs/abi.md")).read(), before, "--check writes nothing")


def edit(t, copy, path, old, new):
    """Replaces old (which must be there) by new in copy's path; returns
    the text before."""
    text = open(os.path.join(copy, path)).read()
    t.check(old in text, "%s holds %s" % (path, old), text)
    with open(os.path.join(copy, path), "w") as f:
        f.write(text.replace(old, new))
    return text


def stale(t, copy, *paths):
    """gen-abi.py --check in copy: it fails, naming each of paths."""
    r = t.run([sys.executable, GEN_ABI, "--check", "--root", copy])
    t.eq(r.returncode, 1, "--check fails on a difference", r)
    for path in paths:
        t.contains(r.stderr, path, "--check names " + path, r)
    return r


def copy_sources(t):
    """A copy of the tables and of the texts made from them."""
    copy = t.path("tree")
    for path in ("include/backdoor/ops.h", "include/backdoor/options.h",
                 "plugin/qemu/qemu_version.h", "docs/abi.md", "docs/outputs.md",
                 "docs/qemu-versions.md", "README.md", "docs/qemu-backdoor.1",
                 "tests/lib/abi.py"):
        os.makedirs(os.path.dirname(os.path.join(copy, path)), exist_ok=True)
        shutil.copy(os.path.join(ROOT, path), os.path.join(copy, path))
    return copy


def test_qemu_tables_follow_the_levels(t):
    """docs/qemu-versions.md's and README's QEMU tables are made from
    qemu_version.h's QEMU_API_LEVELS: a release changed there shows in both,
    and a release text that contradicts its line's numbers is refused."""
    copy = copy_sources(t)
    header = "plugin/qemu/qemu_version.h"
    text = edit(t, copy, header, '"10.1, 10.2",', '"10.1, 10.2, 10.3",')
    r = stale(t, copy, "docs/qemu-versions.md", "README.md")
    t.eq(r.stdout.count("+| 10.1, 10.2, 10.3 | 5 |"), 2, "the new row in both tables", r)
    with open(os.path.join(copy, header), "w") as f:
        f.write(text.replace('"10.1, 10.2",', '"10.2",'))
    r = t.run([sys.executable, GEN_ABI, "--check", "--root", copy])
    t.eq(r.returncode, 2, "a table mistake is an error", r)
    t.contains(r.stderr, "do not start with 10.1", "named", r)


def test_abi_module_matches_the_compiled_lists(t):
    """Every entry of every list, as the C compiler expands ops.h, is in
    abi.py with the same number, type, argument count, result flag and
    description, and abi.py has nothing else."""
    source, binary = t.path("dump.c"), t.path("dump")
    with open(source, "w") as f:
        f.write(DUMP_C)
    t.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", os.path.join(ROOT, "include"),
           source, "-o", binary], check=0)
    compiled = [line.split("\t") for line in t.run([binary], check=0).stdout.splitlines()]
    type_names = {number: name for name, number in abi.TYPES.items()}

    def rows(kind):
        return [row[1:] for row in compiled if row[0] == kind]

    t.eq([(name, int(n)) for name, n, _ in rows("type")], list(abi.TYPES.items()),
         "request types")
    t.eq([(name, int(n), type_names[int(ty)], int(nargs), bool(int(result)), doc)
          for name, n, ty, nargs, result, doc in rows("op")],
         [tuple(b) for b in abi.BUILTINS.values()], "built-in commands")
    t.eq({name: int(n) for name, n, _ in rows("feature")}, abi.FEATURES, "feature bits")
    all_bits = 0
    for _, bit, _ in rows("feature"):
        all_bits |= int(bit)
    t.eq(abi.FEATURES_ALL, all_bits, "FEATURES_ALL")
    t.eq([(name, int(v)) for name, v, _ in rows("error")], list(abi.ERRORS.items()),
         "error values")
    t.eq([(name, int(e)) for name, e, _ in rows("status")], list(abi.STATUSES.items()),
         "call statuses, in order, and the error each returns")
    t.eq({name: int(v) for name, v in rows("scalar")},
         {name: getattr(abi, name) for name, _ in rows("scalar")}, "encoding constants")
    for name, number in abi.TYPES.items():
        t.eq(getattr(abi, "TYPE_" + name.upper()), number, "TYPE_" + name.upper())
    for name, builtin in abi.BUILTINS.items():
        t.eq(getattr(abi, "OP_" + name.upper()), builtin.number, "OP_" + name.upper())
    for name, bit in abi.FEATURES.items():
        t.eq(getattr(abi, "FEATURE_" + name.upper()), bit, "FEATURE_" + name.upper())
    for name, value in abi.ERRORS.items():
        t.eq(getattr(abi, name), value, name)
