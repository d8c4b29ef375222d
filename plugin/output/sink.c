/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Buffered multi-writer output files. A vCPU holds only its own buffer's
 * lock while it formats; the file lock is taken once per 64 KiB.
 */
#include "output/sink.h"

#include <errno.h>
#include <glib.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FLUSH_THRESHOLD (64 * 1024)

struct sink {
    int fd;
    char *path;
    char *footer;
    pthread_mutex_t lock; /* fd, buffers, closed */
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
    while (len > 0) {
        ssize_t n = write(sink->fd, data, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            /* A full disk must not stop the guest: drop the output. */
            fprintf(stderr, "backdoor: writing %s failed: %s\n", sink->path,
                    strerror(errno));
            sink->closed = true;
            return;
        }
        data += n;
        len -= (size_t)n;
    }
}

struct sink *sink_open(const char *path, const char *header,
                       const char *footer, char *err, size_t err_size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, err_size, "cannot open %s for writing: %s", path,
                 strerror(errno));
        return NULL;
    }
    struct sink *sink = g_new0(struct sink, 1);
    sink->fd = fd;
    sink->path = g_strdup(path);
    sink->footer = g_strdup(footer ? footer : "");
    pthread_mutex_init(&sink->lock, NULL);
    sink->buffers = g_ptr_array_new();
    if (header != NULL) {
        write_all(sink, header, strlen(header));
    }
    return sink;
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
            close(sink->fd);
            pthread_mutex_unlock(&sink->lock);
            return;
        }
        /* A vCPU appeared meanwhile: flush again. */
        pthread_mutex_unlock(&sink->lock);
    }
}
