/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The regions table (output/regions.h). */
#include "output/regions.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output/json.h"
#include "output/summary.h"

static bool wants_csv(const char *path)
{
    size_t len = strlen(path);
    return len >= 4 && g_ascii_strcasecmp(path + len - 4, ".csv") == 0;
}

/* The user and kernel columns, empty where they are not told apart. */
static void split_columns(GString *out, const struct run_snapshot *snap, uint64_t insns,
                          uint64_t insns_kernel)
{
    if (snap->kernel_counted) {
        g_string_append_printf(out, ",%" PRIu64 ",%" PRIu64, insns - insns_kernel, insns_kernel);
    } else {
        g_string_append(out, ",,");
    }
}

static GString *as_csv(const struct run_snapshot *snap, const GArray *totals)
{
    GString *out = g_string_new(
        "id,vcpu,entries,insns,wall_ns,unmatched_ends,open,insns_user,insns_kernel\n");
    for (guint i = 0; i < snap->regions->len; i++) {
        const struct roi_row *r = &g_array_index(snap->regions, struct roi_row, i);
        char vcpu[16];
        snprintf(vcpu, sizeof vcpu, "%u", r->vcpu);
        /* A machine region's vcpu column says "machine". */
        g_string_append_printf(out, "%" PRIu64 ",%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                               ",%d", r->id, r->machine ? "machine" : vcpu, r->entries,
                               r->insns, r->wall_ns, r->unmatched_ends, r->open);
        split_columns(out, snap, r->insns, r->insns_kernel);
        g_string_append_c(out, '\n');
    }
    /* Totals: the vcpu column says "all". */
    for (guint i = 0; i < totals->len; i++) {
        const struct roi_total *t = &g_array_index(totals, struct roi_total, i);
        g_string_append_printf(out, "%" PRIu64 ",all,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                               ",%d", t->id, t->entries, t->insns, t->wall_ns,
                               t->unmatched_ends, t->open);
        split_columns(out, snap, t->insns, t->insns_kernel);
        g_string_append_c(out, '\n');
    }
    return out;
}

static GString *as_json(const struct run_snapshot *snap)
{
    struct text text;
    text_init(&text, 4096);
    text_char(&text, '{');
    summary_regions_json(&text, snap);
    text_lit(&text, "}\n");
    GString *out = g_string_new_len(text.data, (gssize)text.len);
    text_free(&text);
    return out;
}

GString *regions_format(const char *path, const struct run_snapshot *snap)
{
    if (!wants_csv(path)) {
        return as_json(snap);
    }
    GArray *totals = summary_region_totals(snap);
    GString *out = as_csv(snap, totals);
    g_array_free(totals, TRUE);
    return out;
}
