/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON numbers and strings without printf. The json_put_ functions write
 * at p, into room the caller has reserved, and return the end: a record on
 * the call path is written in one pass, with no bounds check per field.
 * The json_ functions append the same to a growing text (summaries).
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_JSON_H
#define BACKDOOR_PLUGIN_OUTPUT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "output/text.h"

/* Bytes json_put_u64/_i64 write at most: a sign, 20 digits, 2 quotes. */
#define JSON_INTEGER_MAX 23
/* Bytes json_put_string writes at most for len bytes of text. */
#define JSON_STRING_MAX(len) (6 * (size_t)(len) + 2)

/* Past 2^53 a double, which is what most JSON readers (JavaScript, jq)
 * turn a number into, no longer holds every integer: such a value is
 * written as a string of its decimal digits instead. */
#define JSON_EXACT_LIMIT (1ull << 53)

static inline char *json_put(char *p, const char *bytes, size_t n)
{
    memcpy(p, bytes, n);
    return p + n;
}

#define json_put_lit(p, literal) json_put((p), (literal), sizeof(literal) - 1)

static inline unsigned json_digit_count(uint64_t value)
{
    static const uint64_t powers[20] = {
        1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
        100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
        10000000000000ull, 100000000000000ull, 1000000000000000ull,
        10000000000000000ull, 100000000000000000ull, 1000000000000000000ull,
        10000000000000000000ull};
    /* log10 from the bit length (1233/4096 ~ log10(2)), then one compare. */
    unsigned guess = (unsigned)(64 - __builtin_clzll(value | 1)) * 1233 >> 12;
    return guess + (value >= powers[guess]) + (value == 0);
}

/* The decimal digits alone, never quoted: for numbers inside a string. */
static inline char *json_put_digits(char *p, uint64_t value)
{
    /* Two digits per division: numbers are most of a record's text. */
    static const char pairs[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    char *end = p + json_digit_count(value), *q = end;
    while (value >= 100) {
        unsigned pair = (unsigned)(value % 100) * 2;
        value /= 100;
        *--q = pairs[pair + 1];
        *--q = pairs[pair];
    }
    if (value >= 10) {
        *--q = pairs[value * 2 + 1];
        *--q = pairs[value * 2];
    } else {
        *--q = (char)('0' + value);
    }
    return end;
}

/* A sign and a magnitude, in quotes past JSON_EXACT_LIMIT. */
static inline char *json_put_integer(char *p, bool negative, uint64_t magnitude)
{
    bool quoted = magnitude > JSON_EXACT_LIMIT;
    *p = '"';
    p += quoted;
    *p = '-';
    p += negative;
    p = json_put_digits(p, magnitude);
    *p = '"';
    return p + quoted;
}

static inline char *json_put_u64(char *p, uint64_t value)
{
    return json_put_integer(p, false, value);
}

static inline char *json_put_i64(char *p, int64_t value)
{
    return json_put_integer(p, value < 0, value < 0 ? 0 - (uint64_t)value : (uint64_t)value);
}

/* "0x..." with quotes. */
static inline char *json_put_hex(char *p, uint64_t value)
{
    static const char hex[] = "0123456789abcdef";
    unsigned digits = (unsigned)(67 - __builtin_clzll(value | 1)) / 4;
    p = json_put_lit(p, "\"0x");
    for (char *q = p + digits; q > p; value >>= 4) {
        *--q = hex[value & 0xf];
    }
    p += digits;
    *p++ = '"';
    return p;
}

/* Nanoseconds as microseconds with three decimals (trace-event "ts"). */
static inline char *json_put_us(char *p, uint64_t ns)
{
    p = json_put_digits(p, ns / 1000);
    unsigned fraction = (unsigned)(ns % 1000);
    p[0] = '.';
    p[1] = (char)('0' + fraction / 100);
    p[2] = (char)('0' + fraction / 10 % 10);
    p[3] = (char)('0' + fraction % 10);
    return p + 4;
}

/* A quoted string, escaped; invalid UTF-8 replaced by U+FFFD. At most
 * JSON_STRING_MAX(len) bytes. */
char *json_put_string(char *p, const char *text, size_t len);

void json_u64(struct text *out, uint64_t value);
void json_i64(struct text *out, int64_t value);
void json_digits(struct text *out, uint64_t value);
void json_hex(struct text *out, uint64_t value);
void json_us(struct text *out, uint64_t ns);
void json_string(struct text *out, const char *text, size_t len);

#endif
