/* SPDX-License-Identifier: MIT */
/*
 * Prints what CPUID answers for the leaves glibc and compilers' runtime
 * checks read, each subleaf that matters, and XGETBV's XCR0: the CPU a
 * program sees, natively, under Valgrind or under QEMU.
 */
#include <cpuid.h>
#include <stdio.h>

static void leaf(unsigned l, unsigned s)
{
    unsigned a, b, c, d;
    __cpuid_count(l, s, a, b, c, d);
    printf("%08x.%u: %08x %08x %08x %08x\n", l, s, a, b, c, d);
}

int main(void)
{
    static const unsigned leaves[] = {
        0, 1, 2, 3, 5, 6, 8, 9, 0xa, 0xc, 0x14, 0x19, 0x40000000u,
        0x80000000u, 0x80000001u, 0x80000002u, 0x80000003u, 0x80000004u,
        0x80000005u, 0x80000006u, 0x80000007u, 0x80000008u, 0x8000001du,
    };
    for (unsigned i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
        leaf(leaves[i], 0);
    }
    for (unsigned s = 0; s < 5; s++) {
        leaf(4, s);
    }
    for (unsigned s = 0; s < 3; s++) {
        leaf(7, s);
        leaf(0xb, s);
    }
    for (unsigned s = 0; s < 4; s++) {
        leaf(0xd, s);
    }
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    printf("xcr0: %08x %08x\n", hi, lo);
    return 0;
}
