/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Buffered multi-writer output files. A vCPU holds only its own buffer's
 * lock while it formats; the file lock is taken once per 64 KiB.
 */
#include "output/sink.h"

#include "output/file.h"

#include <errno.h>
#include <glib.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FLUSH_THRESHOLD (64 * 1024)

struct sink {
    struct out_file *file;
    char *header;
    char *footer;
    pthread_mutex_t lock; /* buffers, closed */
    GPtrArray *buffers;
    bool closed;
};

struct event_buffer {
    struct sink *sink;
    pthread_mutex_t lock;
    struct text text;
};

static void write_all(struct sink *sink, const char *data, size_t len)
{
    /* A failed or full output stops itself (output/file.c); records then
     * stop being formatted too. */
    if (!out_file_write(sink->file, data, len)) {
        sink->closed = true;
    }
}

struct sink *sink_open(const char *option, const char *path, uint64_t limit,
                       const char *header, const char *footer, char *err, size_t err_size)
{
    struct out_file *file = out_file_open(option, path, limit, err, err_size);
    if (file == NULL) {
        return NULL;
    }
    struct sink *sink = g_new0(struct sink, 1);
    sink->file = file;
    sink->header = g_strdup(header ? header : "");
    sink->footer = g_strdup(footer ? footer : "");
    pthread_mutex_init(&sink->lock, NULL);
    sink->buffers = g_ptr_array_new();
    return sink;
}

void sink_start(struct sink *sink)
{
    if (sink != NULL) {
        out_file_start(sink->file);
        write_all(sink, sink->header, strlen(sink->header));
    }
}

void sink_abandon(struct sink *sink)
{
    if (sink != NULL) {
        sink->closed = true;
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
    pthread_mutex_init(&buf->lock, NULL);
    text_init(&buf->text, FLUSH_THRESHOLD + 4096);
    pthread_mutex_lock(&sink->lock);
    g_ptr_array_add(sink->buffers, buf);
    pthread_mutex_unlock(&sink->lock);
    return buf;
}

/* Caller holds buf->lock and sink->lock. */
static void flush_locked(struct event_buffer *buf)
{
    if (!buf->sink->closed && buf->text.len > 0) {
        write_all(buf->sink, buf->text.data, buf->text.len);
    }
    buf->text.len = 0;
}

struct text *event_begin(struct event_buffer *buf)
{
    if (buf == NULL) {
        return NULL;
    }
    pthread_mutex_lock(&buf->lock);
    if (buf->sink->closed) {
        pthread_mutex_unlock(&buf->lock);
        return NULL;
    }
    return &buf->text;
}

void event_end(struct event_buffer *buf)
{
    if (buf->text.len >= FLUSH_THRESHOLD) {
        pthread_mutex_lock(&buf->sink->lock);
        flush_locked(buf);
        pthread_mutex_unlock(&buf->sink->lock);
    }
    pthread_mutex_unlock(&buf->lock);
}

void sink_close(struct sink *sink, const char *last)
{
    if (sink == NULL) {
        return;
    }
    for (;;) {
        /* Buffer locks come before the sink lock, as in event_end. */
        pthread_mutex_lock(&sink->lock);
        bool closed = sink->closed;
        guint n = sink->buffers->len;
        pthread_mutex_unlock(&sink->lock);
        if (closed) {
            return;
        }
        for (guint i = 0; i < n; i++) {
            pthread_mutex_lock(&sink->lock);
            struct event_buffer *buf = g_ptr_array_index(sink->buffers, i);
            pthread_mutex_unlock(&sink->lock);
            pthread_mutex_lock(&buf->lock);
            pthread_mutex_lock(&sink->lock);
            flush_locked(buf);
            pthread_mutex_unlock(&sink->lock);
            pthread_mutex_unlock(&buf->lock);
        }
        pthread_mutex_lock(&sink->lock);
        if (sink->buffers->len == n) {
            if (last != NULL) {
                write_all(sink, last, strlen(last));
            }
            write_all(sink, sink->footer, strlen(sink->footer));
            sink->closed = true;
            out_file_close(sink->file);
            pthread_mutex_unlock(&sink->lock);
            return;
        }
        /* A vCPU appeared meanwhile: flush again. */
        pthread_mutex_unlock(&sink->lock);
    }
}
