/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's command-line options (-plugin libbackdoor.so,KEY=VALUE,...).
 * Parsing is pure and unit-tested; every mistake is reported by name.
 */
#ifndef BACKDOOR_PLUGIN_CORE_OPTIONS_H
#define BACKDOOR_PLUGIN_CORE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backdoor/ops.h"
#include "backdoor/options.h"
#include "dispatch/policy.h"
#include "output/outputs.h"

#define OPTIONS_MAX_TEXTS 32
#define OPTIONS_BUILTIN_LIMIT BACKDOOR_USER_COMMAND_FIRST
/* What max-threads accepts at most: about 10 GB of threads. */
#define MAX_THREADS_LIMIT (1u << 26)

/* A repeatable text option's values, NULL-terminated like an argv. */
struct option_texts {
    int count;
    char *items[OPTIONS_MAX_TEXTS + 1];
};

/* One field per line of BACKDOOR_PLUGIN_OPTIONS (backdoor/options.h, where
 * each is documented), typed by the line's kind. */
struct options {
    const char *handler_path;
    struct option_texts handler_argv;
    const char *summary_path; /* "none": no summary */
    const char *events_path;
    unsigned regions_by_vcpu; /* 0 thread, 1 vcpu */
    const char *regions_path;
    const char *trace_path;
    const char *print_path;
    uint64_t qemu_api; /* read by the constructor (qemu/qemu_compat.c) */
    uint64_t max_buffer;
    uint64_t max_output; /* 0: no limit */
    uint64_t max_threads; /* guest threads kept (commands/threads.h) */
    unsigned allow_from; /* enum privilege_filter */
    bool denied[OPTIONS_BUILTIN_LIMIT];
    bool log_calls;
    bool valgrind;
    uint64_t running_on_valgrind;
    bool collect_atstart;
    bool instr_atstart;
    bool count_repeats;
    unsigned cpu_identity; /* enum cpu_identity_choice */
    struct option_texts toggle_collect;
    const char *profile_path;
    const char *symbols_path;
    const char *readfile_path;
    const char *outdir_path;
    const char *checkpoint_dir;
    const char *restore_path;
    const char *qmp_path;
    /* Bit i: the i-th line of the table was given, not its fallback. */
    uint64_t given;
    bool call_graph;
};

/* cpu-identity=, in the order of its syntax. */
enum cpu_identity_choice { CPU_IDENTITY_AUTO, CPU_IDENTITY_VALGRIND, CPU_IDENTITY_QEMU };

/* Whether the option KEY was given (rather than left at its fallback). */
bool option_given(const struct options *opts, const char *key);

/*
 * Fills *opts from QEMU's argv. On error returns false with a message that
 * names the option in err.
 */
bool options_parse(struct options *opts, int argc, char **argv, char *err,
                   size_t err_size);

/* Number of bytes with an optional K, M or G suffix (powers of 1024). */
bool parse_size(const char *text, uint64_t *bytes);

/* The number of lines of the table: room enough for its OUTPUT lines. */
#define OPTIONS_LINE(...) +1
enum { OPTIONS_COUNT = 0 BACKDOOR_PLUGIN_OPTIONS(OPTIONS_LINE) };
#undef OPTIONS_LINE

/* The OUTPUT lines of the table with their values in opts, in the
 * table's order; returns how many (at most max). */
size_t options_output_paths(const struct options *opts, struct output_path *paths, size_t max);

/* The keys, for messages: "handler, handler-arg, ...". */
const char *options_known_keys(void);

/* Built-in command number from its name as in BACKDOOR_OPS ("roi_begin"). */
int builtin_by_name(const char *name);

#endif
