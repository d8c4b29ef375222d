/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the JSON writer (json_string, json_u64, json_i64,
 * json_hex, json_us) and the text buffer it appends to (text.c). Each input
 * becomes one record, {"s":STRING,"u":U64,"i":I64,"h":HEX,"t":US}, built in
 * a buffer that starts small so it grows many times. A strict RFC 8259
 * parser written here (not the writer's own logic) must accept the record;
 * the string must decode to the guest's bytes with each byte that starts no
 * well-formed UTF-8 sequence (Unicode table 3-7) replaced by U+FFFD, and the
 * numbers must read as printf prints them (in quotes beyond 2^53).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "output/json.h"

/* Length of the well-formed UTF-8 sequence at s (Unicode 15, table 3-7),
 * or 0. */
static size_t well_formed(const uint8_t *s, size_t len)
{
    static const struct {
        uint8_t first_lo, first_hi, second_lo, second_hi, length;
    } table[] = {
        {0xc2, 0xdf, 0x80, 0xbf, 2}, {0xe0, 0xe0, 0xa0, 0xbf, 3},
        {0xe1, 0xec, 0x80, 0xbf, 3}, {0xed, 0xed, 0x80, 0x9f, 3},
        {0xee, 0xef, 0x80, 0xbf, 3}, {0xf0, 0xf0, 0x90, 0xbf, 4},
        {0xf1, 0xf3, 0x80, 0xbf, 4}, {0xf4, 0xf4, 0x80, 0x8f, 4},
    };
    if (len > 0 && s[0] < 0x80) {
        return 1;
    }
    for (size_t r = 0; r < sizeof table / sizeof table[0]; r++) {
        if (len == 0 || s[0] < table[r].first_lo || s[0] > table[r].first_hi) {
            continue;
        }
        if (len < table[r].length || s[1] < table[r].second_lo || s[1] > table[r].second_hi) {
            return 0;
        }
        for (size_t i = 2; i < table[r].length; i++) {
            if (s[i] < 0x80 || s[i] > 0xbf) {
                return 0;
            }
        }
        return table[r].length;
    }
    return 0;
}

/* A strict JSON reader over [p, end): every function returns the position
 * after what it read, or NULL when the text is not JSON. */
struct reader {
    const uint8_t *end;
    uint8_t *decoded; /* the last string's bytes, when not NULL */
    size_t decoded_len;
};

static const uint8_t *skip_ws(const uint8_t *p, const uint8_t *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
    }
    return p;
}

static int hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static const uint8_t *read_u4(const uint8_t *p, const uint8_t *end, uint32_t *code)
{
    if (end - p < 4) {
        return NULL;
    }
    *code = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p[i]);
        if (d < 0) {
            return NULL;
        }
        *code = *code << 4 | (uint32_t)d;
    }
    return p + 4;
}

static void put_utf8(struct reader *r, uint32_t code)
{
    uint8_t *out = r->decoded + r->decoded_len;
    if (code < 0x80) {
        out[0] = (uint8_t)code, r->decoded_len += 1;
    } else if (code < 0x800) {
        out[0] = (uint8_t)(0xc0 | code >> 6), out[1] = (uint8_t)(0x80 | (code & 0x3f));
        r->decoded_len += 2;
    } else if (code < 0x10000) {
        out[0] = (uint8_t)(0xe0 | code >> 12), out[1] = (uint8_t)(0x80 | (code >> 6 & 0x3f));
        out[2] = (uint8_t)(0x80 | (code & 0x3f));
        r->decoded_len += 3;
    } else {
        out[0] = (uint8_t)(0xf0 | code >> 18), out[1] = (uint8_t)(0x80 | (code >> 12 & 0x3f));
        out[2] = (uint8_t)(0x80 | (code >> 6 & 0x3f)), out[3] = (uint8_t)(0x80 | (code & 0x3f));
        r->decoded_len += 4;
    }
}

static const uint8_t *read_string(struct reader *r, const uint8_t *p)
{
    if (p >= r->end || *p != '"') {
        return NULL;
    }
    r->decoded_len = 0;
    for (p++; p < r->end;) {
        uint8_t c = *p;
        if (c == '"') {
            return p + 1;
        }
        if (c < 0x20) {
            return NULL;
        }
        if (c != '\\') {
            size_t n = well_formed(p, (size_t)(r->end - p));
            if (n == 0) {
                return NULL;
            }
            memcpy(r->decoded + r->decoded_len, p, n);
            r->decoded_len += n;
            p += n;
            continue;
        }
        if (++p >= r->end) {
            return NULL;
        }
        const char *escapes = "\"\\/bfnrt", *meaning = "\"\\/\b\f\n\r\t";
        const char *e = *p != 'u' ? strchr(escapes, *p) : NULL;
        if (e != NULL && *e != '\0') {
            r->decoded[r->decoded_len++] = (uint8_t)meaning[e - escapes];
            p++;
            continue;
        }
        uint32_t code;
        if (*p != 'u' || (p = read_u4(p + 1, r->end, &code)) == NULL) {
            return NULL;
        }
        /* A surrogate only as a high-low pair. */
        if (code >= 0xdc00 && code <= 0xdfff) {
            return NULL;
        }
        if (code >= 0xd800 && code <= 0xdbff) {
            uint32_t low;
            if (r->end - p < 2 || p[0] != '\\' || p[1] != 'u' ||
                (p = read_u4(p + 2, r->end, &low)) == NULL || low < 0xdc00 || low > 0xdfff) {
                return NULL;
            }
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        }
        put_utf8(r, code);
    }
    return NULL;
}

static const uint8_t *read_digits(const uint8_t *p, const uint8_t *end)
{
    const uint8_t *start = p;
    while (p < end && *p >= '0' && *p <= '9') {
        p++;
    }
    return p > start ? p : NULL;
}

static const uint8_t *read_number(const uint8_t *p, const uint8_t *end)
{
    if (p < end && *p == '-') {
        p++;
    }
    if (p < end && *p == '0') {
        p++;
    } else if ((p = read_digits(p, end)) == NULL) {
        return NULL;
    }
    if (p < end && *p == '.' && (p = read_digits(p + 1, end)) == NULL) {
        return NULL;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            p++;
        }
        p = read_digits(p, end);
    }
    return p;
}

static const uint8_t *read_value(struct reader *r, const uint8_t *p, int depth);

static const uint8_t *read_members(struct reader *r, const uint8_t *p, int depth, bool object)
{
    uint8_t close = object ? '}' : ']';
    p = skip_ws(p + 1, r->end);
    if (p < r->end && *p == close) {
        return p + 1;
    }
    for (;;) {
        if (object) {
            if ((p = read_string(r, skip_ws(p, r->end))) == NULL) {
                return NULL;
            }
            p = skip_ws(p, r->end);
            if (p >= r->end || *p != ':') {
                return NULL;
            }
            p++;
        }
        if ((p = read_value(r, p, depth + 1)) == NULL) {
            return NULL;
        }
        p = skip_ws(p, r->end);
        if (p < r->end && *p == ',') {
            p++;
        } else if (p < r->end && *p == close) {
            return p + 1;
        } else {
            return NULL;
        }
    }
}

static const uint8_t *read_value(struct reader *r, const uint8_t *p, int depth)
{
    p = skip_ws(p, r->end);
    if (p >= r->end || depth > 64) {
        return NULL;
    }
    static const char *const literals[] = {"true", "false", "null"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(literals[i]);
        if ((size_t)(r->end - p) >= n && memcmp(p, literals[i], n) == 0) {
            return p + n;
        }
    }
    switch (*p) {
    case '{':
        return read_members(r, p, depth, true);
    case '[':
        return read_members(r, p, depth, false);
    case '"':
        return read_string(r, p);
    default:
        return read_number(p, r->end);
    }
}

/* What json_string must make of the guest's bytes. */
static size_t expected_string(const uint8_t *s, size_t len, uint8_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t w = well_formed(s + i, len - i);
        if (w == 0) {
            memcpy(out + n, "\xef\xbf\xbd", 3);
            n += 3;
            i++;
        } else {
            memcpy(out + n, s + i, w);
            n += w;
            i += w;
        }
    }
    return n;
}

/* The piece [from, to) of the record is exactly want. */
static void check_piece(const struct text *t, size_t from, size_t to, const char *want)
{
    FUZZ_CHECK(to - from == strlen(want) && memcmp(t->data + from, want, to - from) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    size_t cap = 1 + (size_t)fuzz_take(&in, 1);
    uint64_t u = fuzz_take(&in, 8);
    int64_t i = (int64_t)fuzz_take(&in, 8);
    uint64_t h = fuzz_take(&in, 8);
    uint64_t ns = fuzz_take(&in, 8);
    /* The guest's text in a block of its own size, as print hands it over. */
    char *s = malloc(in.size + 1);
    memcpy(s, in.data, in.size);

    struct text t;
    text_init(&t, cap);
    size_t at[6];
    text_lit(&t, "{\"s\":");
    at[0] = t.len;
    json_string(&t, s, in.size);
    at[1] = t.len;
    text_lit(&t, ",\"u\":");
    at[2] = t.len;
    json_u64(&t, u);
    /* Beyond 2^53 in magnitude an integer is a string of its digits. */
    char want[48];
    snprintf(want, sizeof want, u > (1ull << 53) ? "\"%" PRIu64 "\"" : "%" PRIu64, u);
    check_piece(&t, at[2], t.len, want);
    text_lit(&t, ",\"i\":");
    at[3] = t.len;
    json_i64(&t, i);
    bool quoted = (i < 0 ? 0 - (uint64_t)i : (uint64_t)i) > (1ull << 53);
    snprintf(want, sizeof want, quoted ? "\"%" PRId64 "\"" : "%" PRId64, i);
    check_piece(&t, at[3], t.len, want);
    text_lit(&t, ",\"h\":");
    at[4] = t.len;
    json_hex(&t, h);
    snprintf(want, sizeof want, "\"0x%" PRIx64 "\"", h);
    check_piece(&t, at[4], t.len, want);
    text_lit(&t, ",\"t\":");
    at[5] = t.len;
    json_us(&t, ns);
    snprintf(want, sizeof want, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
    check_piece(&t, at[5], t.len, want);
    text_char(&t, '}');
    FUZZ_CHECK(t.len <= t.cap);

    /* The whole record is one JSON value and nothing else. */
    uint8_t *decoded = malloc(t.len + 1);
    struct reader r = {(const uint8_t *)t.data + t.len, decoded, 0};
    const uint8_t *stop = read_value(&r, (const uint8_t *)t.data, 0);
    FUZZ_CHECK(stop == r.end);

    /* The string round-trips. */
    r.end = (const uint8_t *)t.data + at[1];
    FUZZ_CHECK(read_string(&r, (const uint8_t *)t.data + at[0]) == r.end);
    uint8_t *expect = malloc(3 * in.size + 1);
    size_t expect_len = expected_string((const uint8_t *)s, in.size, expect);
    FUZZ_CHECK(r.decoded_len == expect_len && memcmp(decoded, expect, expect_len) == 0);

    free(expect);
    free(decoded);
    text_free(&t);
    free(s);
    return 0;
}
