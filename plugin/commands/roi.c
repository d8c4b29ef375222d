/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Regions of interest, marks and statistics.
 *
 * Instructions are counted by an inline per-vCPU scoreboard add of each
 * translation block's length when the block starts, so counting adds no
 * callback anywhere. A call in the middle of a block corrects for the part of
 * the block not yet executed, using its position recorded at translation.
 *
 * Regions are per vCPU (per guest thread in user mode) and per id; the same
 * id nests by depth, different ids overlap freely. Each vCPU's tables have a
 * lock of their own, taken by that vCPU on each region call and by others
 * only for statistics snapshots and resets.
 */
#include "commands/roi.h"

#include <pthread.h>

#include "commands/builtins.h"
#include "commands/commands.h"
#include "output/log.h"
#include "output/report.h"

/* Rows of regions and of marks a statistics dump shows at most. */
#define STATS_DUMP_ROWS 256

/* Distinct ids a vCPU tracks; later ones are counted as dropped, so a guest
 * cannot grow the plugin's memory without bound. */
#define MAX_IDS_PER_VCPU 4096

struct region {
    uint64_t id;
    unsigned depth;
    uint64_t start_insns;
    uint64_t start_ns;
    uint64_t entries;
    uint64_t insns;
    uint64_t wall_ns;
    uint64_t unmatched_ends;
};

struct mark {
    uint64_t count;
    uint64_t last_value;
};

struct roi_vcpu {
    pthread_mutex_t lock;
    GHashTable *regions; /* id -> struct region */
    GHashTable *marks;   /* id -> struct mark */
};

static uint64_t dropped_ids;

/* Counting starts with the first roi_begin: a program that never marks a
 * region pays nothing. The layer above turns it on (a retranslation). */
static int counting_requested;

void roi_counting_started(void)
{
    __atomic_store_n(&counting_requested, 1, __ATOMIC_RELEASE);
}

static void request_counting(void)
{
    if (!__atomic_exchange_n(&counting_requested, 1, __ATOMIC_ACQ_REL)) {
        commands.count_instructions();
    }
}

void roi_vcpu_init(struct vcpu *vcpu)
{
    struct roi_vcpu *roi = g_new0(struct roi_vcpu, 1);
    pthread_mutex_init(&roi->lock, NULL);
    roi->regions = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    roi->marks = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    vcpu->roi = roi;
}

/*
 * The counter has this block's length added when the block starts, so the
 * instructions before the call are the counter minus what of the block has
 * not run yet. In a block translated before counting started the counter did
 * not move; the same formula then makes a region begun here count the rest of
 * the block, which no counter will.
 */
uint64_t roi_insns_before_call(const struct call_ctx *ctx)
{
    return vcpu_counters(ctx->vcpu_index)->insns - ctx->block_insns + ctx->block_index;
}

static struct region *region_get(struct vcpu *vcpu, uint64_t id, bool create)
{
    struct roi_vcpu *roi = vcpu->roi;
    struct region *r = g_hash_table_lookup(roi->regions, &id);
    if (r == NULL && create) {
        if (g_hash_table_size(roi->regions) >= MAX_IDS_PER_VCPU) {
            __atomic_add_fetch(&dropped_ids, 1, __ATOMIC_RELAXED);
            return NULL;
        }
        r = g_new0(struct region, 1);
        r->id = id;
        g_hash_table_insert(roi->regions, &r->id, r);
        report_trace_region_name(vcpu->output, vcpu->index, id);
    }
    return r;
}

unsigned roi_open(struct vcpu *vcpu, uint64_t id, uint64_t insns)
{
    request_counting();
    struct roi_vcpu *roi = vcpu->roi;
    uint64_t ts = now_ns();
    pthread_mutex_lock(&roi->lock);
    struct region *r = region_get(vcpu, id, true);
    bool opened = r != NULL && r->depth++ == 0;
    if (opened) {
        r->entries++;
        r->start_insns = insns;
        r->start_ns = ts;
    }
    unsigned depth = r ? r->depth : 0;
    pthread_mutex_unlock(&roi->lock);
    if (opened) {
        report_trace(vcpu->output, vcpu->index, 'B', "roi", id, ts, NULL, 0);
    }
    return depth;
}

enum roi_close_result roi_close(struct vcpu *vcpu, uint64_t id, uint64_t insns,
                                uint64_t *region_insns, uint64_t *region_ns)
{
    struct roi_vcpu *roi = vcpu->roi;
    uint64_t ts = now_ns();
    enum roi_close_result result = ROI_STILL_OPEN;
    pthread_mutex_lock(&roi->lock);
    struct region *r = region_get(vcpu, id, true);
    if (r == NULL) {
        result = ROI_NOT_TRACKED;
    } else if (r->depth == 0) {
        r->unmatched_ends++;
        result = ROI_UNMATCHED;
    } else if (--r->depth == 0) {
        *region_insns = insns - r->start_insns;
        *region_ns = ts - r->start_ns;
        r->insns += *region_insns;
        r->wall_ns += *region_ns;
        result = ROI_CLOSED;
    }
    pthread_mutex_unlock(&roi->lock);
    if (result == ROI_CLOSED) {
        report_trace(vcpu->output, vcpu->index, 'E', "roi", id, ts, "insns", *region_insns);
    }
    return result;
}

void roi_shift_start(struct vcpu *vcpu, uint64_t id, int64_t delta)
{
    struct roi_vcpu *roi = vcpu->roi;
    pthread_mutex_lock(&roi->lock);
    struct region *r = region_get(vcpu, id, false);
    if (r != NULL && r->depth > 0) {
        r->start_insns += (uint64_t)delta;
    }
    pthread_mutex_unlock(&roi->lock);
}

void builtin_roi_begin(struct call_ctx *ctx)
{
    /* The region starts after this call's own instruction. */
    unsigned depth = roi_open(ctx->vcpu, ctx->call.args[0], roi_insns_before_call(ctx) + 1);
    call_add_extra(ctx, "depth", depth);
}

void builtin_roi_end(struct call_ctx *ctx)
{
    uint64_t region_insns = 0, region_ns = 0;
    enum roi_close_result result = roi_close(ctx->vcpu, ctx->call.args[0],
                                             roi_insns_before_call(ctx), &region_insns,
                                             &region_ns);
    if (result == ROI_CLOSED) {
        call_add_extra(ctx, "insns", region_insns);
        call_add_extra(ctx, "wall_ns", region_ns);
    } else {
        call_add_extra(ctx, "unmatched", result == ROI_UNMATCHED);
    }
}

void builtin_mark(struct call_ctx *ctx)
{
    struct roi_vcpu *roi = ctx->vcpu->roi;
    uint64_t id = ctx->call.args[0], value = ctx->call.args[1];
    pthread_mutex_lock(&roi->lock);
    struct mark *m = g_hash_table_lookup(roi->marks, &id);
    if (m == NULL && g_hash_table_size(roi->marks) < MAX_IDS_PER_VCPU) {
        m = g_new0(struct mark, 1);
        g_hash_table_insert(roi->marks, g_memdup2(&id, sizeof id), m);
    } else if (m == NULL) {
        __atomic_add_fetch(&dropped_ids, 1, __ATOMIC_RELAXED);
    }
    if (m != NULL) {
        m->count++;
        m->last_value = value;
    }
    pthread_mutex_unlock(&roi->lock);
    report_trace(ctx->vcpu->output, ctx->vcpu_index, 'i', "mark", id, now_ns(), "value", value);
}

/* Instructions the vCPU has executed, as best known from another thread. */
static uint64_t insns_now(struct vcpu *vcpu, const struct call_ctx *caller)
{
    if (caller != NULL && caller->vcpu == vcpu) {
        return roi_insns_before_call(caller);
    }
    return __atomic_load_n(&vcpu_counters(vcpu->index)->insns, __ATOMIC_RELAXED);
}

struct visit {
    void (*visit)(struct vcpu *vcpu, void *data);
    void *data;
};

static void visit_locked(struct vcpu *vcpu, void *data)
{
    const struct visit *v = data;
    if (vcpu->roi != NULL) {
        pthread_mutex_lock(&vcpu->roi->lock);
        v->visit(vcpu, v->data);
        pthread_mutex_unlock(&vcpu->roi->lock);
    }
}

/* Runs visit for every vCPU, holding that vCPU's lock. */
static void visit_vcpus(void (*visit)(struct vcpu *vcpu, void *data), void *data)
{
    struct visit v = {visit, data};
    vcpu_for_each(visit_locked, &v);
}

struct reset {
    const struct call_ctx *caller;
    uint64_t ts;
};

static void reset_vcpu(struct vcpu *vcpu, void *data)
{
    const struct reset *reset = data;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, vcpu->roi->regions);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct region *r = value;
        r->entries = r->depth > 0 ? 1 : 0;
        r->insns = r->wall_ns = r->unmatched_ends = 0;
        r->start_insns = insns_now(vcpu, reset->caller);
        r->start_ns = reset->ts;
    }
    g_hash_table_remove_all(vcpu->roi->marks);
}

void builtin_stats_reset(struct call_ctx *ctx)
{
    struct reset reset = {ctx, now_ns()};
    visit_vcpus(reset_vcpu, &reset);
}

void builtin_stats_dump(struct call_ctx *ctx)
{
    struct run_snapshot snap;
    commands.take_snapshot(&snap, false);
    snap.row_limit = STATS_DUMP_ROWS;
    unsigned int dump = report_stats(ctx->vcpu->output, ctx->vcpu_index, &snap);
    commands.free_snapshot(&snap);
    call_add_extra(ctx, "dump", dump);
}

struct snapshot {
    GArray *rows;
    const struct call_ctx *caller;
    uint64_t ts;
    bool at_exit;
};

static void snapshot_vcpu(struct vcpu *vcpu, void *data)
{
    struct snapshot *snap = data;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, vcpu->roi->regions);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        const struct region *r = value;
        struct roi_row row = {
            .id = r->id, .vcpu = vcpu->index, .entries = r->entries,
            .insns = r->insns, .wall_ns = r->wall_ns,
            .unmatched_ends = r->unmatched_ends, .open = r->depth > 0,
        };
        if (r->depth > 0) {
            row.insns += insns_now(vcpu, snap->caller) - r->start_insns;
            row.wall_ns += snap->ts - r->start_ns;
            if (snap->at_exit) {
                report_trace(vcpu->output, vcpu->index, 'E', "roi", r->id, snap->ts,
                             "open_at_exit", 1);
            }
        }
        g_array_append_val(snap->rows, row);
    }
}

static gint compare_roi_rows(gconstpointer a, gconstpointer b)
{
    const struct roi_row *x = a, *y = b;
    if (x->id != y->id) {
        return x->id < y->id ? -1 : 1;
    }
    return x->vcpu < y->vcpu ? -1 : x->vcpu > y->vcpu;
}

static gint compare_mark_rows(gconstpointer a, gconstpointer b)
{
    const struct mark_row *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

GArray *roi_snapshot(bool at_exit)
{
    struct snapshot snap = {g_array_new(FALSE, TRUE, sizeof(struct roi_row)),
                            call_current(), now_ns(), at_exit};
    visit_vcpus(snapshot_vcpu, &snap);
    g_array_sort(snap.rows, compare_roi_rows);
    return snap.rows;
}

/* Marks are summed over vCPUs by id. */
static void sum_marks(struct vcpu *vcpu, void *data)
{
    GHashTable *by_id = data;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, vcpu->roi->marks);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const struct mark *m = value;
        struct mark_row *row = g_hash_table_lookup(by_id, key);
        if (row == NULL) {
            row = g_new0(struct mark_row, 1);
            row->id = *(uint64_t *)key;
            g_hash_table_insert(by_id, &row->id, row);
        }
        row->count += m->count;
        row->last_value = m->last_value;
    }
}

GArray *roi_marks_snapshot(void)
{
    GHashTable *by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    visit_vcpus(sum_marks, by_id);
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(struct mark_row));
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, by_id);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        g_array_append_val(rows, *(struct mark_row *)value);
    }
    g_hash_table_destroy(by_id);
    g_array_sort(rows, compare_mark_rows);
    return rows;
}

uint64_t roi_dropped_ids(void)
{
    return __atomic_load_n(&dropped_ids, __ATOMIC_RELAXED);
}
