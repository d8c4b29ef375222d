/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Callgrind profile format (output/profile.h), as Callgrind itself
 * writes it for --dump-instr=no: a header, "events: Ir", a summary line,
 * then per function "fl=" (the source file, unknown here: "???"), "fn=" and
 * one cost line "0 N" (position 0: no line information).
 */
#include "output/profile.h"

#include <inttypes.h>
#include <unistd.h>

#include "output/file.h"

struct profile_output {
    struct out_file *file;
    const char *target;
};

struct profile_output *profile_open(const char *path, uint64_t limit, const char *target,
                                    char *err, size_t err_size)
{
    struct out_file *file = out_file_open("profile", path, limit, OUT_RECORDS, NULL, err,
                                          err_size);
    if (file == NULL) {
        return NULL;
    }
    struct profile_output *p = g_new0(struct profile_output, 1);
    p->file = file;
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

void profile_write(struct profile_output *profile, const char *trigger, GArray *rows)
{
    g_array_sort(rows, by_insns);
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
        "part: 1\n\n"
        "desc: Trigger: %s\n\n"
        "positions: line\n"
        "events: Ir\n"
        "summary: %" PRIu64 "\n\n"
        "fl=???\n",
        (int)getpid(), profile->target, trigger, total);
    for (guint i = 0; i < rows->len; i++) {
        const struct profile_row *r = &g_array_index(rows, struct profile_row, i);
        g_string_append_printf(out, "fn=%s\n0 %" PRIu64 "\n", r->name, r->insns);
    }
    g_string_append_printf(out, "\ntotals: %" PRIu64 "\n", total);
    out_file_write(profile->file, out->str, out->len);
    g_string_free(out, TRUE);
    out_file_close(profile->file);
}
