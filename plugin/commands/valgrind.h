/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Valgrind's client requests (valgrind=on), as a program built against
 * valgrind.h and callgrind.h issues them: Callgrind's instrumentation and
 * collection requests drive one region of interest per vCPU, the
 * collection region, whose instructions are also counted per function for
 * profile=; VALGRIND_PRINTF prints; RUNNING_ON_VALGRIND answers as
 * configured; every other request is counted and left with its default.
 * docs/valgrind.md defines the semantics.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_VALGRIND_H
#define BACKDOOR_PLUGIN_COMMANDS_VALGRIND_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "commands/call.h"
#include "qemu/layout.h"
#include "qemu/vcpu.h"

/* The collection region's id: Callgrind's request base, 'C' 'T' << 16. */
#define VALGRIND_REGION_ID 0x43540000u

struct valgrind_config {
    bool on;
    uint64_t running_on_valgrind; /* RUNNING_ON_VALGRIND's answer */
    bool collect_atstart;         /* Callgrind's --collect-atstart */
    bool instr_atstart;           /* Callgrind's --instr-atstart */
    bool profile;                 /* per-function counts (qemu/functions.h) */
};

/* One request as read from the guest. */
struct valgrind_request {
    uint64_t words[6]; /* the request number, then its five arguments */
    unsigned word_size;
    enum va_list_abi va_list;
    /* Instructions before the marker in Valgrind's block (since the block
     * or the previous request began), and whether the whole preamble is
     * among them (then Callgrind counts it with the marker as one). */
    uint32_t since_request;
    bool whole_sequence;
    /* The marker's function slot, and the instructions after it in its
     * block that the function's counter already holds (profile=). */
    uint32_t fn_slot;
    uint32_t fn_tail;
};

/* At install, after commands_init. */
void valgrind_init(const struct valgrind_config *config);

/* At vCPU init: its collection state, Callgrind's at-start options. */
void valgrind_vcpu_init(struct vcpu *vcpu);

/* Runs a request; true if the guest gets *result, false if the default
 * the guest put in the result register stays. */
bool valgrind_request(struct call_ctx *ctx, const struct valgrind_request *rq,
                      uint64_t *result);

/* The built-in commands the request acts as, for the policy (deny=,
 * allow-from=): fills up to two into builtins, returns how many (0: the
 * request does nothing a built-in does). */
unsigned valgrind_request_builtins(uint64_t request, uint32_t builtins[2]);

/* A request the policy refused: counted, and the guest keeps its default. */
void valgrind_refused(struct call_ctx *ctx, const struct valgrind_request *rq);

/* A request block the guest could not read: counted as ignored. */
void valgrind_unreadable(struct call_ctx *ctx);

/*
 * toggle-collect=: the collection state flips on vcpu_index where counted
 * instructions already in its counters (all of function slot fn_slot)
 * belong after the flip (translate/toggle.h).
 */
void valgrind_toggle_collect(unsigned int vcpu_index, uint32_t fn_slot, uint32_t counted);

/* Requests honoured, ignored and refused by policy; ignored_by_request
 * (number -> count) is filled too. */
void valgrind_counts(uint64_t *honoured, uint64_t *ignored, uint64_t *refused,
                     GHashTable *ignored_by_request);

/* Instructions of the collected part of the run per function slot, summed
 * over vCPUs (open collections counted up to now); g_free the result. For
 * a dump, dumping and rq name the vCPU at its request, whose block counts
 * in the next part (else NULL). */
uint64_t *valgrind_profile(uint32_t *n_slots, const struct vcpu *dumping,
                           const struct valgrind_request *rq);

/* The vCPU's collection is open (instrumentation and collection on). */
bool valgrind_collecting(const struct vcpu *vcpu);

/* Callgrind's cost clock of the vCPU: its collected instructions since it
 * started, never zeroed, up to the block now starting. */
uint64_t valgrind_clock(struct vcpu *vcpu);

/* A function's collected instructions on the vCPU since the last zeroing
 * or dump (profile=). */
uint64_t valgrind_function_clock(struct vcpu *vcpu, uint32_t slot);

#endif
