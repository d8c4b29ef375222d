/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A trace-event record of a mark, a handler's event or a region's begin or
 * end (docs/outputs.md, "Trace"), written in one pass into room the caller
 * reserved. Everything but its time and its argument's value changes only
 * with what is marked, so a vCPU keeps the last record's other parts
 * (struct trace_json_memo) and a loop of marks copies them.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_TRACE_JSON_H
#define BACKDOOR_PLUGIN_OUTPUT_TRACE_JSON_H

#include <stddef.h>
#include <stdint.h>

struct trace_record {
    uint64_t track;      /* the process (pid) */
    char phase;          /* 'B', 'E' or 'i' */
    const char *kind;    /* "roi", "mark", ...: under 32 bytes */
    uint64_t id;
    uint64_t ts_ns;
    const char *arg_key; /* NULL: no argument besides the id; under 32 bytes */
    uint64_t arg_value;
};

/* The thread a record goes to: region ids each have a thread of their own
 * (id + 1), everything else is on thread 0 (report.c, "Trace layout"). */
uint64_t trace_json_tid(const char *kind, uint64_t id);

/* Bytes trace_json writes at most. */
#define TRACE_JSON_MAX 400

/* The record, ending in ",\n"; returns its end. */
char *trace_json(char *p, const struct trace_record *r);

/* Up to the time, and from the time to the argument's value. */
#define TRACE_JSON_HEAD_MAX 160
#define TRACE_JSON_MIDDLE_MAX 96
struct trace_json_memo {
    uint64_t track, id;
    const char *kind, *arg_key;
    char phase;
    unsigned int head_len; /* 0: empty */
    unsigned int middle_len;
    char head[TRACE_JSON_HEAD_MAX];
    char middle[TRACE_JSON_MIDDLE_MAX];
};

/* trace_json's record, through memo. */
char *trace_json_memo(char *p, const struct trace_record *r, struct trace_json_memo *memo);

#endif
