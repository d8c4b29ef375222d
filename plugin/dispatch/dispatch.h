/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The execution path of a call: read what translation left unknown, decode,
 * check policy, run the built-in or the handler, return the result, report;
 * and the call counters, kept per vCPU and summed on demand.
 */
#ifndef BACKDOOR_PLUGIN_DISPATCH_DISPATCH_H
#define BACKDOOR_PLUGIN_DISPATCH_DISPATCH_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "qemu/vcpu.h"
#include "translate/decode.h"
#include "output/records.h"

struct dispatch_config {
    uint64_t max_buffer;  /* largest send/receive buffer */
    bool reporting_calls; /* events= or log=on: a record per call */
};

/* At install; config is copied. */
void dispatch_init(const struct dispatch_config *config);

/* At vCPU init: the vCPU's counters. */
void dispatch_vcpu_init(struct vcpu *vcpu);

/* Execution callback of every site; udata is the struct site. */
void dispatch_on_magic(unsigned int vcpu, void *udata);

/* For translation: whether a call known whole always gets one answer
 * and leaves nothing but counts (no record, no policy); its site then
 * gets dispatch_on_constant, which counts and answers. */
bool dispatch_constant_result(const struct request *rq, uint64_t *result);
void dispatch_on_constant(unsigned int vcpu, void *udata);

/* Around every call: false when dispatching has stopped (then the call
 * does nothing); else the call runs and ends with dispatch_exit. */
bool dispatch_enter(struct vcpu *vcpu);
void dispatch_exit(struct vcpu *vcpu);

/* Execution callback of Valgrind's client requests; udata is the struct
 * valgrind_site (dispatch/valgrind.c). */
void dispatch_on_valgrind(unsigned int vcpu, void *udata);

/* QEMU's callback at a block reached by a marked call, return or jump
 * (translate/call_sites.h); udata is its struct call_target. */
void dispatch_on_branch(unsigned int vcpu, void *udata);

/*
 * Stops dispatching: calls that start from now on are ignored, and this
 * returns once every call already running on another vCPU has finished,
 * so that counters and the event log hold still for the summary.
 */
void dispatch_stop(void);

/* The call running on this thread (one that ends the run) counts as done
 * for dispatch_stop from now on: ending the run from inside a call must not
 * wait for itself, nor for another thread that waits for this one. */
void dispatch_leave_current(void);

/* The counters of every vCPU, summed, with the inline-counted calls folded
 * in; user_commands (handler command -> count) is filled too. */
void dispatch_counters_total(struct call_counters *total, GHashTable *user_commands);

#endif
