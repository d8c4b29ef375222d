/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output files written by many vCPUs at once (events JSON Lines, trace-event
 * JSON). Each vCPU formats into a buffer of its own; full buffers go to the
 * file under the file's lock, so vCPUs do not contend per event, and memory
 * stays bounded however long the guest runs.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_SINK_H
#define BACKDOOR_PLUGIN_OUTPUT_SINK_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/text.h"

struct sink;
struct event_buffer;

/* Opens path for writing (output/file.h: nothing is truncated before
 * sink_start); header and footer frame the file. */
struct sink *sink_open(const char *option, const char *path, uint64_t limit,
                       const char *header, const char *footer, char *err, size_t err_size);

/* Empties the file and writes the header: at the end of install. */
void sink_start(struct sink *sink);
/* A refused start: removes the file if sink_open created it. */
void sink_abandon(struct sink *sink);
/* "option=path stopped: ..." if the output stopped early. */
void sink_describe_problem(const struct sink *sink, GString *out);

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

#endif
