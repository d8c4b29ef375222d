# SPDX-License-Identifier: GPL-2.0-or-later
"""Debian's arm64 kernel (bookworm) and riscv64 kernel (trixie) under
qemu-system-ARCH -M virt (issues 12 and 13): the checks tests/test_linux.py
makes on x86-64. An unprivileged process cannot reach kernel memory through
the channel (the AArch64 and RISC-V page-table walkers with user callers),
calls carry their process's address space (TTBR0_EL1, satp), regions follow
their thread (arm64: TTBR0_EL1 and TPIDR_EL0 switches; riscv64: satp, so the
process) across time slices and vCPUs, four vCPUs' calls are exact, and
arm64 threads made by the million stay bounded (issue 21). A region ended
by the next process is unmatched in it, on riscv64 too, where that process
often gets the page-table root of the one that just exited: its
exit_group ended the thread (docs/outputs.md)."""
from harness import on_qemus
from test_linux import (calls_attributed, ended_by_another, privilege_line, regions_follow,
                        sequential_unnamed, smp_exact)
from test_thread_state import linux_churn, silent_churn


@on_qemus("built", "debian-11.1")
def test_aarch64_user_process_cannot_cross_privilege_line(t):
    privilege_line(t, "aarch64")


def test_aarch64_calls_attributed_to_their_process(t):
    calls_attributed(t, "aarch64")


@on_qemus("built", "debian-11.1")
def test_aarch64_regions_follow_their_thread(t):
    regions_follow(t, "aarch64")


def test_aarch64_region_ended_by_another_thread_is_unmatched(t):
    ended_by_another(t, "aarch64")


def test_aarch64_sequential_unnamed_threads_apart(t):
    """Issue 21: threads that run one after another under one key, giving
    no name, are told apart by their exit system calls."""
    sequential_unnamed(t, "aarch64")


def test_aarch64_smp_calls_exact(t):
    smp_exact(t, "aarch64")


def test_aarch64_process_threads_bounded(t):
    """Issue 21: a user process writing TPIDR_EL0 300,000 times; the
    thread table stays within max-threads."""
    linux_churn(t, "aarch64")


def test_aarch64_silent_boot_makes_no_threads(t):
    """A boot that never calls follows no TPIDR_EL0 write: no thread made."""
    silent_churn(t, "aarch64")


@on_qemus("built", "debian-11.1")
def test_riscv64_user_process_cannot_cross_privilege_line(t):
    privilege_line(t, "riscv64")


def test_riscv64_calls_attributed_to_their_process(t):
    calls_attributed(t, "riscv64")


def test_riscv64_regions_follow_their_process(t):
    regions_follow(t, "riscv64")


def test_riscv64_region_ended_by_another_process_is_unmatched(t):
    ended_by_another(t, "riscv64")


def test_riscv64_smp_calls_exact(t):
    smp_exact(t, "riscv64")
