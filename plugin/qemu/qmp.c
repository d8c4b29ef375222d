/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A QMP client (qemu/qmp.h). QEMU writes each answer and event as one JSON
 * object on a line of its own, so answers are read a line at a time and
 * told apart by their first key. The few values read back ("status",
 * "desc", version numbers) are found by key in the line rather than by a
 * JSON library: neither Debian root the plugin runs in has one that QEMU's
 * plugin would otherwise load, and the shapes are QEMU's documented ones.
 */
#include "qemu/qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* An answer QEMU does not give within this long means a QEMU that is stuck;
 * saving a machine is polled, so no single answer takes long. */
#define ANSWER_TIMEOUT_MS 60000
#define LINE_MAX_BYTES (1 << 20)

struct qmp {
    int fd;
    char *buf;
    size_t len, cap;
};

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The next line from QEMU, without its end; NULL on a broken connection. */
static char *read_line(struct qmp *q, char *err, size_t err_size)
{
    for (;;) {
        char *end = memchr(q->buf, '\n', q->len);
        if (end != NULL) {
            size_t line_len = (size_t)(end - q->buf);
            char *line = malloc(line_len + 1);
            if (line == NULL) {
                snprintf(err, err_size, "QMP: out of memory");
                return NULL;
            }
            memcpy(line, q->buf, line_len);
            line[line_len] = '\0';
            if (line_len > 0 && line[line_len - 1] == '\r') {
                line[line_len - 1] = '\0';
            }
            memmove(q->buf, end + 1, q->len - line_len - 1);
            q->len -= line_len + 1;
            return line;
        }
        if (q->len == q->cap) {
            if (q->cap >= LINE_MAX_BYTES) {
                snprintf(err, err_size, "QMP: an answer longer than %d bytes", LINE_MAX_BYTES);
                return NULL;
            }
            size_t cap = q->cap ? q->cap * 2 : 4096;
            char *grown = realloc(q->buf, cap);
            if (grown == NULL) {
                snprintf(err, err_size, "QMP: out of memory");
                return NULL;
            }
            q->buf = grown;
            q->cap = cap;
        }
        struct pollfd p = {q->fd, POLLIN, 0};
        int ready = poll(&p, 1, ANSWER_TIMEOUT_MS);
        if (ready == 0) {
            snprintf(err, err_size, "QMP: QEMU did not answer within %d s",
                     ANSWER_TIMEOUT_MS / 1000);
            return NULL;
        }
        ssize_t n = ready < 0 ? -1 : read(q->fd, q->buf + q->len, q->cap - q->len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            snprintf(err, err_size, "QMP: connection closed by QEMU%s%s", n < 0 ? ": " : "",
                     n < 0 ? strerror(errno) : "");
            return NULL;
        }
        q->len += (size_t)n;
    }
}

static bool write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        text += n;
        len -= (size_t)n;
    }
    return true;
}

/* Whether a line is an object whose first key is key. */
static bool first_key_is(const char *line, const char *key)
{
    const char *p = line;
    while (*p == ' ' || *p == '{') {
        p++;
    }
    size_t len = strlen(key);
    return *p == '"' && strncmp(p + 1, key, len) == 0 && p[1 + len] == '"';
}

struct qmp *qmp_connect(const char *path, int timeout_ms, char *err, size_t err_size)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        snprintf(err, err_size, "QMP socket %s: path longer than %zu bytes", path,
                 sizeof addr.sun_path - 1);
        return NULL;
    }
    strcpy(addr.sun_path, path);
    int fd = -1;
    /* QEMU makes its monitors after loading plugins: wait for the socket. */
    for (int waited = 0;; waited += 10) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            snprintf(err, err_size, "QMP: socket: %s", strerror(errno));
            return NULL;
        }
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
            break;
        }
        int e = errno;
        close(fd);
        if ((e != ENOENT && e != ECONNREFUSED) || waited >= timeout_ms) {
            snprintf(err, err_size, "QMP socket %s: %s (QEMU needs -qmp unix:%s,server=on,"
                     "wait=off)", path, strerror(e), path);
            return NULL;
        }
        sleep_ms(10);
    }
    struct qmp *q = calloc(1, sizeof *q);
    if (q == NULL) {
        close(fd);
        snprintf(err, err_size, "QMP: out of memory");
        return NULL;
    }
    q->fd = fd;
    char *greeting = read_line(q, err, err_size);
    bool ok = greeting != NULL && first_key_is(greeting, "QMP");
    if (greeting != NULL && !ok) {
        snprintf(err, err_size, "QMP socket %s: not QEMU's QMP (it said %.80s)", path,
                 greeting);
    }
    free(greeting);
    char reply[256];
    if (!ok || !qmp_execute(q, "{\"execute\": \"qmp_capabilities\"}", reply, sizeof reply,
                            err, err_size)) {
        qmp_close(q);
        return NULL;
    }
    return q;
}

void qmp_close(struct qmp *q)
{
    if (q != NULL) {
        close(q->fd);
        free(q->buf);
        free(q);
    }
}

bool qmp_execute(struct qmp *q, const char *command, char *reply, size_t reply_size, char *err,
                 size_t err_size)
{
    if (!write_all(q->fd, command, strlen(command)) || !write_all(q->fd, "\n", 1)) {
        snprintf(err, err_size, "QMP: cannot write to QEMU: %s", strerror(errno));
        return false;
    }
    for (;;) {
        char *line = read_line(q, err, err_size);
        if (line == NULL) {
            return false;
        }
        if (first_key_is(line, "return")) {
            snprintf(reply, reply_size, "%s", line);
            free(line);
            return true;
        }
        if (first_key_is(line, "error")) {
            char desc[512];
            if (!qmp_string(line, "desc", desc, sizeof desc)) {
                snprintf(desc, sizeof desc, "%.200s", line);
            }
            snprintf(err, err_size, "%s", desc);
            free(line);
            return false;
        }
        free(line); /* an event */
    }
}

/* Where the value of "key" begins in text (after the colon and blanks). */
static const char *value_of(const char *text, const char *key)
{
    size_t len = strlen(key);
    for (const char *p = strchr(text, '"'); p != NULL; p = strchr(p + 1, '"')) {
        if (strncmp(p + 1, key, len) == 0 && p[1 + len] == '"') {
            const char *v = p + 2 + len;
            while (*v == ' ') {
                v++;
            }
            if (*v == ':') {
                v++;
                while (*v == ' ') {
                    v++;
                }
                return v;
            }
        }
    }
    return NULL;
}

bool qmp_string(const char *reply, const char *key, char *value, size_t value_size)
{
    const char *v = value_of(reply, key);
    if (v == NULL || *v != '"' || value_size == 0) {
        return false;
    }
    size_t n = 0;
    for (v++; *v != '\0' && *v != '"'; v++) {
        char c = *v;
        if (c == '\\' && v[1] != '\0') {
            v++;
            c = *v == 'n' ? '\n' : *v == 't' ? '\t' : *v;
        }
        if (n + 1 < value_size) {
            value[n++] = c;
        }
    }
    value[n] = '\0';
    return true;
}

bool qmp_number(const char *reply, const char *key, long long *value)
{
    const char *v = value_of(reply, key);
    if (v == NULL) {
        return false;
    }
    char *end;
    *value = strtoll(v, &end, 10);
    return end != v;
}
