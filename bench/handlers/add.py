# SPDX-License-Identifier: MIT
"""Row 10's Python handler: command 0x900 returns the sum of its two
arguments, as add.c does."""
import backdoor


@backdoor.command(0x900)
def add(call, a, b):
    return a + b
