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

const char *call_json_type_name(enum backdoor_type type);
const char *call_json_status_name(enum backdoor_status status);

#endif
