/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Summary: per-vCPU counters are summed here, at exit or on a stats dump, so
 * the call path never touches shared counters.
 */
#include "summary.h"

#include <inttypes.h>
#include <stdio.h>

#include "builtins.h"
#include "options.h"
#include "output.h"
#include "roi.h"
#include "state.h"

static void sum_counters(struct call_counters *total, GHashTable *user_commands)
{
    int n = qemu_plugin_num_vcpus();
    for (int v = 0; v < n; v++) {
        const struct vcpu_state *vs = vcpu_state((unsigned)v);
        if (!vs->ready) {
            continue;
        }
        const uint64_t *from = (const uint64_t *)&vs->counters;
        uint64_t *to = (uint64_t *)total;
        for (size_t i = 0; i < sizeof *total / sizeof(uint64_t); i++) {
            to[i] += from[i];
        }
        if (vs->user_commands != NULL) {
            GHashTableIter it;
            gpointer key, value;
            g_hash_table_iter_init(&it, vs->user_commands);
            while (g_hash_table_iter_next(&it, &key, &value)) {
                uint64_t before = GPOINTER_TO_SIZE(g_hash_table_lookup(user_commands, key));
                g_hash_table_insert(user_commands, key,
                                    GSIZE_TO_POINTER(before + GPOINTER_TO_SIZE(value)));
            }
        }
    }
}

/* Seed calls counted inline were dispatched with no handler to take them. */
static void fold_inline_counts(struct call_counters *c)
{
    for (int type = 0; type < 2; type++) {
        for (int i8 = 0; i8 < 256; i8++) {
            uint64_t n = c->seed_inline[type][i8];
            c->seed[type][i8] += n;
            c->by_type[type] += n;
            c->by_path[PATH_TRANSLATION] += n;
            c->by_status[BACKDOOR_STATUS_UNHANDLED] += n;
        }
    }
}

static gint compare_keys(gconstpointer a, gconstpointer b)
{
    guint x = GPOINTER_TO_UINT(*(gconstpointer *)a);
    guint y = GPOINTER_TO_UINT(*(gconstpointer *)b);
    return x < y ? -1 : x > y;
}

static void append_calls(GString *out, const struct call_counters *c,
                         GHashTable *user_commands)
{
    uint64_t dispatched = 0;
    for (int t = 0; t < 5; t++) {
        dispatched += c->by_type[t];
    }
    g_string_append_printf(out,
        "calls dispatched: %" PRIu64 " (decoded at translation: %" PRIu64
        ", of which %" PRIu64 " read arguments at run time; at run time: %" PRIu64 ")\n",
        dispatched, c->by_path[PATH_TRANSLATION] + c->by_path[PATH_MIXED],
        c->by_path[PATH_MIXED], c->by_path[PATH_RUNTIME]);
    if (dispatched > 0) {
        g_string_append_printf(out, "  %-7s %-14s %12s\n", "type", "command", "calls");
    }
    for (int t = 0; t < 2; t++) {
        for (int i = 0; i < 256; i++) {
            if (c->seed[t][i] != 0) {
                g_string_append_printf(out, "  %-7s %-14d %12" PRIu64 "\n",
                                       t == 0 ? "i8" : "i8_v32", i, c->seed[t][i]);
            }
        }
    }
    for (unsigned cmd = 0; cmd < OPTIONS_BUILTIN_LIMIT; cmd++) {
        if (c->builtin[cmd] != 0) {
            const char *name = builtin_name(cmd);
            char number[16];
            if (name == NULL) {
                snprintf(number, sizeof number, "0x%04x", cmd);
                name = number;
            }
            g_string_append_printf(out, "  %-7s %-14s %12" PRIu64 "\n", "builtin",
                                   name, c->builtin[cmd]);
        }
    }
    GList *keys = g_hash_table_get_keys(user_commands);
    GPtrArray *sorted = g_ptr_array_new();
    for (GList *k = keys; k != NULL; k = k->next) {
        g_ptr_array_add(sorted, k->data);
    }
    g_ptr_array_sort(sorted, compare_keys);
    for (guint i = 0; i < sorted->len; i++) {
        gpointer key = g_ptr_array_index(sorted, i);
        g_string_append_printf(out, "  %-7s 0x%04x         %12" PRIu64 "\n", "handler",
                               GPOINTER_TO_UINT(key),
                               (uint64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(user_commands, key)));
    }
    g_ptr_array_free(sorted, TRUE);
    g_list_free(keys);
    g_string_append_printf(out,
        "ignored: %" PRIu64 " hypervisor probes (i8 = 0), %" PRIu64 " malformed requests\n",
        c->probes, c->malformed);
    g_string_append_printf(out,
        "failed: %" PRIu64 " denied by policy, %" PRIu64 " unhandled, %" PRIu64
        " bad buffer address, %" PRIu64 " over max-buffer, %" PRIu64
        " receive without memory writes, %" PRIu64 " wrong request type, %" PRIu64
        " send without memory reads\n",
        c->by_status[BACKDOOR_STATUS_DENIED], c->by_status[BACKDOOR_STATUS_UNHANDLED],
        c->by_status[BACKDOOR_STATUS_FAULT], c->by_status[BACKDOOR_STATUS_TOO_BIG],
        c->by_status[BACKDOOR_STATUS_NO_WRITE], c->by_status[BACKDOOR_STATUS_INVALID],
        c->by_status[BACKDOOR_STATUS_NO_READ]);
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

struct roi_snapshot summary_take_snapshot(bool at_exit)
{
    struct roi_snapshot snap = {roi_snapshot(at_exit), roi_marks_snapshot(), at_exit};
    g_array_sort(snap.regions, compare_roi_rows);
    g_array_sort(snap.marks, compare_mark_rows);
    return snap;
}

void summary_free_snapshot(struct roi_snapshot *snap)
{
    g_array_free(snap->regions, TRUE);
    g_array_free(snap->marks, TRUE);
}

static void append_regions(GString *out, const struct roi_snapshot *snap)
{
    GArray *rows = snap->regions;
    bool at_exit = snap->at_exit;
    if (rows->len > 0) {
        g_string_append_printf(out, "regions of interest:\n  %-8s %5s %9s %16s %12s  %s\n",
                               "id", "vcpu", "entries", "instructions", "wall ms",
                               "notes");
    }
    for (guint i = 0; i < rows->len; i++) {
        const struct roi_row *r = &g_array_index(rows, struct roi_row, i);
        g_string_append_printf(out, "  %-8" PRIu64 " %5u %9" PRIu64 " %16" PRIu64
                               " %12.3f  ", r->id, r->vcpu, r->entries, r->insns,
                               (double)r->wall_ns / 1e6);
        if (r->open) {
            g_string_append(out, at_exit ? "open at exit " : "open ");
        }
        if (r->unmatched_ends != 0) {
            g_string_append_printf(out, "%" PRIu64 " end without begin", r->unmatched_ends);
        }
        g_string_append_c(out, '\n');
    }

    GArray *marks = snap->marks;
    if (marks->len > 0) {
        g_string_append_printf(out, "marks:\n  %-8s %12s %20s\n", "id", "count", "last value");
    }
    for (guint i = 0; i < marks->len; i++) {
        const struct mark_row *m = &g_array_index(marks, struct mark_row, i);
        g_string_append_printf(out, "  %-8" PRIu64 " %12" PRIu64 " %20" PRIu64 "\n",
                               m->id, m->count, m->last_value);
    }
    if (roi_dropped_ids() != 0) {
        g_string_append_printf(out, "region/mark ids over the per-vCPU limit, not tracked: %"
                               PRIu64 "\n", roi_dropped_ids());
    }
}

GString *summary_build(const char *title, const struct roi_snapshot *snap)
{
    GString *out = g_string_new(NULL);
    struct call_counters total = {0};
    GHashTable *user_commands = g_hash_table_new(NULL, NULL);
    sum_counters(&total, user_commands);
    fold_inline_counts(&total);
    g_string_append_printf(out, "== backdoor %s: target %s, %s mode, QEMU plugin API %d ==\n",
                           title, bd.target, bd.system_mode ? "system" : "user", bd.api);
    append_calls(out, &total, user_commands);
    append_regions(out, snap);
    g_hash_table_destroy(user_commands);
    return out;
}

void summary_regions_json(struct text *out, const struct roi_snapshot *snap)
{
    GArray *rows = snap->regions;
    text_lit(out, "\"regions\":[");
    for (guint i = 0; i < rows->len; i++) {
        const struct roi_row *r = &g_array_index(rows, struct roi_row, i);
        text_str(out, i ? ",{\"id\":" : "{\"id\":");
        json_u64(out, r->id);
        text_lit(out, ",\"vcpu\":");
        json_u64(out, r->vcpu);
        text_lit(out, ",\"entries\":");
        json_u64(out, r->entries);
        text_lit(out, ",\"insns\":");
        json_u64(out, r->insns);
        text_lit(out, ",\"wall_ns\":");
        json_u64(out, r->wall_ns);
        text_lit(out, ",\"unmatched_ends\":");
        json_u64(out, r->unmatched_ends);
        text_str(out, r->open ? ",\"open\":true}" : ",\"open\":false}");
    }
    GArray *marks = snap->marks;
    text_lit(out, "],\"marks\":[");
    for (guint i = 0; i < marks->len; i++) {
        const struct mark_row *m = &g_array_index(marks, struct mark_row, i);
        text_str(out, i ? ",{\"id\":" : "{\"id\":");
        json_u64(out, m->id);
        text_lit(out, ",\"count\":");
        json_u64(out, m->count);
        text_lit(out, ",\"last_value\":");
        json_u64(out, m->last_value);
        text_char(out, '}');
    }
    text_char(out, ']');
}
