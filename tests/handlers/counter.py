# SPDX-License-Identifier: GPL-2.0-or-later
"""A handler whose state is a count (tests/test_checkpoint.py): command
0x900 answers how many times it was called before, and the count goes into
a checkpoint through save() and comes back through restore()."""
import backdoor

count = 0


@backdoor.command(0x900)
def next_count(call, *words):
    global count
    count += 1
    return count - 1


def save():
    return b"%d" % count


def restore(data):
    global count
    count = int(data)
