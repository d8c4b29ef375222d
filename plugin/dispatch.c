/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-call path. It reads only the registers that translation could not
 * know and that the request type needs (each read costs tens of
 * nanoseconds), takes no global lock, and allocates nothing for calls
 * without buffers.
 */
#include "dispatch.h"

#include <string.h>

#include "builtins.h"
#include "guestmem.h"
#include "handler.h"
#include "policy.h"
#include "registers.h"
#include "report.h"

/* initial-exec: a plain %fs-relative access instead of a __tls_get_addr call
 * on every call; one pointer fits glibc's static TLS reserve for dlopen. */
static _Thread_local struct call_ctx *this_thread_call
    __attribute__((tls_model("initial-exec")));

struct call_ctx *current_call(void)
{
    return this_thread_call;
}

static bool is_seed(enum backdoor_call_type type)
{
    return type == BACKDOOR_CALL_I8 || type == BACKDOOR_CALL_I8_V32;
}

/* Completes ctx->rq from the registers; false if it is not a request. */
static bool read_request(struct call_ctx *ctx)
{
    const struct site *site = ctx->site;
    struct vcpu_state *vs = ctx->vs;
    struct call_counters *count = &vs->counters;

    ctx->rq = site->rq;
    if (!site->leaf_known) {
        uint32_t leaf = (uint32_t)reg_read(vs, bd.leaf_reg);
        switch (decode_leaf(leaf, &ctx->rq)) {
        case DECODE_OK:
            break;
        case DECODE_NOT_OURS:
            return false;
        case DECODE_PROBE:
            count->probes++;
            return false;
        case DECODE_MALFORMED:
            count->malformed++;
            return false;
        }
    }
    const struct reg_map *map =
        is_seed(ctx->rq.type) ? bd.native_map : reg_map_for(ctx->rq.abi32);
    if (!map->complete) {
        /* 64-bit code's request on a QEMU without 64-bit registers. */
        count->malformed++;
        return false;
    }
    if (ctx->rq.needs_selector && !site->selector_known) {
        uint32_t selector = (uint32_t)reg_read(vs, map->handle[ROLE_SELECTOR]);
        if (decode_selector(selector, &ctx->rq) != DECODE_OK) {
            count->malformed++;
            return false;
        }
    }
    bool read_args = false;
    if (!is_seed(ctx->rq.type)) {
        for (unsigned i = 0; i < ctx->rq.nargs; i++) {
            if (!(site->args_known & (1u << i))) {
                ctx->rq.args[i] = reg_read(vs, map->handle[ROLE_ARG0 + i]);
                read_args = true;
            }
        }
    }
    if (!site->leaf_known || (ctx->rq.needs_selector && !site->selector_known)) {
        ctx->path = PATH_RUNTIME;
    } else {
        ctx->path = read_args ? PATH_MIXED : PATH_TRANSLATION;
    }
    return true;
}

/* Field by field: a memset of the whole struct costs more than the rest
 * of a call's dispatch. */
static void fill_public_call(struct call_ctx *ctx)
{
    struct backdoor_call *call = &ctx->call;
    call->vcpu = ctx->vcpu;
    call->pc = ctx->site->pc;
    call->type = ctx->rq.type;
    call->command = ctx->rq.command;
    call->nargs = ctx->rq.nargs;
    memcpy(call->args, ctx->rq.args, sizeof call->args);
    call->data = NULL;
    call->data_len = 0;
    call->out = NULL;
    call->out_capacity = 0;
    call->out_len = 0;
    call->result = 0;
    call->host = &bd_host;
}

static int64_t status_result(enum backdoor_status status)
{
    static const int64_t errors[BACKDOOR_STATUS_COUNT] = {
#define STATUS_ERROR(NAME, name, error, doc) [BACKDOOR_STATUS_##NAME] = error,
        BACKDOOR_STATUSES(STATUS_ERROR)
#undef STATUS_ERROR
    };
    return errors[status];
}

/* Runs the built-in or the handler, with buffers copied in and out. */
static void run(struct call_ctx *ctx, const struct builtin *builtin)
{
    struct backdoor_call *call = &ctx->call;
    struct vcpu_state *vs = ctx->vs;
    uint64_t addr = call->args[0], len = call->args[1];

    if (call->type == BACKDOOR_CALL_SEND || call->type == BACKDOOR_CALL_RECV) {
        if (len > bd.opts.max_buffer) {
            ctx->status = BACKDOOR_STATUS_TOO_BIG;
            return;
        }
        if (call->type == BACKDOOR_CALL_RECV && !bd.can_write_memory) {
            ctx->status = BACKDOOR_STATUS_NO_WRITE;
            return;
        }
        if (!bd.can_read_memory) {
            ctx->status = BACKDOOR_STATUS_NO_READ;
            return;
        }
        if (call->type == BACKDOOR_CALL_SEND) {
            call->data = guest_copy_in(vs, addr, len);
            if (call->data == NULL) {
                ctx->status = BACKDOOR_STATUS_FAULT;
                return;
            }
            call->data_len = len;
        } else {
            if (!guest_range_mapped(vs, addr, len)) {
                ctx->status = BACKDOOR_STATUS_FAULT;
                return;
            }
            g_byte_array_set_size(vs->out_buf, (guint)len);
            call->out = vs->out_buf->data;
            call->out_capacity = len;
        }
    }

    if (builtin != NULL) {
        builtin->run(ctx);
    } else if (!handler_loaded() || handler_call(call) != BACKDOOR_HANDLED) {
        ctx->status = BACKDOOR_STATUS_UNHANDLED;
        return;
    }

    if (call->type == BACKDOOR_CALL_RECV) {
        if (call->out_len > call->out_capacity) {
            call->out_len = call->out_capacity;
        }
        if (!guest_write(vs, addr, call->out, call->out_len)) {
            ctx->status = BACKDOOR_STATUS_FAULT;
        } else if (call->result == 0) {
            call->result = call->out_len;
        }
    }
}

static void dispatch(struct call_ctx *ctx)
{
    struct call_counters *count = &ctx->vs->counters;
    const struct builtin *builtin = NULL;
    bool seed = is_seed(ctx->rq.type);

    count->by_type[ctx->rq.type]++;
    count->by_path[ctx->path]++;
    fill_public_call(ctx);
    ctx->status = BACKDOOR_STATUS_OK;

    if (seed) {
        count->seed[ctx->rq.type][ctx->rq.command]++;
        ctx->op_name = "seed";
    } else if (ctx->rq.command < BACKDOOR_USER_COMMAND_FIRST) {
        builtin = builtin_lookup(ctx->rq.command);
        ctx->op_name = builtin ? builtin->name : "unknown";
        ctx->returns_result = builtin == NULL || builtin->returns_result;
        count->builtin[ctx->rq.command]++;
        /* A missing argument would be read from whatever the register
         * holds; an extra one means the guest meant another command. */
        if (builtin != NULL &&
            (builtin->type != ctx->rq.type || builtin->nargs != ctx->rq.nargs)) {
            ctx->status = BACKDOOR_STATUS_INVALID;
        } else if (builtin == NULL) {
            ctx->status = BACKDOOR_STATUS_UNHANDLED;
        }
    } else {
        ctx->op_name = "handler";
        ctx->returns_result = true;
        if (ctx->vs->user_commands == NULL) {
            ctx->vs->user_commands = g_hash_table_new(NULL, NULL);
        }
        gpointer key = GUINT_TO_POINTER(ctx->rq.command);
        uint64_t n = GPOINTER_TO_SIZE(g_hash_table_lookup(ctx->vs->user_commands, key));
        g_hash_table_insert(ctx->vs->user_commands, key, GSIZE_TO_POINTER(n + 1));
    }

    if (ctx->status == BACKDOOR_STATUS_OK && bd.policy_active && !policy_allows(ctx)) {
        ctx->status = BACKDOOR_STATUS_DENIED;
    }
    if (ctx->status == BACKDOOR_STATUS_OK) {
        this_thread_call = ctx;
        run(ctx, builtin);
        this_thread_call = NULL;
    }
    count->by_status[ctx->status]++;

    if (!seed && ctx->returns_result) {
        uint64_t result = ctx->status == BACKDOOR_STATUS_OK
                              ? ctx->call.result
                              : (uint64_t)status_result(ctx->status);
        /* What the guest's result register holds: a 32-bit caller gets the
         * low half, which reads back as the same small negative errors. */
        ctx->call.result = ctx->rq.abi32 ? (uint64_t)(int64_t)(int32_t)result : result;
        ctx->result_delivered =
            reg_write(ctx->vs, reg_map_for(ctx->rq.abi32)->handle[ROLE_RESULT], result);
    }
    if (bd.reporting_calls) {
        report_call(ctx);
    }

    int exit_status = __atomic_load_n(&bd.exit_requested, __ATOMIC_ACQUIRE);
    if (exit_status != 0) {
        end_emulation("handler exit request", exit_status - 1);
    }
}

void on_magic(unsigned int vcpu, void *udata)
{
    struct call_ctx ctx;
    ctx.vcpu = vcpu;
    ctx.vs = vcpu_state(vcpu);
    ctx.site = udata;
    ctx.returns_result = false;
    ctx.result_delivered = false;
    ctx.text = NULL;
    ctx.text_len = 0;
    ctx.n_extra = 0;
    ctx.reported = false;
    if (read_request(&ctx)) {
        dispatch(&ctx);
    }
}
