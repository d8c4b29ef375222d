/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-vCPU state. QEMU's inline operations add to a scoreboard, whose
 * entries move when QEMU grows it for a new vCPU, possibly while another
 * vCPU's init callback runs; so only the inline counters live there, read
 * afresh each time, and everything else a vCPU owns hangs off a struct vcpu
 * allocated once and found through a table that never moves. Each layer
 * keeps its own part behind an opaque pointer.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_VCPU_H
#define BACKDOOR_PLUGIN_QEMU_VCPU_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "qemu/qemu_api.h"

/* What QEMU's inline operations add to: the scoreboard entry. */
struct vcpu_counters {
    uint64_t insns;     /* guest instructions, per block, while regions count */
    uint64_t insns_kernel; /* the part in kernel code, where it is told apart */
    uint64_t probes;    /* hypervisor-signature scans (i8 = 0) */
    uint64_t malformed; /* in the range, but not a valid request */
    uint64_t seed_calls[2][256]; /* constant seed calls nobody receives */
    /* A Valgrind preamble split across translation blocks: how many of
     * its instructions ran, and where the next one must be (translate/valgrind.c). */
    uint64_t valgrind_progress;
    uint64_t valgrind_next_pc;
    /* count-reps=on: a repeated string instruction was entered and its
     * repetitions are counted when the next block starts (translate/repeats.c):
     * what it was (0: none), its count register on entry and, for the
     * compares, its destination index (which way the instruction goes). */
    uint64_t repeat_pending;
    uint64_t repeat_before;
    uint64_t repeat_before_di;
    /* cpu-identity=valgrind: a CPUID or XGETBV ran and its answer is
     * replaced when the instruction after it starts (translate/cpu_identity.c):
     * which of the two (0: none), its leaf and subleaf (ECX << 32), the
     * stack pointer it ran with, and how many blocks started on another
     * stack since (a signal handler ran first). */
    uint64_t cpuid_pending;
    uint64_t cpuid_question;
    uint64_t cpuid_sp;
    uint64_t cpuid_elsewhere;
    /* profile= with the call graph: the block just left ended in a call, a
     * return or a jump that may leave its function (translate/call_sites.c):
     * the kind and the source's function slot packed (0: none), and for a
     * call its return address. */
    uint64_t branch_pending;
    uint64_t branch_return_address;
};

struct dispatch_vcpu;
struct roi_vcpu;
struct valgrind_vcpu;
struct callgraph_vcpu;
struct output_vcpu;
struct guest_thread;

struct vcpu {
    unsigned int index;
    GByteArray *reg_buf; /* scratch: registers, page-table entries, pages */
    GByteArray *mem_buf; /* scratch for guest memory copies */
    GByteArray *out_buf; /* what a receive call returns to the guest */
    struct dispatch_vcpu *dispatch;
    struct roi_vcpu *roi;
    struct valgrind_vcpu *valgrind;
    struct callgraph_vcpu *callgraph;
    struct output_vcpu *output;
    struct guest_thread *thread; /* running now, where threads are followed:
                                  * as of the vCPU's last call (its switches
                                  * leave NULL where the key has no thread) */
};

/* At install, before any vCPU exists. */
void vcpus_init(void);

/* The vCPU's state, created on its first init (QEMU reuses an index after a
 * guest thread exits: the state stays). The layers' parts are filled by
 * their own vcpu-init functions afterwards. */
struct vcpu *vcpu_create(unsigned int index);

/* Marks the vCPU complete: from now on vcpu_for_each visits it. */
void vcpu_publish(struct vcpu *vcpu);

#define VCPU_TABLE_CHUNK 256u
#define VCPU_TABLE_CHUNKS 256u /* up to 65536 vCPUs or live guest threads */
extern struct vcpu **vcpu_table[VCPU_TABLE_CHUNKS];

/* NULL for an index without state. Lock-free: chunks never move. */
static inline struct vcpu *vcpu_get(unsigned int index)
{
    struct vcpu **chunk = __atomic_load_n(&vcpu_table[(index / VCPU_TABLE_CHUNK) %
                                                      VCPU_TABLE_CHUNKS],
                                          __ATOMIC_ACQUIRE);
    return chunk != NULL && index < VCPU_TABLE_CHUNK * VCPU_TABLE_CHUNKS
               ? __atomic_load_n(&chunk[index % VCPU_TABLE_CHUNK], __ATOMIC_ACQUIRE)
               : NULL;
}

/* The vCPU's inline counters. Valid until the current callback returns
 * (QEMU may move them when it adds a vCPU). */
struct vcpu_counters *vcpu_counters(unsigned int index);

/* One counter of every vCPU, for an inline operation (offsetof in struct
 * vcpu_counters). */
qemu_plugin_u64 vcpu_counter(size_t offset);

/* Visits every published vCPU in index order. */
void vcpu_for_each(void (*visit)(struct vcpu *vcpu, void *data), void *data);

#endif
