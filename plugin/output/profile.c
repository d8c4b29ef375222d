/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Callgrind profile format (output/profile.h), as Callgrind itself
 * writes it for --dump-instr=no: a header, "events: Ir", a summary line,
 * then per function "fl=" (the source file, unknown here: "???"), "fn=",
 * one cost line "0 N" (position 0: no line information) and its calls:
 * "cfn=", "calls=COUNT 0" and the inclusive cost "0 N".
 */
#include "output/profile.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "output/file.h"
#include "output/log.h"

struct profile_output {
    struct out_file *file;
    char *path;
    uint64_t limit;
    const char *target;
};

struct profile_output *profile_open(const char *path, uint64_t limit, const char *target,
                                    char *err, size_t err_size)
{
    struct out_file *file = out_file_open("profile", path, limit, err, err_size);
    if (file == NULL) {
        return NULL;
    }
    struct profile_output *p = g_new0(struct profile_output, 1);
    p->file = file;
    p->path = g_strdup(path);
    p->limit = limit;
    p->target = target;
    return p;
}

void profile_start(struct profile_output *profile)
{
    out_file_start(profile->file);
}

void profile_abandon(struct profile_output *profile)
{
    out_file_abandon(profile->file);
}

static gint by_insns(gconstpointer a, gconstpointer b)
{
    const struct profile_row *x = a, *y = b;
    return x->insns != y->insns ? (x->insns > y->insns ? -1 : 1) : g_strcmp0(x->name, y->name);
}

static gint by_caller(gconstpointer a, gconstpointer b)
{
    const struct profile_call *x = a, *y = b;
    int c = g_strcmp0(x->caller, y->caller);
    return c != 0 ? c : g_strcmp0(x->callee, y->callee);
}

/* The whole text of one part. */
static GString *format_part(const struct profile_output *profile, unsigned part,
                            const char *trigger, GArray *rows, GArray *calls)
{
    g_array_sort(rows, by_insns);
    g_array_sort(calls, by_caller);
    uint64_t total = 0;
    for (guint i = 0; i < rows->len; i++) {
        total += g_array_index(rows, struct profile_row, i).insns;
    }
    GString *out = g_string_new(NULL);
    g_string_append_printf(out,
        "# callgrind format\n"
        "version: 1\n"
        "creator: backdoor QEMU plugin (valgrind=on, profile=)\n"
        "pid: %d\n"
        "cmd: qemu %s guest\n"
        "part: %u\n\n"
        "desc: Trigger: %s\n\n"
        "positions: line\n"
        "events: Ir\n"
        "summary: %" PRIu64 "\n\n"
        "fl=???\n",
        (int)getpid(), profile->target, part, trigger, total);
    /* Every function with a cost or a call, its calls after its own cost. */
    GHashTable *written = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *first_call = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = calls->len; i-- > 0;) {
        const struct profile_call *c = &g_array_index(calls, struct profile_call, i);
        g_hash_table_insert(first_call, (gpointer)c->caller, GUINT_TO_POINTER(i + 1));
    }
    for (guint i = 0; i <= rows->len + calls->len; i++) {
        const char *name;
        uint64_t self = 0;
        if (i < rows->len) {
            const struct profile_row *r = &g_array_index(rows, struct profile_row, i);
            name = r->name;
            self = r->insns;
        } else if (i < rows->len + calls->len) {
            name = g_array_index(calls, struct profile_call, i - rows->len).caller;
        } else {
            break;
        }
        if (g_hash_table_contains(written, name)) {
            continue;
        }
        g_hash_table_add(written, (gpointer)name);
        g_string_append_printf(out, "fn=%s\n", name);
        if (self != 0 || i >= rows->len) {
            g_string_append_printf(out, "0 %" PRIu64 "\n", self);
        }
        guint first = GPOINTER_TO_UINT(g_hash_table_lookup(first_call, name));
        for (guint j = first; first != 0 && j <= calls->len; j++) {
            const struct profile_call *c = &g_array_index(calls, struct profile_call, j - 1);
            if (strcmp(c->caller, name) != 0) {
                break;
            }
            g_string_append_printf(out, "cfn=%s\ncalls=%" PRIu64 " 0\n0 %" PRIu64 "\n",
                                   c->callee, c->calls, c->inclusive);
        }
    }
    g_hash_table_destroy(written);
    g_hash_table_destroy(first_call);
    g_string_append_printf(out, "\ntotals: %" PRIu64 "\n", total);
    return out;
}

void profile_write_part(struct profile_output *profile, unsigned part, const char *trigger,
                        GArray *rows, GArray *calls)
{
    char *path = g_strdup_printf("%s.%u", profile->path, part);
    char err[512];
    struct out_file *file = out_file_open("profile", path, profile->limit, err, sizeof err);
    if (file == NULL) {
        plugin_log("%s", err);
    } else {
        out_file_start(file);
        GString *out = format_part(profile, part, trigger, rows, calls);
        out_file_write(file, out->str, out->len);
        g_string_free(out, TRUE);
        out_file_close(file);
    }
    g_free(path);
}

void profile_write(struct profile_output *profile, unsigned part, const char *trigger,
                   GArray *rows, GArray *calls)
{
    GString *out = format_part(profile, part, trigger, rows, calls);
    out_file_write(profile->file, out->str, out->len);
    g_string_free(out, TRUE);
    out_file_close(profile->file);
}
