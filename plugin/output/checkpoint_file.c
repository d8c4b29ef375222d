/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The checkpoint file's header (output/checkpoint_file.h). Text, so that
 * `head` shows who made a file; paths and arguments hex-encoded, so that no
 * byte of theirs can end a line. Numbers have a fixed width: the header is
 * written once before QEMU saves the machine and again, the same length,
 * with the machine's size once it has.
 */
#include "output/checkpoint_file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "backdoor-checkpoint"
/* QEMU's mapped-ram stream begins at a page boundary of the file. */
#define MACHINE_ALIGN 4096u
#define HEADER_MAX_BYTES (1u << 20)
#define STATE_MAX_BYTES (1ull << 32)

void checkpoint_hex_append(GString *out, const void *bytes, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (const unsigned char *c = bytes; len-- > 0; c++) {
        g_string_append_c(out, digits[*c >> 4]);
        g_string_append_c(out, digits[*c & 15]);
    }
}

GByteArray *checkpoint_hex_decode(const char *hex)
{
    GByteArray *bytes = g_byte_array_new();
    for (; *hex != '\0' && *hex != ' ' && *hex != '\n'; hex += 2) {
        int high = g_ascii_xdigit_value(hex[0]), low = g_ascii_xdigit_value(hex[1]);
        if (high < 0 || low < 0) {
            g_byte_array_free(bytes, TRUE);
            return NULL;
        }
        guint8 byte = (guint8)(high << 4 | low);
        g_byte_array_append(bytes, &byte, 1);
    }
    return bytes;
}

static void put_hex(GString *out, const char *key, const char *text)
{
    g_string_append_printf(out, "%s ", key);
    checkpoint_hex_append(out, text, strlen(text));
    g_string_append_c(out, '\n');
}

static char *checksum(const char *header, size_t header_len, const char *state, size_t state_len)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(sum, (const guchar *)header, (gssize)header_len);
    g_checksum_update(sum, (const guchar *)state, (gssize)state_len);
    char *hex = g_strdup(g_checksum_get_string(sum));
    g_checksum_free(sum);
    return hex;
}

/* The header's lines, up to and including the blank line ending it. */
static GString *header_text(const struct checkpoint_header *h, const char *state)
{
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, MAGIC " %d\nbackdoor-version %s\nqemu-version %s\ntarget %s\n",
                           CHECKPOINT_FORMAT, h->backdoor_version, h->qemu_version, h->target);
    put_hex(out, "exe", h->exe);
    for (char **a = h->argv; *a != NULL; a++) {
        put_hex(out, "arg", *a);
    }
    g_string_append_printf(out, "state-bytes %020" PRIu64 "\nmachine-offset %020" PRIu64
                           "\nmachine-bytes %020" PRIu64 "\n",
                           h->state_bytes, h->machine_offset, h->machine_bytes);
    char *sum = checksum(out->str, out->len, state, h->state_bytes);
    g_string_append_printf(out, "checksum %s\n\n", sum);
    g_free(sum);
    return out;
}

char *checkpoint_file_compose(struct checkpoint_header *h, const char *state, size_t *len)
{
    h->state_bytes = strlen(state);
    /* Numbers of fixed width: the length is the same whatever the offset. */
    GString *out = header_text(h, state);
    h->machine_offset = (out->len + h->state_bytes + MACHINE_ALIGN - 1) / MACHINE_ALIGN *
                        MACHINE_ALIGN;
    g_string_free(out, TRUE);
    out = header_text(h, state);
    g_string_append_len(out, state, (gssize)h->state_bytes);
    size_t used = out->len;
    g_string_set_size(out, h->machine_offset);
    memset(out->str + used, 0, h->machine_offset - used);
    *len = out->len;
    return g_string_free(out, FALSE);
}

/* A path or argument back from hex: no NUL inside; free() it. */
static char *from_hex(const char *hex)
{
    GByteArray *bytes = checkpoint_hex_decode(hex);
    char *text = NULL;
    if (bytes != NULL && memchr(bytes->data, 0, bytes->len) == NULL &&
        (text = malloc(bytes->len + 1)) != NULL) {
        memcpy(text, bytes->data, bytes->len);
        text[bytes->len] = '\0';
    }
    if (bytes != NULL) {
        g_byte_array_free(bytes, TRUE);
    }
    return text;
}

void checkpoint_header_free(struct checkpoint_header *h)
{
    free(h->exe);
    for (char **a = h->argv; a != NULL && *a != NULL; a++) {
        free(*a);
    }
    free(h->argv);
    memset(h, 0, sizeof *h);
}

static bool read_at(int fd, void *buf, size_t len, off_t offset, size_t *got)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, offset + (off_t)done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        done += (size_t)n;
    }
    *got = done;
    return done == len;
}

/* Parses the header's lines up to and including the blank line, cutting
 * text into them; sets *end to the offset of the state. */
static bool parse_lines(char *text, size_t *end, struct checkpoint_header *h, char *sum,
                         size_t *sum_at, char *err, size_t err_size)
{
    size_t n_args = 0;
    h->argv = calloc(1, sizeof *h->argv);
    bool have_state = false, have_offset = false, have_machine = false;
    for (char *line = text;;) {
        char *nl = strchr(line, '\n');
        if (nl == NULL) {
            snprintf(err, err_size, "its header has no end");
            return false;
        }
        *nl = '\0';
        char *value = strchr(line, ' ');
        if (value != NULL) {
            *value++ = '\0';
        }
        if (line == text) {
            int format;
            if (strcmp(line, MAGIC) != 0 || value == NULL || sscanf(value, "%d", &format) != 1) {
                snprintf(err, err_size, "not a backdoor checkpoint");
                return false;
            }
            if (format != CHECKPOINT_FORMAT) {
                snprintf(err, err_size, "a checkpoint of format %d; this backdoor reads format "
                         "%d", format, CHECKPOINT_FORMAT);
                return false;
            }
        } else if (line[0] == '\0') {
            snprintf(err, err_size, "its header ends before its checksum");
            return false;
        } else if (value == NULL) {
            snprintf(err, err_size, "a header line without value: %.40s", line);
            return false;
        } else if (strcmp(line, "backdoor-version") == 0) {
            snprintf(h->backdoor_version, sizeof h->backdoor_version, "%s", value);
        } else if (strcmp(line, "qemu-version") == 0) {
            snprintf(h->qemu_version, sizeof h->qemu_version, "%s", value);
        } else if (strcmp(line, "target") == 0) {
            snprintf(h->target, sizeof h->target, "%s", value);
        } else if (strcmp(line, "exe") == 0 || strcmp(line, "arg") == 0) {
            char *decoded = from_hex(value);
            if (decoded == NULL) {
                snprintf(err, err_size, "a damaged %s line", line);
                return false;
            }
            if (line[0] == 'e') {
                free(h->exe);
                h->exe = decoded;
            } else {
                char **grown = realloc(h->argv, (n_args + 2) * sizeof *grown);
                if (grown == NULL) {
                    free(decoded);
                    snprintf(err, err_size, "out of memory");
                    return false;
                }
                h->argv = grown;
                h->argv[n_args++] = decoded;
                h->argv[n_args] = NULL;
            }
        } else if (strcmp(line, "state-bytes") == 0) {
            have_state = sscanf(value, "%" SCNu64, &h->state_bytes) == 1;
        } else if (strcmp(line, "machine-offset") == 0) {
            have_offset = sscanf(value, "%" SCNu64, &h->machine_offset) == 1;
        } else if (strcmp(line, "machine-bytes") == 0) {
            have_machine = sscanf(value, "%" SCNu64, &h->machine_bytes) == 1;
        } else if (strcmp(line, "checksum") == 0) {
            *sum_at = (size_t)(line - text);
            snprintf(sum, 65, "%s", value);
            if (nl[1] != '\n') {
                snprintf(err, err_size, "its header does not end after its checksum");
                return false;
            }
            *end = (size_t)(nl + 2 - text);
            break;
        } /* other keys: from a newer backdoor of the same format, ignored */
        line = nl + 1;
    }
    if (!have_state || !have_offset || !have_machine || h->exe == NULL || n_args == 0) {
        snprintf(err, err_size, "its header lacks a line");
        return false;
    }
    return true;
}

/* As parse_lines, leaving text whole for the checksum. */
static bool parse_header(const char *text, size_t *end, struct checkpoint_header *h, char *sum,
                         size_t *sum_at, char *err, size_t err_size)
{
    char *lines = g_strdup(text);
    bool ok = parse_lines(lines, end, h, sum, sum_at, err, err_size);
    g_free(lines);
    return ok;
}

bool checkpoint_file_read(const char *path, struct checkpoint_header *h, char **state,
                          char *err, size_t err_size)
{
    memset(h, 0, sizeof *h);
    *state = NULL;
    char why[256] = "";
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, err_size, "checkpoint %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return false;
    }
    size_t cap = st.st_size < HEADER_MAX_BYTES ? (size_t)st.st_size : HEADER_MAX_BYTES;
    char *text = malloc(cap + 1), sum[65] = "";
    size_t got = 0, end = 0, sum_at = 0;
    bool ok = false;
    if (text == NULL) {
        snprintf(why, sizeof why, "out of memory");
    } else if (read_at(fd, text, cap, 0, &got), text[got] = '\0', got < sizeof MAGIC ||
               memcmp(text, MAGIC " ", sizeof MAGIC) != 0) {
        snprintf(why, sizeof why, "not a backdoor checkpoint");
    } else if (parse_header(text, &end, h, sum, &sum_at, why, sizeof why)) {
        if (h->state_bytes > STATE_MAX_BYTES || end + h->state_bytes > h->machine_offset ||
            h->machine_bytes == 0 || h->machine_offset + h->machine_bytes != (uint64_t)st.st_size) {
            snprintf(why, sizeof why, "%s: the file has %jd bytes, its header says %" PRIu64,
                     h->machine_bytes == 0 ? "QEMU never finished saving the machine"
                                           : "cut short or grown",
                     (intmax_t)st.st_size, h->machine_offset + h->machine_bytes);
        } else if ((*state = malloc(h->state_bytes + 1)) == NULL) {
            snprintf(why, sizeof why, "out of memory");
        } else if (!read_at(fd, *state, h->state_bytes, (off_t)end, &got)) {
            snprintf(why, sizeof why, "its state is cut short");
        } else {
            (*state)[h->state_bytes] = '\0';
            char *expected = checksum(text, sum_at, *state, h->state_bytes);
            ok = strcmp(expected, sum) == 0;
            g_free(expected);
            if (!ok) {
                snprintf(why, sizeof why, "damaged: its checksum does not match its header "
                         "and state");
            }
        }
    }
    close(fd);
    free(text);
    if (!ok) {
        snprintf(err, err_size, "checkpoint %s: %s", path, why);
        free(*state);
        *state = NULL;
        checkpoint_header_free(h);
    }
    return ok;
}
