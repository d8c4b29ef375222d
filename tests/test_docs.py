# SPDX-License-Identifier: GPL-2.0-or-later
"""The documentation states what the code does: the built-in command table of
docs/abi.md comes from guest.h's op list, and README lists every option."""
import os
import re

from harness import ROOT

TYPE_NAMES = {"CALL": "call", "SEND": "send", "RECV": "receive"}


def ops():
    text = open(os.path.join(ROOT, "include", "backdoor", "ops.h")).read()
    return re.findall(r'X\((\w+), (\w+), (0x[0-9a-f]+), (\w+), (\d), (\d), "([^"]*)"\)', text)


def test_builtin_table_matches_op_list(t):
    doc = open(os.path.join(ROOT, "docs", "abi.md")).read()
    rows = re.findall(r"^\| (\w+) \| (0x[0-9a-f]+) \| (\w+) \| (\d) \| (yes|no) \| (.*) \|$",
                      doc, re.M)
    want = [(lower, number, TYPE_NAMES[kind], nargs, "yes" if result == "1" else "no", desc)
            for _, lower, number, kind, nargs, result, desc in ops()]
    t.check(len(want) >= 12, "op list parsed from guest.h", want)
    t.eq(rows, want, "docs/abi.md built-in table vs BACKDOOR_OPS in guest.h")


def test_readme_lists_every_option(t):
    source = open(os.path.join(ROOT, "plugin", "core", "options.c")).read()
    keys = re.search(r'known_keys =\s*((?:"[^"]*"\s*)+);', source).group(1)
    keys = [k.strip() for k in "".join(re.findall(r'"([^"]*)"', keys)).split(",")]
    readme = open(os.path.join(ROOT, "README.md")).read()
    for key in keys:
        t.contains(readme, "| `%s=" % key, "README documents option " + key)
