/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output files written by many vCPUs at once (events JSON Lines, trace-event
 * JSON). Each vCPU formats into a buffer of its own; full buffers go to the
 * file under the file's lock, so vCPUs do not contend per event, and memory
 * stays bounded however long the guest runs.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_H
#define BACKDOOR_PLUGIN_OUTPUT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text.h"

struct sink;
struct event_buffer;

/* Opens path for writing (truncating); header and footer frame the file. */
struct sink *sink_open(const char *path, const char *header,
                       const char *footer, char *err, size_t err_size);

struct event_buffer *event_buffer_new(struct sink *sink);

/*
 * Start a record: returns the buffer's text to append one record to, with
 * the buffer locked, or NULL if the sink is closed (or absent). Must be
 * followed by event_end().
 */
struct text *event_begin(struct event_buffer *buf);
void event_end(struct event_buffer *buf);

/* Writes out every buffer, then last (may be NULL), the footer, and
 * closes. Idempotent. */
void sink_close(struct sink *sink, const char *last);

/* JSON text helpers, faster than printf on the call path. */
void json_u64(struct text *out, uint64_t value);
void json_i64(struct text *out, int64_t value);
void json_hex(struct text *out, uint64_t value); /* "0x..." with quotes */
/* Nanoseconds as microseconds with three decimals (trace-event "ts"). */
void json_us(struct text *out, uint64_t ns);
void json_string(struct text *out, const char *text, size_t len);

#endif
