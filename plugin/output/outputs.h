/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every file the plugin writes, behind one interface. An output (struct
 * output) names the options of kind OUTPUT (backdoor/options.h) it writes
 * and does one thing at each step of a run: open at install (truncating
 * nothing), start once every start-up check has passed, or abandon a
 * refused start (removing the files it created), write when the run ends,
 * close. output/outputs.c lists the outputs; the core opens, starts,
 * writes and closes them all in one loop each, in the list's order, and
 * knows none of them by name.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_OUTPUTS_H
#define BACKDOOR_PLUGIN_OUTPUT_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct run_snapshot;   /* output/records.h */
struct profile_output; /* output/profile.h */

/* One OUTPUT line of the option table and its value (NULL: not given, no
 * fallback). */
struct output_path {
    const char *key;
    const char *path;
};

/* What the outputs are opened with. */
struct output_settings {
    const struct output_path *paths; /* every OUTPUT line of the table */
    size_t n_paths;
    uint64_t max_output; /* bytes per file at most, 0: no limit */
    bool log_calls;      /* log=on: a line on stderr per call */
    const char *target;  /* QEMU's target name */
    /* profile=: gathers and writes the profile's last part when the run
     * ends (commands/profile_parts.h), a value handed down from the core. */
    void (*profile_final)(const char *reason);
};

/* How the run ended, for the outputs' last words. */
struct output_end {
    const char *reason;
    int status; /* < 0: none */
    const struct run_snapshot *snap;
};

struct output {
    const char *const *keys; /* the options it writes, NULL-terminated */
    /* false with a message naming the option; nothing left open then */
    bool (*open)(const struct output_settings *settings, char *err, size_t err_size);
    void (*start)(void);
    void (*abandon)(void);
    void (*write)(const struct output_end *end);
    void (*close)(void);
};

/* At install. An OUTPUT line no output claims is an error (a new option
 * without its output); on failure, what was opened is abandoned. */
bool outputs_open(const struct output_settings *settings, char *err, size_t err_size);
/* Once every start-up check has passed: empties the files, writes headers. */
void outputs_start(void);
/* A refused start after outputs_open. */
void outputs_abandon(void);
/* The end of the run (once dispatching has stopped), then closing. */
void outputs_write(const struct output_end *end);
void outputs_close(void);

/* The path given for key, or NULL. */
const char *output_path(const struct output_settings *settings, const char *key);

/* profile=: its file, which statistics dumps write parts beside (NULL
 * without profile=). */
struct profile_output *outputs_profile(void);

#endif
