/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-call path. It reads only the registers that translation could not
 * know and that the request type needs (each read costs tens of
 * nanoseconds), takes no global lock, and allocates nothing for calls
 * without buffers.
 */
#include "dispatch/dispatch.h"

#include <linux/membarrier.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "commands/builtins.h"
#include "commands/call.h"
#include "commands/commands.h"
#include "commands/handler.h"
#include "commands/services.h"
#include "translate/site.h"
#include "dispatch/policy.h"
#include "qemu/memory.h"
#include "qemu/qemu_compat.h"
#include "qemu/registers.h"
#include "output/log.h"

struct dispatch_vcpu {
    struct call_counters counters;
    GHashTable *user_commands; /* command -> count */
    /* A call is running on this vCPU (dispatch_stop waits for it). Its own
     * cache line: it is written twice per call. */
    int busy __attribute__((aligned(64)));
};

static struct dispatch_config config;
static int stopped;
/*
 * With membarrier(2), the rare side of the busy/stopped handshake
 * (dispatch_stop) pays for the memory barrier of every thread at once, and
 * the call path gets by with plain stores and loads; without it, each call
 * pays a full barrier. Set at install.
 */
static bool asymmetric_fence;

void dispatch_init(const struct dispatch_config *dispatch_config)
{
    config = *dispatch_config;
    asymmetric_fence =
        syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

void dispatch_vcpu_init(struct vcpu *vcpu)
{
    if (vcpu->dispatch == NULL) {
        vcpu->dispatch = g_new0(struct dispatch_vcpu, 1);
        vcpu->dispatch->user_commands = g_hash_table_new(NULL, NULL);
    }
}

/* The call being dispatched, with what only dispatch knows of it. */
struct dispatch {
    struct call_ctx ctx;
    const struct site *site;
    struct request rq;
    enum decode_path path;
};

static bool is_seed(enum backdoor_call_type type)
{
    return type == BACKDOOR_CALL_I8 || type == BACKDOOR_CALL_I8_V32;
}

/* Completes d->rq from the registers; false if it is not a request (then
 * counted inline like the constant ones translation recognised). */
static bool read_request(struct dispatch *d)
{
    const struct site *site = d->site;
    struct vcpu *vcpu = d->ctx.vcpu;

    d->rq = site->rq;
    if (!site->leaf_known) {
        const struct reg_map *native = reg_map_native();
        uint32_t leaf = (uint32_t)reg_read(vcpu, native->handle[ROLE_LEAF]);
        switch (decode_leaf(leaf, &d->rq)) {
        case DECODE_OK:
            break;
        case DECODE_NOT_OURS:
            return false;
        case DECODE_PROBE:
            vcpu_counters(vcpu->index)->probes++;
            return false;
        case DECODE_MALFORMED:
            vcpu_counters(vcpu->index)->malformed++;
            return false;
        }
    }
    const struct reg_map *map = is_seed(d->rq.type) ? reg_map_native() : reg_map_for(d->rq.abi32);
    if (!map->complete) {
        /* 64-bit code's request on a QEMU without 64-bit registers. */
        vcpu_counters(vcpu->index)->malformed++;
        return false;
    }
    if (d->rq.needs_selector && !site->selector_known) {
        uint32_t selector = (uint32_t)reg_read(vcpu, map->handle[ROLE_SELECTOR]);
        if (decode_selector(selector, &d->rq) != DECODE_OK) {
            vcpu_counters(vcpu->index)->malformed++;
            return false;
        }
    }
    bool read_args = false;
    if (!is_seed(d->rq.type)) {
        for (unsigned i = 0; i < d->rq.nargs; i++) {
            if (!(site->args_known & (1u << i))) {
                d->rq.args[i] = reg_read(vcpu, map->handle[ROLE_ARG0 + i]);
                read_args = true;
            }
        }
    }
    if (!site->leaf_known || (d->rq.needs_selector && !site->selector_known)) {
        d->path = PATH_RUNTIME;
    } else {
        d->path = read_args ? PATH_MIXED : PATH_TRANSLATION;
    }
    return true;
}

/* Field by field: a memset of the whole struct costs more than the rest
 * of a call's dispatch. */
static void fill_public_call(struct dispatch *d)
{
    struct call_ctx *ctx = &d->ctx;
    struct backdoor_call *call = &ctx->call;
    call->vcpu = ctx->vcpu_index;
    call->pc = d->site->pc != SITE_PC_UNKNOWN ? d->site->pc : guest_pc(ctx->vcpu);
    call->type = d->rq.type;
    call->command = d->rq.command;
    call->nargs = d->rq.nargs;
    memcpy(call->args, d->rq.args, sizeof call->args);
    call->data = NULL;
    call->data_len = 0;
    call->out = NULL;
    call->out_capacity = 0;
    call->out_len = 0;
    call->result = 0;
    call->host = &services_host;
    ctx->abi32 = d->rq.abi32;
    ctx->block_insns = d->site->tb_insns;
    ctx->block_index = d->site->tb_index;
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

/* A faulty handler may fail on every call: its first failures are named,
 * the rest only counted (summary, event log). */
#define HANDLER_ERRORS_LOGGED 10

static void report_handler_error(const struct backdoor_call *call, int disposition)
{
    static unsigned logged;
    unsigned n = __atomic_fetch_add(&logged, 1, __ATOMIC_RELAXED);
    if (n < HANDLER_ERRORS_LOGGED) {
        plugin_log("handler returned %d for command 0x%04x, neither BACKDOOR_HANDLED (0) nor "
                   "BACKDOOR_UNHANDLED (1): the guest gets BACKDOOR_EIO%s", disposition,
                   call->command, n + 1 == HANDLER_ERRORS_LOGGED ? "; further ones are "
                   "only counted" : "");
    }
}

/* Runs the built-in or the handler, with buffers copied in and out. */
static void run(struct call_ctx *ctx, const struct builtin *builtin)
{
    struct backdoor_call *call = &ctx->call;
    struct vcpu *vs = ctx->vcpu;
    uint64_t addr = call->args[0], len = call->args[1];

    if (call->type == BACKDOOR_CALL_SEND || call->type == BACKDOOR_CALL_RECV) {
        if (len > config.max_buffer) {
            ctx->status = BACKDOOR_STATUS_TOO_BIG;
            return;
        }
        if (call->type == BACKDOOR_CALL_RECV && !qemu_caps.write_memory) {
            ctx->status = BACKDOOR_STATUS_NO_WRITE;
            return;
        }
        if (!qemu_caps.read_memory) {
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
            if (!guest_buffer_writable(vs, addr, len)) {
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
    } else {
        int disposition = handler_loaded() ? handler_call(call) : BACKDOOR_UNHANDLED;
        if (disposition != BACKDOOR_HANDLED) {
            ctx->status = disposition == BACKDOOR_UNHANDLED ? BACKDOOR_STATUS_UNHANDLED
                                                            : BACKDOOR_STATUS_HANDLER_ERROR;
            /* BACKDOOR_FAILED: the handler has already said why. */
            if (ctx->status == BACKDOOR_STATUS_HANDLER_ERROR && disposition != BACKDOOR_FAILED) {
                report_handler_error(call, disposition);
            }
            return;
        }
    }

    if (call->type == BACKDOOR_CALL_RECV) {
        if (call->out_len > call->out_capacity) {
            call->out_len = call->out_capacity;
        }
        if (!guest_copy_out(vs, addr, call->out, call->out_len)) {
            ctx->status = BACKDOOR_STATUS_FAULT;
        } else if (call->result == 0) {
            call->result = call->out_len;
        }
    }
}

static void dispatch(struct dispatch *d)
{
    struct call_ctx *ctx = &d->ctx;
    struct dispatch_vcpu *dv = ctx->vcpu->dispatch;
    struct call_counters *count = &dv->counters;
    const struct builtin *builtin = NULL;
    bool seed = is_seed(d->rq.type);

    count->by_type[d->rq.type]++;
    count->by_path[d->path]++;
    fill_public_call(d);
    ctx->status = BACKDOOR_STATUS_OK;

    if (seed) {
        count->seed[d->rq.type][d->rq.command]++;
        ctx->op_name = "seed";
    } else if (d->rq.command < BACKDOOR_USER_COMMAND_FIRST) {
        builtin = builtin_lookup(d->rq.command);
        ctx->op_name = builtin ? builtin->name : "unknown";
        ctx->returns_result = builtin == NULL || builtin->returns_result;
        count->builtin[d->rq.command]++;
        /* A missing argument would be read from whatever the register
         * holds; an extra one means the guest meant another command. */
        if (builtin != NULL &&
            (builtin->type != d->rq.type || builtin->nargs != d->rq.nargs)) {
            ctx->status = BACKDOOR_STATUS_INVALID;
        } else if (builtin == NULL) {
            ctx->status = BACKDOOR_STATUS_UNHANDLED;
        }
    } else {
        ctx->op_name = "handler";
        ctx->returns_result = true;
        gpointer key = GUINT_TO_POINTER(d->rq.command);
        uint64_t n = GPOINTER_TO_SIZE(g_hash_table_lookup(dv->user_commands, key));
        g_hash_table_insert(dv->user_commands, key, GSIZE_TO_POINTER(n + 1));
    }

    if (ctx->status == BACKDOOR_STATUS_OK && policy_active() &&
        !policy_allows(ctx->vcpu, (enum backdoor_type)d->rq.type, d->rq.command)) {
        ctx->status = BACKDOOR_STATUS_DENIED;
    }
    if (ctx->status == BACKDOOR_STATUS_OK) {
        call_set_current(ctx);
        run(ctx, builtin);
        call_set_current(NULL);
    }
    count->by_status[ctx->status]++;

    /* A failure reaches the guest also from a built-in without a result
     * (a denied roi_begin gets BACKDOOR_EPERM): every extended call has
     * its result register (docs/abi.md). */
    if (!seed && (ctx->returns_result || ctx->status != BACKDOOR_STATUS_OK)) {
        uint64_t result = ctx->status == BACKDOOR_STATUS_OK
                              ? ctx->call.result
                              : (uint64_t)status_result(ctx->status);
        /* What the guest's result register holds: a 32-bit caller gets the
         * low half, which reads back as the same small negative errors. */
        ctx->call.result = d->rq.abi32 ? (uint64_t)(int64_t)(int32_t)result : result;
        ctx->result_delivered =
            reg_write(ctx->vcpu, reg_map_for(d->rq.abi32)->handle[ROLE_RESULT], result);
    }
    if (config.reporting_calls) {
        call_report(ctx);
    }
}

/* Inline on the call path (dispatch_on_magic); dispatch_enter is the same
 * for the other callbacks of this layer. */
static inline __attribute__((always_inline)) bool enter(struct vcpu *vcpu)
{
    struct dispatch_vcpu *dv = vcpu->dispatch;
    /* Dekker-style with dispatch_stop: the busy store is ordered before
     * the stopped load (by dispatch_stop's membarrier, or here by a full
     * barrier), so either this call sees the stop or the stop waits for
     * this call. */
    bool stop_seen;
    if (asymmetric_fence) {
        __atomic_store_n(&dv->busy, 1, __ATOMIC_RELAXED);
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        stop_seen = __atomic_load_n(&stopped, __ATOMIC_RELAXED);
    } else {
        __atomic_store_n(&dv->busy, 1, __ATOMIC_SEQ_CST);
        stop_seen = __atomic_load_n(&stopped, __ATOMIC_SEQ_CST);
    }
    if (stop_seen) {
        __atomic_store_n(&dv->busy, 0, __ATOMIC_RELEASE);
        return false;
    }
    return true;
}

bool dispatch_enter(struct vcpu *vcpu)
{
    return enter(vcpu);
}

void dispatch_exit(struct vcpu *vcpu)
{
    __atomic_store_n(&vcpu->dispatch->busy, 0, __ATOMIC_RELEASE);
}

void dispatch_on_magic(unsigned int vcpu_index, void *udata)
{
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    /* Beyond the vCPUs the plugin tracks, calls are ignored (install.c). */
    if (vcpu == NULL) {
        return;
    }
    struct dispatch_vcpu *dv = vcpu->dispatch;
    if (!enter(vcpu)) {
        return;
    }
    struct dispatch d;
    d.ctx.vcpu_index = vcpu_index;
    d.ctx.vcpu = vcpu;
    d.ctx.returns_result = false;
    d.ctx.result_delivered = false;
    d.ctx.text = NULL;
    d.ctx.text_len = 0;
    d.ctx.n_extra = 0;
    d.ctx.reported = false;
    d.ctx.ts_ns = 0;
    d.site = udata;
    if (read_request(&d)) {
        dispatch(&d);
    }
    __atomic_store_n(&dv->busy, 0, __ATOMIC_RELEASE);

    int exit_request = commands_exit_requested();
    if (exit_request != 0) {
        commands.end_run(commands_exit_reason(exit_request), commands_exit_status(exit_request));
    }
}

bool dispatch_constant_result(const struct request *rq, uint64_t *result)
{
    if (config.reporting_calls || policy_active() || rq->type != BACKDOOR_CALL_CALL ||
        rq->command >= BACKDOOR_USER_COMMAND_FIRST) {
        return false;
    }
    const struct builtin *builtin = builtin_lookup(rq->command);
    return builtin != NULL && builtin->type == rq->type && builtin->nargs == rq->nargs &&
           builtin_constant_result(rq->command, result);
}

/*
 * A constant call (dispatch_constant_result): what dispatch() would do for
 * it, the counts and the answer, without the call's context, the built-in
 * table or the record nobody asked for. present() then costs about what
 * writing its result register costs (bench row 2).
 */
void dispatch_on_constant(unsigned int vcpu_index, void *udata)
{
    const struct site *site = udata;
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    if (!enter(vcpu)) {
        return;
    }
    struct call_counters *count = &vcpu->dispatch->counters;
    count->by_type[BACKDOOR_CALL_CALL]++;
    count->by_path[PATH_TRANSLATION]++;
    count->builtin[site->rq.command]++;
    count->by_status[BACKDOOR_STATUS_OK]++;
    reg_write(vcpu, reg_map_for(site->rq.abi32)->handle[ROLE_RESULT], site->result);
    __atomic_store_n(&vcpu->dispatch->busy, 0, __ATOMIC_RELEASE);
}

/* A call finishes in microseconds; a handler stuck forever must not hold
 * the end of the run, so the wait gives up after two seconds. */
#define STOP_WAIT_US (2 * G_USEC_PER_SEC)

static void wait_idle(struct vcpu *vcpu, void *deadline)
{
    if (vcpu->dispatch == NULL) {
        return;
    }
    while (__atomic_load_n(&vcpu->dispatch->busy, __ATOMIC_SEQ_CST) &&
           g_get_monotonic_time() < *(gint64 *)deadline) {
        sched_yield();
    }
}

void dispatch_leave_current(void)
{
    struct call_ctx *self = call_current();
    if (self != NULL) {
        __atomic_store_n(&self->vcpu->dispatch->busy, 0, __ATOMIC_SEQ_CST);
    }
}

void dispatch_stop(void)
{
    __atomic_store_n(&stopped, 1, __ATOMIC_SEQ_CST);
    if (asymmetric_fence) {
        syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    }
    gint64 deadline = g_get_monotonic_time() + STOP_WAIT_US;
    vcpu_for_each(wait_idle, &deadline);
}

struct totals {
    struct call_counters *sum;
    GHashTable *user_commands;
};

static void add_vcpu(struct vcpu *vcpu, void *data)
{
    struct totals *t = data;
    if (vcpu->dispatch == NULL) {
        return;
    }
    const uint64_t *from = (const uint64_t *)&vcpu->dispatch->counters;
    uint64_t *to = (uint64_t *)t->sum;
    for (size_t i = 0; i < sizeof *t->sum / sizeof(uint64_t); i++) {
        to[i] += from[i];
    }
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, vcpu->dispatch->user_commands);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        uint64_t before = GPOINTER_TO_SIZE(g_hash_table_lookup(t->user_commands, key));
        g_hash_table_insert(t->user_commands, key,
                            GSIZE_TO_POINTER(before + GPOINTER_TO_SIZE(value)));
    }
    /* Counted inline: probes, malformed requests, and constant seed calls
     * nobody receives, which count as dispatched and unhandled. */
    const struct vcpu_counters *inline_counts = vcpu_counters(vcpu->index);
    t->sum->probes += inline_counts->probes;
    t->sum->malformed += inline_counts->malformed;
    for (int type = 0; type < 2; type++) {
        for (int i8 = 0; i8 < 256; i8++) {
            uint64_t n = inline_counts->seed_calls[type][i8];
            t->sum->seed[type][i8] += n;
            t->sum->by_type[type] += n;
            t->sum->by_path[PATH_TRANSLATION] += n;
            t->sum->by_status[BACKDOOR_STATUS_UNHANDLED] += n;
        }
    }
}

void dispatch_counters_total(struct call_counters *total, GHashTable *user_commands)
{
    memset(total, 0, sizeof *total);
    struct totals t = {total, user_commands};
    vcpu_for_each(add_vcpu, &t);
}
