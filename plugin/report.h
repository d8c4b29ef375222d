/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Everything the plugin reports: the event log (events=), the trace
 * (trace=), guest text (print=), per-call log lines (log=on) and the summary
 * at exit (summary=). All are flushed exactly once, however QEMU ends.
 */
#ifndef BACKDOOR_PLUGIN_REPORT_H
#define BACKDOOR_PLUGIN_REPORT_H

#include "dispatch.h"

/* At install: opens the files the options name. */
bool report_open(char *err, size_t err_size);

/* At vCPU init: that vCPU's output buffers. */
void report_vcpu_init(struct vcpu_state *vs, unsigned int vcpu);

/* One record per dispatched call; a second call for the same ctx is a no-op. */
void report_call(struct call_ctx *ctx);

/* A handler's emit_event. */
void report_handler_event(struct call_ctx *ctx, const char *name, uint64_t value);

/* Guest text from the print command. */
void report_print(const char *text, size_t len);

/* Trace-event records ("B", "E" or "i"): regions on their own thread of
 * the vCPU's process, everything else on its thread 0. */
void report_trace(struct vcpu_state *vs, unsigned int vcpu, char phase,
                  const char *kind, uint64_t id, uint64_t ts_ns,
                  const char *arg_key, uint64_t arg_value);

/* Names the trace thread of region id on a vCPU (once, when first seen). */
void report_trace_region_name(struct vcpu_state *vs, unsigned int vcpu, uint64_t id);

/* A statistics snapshot (stats_dump command) into the events and summary. */
void report_stats_dump(struct call_ctx *ctx);

/* Flushes everything and writes the summary; later calls do nothing. */
void report_finish(const char *reason, int status);

#endif
