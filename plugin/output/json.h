/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON text helpers, faster than printf on the call path. */
#ifndef BACKDOOR_PLUGIN_OUTPUT_JSON_H
#define BACKDOOR_PLUGIN_OUTPUT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "output/text.h"

/* Integers; one beyond 2^53 in magnitude as a string of its decimal
 * digits (docs/outputs.md). */
void json_u64(struct text *out, uint64_t value);
void json_i64(struct text *out, int64_t value);
/* The decimal digits alone, never quoted: for numbers inside a string. */
void json_digits(struct text *out, uint64_t value);
void json_hex(struct text *out, uint64_t value); /* "0x..." with quotes */
/* Nanoseconds as microseconds with three decimals (trace-event "ts"). */
void json_us(struct text *out, uint64_t ns);
void json_string(struct text *out, const char *text, size_t len);

#endif
