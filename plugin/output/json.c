/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON strings, and the growing-text forms of output/json.h's writers. */
#include "output/json.h"

/* Room for f's output, f's end becomes the text's length. */
#define APPEND(out, max, call)                                        \
    do {                                                              \
        if ((out)->len + (max) > (out)->cap) {                        \
            text_grow((out), (max));                                  \
        }                                                             \
        (out)->len = (size_t)((call) - (out)->data);                  \
    } while (0)

void json_u64(struct text *out, uint64_t value)
{
    APPEND(out, JSON_INTEGER_MAX, json_put_u64(out->data + out->len, value));
}

void json_i64(struct text *out, int64_t value)
{
    APPEND(out, JSON_INTEGER_MAX, json_put_i64(out->data + out->len, value));
}

void json_digits(struct text *out, uint64_t value)
{
    APPEND(out, JSON_INTEGER_MAX, json_put_digits(out->data + out->len, value));
}

void json_hex(struct text *out, uint64_t value)
{
    APPEND(out, 20, json_put_hex(out->data + out->len, value));
}

void json_us(struct text *out, uint64_t ns)
{
    APPEND(out, JSON_INTEGER_MAX + 4, json_put_us(out->data + out->len, ns));
}

void json_string(struct text *out, const char *text, size_t len)
{
    APPEND(out, JSON_STRING_MAX(len), json_put_string(out->data + out->len, text, len));
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

char *json_put_string(char *p, const char *text, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    *p++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x80) {
            /* Guest text need not be UTF-8: keep what is, replace what
             * is not, so the line stays valid JSON. */
            size_t n = utf8_sequence((const unsigned char *)text + i, len - i);
            if (n == 0) {
                p = json_put_lit(p, "\\ufffd");
            } else {
                p = json_put(p, text + i, n);
                i += n - 1;
            }
            continue;
        }
        switch (c) {
        case '"':
            p = json_put_lit(p, "\\\"");
            break;
        case '\\':
            p = json_put_lit(p, "\\\\");
            break;
        case '\n':
            p = json_put_lit(p, "\\n");
            break;
        case '\t':
            p = json_put_lit(p, "\\t");
            break;
        case '\r':
            p = json_put_lit(p, "\\r");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                p = json_put_lit(p, "\\u00");
                *p++ = hex[c >> 4];
                *p++ = hex[c & 0xf];
            } else {
                *p++ = (char)c;
            }
        }
    }
    *p++ = '"';
    return p;
}
