/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A call's event record as JSON, in one pass (output/call_json.h). */
#include "output/call_json.h"

#include <string.h>

#include "output/json.h"

/* Names with their lengths, for the one-pass writers. */
struct name {
    const char *text;
    size_t len;
};
#define NAME(literal) {literal, sizeof(literal) - 1}

static const struct name status_names[BACKDOOR_STATUS_COUNT] = {
#define STATUS_NAME(NAME_, name, error, doc) [BACKDOOR_STATUS_##NAME_] = NAME(#name),
    BACKDOOR_STATUSES(STATUS_NAME)
#undef STATUS_NAME
};

static const struct name type_names[BACKDOOR_TYPE_COUNT] = {
#define TYPE_NAME(NAME_, name, number, doc) [number] = NAME(#name),
    BACKDOOR_TYPES(TYPE_NAME)
#undef TYPE_NAME
};

const char *call_json_type_name(enum backdoor_type type)
{
    return (unsigned)type < BACKDOOR_TYPE_COUNT ? type_names[type].text : "?";
}

const char *call_json_status_name(enum backdoor_status status)
{
    return (unsigned)status < BACKDOOR_STATUS_COUNT ? status_names[status].text : "?";
}

char *event_json_start(char *p, uint64_t ts, unsigned int vcpu, const char *event,
                       size_t event_len)
{
    p = json_put_lit(p, "{\"ts_ns\":");
    p = json_put_u64(p, ts);
    p = json_put_lit(p, ",\"vcpu\":");
    p = json_put_u64(p, vcpu);
    p = json_put_lit(p, ",\"event\":\"");
    p = json_put(p, event, event_len);
    *p++ = '"';
    return p;
}

/* The fixed part of a call record, its numbers and names at their
 * longest. An op name is a built-in's or one of a few words, or read from
 * a binary log behind a byte of length: a bound, not a strlen per record. */
#define CALL_OP_MAX 255
#define CALL_RECORD_MAX 320
/* Each extra field: a key (built-in names, under 32 bytes) and a number. */
#define CALL_EXTRA_MAX (32 + 4 + JSON_INTEGER_MAX)

size_t call_json_max(const struct call_record *call)
{
    return CALL_RECORD_MAX + CALL_OP_MAX + call->nargs * (JSON_INTEGER_MAX + 1) +
           call->n_extra * CALL_EXTRA_MAX +
           (call->text != NULL ? 8 + JSON_STRING_MAX(call->text_len) : 0);
}

/* From ts_ns's end to the arguments' opening bracket. */
static char *call_site_part(char *p, const struct call_record *call)
{
    p = json_put_lit(p, ",\"vcpu\":");
    p = json_put_u64(p, call->vcpu);
    p = json_put_lit(p, ",\"event\":\"call\",\"pc\":");
    p = json_put_hex(p, call->pc);
    p = json_put_lit(p, ",\"type\":\"");
    const struct name *type = (unsigned)call->type < BACKDOOR_TYPE_COUNT
                                  ? &type_names[call->type] : &(const struct name)NAME("?");
    p = json_put(p, type->text, type->len);
    p = json_put_lit(p, "\",\"cmd\":");
    p = json_put_hex(p, call->command);
    p = json_put_lit(p, ",\"op\":\"");
    p = json_put(p, call->op, strnlen(call->op, CALL_OP_MAX));
    return json_put_lit(p, "\",\"args\":[");
}

/* "],"status":"NAME"" for each status, in slots of one size: copied
 * whole, the copy is a few vector moves instead of a call. */
#define STATUS_PART_MAX 32
static const struct {
    char text[STATUS_PART_MAX];
    size_t len;
} status_parts[BACKDOOR_STATUS_COUNT] = {
#define STATUS_PART(NAME_, name, error, doc)                                          \
    [BACKDOOR_STATUS_##NAME_] = {"],\"status\":\"" #name "\"",                          \
                                 sizeof("],\"status\":\"" #name "\"") - 1},
    BACKDOOR_STATUSES(STATUS_PART)
#undef STATUS_PART
};

/* From the arguments to the line's end. */
static char *call_rest(char *p, const struct call_record *call)
{
    for (unsigned i = 0; i < call->nargs; i++) {
        p = json_put_u64(p, call->args[i]);
        *p++ = ',';
    }
    p -= call->nargs > 0; /* the last comma */
    if ((unsigned)call->status < BACKDOOR_STATUS_COUNT) {
        memcpy(p, status_parts[call->status].text, STATUS_PART_MAX);
        p += status_parts[call->status].len;
    } else {
        p = json_put_lit(p, "],\"status\":\"?\"");
    }
    if (call->has_result) {
        p = json_put_lit(p, ",\"result\":");
        p = json_put_i64(p, call->result);
    }
    for (unsigned i = 0; i < call->n_extra; i++) {
        p = json_put_lit(p, ",\"");
        p = json_put(p, call->extra[i].key, strnlen(call->extra[i].key, 32));
        p = json_put_lit(p, "\":");
        p = json_put_u64(p, call->extra[i].value);
    }
    if (call->text != NULL) {
        p = json_put_lit(p, ",\"text\":");
        p = json_put_string(p, call->text, call->text_len);
    }
    if (call->attributed) {
        p = json_put_lit(p, ",\"asid\":");
        p = json_put_hex(p, call->asid);
        p = call->kernel ? json_put_lit(p, ",\"priv\":\"kernel\"")
                         : json_put_lit(p, ",\"priv\":\"user\"");
    }
    return json_put_lit(p, "}\n");
}

char *call_json(char *p, const struct call_record *call)
{
    p = json_put_lit(p, "{\"ts_ns\":");
    p = json_put_u64(p, call->ts_ns);
    return call_rest(call_site_part(p, call), call);
}

char *call_json_memo(char *p, const struct call_record *call, struct call_json_memo *memo)
{
    p = json_put_lit(p, "{\"ts_ns\":");
    p = json_put_u64(p, call->ts_ns);
    if (memo->len == 0 || memo->pc != call->pc || memo->op != call->op ||
        memo->command != call->command || memo->type != call->type ||
        memo->vcpu != call->vcpu) {
        /* Written in place (call_json_max leaves room for it), then kept if
         * it fits: an op name from a handler library may be long. */
        char *end = call_site_part(p, call);
        size_t len = (size_t)(end - p);
        memo->len = 0;
        if (len <= CALL_JSON_MEMO_MAX) {
            memcpy(memo->text, p, len);
            memo->pc = call->pc;
            memo->op = call->op;
            memo->command = call->command;
            memo->type = call->type;
            memo->vcpu = call->vcpu;
            memo->len = (unsigned)len;
        }
        return call_rest(end, call);
    }
    /* The whole array: room for it is reserved (CALL_RECORD_MAX). */
    memcpy(p, memo->text, CALL_JSON_MEMO_MAX);
    return call_rest(p + memo->len, call);
}
