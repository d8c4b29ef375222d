/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest threads in system mode (issue 13, docs/outputs.md "Regions"): which
 * one each vCPU runs, followed through the instructions that switch them
 * (qemu/context.h), and how many instructions each has executed wherever
 * the guest's scheduler ran it. Regions then belong to a thread, not to a
 * vCPU. A thread is its address space and its thread pointer (x86-64: CR3
 * without the PCID, and the FS base, the TLS pointer of Linux threads).
 *
 * The guest makes keys at will, so a key is a thread only once a call
 * asks which thread runs, and threads are bounded (docs/abi.md, security
 * model): at most max-threads are kept beyond those running now and those
 * holding regions; the least recently run of the rest is forgotten when a
 * new one comes. Keys are hashed with a per-run secret
 * (commands/keyed_hash.h), so no choice of keys makes lookups slow, and
 * the table is split into shards, each with its own lock, taken only when
 * a vCPU changes to or from a key that has a thread.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_THREADS_H
#define BACKDOOR_PLUGIN_COMMANDS_THREADS_H

#include <stdbool.h>
#include <stdint.h>

#include "qemu/vcpu.h"

struct guest_thread {
    unsigned int id;         /* in the order threads are made, from 0 (a
                              * thread forgotten and made again gets a new
                              * one) */
    uint64_t address_space;  /* page-table base, tag bits removed */
    uint64_t thread_pointer; /* x86-64: FS base */
    uint64_t insns;          /* executed in ended stints on any vCPU */
    uint64_t kernel_insns;   /* the same for kernel code */
    unsigned int stints;     /* open now, on as many vCPUs */
    int vcpu;                /* the vCPU of its latest open stint, or -1 */
    int last_vcpu;           /* the last it ran on */
    struct roi_vcpu *roi;    /* its regions and marks (commands/roi.c) */
    /* Bookkeeping of commands/threads.c, under its shard's lock. */
    uint64_t key_hash;       /* of address_space and thread_pointer, keyed */
    unsigned int shard;
    bool kept;               /* holds regions: never forgotten */
    bool over_cap;           /* was refused regions of its own, counted once */
    struct guest_thread *chain;         /* next in its shard's bucket */
    struct guest_thread *newer, *older; /* in its shard's idle list */
    bool idle;               /* in that list: not running, not kept */
    /* It made Linux's exit or exit_group: out of the table, so that a
     * thread that comes with its key later is another (atomic: a vCPU
     * running the key reads it without the lock). */
    bool ended;
};

/* At install: whether threads are followed (system mode on an
 * architecture whose switches the decode layer finds), how many idle
 * threads, and how many with regions, are kept at most, and how switches
 * come to be followed (a retranslation, asked for at the first
 * threads_current: a guest that never calls makes no threads). */
void threads_init(bool follow, unsigned int max_threads, void (*follow_switches)(void));
bool threads_followed(void);

/* A vCPU's counters at one instruction: all of them and the kernel's. */
struct insn_position {
    uint64_t all, kernel;
};

/* QEMU's callback of a switching instruction; userdata: struct switch_site.
 * A key without a thread takes no lock and computes no keyed hash. */
void threads_on_switch(unsigned int vcpu_index, void *userdata);

/* The thread the vCPU runs at instruction counter position pos (its
 * registers checked, so a switch nobody saw is taken up here), made if its
 * key has none yet. */
struct guest_thread *threads_current(struct vcpu *vcpu, struct insn_position pos);

/* The thread's instructions: its ended stints, its stint on vcpu up to
 * pos, and its stints open on other vCPUs as far as they have run. */
struct insn_position threads_insns(const struct guest_thread *thread, const struct vcpu *vcpu,
                                   struct insn_position pos);

/* The same seen from outside any of its vCPUs (a snapshot at the end). */
struct insn_position threads_insns_now(const struct guest_thread *thread);

/* The thread, running on the calling vCPU, gets regions of its own: it is
 * kept to the end. False when max-threads threads already have them (the
 * caller then counts the thread's regions with its vCPU's). */
bool threads_keep(struct guest_thread *thread);

/* The thread running on vcpu (at counter position pos) has ended as far
 * as its regions go, and what runs under its key from now on is another,
 * new thread (commands/roi.c decides when: docs/outputs.md, "Names");
 * the old one stays for the report. Returns the new one, running on vcpu. */
struct guest_thread *threads_succeed(struct vcpu *vcpu, struct guest_thread *old,
                                     struct insn_position pos);

/* The thread of a key, made if new and kept for its regions: a checkpoint's
 * thread being restored (commands/roi.c), before any vCPU runs. NULL when
 * max-threads threads are kept already. */
struct guest_thread *threads_adopt(uint64_t address_space, uint64_t thread_pointer);

/* Switches are followed from the first block (the installer has them
 * planted): an architecture whose vCPUs may go back to a thread unseen. */
void threads_follow_from_start(void);

/* Whether switches are followed already (a thread was adopted at install:
 * the installer then has them followed from the first block). */
bool threads_following(void);

/* Visits every thread kept for its regions, in the order they got them. */
void threads_for_each(void (*visit)(struct guest_thread *thread, void *data), void *data);

/* What the summary says of the thread table. */
struct thread_counts {
    uint64_t seen;      /* threads ever made */
    uint64_t forgotten; /* of them, idle threads dropped to stay in max-threads */
    uint64_t over_cap;  /* threads refused regions of their own */
    unsigned int max;   /* max-threads */
};
void threads_counts(struct thread_counts *counts);

#endif
