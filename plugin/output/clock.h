/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The clock records are stamped with: nanoseconds since clock_start,
 * monotonic per thread. On an x86-64 host with an invariant TSC it is the
 * TSC scaled to nanoseconds, each thread re-anchored to CLOCK_MONOTONIC
 * every millisecond (docs/outputs.md, "Timestamps"): a record then costs
 * one RDTSC instead of a clock_gettime, which is several times dearer on a
 * virtual machine's kvm-clock. Elsewhere it is CLOCK_MONOTONIC.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_CLOCK_H
#define BACKDOOR_PLUGIN_OUTPUT_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Starts the clock: at install, before any now_ns. */
void clock_start(void);

/* A restored checkpoint's run goes on from the time it was saved at: the
 * clock reads ns now. At install, before any vCPU reads the clock. */
void clock_continue_from(uint64_t ns);

/* Nanoseconds since clock_start. */
uint64_t now_ns(void);

/* Whether now_ns reads the TSC (for the tests and the benchmarks). */
bool clock_uses_tsc(void);

#endif
