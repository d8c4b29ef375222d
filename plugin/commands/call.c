/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The thread's current call, and a call's event record (commands/call.h). */
#include "commands/call.h"

#include "qemu/registers.h"
#include "output/log.h"
#include "output/report.h"

/* initial-exec: a plain %fs-relative access instead of a __tls_get_addr call
 * on every call; one pointer fits glibc's static TLS reserve for dlopen. */
static _Thread_local struct call_ctx *this_thread_call
    __attribute__((tls_model("initial-exec")));

struct call_ctx *call_current(void)
{
    return this_thread_call;
}

void call_set_current(struct call_ctx *ctx)
{
    this_thread_call = ctx;
}

uint64_t call_now(struct call_ctx *ctx)
{
    if (ctx->ts_ns == 0) {
        ctx->ts_ns = now_ns();
    }
    return ctx->ts_ns;
}

void call_report(struct call_ctx *ctx)
{
    if (ctx->reported) {
        return;
    }
    ctx->reported = true;
    struct call_record record = {
        .ts_ns = call_now(ctx),
        .vcpu = ctx->vcpu_index,
        .pc = ctx->call.pc,
        .type = (enum backdoor_type)ctx->call.type,
        .command = ctx->call.command,
        .op = ctx->op_name,
        .nargs = ctx->call.nargs,
        .args = ctx->call.args,
        .status = ctx->status,
        .has_result = ctx->result_delivered,
        .result = (int64_t)ctx->call.result,
        .n_extra = ctx->n_extra,
        .text = ctx->text,
        .text_len = ctx->text_len,
    };
    int level = guest_privilege_level(ctx->vcpu);
    record.attributed = guest_address_space(ctx->vcpu, &record.asid) && level >= 0;
    record.kernel = !guest_is_user_level(level);
    for (unsigned int i = 0; i < ctx->n_extra; i++) {
        record.extra[i].key = ctx->extra[i].key;
        record.extra[i].value = ctx->extra[i].value;
    }
    report_call(ctx->vcpu->output, &record);
}
