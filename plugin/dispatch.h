/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The execution path of a call: read what translation left unknown, decode,
 * check policy, run the built-in or the handler, return the result, log.
 */
#ifndef BACKDOOR_PLUGIN_DISPATCH_H
#define BACKDOOR_PLUGIN_DISPATCH_H

#include "site.h"
#include "state.h"

#define CALL_MAX_EXTRA 4

/* One call in flight on a vCPU thread. */
struct call_ctx {
    unsigned int vcpu;
    struct vcpu_state *vs;
    const struct site *site;
    struct request rq;
    enum decode_path path;
    struct backdoor_call call; /* what built-ins and handlers see */
    enum backdoor_status status;
    bool returns_result;
    bool result_delivered;     /* written to the guest (plugin API >= 5) */
    const char *op_name;       /* built-in name, "handler" or "seed" */
    bool reported;             /* report_call done */
    /* Extra fields for the event record, set by built-ins. */
    const char *text;
    size_t text_len;
    unsigned n_extra;
    struct {
        const char *key;
        uint64_t value;
    } extra[CALL_MAX_EXTRA];
};

/* Execution callback of every site; udata is the struct site. */
void on_magic(unsigned int vcpu, void *udata);

/* The call being dispatched on this thread, or NULL (handler services). */
struct call_ctx *current_call(void);

static inline void call_add_extra(struct call_ctx *ctx, const char *key,
                                  uint64_t value)
{
    if (ctx->n_extra < CALL_MAX_EXTRA) {
        ctx->extra[ctx->n_extra].key = key;
        ctx->extra[ctx->n_extra].value = value;
        ctx->n_extra++;
    }
}

#endif
