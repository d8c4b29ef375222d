/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Callgrind profile format (output/profile.h), as Callgrind itself
 * writes it for --dump-instr=no: a header, "events: Ir", a summary line,
 * then per function "ob=" (its object), "fl=" (its source file, "???"
 * unknown), "fn=" and a cost line "LINE N" per source line (0: no line
 * information), "fi=" before lines of another file (inlined code).
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

/* One function: its rows, consecutive after sorting. */
struct profile_function {
    guint first, n;
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

static gint by_insns(gconstpointer a, gconstpointer b, gpointer data)
{
    const struct profile_function *x = a, *y = b;
    GArray *rows = data;
    if (x->insns != y->insns) {
        return x->insns > y->insns ? -1 : 1;
    }
    const struct profile_row *rx = &g_array_index(rows, struct profile_row, x->first);
    const struct profile_row *ry = &g_array_index(rows, struct profile_row, y->first);
    return by_function_then_line(rx, ry);
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

/* The function's lines: its own file's plainly, another file's after fi=. */
static void append_function(GString *out, GArray *rows, const struct profile_function *f)
{
    const struct profile_row *head = &g_array_index(rows, struct profile_row, f->first);
    append_name(out, "ob=", head->object);
    append_name(out, "fl=", head->fn_file);
    append_name(out, "fn=", head->name);
    const char *current = head->fn_file;
    for (guint i = f->first; i < f->first + f->n; i++) {
        const struct profile_row *r = &g_array_index(rows, struct profile_row, i);
        const char *file = r->file != NULL ? r->file : head->fn_file;
        if (g_strcmp0(file, current) != 0) {
            append_name(out, g_strcmp0(file, head->fn_file) == 0 ? "fe=" : "fi=", file);
            current = file;
        }
        g_string_append_printf(out, "%" PRIu32 " %" PRIu64 "\n", r->file != NULL ? r->line : 0,
                               r->insns);
    }
}

void profile_write(struct profile_output *profile, const char *trigger, GArray *rows)
{
    g_array_sort(rows, by_function_then_line);
    GArray *functions = g_array_new(FALSE, FALSE, sizeof(struct profile_function));
    uint64_t total = 0;
    for (guint i = 0; i < rows->len; i++) {
        const struct profile_row *r = &g_array_index(rows, struct profile_row, i);
        total += r->insns;
        if (i == 0 || !same_function(r, r - 1)) {
            struct profile_function f = {i, 0, 0};
            g_array_append_val(functions, f);
        }
        struct profile_function *f =
            &g_array_index(functions, struct profile_function, functions->len - 1);
        f->n++;
        f->insns += r->insns;
    }
    g_array_sort_with_data(functions, by_insns, rows);
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
        "summary: %" PRIu64 "\n\n",
        (int)getpid(), profile->target, trigger, total);
    for (guint i = 0; i < functions->len; i++) {
        append_function(out, rows, &g_array_index(functions, struct profile_function, i));
    }
    g_array_free(functions, TRUE);
    g_string_append_printf(out, "\ntotals: %" PRIu64 "\n", total);
    out_file_write(profile->file, out->str, out->len);
    g_string_free(out, TRUE);
    out_file_close(profile->file);
}
