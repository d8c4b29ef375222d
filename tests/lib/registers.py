# SPDX-License-Identifier: GPL-2.0-or-later
"""The register maps of docs/abi.md in the names QEMU's plugin interface
gives the registers, for Python code that reads or writes them the way the
plugin does (the benchmarks' empty-plugin floor). tests/test_docs.py
checks them against the table in docs/abi.md."""
import collections

RegisterMap = collections.namedtuple("RegisterMap", "leaf selector args result")

# By the code that makes the request. The x86-64 QEMU targets name the
# registers rax..r15 in 32-bit code too (the request's abi32 bit selects the
# i386 map there); qemu-i386 names them eax..edi.
REGISTERS = {
    "x86_64": RegisterMap("rax", "rcx", ("rdx", "rbx", "rdi", "r8"), "rsi"),
    "i386": RegisterMap("eax", "ecx", ("edx", "ebx", "edi", "ebp"), "esi"),
    "i386 under qemu-*-x86_64": RegisterMap("rax", "rcx", ("rdx", "rbx", "rdi", "rbp"), "rsi"),
    "aarch64": RegisterMap("x1", "x2", ("x3", "x4", "x5", "x6"), "x0"),
    "riscv64": RegisterMap("a1", "a2", ("a3", "a4", "a5", "a6"), "a0"),
}


def argument_registers(arch, nargs):
    """The registers the plugin reads for a request with nargs arguments."""
    return REGISTERS[arch].args[:nargs]
