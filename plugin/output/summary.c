/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The human-readable summary and the regions and marks as JSON members, from
 * a snapshot of the run taken by the caller.
 */
#include "output/summary.h"

#include <inttypes.h>
#include <stdio.h>

#include "output/json.h"

static gint compare_keys(gconstpointer a, gconstpointer b)
{
    guint x = GPOINTER_TO_UINT(*(gconstpointer *)a);
    guint y = GPOINTER_TO_UINT(*(gconstpointer *)b);
    return x < y ? -1 : x > y;
}

static gint compare_pointers(gconstpointer a, gconstpointer b)
{
    gsize x = GPOINTER_TO_SIZE(a), y = GPOINTER_TO_SIZE(b);
    return x < y ? -1 : x > y;
}

/* ,"key":value — the summary's JSON members, not on any call path. */
static void field_u64(struct text *out, const char *key, uint64_t value)
{
    text_lit(out, ",\"");
    text_str(out, key);
    text_lit(out, "\":");
    json_u64(out, value);
}

static uint64_t dispatched(const struct call_counters *c)
{
    uint64_t n = 0;
    for (int t = 0; t < BACKDOOR_TYPE_COUNT; t++) {
        n += c->by_type[t];
    }
    return n;
}

static void append_calls(GString *out, const struct call_counters *c,
                         GHashTable *user_commands)
{
    uint64_t n = dispatched(c);
    g_string_append_printf(out,
        "calls dispatched: %" PRIu64 " (decoded at translation: %" PRIu64
        ", of which %" PRIu64 " read arguments at run time; at run time: %" PRIu64 ")\n",
        n, c->by_path[PATH_TRANSLATION] + c->by_path[PATH_MIXED],
        c->by_path[PATH_MIXED], c->by_path[PATH_RUNTIME]);
    if (n > 0) {
        g_string_append_printf(out, "  %-7s %-17s %12s\n", "type", "command", "calls");
    }
    for (int t = 0; t < 2; t++) {
        for (int i = 0; i < 256; i++) {
            if (c->seed[t][i] != 0) {
                g_string_append_printf(out, "  %-7s 0x%02x              %12" PRIu64 "\n",
                                       t == 0 ? "i8" : "i8_v32", i, c->seed[t][i]);
            }
        }
    }
    for (unsigned cmd = 0; cmd < BACKDOOR_USER_COMMAND_FIRST; cmd++) {
        if (c->builtin[cmd] != 0) {
            const char *name = backdoor_op_name(cmd);
            char number[16];
            if (name == NULL) {
                snprintf(number, sizeof number, "0x%04x", cmd);
                name = number;
            }
            g_string_append_printf(out, "  %-7s %-17s %12" PRIu64 "\n", "builtin",
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
        g_string_append_printf(out, "  %-7s 0x%04x            %12" PRIu64 "\n", "handler",
                               GPOINTER_TO_UINT(key),
                               (uint64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(user_commands, key)));
    }
    g_ptr_array_free(sorted, TRUE);
    g_list_free(keys);
    g_string_append_printf(out,
        "ignored: %" PRIu64 " hypervisor probes (i8 = 0), %" PRIu64 " malformed requests\n",
        c->probes, c->malformed);
    /* Only the statuses that happened: a clean run shows no failed line. */
    static const struct {
        enum backdoor_status status;
        const char *what;
    } failures[] = {
#define STATUS_LINE(NAME, name, error, doc) {BACKDOOR_STATUS_##NAME, doc},
        BACKDOOR_STATUSES(STATUS_LINE)
#undef STATUS_LINE
    };
    const char *sep = "failed: ";
    for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++) {
        uint64_t n = c->by_status[failures[i].status];
        /* A checkpoint's guest asks again while it is saved: no failure. */
        bool failed = failures[i].status != BACKDOOR_STATUS_OK &&
                      failures[i].status != BACKDOOR_STATUS_PENDING;
        if (failed && n != 0) {
            g_string_append_printf(out, "%s%" PRIu64 " %s", sep, n, failures[i].what);
            sep = ", ";
        }
    }
    if (*sep == ',') {
        g_string_append_c(out, '\n');
    }
}

/* The call counts as JSON, named as in backdoor/ops.h. */
static void calls_json(struct text *out, const struct run_snapshot *snap)
{
    const struct call_counters *c = &snap->calls;
    text_lit(out, "\"calls\":{\"dispatched\":");
    json_u64(out, dispatched(c));
    field_u64(out, "translation", c->by_path[PATH_TRANSLATION] + c->by_path[PATH_MIXED]);
    field_u64(out, "mixed", c->by_path[PATH_MIXED]);
    field_u64(out, "runtime", c->by_path[PATH_RUNTIME]);
    field_u64(out, "probes", c->probes);
    field_u64(out, "malformed", c->malformed);
    field_u64(out, "uncached_sites", snap->uncached_sites);
    text_lit(out, ",\"types\":{");
#define TYPE_COUNT(NAME, name, number, doc) \
    text_str(out, number ? ",\"" #name "\":" : "\"" #name "\":"); \
    json_u64(out, c->by_type[number]);
    BACKDOOR_TYPES(TYPE_COUNT)
#undef TYPE_COUNT
    text_lit(out, "},\"statuses\":{");
#define STATUS_COUNT(NAME, name, error, doc)                                      \
    text_str(out, BACKDOOR_STATUS_##NAME ? ",\"" #name "\":" : "\"" #name "\":"); \
    json_u64(out, c->by_status[BACKDOOR_STATUS_##NAME]);
    BACKDOOR_STATUSES(STATUS_COUNT)
#undef STATUS_COUNT
    text_lit(out, "}}");
    if (snap->valgrind) {
        text_lit(out, ",\"valgrind\":{\"honoured\":");
        json_u64(out, snap->valgrind_honoured);
        field_u64(out, "ignored", snap->valgrind_ignored);
        field_u64(out, "refused", snap->valgrind_refused);
        field_u64(out, "dropped_sites", snap->valgrind_dropped_sites);
        text_lit(out, ",\"ignored_by_request\":{");
        GList *keys = g_hash_table_get_keys(snap->valgrind_ignored_by_request);
        keys = g_list_sort(keys, (GCompareFunc)compare_pointers);
        for (GList *k = keys; k != NULL; k = k->next) {
            char key[32];
            snprintf(key, sizeof key, "%s\"0x%" PRIx64 "\":", k == keys ? "" : ",",
                     (uint64_t)GPOINTER_TO_SIZE(k->data));
            text_str(out, key);
            json_u64(out, GPOINTER_TO_SIZE(
                              g_hash_table_lookup(snap->valgrind_ignored_by_request, k->data)));
        }
        g_list_free(keys);
        text_lit(out, "}}");
    }
    if (snap->cpu_identity != NULL) {
        text_lit(out, ",\"cpu_identity\":{\"name\":");
        json_string(out, snap->cpu_identity, strlen(snap->cpu_identity));
        field_u64(out, "cpuid_answered", snap->cpuid_answered);
        field_u64(out, "xgetbv_answered", snap->xgetbv_answered);
        text_lit(out, "}");
    }
    if (snap->threads_followed) {
        text_lit(out, ",\"threads\":{\"seen\":");
        json_u64(out, snap->threads_seen);
        field_u64(out, "forgotten", snap->threads_forgotten);
        field_u64(out, "over_cap", snap->threads_over_cap);
        field_u64(out, "max", snap->max_threads);
        text_char(out, '}');
    }
}

/* A statistics dump shows a bounded number of rows: a guest looping on
 * stats_dump with thousands of regions must not write a megabyte a call. */
static guint shown_rows(const struct run_snapshot *snap, const GArray *rows)
{
    return snap->row_limit != 0 && rows->len > snap->row_limit ? snap->row_limit : rows->len;
}

GArray *summary_region_totals(const struct run_snapshot *snap)
{
    GArray *totals = g_array_new(FALSE, TRUE, sizeof(struct roi_total));
    for (guint i = 0; i < snap->regions->len; i++) {
        const struct roi_row *r = &g_array_index(snap->regions, struct roi_row, i);
        if (r->machine) {
            continue; /* a machine region is a total already */
        }
        struct roi_total *t = totals->len > 0
                                  ? &g_array_index(totals, struct roi_total, totals->len - 1)
                                  : NULL;
        if (t == NULL || t->id != r->id) {
            struct roi_total fresh = {.id = r->id};
            g_array_append_val(totals, fresh);
            t = &g_array_index(totals, struct roi_total, totals->len - 1);
        }
        t->vcpus++;
        t->entries += r->entries;
        t->insns += r->insns;
        t->insns_kernel += r->insns_kernel;
        t->wall_ns += r->wall_ns;
        t->unmatched_ends += r->unmatched_ends;
        t->open |= r->open;
    }
    return totals;
}

/* Regions used on several vCPUs (guest threads, in user mode) get a line
 * with their total after their rows. */
static void append_total(GString *out, const struct run_snapshot *snap, const GArray *totals,
                         guint last_row)
{
    const struct roi_row *r = &g_array_index(snap->regions, struct roi_row, last_row);
    bool id_ends = last_row + 1 == snap->regions->len ||
                   g_array_index(snap->regions, struct roi_row, last_row + 1).id != r->id;
    for (guint i = 0; id_ends && i < totals->len; i++) {
        const struct roi_total *t = &g_array_index(totals, struct roi_total, i);
        if (t->id == r->id && t->vcpus > 1) {
            g_string_append_printf(out, "  %-8" PRIu64 " %5s %9" PRIu64 " %16" PRIu64
                                   " %12.3f  total of %u\n", t->id, "all", t->entries, t->insns,
                                   (double)t->wall_ns / 1e6, t->vcpus);
        }
    }
}

static void append_regions(GString *out, const struct run_snapshot *snap)
{
    GArray *rows = snap->regions;
    bool at_exit = snap->at_exit;
    if (rows->len > 0) {
        g_string_append_printf(out, "regions of interest:\n  %-8s %5s %9s %16s %12s  %s\n",
                               "id", "vcpu", "entries", "instructions", "wall ms",
                               "notes");
    }
    guint shown = shown_rows(snap, rows);
    GArray *totals = summary_region_totals(snap);
    for (guint i = 0; i < shown; i++) {
        const struct roi_row *r = &g_array_index(rows, struct roi_row, i);
        char vcpu[16];
        snprintf(vcpu, sizeof vcpu, "%u", r->vcpu);
        g_string_append_printf(out, "  %-8" PRIu64 " %5s %9" PRIu64 " %16" PRIu64
                               " %12.3f  ", r->id, r->machine ? "-" : vcpu, r->entries,
                               r->insns, (double)r->wall_ns / 1e6);
        if (r->machine) {
            g_string_append(out, "machine (every vCPU) ");
        }
        /* User mode: the vCPU column names the thread well enough, save
         * for threads that reused an index (their names, their rows in
         * the event log and regions= tell them apart). */
        if (r->context) {
            g_string_append_printf(out, "thread %u ", r->thread_id);
        }
        if (r->name[0] != '\0') {
            g_string_append_printf(out, "\"%s\" ", r->name);
        }
        if (r->open) {
            g_string_append(out, at_exit ? "open at exit " : "open ");
        }
        if (r->unmatched_ends != 0) {
            g_string_append_printf(out, "%" PRIu64 " end without begin", r->unmatched_ends);
        }
        g_string_append_c(out, '\n');
        append_total(out, snap, totals, i);
    }
    g_array_free(totals, TRUE);

    GArray *marks = snap->marks;
    if (marks->len > 0) {
        g_string_append_printf(out, "marks:\n  %-8s %12s %20s\n", "id", "count", "last value");
    }
    guint shown_marks = shown_rows(snap, marks);
    for (guint i = 0; i < shown_marks; i++) {
        const struct mark_row *m = &g_array_index(marks, struct mark_row, i);
        g_string_append_printf(out, "  %-8" PRIu64 " %12" PRIu64 " %20" PRIu64 "\n",
                               m->id, m->count, m->last_value);
    }
    if (shown < rows->len || shown_marks < marks->len) {
        g_string_append_printf(out, "(%u region rows and %u mark rows not shown in this "
                               "dump; the summary at exit shows all)\n",
                               rows->len - shown, marks->len - shown_marks);
    }
    if (snap->uncached_sites != 0) {
        g_string_append_printf(out, "magic instructions decoded at run time only (site "
                               "table full): %" PRIu64 "\n", snap->uncached_sites);
    }
    if (snap->dropped_ids != 0) {
        g_string_append_printf(out, "region/mark ids over the per-vCPU limit, not tracked: %"
                               PRIu64 "\n", snap->dropped_ids);
    }
}

/* Said only when the table reached its bound: then some of the guest's
 * threads were forgotten or counted with their vCPU. */
static void append_threads(GString *out, const struct run_snapshot *snap)
{
    if (!snap->threads_followed ||
        (snap->threads_forgotten == 0 && snap->threads_over_cap == 0)) {
        return;
    }
    g_string_append_printf(out, "guest threads: %" PRIu64 " seen, %" PRIu64 " idle ones "
                           "forgotten (max-threads=%u)", snap->threads_seen,
                           snap->threads_forgotten, snap->max_threads);
    if (snap->threads_over_cap != 0) {
        g_string_append_printf(out, ", %" PRIu64 " counted their regions with their vCPU "
                               "(max-threads threads had regions)", snap->threads_over_cap);
    }
    g_string_append_c(out, '\n');
}

/* Request numbers and counts, "0x1301 x 3, ...", in number order. */
static void append_ignored(GString *out, GHashTable *by_request)
{
    GList *keys = g_hash_table_get_keys(by_request);
    keys = g_list_sort(keys, (GCompareFunc)compare_pointers);
    for (GList *k = keys; k != NULL; k = k->next) {
        g_string_append_printf(out, "%s0x%" PRIx64 " x %" PRIu64, k == keys ? " (" : ", ",
                               (uint64_t)GPOINTER_TO_SIZE(k->data),
                               (uint64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(by_request,
                                                                              k->data)));
    }
    if (keys != NULL) {
        g_string_append_c(out, ')');
    }
    g_list_free(keys);
}

static void append_cpu_identity(GString *out, const struct run_snapshot *snap)
{
    if (snap->cpu_identity == NULL) {
        return;
    }
    if (strcmp(snap->cpu_identity, "valgrind") != 0) {
        g_string_append_printf(out, "cpu identity: %s\n", snap->cpu_identity);
        return;
    }
    g_string_append_printf(out, "cpu identity: valgrind (Valgrind 3.19's amd64 CPU, "
                           "Intel Core i7-4910MQ): %" PRIu64 " CPUID and %" PRIu64
                           " XGETBV answered\n", snap->cpuid_answered, snap->xgetbv_answered);
}

static void append_valgrind(GString *out, const struct run_snapshot *snap)
{
    append_cpu_identity(out, snap);
    if (!snap->valgrind) {
        return;
    }
    g_string_append_printf(out, "valgrind client requests: %" PRIu64 " honoured, %" PRIu64
                           " ignored", snap->valgrind_honoured, snap->valgrind_ignored);
    append_ignored(out, snap->valgrind_ignored_by_request);
    if (snap->valgrind_refused != 0) {
        g_string_append_printf(out, ", %" PRIu64 " refused by policy", snap->valgrind_refused);
    }
    g_string_append_c(out, '\n');
    if (snap->valgrind_dropped_sites != 0) {
        g_string_append_printf(out, "valgrind sequences not instrumented (site table full): %"
                               PRIu64 "\n", snap->valgrind_dropped_sites);
    }
}

static void append_checkpoints(GString *out, const struct checkpoint_stats *c)
{
    if (c->restored_from != NULL) {
        g_string_append_printf(out, "restored from checkpoint %s\n", c->restored_from);
    }
    if (c->dir != NULL) {
        g_string_append_printf(out, "checkpoints into %s: %" PRIu64 " saved%s%s, %" PRIu64
                               " failed%s%s\n", c->dir, c->saved,
                               c->last_saved[0] ? ", the last " : "", c->last_saved, c->failed,
                               c->last_error[0] ? ", the last because: " : "", c->last_error);
    }
}

static void append_files(GString *out, const struct files_stats *f)
{
    if (f->readfile != NULL) {
        g_string_append_printf(out, "readfile %s: %" PRIu64 " bytes read\n", f->readfile,
                               f->bytes_read);
    }
    if (f->outdir != NULL) {
        g_string_append_printf(out, "writefile into %s: %" PRIu64 " bytes, %" PRIu64
                               " files created%s\n", f->outdir, f->bytes_written,
                               f->files_created,
                               f->limit_hit ? "; writes refused past max-output or the "
                                              "file count (BACKDOOR_EFBIG)" : "");
    }
}

GString *summary_format(const char *title, const struct run_snapshot *snap)
{
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "== backdoor %s: target %s, %s mode, QEMU plugin API %d ==\n",
                           title, snap->target, snap->system_mode ? "system" : "user",
                           snap->api);
    append_calls(out, &snap->calls, snap->user_commands);
    append_regions(out, snap);
    append_threads(out, snap);
    append_valgrind(out, snap);
    append_files(out, &snap->files);
    append_checkpoints(out, &snap->checkpoints);
    return out;
}

/* One region object's members, the opening brace included and the closing
 * one left to the caller; where says which vCPU ("vcpu") or how many
 * ("vcpus"). */
static void region_json(struct text *out, const struct run_snapshot *snap, bool first,
                        uint64_t id, const char *where, uint64_t where_value, uint64_t entries,
                        uint64_t insns, uint64_t insns_kernel, uint64_t wall_ns,
                        uint64_t unmatched_ends, bool open)
{
    text_str(out, first ? "{\"id\":" : ",{\"id\":");
    json_u64(out, id);
    field_u64(out, where, where_value);
    field_u64(out, "entries", entries);
    field_u64(out, "insns", insns);
    if (snap->kernel_counted) {
        field_u64(out, "insns_user", insns - insns_kernel);
        field_u64(out, "insns_kernel", insns_kernel);
    }
    field_u64(out, "wall_ns", wall_ns);
    field_u64(out, "unmatched_ends", unmatched_ends);
    text_str(out, open ? ",\"open\":true" : ",\"open\":false");
}

void summary_regions_json(struct text *out, const struct run_snapshot *snap)
{
    GArray *rows = snap->regions;
    calls_json(out, snap);
    text_lit(out, ",\"regions\":[");
    for (guint i = 0; i < shown_rows(snap, rows); i++) {
        const struct roi_row *r = &g_array_index(rows, struct roi_row, i);
        region_json(out, snap, i == 0, r->id, "vcpu", r->vcpu, r->entries, r->insns,
                    r->insns_kernel, r->wall_ns, r->unmatched_ends, r->open);
        if (r->name[0] != '\0') {
            text_lit(out, ",\"name\":");
            json_string(out, r->name, strlen(r->name));
        }
        if (r->machine) {
            text_lit(out, ",\"machine\":true");
        }
        if (r->thread) {
            field_u64(out, "thread", r->thread_id);
        }
        if (r->context) {
            text_lit(out, ",\"asid\":");
            json_hex(out, r->address_space);
            text_lit(out, ",\"tp\":");
            json_hex(out, r->thread_pointer);
        }
        text_char(out, '}');
    }
    GArray *totals = summary_region_totals(snap);
    text_lit(out, "],\"region_totals\":[");
    for (guint i = 0; i < shown_rows(snap, totals); i++) {
        const struct roi_total *r = &g_array_index(totals, struct roi_total, i);
        region_json(out, snap, i == 0, r->id, "vcpus", r->vcpus, r->entries, r->insns,
                    r->insns_kernel, r->wall_ns, r->unmatched_ends, r->open);
        text_char(out, '}');
    }
    g_array_free(totals, TRUE);
    GArray *marks = snap->marks;
    text_lit(out, "],\"marks\":[");
    for (guint i = 0; i < shown_rows(snap, marks); i++) {
        const struct mark_row *m = &g_array_index(marks, struct mark_row, i);
        text_str(out, i ? ",{\"id\":" : "{\"id\":");
        json_u64(out, m->id);
        field_u64(out, "count", m->count);
        field_u64(out, "last_value", m->last_value);
        text_char(out, '}');
    }
    text_char(out, ']');
}
