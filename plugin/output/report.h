/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Everything the plugin reports: the event log (events=), the trace
 * (trace=), guest text (print=), per-call log lines (log=on) and the summary
 * (summary=). It formats the records it is handed; it is one output of
 * output/outputs.h, whose write is report_summary and close report_close,
 * called once when the lifecycle ends the run.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_REPORT_H
#define BACKDOOR_PLUGIN_OUTPUT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/records.h"

struct report_options {
    const char *events_path;  /* NULL: none */
    const char *trace_path;   /* NULL: none */
    const char *print_path;   /* NULL or "stderr", "stdout", or a file */
    const char *summary_path; /* NULL or "stderr", "stdout", "none", or a file */
    const char *regions_path; /* NULL: none; CSV or JSON by extension */
    bool log_calls;           /* a line on stderr per call */
    uint64_t max_output;      /* bytes per output file at most, 0: no limit */
};

/* At install: opens the files the options name, truncating nothing. */
bool report_open(const struct report_options *options, char *err, size_t err_size);

/* Once every start-up check has passed: empties the files, writes headers. */
void report_start(void);

/* A refused start: removes the files report_open created. */
void report_abandon(void);

/* At vCPU init: that vCPU's output buffers. */
struct output_vcpu *report_vcpu_new(unsigned int vcpu);

/* One record per dispatched call. */
void report_call(struct output_vcpu *out, const struct call_record *call);

/* A handler's emit_event. */
void report_handler_event(struct output_vcpu *out, unsigned int vcpu, const char *name,
                          uint64_t value);

/* Guest text from the print command. */
void report_print(const char *text, size_t len);

/* Trace processes: one per vCPU, and one per guest thread where regions
 * follow guest threads (numbered by the caller, from 0). */
uint64_t report_trace_vcpu_track(unsigned int vcpu);
/* The trace process of the machine's regions (roi_begin_machine). */
uint64_t report_trace_machine_track(void);
uint64_t report_trace_thread_track(unsigned int thread);

/* Names a trace process (again, when its name changes); whether a trace
 * is written at all, so that a caller makes no name for nothing. */
void report_trace_track_name(struct output_vcpu *out, uint64_t track, const char *name);
bool report_tracing(const struct output_vcpu *out);

/* Trace-event records ("B", "E" or "i") of a process: regions on a thread
 * of their own, everything else on its thread 0; out is the calling vCPU's. */
void report_trace(struct output_vcpu *out, uint64_t track, char phase, const char *kind,
                  uint64_t id, uint64_t ts_ns, const char *arg_key, uint64_t arg_value);

/* Names the trace thread of region id in a process (once, when first seen). */
void report_trace_region_name(struct output_vcpu *out, uint64_t track, uint64_t id);

/* A statistics snapshot (stats_dump) into the summary output and the event
 * log; returns the dump's number. */
unsigned int report_stats(struct output_vcpu *out, unsigned int vcpu,
                          const struct run_snapshot *snap);

/* The final summary, and the event log's last record. */
void report_summary(const char *reason, int status, const struct run_snapshot *snap);

/* Writes out and closes every output. */
void report_close(void);

#endif
