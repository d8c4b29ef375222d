/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON numbers and strings appended to a text buffer, without printf: they
 * are on the call path of every event record. */
#include "output/json.h"

#include <stdbool.h>

/* Past 2^53 a double, which is what most JSON readers (JavaScript, jq)
 * turn a number into, no longer holds every integer: such a value is
 * written as a string of its decimal digits instead. */
#define JSON_EXACT_LIMIT (1ull << 53)

/* A sign and a magnitude, in quotes past the limit. */
static void integer(struct text *out, bool negative, uint64_t magnitude)
{
    bool quoted = magnitude > JSON_EXACT_LIMIT;
    if (quoted) {
        text_char(out, '"');
    }
    if (negative) {
        text_char(out, '-');
    }
    json_digits(out, magnitude);
    if (quoted) {
        text_char(out, '"');
    }
}

void json_u64(struct text *out, uint64_t value)
{
    integer(out, false, value);
}

void json_digits(struct text *out, uint64_t value)
{
    /* Two digits per division: numbers are most of a record's text. */
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    char digits[20];
    int n = sizeof digits;
    while (value >= 100) {
        unsigned pair = (unsigned)(value % 100) * 2;
        value /= 100;
        digits[--n] = pairs[pair + 1];
        digits[--n] = pairs[pair];
    }
    if (value >= 10) {
        digits[--n] = pairs[value * 2 + 1];
        digits[--n] = pairs[value * 2];
    } else {
        digits[--n] = (char)('0' + value);
    }
    text_append(out, digits + n, sizeof digits - (size_t)n);
}

void json_i64(struct text *out, int64_t value)
{
    integer(out, value < 0, value < 0 ? 0 - (uint64_t)value : (uint64_t)value);
}

void json_us(struct text *out, uint64_t ns)
{
    json_digits(out, ns / 1000);
    char fraction[5] = {'.', (char)('0' + ns % 1000 / 100),
                        (char)('0' + ns % 100 / 10), (char)('0' + ns % 10), '\0'};
    text_str(out, fraction);
}

void json_hex(struct text *out, uint64_t value)
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
    text_append(out, text + n, sizeof text - (size_t)n);
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

void json_string(struct text *out, const char *text, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    text_char(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x80) {
            /* Guest text need not be UTF-8: keep what is, replace what
             * is not, so the line stays valid JSON. */
            size_t n = utf8_sequence((const unsigned char *)text + i, len - i);
            if (n == 0) {
                text_lit(out, "\\ufffd");
            } else {
                text_append(out, text + i, n);
                i += n - 1;
            }
            continue;
        }
        switch (c) {
        case '"':
            text_lit(out, "\\\"");
            break;
        case '\\':
            text_lit(out, "\\\\");
            break;
        case '\n':
            text_lit(out, "\\n");
            break;
        case '\t':
            text_lit(out, "\\t");
            break;
        case '\r':
            text_lit(out, "\\r");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                text_lit(out, "\\u00");
                text_char(out, hex[c >> 4]);
                text_char(out, hex[c & 0xf]);
            } else {
                text_char(out, (char)c);
            }
        }
    }
    text_char(out, '"');
}
