/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A call as the commands see it: the public struct backdoor_call handlers
 * get, plus what the plugin records about it. Dispatch fills one per call
 * on its stack and hands it to a built-in or the handler; the commands
 * layer owns the type, the thread's current call (for handler services) and
 * the turning of a call into an event record.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_CALL_H
#define BACKDOOR_PLUGIN_COMMANDS_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "backdoor/host.h"
#include "qemu/vcpu.h"
#include "output/records.h"

struct call_ctx {
    unsigned int vcpu_index;
    struct vcpu *vcpu;
    struct backdoor_call call; /* what built-ins and handlers see */
    bool abi32;                /* issued by 32-bit code */
    /* The magic instruction's place in its translation block, for
     * instruction counts up to the call (commands/roi.c). */
    uint32_t block_insns;
    uint32_t block_index;
    enum backdoor_status status;
    bool returns_result;
    bool result_delivered; /* written to the guest (plugin API >= 5) */
    const char *op_name;   /* built-in name, "handler" or "seed" */
    bool reported;         /* call_report done */
    uint64_t ts_ns;        /* the call's time (call_now), 0 until read */
    /* Extra fields for the event record, set by built-ins. */
    const char *text;
    size_t text_len;
    unsigned int n_extra;
    struct {
        const char *key;
        uint64_t value;
    } extra[CALL_MAX_EXTRA];
};

static inline void call_add_extra(struct call_ctx *ctx, const char *key, uint64_t value)
{
    if (ctx->n_extra < CALL_MAX_EXTRA) {
        ctx->extra[ctx->n_extra].key = key;
        ctx->extra[ctx->n_extra].value = value;
        ctx->n_extra++;
    }
}

/* The call running a built-in or the handler on this thread, or NULL. */
struct call_ctx *call_current(void);
void call_set_current(struct call_ctx *ctx);

/* The call's time: read once, so that a built-in's trace record and the
 * call's event record cost one clock read and show one time. */
uint64_t call_now(struct call_ctx *ctx);

/* Hands the call's record to the outputs; a second call is a no-op. */
void call_report(struct call_ctx *ctx);

#endif
