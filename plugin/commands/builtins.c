/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The built-in commands that need no state of their own. Regions, marks and
 * statistics live in roi.c.
 */
#include "commands/builtins.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands/commands.h"
#include "commands/handler.h"
#include "output/report.h"

const struct builtin builtin_table[] = {
#define BUILTIN_ROW(NAME, name, number, type, nargs, result, doc) \
    [number] = {#name, BACKDOOR_CALL_##type, nargs, result, builtin_##name},
    BACKDOOR_OPS(BUILTIN_ROW)
#undef BUILTIN_ROW
};

const unsigned builtin_table_size = sizeof builtin_table / sizeof builtin_table[0];

void builtin_present(struct call_ctx *ctx)
{
    ctx->call.result = BACKDOOR_PROTOCOL_VERSION;
}

void builtin_features(struct call_ctx *ctx)
{
    ctx->call.result = commands.features;
}

bool builtin_constant_result(uint32_t command, uint64_t *result)
{
    switch (command) {
    case BACKDOOR_OP_PRESENT:
        *result = BACKDOOR_PROTOCOL_VERSION;
        return true;
    case BACKDOOR_OP_FEATURES:
        *result = commands.features;
        return true;
    }
    return false;
}

void builtin_exit(struct call_ctx *ctx)
{
    int status = (int)(ctx->call.args[0] & 0xff);
    call_add_extra(ctx, "exit_status", (uint64_t)status);
    commands_request_exit(EXIT_COMMAND, status);
}

void builtin_sum(struct call_ctx *ctx)
{
    const uint64_t *a = ctx->call.args;
    uint64_t sum = a[0] + a[1] + a[2] + a[3];
    ctx->call.result = ctx->abi32 ? (uint32_t)sum : sum;
}

void builtin_host_time_ns(struct call_ctx *ctx)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    size_t len = ctx->call.out_capacity < sizeof ns ? ctx->call.out_capacity
                                                    : sizeof ns;
    /* Little-endian, like every supported guest. */
    for (size_t i = 0; i < len; i++) {
        ctx->call.out[i] = (uint8_t)(ns >> (8 * i));
    }
    ctx->call.out_len = len;
    ctx->call.result = len;
}

void builtin_host_info(struct call_ctx *ctx)
{
    char info[256];
    int n = snprintf(info, sizeof info,
                     "backdoor protocol %d, QEMU plugin API %d, target %s, "
                     "%s mode, handler %s",
                     BACKDOOR_PROTOCOL_VERSION, commands.api, commands.target,
                     commands.system_mode ? "system" : "user",
                     handler_loaded() ? "loaded" : "none");
    size_t len = (size_t)n + 1; /* with the terminating NUL */
    if (len > ctx->call.out_capacity) {
        len = ctx->call.out_capacity;
    }
    memcpy(ctx->call.out, info, len);
    if (len > 0) {
        ctx->call.out[len - 1] = '\0';
    }
    ctx->call.out_len = len;
    ctx->call.result = len;
}

void builtin_print(struct call_ctx *ctx)
{
    const char *text = (const char *)ctx->call.data;
    size_t len = ctx->call.data_len;
    report_print(text, len);
    ctx->text = text;
    ctx->text_len = len;
    ctx->call.result = len;
}
