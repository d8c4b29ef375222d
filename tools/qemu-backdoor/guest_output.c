/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The serial console of a --linux guest, read from QEMU as it comes: the
 * frames of /init (tools/linux-init.c: byte 0, kind, 16-bit little-endian
 * length, data) become our stdout and stderr, byte for byte, and the
 * program's exit status; every other byte is the kernel's own console
 * (quiet, so only panics and oopses), which never holds a NUL byte. It goes
 * to --console=FILE, to stderr, nowhere, or by default into a buffer that
 * is shown only when the machine ends without the program's status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu-backdoor.h"

enum { FRAME_STDOUT = 1, FRAME_STDERR = 2, FRAME_STATUS = 3 };

static void write_all(int fd, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return; /* our reader went away: the guest still runs to its end */
        }
        data += n;
        len -= (size_t)n;
    }
}

void guest_output_init(struct guest_output *out, const char *console)
{
    memset(out, 0, sizeof *out);
    out->status = -1;
    out->console_fd = -1;
    if (console == NULL) {
        return;
    }
    if (strcmp(console, "stderr") == 0) {
        out->console_fd = 2;
    } else if (strcmp(console, "none") == 0) {
        out->console_none = true;
    } else {
        FILE *f = fopen(console, "w");
        if (f == NULL) {
            die("--console=%s: %s", console, strerror(errno));
        }
        out->console_fd = dup(fileno(f));
        fclose(f);
    }
}

static void console_text(struct guest_output *out, const unsigned char *text, size_t len)
{
    if (out->console_fd >= 0) {
        write_all(out->console_fd, text, len);
    }
    if (out->console_none) {
        return;
    }
    /* The last lines, shown if the machine ends without a status. */
    size_t cap = sizeof out->tail;
    if (len >= cap) {
        memcpy(out->tail, text + len - cap, cap);
        out->tail_len = cap;
        return;
    }
    if (out->tail_len + len > cap) {
        size_t drop = out->tail_len + len - cap;
        memmove(out->tail, out->tail + drop, out->tail_len - drop);
        out->tail_len -= drop;
    }
    memcpy(out->tail + out->tail_len, text, len);
    out->tail_len += len;
}

void guest_output_consume(void *data, const unsigned char *bytes, size_t len)
{
    struct guest_output *out = data;
    while (len > 0) {
        if (out->remaining > 0) {
            size_t n = len < out->remaining ? len : out->remaining;
            if (out->kind == FRAME_STDOUT || out->kind == FRAME_STDERR) {
                write_all(out->kind, bytes, n);
            } else if (out->kind == FRAME_STATUS) {
                out->status = bytes[0];
            }
            bytes += n;
            len -= n;
            out->remaining -= n;
            continue;
        }
        if (out->header_len > 0 || bytes[0] == 0) {
            out->header[out->header_len++] = bytes[0];
            bytes++;
            len--;
            if (out->header_len == 4) {
                out->header_len = 0;
                out->kind = out->header[1];
                out->remaining = out->header[2] | (size_t)out->header[3] << 8;
                if (out->kind < FRAME_STDOUT || out->kind > FRAME_STATUS) {
                    /* No frame of ours: show it as console text. */
                    console_text(out, out->header + 1, 3);
                    out->remaining = 0;
                }
            }
            continue;
        }
        size_t text = strnlen((const char *)bytes, len);
        console_text(out, bytes, text);
        bytes += text;
        len -= text;
    }
}

void guest_output_finish(struct guest_output *out)
{
    if (out->console_fd > 2) {
        close(out->console_fd);
    }
}

void guest_output_show_console(const struct guest_output *out)
{
    if (out->tail_len == 0 || out->console_fd == 2) {
        return;
    }
    fprintf(stderr, "%s: the kernel's console, last %zu bytes:\n", program_name,
            out->tail_len);
    fflush(stderr);
    write_all(2, out->tail, out->tail_len);
    if (out->tail[out->tail_len - 1] != '\n') {
        fputc('\n', stderr);
    }
}
