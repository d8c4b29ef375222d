/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The binary event log (events=PATH.bin, docs/outputs.md): the event log's
 * records in 64-byte slots, little-endian, for a guest that calls faster
 * than JSON can be written. A call is one slot (two or more with a result,
 * an address space, extra fields or a text); every other record (handler
 * events, statistics, the summary) carries its JSON line as it is.
 * qemu-backdoor --events-to-json turns the file into the JSON Lines of
 * events= (output/call_json.h writes both), and tests/lib/events_bin.py
 * reads it.
 *
 * Slots never straddle a page of the file (64 divides 4096), and a record of
 * several slots is moved to the next page rather than straddle one, the gap
 * left as padding slots (all zero): a write that SIGKILL cuts between pages
 * leaves whole records.
 *
 * The first slot is the header: "BDEVLOG1", then the slot size as a 32-bit
 * word. Each record's first slot:
 *   0  kind (1 call, 2 JSON line; 0 a padding slot)
 *   1  call type      2  status      3  flags (below)
 *   4  argument count 5  extra fields
 *   6  command (16 bits)
 *   8  vCPU (32 bits) 12 tail bytes (32 bits): what follows in further slots
 *   16 ts_ns          24 pc          32 four arguments (64 bits each)
 * A call's tail, in this order: the result (if flagged), the address space
 * (if attributed), each extra field (a byte of key length, the key, the
 * value), the op name if flagged (a byte of length, the name), the text if
 * flagged (32 bits of length, the bytes). A JSON line's tail is the line.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_EVENT_BIN_H
#define BACKDOOR_PLUGIN_OUTPUT_EVENT_BIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/records.h"

#define EVENT_BIN_SLOT 64u
#define EVENT_BIN_MAGIC "BDEVLOG1"

enum event_bin_kind { EVENT_BIN_PAD = 0, EVENT_BIN_CALL = 1, EVENT_BIN_JSON = 2 };

enum event_bin_flags {
    EVENT_BIN_RESULT = 1 << 0,
    EVENT_BIN_ATTRIBUTED = 1 << 1,
    EVENT_BIN_KERNEL = 1 << 2,
    EVENT_BIN_OP = 1 << 3,   /* the op name is not the one its command implies */
    EVENT_BIN_TEXT = 1 << 4,
};

/* The header slot. */
void event_bin_header(char slot[EVENT_BIN_SLOT]);

/* Bytes event_bin_call writes at most for call (whole slots). */
size_t event_bin_call_max(const struct call_record *call);
char *event_bin_call(char *p, const struct call_record *call);

/* A record carried as its JSON line (len bytes, with its newline). */
size_t event_bin_json_max(size_t len);
char *event_bin_json(char *p, const char *line, size_t len);

/* A record read back. */
struct event_bin_record {
    enum event_bin_kind kind;
    struct call_record call; /* EVENT_BIN_CALL; its pointers point into the
                              * record and the fields below */
    uint64_t args[4];
    char op[256];
    char keys[CALL_MAX_EXTRA][256];
    const char *json; /* EVENT_BIN_JSON: the line */
    size_t json_len;
};

/* Decodes the record at data (avail bytes, from a slot boundary): its
 * size in bytes, or 0 if it is cut short or malformed. */
size_t event_bin_decode(const unsigned char *data, size_t avail,
                        struct event_bin_record *record);

#endif
