/* SPDX-License-Identifier: MIT */
/*
 * The magic instruction with any leaf and selector, bypassing guest.h, for
 * probing the plugin's decoder with what ordinary code might issue: plain
 * CPUIDs and hypervisor probes on x86, the same words on other architectures.
 */
#ifndef TESTS_RAW_MAGIC_H
#define TESTS_RAW_MAGIC_H

#include <stdint.h>

#include <backdoor/guest.h>

static inline void raw_magic(uint32_t leaf, uint32_t selector)
{
#if defined(__x86_64__) || defined(__i386__)
    uint32_t a = leaf, b, c = selector, d;
    __asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
#else
    backdoor__request(leaf, selector, 4, 0, 0, 0, 0, 0);
#endif
}

#endif
