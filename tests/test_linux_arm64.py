# SPDX-License-Identifier: GPL-2.0-or-later
"""Debian's arm64 kernel under qemu-system-aarch64 -M virt (issues 12 and
13): the same checks as tests/test_linux.py on x86-64. An unprivileged
process cannot reach kernel memory through the channel (the AArch64
page-table walker with user callers), calls carry their process's address
space (TTBR0_EL1), regions follow their thread (switches of TTBR0_EL1 and
TPIDR_EL0) across time slices and vCPUs, and four vCPUs' calls are exact."""
from harness import on_qemus
from test_linux import (calls_attributed, ended_by_another, privilege_line, regions_follow,
                        smp_exact)

ARCH = "aarch64"


@on_qemus("built", "debian-11.1")
def test_user_process_cannot_cross_privilege_line(t):
    privilege_line(t, ARCH)


def test_calls_attributed_to_their_process(t):
    calls_attributed(t, ARCH)


@on_qemus("built", "debian-11.1")
def test_regions_follow_their_thread(t):
    regions_follow(t, ARCH)


def test_region_ended_by_another_thread_is_unmatched(t):
    ended_by_another(t, ARCH)


def test_smp_calls_exact(t):
    smp_exact(t, ARCH)
