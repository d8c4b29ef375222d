/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Buffered multi-writer output files (output/sink.h). A vCPU takes no lock
 * to write a record; the file's lock is taken once per buffer.
 */
#include "output/sink.h"

#include "output/file.h"

#include <glib.h>
#include <pthread.h>
#include <string.h>

struct sink {
    struct out_file *file;
    char *header;
    size_t header_len;
    bool aligned;          /* out_file_page_aligned */
    bool binary;
    pthread_mutex_t lock;  /* buffers */
    GPtrArray *buffers;
    int stopped;           /* closed, or the file stopped */
};

bool sink_stopped(const struct sink *sink)
{
    return __atomic_load_n(&sink->stopped, __ATOMIC_RELAXED);
}

static void write_out(struct sink *sink, const char *data, size_t len)
{
    /* A failed or full output stops itself (output/file.c); records then
     * stop being formatted too. */
    if (len > 0 && !out_file_write(sink->file, data, len)) {
        __atomic_store_n(&sink->stopped, 1, __ATOMIC_RELAXED);
    }
}

struct sink *sink_open(const char *option, const char *path, uint64_t limit,
                       const char *header, size_t header_len, const char *footer,
                       bool binary, char *err, size_t err_size)
{
    struct out_file *file = out_file_open(option, path, limit,
                                          OUT_RECORDS | (binary ? OUT_PAGES : 0), footer,
                                          err, err_size);
    if (file == NULL) {
        return NULL;
    }
    struct sink *sink = g_new0(struct sink, 1);
    sink->file = file;
    sink->header = g_memdup2(header, header_len);
    sink->header_len = header_len;
    sink->binary = binary;
    sink->aligned = out_file_page_aligned(file);
    pthread_mutex_init(&sink->lock, NULL);
    sink->buffers = g_ptr_array_new();
    return sink;
}

/* Pads data[0..len), which ends in '\n', with spaces inside its last line
 * up to `to`: JSON allows them, and the line stays one record. Binary
 * records are padded with zero bytes: empty slots. */
static void pad(bool binary, char *data, size_t len, size_t to)
{
    if (binary && to > len) {
        memset(data + len, 0, to - len);
        return;
    }
    if (len == 0 || to <= len) {
        return;
    }
    data[len - 1] = ' ';
    memset(data + len, ' ', to - len - 1);
    data[to - 1] = '\n';
}

static size_t page_end(size_t offset)
{
    return (offset + SINK_PAGE - 1) / SINK_PAGE * SINK_PAGE;
}

void sink_start(struct sink *sink)
{
    if (sink == NULL) {
        return;
    }
    out_file_start(sink->file);
    size_t len = sink->header_len;
    if (sink->aligned && len > 0) {
        /* Records start at a page boundary of the file. */
        char *padded = g_malloc(page_end(len));
        memcpy(padded, sink->header, len);
        pad(sink->binary, padded, len, page_end(len));
        write_out(sink, padded, page_end(len));
        g_free(padded);
    } else {
        write_out(sink, sink->header, len);
    }
}

void sink_abandon(struct sink *sink)
{
    if (sink != NULL) {
        sink->stopped = 1;
        out_file_abandon(sink->file);
    }
}

void sink_describe_problem(const struct sink *sink, GString *out)
{
    if (sink != NULL) {
        out_file_describe_problem(sink->file, out);
    }
}

struct event_buffer *event_buffer_new(struct sink *sink)
{
    if (sink == NULL) {
        return NULL;
    }
    struct event_buffer *buf = g_new0(struct event_buffer, 1);
    buf->sink = sink;
    buf->aligned = sink->aligned;
    buf->binary = sink->binary;
    buf->flush_at = SINK_FLUSH_MIN;
    return buf;
}

void event_buffer_register(struct event_buffer *buf)
{
    if (buf == NULL) {
        return;
    }
    pthread_mutex_lock(&buf->sink->lock);
    g_ptr_array_add(buf->sink->buffers, buf);
    pthread_mutex_unlock(&buf->sink->lock);
}

/* Room for a full buffer, a page of padding and the largest ordinary
 * record: allocated at a vCPU's first record, so vCPUs that never call
 * cost nothing. */
static size_t capacity(const struct event_buffer *buf)
{
    return buf->flush_at + 2 * SINK_PAGE;
}

void event_buffer_grow(struct event_buffer *buf, size_t max)
{
    size_t cap = buf->cap > 0 ? buf->cap : capacity(buf);
    /* A record may be moved past a page boundary (event_buffer_straddle). */
    while (cap < buf->len + max + SINK_PAGE) {
        cap *= 2;
    }
    buf->data = g_realloc(buf->data, cap);
    buf->cap = cap;
}

void event_buffer_straddle(struct event_buffer *buf, size_t start, size_t stop)
{
    size_t size = stop - start, boundary = page_end(start);
    if (size > SINK_PAGE) {
        buf->len = stop; /* longer than a page: it straddles one anyway */
        return;
    }
    memmove(buf->data + boundary, buf->data + start, size);
    pad(buf->binary, buf->data, start, boundary);
    buf->len = boundary + size;
}

void event_buffer_flush(struct event_buffer *buf)
{
    if (buf->aligned) {
        /* Whole pages keep the file's next write at a page boundary. */
        size_t to = page_end(buf->len);
        pad(buf->binary, buf->data, buf->len, to);
        buf->len = to;
    }
    if (!sink_stopped(buf->sink)) {
        write_out(buf->sink, buf->data, buf->len);
    }
    buf->len = 0;
    if (buf->flush_at < SINK_FLUSH_MAX) {
        buf->flush_at *= 2;
    }
    if (buf->cap < capacity(buf) || buf->cap > 4 * capacity(buf)) {
        /* Empty: allocated anew at the next record, at the new size (or
         * back to it after a long guest text grew it, so that memory stays
         * bounded). */
        g_free(buf->data);
        buf->data = NULL;
        buf->cap = 0;
    }
}

void sink_close(struct sink *sink, const char *last, size_t last_len)
{
    if (sink == NULL) {
        return;
    }
    pthread_mutex_lock(&sink->lock);
    if (sink->stopped != 2) {
        for (guint i = 0; i < sink->buffers->len; i++) {
            struct event_buffer *buf = g_ptr_array_index(sink->buffers, i);
            /* The last batch of each vCPU, as it stands: no padding. */
            if (!sink_stopped(sink)) {
                write_out(sink, buf->data, buf->len);
            }
            buf->len = 0;
        }
        if (!sink_stopped(sink)) {
            write_out(sink, last, last_len);
        }
        __atomic_store_n(&sink->stopped, 2, __ATOMIC_RELAXED);
        out_file_close(sink->file);
    }
    pthread_mutex_unlock(&sink->lock);
}
