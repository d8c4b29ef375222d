/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the outputs are given to format: a dispatched call, call counters,
 * regions and marks at one moment. The layers above fill these; the output
 * layer formats them and never asks for more.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_RECORDS_H
#define BACKDOOR_PLUGIN_OUTPUT_RECORDS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backdoor/ops.h"

/* How a call's request words were obtained (docs/abi.md). */
enum decode_path {
    PATH_TRANSLATION, /* every word known when the code was translated */
    PATH_MIXED,       /* leaf and selector known, arguments read */
    PATH_RUNTIME,     /* read from the registers when the call executed */
    PATH_COUNT
};

struct call_counters {
    uint64_t by_type[BACKDOOR_TYPE_COUNT];
    uint64_t seed[2][256];
    uint64_t builtin[BACKDOOR_USER_COMMAND_FIRST];
    uint64_t by_status[BACKDOOR_STATUS_COUNT];
    uint64_t by_path[PATH_COUNT];
    uint64_t probes;    /* hypervisor-signature scans (i8 = 0) */
    uint64_t malformed; /* in the range, but not a valid request */
};

#define CALL_MAX_EXTRA 4

/* One dispatched call, as the event log and log=on show it. */
struct call_record {
    uint64_t ts_ns;
    unsigned int vcpu;
    uint64_t pc;
    enum backdoor_type type;
    uint32_t command;
    const char *op; /* built-in name, "handler", "seed" or "unknown" */
    unsigned int nargs;
    const uint64_t *args;
    enum backdoor_status status;
    bool has_result; /* the result reached the guest */
    int64_t result;
    unsigned int n_extra;
    struct {
        const char *key;
        uint64_t value;
    } extra[CALL_MAX_EXTRA];
    const char *text; /* print's text, or NULL */
    size_t text_len;
    /* System mode: who made the call. */
    bool attributed;
    uint64_t asid;    /* address space: page-table base */
    bool kernel;      /* issued above the user level */
};

/* One region id on one vCPU. */
struct roi_row {
    uint64_t id;
    unsigned int vcpu;
    uint64_t entries;
    uint64_t insns;
    uint64_t insns_kernel; /* the part in kernel code (kernel_counted) */
    uint64_t wall_ns;
    uint64_t unmatched_ends;
    bool open; /* still open: counted up to now */
    /* Where threads are followed: the row is the thread's, vcpu the one it
     * runs on or ran on last. */
    bool thread;
    /* A region of the whole machine (roi_begin_machine): every vCPU's and
     * thread's instructions; vcpu is 0. */
    bool machine;
    unsigned int thread_id;
    char name[64];    /* name_thread's, "" if none */
    bool context;     /* system mode: address_space and thread_pointer hold */
    uint64_t address_space;
    uint64_t thread_pointer;
};

/* One region id over every vCPU (or guest thread) it ran on. */
struct roi_total {
    uint64_t id;
    unsigned int vcpus; /* rows summed */
    uint64_t entries;
    uint64_t insns;
    uint64_t insns_kernel;
    uint64_t wall_ns;
    uint64_t unmatched_ends;
    bool open; /* open on some vCPU */
};

struct mark_row {
    uint64_t id;
    uint64_t count;
    uint64_t last_value;
};

/* Files in and out of the guest (readfile=, outdir=). */
struct files_stats {
    const char *readfile; /* NULL: no readfile= */
    const char *outdir;   /* NULL: no outdir= */
    uint64_t bytes_read;
    uint64_t bytes_written;
    uint64_t files_created;
    bool limit_hit;       /* a writefile refused: max-output or file count */
};

/* Checkpoints (checkpoint-dir=, restore=). */
struct checkpoint_stats {
    const char *dir;           /* NULL: no checkpoint-dir= */
    const char *restored_from; /* NULL: not a restore */
    uint64_t saved, failed;
    char last_saved[320];      /* the last file saved, "" if none */
    char last_error[512];      /* why the last failed one did, "" if none */
};

/* The run at one moment: what a summary or a statistics dump shows. */
struct run_snapshot {
    const char *target;
    bool system_mode;
    int api;
    struct call_counters calls;   /* summed over vCPUs */
    GHashTable *user_commands;    /* handler command -> count */
    GArray *regions;              /* struct roi_row, by id then vCPU */
    GArray *marks;                /* struct mark_row, by id */
    uint64_t dropped_ids;         /* region/mark ids over the limit */
    uint64_t uncached_sites;      /* magic instructions past the site table */
    bool valgrind;                /* valgrind=on: the counts below */
    uint64_t valgrind_honoured;   /* client requests acted on */
    uint64_t valgrind_ignored;    /* left with their default */
    uint64_t valgrind_refused;    /* refused by policy (deny=, allow-from=) */
    GHashTable *valgrind_ignored_by_request; /* request number -> count */
    uint64_t valgrind_dropped_sites; /* sequences past the site table */
    /* The CPU that CPUID described: "valgrind" or "qemu"; NULL: nothing to
     * say (valgrind=off and no cpu-identity=). With Valgrind's, the
     * instructions answered so. */
    const char *cpu_identity;
    uint64_t cpuid_answered, xgetbv_answered;
    bool at_exit;                 /* open regions were closed by the end */
    unsigned int row_limit;       /* region and mark rows shown, 0: all */
    bool kernel_counted;          /* regions tell user and kernel instructions apart */
    struct files_stats files;
    struct checkpoint_stats checkpoints;
    /* System mode, regions by thread: the thread table (commands/threads.h). */
    bool threads_followed;
    uint64_t threads_seen;        /* guest threads made */
    uint64_t threads_forgotten;   /* idle ones dropped to stay within max_threads */
    uint64_t threads_over_cap;    /* refused regions of their own */
    unsigned int max_threads;
};

/* One place of the profile (profile=): a source line of a function, or
 * the whole function without line information. Strings may hold anything
 * (they come from the guest's files); the writer escapes them. */
struct profile_row {
    const char *name;    /* the function */
    uint64_t insns;
    const char *object;  /* the ELF, or NULL */
    const char *fn_file; /* the function's source file, or NULL */
    const char *file;    /* this line's source file, or NULL */
    uint32_t line;       /* 0: no line information */
};

/* One call edge of the profile: calls made and their inclusive cost. */
struct profile_call {
    const char *caller, *caller_object, *caller_fn_file; /* as a row's */
    const char *site_file; /* the call's source file, or NULL */
    uint32_t site_line;    /* its line; 0: no line information */
    const char *callee, *callee_object, *callee_fn_file;
    uint64_t calls, inclusive;
};

#endif
