/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Buffered multi-writer output files. A vCPU holds only its own buffer's
 * lock while it formats; the file lock is taken once per 64 KiB.
 */
#include "output.h"

#include <errno.h>
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
    uint64_t records;
};

struct event_buffer {
    struct sink *sink;
    pthread_mutex_t lock;
    GString *text;
    uint64_t records;
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
    buf->text = g_string_sized_new(FLUSH_THRESHOLD + 4096);
    pthread_mutex_lock(&sink->lock);
    g_ptr_array_add(sink->buffers, buf);
    pthread_mutex_unlock(&sink->lock);
    return buf;
}

/* Caller holds buf->lock and sink->lock. */
static void flush_locked(struct event_buffer *buf)
{
    if (!buf->sink->closed && buf->text->len > 0) {
        write_all(buf->sink, buf->text->str, buf->text->len);
        buf->sink->records += buf->records;
    }
    g_string_truncate(buf->text, 0);
    buf->records = 0;
}

GString *event_begin(struct event_buffer *buf)
{
    if (buf == NULL) {
        return NULL;
    }
    pthread_mutex_lock(&buf->lock);
    if (buf->sink->closed) {
        pthread_mutex_unlock(&buf->lock);
        return NULL;
    }
    return buf->text;
}

void event_end(struct event_buffer *buf)
{
    buf->records++;
    if (buf->text->len >= FLUSH_THRESHOLD) {
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

uint64_t sink_records(const struct sink *sink)
{
    return sink ? sink->records : 0;
}

void json_u64(GString *out, uint64_t value)
{
    char digits[20];
    int n = sizeof digits;
    do {
        digits[--n] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    g_string_append_len(out, digits + n, (gssize)(sizeof digits - (size_t)n));
}

void json_i64(GString *out, int64_t value)
{
    if (value < 0) {
        g_string_append_c(out, '-');
        json_u64(out, 0 - (uint64_t)value);
    } else {
        json_u64(out, (uint64_t)value);
    }
}

void json_us(GString *out, uint64_t ns)
{
    json_u64(out, ns / 1000);
    char fraction[5] = {'.', (char)('0' + ns % 1000 / 100),
                        (char)('0' + ns % 100 / 10), (char)('0' + ns % 10), '\0'};
    g_string_append(out, fraction);
}

void json_hex(GString *out, uint64_t value)
{
    static const char hex[] = "0123456789abcdef";
    char text[21];
    int n = sizeof text;
    text[--n] = '"';
    do {
        text[--n] = hex[value & 0xf];
        value >>= 4;
    } while (value != 0);
    text[--n] = 'x';
    text[--n] = '0';
    text[--n] = '"';
    g_string_append_len(out, text + n, (gssize)(sizeof text - (size_t)n));
}

/* Length of the well-formed UTF-8 sequence at text, or 0. */
static size_t utf8_sequence(const unsigned char *text, size_t len)
{
    size_t need;
    uint32_t min;
    if (text[0] >= 0xc2 && text[0] <= 0xdf) {
        need = 2, min = 0x80;
    } else if (text[0] >= 0xe0 && text[0] <= 0xef) {
        need = 3, min = 0x800;
    } else if (text[0] >= 0xf0 && text[0] <= 0xf4) {
        need = 4, min = 0x10000;
    } else {
        return 0;
    }
    if (len < need) {
        return 0;
    }
    uint32_t code = text[0] & (0x7f >> need);
    for (size_t i = 1; i < need; i++) {
        if ((text[i] & 0xc0) != 0x80) {
            return 0;
        }
        code = code << 6 | (text[i] & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return 0;
    }
    return need;
}

void json_string(GString *out, const char *text, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    g_string_append_c(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x80) {
            /* Guest text need not be UTF-8: keep what is, replace what
             * is not, so the line stays valid JSON. */
            size_t n = utf8_sequence((const unsigned char *)text + i, len - i);
            if (n == 0) {
                g_string_append(out, "\\ufffd");
            } else {
                g_string_append_len(out, text + i, (gssize)n);
                i += n - 1;
            }
            continue;
        }
        switch (c) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                g_string_append(out, "\\u00");
                g_string_append_c(out, hex[c >> 4]);
                g_string_append_c(out, hex[c & 0xf]);
            } else {
                g_string_append_c(out, (char)c);
            }
        }
    }
    g_string_append_c(out, '"');
}
