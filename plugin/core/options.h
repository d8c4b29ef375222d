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
#include "dispatch/policy.h"

#define OPTIONS_MAX_HANDLER_ARGS 32
#define OPTIONS_BUILTIN_LIMIT BACKDOOR_USER_COMMAND_FIRST

struct options {
    const char *handler_path;
    int handler_argc;
    char *handler_argv[OPTIONS_MAX_HANDLER_ARGS + 1];
    const char *summary_path; /* NULL: stderr; "none": no summary */
    const char *events_path;  /* JSON Lines, one object per call */
    const char *trace_path;   /* Chrome/Perfetto trace-event JSON */
    const char *regions_path; /* the final regions, CSV or JSON */
    bool regions_by_vcpu;     /* regions-by=vcpu: not per guest thread */
    const char *print_path;   /* guest text; NULL: stderr */
    uint64_t max_buffer;      /* largest send/receive buffer in bytes */
    uint64_t max_output;      /* bytes per output file, 0: no limit */
    enum privilege_filter allow_from;
    bool log_calls;           /* one line on stderr per dispatched call */
    /* count-reps=on: each repetition of an x86 rep string instruction
     * counts, as in Callgrind (docs/outputs.md) */
    bool count_repeats;
    bool denied[OPTIONS_BUILTIN_LIMIT]; /* built-in commands refused */
    /* Valgrind's client requests (docs/valgrind.md); everything below is
     * used only with valgrind on. */
    bool valgrind;
    uint64_t running_on_valgrind; /* what RUNNING_ON_VALGRIND returns */
    bool collect_atstart;         /* as Callgrind's --collect-atstart */
    bool instr_atstart;           /* as Callgrind's --instr-atstart */
    const char *profile_path;     /* Callgrind-format profile of the collection */
};

/*
 * Fills *opts from QEMU's argv. On error returns false with a message that
 * names the option in err.
 */
bool options_parse(struct options *opts, int argc, char **argv, char *err,
                   size_t err_size);

/* Number of bytes with an optional K, M or G suffix (powers of 1024). */
bool parse_size(const char *text, uint64_t *bytes);

/* Built-in command number from its name as in BACKDOOR_OPS ("roi_begin"). */
int builtin_by_name(const char *name);

#endif
