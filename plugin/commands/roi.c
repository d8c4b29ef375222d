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
 * id nests by depth, different ids overlap freely. Machine regions
 * (roi_begin_machine, what the guest command opens from a shell script)
 * count every vCPU's instructions: a region whose begin and end come from
 * two short-lived processes, around the work of a third, means the machine.
 * Each vCPU's tables have a lock of their own, taken by that vCPU on each
 * region call and by others only for statistics snapshots and resets;
 * marks take none (commands/marks.h).
 */
#include "commands/roi.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "commands/builtins.h"
#include "commands/commands.h"
#include "commands/marks.h"
#include "commands/threads.h"
#include "output/checkpoint_file.h"
#include "output/log.h"
#include "output/report.h"
#include "qemu/registers.h"

/* Rows of regions and of marks a statistics dump shows at most. */
#define STATS_DUMP_ROWS 256

/* Distinct ids a vCPU tracks; later ones are counted as dropped, so a guest
 * cannot grow the plugin's memory without bound. */
#define MAX_IDS_PER_VCPU 4096

struct region {
    uint64_t id;
    unsigned depth;
    uint64_t start_insns;
    uint64_t start_kernel;
    uint64_t kernel; /* the part of insns in kernel code */
    uint64_t start_ns;
    uint64_t entries;
    uint64_t insns;
    uint64_t wall_ns;
    uint64_t unmatched_ends;
};

/* The regions and marks of one vCPU, or, where threads are followed, of
 * one guest thread (commands/threads.h). */
struct roi_vcpu {
    struct vcpu *vcpu;           /* the vCPU's, or */
    struct guest_thread *thread; /* the thread's, or neither: the machine's */
    /* User mode: the guest thread, numbered in order of start; one that
     * runs on an index an earlier thread left has a trace process of its
     * own (own_track). */
    unsigned int serial;
    bool own_track;
    bool ended; /* its thread ended: open regions were counted to its end */
    pthread_mutex_t lock;
    char name[64];               /* name_thread's, "" if none */
    GHashTable *regions; /* id -> struct region */
    struct mark_table *marks;
    /* The vCPU's own container: its cache of the cells it marks in, in
     * whichever container (commands/marks.h). */
    struct mark_cache *mark_cache;
};

static uint64_t dropped_ids;

/* The machine's regions, made at the first roi_begin_machine. */
static struct roi_vcpu *machine_roi;
/* User mode: guest threads started so far, and the containers of those
 * that ended with something to report (under retired_lock). */
static unsigned int user_threads;
static pthread_mutex_t retired_lock = PTHREAD_MUTEX_INITIALIZER;
static GPtrArray *retired;

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

/*
 * A container starts with one shared empty table for its regions, and gets
 * a table of its own at its first region (and one of marks at its first
 * mark): a guest thread that only names itself (up to
 * max-threads of them, made at the guest's will) then costs a few hundred
 * bytes less. Nothing is ever inserted into the shared one, so it stays
 * empty and reads need no care.
 */
static GHashTable *no_ids;
static pthread_once_t no_ids_once = PTHREAD_ONCE_INIT;

static void make_no_ids(void)
{
    no_ids = g_hash_table_new(g_int64_hash, g_int64_equal);
}

/* Caller holds the container's lock. */
static GHashTable *own_regions(struct roi_vcpu *roi)
{
    if (roi->regions == no_ids) {
        roi->regions = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    }
    return roi->regions;
}

/* The container's marks, made at its first mark; vCPUs racing to make
 * them agree on one. */
static struct mark_table *marks_of(struct roi_vcpu *roi)
{
    struct mark_table *marks = __atomic_load_n(&roi->marks, __ATOMIC_ACQUIRE);
    if (marks == NULL) {
        struct mark_table *fresh = mark_table_new(MAX_IDS_PER_VCPU);
        if (__atomic_compare_exchange_n(&roi->marks, &marks, fresh, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            marks = fresh;
        } else {
            mark_table_free(fresh);
        }
    }
    return marks;
}

static struct roi_vcpu *roi_new(void)
{
    pthread_once(&no_ids_once, make_no_ids);
    struct roi_vcpu *roi = g_new0(struct roi_vcpu, 1);
    pthread_mutex_init(&roi->lock, NULL);
    roi->regions = no_ids;
    return roi;
}

/* Restored vCPUs' containers (roi_state_restore), by index, until their
 * vCPU starts. */
static GHashTable *restored_vcpus;

void roi_vcpu_init(struct vcpu *vcpu)
{
    unsigned int index = vcpu->index;
    struct roi_vcpu *roi = restored_vcpus != NULL ? g_hash_table_lookup(restored_vcpus, &index)
                                                  : NULL;
    if (roi != NULL) {
        g_hash_table_remove(restored_vcpus, &index); /* frees the key only */
    } else {
        roi = roi_new();
    }
    roi->vcpu = vcpu;
    roi->serial = __atomic_fetch_add(&user_threads, 1, __ATOMIC_RELAXED);
    vcpu->roi = roi;
}

/* The vCPU's container holds something the end must report. */
static bool has_results(struct roi_vcpu *roi)
{
    pthread_mutex_lock(&roi->lock);
    bool any = g_hash_table_size(roi->regions) != 0 ||
               mark_table_ids(__atomic_load_n(&roi->marks, __ATOMIC_ACQUIRE)) != 0 ||
               roi->name[0] != '\0';
    pthread_mutex_unlock(&roi->lock);
    return any;
}

void roi_vcpu_new_thread(struct vcpu *vcpu)
{
    struct roi_vcpu *old = vcpu->roi;
    unsigned int serial = __atomic_fetch_add(&user_threads, 1, __ATOMIC_RELAXED);
    if (!has_results(old)) {
        /* Nothing of the thread that left: the newcomer takes it over. */
        old->serial = serial;
        old->own_track = true;
        return;
    }
    /* Regions the thread left open count to its end: the vCPU's counters
     * stand where the thread left them, and are the newcomer's from now. */
    const struct vcpu_counters *c = vcpu_counters(vcpu->index);
    uint64_t ts = now_ns();
    pthread_mutex_lock(&old->lock);
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, old->regions);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct region *r = value;
        if (r->depth > 0) {
            r->insns += c->insns - r->start_insns;
            r->kernel += c->insns_kernel - r->start_kernel;
            r->wall_ns += ts - r->start_ns;
        }
    }
    old->ended = true;
    pthread_mutex_unlock(&old->lock);
    pthread_mutex_lock(&retired_lock);
    if (retired == NULL) {
        retired = g_ptr_array_new();
    }
    g_ptr_array_add(retired, old);
    pthread_mutex_unlock(&retired_lock);
    struct roi_vcpu *roi = roi_new();
    roi->vcpu = vcpu;
    roi->serial = serial;
    roi->own_track = true;
    /* The vCPU's cache goes on with it: tables outlive their threads. */
    roi->mark_cache = old->mark_cache;
    old->mark_cache = NULL;
    __atomic_store_n(&vcpu->roi, roi, __ATOMIC_RELEASE);
}

/* The trace process of a container's regions and marks: its guest
 * thread's, or its vCPU's. */
static uint64_t trace_track(const struct roi_vcpu *roi)
{
    if (roi->thread != NULL) {
        return report_trace_thread_track(roi->thread->id);
    }
    if (roi->vcpu == NULL) {
        return report_trace_machine_track();
    }
    return roi->own_track ? report_trace_thread_track(roi->serial)
                          : report_trace_vcpu_track(roi->vcpu->index);
}

/* Names a container's trace process: by name_thread's name if it has one,
 * a guest thread also by its number and address space. */
static void name_track(struct output_vcpu *out, const struct roi_vcpu *roi, const char *name)
{
    if (!report_tracing(out)) {
        return; /* a guest thread naming itself by the million formats nothing */
    }
    char text[160];
    const struct guest_thread *t = roi->thread;
    if (t == NULL && roi->vcpu == NULL) {
        snprintf(text, sizeof text, "machine (every vCPU)");
    } else if (t == NULL && roi->own_track) {
        snprintf(text, sizeof text, "vCPU %u%s%s (thread %u)", roi->vcpu->index,
                 name[0] ? ": " : "", name, roi->serial);
    } else if (t == NULL) {
        snprintf(text, sizeof text, "vCPU %u%s%s", roi->vcpu->index, name[0] ? ": " : "",
                 name);
    } else if (name[0] != '\0') {
        snprintf(text, sizeof text, "%s (thread %u)", name, t->id);
    } else {
        snprintf(text, sizeof text, "thread %u (asid 0x%" PRIx64 ", tp 0x%" PRIx64 ")", t->id,
                 t->address_space, t->thread_pointer);
    }
    report_trace_track_name(out, trace_track(roi), text);
}

/* The regions of a thread (or, thread NULL, of the machine) made on first
 * use; vCPUs racing to make them agree on one. */
static struct roi_vcpu *install_container(struct roi_vcpu **slot, struct guest_thread *thread,
                                          struct vcpu *vcpu)
{
    struct roi_vcpu *fresh = roi_new(), *roi = NULL;
    fresh->thread = thread;
    if (__atomic_compare_exchange_n(slot, &roi, fresh, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        name_track(vcpu->output, fresh, "");
        return fresh;
    }
    /* Another vCPU made it first; fresh never got a table of its own. */
    pthread_mutex_destroy(&fresh->lock);
    g_free(fresh);
    return roi;
}

/* Where the calling code's regions live: its thread's, where threads are
 * followed (roi_insns_before_call has just named the thread), else its
 * vCPU's. */
static struct roi_vcpu *container(struct vcpu *vcpu)
{
    struct guest_thread *t = vcpu->thread;
    if (!threads_followed() || t == NULL) {
        return vcpu->roi;
    }
    struct roi_vcpu *roi = __atomic_load_n(&t->roi, __ATOMIC_ACQUIRE);
    if (roi == NULL) {
        if (!threads_keep(t)) {
            return vcpu->roi; /* max-threads threads have regions already */
        }
        roi = install_container(&t->roi, t, vcpu);
    }
    return roi;
}

/*
 * The counter has this block's length added when the block starts, so the
 * instructions before the call are the counter minus what of the block has
 * not run yet. In a block translated before counting started the counter did
 * not move; the same formula then makes a region begun here count the rest of
 * the block, which no counter will.
 */
/* Both counters just before the call; the kernel's moved for the call's
 * block only if it is kernel code (guest_kernel_address, as translation
 * decided). */
static struct insn_position vcpu_before_call(const struct call_ctx *ctx)
{
    const struct vcpu_counters *c = vcpu_counters(ctx->vcpu_index);
    uint64_t not_yet = ctx->block_insns - ctx->block_index;
    return (struct insn_position){
        c->insns - not_yet, c->insns_kernel - (guest_kernel_address(ctx->call.pc) ? not_yet : 0)};
}

static struct insn_position counts_before_call(const struct call_ctx *ctx)
{
    struct insn_position pos = vcpu_before_call(ctx);
    if (!threads_followed()) {
        return pos;
    }
    /* The thread's own counts: its stints on every vCPU. */
    struct guest_thread *t = threads_current(ctx->vcpu, pos);
    return threads_insns(t, ctx->vcpu, pos);
}

/* Makes the calling thread the vCPU's current one, for a call that needs
 * its container but no count: its own shard's lock is not taken, nor are
 * the counters of other vCPUs running the same thread read. */
static void find_caller(const struct call_ctx *ctx)
{
    if (threads_followed()) {
        threads_current(ctx->vcpu, vcpu_before_call(ctx));
    }
}

uint64_t roi_insns_before_call(const struct call_ctx *ctx)
{
    return counts_before_call(ctx).all;
}

struct roi_mark roi_mark_now(const struct call_ctx *ctx)
{
    struct insn_position pos = counts_before_call(ctx);
    return (struct roi_mark){pos, now_ns(), container(ctx->vcpu)};
}

static uint64_t kernel_now(struct roi_vcpu *roi, const struct call_ctx *caller);

static struct region *region_get(struct roi_vcpu *roi, struct vcpu *vcpu, uint64_t id,
                                 bool create)
{
    struct region *r = g_hash_table_lookup(roi->regions, &id);
    if (r == NULL && create) {
        if (g_hash_table_size(roi->regions) >= MAX_IDS_PER_VCPU) {
            __atomic_add_fetch(&dropped_ids, 1, __ATOMIC_RELAXED);
            return NULL;
        }
        r = g_new0(struct region, 1);
        r->id = id;
        g_hash_table_insert(own_regions(roi), &r->id, r);
        report_trace_region_name(vcpu->output, trace_track(roi), id);
    }
    return r;
}

static unsigned open_in(struct roi_vcpu *roi, struct vcpu *vcpu, uint64_t id, uint64_t insns)
{
    request_counting();
    uint64_t ts = now_ns();
    pthread_mutex_lock(&roi->lock);
    struct region *r = region_get(roi, vcpu, id, true);
    bool opened = r != NULL && r->depth++ == 0;
    if (opened) {
        r->entries++;
        r->start_insns = insns;
        r->start_kernel = kernel_now(roi, call_current());
        r->start_ns = ts;
    }
    unsigned depth = r ? r->depth : 0;
    pthread_mutex_unlock(&roi->lock);
    if (opened) {
        report_trace(vcpu->output, trace_track(roi), 'B', "roi", id, ts, NULL, 0);
    }
    return depth;
}

unsigned roi_open(struct vcpu *vcpu, uint64_t id, uint64_t insns)
{
    return open_in(container(vcpu), vcpu, id, insns);
}

static enum roi_close_result close_in(struct roi_vcpu *roi, struct vcpu *vcpu, uint64_t id,
                                      uint64_t insns, uint64_t *region_insns,
                                      uint64_t *region_ns)
{
    uint64_t ts = now_ns();
    enum roi_close_result result = ROI_STILL_OPEN;
    pthread_mutex_lock(&roi->lock);
    struct region *r = region_get(roi, vcpu, id, true);
    if (r == NULL) {
        result = ROI_NOT_TRACKED;
    } else if (r->depth == 0) {
        r->unmatched_ends++;
        result = ROI_UNMATCHED;
    } else if (--r->depth == 0) {
        *region_insns = insns - r->start_insns;
        *region_ns = ts - r->start_ns;
        r->insns += *region_insns;
        r->kernel += kernel_now(roi, call_current()) - r->start_kernel;
        r->wall_ns += *region_ns;
        result = ROI_CLOSED;
    }
    pthread_mutex_unlock(&roi->lock);
    if (result == ROI_CLOSED) {
        report_trace(vcpu->output, trace_track(roi), 'E', "roi", id, ts, "insns", *region_insns);
    }
    return result;
}

enum roi_close_result roi_close(struct vcpu *vcpu, uint64_t id, uint64_t insns,
                                uint64_t *region_insns, uint64_t *region_ns)
{
    return close_in(container(vcpu), vcpu, id, insns, region_insns, region_ns);
}

void roi_shift_start(struct vcpu *vcpu, uint64_t id, int64_t delta)
{
    struct roi_vcpu *roi = container(vcpu);
    pthread_mutex_lock(&roi->lock);
    struct region *r = region_get(roi, vcpu, id, false);
    if (r != NULL && r->depth > 0) {
        r->start_insns += (uint64_t)delta;
    }
    pthread_mutex_unlock(&roi->lock);
}

struct roi_mark roi_exclude_since(const struct call_ctx *ctx, struct roi_mark since)
{
    struct roi_mark now = roi_mark_now(ctx);
    struct roi_vcpu *roi = container(ctx->vcpu);
    pthread_mutex_lock(&roi->lock);
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, roi->regions);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct region *r = value;
        if (r->depth > 0) {
            r->start_insns += now.pos.all - since.pos.all;
            r->start_kernel += now.pos.kernel - since.pos.kernel;
            r->start_ns += now.ns - since.ns;
        }
    }
    pthread_mutex_unlock(&roi->lock);
    return now;
}

void builtin_roi_begin(struct call_ctx *ctx)
{
    /* The region starts after this call's own instruction. */
    unsigned depth = roi_open(ctx->vcpu, ctx->call.args[0], roi_insns_before_call(ctx) + 1);
    call_add_extra(ctx, "depth", depth);
}

static void add_close_extras(struct call_ctx *ctx, enum roi_close_result result,
                         uint64_t region_insns, uint64_t region_ns)
{
    if (result == ROI_CLOSED) {
        call_add_extra(ctx, "insns", region_insns);
        call_add_extra(ctx, "wall_ns", region_ns);
    } else {
        call_add_extra(ctx, "unmatched", result == ROI_UNMATCHED);
    }
}

void builtin_roi_end(struct call_ctx *ctx)
{
    uint64_t region_insns = 0, region_ns = 0;
    enum roi_close_result result = roi_close(ctx->vcpu, ctx->call.args[0],
                                             roi_insns_before_call(ctx), &region_insns,
                                             &region_ns);
    add_close_extras(ctx, result, region_insns, region_ns);
}

struct machine_sum {
    const struct call_ctx *caller;
    struct insn_position n;
};

static void add_vcpu_counts(struct vcpu *vcpu, void *data)
{
    struct machine_sum *sum = data;
    struct insn_position pos;
    if (sum->caller != NULL && sum->caller->vcpu == vcpu) {
        pos = vcpu_before_call(sum->caller);
    } else {
        const struct vcpu_counters *c = vcpu_counters(vcpu->index);
        pos = (struct insn_position){__atomic_load_n(&c->insns, __ATOMIC_RELAXED),
                                     __atomic_load_n(&c->insns_kernel, __ATOMIC_RELAXED)};
    }
    sum->n.all += pos.all;
    sum->n.kernel += pos.kernel;
}

/* Every vCPU's counters: the caller's exactly at its call, the others' as
 * far as they have run (their blocks' lengths are added as blocks start). */
static struct insn_position machine_counts(const struct call_ctx *caller)
{
    struct machine_sum sum = {caller, {0, 0}};
    vcpu_for_each(add_vcpu_counts, &sum);
    return sum.n;
}

static struct roi_vcpu *machine_container(struct vcpu *vcpu)
{
    struct roi_vcpu *roi = __atomic_load_n(&machine_roi, __ATOMIC_ACQUIRE);
    if (roi == NULL) {
        roi = install_container(&machine_roi, NULL, vcpu);
    }
    return roi;
}

void builtin_roi_begin_machine(struct call_ctx *ctx)
{
    /* The region starts after this call's own instruction. */
    uint64_t insns = machine_counts(ctx).all + 1;
    unsigned depth = open_in(machine_container(ctx->vcpu), ctx->vcpu, ctx->call.args[0], insns);
    call_add_extra(ctx, "depth", depth);
}

void builtin_roi_end_machine(struct call_ctx *ctx)
{
    uint64_t region_insns = 0, region_ns = 0;
    enum roi_close_result result =
        close_in(machine_container(ctx->vcpu), ctx->vcpu, ctx->call.args[0],
                 machine_counts(ctx).all, &region_insns, &region_ns);
    add_close_extras(ctx, result, region_insns, region_ns);
}

void builtin_mark(struct call_ctx *ctx)
{
    find_caller(ctx);
    struct roi_vcpu *roi = container(ctx->vcpu);
    uint64_t id = ctx->call.args[0], value = ctx->call.args[1], ts = call_now(ctx);
    if (!mark_add(marks_of(roi), &ctx->vcpu->roi->mark_cache, ctx->vcpu_index, id, value, ts)) {
        __atomic_add_fetch(&dropped_ids, 1, __ATOMIC_RELAXED);
    }
    report_trace(ctx->vcpu->output, trace_track(roi), 'i', "mark", id, ts, "value", value);
}

/*
 * Where threads are followed, the guest's thread starts and ends are not
 * seen: Linux gives a thread that starts after another of its process
 * ended the same address space and, through glibc's cache of thread
 * stacks, the same TLS address, so the two have one key. A thread that
 * gives itself another name while it has regions, none of them open, is
 * taken for such a newcomer: what ran under the key so far keeps its rows
 * and name (docs/outputs.md, "Names").
 */
static bool is_successor(struct roi_vcpu *roi, const struct call_ctx *ctx, size_t len)
{
    if (roi->thread == NULL || roi->name[0] == '\0' || g_hash_table_size(roi->regions) == 0) {
        return false;
    }
    bool same = strlen(roi->name) == len;
    for (size_t i = 0; same && i < len; i++) {
        uint8_t c = ctx->call.data[i];
        same = roi->name[i] == (c >= 0x20 && c < 0x7f ? (char)c : '?');
    }
    if (same) {
        return false;
    }
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, roi->regions);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        if (((struct region *)value)->depth > 0) {
            return false;
        }
    }
    return true;
}

void builtin_name_thread(struct call_ctx *ctx)
{
    find_caller(ctx);
    struct roi_vcpu *roi = container(ctx->vcpu);
    size_t wanted = ctx->call.data_len < sizeof roi->name ? ctx->call.data_len
                                                          : sizeof roi->name - 1;
    pthread_mutex_lock(&roi->lock);
    bool successor = roi->thread == ctx->vcpu->thread && is_successor(roi, ctx, wanted);
    pthread_mutex_unlock(&roi->lock);
    if (successor) {
        threads_succeed(ctx->vcpu, roi->thread, vcpu_before_call(ctx));
        roi = container(ctx->vcpu);
    }
    size_t len = ctx->call.data_len < sizeof roi->name ? ctx->call.data_len
                                                       : sizeof roi->name - 1;
    pthread_mutex_lock(&roi->lock);
    /* Printable ASCII only: the name goes into text and JSON outputs. */
    for (size_t i = 0; i < len; i++) {
        uint8_t c = ctx->call.data[i];
        roi->name[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    roi->name[len] = '\0';
    char name[sizeof roi->name];
    memcpy(name, roi->name, sizeof name);
    pthread_mutex_unlock(&roi->lock);
    name_track(ctx->vcpu->output, roi, name);
    ctx->text = (const char *)ctx->call.data;
    ctx->text_len = len;
    ctx->call.result = len;
}

/* Both counts of the container's vCPU or thread up to now, as best known
 * from another thread (exactly, at the call's position, from the caller's). */
static struct insn_position counts_now(struct roi_vcpu *roi, const struct call_ctx *caller)
{
    struct guest_thread *t = roi->thread;
    if (t == NULL && roi->vcpu == NULL) {
        return machine_counts(caller);
    }
    if (caller != NULL && (t != NULL ? caller->vcpu->thread == t : caller->vcpu == roi->vcpu)) {
        return counts_before_call(caller);
    }
    if (t != NULL) {
        return threads_insns_now(t);
    }
    const struct vcpu_counters *c = vcpu_counters(roi->vcpu->index);
    return (struct insn_position){__atomic_load_n(&c->insns, __ATOMIC_RELAXED),
                                  __atomic_load_n(&c->insns_kernel, __ATOMIC_RELAXED)};
}

static uint64_t insns_now(struct roi_vcpu *roi, const struct call_ctx *caller)
{
    return counts_now(roi, caller).all;
}

static uint64_t kernel_now(struct roi_vcpu *roi, const struct call_ctx *caller)
{
    return counts_now(roi, caller).kernel;
}

struct visit {
    void (*visit)(struct roi_vcpu *roi, void *data);
    void *data;
};

static void visit_locked(struct roi_vcpu *roi, const struct visit *v)
{
    if (roi != NULL) {
        pthread_mutex_lock(&roi->lock);
        v->visit(roi, v->data);
        pthread_mutex_unlock(&roi->lock);
    }
}

static void visit_vcpu(struct vcpu *vcpu, void *data)
{
    visit_locked(__atomic_load_n(&vcpu->roi, __ATOMIC_ACQUIRE), data);
}

static void visit_thread(struct guest_thread *thread, void *data)
{
    visit_locked(__atomic_load_n(&thread->roi, __ATOMIC_ACQUIRE), data);
}

/* Runs visit for the regions of every vCPU and thread, holding each one's
 * lock. */
static void visit_all(void (*visit)(struct roi_vcpu *roi, void *data), void *data)
{
    struct visit v = {visit, data};
    pthread_mutex_lock(&retired_lock);
    guint n_retired = retired != NULL ? retired->len : 0;
    for (guint i = 0; i < n_retired; i++) {
        visit_locked(g_ptr_array_index(retired, i), &v);
    }
    pthread_mutex_unlock(&retired_lock);
    vcpu_for_each(visit_vcpu, &v);
    if (threads_followed()) {
        threads_for_each(visit_thread, &v);
    }
    visit_locked(__atomic_load_n(&machine_roi, __ATOMIC_ACQUIRE), &v);
}

struct reset {
    const struct call_ctx *caller;
    uint64_t ts;
};

static void reset_one(struct roi_vcpu *roi, void *data)
{
    const struct reset *reset = data;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, roi->regions);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct region *r = value;
        r->entries = r->depth > 0 ? 1 : 0;
        r->insns = r->wall_ns = r->unmatched_ends = r->kernel = 0;
        r->start_insns = insns_now(roi, reset->caller);
        r->start_kernel = kernel_now(roi, reset->caller);
        r->start_ns = reset->ts;
    }
    mark_table_reset(__atomic_load_n(&roi->marks, __ATOMIC_ACQUIRE));
}

void builtin_stats_reset(struct call_ctx *ctx)
{
    struct reset reset = {ctx, now_ns()};
    visit_all(reset_one, &reset);
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

static void snapshot_one(struct roi_vcpu *roi, void *data)
{
    struct snapshot *snap = data;
    struct guest_thread *t = roi->thread;
    /* A thread's row names the vCPU it runs on, or ran on last. */
    unsigned int vcpu = t != NULL          ? (unsigned)(t->vcpu >= 0 ? t->vcpu : t->last_vcpu)
                        : roi->vcpu != NULL ? roi->vcpu->index
                                            : 0;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, roi->regions);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        const struct region *r = value;
        struct roi_row row = {
            .id = r->id, .vcpu = vcpu, .entries = r->entries,
            .insns = r->insns, .insns_kernel = r->kernel, .wall_ns = r->wall_ns,
            .unmatched_ends = r->unmatched_ends, .open = r->depth > 0,
            .thread = t != NULL || (!commands.system_mode && roi->vcpu != NULL),
            .thread_id = t ? t->id : roi->serial, .context = t != NULL,
            .machine = t == NULL && roi->vcpu == NULL,
            .address_space = t ? t->address_space : 0,
            .thread_pointer = t ? t->thread_pointer : 0,
        };
        memcpy(row.name, roi->name, sizeof row.name);
        if (r->depth > 0) {
            if (!roi->ended) {
                row.insns += insns_now(roi, snap->caller) - r->start_insns;
                row.insns_kernel += kernel_now(roi, snap->caller) - r->start_kernel;
                row.wall_ns += snap->ts - r->start_ns;
            }
            struct vcpu *where = vcpu_get(vcpu);
            if (snap->at_exit && where != NULL) {
                report_trace(where->output, trace_track(roi), 'E', "roi", r->id, snap->ts,
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
    if (x->vcpu != y->vcpu) {
        return x->vcpu < y->vcpu ? -1 : 1;
    }
    return x->thread_id < y->thread_id ? -1 : x->thread_id > y->thread_id;
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
    visit_all(snapshot_one, &snap);
    g_array_sort(snap.rows, compare_roi_rows);
    return snap.rows;
}

/* Marks are summed over vCPUs and threads by id. */
static void sum_marks(struct roi_vcpu *roi, void *data)
{
    mark_table_sum(__atomic_load_n(&roi->marks, __ATOMIC_ACQUIRE), data);
}

GArray *roi_marks_snapshot(void)
{
    GHashTable *by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    visit_all(sum_marks, by_id);
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(struct mark_row));
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, by_id);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        const struct mark_total *total = value;
        struct mark_row row = {total->id, total->count, total->last_value};
        g_array_append_val(rows, row);
    }
    g_hash_table_destroy(by_id);
    g_array_sort(rows, compare_mark_rows);
    return rows;
}

uint64_t roi_dropped_ids(void)
{
    return __atomic_load_n(&dropped_ids, __ATOMIC_RELAXED);
}

/* The name as hex ("-" for none), so that no byte of it ends a line. */
static void put_name(GString *out, const char *name)
{
    if (name[0] == '\0') {
        g_string_append_c(out, '-');
    }
    checkpoint_hex_append(out, name, strlen(name));
}

struct save {
    GString *out;
    const struct roi_mark *waiting;
};

static void save_one(struct roi_vcpu *roi, void *data)
{
    const struct save *save = data;
    GString *out = save->out;
    if (roi->ended) {
        return; /* a user-mode thread that ended; checkpoints are system mode */
    }
    struct guest_thread *t = roi->thread;
    if (t != NULL) {
        g_string_append_printf(out, "thread %" PRIx64 " %" PRIx64 " ", t->address_space,
                               t->thread_pointer);
    } else if (roi->vcpu != NULL) {
        g_string_append_printf(out, "vcpu %u ", roi->vcpu->index);
    } else {
        g_string_append(out, "machine - ");
    }
    put_name(out, roi->name);
    g_string_append_c(out, '\n');
    const struct roi_mark *w = save->waiting;
    bool held = w != NULL && w->regions == roi;
    uint64_t ts = held ? w->ns : now_ns();
    struct insn_position now = held ? w->pos : counts_now(roi, NULL);
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, roi->regions);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        const struct region *r = value;
        bool open = r->depth > 0;
        /* The open entry's part apart: its roi_end in the restored run
         * reports the whole entry. */
        g_string_append_printf(out, "region %" PRIu64 " %u %" PRIu64 " %" PRIu64 " %" PRIu64
                               " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                               "\n", r->id, r->depth, r->entries, r->insns, r->kernel,
                               r->wall_ns, r->unmatched_ends,
                               open ? now.all - r->start_insns : 0,
                               open ? now.kernel - r->start_kernel : 0,
                               open ? ts - r->start_ns : 0);
    }
    mark_table_save(__atomic_load_n(&roi->marks, __ATOMIC_ACQUIRE), out);
}

void roi_state_save(GString *out, const struct roi_mark *waiting)
{
    struct save save = {out, waiting};
    visit_all(save_one, &save);
}

static bool read_name(const char *hex, char *name, size_t size)
{
    name[0] = '\0';
    if (strcmp(hex, "-") == 0) {
        return true;
    }
    GByteArray *bytes = checkpoint_hex_decode(hex);
    bool ok = bytes != NULL && bytes->len < size && memchr(bytes->data, 0, bytes->len) == NULL;
    if (ok) {
        memcpy(name, bytes->data, bytes->len);
        name[bytes->len] = '\0';
    }
    if (bytes != NULL) {
        g_byte_array_free(bytes, TRUE);
    }
    return ok;
}

/* The container a restored line names, made now (a vCPU's waits for it). */
static struct roi_vcpu *restored_container(const char *kind, const char *rest)
{
    char a[40], b[40], hex[160];
    struct roi_vcpu *roi = roi_new();
    bool ok = false;
    if (strcmp(kind, "machine") == 0 && sscanf(rest, "%39s %159s", a, hex) == 2) {
        ok = __atomic_load_n(&machine_roi, __ATOMIC_ACQUIRE) == NULL;
        if (ok) {
            machine_roi = roi;
        }
    } else if (strcmp(kind, "vcpu") == 0 && sscanf(rest, "%39s %159s", a, hex) == 2) {
        unsigned int *index = g_new(unsigned int, 1);
        ok = sscanf(a, "%u", index) == 1 && index[0] < VCPU_TABLE_CHUNK * VCPU_TABLE_CHUNKS;
        if (ok) {
            if (restored_vcpus == NULL) {
                restored_vcpus = g_hash_table_new_full(g_int_hash, g_int_equal, g_free, NULL);
            }
            g_hash_table_replace(restored_vcpus, index, roi);
        } else {
            g_free(index);
        }
    } else if (strcmp(kind, "thread") == 0 && threads_followed() &&
               sscanf(rest, "%39s %39s %159s", a, b, hex) == 3) {
        uint64_t address_space, thread_pointer;
        ok = sscanf(a, "%" SCNx64, &address_space) == 1 &&
             sscanf(b, "%" SCNx64, &thread_pointer) == 1;
        struct guest_thread *t = ok ? threads_adopt(address_space, thread_pointer) : NULL;
        ok = t != NULL && t->roi == NULL;
        if (ok) {
            roi->thread = t;
            t->roi = roi;
        }
    }
    if (!ok || !read_name(hex, roi->name, sizeof roi->name)) {
        return NULL; /* the half-made container stays: install fails anyway */
    }
    return roi;
}

bool roi_state_restore(const char *text, bool *open_regions, char *err, size_t err_size)
{
    struct roi_vcpu *roi = NULL;
    *open_regions = false;
    gchar **lines = g_strsplit(text, "\n", -1);
    bool ok = true;
    for (gchar **l = lines; ok && *l != NULL; l++) {
        char kind[16];
        int used = 0;
        if ((*l)[0] == '\0' || sscanf(*l, "%15s %n", kind, &used) != 1) {
            continue;
        }
        const char *rest = *l + used;
        struct region r = {0};
        uint64_t open_insns, open_kernel, open_ns;
        if (strcmp(kind, "region") == 0) {
            ok = roi != NULL &&
                 sscanf(rest, "%" SCNu64 " %u %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
                        " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &r.id, &r.depth,
                        &r.entries, &r.insns, &r.kernel, &r.wall_ns, &r.unmatched_ends,
                        &open_insns, &open_kernel, &open_ns) == 10 &&
                 g_hash_table_size(roi->regions) < MAX_IDS_PER_VCPU;
            if (ok) {
                /* Counters start at 0 in this run, as do the thread's: an
                 * open entry began that far before them (unsigned, so
                 * the difference at its end is right). */
                r.start_insns = 0 - open_insns;
                r.start_kernel = 0 - open_kernel;
                r.start_ns = now_ns() - open_ns;
                *open_regions |= r.depth > 0;
                struct region *copy = g_memdup2(&r, sizeof r);
                g_hash_table_insert(own_regions(roi), &copy->id, copy);
            }
        } else if (strcmp(kind, "mark") == 0) {
            ok = roi != NULL && mark_table_restore(marks_of(roi), rest);
        } else if (strcmp(kind, "thread") == 0 && !threads_followed()) {
            snprintf(err, err_size, "it holds regions of guest threads, and this run keeps "
                     "regions by vCPU: restore it without regions-by=vcpu");
            ok = false;
            break;
        } else if (strcmp(kind, "vcpu") == 0 || strcmp(kind, "thread") == 0 ||
                   strcmp(kind, "machine") == 0) {
            ok = (roi = restored_container(kind, rest)) != NULL;
        } else {
            continue; /* another part's line (commands/checkpoint.c) */
        }
        if (!ok) {
            snprintf(err, err_size, "its regions cannot be read at: %.80s", *l);
        }
    }
    g_strfreev(lines);
    if (ok && *open_regions) {
        roi_counting_started();
    }
    return ok;
}
