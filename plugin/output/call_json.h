/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A call's line in the event log (docs/outputs.md, "Event log"), written in
 * one pass into room the caller reserved. The plugin writes it for events=;
 * qemu-backdoor --events-to-json writes the same line from a binary event
 * log, so the two cannot differ.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_CALL_JSON_H
#define BACKDOOR_PLUGIN_OUTPUT_CALL_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "output/records.h"

/* The fields every event record starts with ({"ts_ns":..,"vcpu":..,
 * "event":"NAME"): at most EVENT_JSON_START_MAX bytes and the name's. */
#define EVENT_JSON_START_MAX 80
char *event_json_start(char *p, uint64_t ts, unsigned int vcpu, const char *event,
                       size_t event_len);

/* Bytes call_json writes at most for call. */
size_t call_json_max(const struct call_record *call);
/* The record, ending in a newline; returns its end. */
char *call_json(char *p, const struct call_record *call);

/* What a line holds between its ts_ns and its arguments (vcpu, event, pc,
 * type, cmd, op) changes only with the call site: one vCPU's last such
 * part, kept so that a loop of calls copies it instead of writing it anew. */
#define CALL_JSON_MEMO_MAX 160
struct call_json_memo {
    uint64_t pc;
    const char *op;
    uint32_t command;
    enum backdoor_type type;
    unsigned int vcpu;
    unsigned int len; /* 0: empty */
    char text[CALL_JSON_MEMO_MAX];
};

/* call_json's line, through memo. */
char *call_json_memo(char *p, const struct call_record *call, struct call_json_memo *memo);

const char *call_json_type_name(enum backdoor_type type);
const char *call_json_status_name(enum backdoor_status status);

#endif
