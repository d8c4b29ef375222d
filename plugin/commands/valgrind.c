/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Valgrind's client requests (commands/valgrind.h). Callgrind collects an
 * instruction when instrumentation is on and the thread's collection state
 * is on; here that conjunction opens and closes the collection region, so
 * region counts, the trace, statistics and the profile all follow it.
 * Both states are per vCPU (a thread in user mode): Callgrind keeps
 * instrumentation global, which differs only if one thread switches it
 * while others run.
 *
 * The profile counts per function slot with inline adds that run all the
 * time; a collection takes the difference of the vCPU's counters between
 * its start and its end, corrected like region counts for the part of the
 * marker's block that had been added but not executed.
 */
#include "commands/valgrind.h"

#include <string.h>

#include "commands/builtins.h"
#include "commands/callgraph.h"
#include "commands/profile_parts.h"
#include "commands/roi.h"
#include "commands/valgrind_printf.h"
#include "qemu/functions.h"
#include "qemu/memory.h"
#include "output/report.h"

/* Request numbers: valgrind.h and callgrind.h, a stable ABI. */
enum {
    VG_RUNNING_ON_VALGRIND = 0x1001,
    VG_PRINTF = 0x1401,
    VG_PRINTF_BACKTRACE = 0x1402,
    VG_PRINTF_VALIST_BY_REF = 0x1403,
    VG_PRINTF_BACKTRACE_VALIST_BY_REF = 0x1404,
    CG_DUMP_STATS = 0x43540000,
    CG_ZERO_STATS,
    CG_TOGGLE_COLLECT,
    CG_DUMP_STATS_AT,
    CG_START_INSTRUMENTATION,
    CG_STOP_INSTRUMENTATION,
};

struct valgrind_vcpu {
    bool collect, instrument;
    bool collecting; /* both: the collection region is open */
    uint64_t honoured, ignored, refused;
    uint64_t *start;     /* function counters when the collection opened */
    uint64_t *collected; /* per function, collections closed so far */
    /* Callgrind's cost clock (the call graph): collected instructions of
     * closed collections, and where the open one started in the vCPU's
     * instruction counter. Never zeroed. */
    uint64_t clock_closed, clock_open;
};

/* A whole sequence is five instructions; Valgrind counts it as one. */
#define VALGRIND_SEQUENCE_EXTRA 4

static struct valgrind_config config;
static GMutex ignored_lock;
static GHashTable *ignored_by_request; /* request -> count, every vCPU */

void valgrind_init(const struct valgrind_config *valgrind_config)
{
    config = *valgrind_config;
    ignored_by_request = g_hash_table_new(NULL, NULL);
    if (config.on) {
        /* Translation counts from the start (core/install.c). */
        roi_counting_started();
    }
}

/*
 * Callgrind's view of a request (docs/valgrind.md): Valgrind ends its
 * block at every request and counts a block by the collection state at its
 * end, the whole sequence as one instruction. So a collection that opens at
 * a request includes the instructions of the request's block, and one that
 * closes excludes them; here "block" is the part of the translation block
 * since its start or the previous request.
 */
static uint64_t block_counted(const struct valgrind_request *rq)
{
    uint64_t sequence = rq->whole_sequence ? VALGRIND_SEQUENCE_EXTRA : 0;
    return rq->since_request + 1 - sequence;
}

/* Instructions executed up to the marker that the function counters hold
 * beyond the block's tail, as the profile corrections need them. */
static void profile_start(struct valgrind_vcpu *v, unsigned int vcpu_index,
                          const struct valgrind_request *rq)
{
    uint32_t n = function_slots_used();
    memcpy(v->start, function_counts(vcpu_index), n * sizeof(uint64_t));
    if (rq != NULL) {
        v->start[rq->fn_slot] -= rq->fn_tail + block_counted(rq);
    }
}

static void profile_stop(struct valgrind_vcpu *v, unsigned int vcpu_index,
                         const struct valgrind_request *rq)
{
    uint32_t n = function_slots_used();
    const uint64_t *now = function_counts(vcpu_index);
    for (uint32_t i = 0; i < n; i++) {
        v->collected[i] += now[i] - v->start[i];
    }
    if (rq != NULL) {
        v->collected[rq->fn_slot] -= rq->fn_tail + 1 + rq->since_request;
    }
}

/*
 * Opens or closes the collection region when the conjunction changes; at
 * vCPU init (ctx NULL) it starts with the counter.
 */
static void update_collection(struct vcpu *vcpu, struct call_ctx *ctx,
                              const struct valgrind_request *rq, bool block_uninstrumented)
{
    struct valgrind_vcpu *v = vcpu->valgrind;
    bool now = v->collect && v->instrument;
    if (now == v->collecting) {
        if (now && rq != NULL && rq->whole_sequence) {
            /* A request inside the collection: one instruction, not five. */
            roi_shift_start(vcpu, VALGRIND_REGION_ID, VALGRIND_SEQUENCE_EXTRA);
            v->clock_open += VALGRIND_SEQUENCE_EXTRA;
            if (config.profile) {
                v->start[rq->fn_slot] += VALGRIND_SEQUENCE_EXTRA;
            }
        }
        return;
    }
    v->collecting = now;
    uint64_t before = ctx != NULL ? roi_insns_before_call(ctx)
                                  : vcpu_counters(vcpu->index)->insns;
    if (now && block_uninstrumented) {
        /* Instrumentation switched on: Valgrind translated the request's
         * block without it, so nothing up to the marker counts. */
        v->clock_open = before + 1;
        roi_open(vcpu, VALGRIND_REGION_ID, v->clock_open);
        if (config.profile) {
            profile_start(v, vcpu->index, NULL);
            v->start[rq->fn_slot] -= rq->fn_tail;
        }
    } else if (now) {
        v->clock_open = rq != NULL ? before + 1 - block_counted(rq) : before;
        roi_open(vcpu, VALGRIND_REGION_ID, v->clock_open);
        if (config.profile) {
            profile_start(v, vcpu->index, rq);
        }
    } else {
        uint64_t region_insns, region_ns;
        uint64_t end = rq != NULL ? before - rq->since_request : before;
        v->clock_closed += end - v->clock_open;
        roi_close(vcpu, VALGRIND_REGION_ID, end, &region_insns, &region_ns);
        if (config.profile) {
            profile_stop(v, vcpu->index, rq);
        }
    }
}

void valgrind_toggle_collect(unsigned int vcpu_index, uint32_t fn_slot, uint32_t counted)
{
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    struct valgrind_vcpu *v = vcpu != NULL ? vcpu->valgrind : NULL;
    if (v == NULL) {
        return;
    }
    v->collect = !v->collect;
    bool now = v->collect && v->instrument;
    if (now == v->collecting) {
        return;
    }
    v->collecting = now;
    uint64_t at = vcpu_counters(vcpu_index)->insns - counted;
    if (now) {
        v->clock_open = at;
        roi_open(vcpu, VALGRIND_REGION_ID, at);
        if (config.profile) {
            profile_start(v, vcpu_index, NULL);
            v->start[fn_slot] -= counted;
        }
    } else {
        uint64_t region_insns, region_ns;
        v->clock_closed += at - v->clock_open;
        roi_close(vcpu, VALGRIND_REGION_ID, at, &region_insns, &region_ns);
        if (config.profile) {
            profile_stop(v, vcpu_index, NULL);
            v->collected[fn_slot] -= counted;
        }
    }
}

/* After Callgrind zeroes its counters, the request's own block counts. */
static void restart_collection(struct call_ctx *ctx, const struct valgrind_request *rq)
{
    struct valgrind_vcpu *v = ctx->vcpu->valgrind;
    if (!v->collecting) {
        /* Zeroed all the same: what earlier collections gathered. */
        if (config.profile) {
            memset(v->collected, 0, FUNCTION_SLOTS * sizeof(uint64_t));
        }
        return;
    }
    /* The built-in reset restarted the region at the marker. */
    roi_shift_start(ctx->vcpu, VALGRIND_REGION_ID, 1 - (int64_t)block_counted(rq));
    if (config.profile) {
        memset(v->collected, 0, FUNCTION_SLOTS * sizeof(uint64_t));
        profile_start(v, ctx->vcpu_index, rq);
    }
}

void valgrind_vcpu_init(struct vcpu *vcpu)
{
    if (!config.on || vcpu->valgrind != NULL) {
        return;
    }
    struct valgrind_vcpu *v = g_new0(struct valgrind_vcpu, 1);
    v->collect = config.collect_atstart;
    v->instrument = config.instr_atstart;
    if (config.profile) {
        v->start = g_new0(uint64_t, FUNCTION_SLOTS);
        v->collected = g_new0(uint64_t, FUNCTION_SLOTS);
    }
    vcpu->valgrind = v;
    update_collection(vcpu, NULL, NULL, false);
}

static void count_ignored(struct valgrind_vcpu *v, uint64_t request)
{
    v->ignored++;
    g_mutex_lock(&ignored_lock);
    gpointer key = GSIZE_TO_POINTER((gsize)request);
    gsize n = GPOINTER_TO_SIZE(g_hash_table_lookup(ignored_by_request, key));
    g_hash_table_insert(ignored_by_request, key, GSIZE_TO_POINTER(n + 1));
    g_mutex_unlock(&ignored_lock);
}

unsigned valgrind_request_builtins(uint64_t request, uint32_t builtins[2])
{
    switch (request) {
    case VG_RUNNING_ON_VALGRIND:
        builtins[0] = BACKDOOR_OP_PRESENT;
        return 1;
    case VG_PRINTF:
    case VG_PRINTF_BACKTRACE:
    case VG_PRINTF_VALIST_BY_REF:
    case VG_PRINTF_BACKTRACE_VALIST_BY_REF:
        builtins[0] = BACKDOOR_OP_PRINT;
        return 1;
    case CG_DUMP_STATS:
    case CG_DUMP_STATS_AT:
        /* Callgrind dumps and then zeroes (dump_stats below). */
        builtins[0] = BACKDOOR_OP_STATS_DUMP;
        builtins[1] = BACKDOOR_OP_STATS_RESET;
        return 2;
    case CG_ZERO_STATS:
        builtins[0] = BACKDOOR_OP_STATS_RESET;
        return 1;
    case CG_TOGGLE_COLLECT:
    case CG_START_INSTRUMENTATION:
    case CG_STOP_INSTRUMENTATION:
        /* They open and close the collection region. */
        builtins[0] = BACKDOOR_OP_ROI_BEGIN;
        builtins[1] = BACKDOOR_OP_ROI_END;
        return 2;
    default:
        return 0;
    }
}

void valgrind_refused(struct call_ctx *ctx, const struct valgrind_request *rq)
{
    struct valgrind_vcpu *v = ctx->vcpu->valgrind;
    if (v == NULL) {
        return;
    }
    v->refused++;
    /* Inside the collection the sequence still counts as one instruction. */
    update_collection(ctx->vcpu, ctx, rq, false);
}

void valgrind_unreadable(struct call_ctx *ctx)
{
    if (ctx->vcpu->valgrind != NULL) {
        ctx->vcpu->valgrind->ignored++;
    }
}

/*
 * The cost clock where Callgrind stands at a dump or zeroing request: at
 * the start of the request's block, which it counts after the request. The
 * clock goes on counting the request's sequence as one instruction.
 */
static uint64_t request_clock(struct call_ctx *ctx, const struct valgrind_request *rq)
{
    struct valgrind_vcpu *v = ctx->vcpu->valgrind;
    if (!v->collecting) {
        return v->clock_closed;
    }
    uint64_t clock = v->clock_closed + (roi_insns_before_call(ctx) - rq->since_request -
                                        v->clock_open);
    if (rq->whole_sequence) {
        v->clock_open += VALGRIND_SEQUENCE_EXTRA;
    }
    return clock;
}

/* DUMP_STATS_AT's text, Callgrind's trigger "Client Request: TEXT". */
static char *dump_trigger(struct call_ctx *ctx, const struct valgrind_request *rq)
{
    if (rq->words[0] != CG_DUMP_STATS_AT) {
        return g_strdup("Client Request");
    }
    char text[256];
    size_t n = 0;
    for (; n + 1 < sizeof text; n++) {
        if (!guest_read(ctx->vcpu, rq->words[1] + n, &text[n], 1) || text[n] == '\0') {
            break;
        }
        if (text[n] == '\n' || text[n] == '\r') {
            text[n] = ' '; /* one line in the profile's header */
        }
    }
    text[n] = '\0';
    return g_strdup_printf("Client Request: %s", text);
}

/* Callgrind dumps and then zeroes its counters; the statistics dump and
 * reset of the built-ins do the same to every region. With profile=, the
 * dump is a part of the profile of its own. */
static void dump_stats(struct call_ctx *ctx, const struct valgrind_request *rq)
{
    /* Callgrind adds a block's cost when the next block starts, after the
     * request has dumped: the request's own block belongs to the next
     * part, not to this one. */
    if (ctx->vcpu->valgrind->collecting) {
        roi_shift_start(ctx->vcpu, VALGRIND_REGION_ID, rq->since_request);
    }
    builtin_stats_dump(ctx);
    if (config.profile) {
        char *trigger = dump_trigger(ctx, rq);
        profile_parts_dump(ctx->vcpu, rq, request_clock(ctx, rq), trigger);
        g_free(trigger);
    }
    builtin_stats_reset(ctx);
    restart_collection(ctx, rq);
    if (config.profile) {
        callgraph_restarted(ctx->vcpu);
    }
}

bool valgrind_request(struct call_ctx *ctx, const struct valgrind_request *rq,
                      uint64_t *result)
{
    struct vcpu *vcpu = ctx->vcpu;
    struct valgrind_vcpu *v = vcpu->valgrind;
    uint64_t request = rq->words[0];
    bool answered = false;
    if (v == NULL) {
        return false;
    }
    switch (request) {
    case VG_RUNNING_ON_VALGRIND:
        *result = config.running_on_valgrind;
        answered = true;
        break;
    case VG_PRINTF:
    case VG_PRINTF_BACKTRACE:
    case VG_PRINTF_VALIST_BY_REF:
    case VG_PRINTF_BACKTRACE_VALIST_BY_REF: {
        bool by_ref = request == VG_PRINTF_VALIST_BY_REF ||
                      request == VG_PRINTF_BACKTRACE_VALIST_BY_REF;
        GString *text = g_string_new(NULL);
        valgrind_format(vcpu, rq->words[1], rq->words[2], by_ref, rq->word_size, rq->va_list,
                        text);
        report_print(text->str, text->len);
        *result = text->len;
        answered = true;
        g_string_free(text, TRUE);
        break;
    }
    case CG_DUMP_STATS:
    case CG_DUMP_STATS_AT:
        dump_stats(ctx, rq);
        v->honoured++;
        return false;
    case CG_ZERO_STATS: {
        uint64_t clock = request_clock(ctx, rq);
        builtin_stats_reset(ctx);
        restart_collection(ctx, rq);
        if (config.profile) {
            callgraph_zero(vcpu, clock);
        }
        v->honoured++;
        return false;
    }
    case CG_TOGGLE_COLLECT:
        v->collect = !v->collect;
        break;
    case CG_START_INSTRUMENTATION:
        v->instrument = true;
        v->honoured++;
        update_collection(vcpu, ctx, rq, true);
        return false;
    case CG_STOP_INSTRUMENTATION:
        v->instrument = false;
        v->honoured++;
        update_collection(vcpu, ctx, rq, false);
        if (config.profile) {
            /* Callgrind forgets the call stacks when instrumentation stops. */
            callgraph_unwind(vcpu, valgrind_clock(vcpu));
        }
        return false;
    default:
        count_ignored(v, request);
        update_collection(vcpu, ctx, rq, false);
        return false;
    }
    v->honoured++;
    update_collection(vcpu, ctx, rq, false);
    return answered;
}

struct totals {
    uint64_t honoured, ignored, refused;
    uint64_t *profile;
    uint32_t n_slots;
    /* A dump: the vCPU at its request, whose block belongs to the next part. */
    const struct vcpu *dumping;
    const struct valgrind_request *rq;
};

static void add_vcpu(struct vcpu *vcpu, void *data)
{
    struct totals *t = data;
    struct valgrind_vcpu *v = vcpu->valgrind;
    if (v == NULL) {
        return;
    }
    t->honoured += v->honoured;
    t->ignored += v->ignored;
    t->refused += v->refused;
    if (t->profile == NULL || v->collected == NULL) {
        return;
    }
    const uint64_t *now = function_counts(vcpu->index);
    for (uint32_t i = 0; i < t->n_slots; i++) {
        t->profile[i] += v->collected[i] + (v->collecting ? now[i] - v->start[i] : 0);
    }
    if (vcpu == t->dumping && v->collecting && t->rq->fn_slot < t->n_slots) {
        t->profile[t->rq->fn_slot] -= t->rq->fn_tail + 1 + t->rq->since_request;
    }
}

void valgrind_counts(uint64_t *honoured, uint64_t *ignored, uint64_t *refused,
                     GHashTable *by_request)
{
    struct totals t = {0};
    vcpu_for_each(add_vcpu, &t);
    *honoured = t.honoured;
    *ignored = t.ignored;
    *refused = t.refused;
    g_mutex_lock(&ignored_lock);
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, ignored_by_request);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        g_hash_table_insert(by_request, key, value);
    }
    g_mutex_unlock(&ignored_lock);
}

uint64_t *valgrind_profile(uint32_t *n_slots, const struct vcpu *dumping,
                           const struct valgrind_request *rq)
{
    struct totals t = {0};
    t.dumping = dumping;
    t.rq = rq;
    t.n_slots = function_slots_used();
    t.profile = g_new0(uint64_t, t.n_slots);
    vcpu_for_each(add_vcpu, &t);
    *n_slots = t.n_slots;
    return t.profile;
}

bool valgrind_collecting(const struct vcpu *vcpu)
{
    return vcpu->valgrind != NULL && vcpu->valgrind->collecting;
}

uint64_t valgrind_clock(struct vcpu *vcpu)
{
    const struct valgrind_vcpu *v = vcpu->valgrind;
    if (v == NULL) {
        return 0;
    }
    return v->clock_closed +
           (v->collecting ? vcpu_counters(vcpu->index)->insns - v->clock_open : 0);
}

uint64_t valgrind_function_clock(struct vcpu *vcpu, uint32_t slot)
{
    const struct valgrind_vcpu *v = vcpu->valgrind;
    if (v == NULL || v->collected == NULL) {
        return 0;
    }
    return v->collected[slot] +
           (v->collecting ? function_counts(vcpu->index)[slot] - v->start[slot] : 0);
}
