/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * translate/valgrind_cpu.h. The values are VEX's table for hosts with AVX2
 * (amd64g_dirtyhelper_CPUID_avx2), as a program under Valgrind 3.19 prints
 * them; leaves it does not know answer like leaf 0xd.0, as there.
 */
#include "translate/valgrind_cpu.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

struct leaf_answer {
    uint32_t leaf, subleaf;
    bool any_subleaf;
    uint32_t abcd[4];
};

/* Subleaf-indexed leaves list each subleaf; a subleaf missing from them
 * answers zeros (leaf 0xb: see below). */
static const struct leaf_answer answers[] = {
    {0x00000000, 0, true, {0x0000000d, 0x756e6547, 0x6c65746e, 0x49656e69}},
    {0x00000001, 0, true, {0x000306c3, 0x02100800, 0x1ffafbff, 0xbfebfbff}},
    {0x00000002, 0, true, {0x76036301, 0x00f0b6ff, 0x00000000, 0x00c10000}},
    {0x00000003, 0, true, {0, 0, 0, 0}},
    {0x00000004, 0, false, {0x1c004121, 0x01c0003f, 0x0000003f, 0x00000000}},
    {0x00000004, 1, false, {0x1c004122, 0x01c0003f, 0x0000003f, 0x00000000}},
    {0x00000004, 2, false, {0x1c004143, 0x01c0003f, 0x000001ff, 0x00000000}},
    {0x00000004, 3, false, {0x1c03c163, 0x03c0003f, 0x00001fff, 0x00000006}},
    {0x00000005, 0, true, {0x00000040, 0x00000040, 0x00000003, 0x00042120}},
    {0x00000006, 0, true, {0x00000077, 0x00000002, 0x00000009, 0x00000000}},
    {0x00000007, 0, false, {0x00000000, 0x000027aa, 0x00000000, 0x00000000}},
    {0x00000008, 0, true, {0, 0, 0, 0}},
    {0x00000009, 0, true, {0, 0, 0, 0}},
    {0x0000000a, 0, true, {0x07300803, 0x00000000, 0x00000000, 0x00000603}},
    {0x0000000b, 0, false, {0x00000001, 0x00000002, 0x00000100, 0x00000002}},
    {0x0000000b, 1, false, {0x00000004, 0x00000008, 0x00000201, 0x00000002}},
    {0x0000000c, 0, true, {0, 0, 0, 0}},
    {0x0000000d, 0, false, {0x00000007, 0x00000340, 0x00000340, 0x00000000}},
    {0x0000000d, 1, false, {0, 0, 0, 0}},
    {0x0000000d, 2, false, {0x00000100, 0x00000240, 0x00000000, 0x00000000}},
    {0x80000000, 0, true, {0x80000008, 0x00000000, 0x00000000, 0x00000000}},
    {0x80000001, 0, true, {0x00000000, 0x00000000, 0x00000021, 0x2c100800}},
    /* "Intel(R) Core(TM) i7-4910MQ CPU @ 2.90GHz" */
    {0x80000002, 0, true, {0x65746e49, 0x2952286c, 0x726f4320, 0x4d542865}},
    {0x80000003, 0, true, {0x37692029, 0x3139342d, 0x20514d30, 0x20555043}},
    {0x80000004, 0, true, {0x2e322040, 0x48473039, 0x0000007a, 0x00000000}},
    {0x80000005, 0, true, {0, 0, 0, 0}},
    {0x80000006, 0, true, {0x00000000, 0x00000000, 0x01006040, 0x00000000}},
    {0x80000007, 0, true, {0x00000000, 0x00000000, 0x00000000, 0x00000100}},
    {0x80000008, 0, true, {0x00003027, 0x00000000, 0x00000000, 0x00000000}},
};

/* Leaf 0xd.0 is what VEX answers for a leaf it does not list. */
static const uint32_t unknown_leaf[4] = {0x00000007, 0x00000340, 0x00000340, 0x00000000};

void valgrind_cpuid(const struct valgrind_cpu_host *host, uint32_t leaf, uint32_t subleaf,
                    uint32_t out[4])
{
    bool leaf_listed = false;
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        const struct leaf_answer *a = &answers[i];
        if (a->leaf != leaf) {
            continue;
        }
        leaf_listed = true;
        if (a->any_subleaf || a->subleaf == subleaf) {
            memcpy(out, a->abcd, sizeof a->abcd);
            goto host_bits;
        }
    }
    if (leaf_listed) {
        /* Past the listed subleaves: zeros, but leaf 0xb echoes the
         * subleaf in ECX and keeps its x2APIC id in EDX. */
        memset(out, 0, 4 * sizeof out[0]);
        if (leaf == 0xb) {
            out[2] = subleaf;
            out[3] = 0x00000002;
        }
        return;
    }
    memcpy(out, unknown_leaf, sizeof unknown_leaf);
    return;
host_bits:
    if (leaf == 1) {
        out[2] |= (host->f16c ? 1u << 29 : 0) | (host->rdrand ? 1u << 30 : 0);
    } else if (leaf == 7 && subleaf == 0) {
        out[1] |= host->rdseed ? 1u << 18 : 0;
    }
}

/*
 * The bits of each feature word that name instructions a program may run
 * (Intel SDM vol. 2, CPUID): only these are checked against QEMU's answer.
 * The others (HTT, APIC, thermal and debug features) stay Valgrind's, as
 * glibc reads some of them to size its caches and thresholds.
 */
static const struct instruction_bits {
    uint32_t leaf, subleaf;
    bool any_subleaf; /* a leaf without subleaves: ECX may hold anything */
    int reg;          /* 0 EAX .. 3 EDX */
    uint32_t mask;
} instruction_bits[] = {
    /* SSE3 PCLMULQDQ MONITOR VMX SMX SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE
     * POPCNT AES XSAVE OSXSAVE AVX F16C RDRAND */
    {1, 0, true, 2, 0x7ed8326bu},
    /* FPU TSC MSR CX8 SEP CMOV CLFSH MMX FXSR SSE SSE2 */
    {1, 0, true, 3, 0x07888931u},
    /* FSGSBASE BMI1 HLE AVX2 BMI2 ERMS INVPCID RTM MPX AVX-512 RDSEED ADX
     * CLFLUSHOPT CLWB SHA */
    {7, 0, false, 1, 0xfdaf4f39u},
    {7, 0, false, 2, ~0u},
    {7, 0, false, 3, ~0u},
    /* the state components XSAVE handles, and its forms */
    {0xd, 0, false, 0, ~0u},
    {0xd, 1, false, 0, ~0u},
    /* LAHF ABM/LZCNT SSE4A PREFETCHW XOP FMA4 TBM ... */
    {0x80000001, 0, true, 2, ~0u},
    /* SYSCALL RDTSCP LM (and 3DNow!) */
    {0x80000001, 0, true, 3, 0xe8000800u},
};

void valgrind_cpuid_runnable(uint32_t leaf, uint32_t subleaf, const uint32_t qemu[4],
                             uint32_t answer[4])
{
    for (size_t i = 0; i < sizeof instruction_bits / sizeof instruction_bits[0]; i++) {
        const struct instruction_bits *b = &instruction_bits[i];
        if (b->leaf == leaf && (b->any_subleaf || b->subleaf == subleaf)) {
            answer[b->reg] &= qemu[b->reg] | ~b->mask;
        }
    }
    /* The XSAVE area's size for the components XCR0 enables: the real
     * XCR0 is QEMU's (it has more, MPX and PKRU state), and what XSAVE
     * writes must fit the buffer glibc sizes by this (its lazy binding
     * trampoline saves the vector registers on the stack). */
    if (leaf == 0xd && subleaf == 0) {
        for (int r = 1; r <= 2; r++) {
            answer[r] = answer[r] > qemu[r] ? answer[r] : qemu[r];
        }
    }
}

struct valgrind_cpu_host valgrind_cpu_host_probe(void)
{
    struct valgrind_cpu_host host = {false, false, false};
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (__get_cpuid_count(1, 0, &a, &b, &c, &d)) {
        host.f16c = c >> 29 & 1;
        host.rdrand = c >> 30 & 1;
    }
    if (__get_cpuid_max(0, NULL) >= 7 && __get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        host.rdseed = b >> 18 & 1;
    }
#endif
    return host;
}
