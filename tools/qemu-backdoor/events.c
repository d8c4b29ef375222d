/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-backdoor --events-to-json FILE: a binary event log (events=PATH.bin)
 * as the JSON Lines events= writes, on stdout. The records are decoded and
 * formatted by the plugin's own code (plugin/output/event_bin.c,
 * call_json.c), so the lines are the very ones events=PATH.jsonl holds. A
 * log cut short (QEMU killed) ends at its last whole record, said on
 * stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/call_json.h"
#include "output/event_bin.h"
#include "qemu-backdoor.h"

/* Reads until buf holds want bytes from *used on; false at the end. */
static bool fill(FILE *in, unsigned char **buf, size_t *cap, size_t *start, size_t *len,
                 size_t want)
{
    if (*len - *start >= want) {
        return true;
    }
    memmove(*buf, *buf + *start, *len - *start);
    *len -= *start;
    *start = 0;
    if (want > *cap) {
        *cap = want * 2;
        *buf = realloc(*buf, *cap);
        if (*buf == NULL) {
            die("out of memory");
        }
    }
    *len += fread(*buf + *len, 1, *cap - *len, in);
    return *len >= want;
}

int events_to_json(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        die("--events-to-json=%s: %s", path, strerror(errno));
    }
    size_t cap = 1 << 20, start = 0, len = 0;
    unsigned char *buf = malloc(cap);
    if (buf == NULL) {
        die("out of memory");
    }
    if (!fill(in, &buf, &cap, &start, &len, EVENT_BIN_SLOT) ||
        memcmp(buf, EVENT_BIN_MAGIC, 8) != 0) {
        die("--events-to-json=%s: not a binary event log (no %s header); the plugin writes "
            "one for events=PATH.bin", path, EVENT_BIN_MAGIC);
    }
    start = EVENT_BIN_SLOT;
    uint64_t offset = EVENT_BIN_SLOT;
    size_t out_cap = 4096;
    char *out = malloc(out_cap);
    struct event_bin_record *record = malloc(sizeof *record);
    if (out == NULL || record == NULL) {
        die("out of memory");
    }
    while (fill(in, &buf, &cap, &start, &len, EVENT_BIN_SLOT)) {
        size_t size = event_bin_decode(buf + start, len - start, record);
        if (size == 0) {
            uint32_t tail;
            memcpy(&tail, buf + start + 12, 4);
            size_t whole = EVENT_BIN_SLOT + ((size_t)tail + EVENT_BIN_SLOT - 1) /
                                                EVENT_BIN_SLOT * EVENT_BIN_SLOT;
            if (buf[start] > EVENT_BIN_JSON || whole <= len - start) {
                die("--events-to-json=%s: no valid record at offset %llu", path,
                    (unsigned long long)offset);
            }
            if (!fill(in, &buf, &cap, &start, &len, whole)) {
                fprintf(stderr, "%s: %s: the last record (at offset %llu) is cut short, as "
                        "when QEMU was killed: left out\n", program_name, path,
                        (unsigned long long)offset);
                break;
            }
            continue;
        }
        if (record->kind == EVENT_BIN_CALL) {
            size_t need = call_json_max(&record->call);
            if (need > out_cap) {
                out_cap = need;
                out = realloc(out, out_cap);
                if (out == NULL) {
                    die("out of memory");
                }
            }
            fwrite(out, 1, (size_t)(call_json(out, &record->call) - out), stdout);
        } else if (record->kind == EVENT_BIN_JSON) {
            fwrite(record->json, 1, record->json_len, stdout);
        }
        start += size;
        offset += size;
    }
    fclose(in);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        die("--events-to-json=%s: writing the JSON Lines: %s", path, strerror(errno));
    }
    return 0;
}
