/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86-64 CPU that Valgrind 3.19 shows its guests on a host with AVX2
 * (VEX's "Core i7-4910MQ", guest_amd64_helpers.c): what its CPUID and XGETBV
 * answer. A program run under Valgrind sees this CPU, not the host's, so
 * glibc's IFUNCs and tunables pick the code they pick there; cpu-identity=
 * valgrind (docs/valgrind.md) makes QEMU's guest see it too.
 */
#ifndef BACKDOOR_PLUGIN_TRANSLATE_VALGRIND_CPU_H
#define BACKDOOR_PLUGIN_TRANSLATE_VALGRIND_CPU_H

#include <stdbool.h>
#include <stdint.h>

/* What VEX takes from the host: these three bits follow its CPUID. */
struct valgrind_cpu_host {
    bool f16c, rdrand, rdseed;
};

/* Valgrind's answer to CPUID leaf, subleaf: EAX, EBX, ECX, EDX. */
void valgrind_cpuid(const struct valgrind_cpu_host *host, uint32_t leaf, uint32_t subleaf,
                    uint32_t out[4]);

/* Valgrind's XCR0 (XGETBV with ECX = 0): x87, SSE and AVX state. */
#define VALGRIND_XCR0 7u

/*
 * Valgrind's answer, less what the emulator's own answer (qemu, for the same
 * leaf) lacks in the words that list instruction sets: a claimed feature
 * QEMU's TCG cannot run would kill the program with SIGILL. Other words
 * (vendor, family, caches) are Valgrind's as they are, but for the XSAVE
 * area's size, which must hold what QEMU's XSAVE writes.
 */
void valgrind_cpuid_runnable(uint32_t leaf, uint32_t subleaf, const uint32_t qemu[4],
                             uint32_t answer[4]);

/* The host bits as VEX reads them; all false on a host that is no x86. */
struct valgrind_cpu_host valgrind_cpu_host_probe(void);

#endif
