/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memos of the hot-path formatters (plugin/output/call_json.c,
 * trace_json.c): a vCPU's records written through its memo are byte for
 * byte those written without, over sequences that hit the memo (one call
 * site in a loop), miss it in each of its keys, and do not fit it (a long
 * op name, huge ids and processes). The memo path is the one the plugin
 * writes; the one without is what qemu-backdoor --events-to-json writes.
 */
#include <stdio.h>
#include <string.h>

#include "output/call_json.h"
#include "output/trace_json.h"
#include "unit.h"

static char plain[4096], memoized[4096];

static void same_call(const struct call_record *c, struct call_json_memo *memo)
{
    memset(memoized, 'x', sizeof memoized);
    size_t a = (size_t)(call_json(plain, c) - plain);
    size_t b = (size_t)(call_json_memo(memoized, c, memo) - memoized);
    CHECK(a <= call_json_max(c));
    CHECK_EQ(b, a);
    CHECK(memcmp(plain, memoized, a) == 0);
    if (a != b || memcmp(plain, memoized, a) != 0) {
        fprintf(stderr, "  without memo: %.*s  with: %.*s", (int)a, plain, (int)b, memoized);
    }
}

static void calls(void)
{
    static char long_op[200];
    memset(long_op, 'o', sizeof long_op - 1);
    uint64_t args[4] = {1, 0, (1ull << 53) + 1, ~0ull};
    struct call_json_memo memo = {0};
    struct call_record c = {.ts_ns = 5, .vcpu = 0, .pc = 0x401ad0, .type = BACKDOOR_TYPE_CALL,
                            .command = 6, .op = "mark", .nargs = 2, .args = args,
                            .status = BACKDOOR_STATUS_OK};
    for (int i = 0; i < 1000; i++) {
        args[1] = (uint64_t)i * 7919u;
        c.ts_ns += 337 * (uint64_t)i;
        switch (i % 50) {
        case 10: c.pc += 4; break;
        case 20: c.op = c.op == long_op ? "mark" : long_op; break;
        case 25: c.command = 0x900 + (uint32_t)i; c.op = "handler"; break;
        case 30: c.type = BACKDOOR_TYPE_I8_V32; c.op = "seed"; break;
        case 35: c.vcpu = (unsigned)i; break;
        case 40: c.nargs = (unsigned)i % 5; c.status = (enum backdoor_status)(i % 7); break;
        case 45: c.has_result = !c.has_result; c.result = -(int64_t)i; break;
        case 48: c.attributed = !c.attributed; c.asid = 0x1234000; c.kernel = i % 3; break;
        case 49:
            c.text = c.text ? NULL : "a\"text\"\n";
            c.text_len = c.text ? strlen(c.text) : 0;
            c.n_extra = 1;
            c.extra[0].key = "depth";
            c.extra[0].value = (uint64_t)i;
            break;
        }
        same_call(&c, &memo);
    }
    CHECK(memo.len > 0); /* and the last one went through it */
}

static void same_trace(const struct trace_record *r, struct trace_json_memo *memo)
{
    memset(memoized, 'x', sizeof memoized);
    size_t a = (size_t)(trace_json(plain, r) - plain);
    size_t b = (size_t)(trace_json_memo(memoized, r, memo) - memoized);
    CHECK(a <= TRACE_JSON_MAX);
    CHECK_EQ(b, a);
    CHECK(memcmp(plain, memoized, a) == 0);
    if (a != b || memcmp(plain, memoized, a) != 0) {
        fprintf(stderr, "  without memo: %.*s  with: %.*s", (int)a, plain, (int)b, memoized);
    }
}

static void traces(void)
{
    static const char phases[] = "iBE";
    struct trace_json_memo memo = {0};
    struct trace_record r = {.track = 1, .phase = 'i', .kind = "mark", .id = 1, .ts_ns = 0,
                             .arg_key = "value", .arg_value = 0};
    for (int i = 0; i < 1000; i++) {
        r.ts_ns += 1000003u * (uint64_t)i;
        r.arg_value = (uint64_t)i * 104729u;
        switch (i % 40) {
        case 10: r.id = r.id == 1 ? ~0ull : 1; break;
        case 15: r.track = r.track == 1 ? ~0ull : 100000u + (uint64_t)i; break;
        case 20: r.kind = "roi"; r.arg_key = NULL; r.phase = phases[1 + i % 2]; break;
        case 30: r.kind = "mark"; r.arg_key = "value"; r.phase = phases[0]; break;
        case 35: r.arg_key = r.arg_key ? NULL : "value"; break;
        }
        same_trace(&r, &memo);
    }
    CHECK(memo.head_len > 0);
}

int main(void)
{
    calls();
    traces();
    return unit_report("test_record_json");
}
