/* SPDX-License-Identifier: MIT */
/* Plain CPUIDs with any leaf and subleaf, for probing the plugin's decoder. */
#ifndef TESTS_RAW_CPUID_H
#define TESTS_RAW_CPUID_H

#include <stdint.h>

static inline uint32_t raw_cpuid(uint32_t leaf, uint32_t subleaf)
{
    uint32_t a = leaf, b, c = subleaf, d;
    __asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return a ^ b ^ c ^ d;
}

#endif
