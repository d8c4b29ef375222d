/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output files written by many vCPUs at once (events JSON Lines, trace-event
 * JSON). Each vCPU formats its records straight into a buffer of its own,
 * with no lock: only its own thread writes there, and the end of the run
 * drains the buffers once dispatching has stopped (dispatch_stop), when no
 * call is running. A full buffer goes to the file in one write, under the
 * file's lock, so vCPUs meet once per buffer, not per record, and memory
 * stays bounded however long the guest runs. A buffer holds 64 KiB at
 * first and twice as much after each write, up to 1 MiB: a vCPU that
 * writes many records writes them in large batches (a write's fixed cost,
 * some microseconds, is then a few nanoseconds a record), while the many
 * vCPUs of a program of many threads that each write little keep 64 KiB.
 *
 * In a regular file of ours, no record shorter than a page straddles a 4 KiB
 * boundary of the file (the record before it is padded with spaces inside
 * its line): a write that SIGKILL interrupts stops at such a boundary (the
 * kernel checks for fatal signals between pages), so the file still ends at
 * a whole record.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_SINK_H
#define BACKDOOR_PLUGIN_OUTPUT_SINK_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sink;

/* One vCPU's buffer for one sink. Only that vCPU's thread writes it. */
struct event_buffer {
    char *data;
    size_t len; /* whole records */
    size_t cap;
    size_t flush_at; /* written out once len reaches it */
    bool aligned; /* records kept inside 4 KiB pages */
    bool binary;  /* padding is zero bytes (output/event_bin.h), not spaces */
    struct sink *sink;
};

#define SINK_PAGE 4096u
/* A buffer goes to the file once it holds flush_at bytes: this much at
 * first, then twice as much after each write, up to SINK_FLUSH_MAX. */
#define SINK_FLUSH_MIN (64u * 1024u)
#define SINK_FLUSH_MAX (1024u * 1024u)

/* Opens path for writing (output/file.h: nothing is truncated before
 * sink_start); header (header_len bytes) and footer frame the file. binary:
 * records of output/event_bin.h, padded with zero slots. */
struct sink *sink_open(const char *option, const char *path, uint64_t limit,
                       const char *header, size_t header_len, const char *footer,
                       bool binary, char *err, size_t err_size);

/* Empties the file and writes the header: at the end of install. */
void sink_start(struct sink *sink);
/* A refused start: removes the file if sink_open created it. */
void sink_abandon(struct sink *sink);
/* "option=path stopped: ..." if the output stopped early. */
void sink_describe_problem(const struct sink *sink, GString *out);

/* NULL for a NULL sink. Records written before the buffer is registered
 * (event_buffer_register) go out with it. */
struct event_buffer *event_buffer_new(struct sink *sink);
void event_buffer_register(struct event_buffer *buf);

/* Whether the sink has stopped (closed, or its file failed). */
bool sink_stopped(const struct sink *sink);

/* Out of line: the rare cases of event_reserve and event_commit. */
void event_buffer_grow(struct event_buffer *buf, size_t max);
void event_buffer_straddle(struct event_buffer *buf, size_t start, size_t end);
void event_buffer_flush(struct event_buffer *buf);

/*
 * Room for one record of at most max bytes: where to write it, or NULL if
 * the output has stopped (or buf is NULL). The record, ending in '\n', is
 * then committed with event_commit(buf, its end).
 */
static inline char *event_reserve(struct event_buffer *buf, size_t max)
{
    if (buf == NULL || sink_stopped(buf->sink)) {
        return NULL;
    }
    /* A page more: event_commit may move the record past a page boundary. */
    if (__builtin_expect(buf->len + max + SINK_PAGE > buf->cap, 0)) {
        event_buffer_grow(buf, max);
    }
    return buf->data + buf->len;
}

static inline void event_commit(struct event_buffer *buf, char *end)
{
    size_t start = buf->len, stop = (size_t)(end - buf->data);
    /* Crossed a page boundary, not starting at one: moved past it. */
    if (buf->aligned && (start ^ (stop - 1)) >= SINK_PAGE && start % SINK_PAGE != 0) {
        event_buffer_straddle(buf, start, stop);
    } else {
        buf->len = stop;
    }
    if (buf->len >= buf->flush_at) {
        event_buffer_flush(buf);
    }
}

/* Writes out every buffer, then last (last_len bytes, may be 0), the
 * footer, and closes. Idempotent. Once dispatching has stopped: no vCPU
 * writes its buffer while this runs. */
void sink_close(struct sink *sink, const char *last, size_t last_len);

#endif
