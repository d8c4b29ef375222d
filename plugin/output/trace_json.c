/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A trace-event record in one pass (output/trace_json.h). */
#include "output/trace_json.h"

#include <string.h>

#include "output/json.h"

uint64_t trace_json_tid(const char *kind, uint64_t id)
{
    return strcmp(kind, "roi") == 0 ? id + 1 : 0;
}

static char *head(char *p, const struct trace_record *r)
{
    size_t kind_len = strnlen(r->kind, 32);
    p = json_put_lit(p, "{\"name\":\"");
    p = json_put(p, r->kind, kind_len);
    *p++ = ' ';
    p = json_put_digits(p, r->id);
    p = json_put_lit(p, "\",\"cat\":\"");
    p = json_put(p, r->kind, kind_len);
    p = json_put_lit(p, "\",\"ph\":\"");
    *p++ = r->phase;
    if (r->phase == 'i') {
        p = json_put_lit(p, "\",\"s\":\"t");
    }
    p = json_put_lit(p, "\",\"pid\":");
    p = json_put_u64(p, r->track);
    p = json_put_lit(p, ",\"tid\":");
    p = json_put_u64(p, trace_json_tid(r->kind, r->id));
    return json_put_lit(p, ",\"ts\":");
}

/* Up to the argument's value, or to the record's end without one. */
static char *middle(char *p, const struct trace_record *r)
{
    p = json_put_lit(p, ",\"args\":{\"id\":");
    p = json_put_u64(p, r->id);
    if (r->arg_key == NULL) {
        return json_put_lit(p, "}},\n");
    }
    p = json_put_lit(p, ",\"");
    p = json_put(p, r->arg_key, strnlen(r->arg_key, 32));
    return json_put_lit(p, "\":");
}

static char *tail(char *p, const struct trace_record *r)
{
    if (r->arg_key == NULL) {
        return p;
    }
    p = json_put_u64(p, r->arg_value);
    return json_put_lit(p, "}},\n");
}

char *trace_json(char *p, const struct trace_record *r)
{
    p = head(p, r);
    p = json_put_us(p, r->ts_ns);
    return tail(middle(p, r), r);
}

char *trace_json_memo(char *p, const struct trace_record *r, struct trace_json_memo *memo)
{
    if (memo->head_len == 0 || memo->track != r->track || memo->id != r->id ||
        memo->kind != r->kind || memo->arg_key != r->arg_key || memo->phase != r->phase) {
        /* Written in place, then kept if the head fits (the middle does:
         * a key name is under 32 bytes). */
        char *end = head(p, r);
        size_t head_len = (size_t)(end - p);
        memcpy(memo->head, p, head_len <= TRACE_JSON_HEAD_MAX ? head_len : 0);
        p = json_put_us(end, r->ts_ns);
        end = middle(p, r);
        memo->middle_len = (unsigned)(end - p);
        memcpy(memo->middle, p, memo->middle_len);
        memo->head_len = head_len <= TRACE_JSON_HEAD_MAX ? (unsigned)head_len : 0;
        memo->track = r->track;
        memo->id = r->id;
        memo->kind = r->kind;
        memo->arg_key = r->arg_key;
        memo->phase = r->phase;
        return tail(end, r);
    }
    /* Whole arrays: TRACE_JSON_MAX leaves room for them. */
    memcpy(p, memo->head, TRACE_JSON_HEAD_MAX);
    p = json_put_us(p + memo->head_len, r->ts_ns);
    memcpy(p, memo->middle, TRACE_JSON_MIDDLE_MAX);
    return tail(p + memo->middle_len, r);
}
