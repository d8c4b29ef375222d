/* SPDX-License-Identifier: MIT */
/*
 * The magic instruction with any leaf and selector, bypassing guest.h (and
 * BACKDOOR_DISABLE), for probing the plugin's decoder with what ordinary code
 * might issue: plain CPUIDs and hypervisor probes on x86, the same words in
 * the request registers on aarch64 and riscv64 (docs/abi.md).
 */
#ifndef TESTS_RAW_MAGIC_H
#define TESTS_RAW_MAGIC_H

#include <stdint.h>

static inline void raw_magic(uint32_t leaf, uint32_t selector)
{
#if defined(__x86_64__) || defined(__i386__)
    uint32_t a = leaf, b, c = selector, d;
    __asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
#elif defined(__aarch64__)
    register uint64_t x1 __asm__("x1") = leaf, x2 __asm__("x2") = selector;
    __asm__ __volatile__("orr xzr, x17, x16, ror #42" : : "r"(x1), "r"(x2) : "memory");
#elif defined(__riscv)
    register uint64_t a1 __asm__("a1") = leaf, a2 __asm__("a2") = selector;
    __asm__ __volatile__("sltiu zero, zero, 0x5a5" : : "r"(a1), "r"(a2) : "memory");
#endif
}

#endif
