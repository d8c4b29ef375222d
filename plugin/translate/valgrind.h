/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Valgrind's client requests in the instruction stream (valgrind=on): finds
 * the preamble-and-marker sequences of valgrind.h in a translated block and
 * registers the request callback on the marker. A sequence wholly inside
 * one block is a request by construction (a block runs from its start, in
 * order); one split across blocks is followed at run time, preamble
 * instruction by instruction, so that a jump into its middle is never
 * taken for a request. docs/valgrind.md has the argument.
 */
#ifndef BACKDOOR_PLUGIN_TRANSLATE_VALGRIND_H
#define BACKDOOR_PLUGIN_TRANSLATE_VALGRIND_H

#include <stdbool.h>
#include <stdint.h>

#include "translate/arch.h"
#include "qemu/qemu_api.h"

/* One marker instruction as translated: the request callback's user data. */
struct valgrind_site {
    uint64_t pc;
    uint32_t tb_insns; /* instructions in the translation block */
    uint32_t tb_index; /* the marker's position in it */
    const struct valgrind_flavor *flavor;
    /* 0: the whole preamble is in this block. Else the block begins with
     * the preamble's last (4 - resumes) instructions, and the first resumes
     * ones must have run right before, ending at resume_pc. */
    uint32_t resumes;
    uint64_t resume_pc;
    /* Instructions before the marker since the start of the block or the
     * previous marker in it: Valgrind ends its blocks at every request, and
     * Callgrind counts a block by the collection state at its end. */
    uint32_t since_request;
    /* Profile (profile=): the marker's function slot, and how many of the
     * instructions after it in the block belong to the same function. */
    uint32_t fn_slot;
    uint32_t fn_tail;
};

/* Finds the sequences of block tb (n instructions); slots: each
 * instruction's function slot, or NULL without a profile. on_request is
 * registered on each marker (needs RW registers). */
/* The index of the block's first request marker instruction, or -1
 * (profile=: the block's instructions of that function then share the
 * marker's line, so its corrections stay exact). */
long valgrind_first_marker(struct qemu_plugin_tb *tb, size_t n, const struct arch *arch);

void valgrind_scan_block(struct qemu_plugin_tb *tb, size_t n, const struct arch *arch,
                         const uint32_t *slots, qemu_plugin_vcpu_udata_cb_t on_request);

/* At a marker: whether it completes a preamble that just ran. For a split
 * sequence this checks and consumes the run-time progress. */
bool valgrind_site_armed(unsigned int vcpu_index, const struct valgrind_site *site);

/* Markers not instrumented because the site table was full. */
uint64_t valgrind_dropped_sites(void);

#endif
