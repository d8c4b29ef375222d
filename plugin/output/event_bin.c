/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The binary event log's records (output/event_bin.h). */
#include "output/event_bin.h"

#include <string.h>

#include "backdoor/host.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the binary event log is written in the host's byte order, little-endian"
#endif

void event_bin_header(char slot[EVENT_BIN_SLOT])
{
    uint32_t size = EVENT_BIN_SLOT;
    memset(slot, 0, EVENT_BIN_SLOT);
    memcpy(slot, EVENT_BIN_MAGIC, 8);
    memcpy(slot + 8, &size, sizeof size);
}

/* The op name a call's type and command imply, as dispatch names it. */
static const char *implied_op(enum backdoor_type type, uint32_t command)
{
    if (type == BACKDOOR_TYPE_I8 || type == BACKDOOR_TYPE_I8_V32) {
        return "seed";
    }
    if (command >= BACKDOOR_USER_COMMAND_FIRST) {
        return "handler";
    }
    switch (command) {
#define OP_NAME(NAME, name, number, type_, nargs, result, doc) \
    case number:                                               \
        return #name;
        BACKDOOR_OPS(OP_NAME)
#undef OP_NAME
    }
    return "unknown";
}

static size_t whole_slots(size_t bytes)
{
    return (bytes + EVENT_BIN_SLOT - 1) / EVENT_BIN_SLOT * EVENT_BIN_SLOT;
}

size_t event_bin_call_max(const struct call_record *call)
{
    size_t tail = 16 + call->n_extra * (1 + 255 + 8) + 1 + 255 +
                  (call->text != NULL ? 4 + call->text_len : 0);
    return EVENT_BIN_SLOT + whole_slots(tail);
}

static char *put(char *p, const void *bytes, size_t n)
{
    memcpy(p, bytes, n);
    return p + n;
}

char *event_bin_call(char *p, const struct call_record *call)
{
    uint8_t flags = 0;
    char *tail = p + EVENT_BIN_SLOT, *q = tail;
    if (call->has_result) {
        flags |= EVENT_BIN_RESULT;
        q = put(q, &call->result, 8);
    }
    if (call->attributed) {
        flags |= EVENT_BIN_ATTRIBUTED | (call->kernel ? EVENT_BIN_KERNEL : 0);
        q = put(q, &call->asid, 8);
    }
    for (unsigned i = 0; i < call->n_extra; i++) {
        uint8_t len = (uint8_t)strnlen(call->extra[i].key, 255);
        *q++ = (char)len;
        q = put(q, call->extra[i].key, len);
        q = put(q, &call->extra[i].value, 8);
    }
    if (strcmp(call->op, implied_op(call->type, call->command)) != 0) {
        uint8_t len = (uint8_t)strnlen(call->op, 255);
        flags |= EVENT_BIN_OP;
        *q++ = (char)len;
        q = put(q, call->op, len);
    }
    if (call->text != NULL) {
        uint32_t len = (uint32_t)call->text_len;
        flags |= EVENT_BIN_TEXT;
        q = put(q, &len, 4);
        q = put(q, call->text, len);
    }
    uint32_t tail_bytes = (uint32_t)(q - tail), vcpu = call->vcpu;
    uint16_t command = (uint16_t)call->command;
    p[0] = EVENT_BIN_CALL;
    p[1] = (char)call->type;
    p[2] = (char)call->status;
    p[3] = (char)flags;
    p[4] = (char)call->nargs;
    p[5] = (char)call->n_extra;
    memcpy(p + 6, &command, 2);
    memcpy(p + 8, &vcpu, 4);
    memcpy(p + 12, &tail_bytes, 4);
    memcpy(p + 16, &call->ts_ns, 8);
    memcpy(p + 24, &call->pc, 8);
    memset(p + 32, 0, 32);
    memcpy(p + 32, call->args, call->nargs * sizeof(uint64_t));
    char *end = tail + whole_slots(tail_bytes);
    memset(q, 0, (size_t)(end - q));
    return end;
}

size_t event_bin_json_max(size_t len)
{
    return EVENT_BIN_SLOT + whole_slots(len);
}

char *event_bin_json(char *p, const char *line, size_t len)
{
    uint32_t tail_bytes = (uint32_t)len;
    memset(p, 0, EVENT_BIN_SLOT);
    p[0] = EVENT_BIN_JSON;
    memcpy(p + 12, &tail_bytes, 4);
    memcpy(p + EVENT_BIN_SLOT, line, len);
    char *end = p + EVENT_BIN_SLOT + whole_slots(len);
    memset(p + EVENT_BIN_SLOT + len, 0, (size_t)(end - (p + EVENT_BIN_SLOT + len)));
    return end;
}

/* Takes n bytes from the tail; false if it has fewer. */
static bool take(const unsigned char **q, const unsigned char *end, void *to, size_t n)
{
    if ((size_t)(end - *q) < n) {
        return false;
    }
    memcpy(to, *q, n);
    *q += n;
    return true;
}

size_t event_bin_decode(const unsigned char *data, size_t avail,
                        struct event_bin_record *r)
{
    if (avail < EVENT_BIN_SLOT) {
        return 0;
    }
    uint32_t tail_bytes;
    memcpy(&tail_bytes, data + 12, 4);
    size_t size = EVENT_BIN_SLOT + whole_slots(tail_bytes);
    if (size > avail) {
        return 0;
    }
    r->kind = (enum event_bin_kind)data[0];
    const unsigned char *q = data + EVENT_BIN_SLOT, *end = q + tail_bytes;
    if (r->kind == EVENT_BIN_PAD) {
        return EVENT_BIN_SLOT;
    }
    if (r->kind == EVENT_BIN_JSON) {
        r->json = (const char *)q;
        r->json_len = tail_bytes;
        return size;
    }
    if (r->kind != EVENT_BIN_CALL || data[4] > 4 || data[5] > CALL_MAX_EXTRA) {
        return 0;
    }
    struct call_record *c = &r->call;
    memset(c, 0, sizeof *c);
    uint8_t flags = data[3];
    uint16_t command;
    uint32_t vcpu;
    c->type = (enum backdoor_type)data[1];
    c->status = (enum backdoor_status)data[2];
    c->nargs = data[4];
    c->n_extra = data[5];
    memcpy(&command, data + 6, 2);
    memcpy(&vcpu, data + 8, 4);
    c->command = command;
    c->vcpu = vcpu;
    memcpy(&c->ts_ns, data + 16, 8);
    memcpy(&c->pc, data + 24, 8);
    memcpy(r->args, data + 32, 32);
    c->args = r->args;
    c->has_result = flags & EVENT_BIN_RESULT;
    c->attributed = flags & EVENT_BIN_ATTRIBUTED;
    c->kernel = flags & EVENT_BIN_KERNEL;
    if ((c->has_result && !take(&q, end, &c->result, 8)) ||
        (c->attributed && !take(&q, end, &c->asid, 8))) {
        return 0;
    }
    for (unsigned i = 0; i < c->n_extra; i++) {
        uint8_t len;
        if (!take(&q, end, &len, 1) || !take(&q, end, r->keys[i], len) ||
            !take(&q, end, &c->extra[i].value, 8)) {
            return 0;
        }
        r->keys[i][len] = '\0';
        c->extra[i].key = r->keys[i];
    }
    c->op = implied_op(c->type, c->command);
    if (flags & EVENT_BIN_OP) {
        uint8_t len;
        if (!take(&q, end, &len, 1) || !take(&q, end, r->op, len)) {
            return 0;
        }
        r->op[len] = '\0';
        c->op = r->op;
    }
    if (flags & EVENT_BIN_TEXT) {
        uint32_t len;
        if (!take(&q, end, &len, 4) || (size_t)(end - q) < len) {
            return 0;
        }
        c->text = (const char *)q;
        c->text_len = len;
    }
    return size;
}
