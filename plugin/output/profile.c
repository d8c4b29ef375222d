/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Callgrind profile format (output/profile.h), as Callgrind itself
 * writes it for --dump-instr=no: a header, "events: Ir", a summary line,
 * then per function "ob=" (its object), "fl=" (its source file, "???"
 * unknown), "fn=" and a cost line "LINE N" per source line (0: no line
 * information), "fi=" before lines of another file (inlined code), and its
 * calls: "cob=", "cfi=", "cfn=", "calls=COUNT 0" and the inclusive cost on
 * the call's line.
 *
 * Names come from the guest's files, so they may hold anything: a newline
 * would start a line of the writer's choosing, a leading "(12)" would name
 * another function by Callgrind's name compression. Each name is written
 * with control characters, backslashes and such a prefix as \xHH.
 */
#include "output/profile.h"

#include <inttypes.h>
#include <stdbool.h>
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
    struct out_file *file = out_file_open("profile", path, limit, OUT_RECORDS, NULL, err,
                                          err_size);
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

/* One function: its rows and its calls, each consecutive after sorting. */
struct profile_function {
    const char *object, *name, *fn_file;
    guint first, n;
    guint first_call, n_calls;
    uint64_t insns;
};

/* Rows of one function together, by file and line. */
static gint by_function_then_line(gconstpointer a, gconstpointer b)
{
    const struct profile_row *x = a, *y = b;
    int c = g_strcmp0(x->object, y->object);
    c = c != 0 ? c : g_strcmp0(x->name, y->name);
    c = c != 0 ? c : g_strcmp0(x->fn_file, y->fn_file);
    c = c != 0 ? c : g_strcmp0(x->file, y->file);
    return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

static bool same_function(const struct profile_row *x, const struct profile_row *y)
{
    return g_strcmp0(x->object, y->object) == 0 && g_strcmp0(x->name, y->name) == 0 &&
           g_strcmp0(x->fn_file, y->fn_file) == 0;
}

static gint by_names(const char *object_a, const char *name_a, const char *fn_file_a,
                     const char *object_b, const char *name_b, const char *fn_file_b)
{
    int c = g_strcmp0(object_a, object_b);
    c = c != 0 ? c : g_strcmp0(name_a, name_b);
    return c != 0 ? c : g_strcmp0(fn_file_a, fn_file_b);
}

static gint by_insns(gconstpointer a, gconstpointer b)
{
    const struct profile_function *x = a, *y = b;
    if (x->insns != y->insns) {
        return x->insns > y->insns ? -1 : 1;
    }
    return by_names(x->object, x->name, x->fn_file, y->object, y->name, y->fn_file);
}

/* A caller's calls together, by line, then by callee. */
static gint by_caller(gconstpointer a, gconstpointer b)
{
    const struct profile_call *x = a, *y = b;
    int c = by_names(x->caller_object, x->caller, x->caller_fn_file, y->caller_object,
                     y->caller, y->caller_fn_file);
    c = c != 0 ? c : g_strcmp0(x->site_file, y->site_file);
    c = c != 0 ? c : (x->site_line > y->site_line) - (x->site_line < y->site_line);
    c = c != 0 ? c
               : by_names(x->callee_object, x->callee, x->callee_fn_file, y->callee_object,
                          y->callee, y->callee_fn_file);
    return c;
}

/* key=NAME, escaped (see the top of the file); NULL is "???". */
static void append_name(GString *out, const char *key, const char *name)
{
    g_string_append(out, key);
    if (name == NULL) {
        g_string_append(out, "???\n");
        return;
    }
    const unsigned char *p = (const unsigned char *)name;
    if (p[0] == '(' && g_ascii_isdigit(p[1])) {
        g_string_append(out, "\\x28");
        p++;
    }
    for (; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '\\') {
            g_string_append_printf(out, "\\x%02x", *p);
        } else {
            g_string_append_c(out, (char)*p);
        }
    }
    g_string_append_c(out, '\n');
}

/* Switches to a line's file: fi= for another file, fe= back to the
 * function's own. */
static void switch_file(GString *out, const char **current, const char *fn_file,
                        const char *file)
{
    if (g_strcmp0(file, *current) != 0) {
        append_name(out, g_strcmp0(file, fn_file) == 0 ? "fe=" : "fi=", file);
        *current = file;
    }
}

/* The function's lines (its own file's plainly, another file's after
 * fi=), then its calls, each on the line it was made from. */
static void append_function(GString *out, GArray *rows, GArray *calls,
                            const struct profile_function *f)
{
    append_name(out, "ob=", f->object);
    append_name(out, "fl=", f->fn_file);
    append_name(out, "fn=", f->name);
    const char *current = f->fn_file;
    if (f->n == 0) {
        g_string_append(out, "0 0\n"); /* a caller without a cost of its own */
    }
    for (guint i = f->first; i < f->first + f->n; i++) {
        const struct profile_row *r = &g_array_index(rows, struct profile_row, i);
        switch_file(out, &current, f->fn_file, r->file != NULL ? r->file : f->fn_file);
        g_string_append_printf(out, "%" PRIu32 " %" PRIu64 "\n", r->file != NULL ? r->line : 0,
                               r->insns);
    }
    for (guint i = f->first_call; i < f->first_call + f->n_calls; i++) {
        const struct profile_call *c = &g_array_index(calls, struct profile_call, i);
        switch_file(out, &current, f->fn_file, c->site_file != NULL ? c->site_file : f->fn_file);
        append_name(out, "cob=", c->callee_object);
        append_name(out, "cfi=", c->callee_fn_file);
        append_name(out, "cfn=", c->callee);
        g_string_append_printf(out, "calls=%" PRIu64 " 0\n%" PRIu32 " %" PRIu64 "\n", c->calls,
                               c->site_file != NULL ? c->site_line : 0, c->inclusive);
    }
}

/* The functions of the rows, and the callers among them (or added, without
 * rows), keyed by their names. */
static GArray *gather_functions(GArray *rows, GArray *calls)
{
    GArray *functions = g_array_new(FALSE, FALSE, sizeof(struct profile_function));
    for (guint i = 0; i < rows->len; i++) {
        const struct profile_row *r = &g_array_index(rows, struct profile_row, i);
        if (i == 0 || !same_function(r, r - 1)) {
            struct profile_function f = {r->object, r->name, r->fn_file, i, 0, 0, 0, 0};
            g_array_append_val(functions, f);
        }
        struct profile_function *f =
            &g_array_index(functions, struct profile_function, functions->len - 1);
        f->n++;
        f->insns += r->insns;
    }
    /* Rows and calls are both sorted by function: one merge. */
    guint with_rows = functions->len, next = 0;
    for (guint i = 0, n; i < calls->len; i += n) {
        const struct profile_call *c = &g_array_index(calls, struct profile_call, i);
        for (n = 1; i + n < calls->len; n++) {
            const struct profile_call *d = c + n;
            if (by_names(c->caller_object, c->caller, c->caller_fn_file, d->caller_object,
                         d->caller, d->caller_fn_file) != 0) {
                break;
            }
        }
        int order = -1;
        for (; next < with_rows; next++) {
            const struct profile_function *f =
                &g_array_index(functions, struct profile_function, next);
            order = by_names(f->object, f->name, f->fn_file, c->caller_object, c->caller,
                             c->caller_fn_file);
            if (order >= 0) {
                break;
            }
        }
        if (next < with_rows && order == 0) {
            struct profile_function *f = &g_array_index(functions, struct profile_function, next);
            f->first_call = i;
            f->n_calls = n;
        } else {
            struct profile_function added = {c->caller_object, c->caller, c->caller_fn_file,
                                             0, 0, i, n, 0};
            g_array_append_val(functions, added);
        }
    }
    return functions;
}

/* The whole text of one part. */
static GString *format_part(const struct profile_output *profile, unsigned part,
                            const char *trigger, GArray *rows, GArray *calls)
{
    g_array_sort(rows, by_function_then_line);
    g_array_sort(calls, by_caller);
    uint64_t total = 0;
    for (guint i = 0; i < rows->len; i++) {
        total += g_array_index(rows, struct profile_row, i).insns;
    }
    GArray *functions = gather_functions(rows, calls);
    g_array_sort(functions, by_insns);
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
        "summary: %" PRIu64 "\n\n",
        (int)getpid(), profile->target, part, trigger, total);
    for (guint i = 0; i < functions->len; i++) {
        append_function(out, rows, calls,
                        &g_array_index(functions, struct profile_function, i));
    }
    g_array_free(functions, TRUE);
    g_string_append_printf(out, "\ntotals: %" PRIu64 "\n", total);
    return out;
}

void profile_write_part(struct profile_output *profile, unsigned part, const char *trigger,
                        GArray *rows, GArray *calls)
{
    char *path = g_strdup_printf("%s.%u", profile->path, part);
    char err[512];
    struct out_file *file =
        out_file_open("profile", path, profile->limit, OUT_RECORDS, NULL, err, sizeof err);
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
